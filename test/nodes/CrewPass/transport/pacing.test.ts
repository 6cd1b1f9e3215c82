import {
	CREWPASS_READ_BUDGET,
	SlidingWindowPacer,
} from '../../../../nodes/CrewPass/transport/pacing';

/** The most start times found inside any window of `windowMs`. */
function busiestWindow(starts: number[], windowMs: number): number {
	let most = 0;
	let first = 0;
	for (let last = 0; last < starts.length; last++) {
		while (starts[last] - starts[first] >= windowMs) first++;
		most = Math.max(most, last - first + 1);
	}
	return most;
}

/** Start times of `count` requests that all want to go at t=0, as the transport's loop does. */
function simulate(pacer: SlidingWindowPacer, count: number): number[] {
	const starts: number[] = [];
	let now = 0;
	while (starts.length < count) {
		const wait = pacer.acquire(now);
		if (wait === 0) starts.push(now);
		else now += wait;
	}
	return starts;
}

describe('SlidingWindowPacer', () => {
	it('admits the first 60 requests at once and the 61st a window plus the margin later', () => {
		const pacer = new SlidingWindowPacer([{ limit: 60, windowMs: 1_000 }], 150);
		const waits = Array.from({ length: 60 }, () => pacer.acquire(0));
		expect(waits.every((wait) => wait === 0)).toBe(true);
		expect(pacer.acquire(0)).toBe(1_150);
		expect(pacer.acquire(500)).toBe(650);
		expect(pacer.acquire(1_150)).toBe(0);
	});

	it('records nothing when it asks a caller to wait', () => {
		const pacer = new SlidingWindowPacer([{ limit: 1, windowMs: 100 }], 0);
		expect(pacer.acquire(0)).toBe(0);
		expect(pacer.acquire(10)).toBe(90);
		expect(pacer.acquire(20)).toBe(80);
		expect(pacer.acquire(100)).toBe(0);
	});

	it('never lets more than the budget into any window, for a burst of 2,500 requests', () => {
		const starts = simulate(new SlidingWindowPacer(), 2_500);
		for (const { limit, windowMs } of CREWPASS_READ_BUDGET) {
			expect(busiestWindow(starts, windowMs)).toBeLessThanOrEqual(limit);
		}
		expect(busiestWindow(starts, 1_000)).toBe(60);
		// About 52/s for the first 1,000; then the 1,000-per-minute window governs.
		expect(starts[999]).toBeLessThan(20_000);
		expect(starts[1_000]).toBeGreaterThanOrEqual(60_000);
	});
});
