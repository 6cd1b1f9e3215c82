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

	describe('test rules: what the user reads for each answer of /api/v2/partners/me', () => {
		/**
		 * n8n's credentials tester (the same on 1.123 and 2.41) reads the answer as a body here
		 * (ignoreHttpStatusErrors) and takes the first responseSuccessBody rule whose key has the
		 * value; none: "Connection successful".
		 */
		const messageFor = (body: unknown): string | undefined => {
			expect(credential.test.request.ignoreHttpStatusErrors).toBe(true);
			for (const rule of credential.test.rules ?? []) {
				expect(rule.type).toBe('responseSuccessBody');
				if (rule.type !== 'responseSuccessBody') continue;
				const { key, value, message } = rule.properties;
				const found = key
					.split('.')
					.reduce<unknown>(
						(at, part) =>
							at !== null && typeof at === 'object'
								? (at as Record<string, unknown>)[part]
								: undefined,
						body,
					);
				if (found === value) return message;
			}
			return undefined;
		};
		// The contract's error envelopes (crewpass-partner-api.md, Errors).
		const envelope = (code: string) => ({ error: { code, message: 'as CrewPass words it' } });

		it('a partner account tests OK', () => {
			expect(
				messageFor({ partner_id: 'ptn_123', name: 'Acme Crewing', mode: 'test', scopes: [] }),
			).toBeUndefined();
		});

		it.each([
			['invalid_api_key', /^CrewPass answered invalid_api_key: .*Copy the key again/],
			['partner_mode_mismatch', /^CrewPass answered partner_mode_mismatch: .*Environment/],
			['api_not_enabled', /^CrewPass answered api_not_enabled: .*Ask CrewPass to enable it/],
			['partner_rate_limited', /^CrewPass answered partner_rate_limited: .*test again/],
		])('%s: names the code and the fix', (code, expected) => {
			expect(messageFor(envelope(code))).toMatch(expected);
		});

		it.each([
			['a 404 page', '<html><body>Not Found</body></html>'],
			['another API', { status: 'ok' }],
			['a CrewPass 5xx', envelope('internal_error')],
			['an empty body', ''],
			['an error code this package does not know', envelope('key_suspended')],
		])('%s: no CrewPass Partner API at this address', (_, body) => {
			expect(messageFor(body)).toMatch(/^No CrewPass Partner API at this address: .*Environment/);
		});
	});
});
