import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

/**
 * Runs `work` over `items` with at most `concurrency` calls in flight (a Promise-based worker
 * pool: no timers). Results keep the order of `items`. On the first failure no new work starts;
 * the calls already in flight are awaited (nothing is left running or unhandled), then the
 * failure of the earliest item is thrown as a NodeApiError / NodeOperationError: every item
 * before it was started and succeeded, so which error a run stops with does not depend on which
 * answer came back first.
 */
export async function mapWithConcurrency<T, R>(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	items: readonly T[],
	concurrency: number,
	work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
	const results = new Array<R>(items.length);
	let next = 0;
	let failure: { error: unknown; index: number } | undefined;
	const fail = (error: unknown, index: number) => {
		if (failure === undefined || index < failure.index) failure = { error, index };
	};
	const worker = async () => {
		while (failure === undefined && next < items.length) {
			const index = next++;
			try {
				results[index] = await work(items[index], index);
			} catch (error) {
				fail(error, index);
			}
		}
	};
	const workers = Math.max(1, Math.min(concurrency, items.length));
	await Promise.all(Array.from({ length: workers }, worker));
	if (failure) {
		const { error } = failure;
		if (error instanceof NodeApiError || error instanceof NodeOperationError) throw error;
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
	return results;
}
