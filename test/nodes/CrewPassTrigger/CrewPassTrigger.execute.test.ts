import nock from 'nock';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { resetDedupeStores } from '../../../nodes/CrewPassTrigger/dedupe';
import { resetSharedRosters } from '../../../nodes/CrewPassTrigger/latestDetails';
import { runNode, TEST_API_KEY, TEST_BASE_URL, testCredentials } from '../../harness';
import { TRIGGER_NODE_TYPE, TriggerHarness } from '../../harness/webhook';
import { ALL_EVENTS, envelope, SAMPLE_DATA, SECRET, signedDelivery } from './fixtures';

const CREW = `${TEST_BASE_URL}`;
const auth = { reqheaders: { authorization: `Bearer ${TEST_API_KEY}` } };

const DOCUMENTS = {
	crew_unique_id: 'crew_001',
	items: [
		{
			document_id: 'doc_1',
			type: 'STCW',
			title: 'Personal Survival Techniques',
			verification_status: 'verified',
		},
		{
			document_id: 'doc_9',
			type: 'ENG1',
			title: 'ENG1 Medical',
			verification_status: 'verified',
			issuer: null,
		},
	],
};
const COMPLIANCE = {
	crew_unique_id: 'crew_001',
	overall_status: 'at_risk',
	requirements_total: 8,
	requirements: [],
};
const PROFILE = { crew_unique_id: 'crew_001', name: 'Alex Crew', full_profile: false };
const FLEET_ROW = {
	crew_unique_id: 'crew_001',
	vessel_id: 'ves_abc',
	role: 'Chief Engineer',
	verification_status: 'verified',
	background_check_status: 'completed',
};

/** The item webhook() produces for an event (Output: Event Data). */
function eventItem(type: string, extra: Record<string, unknown> = {}) {
	return {
		json: {
			...SAMPLE_DATA[type],
			event_id: 'evt_1',
			event_type: type,
			occurred_at: '2026-06-08T10:00:00Z',
			partner_id: 'prt_123',
			received_at: '2026-06-08T10:00:01.000Z',
			...extra,
		},
		pairedItem: { item: 0 },
	};
}

async function runTrigger(input: Array<{ json: Record<string, unknown> }>, options: IDataObject) {
	return await runNode({
		nodeType: TRIGGER_NODE_TYPE,
		parameters: { events: ALL_EVENTS, options: options as INodeParameters },
		input: input as never,
	});
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	nock.cleanAll();
	resetSharedRosters();
});
afterAll(() => nock.enableNetConnect());

describe('CrewPass Trigger execute(): the events pass on, with latest details when asked', () => {
	it('without Fetch Latest Details: no request, items unchanged, pairedItem set', async () => {
		const input = [eventItem('crew.profile.updated'), eventItem('crew.status.changed')];
		const { items, error } = await runTrigger(input, {});
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{ json: input[0].json, pairedItem: { item: 0 } },
			{ json: input[1].json, pairedItem: { item: 1 } },
		]);
	});

	it.each(['crew.document.processed', 'crew.document.updated'])(
		'%s → the document from the crew member’s current documents',
		async (type) => {
			const scope = nock(CREW, auth)
				.get('/api/v2/employers/me/crew/crew_001/documents')
				.reply(200, DOCUMENTS);
			const { items } = await runTrigger([eventItem(type)], { fetchLatestDetails: true });
			expect(scope.isDone()).toBe(true);
			// As Document → Get Many gives it: the listed fields plus days_until_expiry.
			expect(items[0].json.latest_details).toEqual({
				crew_unique_id: 'crew_001',
				...DOCUMENTS.items[1],
				days_until_expiry: null, // this document has no expiry_date
			});
			expect(items[0].json.document_id).toBe('doc_9');
		},
	);

	it('crew.compliance.changed → the full snapshot (POST {} for the event’s vessel)', async () => {
		const scope = nock(CREW, auth)
			.post('/api/v2/employers/me/crew/crew_001/compliance-checks', {})
			.query({ vessel_id: 'ves_abc' })
			.reply(200, COMPLIANCE);
		const { items } = await runTrigger([eventItem('crew.compliance.changed')], {
			fetchLatestDetails: true,
		});
		expect(scope.isDone()).toBe(true);
		expect(items[0].json.latest_details).toEqual(COMPLIANCE);
	});

	it('crew.status.changed → the fleet row, from a roster walk that stops at its page', async () => {
		const scope = nock(CREW, auth)
			.get('/api/v2/employers/me/fleet')
			.query({ limit: 200 })
			.reply(200, { items: [{ crew_unique_id: 'crew_777' }], next_cursor: 'c2' })
			.get('/api/v2/employers/me/fleet')
			.query({ limit: 200, cursor: 'c2' })
			.reply(200, { items: [{ crew_unique_id: 'crew_888' }, FLEET_ROW], next_cursor: 'c3' });
		const { items } = await runTrigger([eventItem('crew.status.changed')], {
			fetchLatestDetails: true,
		});
		expect(scope.isDone()).toBe(true); // stopped at page 2: page 3 was never asked for
		expect(items[0].json.latest_details).toEqual(FLEET_ROW);
	});

	it('crew.profile.updated → the profile', async () => {
		const scope = nock(CREW, auth)
			.get('/api/v2/employers/me/crew/crew_001/profile')
			.reply(200, PROFILE);
		const { items } = await runTrigger([eventItem('crew.profile.updated')], {
			fetchLatestDetails: true,
		});
		expect(scope.isDone()).toBe(true);
		expect(items[0].json.latest_details).toEqual(PROFILE);
	});

	it('Full Envelope output: the ids are read from data', async () => {
		const scope = nock(CREW, auth)
			.get('/api/v2/employers/me/crew/crew_001/profile')
			.reply(200, PROFILE);
		const input = [
			{
				json: {
					schema_version: 1,
					event_id: 'evt_1',
					event_type: 'crew.profile.updated',
					occurred_at: '2026-06-08T10:00:00Z',
					partner_id: 'prt_123',
					data: SAMPLE_DATA['crew.profile.updated'],
					received_at: 'now',
				},
			},
		];
		const { items } = await runTrigger(input, { fetchLatestDetails: true, output: 'fullEnvelope' });
		expect(scope.isDone()).toBe(true);
		expect(items[0].json.latest_details).toEqual(PROFILE);
	});

	it('a refused read keeps the event and explains the failure, without the key', async () => {
		nock(CREW, auth)
			.get('/api/v2/employers/me/crew/crew_001/profile')
			.reply(
				403,
				{
					error: {
						code: 'scope_not_consented',
						message: 'not consented',
						scope: 'crew:profile:read',
					},
				},
				{ 'X-Request-Id': 'req_42' },
			);
		const input = [eventItem('crew.profile.updated')];
		const { items, error } = await runTrigger(input, { fetchLatestDetails: true });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject(input[0].json);
		expect(items[0].json.latest_details).toBeUndefined();
		expect(items[0].json.latest_details_error).toMatchObject({
			code: 'scope_not_consented',
			scope: 'crew:profile:read',
			requestId: 'req_42',
			httpCode: '403',
		});
		expect(JSON.stringify(items)).not.toContain(TEST_API_KEY);
	});

	it('a document no longer listed, an event without crew id, a crew member gone from the fleet: event kept each time', async () => {
		nock(CREW, auth).get('/api/v2/employers/me/crew/crew_001/documents').reply(200, { items: [] });
		nock(CREW, auth)
			.get('/api/v2/employers/me/crew/crew_001/profile')
			.reply(404, { error: { code: 'not_found', message: 'Not found' } });
		const input = [
			eventItem('crew.document.updated'),
			eventItem('crew.status.changed', { crew_unique_id: undefined }),
			eventItem('crew.profile.updated'),
		];
		const { items, error } = await runTrigger(input, { fetchLatestDetails: true });
		expect(error).toBeUndefined();
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.latest_details_error).toMatchObject({
			error: expect.stringContaining('is not among the crew member'),
		});
		expect(items[1].json.latest_details_error).toMatchObject({
			error: expect.stringContaining('crew_unique_id'),
		});
		expect(items[2].json.latest_details_error).toMatchObject({
			code: 'not_found',
			httpCode: '404',
		});
	});
});

describe('CrewPass Trigger: a delivery through to the execution', () => {
	let harness: TriggerHarness;
	afterEach(async () => await harness?.stop());

	it('the workflow data webhook() returns runs through execute() and gains the latest details', async () => {
		resetDedupeStores();
		nock.enableNetConnect('127.0.0.1');
		harness = new TriggerHarness({
			parameters: { events: ALL_EVENTS, options: { fetchLatestDetails: true } },
			credentials: testCredentials({ webhookSecret: SECRET }),
		});
		await harness.start();
		const event = envelope('crew.profile.updated');
		const { body, headers } = signedDelivery(event);
		// webhook() itself calls no API: the delivery is answered before any lookup.
		expect((await harness.deliver(body, headers)).status).toBe(200);
		expect(nock.pendingMocks()).toEqual([]);

		const scope = nock(CREW, auth)
			.get('/api/v2/employers/me/crew/crew_001/profile')
			.reply(200, PROFILE);
		const { items } = await runNode({
			nodeType: TRIGGER_NODE_TYPE,
			parameters: harness.node.parameters,
			input: harness.executions[0][0],
		});
		expect(scope.isDone()).toBe(true);
		expect(items[0].json).toMatchObject({ event_id: event.event_id, latest_details: PROFILE });
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});
});
