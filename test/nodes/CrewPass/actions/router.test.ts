/** The router: one operation per input item, pairedItem, Continue On Fail with the one error shape. */
import nock from 'nock';
import type { NodeApiError } from 'n8n-workflow';

import { runNode, testCredentials, TEST_BASE_URL } from '../../../harness';
import { PROBE_NODE_TYPE } from '../../../harness/probeNode';

const ME = '/api/v2/partners/me';

let keyCounter = 0;
function request(path: string[], extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({
		nodeType: PROBE_NODE_TYPE,
		parameters: { resource: 'probe', operation: 'request', path },
		credentials: testCredentials({ apiKey: `cpk_test_router_${++keyCounter}` }),
		...extra,
	});
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Continue On Fail', () => {
	it('outputs one error item per failing input item, paired to it, and goes on', async () => {
		nock(TEST_BASE_URL)
			.get(ME)
			.reply(200, { partner_id: 'prt_123' })
			.get(ME)
			.reply(
				403,
				{
					error: { code: 'scope_not_granted', message: 'not granted', scope: 'crew:profile:read' },
				},
				{ 'X-Request-Id': 'req_b' },
			)
			.get(ME)
			.reply(200, { partner_id: 'prt_123' });
		const { items, error } = await request(['partners', 'me'], {
			continueOnFail: true,
			input: [{ json: { n: 0 } }, { json: { n: 1 } }, { json: { n: 2 } }],
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json).toEqual({ partner_id: 'prt_123' });
		expect(items[1].json).toMatchObject({
			error: 'CrewPass error scope_not_granted: not granted',
			code: 'scope_not_granted',
			scope: 'crew:profile:read',
			requestId: 'req_b',
			httpCode: '403',
		});
		expect(items[2].json).toEqual({ partner_id: 'prt_123' });
	});

	it('without it, the node fails on the first failing item', async () => {
		nock(TEST_BASE_URL)
			.get(ME)
			.reply(404, { error: { code: 'not_found', message: 'nope' } });
		const { error, items } = await request(['partners', 'me'], {
			input: [{ json: {} }, { json: {} }],
		});
		expect(items).toEqual([]);
		expect(error?.message).toBe('CrewPass error not_found: nope');
		expect((error as NodeApiError).context.itemIndex).toBe(0);
	});
});
