/**
 * Client-side pacing for CrewPass's read budget: 60 requests/s and 1,000 requests/min per partner,
 * enforced by CrewPass "using a token bucket" (contract, Rate limits).
 *
 * The pacer keeps a model of CrewPass's two buckets for one API key. Each bucket holds at most
 * `limit` tokens and refills continuously at `limit / windowMs`; a request takes one token from
 * every bucket. The model starts optimistic (both buckets full), so a fresh key gets the burst
 * the contract allows: about 1,000 requests at 60/s, then 1,000/60 per second.
 *
 * Requests we admit reach CrewPass a little later, and not all equally later (n8n's own work
 * between admission and the socket write measured 5–131 ms per request on a busy 2-core machine,
 * and stalls of a few hundred ms on an overloaded one).
 * A burst admitted over a short span can therefore arrive over an even shorter one. The model
 * keeps `headroomMs` worth of refill in reserve in every bucket (the bucket's capacity is
 * `limit - rate × headroomMs`): the sustained rate is unchanged, only the first burst is a few
 * requests smaller, and no arrival jitter up to `headroomMs` can drain CrewPass's bucket.
 *
 * Other workflows (other n8n processes, other tools) may spend the same key's budget; the model
 * cannot see them. A 429 is the re-synchronisation: `penalize(retryAfterMs, now)` stops every
 * admission for `retry_after_seconds` and leaves the model's fastest bucket with just one
 * token by then. A second
 * 429 for a request admitted after that (the budget is really shared, not just a burst) also
 * empties the slower buckets, so the key then runs at its sustained 1,000/min. The transport
 * retries every 429: no item fails because of the limit.
 *
 * Pure and synchronous, with the clock passed in: concurrent callers in one process can never
 * share a token, and tests drive it with any clock.
 */
export interface RateWindow {
	limit: number;
	windowMs: number;
}

export const CREWPASS_READ_BUDGET: RateWindow[] = [
	{ limit: 60, windowMs: 1_000 },
	{ limit: 1_000, windowMs: 60_000 },
];

/**
 * Refill held in reserve against arrival jitter (see above): 500 ms is 30 requests of the
 * per-second bucket and 8 of the per-minute one; it costs a fresh key's run 0.5 s once. With
 * 200 ms, a 1,000-crew Check Fleet in a real n8n on an overloaded 2-core machine (load average
 * 17) drew one 429: requests admitted apart were sent together after a stall.
 */
export const ADMISSION_MARGIN_MS = 500;

/**
 * Requests to keep in flight so the pacer, not the round trip, sets the pace: the fastest
 * sustained rate times the time one request takes (CrewPass's latency plus n8n's own work),
 * plus one. At 60/s: 8 in flight suffice up to ~115 ms per request, 32 up to ~515 ms.
 * Requests beyond what the budget allows wait in the pacer, not on the wire.
 */
export function concurrencyFor(
	requestMs: number,
	windows: RateWindow[] = CREWPASS_READ_BUDGET,
): number {
	const perMs = Math.max(...windows.map((w) => w.limit / w.windowMs));
	return Math.max(1, Math.ceil(perMs * Math.max(0, requestMs)) + 1);
}

/**
 * How long `requests` requests take at least on a fresh key (both buckets full), in ms: the
 * moment the last one may start. For CrewPass's read budget that is
 * max(0, (requests − 60) / 60 s, (requests − 1,000) × 60 ms): 1,005 requests ≈ 15.75 s,
 * 2,010 ≈ 60.6 s, then 60 s per further 1,000.
 */
export function bucketLimitMs(requests: number, windows: RateWindow[] = CREWPASS_READ_BUDGET) {
	return Math.max(0, ...windows.map((w) => ((requests - w.limit) * w.windowMs) / w.limit));
}

interface Bucket {
	capacity: number;
	/** Tokens per millisecond. */
	rate: number;
	tokens: number;
}

export class TokenBucketPacer {
	private readonly buckets: Bucket[];
	private updatedAt: number | undefined;
	private blockedUntil = Number.NEGATIVE_INFINITY;
	private lastPenaltyAt = Number.NEGATIVE_INFINITY;
	private readonly slowestWindowMs: number;

	constructor(windows: RateWindow[] = CREWPASS_READ_BUDGET, headroomMs = ADMISSION_MARGIN_MS) {
		this.buckets = windows.map(({ limit, windowMs }) => {
			const rate = limit / windowMs;
			const capacity = Math.max(1, limit - rate * headroomMs);
			return { capacity, rate, tokens: capacity };
		});
		this.slowestWindowMs = Math.max(...windows.map((w) => w.windowMs));
	}

	private refill(now: number): void {
		if (this.updatedAt !== undefined && now > this.updatedAt) {
			const elapsed = now - this.updatedAt;
			for (const b of this.buckets) b.tokens = Math.min(b.capacity, b.tokens + elapsed * b.rate);
		}
		if (this.updatedAt === undefined || now > this.updatedAt) this.updatedAt = now;
	}

	/** ms until every bucket holds a whole token and no 429 back-off is running (0 = now). */
	private waitAt(now: number): number {
		let wait = Math.max(0, this.blockedUntil - now);
		for (const b of this.buckets) {
			if (b.tokens < 1) wait = Math.max(wait, (1 - b.tokens) / b.rate);
		}
		return wait > 1e-6 ? Math.max(1, Math.ceil(wait - 1e-6)) : 0;
	}

	/**
	 * Admits a request that starts now (returns 0 and takes its tokens), or returns how long to
	 * wait before asking again (takes nothing).
	 */
	acquire(now: number): number {
		this.refill(now);
		const wait = this.waitAt(now);
		if (wait > 0) return wait;
		for (const b of this.buckets) b.tokens -= 1;
		return 0;
	}

	/**
	 * Books the next free start for a request and takes its tokens at once (the buckets may go
	 * into debt); returns how long to wait before sending (0 = now). The caller sleeps that long
	 * and sends without asking again: waiting callers are served first come, first served,
	 * with one wake-up each.
	 */
	reserve(now: number): number {
		this.refill(now);
		const wait = this.waitAt(now);
		for (const b of this.buckets) b.tokens -= 1;
		return wait;
	}

	/**
	 * A request got a 429 with `retry_after_seconds` (as ms). Re-synchronises the model with
	 * CrewPass's buckets, which other clients of the key may be draining too: nothing starts
	 * before `now + retryAfterMs`, and the fastest bucket holds just one token then (as
	 * CrewPass's does when retry_after_seconds is over). When a request
	 * admitted after the previous 429 is refused again within the slowest window, every bucket
	 * is emptied. Pass `admittedAt` (when the refused request was admitted) so that 429s of
	 * requests already in flight at the previous 429 are not taken for a repeat; without it, a
	 * 429 counts as a repeat once the previous back-off has ended.
	 */
	penalize(retryAfterMs: number, now: number, admittedAt?: number): void {
		this.refill(now);
		const wait = Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs) : 1_000;
		const repeat =
			now - this.lastPenaltyAt <= this.slowestWindowMs &&
			(admittedAt === undefined ? now >= this.blockedUntil : admittedAt >= this.lastPenaltyAt);
		const fastest = Math.max(...this.buckets.map((b) => b.rate));
		for (const b of this.buckets) {
			if (b.rate === fastest || repeat) b.tokens = Math.min(b.tokens, 1 - b.rate * wait);
		}
		this.blockedUntil = Math.max(this.blockedUntil, now + wait);
		this.lastPenaltyAt = now;
	}

	/** Tokens the model holds now, per bucket (for tests and diagnostics). */
	tokens(now: number): number[] {
		this.refill(now);
		return this.buckets.map((b) => b.tokens);
	}
}

const pacers = new Map<string, TokenBucketPacer>();
const MAX_PACERS = 100;

/** One pacer per partner key fingerprint, shared by every execution in this n8n process. */
export function pacerFor(fingerprint: string): TokenBucketPacer {
	let pacer = pacers.get(fingerprint);
	if (!pacer) {
		if (pacers.size >= MAX_PACERS) pacers.delete(pacers.keys().next().value as string);
		pacer = new TokenBucketPacer();
		pacers.set(fingerprint, pacer);
	}
	return pacer;
}
