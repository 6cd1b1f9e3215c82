/**
 * The hand-off of an accepted delivery to n8n. webhook() returns the event before n8n has created
 * its execution; n8n then answers CrewPass 2xx once the execution exists (in queue mode: once it
 * is queued) and 500 when creating or queueing it failed (its database or Redis busy or down).
 * The event id is recorded at once, so concurrent copies are never started twice; while the
 * hand-off is pending, a copy waits for its answer, and a failed hand-off forgets the id, so the
 * copy (or CrewPass's retry) starts the event instead of being answered as a duplicate.
 */

/** The parts of n8n's (express) response a hand-off watches. */
export interface HandOffResponse {
	statusCode?: number;
	end?: (...args: never[]) => unknown;
}

/**
 * Resolves true once n8n answers the delivery 2xx, false when it answers anything else. Watches
 * the answer n8n writes (`end`), not the socket: when the connection closed first (a proxy gave
 * up after its read timeout, CrewPass timed out), n8n still decides, and CrewPass retries. A
 * response without `end` (not an HTTP response) counts as handed off at once.
 */
export async function watchHandOff(res: HandOffResponse): Promise<boolean> {
	const end = res.end;
	if (typeof end !== 'function') return true;
	return await new Promise<boolean>((resolve) => {
		res.end = function (this: unknown, ...args: never[]) {
			res.end = end;
			resolve((res.statusCode ?? 200) < 300);
			return end.apply(this, args);
		};
	});
}

/**
 * How long an accepted event counts as having its execution still to come in this process. Past
 * this it is not waited for: its execution may never run here (n8n stopped first; in queue mode
 * executions run on a worker, which never hands off).
 */
export const EXECUTION_EXPECTED_WITHIN_MS = 60_000;

/**
 * The hand-offs still pending in this process, per trigger memory and event id; and the accepted
 * events whose execution has not run the trigger's execute() yet (persist.ts saves the ids less
 * often while such executions are still to come: the last of them saves).
 */
export class PendingHandOffs {
	private readonly pending = new Map<string, Promise<boolean>>();

	/** event id → when it was accepted (ms), oldest first. */
	private readonly toRun = new Map<string, number>();

	/** The pending hand-off of `eventId`, if there is one. */
	get(eventId: string): Promise<boolean> | undefined {
		return this.pending.get(eventId);
	}

	/**
	 * Tracks the hand-off of `eventId` until it settles; `onFailed` runs (before any waiting
	 * copy resumes) when n8n did not take the event.
	 */
	track(
		eventId: string,
		outcome: Promise<boolean>,
		onFailed: () => void,
		nowMs: number = Date.now(),
	): void {
		this.toRun.delete(eventId);
		this.toRun.set(eventId, nowMs);
		this.forgetOverdue(nowMs);
		const settled = outcome.then((ok) => {
			if (this.pending.get(eventId) === settled) this.pending.delete(eventId);
			if (!ok) {
				this.toRun.delete(eventId);
				onFailed();
			}
			return ok;
		});
		this.pending.set(eventId, settled);
	}

	/**
	 * The execution of `eventIds` runs execute() now. Returns how many other accepted events of
	 * this trigger still have their execution to come (accepted within
	 * EXECUTION_EXPECTED_WITHIN_MS, hand-off not failed).
	 */
	executionsRan(eventIds: readonly string[], nowMs: number): number {
		for (const id of eventIds) this.toRun.delete(id);
		this.forgetOverdue(nowMs);
		return this.toRun.size;
	}

	private forgetOverdue(nowMs: number): void {
		for (const [id, acceptedAt] of this.toRun) {
			if (nowMs - acceptedAt < EXECUTION_EXPECTED_WITHIN_MS) break;
			this.toRun.delete(id);
		}
	}

	get size(): number {
		return this.pending.size;
	}
}
