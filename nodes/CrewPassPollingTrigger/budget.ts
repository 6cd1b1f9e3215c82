/**
 * How long a poll may take, and reading within it. n8n's durable scheduler abandons a poll past
 * its timeout (N8N_SCHEDULER_POLL_TIMEOUT, 45 s by default): the result is dropped, nothing is
 * saved. n8n-workflow 2.38 and later tell a poll its budget (`getPollBudgetMs()`: the timeout less
 * a margin, 36 s by default; 300,000 ms on the default scheduler, which has no timeout); older n8n
 * lack it. The node's own option, Max Seconds per Poll, bounds a poll on every scheduler.
 */
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type { IPollFunctions } from 'n8n-workflow';

/** What `getPollBudgetMs()` returns on n8n's default scheduler (n8n-core's PollContext). */
export const DEFAULT_SCHEDULER_BUDGET_MS = 300_000;

export const DEFAULT_MAX_SECONDS_PER_POLL = 30;
export const MAX_SECONDS_PER_POLL_LIMIT = 3_600;

/** The poll's clock: replaced by tests (an injected clock), Date.now and n8n's sleep otherwise. */
export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export const pollClock: Clock = {
	now: () => Date.now(),
	sleep: async (ms) => await sleep(ms),
};

/** The budget n8n gives this poll, or undefined on n8n without `getPollBudgetMs` (before 2.38). */
export function schedulerBudgetMs(ctx: IPollFunctions): number | undefined {
	const read = (ctx as Partial<Pick<IPollFunctions, 'getPollBudgetMs'>>).getPollBudgetMs;
	if (typeof read !== 'function') return undefined;
	const ms = Number(read.call(ctx));
	return Number.isFinite(ms) && ms > 0 ? ms : undefined;
}

/** The time this poll may take: the smaller of n8n's budget and Max Seconds per Poll. */
export function pollBudgetMs(schedulerMs: number | undefined, maxSecondsPerPoll: number): number {
	return Math.min(maxSecondsPerPoll * 1_000, schedulerMs ?? Number.POSITIVE_INFINITY);
}

/**
 * Whether this poll is a tick of n8n's durable scheduler: the only poll context whose budget is
 * not the default scheduler's 300,000 ms (n8n 2.38+). Every such tick gets a fresh static-data
 * object, so the object's identity says nothing about activation there.
 */
export function isDurableTick(schedulerMs: number | undefined): boolean {
	return schedulerMs !== undefined && schedulerMs !== DEFAULT_SCHEDULER_BUDGET_MS;
}

/** Kept free at the end of a poll for the diff, the saved state and n8n's hand-off. */
export function finishReserveMs(budgetMs: number): number {
	return Math.min(3_000, Math.max(250, budgetMs * 0.1));
}

/** Before a read's time is known: the guess for how long one per-crew read takes. */
export const FIRST_READ_ESTIMATE_MS = 500;

/** Between checks of the clock while the last reads finish. */
const DRAIN_STEP_MS = 250;

/**
 * Runs `work` over `items` in order, at most `concurrency` at once, until `deadline` (a
 * `clock.now()` value): a read starts only while it is expected to end before the deadline
 * (1.5 × the smoothed time reads take), and the poll waits for the reads in flight no later than
 * the deadline. Returns the results of the longest completed run from the first item (`done`
 * of them); reads still in flight then are left to finish unheard. A failure stops new reads and
 * is thrown (the earliest item's), as a NodeApiError / NodeOperationError.
 */
export async function mapWithinBudget<T, R>(
	ctx: Pick<IPollFunctions, 'getNode'>,
	items: readonly T[],
	concurrency: number,
	deadline: number,
	work: (item: T) => Promise<R>,
	clock: Clock = pollClock,
): Promise<{ results: R[]; done: number }> {
	const results = new Array<R>(items.length);
	const finished = new Array<boolean>(items.length).fill(false);
	let next = 0;
	let estimateMs = FIRST_READ_ESTIMATE_MS;
	let measured = false;
	let over = false;
	let failure: { error: unknown; index: number } | undefined;
	const mayStart = () =>
		!over &&
		failure === undefined &&
		next < items.length &&
		clock.now() + 1.5 * estimateMs < deadline;
	const worker = async () => {
		while (mayStart()) {
			const index = next++;
			const startedAt = clock.now();
			try {
				results[index] = await work(items[index]);
				finished[index] = true;
				const took = Math.max(0, clock.now() - startedAt);
				estimateMs = measured ? 0.8 * estimateMs + 0.2 * took : took;
				measured = true;
			} catch (error) {
				if (failure === undefined || index < failure.index) failure = { error, index };
			}
		}
	};
	let settled = false;
	const all = Promise.all(
		Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker),
	).then(() => {
		settled = true;
	});
	while (!settled && clock.now() < deadline) {
		await Promise.race([all, clock.sleep(Math.min(DRAIN_STEP_MS, deadline - clock.now()))]);
	}
	over = true;
	if (failure) {
		const { error } = failure;
		if (error instanceof NodeApiError || error instanceof NodeOperationError) throw error;
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
	let done = 0;
	while (done < items.length && finished[done]) done++;
	return { results: results.slice(0, done), done };
}
