import {
	ADMISSION_MARGIN_MS,
	bucketLimitMs,
	concurrencyFor,
	CREWPASS_READ_BUDGET,
	pacerFor,
	TokenBucketPacer,
} from '../../../../nodes/CrewPass/transport/pacing';
import { DEFAULT_RETRY_POLICY } from '../../../../nodes/CrewPass/transport/retry';

/**
 * CrewPass's side as the contract states it: per key, a 60/s and a 1,000/min token bucket, full
 * at the start, refilled continuously; `take` answers null (served) or the retry_after in ms.
 */
function contractBuckets(spent = 0) {
	const buckets = CREWPASS_READ_BUDGET.map(({ limit, windowMs }) => ({
		capacity: limit,
		rate: limit / windowMs,
		tokens: limit - spent,
	}));
	let at = 0;
	let served = 0;
	let refused = 0;
	return {
		take(now: number): number | null {
			if (now < at) throw new Error(`server saw time go back: ${now} < ${at}`);
			for (const b of buckets) b.tokens = Math.min(b.capacity, b.tokens + (now - at) * b.rate);
			at = now;
			const wait = Math.max(...buckets.map((b) => (b.tokens >= 1 ? 0 : (1 - b.tokens) / b.rate)));
			if (wait > 0) {
				refused++;
				return wait;
			}
			for (const b of buckets) b.tokens -= 1;
			served++;
			return null;
		},
		get served() {
			return served;
		},
		get refused() {
			return refused;
		},
	};
}

/** A seeded generator (mulberry32), so the jitter in these tests is the same on every run. */
function seeded(seed: number) {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

interface Client {
	pacer: TokenBucketPacer;
	requests: number;
	concurrency: number;
	/** First request wanted at this time. */
	startAt?: number;
}

/**
 * Discrete-event simulation of clients with worker pools sending through their pacers to one
 * CrewPass key, as the transport does: ask the pacer until admitted, send (arrives after up to
 * `jitterMs` of n8n's own work), answer after `latencyMs`, the worker is free `overheadMs`
 * later (n8n handling the answer); a 429 penalises the pacer, waits retry_after and asks again.
 * Returns per-request attempts and waits, and each client's finish time.
 */
function simulate(
	clients: Client[],
	server: ReturnType<typeof contractBuckets>,
	{ latencyMs = 60, jitterMs = 150, overheadMs = 150, seed = 1 } = {},
) {
	const random = seeded(seed);
	type Event = { t: number; seq: number; run: () => void };
	const queue: Event[] = [];
	let seq = 0;
	const at = (t: number, run: () => void) => {
		const e = { t, seq: seq++, run };
		let lo = 0;
		let hi = queue.length;
		while (lo < hi) {
			const mid = (lo + hi) >> 1;
			if (queue[mid].t < t || (queue[mid].t === t && queue[mid].seq < e.seq)) lo = mid + 1;
			else hi = mid;
		}
		queue.splice(lo, 0, e);
	};
	const attempts: number[] = [];
	const waitedMs: number[] = [];
	const finishedAt = clients.map(() => 0);
	clients.forEach((client, c) => {
		let next = 0;
		const worker = (now: number) => {
			if (next >= client.requests) return;
			const id = attempts.push(0) - 1;
			waitedMs.push(0);
			next++;
			const want = (t: number) => {
				const wait = client.pacer.acquire(t);
				if (wait > 0) return at(t + wait, () => want(t + wait));
				const admittedAt = t;
				attempts[id]++;
				const arrive = t + random() * jitterMs;
				at(arrive, () => {
					const retry = server.take(arrive);
					const answered = arrive + latencyMs;
					at(answered, () => {
						if (retry === null) {
							finishedAt[c] = Math.max(finishedAt[c], answered);
							return at(answered + overheadMs, () => worker(answered + overheadMs));
						}
						const retryMs = Math.ceil(retry);
						client.pacer.penalize(retryMs, answered, admittedAt);
						waitedMs[id] += retryMs;
						at(answered + retryMs, () => want(answered + retryMs));
					});
				});
			};
			// the worker is free now: its next item is wanted at once
			want(now);
		};
		const startAt = client.startAt ?? 0;
		at(startAt, () => {
			for (let w = 0; w < client.concurrency; w++) worker(startAt);
		});
	});
	while (queue.length) queue.shift()!.run();
	return { attempts, waitedMs, finishedAt };
}

/** Start times of `count` requests that all want to go at t=0, one caller after the other. */
function starts(pacer: TokenBucketPacer, count: number, from = 0): number[] {
	const out: number[] = [];
	let now = from;
	while (out.length < count) {
		const wait = pacer.acquire(now);
		if (wait === 0) out.push(now);
		else now += wait;
	}
	return out;
}

describe('bucketLimitMs: the contract token buckets on a fresh key', () => {
	it('is the moment the last request may start', () => {
		expect(bucketLimitMs(60)).toBe(0);
		expect(bucketLimitMs(1_005)).toBeCloseTo(15_750, 6);
		expect(bucketLimitMs(2_010)).toBeCloseTo(60_600, 6);
		expect(bucketLimitMs(3_010)).toBeCloseTo(120_600, 6);
	});
});

describe('concurrencyFor', () => {
	it('keeps rate × request time in flight, plus one', () => {
		expect(concurrencyFor(60)).toBe(5);
		expect(concurrencyFor(130)).toBe(9);
		expect(concurrencyFor(500)).toBe(31);
		expect(concurrencyFor(0)).toBe(1);
	});
});

describe('TokenBucketPacer', () => {
	it('starts full: admits the whole burst at once, then credits refill ADMISSION_MARGIN_MS late', () => {
		const pacer = new TokenBucketPacer();
		const waits = Array.from({ length: 60 }, () => pacer.acquire(0));
		expect(waits.every((w) => w === 0)).toBe(true);
		// the 61st: one token interval (16.7 ms) after the lag
		expect(pacer.acquire(0)).toBe(ADMISSION_MARGIN_MS + 17);
		expect(pacer.acquire(ADMISSION_MARGIN_MS + 16)).toBe(1);
		expect(pacer.acquire(ADMISSION_MARGIN_MS + 17)).toBe(0);
		expect(pacer.acquire(ADMISSION_MARGIN_MS + 17)).toBe(17);
	});

	it('after the lag, as many starts as the contract bucket with its refill lagMs late: 30 + 60/s', () => {
		const times = starts(new TokenBucketPacer(), 300);
		for (const t of [600, 1_000, 2_000, 4_000]) {
			const admitted = times.filter((x) => x <= t).length;
			expect(admitted).toBe(60 + Math.floor((60 * (t - ADMISSION_MARGIN_MS)) / 1_000));
		}
	});

	it('a burst that needs less than the bucket waits for nothing, and neither does one the refill covered', () => {
		const pacer = new TokenBucketPacer();
		expect(starts(pacer, 50).every((t) => t === 0)).toBe(true);
		// 1.5 s later the bucket is full again: 50 more at once
		expect(starts(pacer, 50, 1_500).every((t) => t === 1_500)).toBe(true);
	});

	it('takes nothing when it asks a caller to wait', () => {
		const pacer = new TokenBucketPacer([{ limit: 1, windowMs: 100 }], 0);
		expect(pacer.acquire(0)).toBe(0);
		expect(pacer.acquire(10)).toBe(90);
		expect(pacer.acquire(20)).toBe(80);
		expect(pacer.acquire(100)).toBe(0);
	});

	it('1,005 requests in a burst: within 0.6 s of the contract limit, none refused by the contract buckets', () => {
		const server = contractBuckets();
		const random = seeded(7);
		const times = starts(new TokenBucketPacer(), 1_005);
		// each arrives after up to 450 ms of n8n's own work (a stall), in arrival order at the server
		const arrivals = times.map((t) => t + random() * 450).sort((a, b) => a - b);
		for (const t of arrivals) expect(server.take(t)).toBeNull();
		expect(times[times.length - 1]).toBeGreaterThanOrEqual(bucketLimitMs(1_005));
		expect(times[times.length - 1]).toBeLessThan(bucketLimitMs(1_005) + 600);
	});

	it('a stall that ends at once (requests admitted 450 ms apart sent together) drains nothing', () => {
		// n8n reads the credential between admission and the socket write; a queue of those reads
		// delays every request by 450 ms until t = 5 s and none after: the requests admitted in
		// the 450 ms before and after 5 s reach CrewPass together.
		const arrivalOf = (t: number) => (t < 5_000 ? t + 450 : t);
		const refusedWith = (lagMs: number) => {
			const server = contractBuckets();
			const times = starts(new TokenBucketPacer(CREWPASS_READ_BUDGET, lagMs), 1_005);
			for (const t of times.map(arrivalOf).sort((a, b) => a - b)) server.take(t);
			return server.refused;
		};
		expect(refusedWith(ADMISSION_MARGIN_MS)).toBe(0);
		expect(refusedWith(200)).toBeGreaterThan(0);
		expect(refusedWith(0)).toBeGreaterThan(refusedWith(200));
	});

	it('2,500 requests: the 1,000/min bucket governs after the burst, still none refused', () => {
		const server = contractBuckets();
		const random = seeded(8);
		const times = starts(new TokenBucketPacer(), 2_500);
		const arrivals = times.map((t) => t + random() * 450).sort((a, b) => a - b);
		for (const t of arrivals) expect(server.take(t)).toBeNull();
		const last = times[times.length - 1];
		expect(last).toBeGreaterThanOrEqual(bucketLimitMs(2_500));
		expect(last).toBeLessThan(bucketLimitMs(2_500) + 600);
		// sustained: 1,000 per 60 s after the first ~1,000
		expect(times[2_499] - times[1_499]).toBeGreaterThan(59_000);
		expect(times[2_499] - times[1_499]).toBeLessThan(61_000);
	});

	it('a sliding window would have made a 1,000-crew run wait for the minute; the bucket does not', () => {
		const times = starts(new TokenBucketPacer(), 1_005);
		expect(times[999]).toBeLessThan(16_500);
		expect(times[1_004]).toBeLessThan(16_800);
	});

	it('a 429 stops admissions for retry_after and empties the per-second bucket, not the minute one', () => {
		const pacer = new TokenBucketPacer();
		starts(pacer, 10);
		pacer.penalize(420, 1_000);
		expect(pacer.acquire(1_000)).toBe(420);
		expect(pacer.acquire(1_419)).toBe(1);
		// one token at 1,420, as CrewPass's bucket: the next one an interval later
		expect(pacer.acquire(1_420)).toBe(0);
		expect(pacer.acquire(1_420)).toBe(17);
		const after = starts(pacer, 120, 1_437);
		// back at 60/s: the minute bucket still had its tokens
		expect(after[119] - after[0]).toBeGreaterThan(1_950);
		expect(after[119] - after[0]).toBeLessThan(2_050);
	});

	it('a repeated 429 for a request admitted after the first empties the minute bucket too', () => {
		const pacer = new TokenBucketPacer();
		starts(pacer, 10);
		pacer.penalize(20, 1_000, 900);
		starts(pacer, 1, 1_020);
		pacer.penalize(20, 1_100, 1_040);
		const after = starts(pacer, 40, 1_120);
		// now at the sustained 1,000/min: 60 ms per request
		expect(after[39] - after[0]).toBeGreaterThan(39 * 59);
		expect(after[39] - after[0]).toBeLessThan(39 * 61);
	});

	it('429s of requests in flight at the first 429 are not taken for a repeat', () => {
		const pacer = new TokenBucketPacer();
		starts(pacer, 10);
		pacer.penalize(20, 1_000, 900);
		pacer.penalize(20, 1_005, 950);
		pacer.penalize(20, 1_010, 990);
		const after = starts(pacer, 60, 1_100);
		expect(after[59] - after[0]).toBeLessThan(1_100);
	});

	it('never admits before a retry_after that reaches past the bucket refill', () => {
		const pacer = new TokenBucketPacer();
		pacer.penalize(5_000, 0);
		expect(pacer.acquire(4_999)).toBe(1);
		expect(pacer.acquire(5_000)).toBe(0);
		expect(pacer.acquire(5_000)).toBe(17);
	});

	it('a clock that goes back refills nothing and does not break the model', () => {
		const pacer = new TokenBucketPacer([{ limit: 2, windowMs: 1_000 }], 0);
		expect(pacer.acquire(1_000)).toBe(0);
		expect(pacer.acquire(1_000)).toBe(0);
		expect(pacer.acquire(500)).toBeGreaterThan(0);
		expect(pacer.acquire(1_500)).toBe(0);
	});
});

describe('TokenBucketPacer against the contract buckets, as the transport drives it', () => {
	// 60 ms latency; n8n's own work per request (up to 150 ms before the send, 150 ms after the
	// answer) as on a busy 2-core machine, where 8 in flight measured ~26 requests/s.
	it('one Check Fleet of 1,000 crew at 60 ms: 32 in flight reach the limit, zero 429s', () => {
		const server = contractBuckets();
		const { attempts, finishedAt } = simulate(
			[{ pacer: new TokenBucketPacer(), requests: 1_005, concurrency: 32 }],
			server,
			{ latencyMs: 60, jitterMs: 150 },
		);
		expect(server.refused).toBe(0);
		expect(attempts.every((a) => a === 1)).toBe(true);
		expect(finishedAt[0]).toBeLessThan(1.15 * (bucketLimitMs(1_005) + 60));
	});

	it('8 in flight at the same latency and n8n overhead fall far short of it', () => {
		const server = contractBuckets();
		const { finishedAt } = simulate(
			[{ pacer: new TokenBucketPacer(), requests: 1_005, concurrency: 8 }],
			server,
			{ latencyMs: 60, jitterMs: 150 },
		);
		expect(finishedAt[0]).toBeGreaterThan(1.15 * (bucketLimitMs(1_005) + 60));
	});

	it('the key was spent elsewhere just before: 429s re-synchronise, no request fails', () => {
		// another tool used 900 of the minute budget; this process's pacer starts optimistic
		const server = contractBuckets(900);
		const { attempts, waitedMs } = simulate(
			[{ pacer: new TokenBucketPacer(), requests: 400, concurrency: 32 }],
			server,
		);
		expect(server.served).toBe(400);
		expect(server.refused).toBeGreaterThan(0);
		expect(Math.max(...attempts)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxAttempts);
		expect(Math.max(...waitedMs)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxTotalWaitMs);
		// re-synchronised: the 429s are a small share, not one per request
		expect(server.refused).toBeLessThan(100);
	});

	it('two n8n processes share the key: both finish, at the key sustained rate, no request fails', () => {
		const server = contractBuckets();
		const clients = [
			{ pacer: new TokenBucketPacer(), requests: 1_005, concurrency: 32 },
			{ pacer: new TokenBucketPacer(), requests: 1_005, concurrency: 32, startAt: 3_000 },
		];
		const { attempts, waitedMs, finishedAt } = simulate(clients, server, { seed: 3 });
		expect(server.served).toBe(2_010);
		expect(Math.max(...attempts)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxAttempts);
		expect(Math.max(...waitedMs)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxTotalWaitMs);
		// together no faster than the contract allows, and not much slower
		const last = Math.max(...finishedAt);
		expect(last).toBeGreaterThanOrEqual(bucketLimitMs(2_010));
		expect(last).toBeLessThan(1.5 * bucketLimitMs(2_010));
		expect(server.refused).toBeLessThan(2_010 / 4);
	});
});

describe('pacerFor', () => {
	it('shares one pacer per key fingerprint', () => {
		expect(pacerFor('pacing-test-a')).toBe(pacerFor('pacing-test-a'));
		expect(pacerFor('pacing-test-a')).not.toBe(pacerFor('pacing-test-b'));
	});
});
