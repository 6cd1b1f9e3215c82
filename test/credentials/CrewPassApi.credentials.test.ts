/**
 * The credential's test request: where its baseURL expression goes for each environment, as
 * n8n's expression engine evaluates it (issue 9 item 2: a bad Base URL must not reach any host).
 */
import { NodeHelpers } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	CREDENTIAL_NAME,
	CrewPassApi,
	INVALID_BASE_URL_TARGET,
	PRODUCTION_BASE_URL,
	SANDBOX_BASE_URL,
} from '../../credentials/CrewPassApi.credentials';
import { harnessNode, harnessWorkflow } from '../harness';

const credential = new CrewPassApi();

function testBaseUrl(credentials: ICredentialDataDecryptedObject): unknown {
	const node = harnessNode({});
	const { workflow } = harnessWorkflow(node);
	const expression = String(credential.test.request.baseURL);
	return workflow.expression.getSimpleParameterValue(
		node,
		expression,
		'manual',
		{ $credentials: credentials },
		undefined,
		expression,
	);
}

/** Whether the editor shows the "This Base URL will be refused" notice (n8n's display rules). */
function noticeShownFor(baseUrl: string): boolean {
	const notice = credential.properties.find((property) => property.name === 'baseUrlNotice')!;
	return NodeHelpers.displayParameter({ environment: 'custom', baseUrl }, notice, null, null);
}

describe('CrewPass API credential', () => {
	it('is named as the nodes ask for it', () => {
		expect(credential.name).toBe(CREDENTIAL_NAME);
	});

	it('its test request does not follow redirects (the key stays on the Base URL)', () => {
		expect(credential.test.request.disableFollowRedirect).toBe(true);
	});

	it.each([
		[{ environment: 'production' }, PRODUCTION_BASE_URL],
		[{ environment: 'sandbox' }, SANDBOX_BASE_URL],
		[{ environment: 'custom', baseUrl: 'http://127.0.0.1:4010/' }, 'http://127.0.0.1:4010'],
		[{ environment: 'custom', baseUrl: 'https://proxy.example.com' }, 'https://proxy.example.com'],
	])('tests %j against %s', (credentials, expected) => {
		expect(testBaseUrl({ apiKey: 'cpk_test_x', ...credentials })).toBe(expected);
	});

	it.each([
		'http://user:pass@crewpass.test',
		'https://crewpass.test\n',
		' https://crewpass.test',
		'https://crewpass.test ',
		'ftp://crewpass.test',
		'https://crewpass.test/api',
		'https://crewpass.test?x=1',
		'https://crewpass.test#x',
		'https://evil.example\\@crewpass.test',
		'',
	])('sends the test for the Custom Base URL %j to a host that never resolves', (baseUrl) => {
		const target = testBaseUrl({ apiKey: 'cpk_test_x', environment: 'custom', baseUrl });
		expect(target).toBe(INVALID_BASE_URL_TARGET);
		expect(new URL(String(target)).hostname.endsWith('.invalid')).toBe(true);
		expect(noticeShownFor(baseUrl)).toBe(baseUrl !== '');
	});

	it.each(['https://crewpass.test', 'HTTP://127.0.0.1:4010/', 'https://proxy.example.com'])(
		'shows no Base URL notice for %j',
		(baseUrl) => {
			expect(noticeShownFor(baseUrl)).toBe(false);
		},
	);
});
