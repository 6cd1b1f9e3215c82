import nock from 'nock';

import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../../harness';
import snapshotFixture from '../../fixtures/compliance-snapshot.json';

const CHECK_PATH = '/api/v2/employers/me/crew/crew_001/compliance-checks';
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

function params(extra: Record<string, unknown> = {}) {
	return { resource: 'compliance', operation: 'check', crewMember: crewById, ...extra };
}

function api() {
	return nock(TEST_BASE_URL, {
		reqheaders: {
			authorization: `Bearer ${TEST_API_KEY}`,
			'content-type': /application\/json/,
		},
	});
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Compliance → Check', () => {
	it('POSTs {} with the Bearer key and outputs the snapshot as one item', async () => {
		let body: unknown;
		const scope = api()
			.post(CHECK_PATH)
			.reply(200, (_uri, requestBody) => {
				body = requestBody;
				return snapshotFixture;
			});

		const { items, error } = await runNode({ parameters: params({ simplify: false }) });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(body).toEqual({});
		expect(items).toEqual([{ json: snapshotFixture, pairedItem: { item: 0 } }]);
	});

	it('Simplify (default) gives the status and counts of the snapshot, at most 10 fields', async () => {
		api().post(CHECK_PATH, {}).query({ vessel_id: 'ves_abc' }).reply(200, snapshotFixture);
		const { items, error } = await runNode({
			parameters: params({ vessel: { __rl: true, mode: 'id', value: 'ves_abc' } }),
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toEqual([
			{
				crew_unique_id: 'crew_001',
				vessel_id: 'ves_abc',
				overall_status: 'at_risk',
				requirements_total: 8,
				requirements_met: 7,
				requirements_expiring: 1,
				requirements_expired: 0,
				requirements_missing: 0,
				next_expiry_date: '2026-08-01',
				stcw_completion_percentage: 100,
			},
		]);
	});

	it('Simplify per requirement drops fields beyond the listed 10; off keeps them', async () => {
		const answer = {
			...snapshotFixture,
			requirements: [{ ...snapshotFixture.requirements[0], evidence: { notes: 'long text' } }],
		};
		api().post(CHECK_PATH, {}).reply(200, answer);
		api().post(CHECK_PATH, {}).reply(200, answer);
		const simple = await runNode({ parameters: params({ output: 'requirements' }) });
		const raw = await runNode({
			parameters: params({ output: 'requirements', simplify: false }),
		});
		expect(simple.error).toBeUndefined();
		expect(simple.items[0].json).not.toHaveProperty('evidence');
		expect(simple.items[0].json).toMatchObject({ requirement_key: 'eng1', status: 'expiring' });
		expect(raw.items[0].json).toHaveProperty('evidence', { notes: 'long text' });
	});

	it('adds ?vessel_id= when a vessel is chosen', async () => {
		const scope = api()
			.post(CHECK_PATH, {})
			.query({ vessel_id: 'ves_abc' })
			.reply(200, snapshotFixture);
		const { error } = await runNode({
			parameters: params({ vessel: { __rl: true, mode: 'list', value: 'ves_abc' } }),
		});
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
	});

	it('outputs one item per requirement with the crew member, vessel and overall status', async () => {
		api().post(CHECK_PATH, {}).query({ vessel_id: 'ves_abc' }).reply(200, snapshotFixture);
		const { items, error } = await runNode({
			parameters: params({
				output: 'requirements',
				vessel: { __rl: true, mode: 'id', value: 'ves_abc' },
			}),
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json)).toEqual(
			snapshotFixture.requirements.map((requirement) => ({
				crew_unique_id: 'crew_001',
				vessel_id: 'ves_abc',
				overall_status: 'at_risk',
				...requirement,
			})),
		);
		expect(items.every((item) => (item.pairedItem as { item: number }).item === 0)).toBe(true);
	});

	it('outputs nothing per requirement for a crew member without a role', async () => {
		api()
			.post(CHECK_PATH, {})
			.reply(200, { crew_unique_id: 'crew_001', overall_status: 'no_role', requirements: [] });
		const { items, error } = await runNode({ parameters: params({ output: 'requirements' }) });
		expect(error).toBeUndefined();
		expect(items).toEqual([]);
	});

	it('resolves By Email, then checks; one result per input item, paired', async () => {
		api()
			.post('/api/v2/employers/me/crew/lookup', { email: 'a@example.com' })
			.reply(200, { crew_unique_id: 'crew_001' });
		api().post(CHECK_PATH, {}).reply(200, snapshotFixture);
		api()
			.post('/api/v2/employers/me/crew/lookup', { email: 'b@example.com' })
			.reply(200, { crew_unique_id: 'crew_002' });
		api()
			.post('/api/v2/employers/me/crew/crew_002/compliance-checks', {})
			.reply(200, { ...snapshotFixture, crew_unique_id: 'crew_002' });
		const { items, error } = await runNode({
			parameters: params({
				crewMember: { __rl: true, mode: 'email', value: '={{ $json.email }}' },
			}),
			input: [{ json: { email: 'a@example.com' } }, { json: { email: 'b@example.com' } }],
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => [item.json.crew_unique_id, item.pairedItem])).toEqual([
			['crew_001', { item: 0 }],
			['crew_002', { item: 1 }],
		]);
	});

	it('a crew member off the fleet (404) fails with the CrewPass error, or is an error item on Continue', async () => {
		const notFound = { error: { code: 'not_found', message: 'not on your fleet' } };
		api().post(CHECK_PATH, {}).reply(404, notFound, { 'X-Request-Id': 'req_404' });
		const failed = await runNode({ parameters: params() });
		expect(failed.error?.name).toBe('NodeApiError');
		expect(failed.error?.message).toContain('not_found');

		api().post(CHECK_PATH, {}).reply(404, notFound, { 'X-Request-Id': 'req_404' });
		const continued = await runNode({ parameters: params(), continueOnFail: true });
		expect(continued.error).toBeUndefined();
		expect(continued.items).toEqual([
			{
				json: expect.objectContaining({ code: 'not_found', requestId: 'req_404', httpCode: '404' }),
				pairedItem: { item: 0 },
			},
		]);
	});

	it.each([
		[
			{ crewMember: { __rl: true, mode: 'id', value: '={{ "" }}' } },
			'Crew Member: is empty [item 0]',
		],
		[
			{ vessel: { __rl: true, mode: 'id', value: '..' } },
			'Vessel: ".." is not a valid ID [item 0]',
		],
	])('rejects bad parameters before any request: %j', async (extra, message) => {
		const { error } = await runNode({ parameters: params(extra) });
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe(message);
	});
});
