/**
 * One roster walk for many `crew.status.changed` events. A status event's latest details are
 * the crew member's fleet row, and the roster (`GET /employers/me/fleet`, pages of 200) is the
 * only place CrewPass gives it: walked per event, a burst of 1,000 status events on a
 * 10,000-crew fleet would cost up to 50,000 requests. Instead, per API key and n8n process:
 *
 * - A walk starts `gatherMs` after the first status event that needs one, and never sooner
 *   than `spacingMs` after the previous walk of the key started, nor before it ended.
 * - Every status event that arrives before the walk starts waits for it; the walk stops at the
 *   page where the last of their crew members is found (the whole roster when one is missing).
 *   Events that arrive once it has started wait for the next walk.
 * - So a walk always starts after the event it serves arrived: the row is never older than the
 *   event (a roster read before the change could still show the old status). Nothing is kept
 *   once a walk has served its events.
 * - A walk that fails fails each of its events' latest details (latest_details_error); the
 *   events themselves pass on, and the next walk waits its spacing like any other.
 *
 * The scheduling is pure (the clock is passed in); the walk itself is the caller's.
 */

/** Tunable by tests; the defaults suit production. */
export const sharedRosterSettings = {
	/** How long a walk waits for more status events after the first one that needs it. */
	gatherMs: 1_000,
	/** The least time between the starts of two walks of one key. */
	windowMs: 10_000,
	/**
	 * Spacing per roster page walked: 180 ms per page keeps these walks at most a third of the
	 * key's 1,000 requests per minute (333 pages per minute), however large the fleet. It governs
	 * only walks of more than 55 pages (11,000 crew); smaller ones are spaced by `windowMs`.
	 */
	msPerPage: 180,
};

export type SharedRosterSettings = typeof sharedRosterSettings;

/** A finished walk: when it started and ended, and how many pages it read. */
export interface WalkRecord {
	startedAt: number;
	endedAt: number;
	pages: number;
}

/** The least time between the starts of a walk of `pages` pages and the next one. */
export function spacingMs(pages: number, settings: SharedRosterSettings): number {
	return Math.max(settings.windowMs, pages * settings.msPerPage);
}

/**
 * When the next walk may start: `gatherMs` after its first event asked, not before the previous
 * walk ended, and at least its spacing after the previous walk started.
 */
export function nextWalkAt(
	firstAskedAt: number,
	previous: WalkRecord | undefined,
	settings: SharedRosterSettings,
): number {
	const gathered = firstAskedAt + settings.gatherMs;
	if (!previous) return gathered;
	return Math.max(
		gathered,
		previous.endedAt,
		previous.startedAt + spacingMs(previous.pages, settings),
	);
}

/** What one walk found: the first fleet row of each wanted crew member on it, and its pages. */
export interface WalkResult<Row> {
	rows: Map<string, Row>;
	pages: number;
}

/** Walks the roster for these crew members (the set is complete once the walk starts). */
export type RosterWalk<Row> = (wanted: ReadonlySet<string>) => Promise<WalkResult<Row>>;

export interface Clock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

interface Batch<Row> {
	wanted: Set<string>;
	result: Promise<Map<string, Row>>;
}

/** The walks of one API key: at most one gathering, at most one running. */
export class SharedRoster<Row> {
	private gathering?: Batch<Row>;
	private running?: Promise<unknown>;
	private last?: WalkRecord;

	constructor(
		private readonly clock: Clock,
		private readonly settings: SharedRosterSettings = sharedRosterSettings,
	) {}

	/**
	 * The crew member's fleet row from the next walk (undefined when not on the roster). `walk`
	 * is used only if this call is the first of a new walk: the first event's context reads for
	 * all of them (the same API key, by construction of the caller's registry).
	 */
	async find(crewId: string, walk: RosterWalk<Row>): Promise<Row | undefined> {
		let batch = this.gathering;
		if (batch) {
			batch.wanted.add(crewId);
		} else {
			batch = { wanted: new Set([crewId]) } as Batch<Row>;
			this.gathering = batch;
			batch.result = this.run(batch, walk);
		}
		return (await batch.result).get(crewId);
	}

	private async run(batch: Batch<Row>, walk: RosterWalk<Row>): Promise<Map<string, Row>> {
		const askedAt = this.clock.now();
		for (;;) {
			if (this.running) {
				await this.running.catch(() => undefined);
				continue;
			}
			const waitMs = nextWalkAt(askedAt, this.last, this.settings) - this.clock.now();
			if (waitMs <= 0) break;
			await this.clock.sleep(waitMs);
		}
		// From here on, arriving events gather for the next walk.
		if (this.gathering === batch) this.gathering = undefined;
		const startedAt = this.clock.now();
		const running = walk(batch.wanted);
		this.running = running;
		let pages = 0; // a failed walk is spaced by the window alone
		try {
			const result = await running;
			pages = result.pages;
			return result.rows;
		} finally {
			this.last = { startedAt, endedAt: this.clock.now(), pages };
			this.running = undefined;
		}
	}
}

/**
 * The first fleet row of each wanted crew member, from roster pages in order; stops at the page
 * where the last one is found.
 */
export async function firstRowsOf<Row extends { crew_unique_id?: unknown }>(
	pages: AsyncIterable<{ items: Row[] }>,
	wanted: ReadonlySet<string>,
): Promise<WalkResult<Row>> {
	const rows = new Map<string, Row>();
	let count = 0;
	for await (const page of pages) {
		count++;
		for (const row of page.items) {
			const id = row.crew_unique_id;
			if (typeof id === 'string' && wanted.has(id) && !rows.has(id)) rows.set(id, row);
		}
		if (rows.size === wanted.size) break;
	}
	return { rows, pages: count };
}
