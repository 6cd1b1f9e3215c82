import nock from 'nock';
import { sleep } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { FLEET_CONCURRENCY } from '../../../../../nodes/CrewPass/actions/compliance/checkFleet.operation';
import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../../harness';
import { isoDate } from '../document/helpers';

const FLEET_PATH = '/api/v2/employers/me/fleet';
const CHECK_RE = /^\/api\/v2\/employers\/me\/crew\/([^/?]+)\/compliance-checks(\?.*)?$/;
const VESSELS = ['ves_a', 'ves_b', 'ves_c'];

function rosterRow(i: number, vessel = VESSELS[i % 3]): IDataObject {
	return {
		crew_unique_id: `crew_${String(i).padStart(4, '0')}`,
		name: `C. Member${i}`,
		vessel_id: vessel,
		vessel_name: `M/Y ${vessel.toUpperCase()}`,
		role: i % 2 ? 'Deckhand' : 'Chief Engineer',
		verification_status: 'verified',
		documents_expiring: 0,
		as_of: '2026-06-08T10:00:00Z',
	};
}

function snapshotFor(crewId: string, overall = 'compliant', nextExpiry: string | null = null) {
	return {
		crew_unique_id: crewId,
		overall_status: overall,
		requirements_total: 8,
		requirements_met: 8,
		next_expiry_date: nextExpiry,
		requirements: [],
	};
}

function params(extra: Record<string, unknown> = {}) {
	return { resource: 'compliance', operation: 'checkFleet', ...extra };
}

function api() {
	return nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${TEST_API_KEY}` } });
}

interface CheckRequest {
	at: number;
	crewId: string;
	query: string;
	body: unknown;
}

/**
 * The roster in pages of 200 and a compliance endpoint answering `answer(crewId)`; records each
 * compliance request's time, crew, query and body.
 */
function mockFleet(
	rows: IDataObject[],
	answer: (crewId: string) => [number, unknown] = (id) => [200, snapshotFor(id)],
) {
	const checks: CheckRequest[] = [];
	const fleet: string[] = [];
	for (let offset = 0; offset < Math.max(rows.length, 1); offset += 200) {
		const page = rows.slice(offset, offset + 200);
		const next = offset + 200 < rows.length ? `cur_${offset + 200}` : null;
		const query: Record<string, string> = { limit: '200' };
		if (offset > 0) query.cursor = `cur_${offset}`;
		api()
			.get(FLEET_PATH)
			.query(query)
			.reply(function (uri) {
				fleet.push(uri);
				return [200, { items: page, next_cursor: next, expiring_within_days: 30 }];
			});
	}
	api()
		.post(CHECK_RE)
		.times(rows.length)
		.reply(function (uri, body) {
			const [, crewId, query] = CHECK_RE.exec(uri)!;
			checks.push({ at: Date.now(), crewId, query: query ?? '', body });
			return answer(crewId);
		});
	return { checks, fleet };
}

/**
 * How many of the requests (start times, ms) CrewPass's token buckets would refuse: 60/s and
 * 1,000/min, full at the first request, refilled continuously (contract, Rate limits).
 */
function refusedByTokenBuckets(times: number[]): number {
	const buckets = [
		{ capacity: 60, rate: 60 / 1_000, tokens: 60 },
		{ capacity: 1_000, rate: 1_000 / 60_000, tokens: 1_000 },
	];
	const sorted = [...times].sort((a, b) => a - b);
	let at = sorted[0];
	let refused = 0;
	for (const t of sorted) {
		for (const b of buckets) b.tokens = Math.min(b.capacity, b.tokens + (t - at) * b.rate);
		at = t;
		if (buckets.some((b) => b.tokens < 1)) refused++;
		else for (const b of buckets) b.tokens -= 1;
	}
	return refused;
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Compliance → Check Fleet', () => {
	it("checks 150 crew members within CrewPass's token buckets and outputs 150 items with roster details", async () => {
		const rows = Array.from({ length: 150 }, (_, i) => rosterRow(i));
		const { checks, fleet } = mockFleet(rows);

		const { items, error } = await runNode({ parameters: params() });

		expect(error).toBeUndefined();
		expect(fleet).toEqual([`${FLEET_PATH}?limit=200`]);
		expect(checks).toHaveLength(150);
		expect(refusedByTokenBuckets(checks.map((check) => check.at))).toBe(0);
		expect(checks.every((check) => JSON.stringify(check.body) === '{}')).toBe(true);
		expect(items).toHaveLength(150);
		items.forEach((item, i) => {
			const row = rows[i];
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toMatchObject({
				crew_unique_id: row.crew_unique_id,
				name: row.name,
				vessel_id: row.vessel_id,
				vessel_name: row.vessel_name,
				role: row.role,
				overall_status: 'compliant',
			});
		});
		const byCrew = new Map(checks.map((check) => [check.crewId, check.query]));
		rows.forEach((row) =>
			expect(byCrew.get(String(row.crew_unique_id))).toBe(`?vessel_id=${row.vessel_id}`),
		);
	});

	it('keeps more checks in flight than the old fixed 8, never more than FLEET_CONCURRENCY', async () => {
		const rows = Array.from({ length: 60 }, (_, i) => rosterRow(i));
		api().get(FLEET_PATH).query({ limit: '200' }).reply(200, { items: rows, next_cursor: null });
		// Answers are held until 16 checks are in flight at once (a barrier, not a clock: the
		// fallback timer only ends a test whose node never gets there, which then fails).
		const held: Array<() => void> = [];
		let inFlight = 0;
		let maxInFlight = 0;
		const release = () => held.splice(0).forEach((answer) => answer());
		void sleep(10_000).then(release);
		api()
			.post(CHECK_RE)
			.times(rows.length)
			.reply(function (uri, _body, callback) {
				const [, crewId] = CHECK_RE.exec(uri)!;
				inFlight++;
				maxInFlight = Math.max(maxInFlight, inFlight);
				held.push(() => {
					inFlight--;
					callback(null, [200, snapshotFor(crewId)]);
				});
				if (inFlight >= 16 || maxInFlight >= 16) release();
			});

		const { items, error } = await runNode({ parameters: params() });

		expect(error).toBeUndefined();
		expect(items).toHaveLength(60);
		expect(maxInFlight).toBeGreaterThanOrEqual(16);
		expect(maxInFlight).toBeLessThanOrEqual(FLEET_CONCURRENCY);
	});

	it('walks a roster of several pages and checks the same crew member once per vessel position', async () => {
		const rows = Array.from({ length: 401 }, (_, i) => rosterRow(i));
		rows[400] = { ...rosterRow(0, 'ves_b'), role: 'Bosun' }; // crew_0000 on a second vessel
		const { checks, fleet } = mockFleet(rows);
		const { items, error } = await runNode({ parameters: params() });
		expect(error).toBeUndefined();
		expect(fleet).toHaveLength(3);
		expect(items).toHaveLength(401);
		expect(
			checks
				.filter((check) => check.crewId === 'crew_0000')
				.map((c) => c.query)
				.sort(),
		).toEqual(['?vessel_id=ves_a', '?vessel_id=ves_b']);
		expect(items[400].json).toMatchObject({
			crew_unique_id: 'crew_0000',
			vessel_id: 'ves_b',
			role: 'Bosun',
		});
	});

	it('checks only the crew on the chosen vessels', async () => {
		const rows = Array.from({ length: 9 }, (_, i) => rosterRow(i));
		const { checks } = mockFleet(rows);
		const { items, error } = await runNode({
			parameters: params({ vesselIds: ['ves_b', 'ves_c'] }),
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.vessel_id)).toEqual([
			'ves_b',
			'ves_c',
			'ves_b',
			'ves_c',
			'ves_b',
			'ves_c',
		]);
		expect(checks.some((check) => check.query === '?vessel_id=ves_a')).toBe(false);
	});

	describe('Only Those Needing Attention', () => {
		const cases: Array<[string, string, number | null]> = [
			['crew_ok', 'compliant', 200],
			['crew_bad', 'non_compliant', null],
			['crew_risk_10', 'at_risk', 10],
			['crew_risk_30', 'at_risk', 30],
			['crew_risk_31', 'at_risk', 31],
			['crew_risk_80', 'at_risk', 80],
			['crew_risk_pending', 'at_risk', null],
			['crew_norole', 'no_role', null],
			['crew_today', 'at_risk', 0],
		];
		const rows = cases.map(([id], i) => ({ ...rosterRow(i), crew_unique_id: id }));
		const answer = (id: string): [number, unknown] => {
			const [, overall, days] = cases.find(([crewId]) => crewId === id)!;
			return [200, snapshotFor(id, overall, days === null ? null : isoDate(days))];
		};

		it.each([
			[30, ['crew_bad', 'crew_risk_10', 'crew_risk_30', 'crew_today']],
			[0, ['crew_bad', 'crew_today']],
			[
				80,
				['crew_bad', 'crew_risk_10', 'crew_risk_30', 'crew_risk_31', 'crew_risk_80', 'crew_today'],
			],
		])('with a renewal window of %i days keeps exactly %j', async (window, expected) => {
			mockFleet(rows, answer);
			const { items, error } = await runNode({
				parameters: params({ onlyNeedingAttention: true, attentionWindowDays: window }),
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json.crew_unique_id)).toEqual(expected);
		});

		it('outputs everyone when the filter is off', async () => {
			mockFleet(rows, answer);
			const { items } = await runNode({ parameters: params() });
			expect(items).toHaveLength(cases.length);
		});
	});

	describe('crew members whose compliance cannot be read', () => {
		const rows = Array.from({ length: 6 }, (_, i) => rosterRow(i));
		const refusing = (id: string): [number, unknown] => {
			if (id === 'crew_0001')
				return [
					403,
					{
						error: {
							code: 'scope_not_consented',
							message: "scope 'crew:compliance:read' is not consented for this crew member",
							scope: 'crew:compliance:read',
						},
					},
				];
			if (id === 'crew_0004')
				return [404, { error: { code: 'not_found', message: 'not on fleet' } }];
			return [200, snapshotFor(id, 'non_compliant')];
		};

		it('by default are output with their roster details and compliance_error, and the run carries on', async () => {
			mockFleet(rows, refusing);
			const { items, error } = await runNode({ parameters: params() });
			expect(error).toBeUndefined();
			expect(items).toHaveLength(6);
			expect(items[1].json).toEqual({
				crew_unique_id: 'crew_0001',
				name: 'C. Member1',
				vessel_id: 'ves_b',
				vessel_name: 'M/Y VES_B',
				role: 'Deckhand',
				// The package's one error shape (the same as Continue On Fail items).
				compliance_error: expect.objectContaining({
					error: expect.stringContaining('scope_not_consented'),
					code: 'scope_not_consented',
					scope: 'crew:compliance:read',
					httpCode: '403',
				}),
			});
			expect(items[4].json.compliance_error).toMatchObject({ code: 'not_found', httpCode: '404' });
			expect(items[1].json).not.toHaveProperty('overall_status');
		});

		it('are kept by Only Those Needing Attention (their compliance is unknown)', async () => {
			mockFleet(rows, (id) =>
				id === 'crew_0001' ? refusing(id) : [200, snapshotFor(id, 'compliant')],
			);
			const { items } = await runNode({ parameters: params({ onlyNeedingAttention: true }) });
			expect(items.map((item) => item.json.crew_unique_id)).toEqual(['crew_0001']);
		});

		it('can be skipped', async () => {
			mockFleet(rows, refusing);
			const { items } = await runNode({ parameters: params({ options: { unreadable: 'skip' } }) });
			expect(items.map((item) => item.json.crew_unique_id)).toEqual([
				'crew_0000',
				'crew_0002',
				'crew_0003',
				'crew_0005',
			]);
		});

		it('can stop the node', async () => {
			mockFleet(rows, refusing);
			const { error } = await runNode({ parameters: params({ options: { unreadable: 'fail' } }) });
			expect(error?.name).toBe('NodeApiError');
			expect(error?.message).toContain('scope_not_consented');
		});
	});

	it('an error that concerns every crew member (plan scope) stops the run and starts no further checks', async () => {
		const rows = Array.from({ length: 60 }, (_, i) => rosterRow(i));
		const { checks } = mockFleet(rows, () => [
			403,
			{ error: { code: 'scope_not_granted', message: 'no', scope: 'crew:compliance:read' } },
		]);
		const { items, error } = await runNode({ parameters: params() });
		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain('scope_not_granted');
		expect(checks.length).toBeLessThanOrEqual(FLEET_CONCURRENCY);
	});

	it('an empty fleet gives no items and no compliance request', async () => {
		const { checks } = mockFleet([]);
		const { items, error } = await runNode({ parameters: params() });
		expect(error).toBeUndefined();
		expect(items).toEqual([]);
		expect(checks).toEqual([]);
	});

	it.each([731, -1, 2.5])('rejects a renewal window of %p before any request', async (days) => {
		const { error } = await runNode({
			parameters: params({ onlyNeedingAttention: true, attentionWindowDays: days }),
		});
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toContain('Renewal Window (Days)');
		expect(error?.message).toContain('[item 0]');
	});
});
