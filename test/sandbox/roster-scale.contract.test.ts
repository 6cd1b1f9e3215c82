// The contract allows a large fleet: the sandbox serves 10,000 crew members (51 pages of 200), and
// every roster change and read fault works on it. The churn control's list of changes is exactly
// the difference between two complete roster reads, so a polling trigger's diff can be checked
// against it.
import { startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { byRowKey, control, walkFleet, type Json } from './client';

let sb: Sandbox;
let key: string;
const walk = () => walkFleet(sb.url, key, { limit: 200 });
/** a fleet row without as_of (the read time) */
function withoutAsOf(row: Json): Json {
	const copy = { ...row };
	delete copy.as_of;
	return copy;
}

beforeAll(async () => {
	sb = await startSandbox({ crew: 10_000, seed: 11, rateLimit: false });
	sb.clock.pause(); // no day change between two reads
	key = sb.keys.management;
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => {
	sb.readFaults.clear();
	sb.clearRequests();
});

it('10,000 crew: 10,001 rows (one crew member on two vessels) in ceil(rows / 200) = 51 requests', async () => {
	const { rows, statuses } = await walk();
	expect(rows).toHaveLength(10_001);
	expect(byRowKey(rows).size).toBe(10_001);
	expect(new Set(rows.map((r: Json) => r.crew_unique_id)).size).toBe(10_000);
	expect(statuses).toEqual(Array(51).fill(200));
	const log = sb.requests({ endpoint: 'fleet' });
	expect(log.map((e) => e.page)).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
	expect((await control(sb.url, '/roster')).body).toMatchObject({ rows: 10_001, crew: 10_000 });
});

it('churn: the changes it reports are exactly the difference between two complete reads', async () => {
	const before = byRowKey((await walk()).rows);
	const vesselNames = new Map(
		(await control(sb.url, '/roster')).body.vessels.map((v: Json) => [v.vessel_id, v.vessel_name]),
	);
	const r = await control(sb.url, '/roster/churn', {
		json: {
			seed: 5,
			joins: 40,
			leaves: 40,
			moves: 30,
			second_vessels: 15,
			role_changes: 30,
			status_changes: 30,
			background_changes: 20,
			consent_withdrawals: 15,
			consent_grants: 10,
		},
	});
	expect(r.status).toBe(200);
	const changes: Json[] = r.body.changes;
	const ops = (op: string) => changes.filter((c) => c.op === op).length;
	expect([
		ops('add_crew'),
		ops('remove_crew'),
		ops('move'),
		ops('add_placement'),
		ops('set_role'),
		ops('set_verification_status'),
		ops('set_background_check_status'),
		ops('withdraw_status_consent'),
		ops('grant_status_consent'),
	]).toEqual([40, 40, 30, 15, 30, 30, 20, 15, 10]);
	// one change per crew member, so the expected roster is unambiguous
	expect(new Set(changes.map((c) => c.crew_unique_id)).size).toBe(changes.length);

	const after = byRowKey((await walk()).rows);
	expect(after.size).toBe(r.body.rows);
	// apply the reported changes to the first read: that must give the second read
	const expected = new Map([...before].map(([k, v]) => [k, withoutAsOf(v)]));
	const rowsOfCrew = (id: string) =>
		[...expected.entries()].filter(([, v]) => v.crew_unique_id === id);
	for (const c of changes) {
		const id = c.crew_unique_id;
		if (c.op === 'remove_crew')
			for (const p of c.removed) expect(expected.delete(`${id}@${p.vessel_id}`)).toBe(true);
		else if (c.op === 'move') {
			const row = expected.get(`${id}@${c.from.vessel_id}`);
			expected.delete(`${id}@${c.from.vessel_id}`);
			expected.set(`${id}@${c.to.vessel_id}`, {
				...row,
				vessel_id: c.to.vessel_id,
				vessel_name: vesselNames.get(c.to.vessel_id),
				role: c.to.role,
			});
		} else if (c.op === 'add_placement') {
			const [[, row]] = rowsOfCrew(id);
			expected.set(`${id}@${c.vessel_id}`, {
				...row,
				vessel_id: c.vessel_id,
				vessel_name: vesselNames.get(c.vessel_id),
				role: c.role,
			});
		} else if (c.op === 'set_role') expected.get(`${id}@${c.vessel_id}`).role = c.after;
		else if (c.op === 'set_verification_status')
			for (const [, row] of rowsOfCrew(id)) row.verification_status = c.after;
		else if (c.op === 'set_background_check_status')
			for (const [, row] of rowsOfCrew(id)) row.background_check_status = c.after;
		else if (c.op === 'withdraw_status_consent')
			for (const [, row] of rowsOfCrew(id)) {
				expect(row).toHaveProperty('verification_status');
				delete row.verification_status;
				delete row.background_check_status;
			}
		else if (c.op === 'grant_status_consent')
			for (const [k, row] of rowsOfCrew(id)) {
				expect(row).not.toHaveProperty('verification_status');
				const { verification_status, background_check_status } = sb.crew(id)!;
				expected.set(k, { ...row, verification_status, background_check_status });
			}
		else if (c.op === 'add_crew') {
			const row = after.get(`${id}@${c.vessel_id}`);
			expect(row).toMatchObject({ role: c.role, vessel_name: vesselNames.get(c.vessel_id) });
			expected.set(`${id}@${c.vessel_id}`, withoutAsOf(row));
		} else throw new Error('unexpected op ' + c.op);
	}
	expect([...after.keys()].sort()).toEqual([...expected.keys()].sort());
	const canonical = (row: Json) => JSON.stringify(row, Object.keys(row).sort());
	const differing = [...after].filter(
		([k, row]) => canonical(withoutAsOf(row)) !== canonical(expected.get(k)),
	);
	expect(differing.map(([k, row]) => [withoutAsOf(row), expected.get(k)])).toEqual([]);
});

it('single changes on the big roster: a join at row 5,000, a leaver on page 40, a move', async () => {
	const before = (await walk()).rows;
	const leaver = before[7_850].crew_unique_id; // page 40
	const joined = (await control(sb.url, '/crew', { json: { position: 5_000, role: 'Chef' } })).body;
	await control(sb.url, `/crew/${leaver}`, { method: 'DELETE' });
	const mover = before[9_990];
	const to = (await control(sb.url, '/roster')).body.vessels.find(
		(v: Json) => v.vessel_id !== mover.vessel_id,
	);
	await control(sb.url, `/crew/${mover.crew_unique_id}/move`, {
		json: { from_vessel_id: mover.vessel_id, to_vessel_id: to.vessel_id },
	});
	const after = (await walk()).rows;
	expect(after).toHaveLength(before.length);
	expect(after[5_000].crew_unique_id).toBe(joined.crew_unique_id);
	expect(after.some((r: Json) => r.crew_unique_id === leaver)).toBe(false);
	expect(after.find((r: Json) => r.crew_unique_id === mover.crew_unique_id)).toMatchObject({
		vessel_id: to.vessel_id,
		role: mover.role,
	});
});

it('page 37 of 51 fails for one whole read (every retry), the next read is complete', async () => {
	await control(sb.url, '/read-faults', { json: { page: 37, fault: 503, reads: 1 } });
	const failed = await walk();
	expect(failed.statuses).toHaveLength(37);
	expect(failed.statuses[36]).toBe(503);
	expect(failed.rows).toHaveLength(36 * 200);
	const again = await walk();
	expect(again.statuses.every((s) => s === 200)).toBe(true);
	expect(again.rows.length).toBeGreaterThan(10_000);
});
