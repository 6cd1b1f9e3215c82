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

/** The hand-offs still pending in this process, per trigger memory and event id. */
export class PendingHandOffs {
	private readonly pending = new Map<string, Promise<boolean>>();

	/** The pending hand-off of `eventId`, if there is one. */
	get(eventId: string): Promise<boolean> | undefined {
		return this.pending.get(eventId);
	}

	/**
	 * Tracks the hand-off of `eventId` until it settles; `onFailed` runs (before any waiting
	 * copy resumes) when n8n did not take the event.
	 */
	track(eventId: string, outcome: Promise<boolean>, onFailed: () => void): void {
		const settled = outcome.then((ok) => {
			if (this.pending.get(eventId) === settled) this.pending.delete(eventId);
			if (!ok) onFailed();
			return ok;
		});
		this.pending.set(eventId, settled);
	}

	get size(): number {
		return this.pending.size;
	}
}
