/**
 * The poll's budget on each n8n version, and reading within it (an injected clock: time moves
 * only when the test says so).
 */
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type { IPollFunctions } from 'n8n-workflow';

import {
	DEFAULT_SCHEDULER_BUDGET_MS,
	finishReserveMs,
	isDurableTick,
	mapWithinBudget,
	pollBudgetMs,
	schedulerBudgetMs,
	type Clock,
} from '../../../nodes/CrewPassPollingTrigger/budget';

const node = { name: 'CrewPass Polling Trigger' } as never;
const ctx = { getNode: () => node } as Pick<IPollFunctions, 'getNode'>;

/** A clock that moves only when `advance` is called; sleep yields without moving it. */
function fakeClock(start = 0): Clock & { t: number; advance(ms: number): void } {
	return {
		t: start,
		now() {
			return this.t;
		},
		advance(ms: number) {
			this.t += ms;
		},
		sleep: async () => await sleep(0),
	};
}

describe('the budget on each n8n version', () => {
	it('n8n 2.38+: getPollBudgetMs(); older n8n: none', () => {
		const withBudget = { getPollBudgetMs: () => 36_000 } as unknown as IPollFunctions;
		expect(schedulerBudgetMs(withBudget)).toBe(36_000);
		expect(schedulerBudgetMs({} as IPollFunctions)).toBeUndefined();
		const broken = { getPollBudgetMs: () => Number.NaN } as unknown as IPollFunctions;
		expect(schedulerBudgetMs(broken)).toBeUndefined();
	});

	it('the smaller of n8n budget and Max Seconds per Poll', () => {
		expect(pollBudgetMs(36_000, 30)).toBe(30_000); // durable scheduler, 45 s timeout
		expect(pollBudgetMs(5_000, 30)).toBe(5_000); // durable scheduler, 10 s timeout
		expect(pollBudgetMs(DEFAULT_SCHEDULER_BUDGET_MS, 30)).toBe(30_000); // default scheduler
		expect(pollBudgetMs(undefined, 30)).toBe(30_000); // n8n before 2.38
		expect(pollBudgetMs(DEFAULT_SCHEDULER_BUDGET_MS, 600)).toBe(300_000);
	});

	it('a durable tick is a budget other than the default scheduler’s', () => {
		expect(isDurableTick(36_000)).toBe(true);
		expect(isDurableTick(DEFAULT_SCHEDULER_BUDGET_MS)).toBe(false);
		expect(isDurableTick(undefined)).toBe(false);
	});

	it('keeps 250 ms to 3 s for the end of the poll', () => {
		expect(finishReserveMs(1_000)).toBe(250);
		expect(finishReserveMs(5_000)).toBe(500);
		expect(finishReserveMs(300_000)).toBe(3_000);
	});
});

describe('mapWithinBudget', () => {
	it('reads everything when there is time, in order', async () => {
		const clock = fakeClock();
		const { results, done } = await mapWithinBudget(
			ctx,
			[1, 2, 3, 4, 5],
			2,
			10_000,
			async (n) => {
				clock.advance(10);
				return n * 10;
			},
			clock,
		);
		expect({ results, done }).toEqual({ results: [10, 20, 30, 40, 50], done: 5 });
	});

	it('starts no read expected to end after the deadline, and ends by it', async () => {
		const clock = fakeClock();
		let started = 0;
		const { done } = await mapWithinBudget(
			ctx,
			Array.from({ length: 1_000 }, (_, i) => i),
			4,
			5_000,
			async () => {
				started++;
				clock.advance(100);
				await sleep(0);
				return 1;
			},
			clock,
		);
		expect(clock.now()).toBeLessThanOrEqual(5_000);
		expect(done).toBe(started);
		// 100 ms per read, four at a time: a read takes ~400 ms, so the last starts ~600 ms early.
		expect(done).toBeGreaterThan(40);
		expect(done).toBeLessThan(50);
	});

	it('stops waiting at the deadline: a read that does not end is left, with the reads after it', async () => {
		const clock = fakeClock();
		let release: () => void = () => {};
		const stuck = new Promise<void>((resolve) => (release = resolve));
		const run = mapWithinBudget(
			ctx,
			[0, 1, 2, 3],
			4,
			2_000,
			async (n) => {
				if (n === 1) await stuck;
				return n;
			},
			clock,
		);
		await sleep(0);
		clock.advance(2_000);
		const { results, done } = await run;
		expect({ results, done }).toEqual({ results: [0], done: 1 });
		release();
	});

	it('a failure stops new reads and is thrown (the earliest one), as a node error', async () => {
		const clock = fakeClock();
		const api = new NodeApiError(node, { message: 'boom' }, { message: 'CrewPass failed' });
		let calls = 0;
		await expect(
			mapWithinBudget(
				ctx,
				[0, 1, 2, 3, 4, 5],
				1,
				10_000,
				async (n) => {
					calls++;
					if (n === 2) throw api;
					return n;
				},
				clock,
			),
		).rejects.toBe(api);
		expect(calls).toBe(3);
		await expect(
			mapWithinBudget(
				ctx,
				[0],
				1,
				10_000,
				async () => {
					throw new Error('plain');
				},
				clock,
			),
		).rejects.toBeInstanceOf(NodeOperationError);
	});

	it('no time left: no read starts', async () => {
		const clock = fakeClock(10_000);
		const work = jest.fn(async () => 1);
		expect(await mapWithinBudget(ctx, [1, 2], 2, 10_500, work, clock)).toEqual({
			results: [],
			done: 0,
		});
		expect(work).not.toHaveBeenCalled();
	});
});
