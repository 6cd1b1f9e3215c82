import { createHash } from 'crypto';
import type { IDataObject } from 'n8n-workflow';

import { stateKeyOf } from '../CrewPass/shared/stateKey';
import { CHANGE_KINDS, type Change } from './changes';

/** What every item of one poll shares. */
export interface PollStamp {
	/** The baseline generation the change was detected against (see SavedFleet.generation). */
	generation: number;
	/** When this poll's read finished. */
	detectedAt: string;
	/** When the read it was compared with finished; null for a first poll's initial load. */
	previousPollAt: string | null;
	/**
	 * The pass over the per-crew reads this poll's slice belongs to (compliance and document
	 * changes only): when it began, and when the pass before it began.
	 */
	cycle?: { startedAt: string; previousStartedAt: string | null };
}

/**
 * A deterministic event id: the same change detected again against the same saved state (a
 * restart before n8n saved the new one, an overlapping poll) has the same id; a change that
 * happens again later (rejoined, flipped back) has a new one.
 */
export function pollEventId(change: Change, generation: number): string {
	const digest = createHash('sha256')
		.update(
			JSON.stringify([generation, change.eventType, change.subject, change.before, change.after]),
		)
		.digest('hex');
	return `poll_${digest.slice(0, 32)}`;
}

/**
 * The output item of one change: the changed thing's fields at the top level (for status,
 * compliance and document changes the shape of the CrewPass Trigger's Event Data output), with
 * the event fields, the changed values before and after, and the state key shared with webhook
 * events.
 */
export function changeItem(change: Change, stamp: PollStamp): IDataObject {
	const item: IDataObject = {
		...change.fields,
		event_id: pollEventId(change, stamp.generation),
		event_type: change.eventType,
		// A poll sees a change some time between two reads, not when it happened.
		occurred_at: null,
		partner_id: null,
		received_at: stamp.detectedAt,
		detected_at: stamp.detectedAt,
		previous_poll_at: stamp.previousPollAt,
		source: 'poll',
		trigger_on: change.kinds,
		before: change.before,
		after: change.after,
	};
	const source = CHANGE_KINDS[change.kinds[0]].source;
	if (stamp.cycle && (source === 'compliance' || source === 'documents')) {
		// The value compared with was read in the pass before (or earlier, if refused since).
		item.cycle_started_at = stamp.cycle.startedAt;
		item.previous_cycle_started_at = stamp.cycle.previousStartedAt;
	}
	const stateKey = stateKeyOf(change.eventType, change.fields);
	if (stateKey !== undefined) item.state_key = stateKey;
	return item;
}
