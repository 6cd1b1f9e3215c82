import nock from 'nock';

import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../../harness';

const PARTNER = {
	partner_id: 'prt_123',
	display_name: 'Example Fleet Management',
	partner_type: 'customer',
	status: 'active',
	mode: 'test',
	subscription_plan: 'management',
	granted_scopes: ['crew:compliance:read', 'vessels:fleet:read'],
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Partner → Get', () => {
	it('sends the Bearer key to GET /api/v2/partners/me and outputs the identity with pairedItem', async () => {
		const scope = nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${TEST_API_KEY}` } })
			.get('/api/v2/partners/me')
			.reply(200, PARTNER, { 'X-Request-Id': 'req_1' });

		const { items, error } = await runNode({
			parameters: { resource: 'partner', operation: 'get' },
		});

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toEqual([{ json: PARTNER, pairedItem: { item: 0 } }]);
	});
});
