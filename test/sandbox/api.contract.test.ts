// Contract suite for the sandbox's read surface, page by page of the CrewPass Partner API docs.
import { startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { call, expectErrorEnvelope, ISO_DATE, ISO_SECONDS, type Json } from './client';

let sb: Sandbox;
let key: string;
const api = (path: string) => `/api/v2/employers/me${path}`;

beforeAll(async () => {
	sb = await startSandbox({ crew: 40, seed: 1, rateLimit: false, now: '2026-06-08T10:00:00Z' });
	key = sb.keys.management;
});
afterAll(async () => {
	await sb.stop();
});

describe('Quickstart: partners/me', () => {
	it('returns identity, mode and granted scopes', async () => {
		const r = await call(sb.url, '/api/v2/partners/me', { key });
		expect(r.status).toBe(200);
		expect(r.headers.get('x-request-id')).toMatch(/^req_/);
		expect(r.body).toEqual({
			partner_id: 'prt_harbourline',
			display_name: expect.any(String),
			partner_type: 'customer',
			status: 'active',
			mode: 'test',
			subscription_plan: 'management',
			granted_scopes: [
				'crew:compliance:read',
				'crew:documents:download',
				'crew:documents:read',
				'crew:profile:full:read',
				'crew:profile:read',
				'crew:status:read',
				'vessels:fleet:read',
			],
		});
	});

	it('accepts the key in X-Partner-API-Key too', async () => {
		const r = await call(sb.url, '/api/v2/partners/me', { key, keyHeader: true });
		expect(r.status).toBe(200);
		expect(r.body.partner_id).toBe('prt_harbourline');
	});

	it('lists a reduced plan without documents/compliance scopes', async () => {
		const r = await call(sb.url, '/api/v2/partners/me', { key: sb.keys.reduced });
		expect(r.status).toBe(200);
		expect(r.body.granted_scopes).toEqual([
			'crew:profile:read',
			'crew:status:read',
			'vessels:fleet:read',
		]);
	});
});

describe('Authentication and error codes', () => {
	it.each([
		['no key', {}],
		['unknown cpk_test_ key', { key: 'cpk_test_' + '0'.repeat(24) }],
		['malformed key', { key: 'not-a-key' }],
		['public widget key (cppk_)', { key: 'cppk_test_' + 'ab'.repeat(12) }],
		['Basic scheme', { headers: { Authorization: 'Basic abc' } }],
	])('%s -> 401 invalid_api_key', async (_label, opts) => {
		const r = await call(sb.url, '/api/v2/partners/me', opts);
		expectErrorEnvelope(r, 401, 'invalid_api_key');
	});

	it('a live key on a test instance -> 403 partner_mode_mismatch', async () => {
		expect(sb.keys.wrongMode.startsWith('cpk_live_')).toBe(true);
		expectErrorEnvelope(
			await call(sb.url, '/api/v2/partners/me', { key: sb.keys.wrongMode }),
			403,
			'partner_mode_mismatch',
		);
	});

	it('a partner without API access -> 403 api_not_enabled', async () => {
		expectErrorEnvelope(
			await call(sb.url, api('/fleet'), { key: sb.keys.noApi }),
			403,
			'api_not_enabled',
		);
	});

	it('a scope the plan does not grant -> 403 scope_not_granted with scope', async () => {
		const crew = sb.fixtures.reducedPlanCrew;
		const docs = await call(sb.url, api(`/crew/${crew}/documents`), { key: sb.keys.reduced });
		expectErrorEnvelope(docs, 403, 'scope_not_granted');
		expect(docs.body.error.scope).toBe('crew:documents:read');
		const comp = await call(sb.url, api(`/crew/${crew}/compliance-checks`), {
			key: sb.keys.reduced,
			json: {},
		});
		expectErrorEnvelope(comp, 403, 'scope_not_granted');
		expect(comp.body.error.scope).toBe('crew:compliance:read');
	});

	it('reads never answer invalid_signature (v2 only): a forged signature header is ignored', async () => {
		const r = await call(sb.url, '/api/v2/partners/me', {
			key,
			headers: { 'X-CrewPass-Signature': 'v1=deadbeef', 'X-CrewPass-Timestamp': '1' },
		});
		expect(r.status).toBe(200);
		const bad = await call(sb.url, '/api/v2/partners/me', {
			key: 'cpk_test_nope',
			headers: { 'X-CrewPass-Signature': 'v1=deadbeef' },
		});
		expect(bad.body.error.code).toBe('invalid_api_key');
	});

	it('X-Request-Id is on every response, unique, errors included', async () => {
		const a = await call(sb.url, '/api/v2/partners/me', { key });
		const b = await call(sb.url, '/api/v2/partners/me');
		const c = await call(sb.url, '/api/v2/nope', { key });
		const ids = [a, b, c].map((r) => r.headers.get('x-request-id'));
		ids.forEach((id) => expect(id).toMatch(/^req_[0-9a-f]{16}$/));
		expect(new Set(ids).size).toBe(3);
		expect(c.status).toBe(404);
	});
});

describe('Vessels', () => {
	it('lists the vessels of the account with string identifiers', async () => {
		const r = await call(sb.url, api('/vessels'), { key });
		expect(r.status).toBe(200);
		expect(r.body.items).toHaveLength(4);
		for (const v of r.body.items) {
			expect(Object.keys(v).sort()).toEqual([
				'flag_state',
				'imo',
				'mmsi',
				'vessel_id',
				'vessel_name',
				'vessel_type',
			]);
			expect(v.vessel_id).toMatch(/^ves_/);
			expect(v.imo).toMatch(/^\d{7}$/);
			expect(v.mmsi).toMatch(/^\d{9}$/);
			expect(['M/Y', 'S/Y']).toContain(v.vessel_type);
		}
	});

	it('another partner sees only its own vessels', async () => {
		const mine = (await call(sb.url, api('/vessels'), { key })).body.items.map(
			(v: Json) => v.vessel_id,
		);
		const theirs = (await call(sb.url, api('/vessels'), { key: sb.keys.other })).body.items.map(
			(v: Json) => v.vessel_id,
		);
		expect(theirs.length).toBeGreaterThan(0);
		expect(theirs.filter((id: string) => mine.includes(id))).toEqual([]);
	});
});

describe('Fleet roster', () => {
	it('has the crew-guide row shape and echoes the window', async () => {
		const r = await call(sb.url, api('/fleet?include_documents_expiring_within_days=30'), { key });
		expect(r.status).toBe(200);
		expect(r.body.expiring_within_days).toBe(30);
		expect(r.body.items).toHaveLength(41);
		const row = r.body.items.find((i: Json) => i.crew_unique_id === sb.fixtures.compliant);
		expect(row).toEqual({
			crew_unique_id: sb.fixtures.compliant,
			name: expect.stringMatching(/^[A-Z]\. .+/),
			vessel_id: expect.stringMatching(/^ves_/),
			vessel_name: expect.any(String),
			role: 'Captain',
			verification_status: 'verified',
			background_check_status: 'completed',
			documents_expiring: 0,
			as_of: expect.stringMatching(ISO_SECONDS),
		});
	});

	it('defaults: limit 50, window 30; 41 rows for 40 crew (one crew member on two vessels)', async () => {
		const r = await call(sb.url, api('/fleet'), { key });
		expect(r.body.expiring_within_days).toBe(30);
		expect(r.body.items).toHaveLength(41);
		expect(r.body.next_cursor).toBeNull();
		const multi = r.body.items.filter((i: Json) => i.crew_unique_id === sb.fixtures.multiVessel);
		expect(multi.map((m: Json) => m.role).sort()).toEqual(['Chief Engineer', 'Second Engineer']);
	});

	it('documents_expiring follows the window', async () => {
		const find = async (days: number, id: string) =>
			(
				await call(sb.url, api(`/fleet?include_documents_expiring_within_days=${days}`), { key })
			).body.items.find((i: Json) => i.crew_unique_id === id).documents_expiring;
		// atRisk: ENG1 expires in 54 days; expiring30: food hygiene in 12 days.
		expect(await find(30, sb.fixtures.atRisk)).toBe(0);
		expect(await find(90, sb.fixtures.atRisk)).toBe(1);
		expect(await find(30, sb.fixtures.expiring30)).toBe(1);
		expect(await find(11, sb.fixtures.expiring30)).toBe(0);
		expect(await find(0, sb.fixtures.expiring30)).toBe(0);
	});

	it('status fields are absent without status consent; background_check_status null without a check', async () => {
		const items = (await call(sb.url, api('/fleet'), { key })).body.items;
		const noConsent = items.find((i: Json) => i.crew_unique_id === sb.fixtures.noStatusConsent);
		expect(noConsent).not.toHaveProperty('verification_status');
		expect(noConsent).not.toHaveProperty('background_check_status');
		expect(noConsent).not.toHaveProperty('status');
		expect(typeof noConsent.documents_expiring).toBe('number');
		const noCheck = items.find((i: Json) => i.crew_unique_id === sb.fixtures.noBackgroundCheck);
		expect(noCheck.background_check_status).toBeNull();
		const noRole = items.find((i: Json) => i.crew_unique_id === sb.fixtures.noRole);
		expect(noRole.role).toBeNull();
	});

	it.each([
		['limit=0', 'limit', 'greater_than_equal'],
		['limit=201', 'limit', 'less_than_equal'],
		['limit=abc', 'limit', 'int_parsing'],
		[
			'include_documents_expiring_within_days=-1',
			'include_documents_expiring_within_days',
			'greater_than_equal',
		],
		[
			'include_documents_expiring_within_days=731',
			'include_documents_expiring_within_days',
			'less_than_equal',
		],
		['cursor=bm90LWEtY3Vyc29y', 'cursor', 'value_error'],
	])('%s -> FastAPI 422', async (query, field, type) => {
		const r = await call(sb.url, api(`/fleet?${query}`), { key });
		expect(r.status).toBe(422);
		expect(r.body.detail).toEqual([
			expect.objectContaining({ loc: ['query', field], msg: expect.any(String), type }),
		]);
		expect(r.body).not.toHaveProperty('error');
	});

	it('accepts the bounds 1, 200, 0 and 730', async () => {
		for (const q of [
			'limit=1',
			'limit=200',
			'include_documents_expiring_within_days=0',
			'include_documents_expiring_within_days=730',
		]) {
			expect((await call(sb.url, api(`/fleet?${q}`), { key })).status).toBe(200);
		}
	});

	it('a cursor from another partner is refused', async () => {
		const first = await call(sb.url, api('/fleet?limit=2'), { key: sb.keys.other });
		expect(first.body.next_cursor).toEqual(expect.any(String));
		const r = await call(sb.url, api(`/fleet?limit=2&cursor=${first.body.next_cursor}`), { key });
		expect(r.status).toBe(422);
	});
});

describe('Fleet pagination on a large fleet', () => {
	let big: Sandbox;
	beforeAll(async () => {
		big = await startSandbox({ crew: 1000, seed: 7, rateLimit: false });
	});
	afterAll(async () => {
		await big.stop();
	});

	it.each([200, 37])('limit %i walks to the end with no row missing or repeated', async (limit) => {
		const seen: string[] = [];
		let cursor: string | null = null;
		let pages = 0;
		do {
			const q: string =
				`/fleet?limit=${limit}` + (cursor ? `&cursor=${encodeURIComponent(cursor)}` : '');
			const r = await call(big.url, api(q), { key: big.keys.management });
			expect(r.status).toBe(200);
			expect(r.body.items.length).toBeLessThanOrEqual(limit);
			for (const i of r.body.items) seen.push(`${i.crew_unique_id}@${i.vessel_id}`);
			cursor = r.body.next_cursor;
			pages++;
		} while (cursor && pages < 100);
		expect(cursor).toBeNull();
		// 1,000 crew members; one of them (the multi-vessel fixture) has two rows.
		expect(seen).toHaveLength(1001);
		expect(new Set(seen).size).toBe(1001);
		expect(new Set(seen.map((s) => s.split('@')[0])).size).toBe(1000);
		expect(pages).toBe(Math.ceil(1001 / limit));
	});
});

describe('Crew lookup', () => {
	it('resolves an email to crew_unique_id + status', async () => {
		const crew = sb.crew(sb.fixtures.compliant)!;
		const r = await call(sb.url, api('/crew/lookup'), {
			key,
			json: { email: crew.email.toUpperCase() },
		});
		expect(r.status).toBe(200);
		expect(r.body).toEqual({ crew_unique_id: crew.crew_unique_id, status: 'verified' });
	});

	it('omits status without status consent', async () => {
		const crew = sb.crew(sb.fixtures.noStatusConsent)!;
		const r = await call(sb.url, api('/crew/lookup'), { key, json: { email: crew.email } });
		expect(r.body).toEqual({ crew_unique_id: crew.crew_unique_id });
	});

	it('404 for unknown emails and for crew of another partner (never 403)', async () => {
		expectErrorEnvelope(
			await call(sb.url, api('/crew/lookup'), { key, json: { email: 'nobody@nowhere.example' } }),
			404,
			'not_found',
		);
		const other = sb.crew(sb.fixtures.otherPartner)!;
		expectErrorEnvelope(
			await call(sb.url, api('/crew/lookup'), { key, json: { email: other.email } }),
			404,
			'not_found',
		);
		const theirs = await call(sb.url, api('/crew/lookup'), {
			key: sb.keys.other,
			json: { email: other.email },
		});
		expect(theirs.body.crew_unique_id).toBe(other.crew_unique_id);
	});

	it.each([
		['missing email', JSON.stringify({}), ['body', 'email'], 'missing'],
		['not JSON', '{"email":', ['body', 0], 'json_invalid'],
		['email not a string', JSON.stringify({ email: 42 }), ['body', 'email'], 'string_type'],
		['invalid email', JSON.stringify({ email: 'not-an-email' }), ['body', 'email'], 'value_error'],
		['a JSON array', '[]', ['body'], 'model_attributes_type'],
	])('%s -> 422 FastAPI detail', async (_label, rawBody, loc, type) => {
		const r = await call(sb.url, api('/crew/lookup'), { key, rawBody, method: 'POST' });
		expect(r.status).toBe(422);
		expect(r.body.detail[0]).toEqual(
			expect.objectContaining({ loc, type, msg: expect.any(String) }),
		);
	});
});

describe('Profile and photo', () => {
	it('full profile with identity fields when scope + consent are effective', async () => {
		const r = await call(sb.url, api(`/crew/${sb.fixtures.compliant}/profile`), { key });
		expect(r.status).toBe(200);
		const p = r.body;
		expect(p.full_profile).toBe(true);
		for (const f of [
			'name',
			'rank',
			'nationality',
			'years_experience',
			'bio',
			'email',
			'phone',
			'profile_photo_url',
		])
			expect(typeof p[f]).toBe('string');
		expect(p.years_experience).toMatch(/^\d+$/);
		expect(p.languages[0]).toEqual({
			language: expect.any(String),
			proficiency: expect.any(String),
		});
		expect(Array.isArray(p.skills)).toBe(true);
		expect(p.profile_photo_url).toBe(
			`${sb.url}/api/v2/employers/me/crew/${sb.fixtures.compliant}/photo`,
		);
		expect(p.date_of_birth).toMatch(ISO_DATE);
		expect(Object.keys(p.address).sort()).toEqual(['city', 'country', 'line1', 'postcode']);
		expect(Object.keys(p.passport).sort()).toEqual(['expiry', 'nationality', 'number']);
		expect(Array.isArray(p.visas)).toBe(true);
		expect(p.employment_history[0]).toEqual({
			vessel_name: expect.any(String),
			role: expect.any(String),
			started_at: expect.stringMatching(ISO_DATE),
			ended_at: expect.stringMatching(ISO_DATE),
			source: expect.stringMatching(/^(employer_confirmed|self_reported)$/),
		});
	});

	it('without identity consent: full_profile false and identity fields absent', async () => {
		const r = await call(sb.url, api(`/crew/${sb.fixtures.atRisk}/profile`), { key });
		expect(r.status).toBe(200);
		expect(r.body.full_profile).toBe(false);
		for (const f of ['date_of_birth', 'address', 'passport', 'visas', 'employment_history'])
			expect(r.body).not.toHaveProperty(f);
		expect(r.body.name).toEqual(expect.any(String));
	});

	it('photo is a real PNG; 404 without a photo', async () => {
		const r = await call(sb.url, api(`/crew/${sb.fixtures.compliant}/photo`), { key });
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toBe('image/png');
		expect(r.bytes.subarray(0, 8)).toEqual(
			Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		);
		expect(r.bytes.subarray(12, 16).toString('latin1')).toBe('IHDR');
		expect(r.bytes.readUInt32BE(16)).toBe(64);
		expect(r.bytes.subarray(-8, -4).toString('latin1')).toBe('IEND');
		const none = await call(sb.url, api(`/crew/${sb.fixtures.noPhoto}/photo`), { key });
		expectErrorEnvelope(none, 404, 'not_found');
		const prof = await call(sb.url, api(`/crew/${sb.fixtures.noPhoto}/profile`), { key });
		expect(prof.body.profile_photo_url).toBeNull();
	});
});

describe('Isolation: a crew member of another partner is 404, never 403', () => {
	it.each(['/profile', '/photo', '/documents', '/documents/doc_000001/download'])(
		'GET %s',
		async (suffix) => {
			expectErrorEnvelope(
				await call(sb.url, api(`/crew/${sb.fixtures.otherPartner}${suffix}`), { key }),
				404,
				'not_found',
			);
		},
	);
	it('POST compliance-checks and unknown ids', async () => {
		expectErrorEnvelope(
			await call(sb.url, api(`/crew/${sb.fixtures.otherPartner}/compliance-checks`), {
				key,
				json: {},
			}),
			404,
			'not_found',
		);
		expectErrorEnvelope(
			await call(sb.url, api('/crew/crew_99999/profile'), { key }),
			404,
			'not_found',
		);
	});
	it("another partner's crew member is readable by that partner", async () => {
		expect(
			(await call(sb.url, api(`/crew/${sb.fixtures.otherPartner}/profile`), { key: sb.keys.other }))
				.status,
		).toBe(200);
	});
});

describe('Documents and downloads', () => {
	it('lists current documents with the contract fields', async () => {
		const r = await call(sb.url, api(`/crew/${sb.fixtures.compliant}/documents`), { key });
		expect(r.status).toBe(200);
		expect(r.body.crew_unique_id).toBe(sb.fixtures.compliant);
		expect(r.body.items.length).toBeGreaterThanOrEqual(5);
		for (const d of r.body.items) {
			expect(Object.keys(d).sort()).toEqual([
				'category',
				'document_id',
				'document_number',
				'expiry_date',
				'issue_date',
				'issuer',
				'title',
				'type',
				'verification_status',
			]);
			expect(['verified', 'pending', 'rejected', 'expired']).toContain(d.verification_status);
			expect(d.issuer === null || typeof d.issuer === 'string').toBe(true);
			if (d.expiry_date !== null) expect(d.expiry_date).toMatch(ISO_DATE);
		}
		expect(r.body.items.find((d: Json) => d.title === 'Personal Survival Techniques')).toEqual(
			expect.objectContaining({ type: 'STCW', category: 'STCW Modules' }),
		);
	});

	it('hides superseded versions', async () => {
		const crew = sb.crew(sb.fixtures.superseded)!;
		expect(crew.superseded_documents).toHaveLength(1);
		const r = await call(sb.url, api(`/crew/${crew.crew_unique_id}/documents`), { key });
		const ids = r.body.items.map((d: Json) => d.document_id);
		expect(ids).not.toContain(crew.superseded_documents[0].document_id);
		expect(
			r.body.items.filter((d: Json) => d.title === 'Personal Survival Techniques'),
		).toHaveLength(1);
		const link = await call(
			sb.url,
			api(
				`/crew/${crew.crew_unique_id}/documents/${crew.superseded_documents[0].document_id}/download`,
			),
			{ key },
		);
		expectErrorEnvelope(link, 404, 'not_found');
	});

	it('documents need consent: 403 scope_not_consented with scope', async () => {
		const r = await call(sb.url, api(`/crew/${sb.fixtures.noDocumentsConsent}/documents`), { key });
		expectErrorEnvelope(r, 403, 'scope_not_consented');
		expect(r.body.error).toEqual({
			code: 'scope_not_consented',
			message: "scope 'crew:documents:read' is not consented for this crew member",
			scope: 'crew:documents:read',
		});
	});

	it('download link -> a real PDF without an API key; expires after 15 minutes', async () => {
		const docs = (await call(sb.url, api(`/crew/${sb.fixtures.compliant}/documents`), { key })).body
			.items;
		const pst = docs.find((d: Json) => d.title === 'Personal Survival Techniques');
		const link = await call(
			sb.url,
			api(`/crew/${sb.fixtures.compliant}/documents/${pst.document_id}/download`),
			{ key },
		);
		expect(link.status).toBe(200);
		expect(link.body).toEqual({
			document_id: pst.document_id,
			download_url: expect.any(String),
			expires_at: expect.stringMatching(ISO_SECONDS),
			content_type: 'application/pdf',
			file_name: 'PST_certificate.pdf',
		});
		expect(link.body.download_url.startsWith(`${sb.url}/api/v2/files/`)).toBe(true);
		const ttl = Date.parse(link.body.expires_at) - sb.clock.now();
		expect(ttl).toBeGreaterThan(14 * 60_000);
		expect(ttl).toBeLessThanOrEqual(15 * 60_000);

		const path = link.body.download_url.slice(sb.url.length);
		const file = await call(sb.url, path);
		expect(file.status).toBe(200);
		expect(file.headers.get('content-type')).toBe('application/pdf');
		expect(file.headers.get('content-disposition')).toContain('PST_certificate.pdf');
		expect(file.bytes.subarray(0, 8).toString('latin1')).toBe('%PDF-1.4');
		expect(file.text.trimEnd().endsWith('%%EOF')).toBe(true);
		const xref = Number(/startxref\n(\d+)/.exec(file.text)![1]);
		expect(file.bytes.subarray(xref, xref + 4).toString('latin1')).toBe('xref');
		expect(file.text).toContain(pst.document_number);

		// A tampered token is refused.
		const token = path.split('/').pop()!;
		const [payload, mac] = token.split('.');
		const forged = Buffer.from(
			Buffer.from(payload, 'base64url')
				.toString()
				.replace(/"e":\d+/, '"e":99999999999999'),
		).toString('base64url');
		expectErrorEnvelope(
			await call(sb.url, `/api/v2/files/${forged}.${mac}`),
			403,
			'invalid_download_link',
		);
		expectErrorEnvelope(await call(sb.url, '/api/v2/files/garbage'), 403, 'invalid_download_link');

		// Move the clock 16 minutes: the link has expired.
		sb.clock.advance(16 * 60_000);
		try {
			expectErrorEnvelope(await call(sb.url, path), 410, 'download_link_expired');
		} finally {
			sb.clock.advance(-16 * 60_000);
		}
		expect((await call(sb.url, path)).status).toBe(200);
	});

	it('download needs crew:documents:download consent', async () => {
		const docs = sb.crew(sb.fixtures.noDocumentsConsent)!.documents;
		const r = await call(
			sb.url,
			api(`/crew/${sb.fixtures.noDocumentsConsent}/documents/${docs[0].document_id}/download`),
			{ key },
		);
		expectErrorEnvelope(r, 403, 'scope_not_consented');
		expect(r.body.error.scope).toBe('crew:documents:download');
	});

	it('the 503 knob fails the next N downloads, then recovers', async () => {
		const doc = sb.crew(sb.fixtures.compliant)!.documents[0];
		const link = (
			await call(
				sb.url,
				api(`/crew/${sb.fixtures.compliant}/documents/${doc.document_id}/download`),
				{ key },
			)
		).body;
		const path = link.download_url.slice(sb.url.length);
		sb.faults.set({ downloads503: 2 });
		const a = await call(sb.url, path);
		const b = await call(sb.url, path);
		const c = await call(sb.url, path);
		expectErrorEnvelope(a, 503, 'file_store_unavailable');
		expect(a.headers.get('retry-after')).toBe('1');
		expect(b.status).toBe(503);
		expect(c.status).toBe(200);
		// On the link step instead, via the control endpoint.
		const set = await call(sb.url, '/_sandbox/faults', {
			json: { downloads503: 1, downloads503Target: 'link' },
		});
		expect(set.body.downloads503).toBe(1);
		const download = async () =>
			await call(
				sb.url,
				api(`/crew/${sb.fixtures.compliant}/documents/${doc.document_id}/download`),
				{ key },
			);
		expect((await download()).status).toBe(503);
		expect((await download()).status).toBe(200);
		sb.faults.reset();
	});
});

describe('Compliance checks', () => {
	const check = (id: string, query = '') =>
		call(sb.url, api(`/crew/${id}/compliance-checks${query}`), { key, json: {} });

	it('at_risk: the documented example shape (8 requirements, 7 met, 1 expiring ENG1 in 54 days)', async () => {
		const r = await check(sb.fixtures.atRisk);
		expect(r.status).toBe(200);
		const c = r.body;
		expect(c).toEqual(
			expect.objectContaining({
				crew_unique_id: sb.fixtures.atRisk,
				overall_status: 'at_risk',
				requirements_total: 8,
				requirements_met: 7,
				requirements_expiring: 1,
				requirements_expired: 0,
				requirements_missing: 0,
				stcw_completion_percentage: 100,
				next_expiry_date: '2026-08-01',
			}),
		);
		expect(c.requirements[0]).toEqual({
			requirement_key: 'eng1',
			title: 'ENG1 Medical',
			source: 'medical',
			status: 'expiring',
			expiry_date: '2026-08-01',
			days_until_expiry: 54,
		});
		const aff = c.requirements.find((q: Json) => q.requirement_key === 'advanced_firefighting');
		expect(aff).toEqual({
			requirement_key: 'advanced_firefighting',
			title: 'Advanced Fire Fighting',
			source: 'explicit',
			status: 'met',
			document_id: expect.stringMatching(/^doc_/),
			expiry_date: expect.stringMatching(ISO_DATE),
		});
		expect(c.stcw.completion_percentage).toBe(100);
		expect(c.stcw.modules).toHaveLength(4);
		expect(c.stcw.modules[0]).toEqual({
			code: 'A-VI/1-1',
			name: 'Personal Survival',
			status: 'met',
			expiry_date: expect.stringMatching(ISO_DATE),
		});
		expect(c.medical).toEqual({
			status: 'valid',
			expiry_date: '2026-08-01',
			fit_category: expect.stringMatching(/^Fit/),
		});
		expect(c.requirements.map((q: Json) => q.source)).toEqual([
			'medical',
			'explicit',
			'explicit',
			'explicit',
			'stcw',
			'stcw',
			'stcw',
			'stcw',
		]);
	});

	it.each([
		[
			'compliant',
			'compliant',
			{ requirements_expiring: 0, requirements_missing: 0, requirements_expired: 0 },
		],
		['expired', 'non_compliant', { requirements_expired: 1 }],
		['missing', 'non_compliant', { requirements_missing: 1 }],
		['rejected', 'non_compliant', { requirements_missing: 1 }],
		['pending', 'at_risk', { stcw_completion_percentage: 75 }],
		['expiring30', 'at_risk', { requirements_expiring: 1 }],
		['noRole', 'no_role', { requirements_total: 0 }],
	])('%s fixture -> %s', async (fixture, overall, extra) => {
		const r = await check(sb.fixtures[fixture]);
		expect(r.status).toBe(200);
		expect(r.body.overall_status).toBe(overall);
		expect(r.body).toEqual(expect.objectContaining(extra));
	});

	it('expired and missing requirements carry the right fields', async () => {
		const exp = (await check(sb.fixtures.expired)).body.requirements.find(
			(q: Json) => q.status === 'expired',
		);
		expect(exp.requirement_key).toBe('advanced_firefighting');
		expect(exp.days_until_expiry).toBeLessThan(0);
		const miss = (await check(sb.fixtures.missing)).body;
		expect(miss.requirements.find((q: Json) => q.status === 'missing')).toEqual({
			requirement_key: 'eng1',
			title: 'ENG1 Medical',
			source: 'medical',
			status: 'missing',
		});
		expect(miss.medical).toEqual({ status: 'missing', expiry_date: null, fit_category: null });
		const pend = (await check(sb.fixtures.pending)).body;
		expect(pend.requirements.find((q: Json) => q.requirement_key === 'stcw_efa').status).toBe(
			'pending',
		);
		expect(pend.stcw.modules.find((m: Json) => m.code === 'A-VI/1-3').status).toBe('pending');
	});

	it('vessel_id selects the position of a crew member on two vessels', async () => {
		const fx = sb.crew(sb.fixtures.multiVessel)!;
		const [v1, v2] = fx.placements;
		expect(v1.role).toBe('Chief Engineer');
		const a = await check(fx.crew_unique_id, `?vessel_id=${v1.vessel_id}`);
		const b = await check(fx.crew_unique_id, `?vessel_id=${v2.vessel_id}`);
		expect(a.body.overall_status).toBe('non_compliant');
		expect(a.body.requirements.find((q: Json) => q.requirement_key === 'coc_y1').status).toBe(
			'missing',
		);
		expect(b.body.overall_status).toBe('compliant');
		expect(b.body.requirements.some((q: Json) => q.requirement_key === 'coc_y1')).toBe(false);
		expectErrorEnvelope(await check(fx.crew_unique_id, '?vessel_id=ves_nope'), 404, 'not_found');
	});

	it('compliance needs consent; body must be a JSON object', async () => {
		const r = await check(sb.fixtures.noComplianceConsent);
		expectErrorEnvelope(r, 403, 'scope_not_consented');
		expect(r.body.error.scope).toBe('crew:compliance:read');
		const bad = await call(sb.url, api(`/crew/${sb.fixtures.compliant}/compliance-checks`), {
			key,
			rawBody: '{oops',
			method: 'POST',
		});
		expect(bad.status).toBe(422);
		expect(bad.body.detail[0].type).toBe('json_invalid');
		expect(
			(
				await call(sb.url, api(`/crew/${sb.fixtures.compliant}/compliance-checks`), {
					key,
					method: 'POST',
				})
			).status,
		).toBe(200);
	});

	it('moving the clock past an expiry changes the result', async () => {
		const before = (await check(sb.fixtures.atRisk)).body;
		sb.clock.advance(60 * 86_400_000);
		try {
			const after = (await check(sb.fixtures.atRisk)).body;
			expect(before.overall_status).toBe('at_risk');
			expect(after.overall_status).toBe('non_compliant');
			expect(after.requirements[0]).toEqual(
				expect.objectContaining({
					requirement_key: 'eng1',
					status: 'expired',
					days_until_expiry: -6,
				}),
			);
			expect(after.medical.status).toBe('expired');
		} finally {
			sb.clock.advance(-60 * 86_400_000);
		}
	});
});

describe('Routing', () => {
	it('unknown routes and methods answer like FastAPI', async () => {
		const r = await call(sb.url, '/api/v2/employers/me/nothing', { key });
		expect(r.status).toBe(404);
		expect(r.body).toEqual({ detail: 'Not Found' });
		const m = await call(sb.url, api('/fleet'), { key, method: 'DELETE' });
		expect(m.status).toBe(405);
		expect(m.headers.get('x-request-id')).toMatch(/^req_/);
	});
});
