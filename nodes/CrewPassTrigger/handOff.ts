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
	writableFinished?: boolean;
	once?(event: 'finish' | 'close', listener: () => void): unknown;
}

/**
 * Resolves true once n8n answered the delivery 2xx, false when it answered anything else. A
 * connection closed before any answer counts as handed off: n8n goes on creating the execution,
 * and CrewPass's retry must not start it a second time. Without events to watch (not an HTTP
 * response), the hand-off counts as done.
 */
export async function watchHandOff(res: HandOffResponse): Promise<boolean> {
	if (typeof res.once !== 'function') return true;
	const once = res.once.bind(res);
	const succeeded = () => (res.statusCode ?? 200) < 300;
	return await new Promise<boolean>((resolve) => {
		once('finish', () => resolve(succeeded()));
		once('close', () => resolve(res.writableFinished === true ? succeeded() : true));
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
