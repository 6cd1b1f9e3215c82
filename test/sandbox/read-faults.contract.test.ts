// Contract suite for read faults: page k of a roster read (GET /fleet), the vessel list, or one
// crew member's documents / compliance check fails in a chosen way, for N requests or N roster
// reads, so a polling trigger's tests can prove a partial read never becomes a diff. Also the
// request log that shows which pages a client read and how often.
import { startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { call, control, expectErrorEnvelope, wait, walkFleet, type Json } from './client';

let sb: Sandbox;
let key: string;
const api = (path: string) => `/api/v2/employers/me${path}`;
const LIMIT = 10; // 41 rows: pages 1..5
/** page k of a walk at LIMIT, reached by following the cursors (as a client does) */
let cursors: string[];

/** One GET without JSON parsing (malformed answers), with an optional timeout. */
async function raw(path: string, timeoutMs?: number) {
	const res = await fetch(sb.url + path, {
		headers: { Authorization: `Bearer ${key}` },
		signal: timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined,
	});
	return {
		status: res.status,
		type: res.headers.get('content-type'),
		retryAfter: res.headers.get('retry-after'),
		text: await res.text(),
	};
}
const page = (k: number) =>
	api(`/fleet?limit=${LIMIT}${k > 1 ? `&cursor=${encodeURIComponent(cursors[k - 2])}` : ''}`);
const addFault = (json: Json) => control(sb.url, '/read-faults', { json });

beforeAll(async () => {
	sb = await startSandbox({ crew: 40, seed: 1, rateLimit: false });
	key = sb.keys.management;
	cursors = [];
	let r = await call(sb.url, page(1), { key });
	while (r.body.next_cursor) {
		cursors.push(r.body.next_cursor);
		r = await call(sb.url, page(cursors.length + 1), { key });
	}
	expect(cursors).toHaveLength(4);
});
afterAll(async () => {
	await sb.stop();
});
afterEach(() => {
	sb.readFaults.clear();
	sb.clearRequests();
});

describe('status faults on page k', () => {
	it.each([
		[503, 'service_unavailable'],
		[500, 'internal_error'],
		[502, 'bad_gateway'],
		[504, 'gateway_timeout'],
		[429, 'partner_rate_limited'],
	])(
		'%i on page 3 only: the CrewPass envelope, retry_after_seconds, Retry-After',
		async (status, code) => {
			const r = await addFault({ page: 3, fault: status, retry_after_seconds: 2.5 });
			expect(r.status).toBe(201);
			expect((await call(sb.url, page(1), { key })).status).toBe(200);
			expect((await call(sb.url, page(2), { key })).status).toBe(200);
			const failed = await call(sb.url, page(3), { key });
			expectErrorEnvelope(failed, status, code);
			expect(failed.body.error.retry_after_seconds).toBe(2.5);
			expect(failed.headers.get('retry-after')).toBe('3');
			// times defaults to 1: the retry succeeds
			expect((await call(sb.url, page(3), { key })).status).toBe(200);
			expect(sb.readFaults.list()).toEqual([]);
		},
	);

	it('times: N fails the next N requests for the page (each retry counts), then answers', async () => {
		await addFault({ page: 2, fault: 503, times: 3 });
		const statuses = [];
		for (let i = 0; i < 4; i++) statuses.push((await call(sb.url, page(2), { key })).status);
		expect(statuses).toEqual([503, 503, 503, 200]);
	});

	it('reads: 1 fails every attempt at page k during the next roster read, then the next read is clean', async () => {
		const added = (await addFault({ page: 4, fault: 429, reads: 1 })).body.added[0];
		expect(added).toMatchObject({ reads_left: 1, times_left: null, armed: false });
		// the read in progress when the fault was set is not the "next" one
		expect((await call(sb.url, page(4), { key })).status).toBe(200);
		const first = await walkFleet(sb.url, key, { limit: LIMIT });
		expect(first.statuses).toEqual([200, 200, 200, 429]);
		// a client retrying page 4 inside the same read keeps failing (beyond any retry budget)
		for (let i = 0; i < 5; i++) expect((await call(sb.url, page(4), { key })).status).toBe(429);
		expect(sb.readFaults.list()[0]).toMatchObject({ hits: 6, reads_left: 0, armed: true });
		// the next poll starts over at page 1 and reads everything
		const second = await walkFleet(sb.url, key, { limit: LIMIT });
		expect(second.statuses).toEqual([200, 200, 200, 200, 200]);
		expect(second.rows).toHaveLength(41);
		expect(sb.readFaults.list()).toEqual([]);
	});

	it('reads: 2 fails two reads in a row', async () => {
		await addFault({ page: 2, fault: 500, reads: 2 });
		const walks = [];
		for (let i = 0; i < 3; i++)
			walks.push((await walkFleet(sb.url, key, { limit: LIMIT })).statuses);
		expect(walks).toEqual([
			[200, 500],
			[200, 500],
			[200, 200, 200, 200, 200],
		]);
	});

	it('without page: every page of the read fails; partner_id limits it to one partner', async () => {
		await addFault({ fault: 503, reads: 1, partner_id: 'prt_meridian' });
		expect((await walkFleet(sb.url, key, { limit: LIMIT })).statuses).toEqual([
			200, 200, 200, 200, 200,
		]);
		expect((await walkFleet(sb.url, sb.keys.other, { limit: 2 })).statuses).toEqual([503]);
	});
});

describe('malformed pages (200 answers a client must refuse)', () => {
	it('items_missing: no items key', async () => {
		await addFault({ page: 2, fault: 'items_missing' });
		const r = await call(sb.url, page(2), { key });
		expect(r.status).toBe(200);
		expect(r.body).not.toHaveProperty('items');
		expect(r.body.next_cursor).toBe(cursors[1]);
	});

	it('items_not_list: items is an object', async () => {
		await addFault({ page: 2, fault: 'items_not_list' });
		const r = await call(sb.url, page(2), { key });
		expect(Array.isArray(r.body.items)).toBe(false);
		expect(Object.keys(r.body.items)).toHaveLength(LIMIT);
		expect(r.body.items['0'].crew_unique_id).toMatch(/^crew_/);
	});

	it('bad_row: the first row has no crew_unique_id', async () => {
		await addFault({ page: 5, fault: 'bad_row' });
		const r = await call(sb.url, page(5), { key });
		expect(r.body.items[0]).not.toHaveProperty('crew_unique_id');
		expect(r.body.items[0].vessel_id).toMatch(/^ves_/);
	});

	it('end_early: next_cursor null on page 3 of 5 (a short roster, as if everyone after left)', async () => {
		await addFault({ page: 3, fault: 'end_early' });
		const walk = await walkFleet(sb.url, key, { limit: LIMIT });
		expect(walk.statuses).toEqual([200, 200, 200]);
		expect(walk.rows).toHaveLength(30);
	});

	it('cursor_repeat: next_cursor points at the same page again', async () => {
		await addFault({ page: 2, fault: 'cursor_repeat' });
		const r = await call(sb.url, page(2), { key });
		expect(r.body.next_cursor).toBe(cursors[0]);
		await addFault({ page: 1, fault: 'cursor_repeat' });
		const first = await call(sb.url, page(1), { key });
		const again = await call(
			sb.url,
			api(`/fleet?limit=${LIMIT}&cursor=${encodeURIComponent(first.body.next_cursor)}`),
			{ key },
		);
		expect(again.body.items).toEqual(
			first.body.items.map((i: Json) => ({ ...i, as_of: expect.any(String) })),
		);
	});

	it.each([
		['invalid_json', 'application/json', (t: string) => expect(() => JSON.parse(t)).toThrow()],
		['empty_body', 'application/json', (t: string) => expect(t).toBe('')],
		['html', 'text/html; charset=utf-8', (t: string) => expect(t).toMatch(/^<!doctype html>/)],
	])('%s: 200 with a body that is not a page', async (fault, type, check) => {
		await addFault({ page: 2, fault });
		const r = await raw(page(2));
		expect(r.status).toBe(200);
		expect(r.type).toBe(type);
		check(r.text);
	});
});

describe('no answer: hang, drop, slow', () => {
	it('hang: page 2 never answers; the client gives up; the log says dropped', async () => {
		await addFault({ page: 2, fault: 'hang' });
		const t0 = Date.now();
		await expect(raw(page(2), 400)).rejects.toThrow();
		expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
		// the sandbox still answers; the log (arrival order) shows the hung request, dropped once
		// the client's socket has gone
		expect((await call(sb.url, page(2), { key })).status).toBe(200);
		const log = () =>
			sb.requests({ endpoint: 'fleet' }).map((e) => [e.page, e.status, e.outcome, e.fault ?? null]);
		for (let i = 0; i < 100 && log()[0][2] === 'pending'; i++) await wait(50);
		expect(log()).toEqual([
			[2, null, 'dropped', 'hang'],
			[2, 200, 'answered', null],
		]);
	});

	it('hang with delay_ms: the socket is closed after delay_ms without an answer', async () => {
		await addFault({ page: 2, fault: 'hang', delay_ms: 150 });
		await expect(raw(page(2), 5000)).rejects.toThrow();
	});

	it('drop: the connection is reset at once', async () => {
		await addFault({ page: 3, fault: 'drop' });
		await expect(raw(page(3), 5000)).rejects.toThrow();
		expect((await call(sb.url, page(3), { key })).status).toBe(200);
	});

	it('slow: the right page after delay_ms (overlapping polls)', async () => {
		await addFault({ page: 2, fault: 'slow', delay_ms: 300 });
		const t0 = Date.now();
		const r = await call(sb.url, page(2), { key });
		expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
		expect(r.status).toBe(200);
		expect(r.body.items).toHaveLength(LIMIT);
		expect(r.body.next_cursor).toBe(cursors[1]);
	});
});

describe('vessels, documents and compliance reads', () => {
	it('vessels: 503 then the list; items_missing', async () => {
		await addFault({ endpoint: 'vessels', fault: 503 });
		expect((await call(sb.url, api('/vessels'), { key })).status).toBe(503);
		expect((await call(sb.url, api('/vessels'), { key })).body.items).toHaveLength(4);
		await addFault({ endpoint: 'vessels', fault: 'items_missing' });
		expect((await call(sb.url, api('/vessels'), { key })).body).toEqual({});
	});

	it('compliance of one crew member only: others answer; field_missing drops overall_status', async () => {
		const target = sb.fixtures.atRisk;
		await addFault({ endpoint: 'compliance', crew_unique_id: target, fault: 502, times: 2 });
		const check = (id: string) =>
			call(sb.url, api(`/crew/${id}/compliance-checks`), { key, json: {} });
		expect((await check(sb.fixtures.compliant)).status).toBe(200);
		expect((await check(target)).status).toBe(502);
		expect((await check(target)).status).toBe(502);
		expect((await check(target)).body.overall_status).toBe('at_risk');
		await addFault({ endpoint: 'compliance', fault: 'field_missing' });
		const r = await check(target);
		expect(r.status).toBe(200);
		expect(r.body).not.toHaveProperty('overall_status');
		expect(r.body.crew_unique_id).toBe(target);
		await addFault({ endpoint: 'compliance', fault: 'other_crew' });
		const other = await check(target);
		expect(other.body.crew_unique_id).toBe('crew_someone_else');
		expect(other.body.overall_status).toBe('at_risk');
	});

	it('documents: bad_row removes the first document_id; 429 for one crew member', async () => {
		const id = sb.fixtures.compliant;
		await addFault({ endpoint: 'documents', crew_unique_id: id, fault: 'bad_row' });
		const r = await call(sb.url, api(`/crew/${id}/documents`), { key });
		expect(r.body.items[0]).not.toHaveProperty('document_id');
		await addFault({ endpoint: 'documents', crew_unique_id: id, fault: 'other_crew' });
		const other = await call(sb.url, api(`/crew/${id}/documents`), { key });
		expect(other.status).toBe(200);
		expect(other.body.crew_unique_id).toBe('crew_someone_else');
		expect(other.body.items.length).toBeGreaterThan(0);
		await addFault({ endpoint: 'documents', fault: 429 });
		expectErrorEnvelope(
			await call(sb.url, api(`/crew/${id}/documents`), { key }),
			429,
			'partner_rate_limited',
		);
	});

	it('scope and consent still come first: a 403 is not turned into a fault', async () => {
		await addFault({ endpoint: 'compliance', fault: 503 });
		const r = await call(
			sb.url,
			api(`/crew/${sb.fixtures.noComplianceConsent}/compliance-checks`),
			{ key, json: {} },
		);
		expectErrorEnvelope(r, 403, 'scope_not_consented');
		expect(sb.readFaults.list()[0].hits).toBe(0);
	});
});

describe('managing read faults', () => {
	it('validates: unknown fault or field, page off fleet, fleet-only kinds, times with reads', async () => {
		for (const bad of [
			{ fault: 'teapot' },
			{ fault: 404 },
			{ fault: 503, pages: 2 },
			{ endpoint: 'vessels', page: 2, fault: 503 },
			{ endpoint: 'vessels', fault: 'end_early' },
			{ endpoint: 'fleet', fault: 'field_missing' },
			{ endpoint: 'vessels', fault: 'other_crew' },
			{ endpoint: 'fleet', crew_unique_id: 'crew_00001', fault: 503 },
			{ fault: 503, times: 2, reads: 2 },
			{ endpoint: 'compliance', fault: 503, reads: 1 },
			{ fault: 503, page: 0 },
		]) {
			const r = await addFault(bad);
			expect([r.status, bad]).toEqual([422, bad]);
		}
		expect(sb.readFaults.list()).toEqual([]);
	});

	it('lists (hits, what is left), removes one, removes all; several at once; reset clears', async () => {
		const r = await control(sb.url, '/read-faults', {
			json: {
				faults: [
					{ page: 2, fault: 503, times: 5 },
					{ endpoint: 'vessels', fault: 429 },
				],
			},
		});
		expect(r.status).toBe(201);
		const [a, b] = r.body.added;
		await call(sb.url, page(2), { key });
		const listed = (await control(sb.url, '/read-faults')).body.items;
		expect(listed).toEqual([
			expect.objectContaining({ id: a.id, hits: 1, times_left: 4 }),
			expect.objectContaining({ id: b.id, hits: 0, times_left: 1 }),
		]);
		expect(
			(await control(sb.url, `/read-faults/${a.id}`, { method: 'DELETE' })).body.items,
		).toEqual([expect.objectContaining({ id: b.id })]);
		expect((await control(sb.url, `/read-faults/${a.id}`, { method: 'DELETE' })).status).toBe(404);
		expect((await control(sb.url, '/read-faults', { method: 'DELETE' })).body.items).toEqual([]);
		await addFault({ page: 1, fault: 503, times: 100 });
		await control(sb.url, '/reset', { json: {} });
		expect(sb.readFaults.list()).toEqual([]);
		expect((await call(sb.url, page(1), { key })).status).toBe(200);
	});
});

describe('request log (GET /_sandbox/requests)', () => {
	it('records each API request with its endpoint, page, status and fault; filters; summary; clear', async () => {
		const start = (await control(sb.url, '/requests')).body.last_seq;
		await addFault({ page: 3, fault: 503, times: 2 });
		await walkFleet(sb.url, key, { limit: LIMIT });
		await walkFleet(sb.url, key, { limit: LIMIT });
		await walkFleet(sb.url, key, { limit: LIMIT });
		await call(sb.url, api(`/crew/${sb.fixtures.compliant}/compliance-checks?vessel_id=x`), {
			key,
			json: {},
		});
		await call(sb.url, api('/vessels'), { key: 'cpk_test_' + '0'.repeat(24) });
		const fleetLog = (await control(sb.url, `/requests?endpoint=fleet&after=${start}`)).body;
		expect(fleetLog.items.map((e: Json) => [e.page, e.status])).toEqual([
			[1, 200],
			[2, 200],
			[3, 503],
			[1, 200],
			[2, 200],
			[3, 503],
			[1, 200],
			[2, 200],
			[3, 200],
			[4, 200],
			[5, 200],
		]);
		expect(fleetLog.items[2]).toMatchObject({
			method: 'GET',
			endpoint: 'fleet',
			path: '/api/v2/employers/me/fleet',
			partner_id: 'prt_harbourline',
			offset: 20,
			limit: LIMIT,
			fault: 503,
			outcome: 'answered',
		});
		const c = (
			await control(sb.url, `/requests?crew_unique_id=${sb.fixtures.compliant}&after=${start}`)
		).body.items;
		expect(c).toEqual([
			expect.objectContaining({
				endpoint: 'compliance',
				method: 'POST',
				vessel_id: 'x',
				status: 404,
			}),
		]);
		const summary = (await control(sb.url, `/requests/summary?after=${start}`)).body;
		expect(summary.by_endpoint).toEqual({
			fleet: { requests: 11, by_status: { '200': 9, '503': 2 } },
			compliance: { requests: 1, by_status: { '404': 1 } },
			vessels: { requests: 1, by_status: { '401': 1 } },
		});
		expect(sb.requests({ endpoint: 'vessels' })[0]).not.toHaveProperty('partner_id');
		expect((await control(sb.url, '/requests', { method: 'DELETE' })).body.cleared).toBe(true);
		expect((await control(sb.url, '/requests')).body.items).toEqual([]);
		// control calls are never logged
		expect(sb.requests()).toEqual([]);
	});
});

describe('roster reads (GET /_sandbox/roster/reads, …/wait)', () => {
	it('a complete walk; a walk that failed at page 3 is abandoned when the next one starts', async () => {
		const after = (await control(sb.url, '/roster/reads')).body.last_id;
		await walkFleet(sb.url, key, { limit: LIMIT });
		await addFault({ page: 3, fault: 503, reads: 1 });
		await walkFleet(sb.url, key, { limit: LIMIT });
		await call(sb.url, page(3), { key }); // a retry inside the failed read
		await walkFleet(sb.url, key, { limit: LIMIT });
		const { items } = (await control(sb.url, `/roster/reads?after=${after}`)).body;
		expect(items.map((r: Json) => [r.outcome, r.requests, r.pages, r.rows])).toEqual([
			['complete', 5, 5, 41],
			['abandoned', 4, 2, 20],
			['complete', 5, 5, 41],
		]);
		expect(items[1].failures).toEqual([
			{ page: 3, status: 503, fault: 503 },
			{ page: 3, status: 503, fault: 503 },
		]);
		expect(items[0]).toMatchObject({
			id: after + 1,
			partner_id: 'prt_harbourline',
			started_at: expect.any(String),
			ended_at: expect.any(String),
			failures: [],
		});
		const log = sb.requests({ endpoint: 'fleet' }).filter((e) => e.read_id === after + 1);
		expect(log.map((e) => [e.page, e.rows, e.last_page])).toEqual([
			[1, LIMIT, false],
			[2, LIMIT, false],
			[3, LIMIT, false],
			[4, LIMIT, false],
			[5, 1, true],
		]);
	});

	it('a malformed page or a short roster is recorded on the read', async () => {
		const after = (await control(sb.url, '/roster/reads')).body.last_id;
		await addFault({ page: 2, fault: 'items_missing', reads: 1 });
		await call(sb.url, page(1), { key });
		const malformed = await call(sb.url, page(2), { key });
		expect(malformed.body).not.toHaveProperty('items');
		expect(sb.rosterReads({ after })[0]).toMatchObject({ outcome: 'in_progress', pages: 1 });
		await addFault({ page: 2, fault: 'end_early', reads: 1 });
		await walkFleet(sb.url, key, { limit: LIMIT });
		expect(sb.rosterReads({ after }).map((r) => [r.outcome, r.pages, r.rows, r.failures])).toEqual([
			['abandoned', 1, LIMIT, [{ page: 2, status: 200, fault: 'items_missing' }]],
			['complete', 2, 2 * LIMIT, [{ page: 2, status: 200, fault: 'end_early' }]],
		]);
	});

	it('wait: resolves with the next complete read; times out with read null', async () => {
		const after = (await control(sb.url, '/roster/reads')).body.last_id;
		const waiting = control(sb.url, `/roster/reads/wait?after=${after}&timeout_ms=5000`);
		await wait(50);
		await walkFleet(sb.url, key, { limit: LIMIT });
		const r = await waiting;
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({
			timed_out: false,
			read: { id: after + 1, outcome: 'complete', rows: 41 },
		});
		const none = await control(sb.url, `/roster/reads/wait?after=${after + 1}&timeout_ms=100`);
		expect(none.body).toEqual({ read: null, timed_out: true });
		await addFault({ page: 2, fault: 500, reads: 1 });
		await walkFleet(sb.url, key, { limit: LIMIT });
		const abandonedWait = sb.waitForRosterRead({
			after: after + 1,
			outcome: 'abandoned',
			timeoutMs: 2000,
		});
		await walkFleet(sb.url, key, { limit: LIMIT });
		expect(await abandonedWait).toMatchObject({ id: after + 2, outcome: 'abandoned' });
		expect((await control(sb.url, '/roster/reads/wait?outcome=done')).status).toBe(422);
	});
});
