// Contract suite: rate limits (checked before authentication), fault knobs, the control API,
// deterministic data and large fleets.
import { startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { call, expectErrorEnvelope, type Json } from './client';

const FLEET = '/api/v2/employers/me/fleet?limit=1';

describe('Rate limit: 60/s and 1,000/min per partner, before authentication', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ crew: 20 });
	});
	afterAll(async () => {
		await sb.stop();
	});
	beforeEach(() => sb.rateLimit.reset());

	it('61 requests inside one second -> at least one 429 with retry_after_seconds and Retry-After', async () => {
		// The limiter runs on the sandbox clock: pausing it puts all 61 requests inside one second
		// even on a loaded machine.
		sb.clock.pause();
		let replies;
		try {
			replies = await Promise.all(
				Array.from({ length: 61 }, () => call(sb.url, FLEET, { key: sb.keys.management })),
			);
		} finally {
			sb.clock.resume();
		}
		const limited = replies.filter((r) => r.status === 429);
		expect(limited).toHaveLength(1);
		expect(replies.filter((r) => r.status === 200).length).toBeLessThanOrEqual(60);
		const r = limited[0];
		expectErrorEnvelope(r, 429, 'partner_rate_limited');
		expect(r.body.error.message).toBe('rate limit exceeded');
		expect(typeof r.body.error.retry_after_seconds).toBe('number');
		expect(r.body.error.retry_after_seconds).toBeGreaterThan(0);
		expect(r.body.error.retry_after_seconds).toBeLessThanOrEqual(1);
		expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
	});

	it('budgets are per partner', async () => {
		sb.clock.pause();
		try {
			await Promise.all(
				Array.from({ length: 61 }, () => call(sb.url, FLEET, { key: sb.keys.management })),
			);
			const other = await call(sb.url, FLEET, { key: sb.keys.other });
			expect(other.status).toBe(200);
			const mine = await call(sb.url, FLEET, { key: sb.keys.management });
			expect(mine.status).toBe(429);
		} finally {
			sb.clock.resume();
		}
	});

	it('unauthenticated attempts consume the budget (the limiter runs before auth)', async () => {
		sb.clock.pause();
		const replies = await Promise.all(
			Array.from({ length: 61 }, () => call(sb.url, FLEET)),
		).finally(() => sb.clock.resume());
		expect(replies.filter((r) => r.status === 401).length).toBeLessThanOrEqual(60);
		expect(
			replies.some((r) => r.status === 429 && r.body.error.code === 'partner_rate_limited'),
		).toBe(true);
	});

	it('the budget refills: after retry_after_seconds the request passes (sandbox clock)', async () => {
		sb.clock.pause();
		try {
			const replies = await Promise.all(
				Array.from({ length: 61 }, () => call(sb.url, FLEET, { key: sb.keys.management })),
			);
			const limited = replies.find((r) => r.status === 429)!;
			expect((await call(sb.url, FLEET, { key: sb.keys.management })).status).toBe(429);
			sb.clock.advance(limited.body.error.retry_after_seconds * 1000 + 5);
			expect((await call(sb.url, FLEET, { key: sb.keys.management })).status).toBe(200);
		} finally {
			sb.clock.resume();
		}
	});

	/**
	 * Sends requests one after the other on the paused sandbox clock; on a 429 moves the clock
	 * by retry_after_seconds. Returns the sandbox time (ms) at which each request was served.
	 */
	async function drive(count: number, key: string): Promise<number[]> {
		const served: number[] = [];
		sb.clock.pause();
		const t0 = sb.clock.now();
		try {
			while (served.length < count) {
				const r = await call(sb.url, FLEET, { key });
				if (r.status === 200) served.push(sb.clock.now() - t0);
				else {
					expectErrorEnvelope(r, 429, 'partner_rate_limited');
					sb.clock.advance(r.body.error.retry_after_seconds * 1000);
				}
			}
		} finally {
			sb.clock.resume();
		}
		return served;
	}

	it('a token bucket: a refused request is told to come back in one token interval (a float), and then passes', async () => {
		sb.clock.pause();
		try {
			await Promise.all(
				Array.from({ length: 60 }, () => call(sb.url, FLEET, { key: sb.keys.management })),
			);
			const refused = await call(sb.url, FLEET, { key: sb.keys.management });
			expectErrorEnvelope(refused, 429, 'partner_rate_limited');
			// 60/s refills one token every 16.7 ms (a sliding window would ask for ~1 s)
			expect(refused.body.error.retry_after_seconds).toBeCloseTo(0.017, 3);
			expect(Number(refused.headers.get('retry-after'))).toBe(1);
			sb.clock.advance(17);
			expect((await call(sb.url, FLEET, { key: sb.keys.management })).status).toBe(200);
			expect((await call(sb.url, FLEET, { key: sb.keys.management })).status).toBe(429);
		} finally {
			sb.clock.resume();
		}
	});

	it('the per-minute bucket: a full bucket lets its size through at the per-second rate, then refills at size per minute (scaled down: 6/s, 100/min)', async () => {
		sb.rateLimit.configure({ perSecond: 6, perMinute: 100 });
		try {
			const served = await drive(150, sb.keys.other);
			// 6 at once, then 6/s until the 100-token bucket runs dry: the 105th at (105-6)/6 s
			expect(served[5]).toBe(0);
			expect(served[104] / 1000).toBeCloseTo(16.5, 0);
			// then 100/min: one every 0.6 s (the 150th at (150-100) × 0.6 s = 30 s)
			expect(served[149] / 1000).toBeGreaterThan(29.9);
			expect(served[149] / 1000).toBeLessThan(30.3);
			expect((served[149] - served[139]) / 1000).toBeCloseTo(6, 0);
		} finally {
			sb.rateLimit.configure({ perSecond: 60, perMinute: 1000 });
		}
	});

	it('can be switched off and tuned over the control API', async () => {
		const off = await call(sb.url, '/_sandbox/rate-limit', { json: { enabled: false } });
		expect(off.body.enabled).toBe(false);
		const replies = await Promise.all(
			Array.from({ length: 80 }, () => call(sb.url, FLEET, { key: sb.keys.management })),
		);
		expect(replies.every((r) => r.status === 200)).toBe(true);
		const tight = await call(sb.url, '/_sandbox/rate-limit', {
			json: { enabled: true, perSecond: 3 },
		});
		expect(tight.body).toEqual({ enabled: true, perSecond: 3, perMinute: 1000 });
		sb.clock.pause();
		const few = await Promise.all(
			Array.from({ length: 4 }, () => call(sb.url, FLEET, { key: sb.keys.management })),
		).finally(() => sb.clock.resume());
		expect(few.filter((r) => r.status === 429)).toHaveLength(1);
		await call(sb.url, '/_sandbox/rate-limit', { json: { enabled: true, perSecond: 60 } });
	});
});

describe('API fault knobs', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ crew: 10, rateLimit: false });
	});
	afterAll(async () => {
		await sb.stop();
	});
	afterEach(() => {
		sb.faults.reset();
	});

	it('next429 / next503 answer the next N requests, then recover', async () => {
		await call(sb.url, '/_sandbox/faults', { json: { next429: 1, next503: 1 } });
		const a = await call(sb.url, FLEET, { key: sb.keys.management });
		const b = await call(sb.url, FLEET, { key: sb.keys.management });
		const c = await call(sb.url, FLEET, { key: sb.keys.management });
		expectErrorEnvelope(a, 429, 'partner_rate_limited');
		expect(a.body.error.retry_after_seconds).toEqual(expect.any(Number));
		expectErrorEnvelope(b, 503, 'service_unavailable');
		expect(c.status).toBe(200);
	});

	it('nextDrop destroys the connection without an answer', async () => {
		sb.faults.set({ nextDrop: 1 });
		await expect(call(sb.url, FLEET, { key: sb.keys.management })).rejects.toThrow();
		expect((await call(sb.url, FLEET, { key: sb.keys.management })).status).toBe(200);
	});

	it('a share of 503 answers (seeded) stays near the configured rate', async () => {
		sb.faults.set({ rate503: 0.3 });
		const replies = [];
		for (let i = 0; i < 100; i++)
			replies.push((await call(sb.url, FLEET, { key: sb.keys.management })).status);
		const failed = replies.filter((s) => s === 503).length;
		expect(failed).toBeGreaterThan(10);
		expect(failed).toBeLessThan(50);
		expect(replies.filter((s) => s !== 503 && s !== 200)).toEqual([]);
	});

	it('latency slows every API answer', async () => {
		sb.faults.set({ latencyMs: 150 });
		const t = Date.now();
		expect((await call(sb.url, FLEET, { key: sb.keys.management })).status).toBe(200);
		expect(Date.now() - t).toBeGreaterThanOrEqual(140);
	});

	it('unknown fault names are refused', async () => {
		const r = await call(sb.url, '/_sandbox/faults', { json: { chaosMonkey: 1 } });
		expect(r.status).toBe(422);
	});
});

describe('Control API and data', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ crew: 40, seed: 5, rateLimit: false });
	});
	afterAll(async () => {
		await sb.stop();
	});

	it('GET /_sandbox/state lists partners with keys, secrets and fixtures (no API key needed)', async () => {
		const r = await call(sb.url, '/_sandbox/state');
		expect(r.status).toBe(200);
		expect(r.body.partners.map((p: Json) => p.partner_id)).toEqual([
			'prt_harbourline',
			'prt_meridian',
			'prt_solent',
			'prt_dormant',
		]);
		expect(r.body.partners[0].api_key).toBe(sb.keys.management);
		expect(r.body.partners[0].webhook.secret).toMatch(/^whsec_/);
		expect(r.body.partners[0].crew_count).toBe(40);
		expect(r.body.fixtures.compliant.crew_unique_id).toBe(sb.fixtures.compliant);
		expect(r.body.fixtures.compliant.email).toContain('@');
	});

	it('clock endpoints move the sandbox clock', async () => {
		const before = (await call(sb.url, '/_sandbox/clock')).body;
		const after = (await call(sb.url, '/_sandbox/clock/advance', { json: { minutes: 16 } })).body;
		expect(Date.parse(after.now) - Date.parse(before.now)).toBeGreaterThanOrEqual(16 * 60_000);
		expect(Date.parse(after.now) - Date.parse(before.now)).toBeLessThan(17 * 60_000);
		await call(sb.url, '/_sandbox/clock/advance', { json: { minutes: -16 } });
	});

	it('consent changes take effect on reads', async () => {
		const id = sb.fixtures.atRisk;
		expect(
			(await call(sb.url, `/api/v2/employers/me/crew/${id}/profile`, { key: sb.keys.management }))
				.body.full_profile,
		).toBe(false);
		await call(sb.url, `/_sandbox/crew/${id}/consents`, {
			json: { grant: ['crew:profile:full:read'], revoke: ['crew:documents:read'] },
		});
		expect(
			(await call(sb.url, `/api/v2/employers/me/crew/${id}/profile`, { key: sb.keys.management }))
				.body.full_profile,
		).toBe(true);
		expect(
			(await call(sb.url, `/api/v2/employers/me/crew/${id}/documents`, { key: sb.keys.management }))
				.status,
		).toBe(403);
		const reset = await call(sb.url, '/_sandbox/reset', { json: {} });
		expect(reset.status).toBe(200);
		expect(
			(await call(sb.url, `/api/v2/employers/me/crew/${id}/documents`, { key: sb.keys.management }))
				.status,
		).toBe(200);
	});

	it('the inbox stores, lists and clears JSON bodies', async () => {
		await call(sb.url, '/_sandbox/inbox/demo', { json: { hello: 'world' } });
		await call(sb.url, '/_sandbox/inbox/demo', { json: { n: 2 } });
		const list = await call(sb.url, '/_sandbox/inbox/demo');
		expect(list.body.items.map((i: Json) => i.body)).toEqual([{ hello: 'world' }, { n: 2 }]);
		await call(sb.url, '/_sandbox/inbox/demo', { method: 'DELETE' });
		expect((await call(sb.url, '/_sandbox/inbox/demo')).body.items).toEqual([]);
	});
});

describe('Deterministic data and large fleets', () => {
	it('the same seed gives the same data; another seed differs', async () => {
		const [a, b, c] = await Promise.all([
			startSandbox({ crew: 30, seed: 11, now: '2026-06-08T00:00:00Z' }),
			startSandbox({ crew: 30, seed: 11, now: '2026-06-08T00:00:00Z' }),
			startSandbox({ crew: 30, seed: 12, now: '2026-06-08T00:00:00Z' }),
		]);
		try {
			const strip = (r: Json) => r.body.items.map((i: Json) => ({ ...i, as_of: undefined }));
			const fa = strip(await call(a.url, '/api/v2/employers/me/fleet', { key: a.keys.management }));
			const fb = strip(await call(b.url, '/api/v2/employers/me/fleet', { key: b.keys.management }));
			const fc = strip(await call(c.url, '/api/v2/employers/me/fleet', { key: c.keys.management }));
			expect(fa).toEqual(fb);
			expect(fa).not.toEqual(fc);
			expect(a.keys.management).toBe(c.keys.management);
		} finally {
			await Promise.all([a.stop(), b.stop(), c.stop()]);
		}
	});

	it('a 10,000-crew fleet serves every crew member once, with a realistic mix', async () => {
		const big = await startSandbox({ crew: 10_000, seed: 1, rateLimit: false });
		try {
			const rows: Json[] = [];
			let cursor: string | null = null;
			let pages = 0;
			do {
				const r: Json = await call(
					big.url,
					`/api/v2/employers/me/fleet?limit=200${cursor ? `&cursor=${cursor}` : ''}`,
					{ key: big.keys.management },
				);
				rows.push(...r.body.items);
				cursor = r.body.next_cursor;
			} while (cursor && ++pages < 100);
			expect(new Set(rows.map((r) => r.crew_unique_id)).size).toBe(10_000);
			const roles = new Set(rows.map((r) => r.role));
			for (const role of [
				'Captain',
				'Chief Officer',
				'Chief Engineer',
				'Deckhand',
				'Stewardess',
				'Chef',
				null,
			])
				expect(roles.has(role)).toBe(true);
			const nullChecks = rows.filter(
				(r) => 'background_check_status' in r && r.background_check_status === null,
			).length;
			const noStatus = rows.filter((r) => !('verification_status' in r)).length;
			const expiring = rows.filter((r) => r.documents_expiring > 0).length;
			expect(nullChecks).toBeGreaterThan(300);
			expect(noStatus).toBeGreaterThan(200);
			expect(expiring).toBeGreaterThan(500);
			expect(expiring).toBeLessThan(5000);
		} finally {
			await big.stop();
		}
	});
});
