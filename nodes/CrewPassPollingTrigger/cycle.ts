/**
 * The per-crew reads (compliance per roster row, documents per crew member) as one pass over the
 * fleet, read a slice per poll. The reads are ordered by a key (crew member, then the read), so a
 * position in the pass survives roster changes: the cursor is the key of the last read done, and
 * the next slice starts at the first read after it. Pure.
 */
import type { ChangeSource } from './changes';
import { rowKey, type RosterEntry } from './snapshot';

/** Where the pass stands, kept in the saved state with the values it read. */
export interface Cycle {
	/** When the current pass began (ISO 8601); null: the next poll begins a new pass. */
	startedAt: string | null;
	/** The key of the last read done in this pass; null: none yet. */
	after: string | null;
	/** When the pass before began; null until a first pass is complete. */
	previousStartedAt: string | null;
}

export const NEW_CYCLE: Cycle = { startedAt: null, after: null, previousStartedAt: null };

/** One per-crew read. */
export type CrewTask =
	| { key: string; source: 'compliance'; crew: string; vessel: string; row: string }
	| { key: string; source: 'documents'; crew: string };

/** The key of a compliance read sorts before the crew member's documents read. */
export const complianceTaskKey = (crew: string, vessel: string) => `${crew}\u0000c${vessel}`;
export const documentsTaskKey = (crew: string) => `${crew}\u0000d`;

const byKey = (a: { key: string }, b: { key: string }) =>
	a.key < b.key ? -1 : a.key > b.key ? 1 : 0;

/** Every per-crew read the selected changes need for this roster, in pass order. */
export function crewTasks(
	roster: Map<string, RosterEntry>,
	sources: ReadonlySet<ChangeSource>,
): CrewTask[] {
	const tasks: CrewTask[] = [];
	const crews = new Set<string>();
	for (const entry of roster.values()) {
		if (sources.has('compliance')) {
			tasks.push({
				key: complianceTaskKey(entry.crew, entry.vessel),
				source: 'compliance',
				crew: entry.crew,
				vessel: entry.vessel,
				row: rowKey(entry.crew, entry.vessel),
			});
		}
		if (sources.has('documents') && !crews.has(entry.crew)) {
			crews.add(entry.crew);
			tasks.push({ key: documentsTaskKey(entry.crew), source: 'documents', crew: entry.crew });
		}
	}
	return tasks.sort(byKey);
}

/** The reads of the pass still to do after `after` (all of them when null). */
export function tasksAfter<T extends { key: string }>(tasks: T[], after: string | null): T[] {
	if (after === null) return tasks;
	let low = 0;
	let high = tasks.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (tasks[mid].key <= after) low = mid + 1;
		else high = mid;
	}
	return tasks.slice(low);
}

/**
 * The pass after a poll read `done` (the first reads of `todo`, in order) at `pollStartedAt`:
 * the cursor moves to the last read done; when nothing of the pass is left the pass is complete
 * and the next poll begins a new one.
 */
export function cycleAfterSlice(
	cycle: Cycle,
	pollStartedAt: string,
	todo: readonly { key: string }[],
	done: number,
): Cycle {
	const startedAt = cycle.startedAt ?? pollStartedAt;
	if (done >= todo.length) return { startedAt: null, after: null, previousStartedAt: startedAt };
	return {
		startedAt,
		after: done > 0 ? todo[done - 1].key : cycle.after,
		previousStartedAt: cycle.previousStartedAt,
	};
}
