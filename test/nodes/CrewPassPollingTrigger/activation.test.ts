/**
 * Issue 23: a credential the node refuses itself (before any request) fails the activation poll
 * visibly, exactly as a key CrewPass refuses does, through real n8n-core polling. Failures the
 * next poll may not meet (CrewPass down, the mass-leaver guard) still let the trigger go on
 * (CrewPassPollingTrigger.poll.test.ts).
 */
import nock from 'nock';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { TEST_BASE_URL, testCredentials } from '../../harness';
import { PollingWorkflow } from '../../harness/poll';
import { STATE_KEY } from '../../../nodes/CrewPassPollingTrigger/poll';
import { guardRequests } from '../CrewPass/fixtures/http';
import { Fleet } from './fleet';

const unexpected = guardRequests();

const PARAMETERS = { events: ['crewJoinedVessel', 'crewLeftVessel'], options: {} };

describe('the activation poll (publish, edit, n8n start) with a credential the node refuses', () => {
	it.each([
		[
			'a cpk_test_ key with Environment Production',
			{ apiKey: 'cpk_test_abc', environment: 'production' },
			'A test key (cpk_test_…) cannot be used with the Production environment',
			'choose Environment Sandbox, or enter your cpk_live_ key',
		],
		[
			'a cpk_live_ key with Environment Sandbox',
			{ apiKey: 'cpk_live_abc', environment: 'sandbox' },
			'A live key (cpk_live_…) cannot be used with the Sandbox environment',
			'choose Environment Production, or enter your cpk_test_ key',
		],
		[
			'a Base URL with a path',
			testCredentials({ baseUrl: `${TEST_BASE_URL}/api/v2` }),
			'The Base URL of the CrewPass API credential is not a valid http(s) address: it contains a path',
			'Nothing was sent',
		],
		[
			'a Base URL that is not http(s)',
			testCredentials({ baseUrl: 'ftp://crewpass.test' }),
			'it does not start with http:// or https://',
			'Nothing was sent',
		],
		[
			'an empty Base URL',
			testCredentials({ baseUrl: '' }),
			'not a valid http(s) address: it is empty',
			'Nothing was sent',
		],
	] as Array<[string, ICredentialDataDecryptedObject, string, string]>)(
		'%s: the activation fails with the reason and the fix, before any request; so does every poll after it',
		async (_name, credentials, message, fix) => {
			const workflow = new PollingWorkflow(PARAMETERS, credentials);
			const first = await workflow.poll();
			expect(first.emitted).toBe(false);
			expect(first.error?.name).toBe('NodeOperationError');
			expect(first.error?.message).toContain(message);
			expect((first.error as { description?: string }).description).toContain(fix);
			expect(workflow.nodeStaticData()[STATE_KEY]).toBeUndefined();
			const second = await workflow.poll();
			expect(second.error?.message).toContain(message);
			expect(unexpected.requests).toEqual([]);
		},
	);

	it('as a key CrewPass refuses does (a 401)', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(/fleet/)
			.reply(401, { error: { code: 'invalid_api_key', message: 'invalid API key' } });
		const first = await new PollingWorkflow(PARAMETERS).poll();
		expect(scope.isDone()).toBe(true);
		expect(first.emitted).toBe(false);
		expect(first.error?.message).toContain('invalid_api_key');
	});

	it('a good credential after the fix: the activation poll records the baseline', async () => {
		const fleet = new Fleet(2).serve();
		const workflow = new PollingWorkflow(PARAMETERS);
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
		expect(workflow.saved).toContain(STATE_KEY);
		expect(fleet.count('GET /api/v2/employers/me/fleet')).toBe(1);
	});
});
