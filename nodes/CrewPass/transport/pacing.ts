/**
 * Client-side pacing for CrewPass's read budget (60 requests/s and 1,000 requests/min per partner).
 *
 * A sliding-window log of actual start times: a request starts only when, for every window,
 * the request `limit` places back started at least `windowMs` (+ a margin) ago. Unlike a token
 * bucket it never lets more than `limit` requests into ANY window, so CrewPass's bucket is never
 * drained by a burst.
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
 * n8n's own work between admitting a request and writing it to the socket (credential
 * resolution, authentication, axios) took 5–131 ms per request (p50 34, p90 82, max 131) in the test
 * harness with 8 requests in flight on a busy 2-core machine. Requests admitted a window apart
 * could reach CrewPass closer together; this margin keeps them a full window apart.
 */
export const ADMISSION_MARGIN_MS = 200;

export class SlidingWindowPacer {
	private readonly logs: number[][];

	constructor(
		private readonly windows: RateWindow[] = CREWPASS_READ_BUDGET,
		private readonly marginMs = ADMISSION_MARGIN_MS,
	) {
		this.logs = windows.map(() => []);
	}

	/**
	 * Admits a request that starts now (returns 0 and records it), or returns how long to wait
	 * before asking again (records nothing). Synchronous, so concurrent callers in one process
	 * can never share a slot.
	 */
	acquire(now: number): number {
		let waitMs = 0;
		this.windows.forEach((window, i) => {
			const log = this.logs[i];
			if (log.length >= window.limit) {
				const oldest = log[log.length - window.limit];
				waitMs = Math.max(waitMs, oldest + window.windowMs + this.marginMs - now);
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
