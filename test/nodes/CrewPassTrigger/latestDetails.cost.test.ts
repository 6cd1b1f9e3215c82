/**
 * What Fetch Latest Details costs per event, counted at the (nock) server, with each event run
 * as its own execution through n8n-core, as a burst of deliveries runs them.
 */
import nock from 'nock';
import { sleep } from 'n8n-workflow';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { resetSharedRosters } from '../../../nodes/CrewPassTrigger/latestDetails';
import { sharedRosterSettings } from '../../../nodes/CrewPassTrigger/sharedRoster';
import { runNode, TEST_BASE_URL, testCredentials } from '../../harness';
import { TRIGGER_NODE_TYPE } from '../../harness/webhook';
import { ALL_EVENTS, newEventId, SAMPLE_DATA } from './fixtures';

const FLEET = '/api/v2/employers/me/fleet';

// Each test uses its own key: walks are shared per key and process.
let keyCounter = 0;
const freshKey = () => `cpk_test_cost_${++keyCounter}_abcdef`;

/** A roster row as the crew guide shows it. */
function rosterRow(i: number, verification = 'verified'): IDataObject {
	return {
		crew_unique_id: `crew_${String(i).padStart(4, '0')}`,
		name: `A. Crew ${i}`,
		vessel_id: `ves_${(i % 3) + 1}`,
		vessel_name: `M/Y Example ${(i % 3) + 1}`,
		role: 'Deckhand',
		verification_status: verification,
		background_check_status: 'completed',
		documents_expiring: i % 2,
		as_of: '2026-06-08T10:00:00Z',
	};
}

/**
 * Serves a roster of `crew` rows in pages of `limit` (cursor = offset), for `key` only, and
 * counts the pages asked for. `rowOf` may change the rows between walks.
 */
function serveRoster(
	key: string,
	crew: number,
	rowOf: (i: number, walk: number) => IDataObject = (i) => rosterRow(i),
	delayMs = 0,
) {
	const seen = { pages: 0, walks: 0, startedAt: [] as number[], endedAt: [] as number[] };
	nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${key}` } })
		.persist()
		.get(FLEET)
		.query(true)
		.delay(delayMs)
		.reply(function (uri) {
			const qs = new URL(uri, TEST_BASE_URL).searchParams;
			const offset = Number(qs.get('cursor') ?? 0);
			const limit = Number(qs.get('limit'));
			if (offset === 0) {
				seen.walks++;
				seen.startedAt.push(Date.now());
			}
			seen.pages++;
			const end = Math.min(crew, offset + limit);
			if (end === crew) seen.endedAt.push(Date.now());
			return [
				200,
				{
					items: Array.from({ length: end - offset }, (_, n) => rowOf(offset + n + 1, seen.walks)),
					next_cursor: end < crew ? String(end) : null,
				},
			];
		});
	return seen;
}

/** One status event as its own execution (the item webhook() gives, Output: Event Data). */
async function statusEvent(key: string, crewId: string) {
	const { items, error } = await runNode({
		nodeType: TRIGGER_NODE_TYPE,
		parameters: {
			events: ALL_EVENTS,
			options: { fetchLatestDetails: true } as INodeParameters,
		},
		credentials: testCredentials({ apiKey: key }),
		input: [
			{
				json: {
					...SAMPLE_DATA['crew.status.changed'],
					crew_unique_id: crewId,
					event_id: newEventId(),
					event_type: 'crew.status.changed',
					occurred_at: '2026-06-08T10:00:00Z',
					partner_id: 'prt_123',
					received_at: '2026-06-08T10:00:01.000Z',
				},
			},
		] as never,
	});
	expect(error).toBeUndefined();
	expect(items).toHaveLength(1);
	expect(items[0].pairedItem).toEqual({ item: 0 });
	return items[0].json;
}

const saved = { ...sharedRosterSettings };
beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	nock.cleanAll();
	resetSharedRosters();
	Object.assign(sharedRosterSettings, saved);
});

describe('crew.status.changed: status events share one roster walk per key', () => {
	it('50 status events (50 executions) arriving together: the 450-crew roster is walked once (3 requests)', async () => {
		const key = freshKey();
		const seen = serveRoster(key, 450);
		// Crew members from every page, the last one on the last page.
		const ids = Array.from({ length: 50 }, (_, n) => `crew_${String(n * 9 + 1).padStart(4, '0')}`);
		const outputs = await Promise.all(ids.map((id) => statusEvent(key, id)));
		expect(seen).toMatchObject({ walks: 1, pages: 3 });
		outputs.forEach((json, n) => {
			expect(json.crew_unique_id).toBe(ids[n]);
			expect(json.latest_details).toEqual(rosterRow(n * 9 + 1));
			expect(json.latest_details_error).toBeUndefined();
		});
	});

	it('a walk stops at the page where the last waiting crew member is found', async () => {
		const key = freshKey();
		const seen = serveRoster(key, 1_000);
		const outputs = await Promise.all(['crew_0007', 'crew_0350'].map((id) => statusEvent(key, id)));
		expect(seen).toMatchObject({ walks: 1, pages: 2 }); // of 5
		expect(outputs.map((json) => (json.latest_details as IDataObject).crew_unique_id)).toEqual([
			'crew_0007',
			'crew_0350',
		]);
	});

	it('an event that arrives once the walk has started gets the next walk, a window later: its row is read after it arrived', async () => {
		Object.assign(sharedRosterSettings, { gatherMs: 50, windowMs: 1_000 });
		const key = freshKey();
		// Walk 1 still shows crew_0002 as pending; by walk 2 the change the event announces is there.
		const seen = serveRoster(
			key,
			300,
			(i, walk) => rosterRow(i, i === 2 && walk < 2 ? 'pending' : 'verified'),
			100,
		);
		const first = statusEvent(key, 'crew_0001');
		// The second event arrives once walk 1 has started (its first page is on the wire).
		for (let i = 0; i < 300 && seen.walks === 0; i++) await sleep(10);
		expect(seen.walks).toBe(1);
		const secondArrivedAt = Date.now();
		const second = statusEvent(key, 'crew_0002');
		const [a, b] = await Promise.all([first, second]);
		expect(seen.walks).toBe(2);
		expect(seen.startedAt[1]).toBeGreaterThan(secondArrivedAt);
		// Spaced by the window (timed at the server, so less each walk's own start-up), where
		// without it walk 2 would follow walk 1's 100 ms page by the 50 ms gathering.
		expect(seen.startedAt[1] - seen.startedAt[0]).toBeGreaterThanOrEqual(600);
		expect((a.latest_details as IDataObject).crew_unique_id).toBe('crew_0001');
		expect(b.latest_details).toEqual(rosterRow(2, 'verified'));
	});

	it('a crew member not on the roster: that event gets latest_details_error, the others their rows', async () => {
		const key = freshKey();
		const seen = serveRoster(key, 250);
		const [gone, here] = await Promise.all([
			statusEvent(key, 'crew_9999'),
			statusEvent(key, 'crew_0003'),
		]);
		expect(seen).toMatchObject({ walks: 1, pages: 2 }); // the whole roster, once
		expect(gone.latest_details).toBeUndefined();
		expect(gone.latest_details_error).toEqual({
			error: 'Crew member crew_9999 is not on your fleet roster',
			description:
				'The crew member may have left your vessels, or withdrawn consent, since the event was sent.',
		});
		expect(here.latest_details).toEqual(rosterRow(3));
	});

	it('a walk CrewPass refuses fails each waiting event’s latest details the usual way; every event is kept, no key', async () => {
		const key = freshKey();
		let requests = 0;
		nock(TEST_BASE_URL)
			.persist()
			.get(FLEET)
			.query(true)
			.reply(() => {
				requests++;
				return [
					403,
					{
						error: {
							code: 'scope_not_granted',
							message: "scope 'vessels:fleet:read' is not granted to this partner",
							scope: 'vessels:fleet:read',
						},
					},
					{ 'X-Request-Id': 'req_fleet_403' },
				];
			});
		const ids = Array.from({ length: 10 }, (_, n) => `crew_${String(n + 1).padStart(4, '0')}`);
		const outputs = await Promise.all(ids.map((id) => statusEvent(key, id)));
		expect(requests).toBe(1);
		outputs.forEach((json, n) => {
			expect(json.crew_unique_id).toBe(ids[n]);
			expect(json.verification_status).toBe('verified');
			expect(json.latest_details).toBeUndefined();
			expect(json.latest_details_error).toMatchObject({
				code: 'scope_not_granted',
				scope: 'vessels:fleet:read',
				requestId: 'req_fleet_403',
				httpCode: '403',
			});
		});
		expect(JSON.stringify(outputs)).not.toContain(key);
	});

	it('two API keys do not share walks: each walks its own roster with its own key', async () => {
		const [keyA, keyB] = [freshKey(), freshKey()];
		const seenA = serveRoster(keyA, 150);
		const seenB = serveRoster(keyB, 150);
		await Promise.all([
			statusEvent(keyA, 'crew_0001'),
			statusEvent(keyA, 'crew_0002'),
			statusEvent(keyB, 'crew_0001'),
		]);
		expect(seenA).toMatchObject({ walks: 1, pages: 1 });
		expect(seenB).toMatchObject({ walks: 1, pages: 1 });
	});
});

describe('Fetch Latest Details: requests per event, by event type (counted at the server)', () => {
	/** Counts every request the execution of one event makes, by method and path. */
	function countAll(key: string) {
		const counted: string[] = [];
		const record = (method: string) =>
			function (this: { req: { path: string } }) {
				counted.push(`${method} ${this.req.path.split('?')[0]}`);
			};
		const scope = nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${key}` } }).persist();
		scope
			.get('/api/v2/employers/me/crew/crew_0450/documents')
			.reply(function () {
				record('GET').call(this);
				return [
					200,
					{ crew_unique_id: 'crew_0450', items: [{ document_id: 'doc_9', type: 'ENG1' }] },
				];
			})
			.post('/api/v2/employers/me/crew/crew_0450/compliance-checks')
			.query(true)
			.reply(function () {
				record('POST').call(this);
				return [200, { crew_unique_id: 'crew_0450', overall_status: 'compliant' }];
			})
			.get('/api/v2/employers/me/crew/crew_0450/profile')
			.reply(function () {
				record('GET').call(this);
				return [200, { crew_unique_id: 'crew_0450', full_profile: false }];
			});
		return counted;
	}

	it.each([
		['crew.document.processed', 1],
		['crew.document.updated', 1],
		['crew.compliance.changed', 1],
		['crew.profile.updated', 1],
		// a lone status event whose crew member is last on a 450-crew roster: ⌈450 / 200⌉
		['crew.status.changed', 3],
	])('%s: %i request(s)', async (type, expected) => {
		const key = freshKey();
		const counted = countAll(key);
		const roster = serveRoster(key, 450);
		const { items, error } = await runNode({
			nodeType: TRIGGER_NODE_TYPE,
			parameters: { events: ALL_EVENTS, options: { fetchLatestDetails: true } as INodeParameters },
			credentials: testCredentials({ apiKey: key }),
			input: [
				{
					json: {
						...SAMPLE_DATA[type],
						crew_unique_id: 'crew_0450',
						event_id: newEventId(),
						event_type: type,
					},
				},
			] as never,
		});
		expect(error).toBeUndefined();
		expect(items[0].json.latest_details_error).toBeUndefined();
		expect(items[0].json.latest_details).toBeDefined();
		expect(counted.length + roster.pages).toBe(expected);
	});
});
