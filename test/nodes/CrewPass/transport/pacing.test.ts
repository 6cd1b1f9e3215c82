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

describe('SlidingWindowPacer', () => {
	it('lets the first 60 requests start at once and the 61st only a window later', () => {
		const pacer = new SlidingWindowPacer([{ limit: 60, windowMs: 1_000 }]);
		const waits = Array.from({ length: 61 }, () => pacer.reserve(0));
		expect(waits.slice(0, 60).every((wait) => wait === 0)).toBe(true);
		expect(waits[60]).toBe(1_000);
	});

	it('never lets more than the budget into any window, for a burst of 2,500 requests', () => {
		const pacer = new SlidingWindowPacer();
		const starts = Array.from({ length: 2_500 }, () => pacer.reserve(0));
		for (const { limit, windowMs } of CREWPASS_READ_BUDGET) {
			expect(busiestWindow(starts, windowMs)).toBeLessThanOrEqual(limit);
		}
		// 60/s holds for the first 1,000 requests; then the 1,000/min window governs.
		expect(busiestWindow(starts, 1_000)).toBe(60);
		expect(starts[999]).toBeLessThan(17_000);
		expect(starts[1_000]).toBeGreaterThanOrEqual(61_000);
	});

	it('reserves without sleeping callers sharing a slot (reservations are synchronous)', () => {
		const pacer = new SlidingWindowPacer([{ limit: 2, windowMs: 100 }]);
		expect([pacer.reserve(0), pacer.reserve(0), pacer.reserve(0), pacer.reserve(0)]).toEqual([
			0, 0, 100, 100,
		]);
		expect(pacer.reserve(150)).toBe(50);
	});
});
