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
 * and stalls of a few hundred ms on an overloaded one). A burst admitted over a span can
 * therefore arrive over a span up to `lagMs` shorter. The model credits refill `lagMs` late:
 * it admits a request only if, for every earlier moment s, the requests admitted since s fit in
 * limit + rate × (time since s − lagMs). Whatever arrives within any span then was admitted
 * within that span plus lagMs, so it fits in limit + rate × span: CrewPass's bucket never runs
 * dry for arrival delays up to `lagMs`. A fresh key still gets its whole burst at once (60
 * requests); only the refill after it starts `lagMs` later.
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
 * How late refill is credited, against arrival jitter (see above): it costs a run that outlasts
 * the burst 0.5 s once (30 requests of the per-second bucket). With a 200 ms reserve, a
 * 1,000-crew Check Fleet in a real n8n on an overloaded 2-core machine (load average 17) drew
 * one 429: requests admitted apart were sent together after a stall.
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

/**
 * One of CrewPass's buckets as the model sees it `lagMs` ago: `tokens` at `at` counts every
 * admission up to `at`; `recent` holds the admissions since (oldest first), still to be taken.
 */
interface Bucket {
	capacity: number;
	/** Tokens per millisecond. */
	rate: number;
	tokens: number;
	at: number;
	recent: number[];
}

export class TokenBucketPacer {
	private readonly buckets: Bucket[];
	private latest = Number.NEGATIVE_INFINITY;
	private blockedUntil = Number.NEGATIVE_INFINITY;
	private lastPenaltyAt = Number.NEGATIVE_INFINITY;
	private readonly slowestWindowMs: number;

	constructor(
		windows: RateWindow[] = CREWPASS_READ_BUDGET,
		private readonly lagMs = ADMISSION_MARGIN_MS,
	) {
		this.buckets = windows.map(({ limit, windowMs }) => ({
			capacity: limit,
			rate: limit / windowMs,
			tokens: limit,
			at: Number.NEGATIVE_INFINITY,
			recent: [],
		}));
		this.slowestWindowMs = Math.max(...windows.map((w) => w.windowMs));
	}

	/** A clock that goes back is held at the latest time seen: it refills nothing. */
	private clock(now: number): number {
		this.latest = Math.max(this.latest, now);
		return this.latest;
	}

	private static refill(b: Bucket, to: number): void {
		if (to <= b.at) return;
		b.tokens = Number.isFinite(b.at)
			? Math.min(b.capacity, b.tokens + (to - b.at) * b.rate)
			: b.capacity;
		b.at = to;
	}

	/** Moves the lagged view to `now − lagMs`: admissions older than that take their tokens. */
	private advance(now: number): void {
		const to = now - this.lagMs;
		for (const b of this.buckets) {
			while (b.recent.length && b.recent[0] <= to) {
				TokenBucketPacer.refill(b, b.recent.shift()!);
				b.tokens -= 1;
			}
			TokenBucketPacer.refill(b, to);
		}
	}

	/**
	 * The first moment (ms, ≥ now) at which `b` can admit one more request: its lagged tokens
	 * then cover the admissions still in `recent` plus this one. Steps through the moments the
	 * recent admissions take their tokens (at most the bucket's limit of them).
	 */
	private nextStart(b: Bucket, now: number): number {
		let tokens = b.tokens;
		let at = Math.max(now - this.lagMs, b.at);
		for (let i = 0; ; i++) {
			const pending = b.recent.length - i;
			const needed = pending + 1;
			const next = i < b.recent.length ? b.recent[i] : Number.POSITIVE_INFINITY;
			if (needed <= b.capacity) {
				if (tokens >= needed) return at + this.lagMs;
				const reachedAt = at + (needed - tokens) / b.rate;
				if (reachedAt <= next) return reachedAt + this.lagMs;
			}
			tokens = Math.min(b.capacity, tokens + (next - at) * b.rate) - 1;
			at = next;
		}
	}

	/** ms until every bucket admits and no 429 back-off is running (0 = now). */
	private waitAt(now: number): number {
		let wait = Math.max(0, this.blockedUntil - now);
		for (const b of this.buckets) wait = Math.max(wait, this.nextStart(b, now) - now);
		return wait > 1e-6 ? Math.max(1, Math.ceil(wait - 1e-6)) : 0;
	}

	/**
	 * Admits a request that starts now (returns 0 and takes its tokens), or returns how long to
	 * wait before asking again (takes nothing).
	 */
	acquire(nowMs: number): number {
		const now = this.clock(nowMs);
		this.advance(now);
		const wait = this.waitAt(now);
		if (wait > 0) return wait;
		for (const b of this.buckets) b.recent.push(now);
		return 0;
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
	penalize(retryAfterMs: number, nowMs: number, admittedAt?: number): void {
		const now = this.clock(nowMs);
		this.advance(now);
		const wait = Number.isFinite(retryAfterMs) ? Math.max(0, retryAfterMs) : 1_000;
		const repeat =
			now - this.lastPenaltyAt <= this.slowestWindowMs &&
			(admittedAt === undefined ? now >= this.blockedUntil : admittedAt >= this.lastPenaltyAt);
		const fastest = Math.max(...this.buckets.map((b) => b.rate));
		const resumeAt = now + wait;
		for (const b of this.buckets) {
			if ((b.rate === fastest || repeat) && this.nextStart(b, now) <= resumeAt) {
				// One token at resumeAt, none before, and refill credited from then on.
				b.tokens = 1;
				b.at = resumeAt - this.lagMs;
				b.recent = [];
			}
		}
		this.blockedUntil = Math.max(this.blockedUntil, resumeAt);
		this.lastPenaltyAt = now;
	}

	/** Requests each bucket would admit at once now (for tests and diagnostics). */
	tokens(nowMs: number): number[] {
		const now = this.clock(nowMs);
		this.advance(now);
		return this.buckets.map((b) => b.tokens - b.recent.length);
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
