// Contract suite for the roster controls: the changes a polling trigger must see between two
// polls (join, leave a vessel or the fleet, move, a second vessel, role, status, consent, documents
// expiring, compliance, vessels), each made over the control API and read back through the
// Partner API exactly as a poll reads it (GET /fleet by cursor, GET /vessels, POST
// compliance-checks, GET documents).
import { startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { call, control, walkFleet, type Json } from './client';

let sb: Sandbox;
let key: string;
const api = (path: string) => `/api/v2/employers/me${path}`;
const fleet = (query = '') => walkFleet(sb.url, key, { limit: 7, query });
const rowsOf = async (crewId: string, query = '') =>
	(await fleet(query)).rows.filter((r: Json) => r.crew_unique_id === crewId);
const vessels = async () => (await call(sb.url, api('/vessels'), { key })).body.items as Json[];
const compliance = (crewId: string, vesselId?: string) =>
	call(
		sb.url,
		api(`/crew/${crewId}/compliance-checks${vesselId ? `?vessel_id=${vesselId}` : ''}`),
		{
			key,
			json: {},
		},
	);
/** a crew member of the seeded data on exactly one vessel, with status shared */
const plainCrew = () => sb.fixtures.compliant;

beforeAll(async () => {
	sb = await startSandbox({ crew: 40, seed: 1, rateLimit: false, now: '2026-06-08T10:00:00Z' });
	sb.clock.pause();
	key = sb.keys.management;
});
afterAll(async () => {
	await sb.stop();
});
beforeEach(() => sb.reset());

describe('a crew member joins (POST /_sandbox/crew)', () => {
	it('adds a row with the given vessel, role and statuses; the API knows them at once', async () => {
		const before = await fleet();
		const ves = (await vessels())[2];
		const r = await control(sb.url, '/crew', {
			json: {
				vessel_id: ves.vessel_id,
				role: 'Chef',
				verification_status: 'pending',
				background_check_status: null,
				first_name: 'Nina',
				last_name: 'Okafor',
			},
		});
		expect(r.status).toBe(201);
		const id = r.body.crew_unique_id;
		expect(id).toMatch(/^crew_\d{5}$/);
		expect(sb.fixtures).not.toHaveProperty(id);
		const after = await fleet();
		expect(after.rows).toHaveLength(before.rows.length + 1);
		const row = after.rows[after.rows.length - 1];
		expect(row).toEqual({
			crew_unique_id: id,
			name: 'N. Okafor',
			vessel_id: ves.vessel_id,
			vessel_name: ves.vessel_name,
			role: 'Chef',
			verification_status: 'pending',
			background_check_status: null,
			documents_expiring: 0,
			as_of: expect.any(String),
		});
		expect(r.body.rows).toEqual([{ ...row, as_of: expect.any(String) }]);
		expect((await call(sb.url, api(`/crew/${id}/profile`), { key })).status).toBe(200);
		const c = await compliance(id);
		expect(c.status).toBe(200);
		expect(c.body.overall_status).toBe('compliant');
		const email = sb.crew(id)!.email;
		const lookup = await call(sb.url, api('/crew/lookup'), { key, json: { email } });
		expect(lookup.body).toEqual({ crew_unique_id: id, status: 'pending' });
	});

	it('defaults: the first vessel, Deckhand, verified, completed, appended at the end', async () => {
		const r = await control(sb.url, '/crew', { json: {} });
		const rows = (await fleet()).rows;
		expect(rows[rows.length - 1]).toMatchObject({
			crew_unique_id: r.body.crew_unique_id,
			vessel_id: (await vessels())[0].vessel_id,
			role: 'Deckhand',
			verification_status: 'verified',
			background_check_status: 'completed',
		});
	});

	it('position 0 puts the new row first: every other row moves one place (across page boundaries)', async () => {
		const before = (await fleet()).rows.map((r: Json) => r.crew_unique_id);
		const r = await control(sb.url, '/crew', { json: { position: 0 } });
		const after = (await fleet()).rows.map((r: Json) => r.crew_unique_id);
		expect(after).toEqual([r.body.crew_unique_id, ...before]);
	});

	it('without status consent the row has no status fields; documents set documents_expiring', async () => {
		const r = await control(sb.url, '/crew', {
			json: { status_consent: false, documents: { eng1: 10, stcw_pst: 50 } },
		});
		const [row] = await rowsOf(r.body.crew_unique_id);
		expect(row).not.toHaveProperty('verification_status');
		expect(row).not.toHaveProperty('background_check_status');
		expect(row).not.toHaveProperty('status');
		expect(row.documents_expiring).toBe(1);
		const [row60] = await rowsOf(
			r.body.crew_unique_id,
			'include_documents_expiring_within_days=60',
		);
		expect(row60.documents_expiring).toBe(2);
	});

	it('validates: unknown role or status 422, unknown vessel 404, a used email 422', async () => {
		expect((await control(sb.url, '/crew', { json: { role: 'Purser' } })).status).toBe(422);
		expect(
			(await control(sb.url, '/crew', { json: { verification_status: 'active' } })).status,
		).toBe(422);
		expect((await control(sb.url, '/crew', { json: { vessel_id: 'ves_nope' } })).status).toBe(404);
		const email = sb.crew(plainCrew())!.email;
		expect((await control(sb.url, '/crew', { json: { email } })).status).toBe(422);
		expect((await fleet()).rows).toHaveLength(41);
	});

	it('every roster control refuses a field it does not know (a typo is not a default)', async () => {
		const id = plainCrew();
		const v = (await vessels())[1].vessel_id;
		for (const [path, json] of [
			['/crew', { vesselId: v }],
			[`/crew/${id}/move`, { to_vessel_id: v, vessel: v }],
			[`/crew/${id}/placements`, { vessel_id: v, roles: 'Chef' }],
			[`/crew/${id}/role`, { role: 'Chef', vessel: v }],
			[`/crew/${id}/compliance`, { overall_status: 'compliant', status: 'x' }],
			['/vessels', { name: 'M/Y Typo' }],
			['/roster/churn', { join: 3 }],
		] as const) {
			const r = await control(sb.url, path, { json });
			expect([path, r.status]).toEqual([path, 422]);
			expect(r.body.error.message).toMatch(/^unknown field\(s\)/);
		}
		expect(
			(await control(sb.url, `/vessels/${v}`, { method: 'PATCH', json: { partner_id: 'x' } }))
				.status,
		).toBe(422);
		expect((await control(sb.url, '/roster')).body).toMatchObject({ rows: 41, crew: 40 });
		expect((await vessels()).length).toBe(4);
	});
});

describe('a crew member leaves', () => {
	it('DELETE /_sandbox/crew/{id}: every row goes; the API answers 404 as for anyone off the fleet', async () => {
		const id = plainCrew();
		const r = await control(sb.url, `/crew/${id}`, { method: 'DELETE' });
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ crew_unique_id: id, on_fleet: false, placements: [], rows: [] });
		expect(r.body.removed).toEqual([{ vessel_id: expect.any(String), role: 'Captain' }]);
		expect(await rowsOf(id)).toEqual([]);
		expect((await fleet()).rows).toHaveLength(40);
		for (const path of [`/crew/${id}/profile`, `/crew/${id}/documents`, `/crew/${id}/photo`])
			expect((await call(sb.url, api(path), { key })).status).toBe(404);
		expect((await compliance(id)).status).toBe(404);
		const email = sb.crew(id)!.email;
		expect((await call(sb.url, api('/crew/lookup'), { key, json: { email } })).status).toBe(404);
		// no webhook names a crew member off the fleet
		expect(sb.control.setStatus(id, { verification_status: 'pending' }).events).toEqual([]);
		// leaving twice is refused
		expect((await control(sb.url, `/crew/${id}`, { method: 'DELETE' })).status).toBe(422);
	});

	it('DELETE …/placements/{vessel}: off one of two vessels, still on the fleet', async () => {
		const id = sb.fixtures.multiVessel;
		const [first, second] = sb.crew(id)!.placements;
		const r = await control(sb.url, `/crew/${id}/placements/${first.vessel_id}`, {
			method: 'DELETE',
		});
		expect(r.status).toBe(200);
		expect(r.body.on_fleet).toBe(true);
		const rows = await rowsOf(id);
		expect(rows.map((x: Json) => [x.vessel_id, x.role])).toEqual([[second.vessel_id, second.role]]);
		expect((await compliance(id, first.vessel_id)).status).toBe(404);
		expect((await compliance(id)).body.overall_status).toEqual(expect.any(String));
		expect(
			(await control(sb.url, `/crew/${id}/placements/${first.vessel_id}`, { method: 'DELETE' }))
				.status,
		).toBe(404);
	});

	it('a leaver can rejoin (POST …/placements)', async () => {
		const id = plainCrew();
		await control(sb.url, `/crew/${id}`, { method: 'DELETE' });
		const ves = (await vessels())[1];
		const r = await control(sb.url, `/crew/${id}/placements`, {
			json: { vessel_id: ves.vessel_id, role: 'Captain' },
		});
		expect(r.status).toBe(201);
		expect((await rowsOf(id)).map((x: Json) => x.vessel_id)).toEqual([ves.vessel_id]);
		expect((await compliance(id)).status).toBe(200);
	});
});

describe('a crew member moves (POST /_sandbox/crew/{id}/move)', () => {
	it('the row keeps its place with the new vessel; compliance follows the vessel', async () => {
		const id = plainCrew();
		const before = (await fleet()).rows;
		const index = before.findIndex((r: Json) => r.crew_unique_id === id);
		const from = before[index].vessel_id;
		const to = (await vessels()).find((v) => v.vessel_id !== from)!;
		const r = await control(sb.url, `/crew/${id}/move`, { json: { to_vessel_id: to.vessel_id } });
		expect(r.status).toBe(200);
		expect(r.body.from).toEqual({ vessel_id: from, role: 'Captain' });
		expect(r.body.to).toEqual({ vessel_id: to.vessel_id, role: 'Captain' });
		const after = (await fleet()).rows;
		expect(after[index]).toMatchObject({
			crew_unique_id: id,
			vessel_id: to.vessel_id,
			vessel_name: to.vessel_name,
			role: 'Captain',
		});
		expect(after).toHaveLength(before.length);
		expect((await compliance(id, to.vessel_id)).status).toBe(200);
		expect((await compliance(id, from)).status).toBe(404);
	});

	it('a new role with the move; a crew member on two vessels must say which one moves', async () => {
		const id = sb.fixtures.multiVessel;
		const [a, b] = sb.crew(id)!.placements;
		const free = (await vessels()).find(
			(v) => v.vessel_id !== a.vessel_id && v.vessel_id !== b.vessel_id,
		)!;
		expect(
			(await control(sb.url, `/crew/${id}/move`, { json: { to_vessel_id: free.vessel_id } }))
				.status,
		).toBe(422);
		expect(
			(
				await control(sb.url, `/crew/${id}/move`, {
					json: { from_vessel_id: a.vessel_id, to_vessel_id: b.vessel_id },
				})
			).status,
		).toBe(422);
		const r = await control(sb.url, `/crew/${id}/move`, {
			json: { from_vessel_id: a.vessel_id, to_vessel_id: free.vessel_id, role: 'Bosun' },
		});
		expect(r.status).toBe(200);
		expect((await rowsOf(id)).map((x: Json) => [x.vessel_id, x.role])).toEqual([
			[free.vessel_id, 'Bosun'],
			[b.vessel_id, b.role],
		]);
	});
});

describe('a second vessel (POST /_sandbox/crew/{id}/placements)', () => {
	it('two rows, next to each other; compliance per vessel for each role', async () => {
		const id = plainCrew();
		const [p] = sb.crew(id)!.placements;
		const other = (await vessels()).find((v) => v.vessel_id !== p.vessel_id)!;
		const r = await control(sb.url, `/crew/${id}/placements`, {
			json: { vessel_id: other.vessel_id, role: 'Deckhand' },
		});
		expect(r.status).toBe(201);
		expect(r.body.rows).toHaveLength(2);
		const all = (await fleet()).rows;
		const i = all.findIndex((x: Json) => x.crew_unique_id === id);
		expect([all[i], all[i + 1]].map((x: Json) => [x.vessel_id, x.role])).toEqual([
			[p.vessel_id, 'Captain'],
			[other.vessel_id, 'Deckhand'],
		]);
		const captain = await compliance(id, p.vessel_id);
		const deckhand = await compliance(id, other.vessel_id);
		expect(captain.body.requirements.map((q: Json) => q.requirement_key)).toContain('coc_master');
		expect(deckhand.body.requirements.map((q: Json) => q.requirement_key)).not.toContain(
			'coc_master',
		);
		expect(
			(
				await control(sb.url, `/crew/${id}/placements`, {
					json: { vessel_id: other.vessel_id },
				})
			).status,
		).toBe(422);
	});
});

describe('role changes (POST /_sandbox/crew/{id}/role)', () => {
	it('the row shows the new role; compliance is checked against it (and fires compliance.changed)', async () => {
		const id = plainCrew(); // Captain, compliant
		expect((await compliance(id)).body.overall_status).toBe('compliant');
		const r = await control(sb.url, `/crew/${id}/role`, { json: { role: 'Chief Engineer' } });
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ before: 'Captain', after: 'Chief Engineer' });
		expect((await rowsOf(id))[0].role).toBe('Chief Engineer');
		// a Captain holds no Y1 CoC: the new role is not met
		expect((await compliance(id)).body.overall_status).toBe('non_compliant');
		expect(r.body.events.map((e: Json) => [e.event_type, e.data.overall_status])).toEqual([
			['crew.compliance.changed', 'non_compliant'],
		]);
		await control(sb.url, `/crew/${id}/role`, { json: { role: null } });
		expect((await rowsOf(id))[0].role).toBeNull();
		expect((await compliance(id)).body.overall_status).toBe('no_role');
	});

	it('on two vessels: vessel_id says which row; an unknown role is 422', async () => {
		const id = sb.fixtures.multiVessel;
		const [, b] = sb.crew(id)!.placements;
		expect((await control(sb.url, `/crew/${id}/role`, { json: { role: 'ETO' } })).status).toBe(422);
		expect(
			(
				await control(sb.url, `/crew/${id}/role`, {
					json: { role: 'Master', vessel_id: b.vessel_id },
				})
			).status,
		).toBe(422);
		await control(sb.url, `/crew/${id}/role`, { json: { role: 'ETO', vessel_id: b.vessel_id } });
		expect((await rowsOf(id)).map((x: Json) => x.role)).toEqual(['Chief Engineer', 'ETO']);
	});
});

describe('status, background check and status-sharing consent (existing controls)', () => {
	it('verification and background-check status show on every row of the crew member', async () => {
		const id = sb.fixtures.multiVessel;
		await control(sb.url, `/crew/${id}/status`, {
			json: { verification_status: 'unverified', background_check_status: null },
		});
		const rows = await rowsOf(id);
		expect(rows).toHaveLength(2);
		for (const row of rows) {
			expect(row.verification_status).toBe('unverified');
			expect(row.background_check_status).toBeNull();
		}
		await control(sb.url, `/crew/${id}/background-check`, { json: { status: 'expired' } });
		expect((await rowsOf(id))[1].background_check_status).toBe('expired');
	});

	it('withdrawn consent: the status fields vanish (not null); granted again: they return', async () => {
		const id = plainCrew();
		await control(sb.url, `/crew/${id}/consents`, { json: { revoke: ['crew:status:read'] } });
		const [gone] = await rowsOf(id);
		for (const f of ['verification_status', 'background_check_status', 'status'])
			expect(gone).not.toHaveProperty(f);
		expect(gone.documents_expiring).toEqual(expect.any(Number));
		await control(sb.url, `/crew/${id}/consents`, { json: { grant: ['crew:status:read'] } });
		expect((await rowsOf(id))[0]).toMatchObject({
			verification_status: 'verified',
			background_check_status: 'completed',
		});
	});

	it.each([
		['status', ['status'], ['verification_status']],
		['both', ['status', 'verification_status'], []],
		['verification_status', ['verification_status'], ['status']],
	])(
		'fleetStatusField %s: the quickstart / crew-guide shapes (consent still hides both)',
		async (field, present, absent) => {
			expect((await control(sb.url, '/knobs', { json: { fleetStatusField: field } })).status).toBe(
				200,
			);
			const [row] = await rowsOf(plainCrew());
			for (const f of present) expect(row[f]).toBe('verified');
			for (const f of absent) expect(row).not.toHaveProperty(f);
			expect(row.background_check_status).toBe('completed');
			const [hidden] = await rowsOf(sb.fixtures.noStatusConsent);
			for (const f of ['verification_status', 'background_check_status', 'status'])
				expect(hidden).not.toHaveProperty(f);
		},
	);

	it('fleetStatusField rejects other values', async () => {
		expect((await control(sb.url, '/knobs', { json: { fleetStatusField: 'state' } })).status).toBe(
			422,
		);
	});
});

describe('documents expiring, through document changes', () => {
	it('an upload expiring in 10 days counts; making it expire takes it off; the window is honoured', async () => {
		const id = plainCrew();
		expect((await rowsOf(id))[0].documents_expiring).toBe(0);
		const up = await control(sb.url, `/crew/${id}/documents`, {
			json: { requirement_key: 'stcw_pst', expires_in_days: 10 },
		});
		expect(up.status).toBe(201);
		expect((await rowsOf(id))[0].documents_expiring).toBe(1);
		expect(
			(await rowsOf(id, 'include_documents_expiring_within_days=9'))[0].documents_expiring,
		).toBe(0);
		await control(sb.url, `/crew/${id}/documents/${up.body.document.document_id}/expire`, {
			json: {},
		});
		expect((await rowsOf(id))[0].documents_expiring).toBe(0);
	});

	it('an upload 45 days out counts in a 60-day window only; a rejected one never counts', async () => {
		const id = plainCrew();
		const up = await control(sb.url, `/crew/${id}/documents`, {
			json: { requirement_key: 'eng1', expires_in_days: 45, verification_status: 'pending' },
		});
		expect((await rowsOf(id))[0].documents_expiring).toBe(0);
		expect(
			(await rowsOf(id, 'include_documents_expiring_within_days=60'))[0].documents_expiring,
		).toBe(1);
		await control(sb.url, `/crew/${id}/documents/${up.body.document.document_id}/reject`, {
			json: {},
		});
		expect(
			(await rowsOf(id, 'include_documents_expiring_within_days=60'))[0].documents_expiring,
		).toBe(0);
	});

	it('GET documents shows a new document, a verification change and an expiry', async () => {
		const id = sb.fixtures.pending; // STCW EFA pending
		const docs = async () =>
			(await call(sb.url, api(`/crew/${id}/documents`), { key })).body.items as Json[];
		const efa = (await docs()).find((d) => d.title === 'Elementary First Aid')!;
		expect(efa.verification_status).toBe('pending');
		await control(sb.url, `/crew/${id}/documents/${efa.document_id}/verify`, { json: {} });
		expect((await docs()).find((d) => d.document_id === efa.document_id)!.verification_status).toBe(
			'verified',
		);
		const eng1 = (await docs()).find((d) => d.type === 'ENG1')!;
		await control(sb.url, `/crew/${id}/documents/${eng1.document_id}/expire`, { json: {} });
		expect(
			(await docs()).find((d) => d.document_id === eng1.document_id)!.verification_status,
		).toBe('expired');
		const up = await control(sb.url, `/crew/${id}/documents`, {
			json: { requirement_key: 'eng1' },
		});
		const after = await docs();
		expect(after.map((d) => d.document_id)).toContain(up.body.document.document_id);
		expect(after.map((d) => d.document_id)).not.toContain(eng1.document_id);
	});
});

describe('compliance (POST /_sandbox/crew/{id}/compliance)', () => {
	it.each(['non_compliant', 'at_risk', 'compliant'] as const)(
		'%s: compliance-checks answers it, through document changes (with their webhooks)',
		async (target) => {
			const id = sb.fixtures.atRisk; // Chief Engineer, ENG1 in 54 days
			const r = await control(sb.url, `/crew/${id}/compliance`, {
				json: { overall_status: target },
			});
			expect(r.status).toBe(200);
			expect(r.body).toMatchObject({ before: 'at_risk', after: target });
			expect((await compliance(id)).body.overall_status).toBe(target);
			const types = r.body.events.map((e: Json) => e.event_type);
			expect(types).toContain('crew.compliance.changed');
			expect(types.some((t: string) => t.startsWith('crew.document.'))).toBe(true);
		},
	);

	it('per vessel for a crew member on two vessels; compliant from non_compliant', async () => {
		const id = sb.fixtures.multiVessel; // Chief Engineer (no Y1 CoC) + Second Engineer
		const [a, b] = sb.crew(id)!.placements;
		expect((await compliance(id, a.vessel_id)).body.overall_status).toBe('non_compliant');
		expect(
			(await control(sb.url, `/crew/${id}/compliance`, { json: { overall_status: 'compliant' } }))
				.status,
		).toBe(422);
		await control(sb.url, `/crew/${id}/compliance`, {
			json: { overall_status: 'compliant', vessel_id: a.vessel_id },
		});
		expect((await compliance(id, a.vessel_id)).body.overall_status).toBe('compliant');
		await control(sb.url, `/crew/${id}/compliance`, {
			json: { overall_status: 'non_compliant', vessel_id: b.vessel_id },
		});
		expect((await compliance(id, b.vessel_id)).body.overall_status).toBe('non_compliant');
		expect(
			(
				await control(sb.url, `/crew/${id}/compliance`, {
					json: { overall_status: 'great', vessel_id: a.vessel_id },
				})
			).status,
		).toBe(422);
	});
});

describe('vessels (POST / PATCH / DELETE /_sandbox/vessels)', () => {
	it('an added vessel is listed; crew can join it', async () => {
		const r = await control(sb.url, '/vessels', { json: { vessel_name: 'M/Y Nova' } });
		expect(r.status).toBe(201);
		expect(r.body).toEqual({
			vessel_id: expect.stringMatching(/^ves_/),
			vessel_name: 'M/Y Nova',
			imo: expect.any(String),
			mmsi: expect.any(String),
			flag_state: expect.any(String),
			vessel_type: expect.any(String),
			partner_id: 'prt_harbourline',
		});
		const list = await vessels();
		expect(list).toHaveLength(5);
		expect(list[4]).toEqual({ ...r.body, partner_id: undefined });
		const joined = await control(sb.url, '/crew', { json: { vessel_id: r.body.vessel_id } });
		expect((await rowsOf(joined.body.crew_unique_id))[0].vessel_name).toBe('M/Y Nova');
	});

	it('a renamed vessel shows its new name on GET /vessels and on every fleet row', async () => {
		const v = (await vessels())[0];
		const r = await control(sb.url, `/vessels/${v.vessel_id}`, {
			method: 'PATCH',
			json: { vessel_name: 'M/Y Renamed' },
		});
		expect(r.status).toBe(200);
		expect((await vessels())[0].vessel_name).toBe('M/Y Renamed');
		const rows = (await fleet()).rows.filter((x: Json) => x.vessel_id === v.vessel_id);
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) expect(row.vessel_name).toBe('M/Y Renamed');
	});

	it('a removed vessel goes with its rows; crew on no other vessel leave the fleet', async () => {
		const multi = sb.crew(sb.fixtures.multiVessel)!;
		const gone = multi.placements[1].vessel_id; // the multi-vessel fixture keeps its other row
		const before = (await fleet()).rows;
		const onIt = before.filter((x: Json) => x.vessel_id === gone);
		const r = await control(sb.url, `/vessels/${gone}`, { method: 'DELETE' });
		expect(r.status).toBe(200);
		expect(r.body.removed_rows).toHaveLength(onIt.length);
		expect(
			r.body.removed_rows.find((x: Json) => x.crew_unique_id === multi.crew_unique_id),
		).toEqual({ crew_unique_id: multi.crew_unique_id, role: 'Second Engineer', left_fleet: false });
		expect((await vessels()).map((v) => v.vessel_id)).not.toContain(gone);
		const after = (await fleet()).rows;
		expect(after).toHaveLength(before.length - onIt.length);
		expect(after.some((x: Json) => x.vessel_id === gone)).toBe(false);
		const leaver = onIt.find((x: Json) => x.crew_unique_id !== multi.crew_unique_id)!;
		expect((await compliance(leaver.crew_unique_id)).status).toBe(404);
		expect((await compliance(multi.crew_unique_id)).status).toBe(200);
		expect((await control(sb.url, `/vessels/${gone}`, { method: 'DELETE' })).status).toBe(404);
	});
});

describe('GET /_sandbox/roster and reset', () => {
	it('lists the rows in roster order; reset brings back the seeded roster', async () => {
		const seeded = (await control(sb.url, '/roster')).body;
		expect(seeded).toMatchObject({ partner_id: 'prt_harbourline', rows: 41, crew: 40 });
		expect(seeded.vessels).toHaveLength(4);
		const walked = (await fleet()).rows.map((r: Json) => [r.crew_unique_id, r.vessel_id, r.role]);
		expect(seeded.items.map((r: Json) => [r.crew_unique_id, r.vessel_id, r.role])).toEqual(walked);
		await control(sb.url, '/crew', { json: {} });
		await control(sb.url, `/crew/${plainCrew()}`, { method: 'DELETE' });
		await control(sb.url, '/vessels', { json: {} });
		expect((await control(sb.url, '/roster')).body.items).not.toEqual(seeded.items);
		await control(sb.url, '/reset', { json: {} });
		expect((await control(sb.url, '/roster')).body).toEqual(seeded);
	});

	it('another partner’s roster is separate (partner_id)', async () => {
		const r = await control(sb.url, '/crew', { json: { partner_id: 'prt_meridian' } });
		expect(r.status).toBe(201);
		expect((await control(sb.url, '/roster?partner_id=prt_meridian')).body.crew).toBe(11);
		expect((await fleet()).rows).toHaveLength(41);
		expect((await compliance(r.body.crew_unique_id)).status).toBe(404);
	});
});
