/**
 * Client-side pacing for CrewPass's read budget (60 requests/s and 1,000 requests/min per partner).
 *
 * A sliding-window log: a request may start only when the request `limit` places back started at
 * least `windowMs` ago, for every window. Unlike a token bucket it never lets more than `limit`
 * requests into ANY window, so the server's bucket is never drained by a burst.
 */
export interface RateWindow {
	limit: number;
	windowMs: number;
}

// A little slack on each window so that network jitter cannot squeeze two windows' worth of
// requests into one second on the server's clock.
export const CREWPASS_READ_BUDGET: RateWindow[] = [
	{ limit: 60, windowMs: 1_050 },
	{ limit: 1_000, windowMs: 61_000 },
];

export class SlidingWindowPacer {
	private readonly logs: number[][];

	constructor(private readonly windows: RateWindow[] = CREWPASS_READ_BUDGET) {
		this.logs = windows.map(() => []);
	}

	/**
	 * Reserves the earliest start time allowed by every window and returns how long to wait
	 * before starting. Synchronous, so concurrent callers in one process never share a slot.
	 */
	reserve(now: number): number {
		let startAt = now;
		this.windows.forEach((window, i) => {
			const log = this.logs[i];
			if (log.length >= window.limit) {
				startAt = Math.max(startAt, log[log.length - window.limit] + window.windowMs);
			}
		});
		this.windows.forEach((window, i) => {
			const log = this.logs[i];
			log.push(startAt);
			if (log.length > window.limit) log.splice(0, log.length - window.limit);
		});
		return startAt - now;
	}

	/**
	 * Admits a request that starts NOW, or returns how long to wait before asking again (nothing
	 * recorded then). Unlike `reserve`, the log holds actual start times, so an event-loop stall
	 * between reserving and sending cannot squeeze more than `limit` requests into a window.
	 * `marginMs` widens every window for the time a request still needs between admission and
	 * the wire. Use either `acquire` or `reserve` on one pacer, not both.
	 */
	acquire(now: number, marginMs = 0): number {
		let waitMs = 0;
		this.windows.forEach((window, i) => {
			const log = this.logs[i];
			if (log.length >= window.limit) {
				waitMs = Math.max(
					waitMs,
					log[log.length - window.limit] + window.windowMs + marginMs - now,
				);
			}
		});
		if (waitMs > 0) return waitMs;
		this.windows.forEach((window, i) => {
			const log = this.logs[i];
			log.push(now);
			if (log.length > window.limit) log.splice(0, log.length - window.limit);
		});
		return 0;
	}
}

/**
 * n8n's own work between admitting a request and writing it to the socket (credential
 * resolution, authentication, axios) took 5–131 ms per request (p50 34, p90 82) in the test
 * harness with 8 requests in flight on a busy 2-core machine. Requests admitted a window apart
 * can therefore reach CrewPass closer together; this margin keeps them a full second apart.
 */
export const ADMISSION_MARGIN_MS = 150;

const pacers = new Map<string, SlidingWindowPacer>();
const MAX_PACERS = 100;

/** One pacer per partner key fingerprint, shared by every execution in this n8n process. */
export function pacerFor(fingerprint: string): SlidingWindowPacer {
	let pacer = pacers.get(fingerprint);
	if (!pacer) {
		if (pacers.size >= MAX_PACERS) pacers.delete(pacers.keys().next().value as string);
		pacer = new SlidingWindowPacer();
		pacers.set(fingerprint, pacer);
	}
	return pacer;
}
