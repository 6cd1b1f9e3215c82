/**
 * One poll: read the whole roster (and vessels), then the next slice of the per-crew reads
 * (compliance, documents) within the poll's budget; compare with the last stored read; report
 * the selected changes. The stored state (values and the pass's cursor together) changes only
 * after a successful read, and is replaced in one assignment, so n8n saves (when it saves) either
 * the old state or the new one: the cursor always matches the values saved with it.
 */
import { randomUUID } from 'crypto';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { MAX_EXPIRY_WINDOW_DAYS } from '../CrewPass/shared/dates';
import { openSession } from '../CrewPass/transport';
import {
	DEFAULT_MAX_SECONDS_PER_POLL,
	finishReserveMs,
	isDurableTick,
	MAX_SECONDS_PER_POLL_LIMIT,
	pollBudgetMs,
	pollClock,
	schedulerBudgetMs,
} from './budget';
import { ALL_CHANGE_KINDS, sourcesFor, type ChangeKind } from './changes';
import { crewTasks, cycleAfterSlice, NEW_CYCLE, tasksAfter, type Cycle } from './cycle';
import { diffFleet, rowsLeft } from './diff';
import { DEFAULT_LEAVER_GUARD, leaverGuardTripped, type LeaverGuard } from './guard';
import { changeItem, type PollStamp } from './items';
import {
	acquireLease,
	holdsLease,
	leaseTtlMs,
	progressFrom,
	releaseLease,
	rememberProgress,
	stateName,
	triggerKey,
	type Lease,
} from './overlap';
import { readFleet } from './read';
import { sampleChanges } from './sample';
import { readSlice } from './slice';
import {
	carryForward,
	decodeSnapshot,
	encodeSnapshot,
	type FleetSnapshot,
	type SavedFleet,
} from './snapshot';

/** Where the state lives in the node's static data (n8n keeps it per node name). */
export const STATE_KEY = 'crewPassFleet';

export const DEFAULT_EXPIRING_WITHIN_DAYS = 30;

export interface PollSettings {
	changes: ChangeKind[];
	expiringWithinDays: number;
	emitCurrentRoster: boolean;
	guard: LeaverGuard;
	maxSecondsPerPoll: number;
}

interface PollOptions {
	expiringWithinDays?: number;
	emitCurrentRoster?: boolean;
	leaverGuardPercent?: number;
	leaverGuardMinRows?: number;
	maxSecondsPerPoll?: number;
}

/** The node's parameters, checked before any request. */
export function readSettings(ctx: IPollFunctions): PollSettings {
	const changes = ctx.getNodeParameter('events', []) as ChangeKind[];
	const options = ctx.getNodeParameter('options', {}) as PollOptions;
	const fail = (message: string, description: string) =>
		new NodeOperationError(ctx.getNode(), message, { description });
	if (!Array.isArray(changes) || changes.length === 0) {
		throw fail(
			'Choose at least one change in Trigger On',
			'The trigger has nothing to report. Nothing was read.',
		);
	}
	const unknown = changes.filter((kind) => !ALL_CHANGE_KINDS.includes(kind));
	if (unknown.length) {
		throw fail(
			`Trigger On has a value this node version does not know: ${unknown.join(', ')}`,
			'Pick the changes again from the list (the workflow may come from a newer version of the package).',
		);
	}
	const days = options.expiringWithinDays ?? DEFAULT_EXPIRING_WITHIN_DAYS;
	if (!Number.isInteger(days) || days < 0 || days > MAX_EXPIRY_WINDOW_DAYS) {
		throw fail(
			`Expiring Window (Days) must be a whole number from 0 to ${MAX_EXPIRY_WINDOW_DAYS}, not ${String(days)}`,
			'CrewPass counts documents_expiring within this many days. Change the option. Nothing was read.',
		);
	}
	const percent = options.leaverGuardPercent ?? DEFAULT_LEAVER_GUARD.maxPercent;
	const minRows = options.leaverGuardMinRows ?? DEFAULT_LEAVER_GUARD.minRows;
	if (typeof percent !== 'number' || !(percent >= 0 && percent <= 100)) {
		throw fail(
			`Mass-Leaver Guard (%) must be from 0 to 100, not ${String(percent)}`,
			'100 turns the guard off. Nothing was read.',
		);
	}
	if (!Number.isInteger(minRows) || minRows < 0) {
		throw fail(
			`Mass-Leaver Guard Minimum Rows must be a whole number of 0 or more, not ${String(minRows)}`,
			'Nothing was read.',
		);
	}
	const maxSeconds = options.maxSecondsPerPoll ?? DEFAULT_MAX_SECONDS_PER_POLL;
	if (
		typeof maxSeconds !== 'number' ||
		!(maxSeconds >= 1 && maxSeconds <= MAX_SECONDS_PER_POLL_LIMIT)
	) {
		throw fail(
			`Max Seconds per Poll must be from 1 to ${MAX_SECONDS_PER_POLL_LIMIT}, not ${String(maxSeconds)}`,
			'It bounds how long one poll reads compliance and documents. Nothing was read.',
		);
	}
	return {
		changes,
		expiringWithinDays: days,
		emitCurrentRoster: options.emitCurrentRoster === true,
		guard: { maxPercent: percent, minRows },
		maxSecondsPerPoll: maxSeconds,
	};
}

const STOPPED =
	'The poll stopped: nothing was emitted and the last complete read of the fleet is kept; the next poll reads the roster again, and the same compliance and documents.';

/** A failed read's error, saying that nothing was reported and what happens next. */
function pollStopped(ctx: IPollFunctions, error: unknown): Error {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.description = [error.description, STOPPED].filter(Boolean).join(' ');
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { description: STOPPED });
}

/** The saved state, or undefined for a first poll (or state this version cannot read). */
function loadState(ctx: IPollFunctions, saved: SavedFleet | undefined) {
	if (saved === undefined) return undefined;
	try {
		return decodeSnapshot(saved);
	} catch (error) {
		ctx.logger.warn(
			`CrewPass Polling Trigger "${ctx.getNode().name}": the saved fleet state is unreadable (${(error as Error).message}); recording a new baseline.`,
		);
		return undefined;
	}
}

const emptySnapshot = (expiringWithinDays: number): FleetSnapshot => ({
	roster: new Map(),
	expiringWithinDays,
	readAt: '',
});

/**
 * Static data objects polled before in this process. On the default scheduler n8n builds one when
 * it activates the workflow (publish, edit, n8n start), so the first poll of one is the
 * activation poll. (Durable-scheduler ticks get a new object each time: see isDurableTick.)
 */
const activated = new WeakSet<object>();

/**
 * Whether a failure of the activation poll is one the next poll may not meet: CrewPass or the
 * network failing, a page the node cannot use, the mass-leaver guard. Not a refusal of the key or
 * the request (a 4xx other than 408/429): the user fixes those and publishes again.
 */
function passing(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return true;
	const status = Number(error.httpCode);
	return !(status >= 400 && status < 500 && status !== 408 && status !== 429);
}

/** One poll as it runs: its trigger, its lease, when it started and the time it may take. */
interface PollRun {
	key: string;
	lease: Lease;
	startedAt: number;
	budgetMs: number;
}

export async function pollFleet(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const startedAt = pollClock.now();
	const settings = readSettings(ctx);
	// The credential as the node checks it before any request (a bad Base URL, a key for the other
	// environment): refused, it fails every poll, the activation poll included, like bad parameters
	// or a key CrewPass refuses. The reads reuse this check (one per poll).
	await openSession(ctx);
	if (ctx.getMode() === 'manual') {
		const samples = await sampleChanges(ctx, settings.changes, settings.expiringWithinDays);
		return [samples.map((json) => ({ json }))];
	}
	const schedulerMs = schedulerBudgetMs(ctx);
	const budgetMs = pollBudgetMs(schedulerMs, settings.maxSecondsPerPoll);
	const key = triggerKey(ctx);
	const lease = acquireLease(key, startedAt, leaseTtlMs(budgetMs));
	if (!lease) {
		ctx.logger.info(
			`CrewPass Polling Trigger "${ctx.getNode().name}": the previous poll is still reading the fleet; this poll is skipped.`,
		);
		return null;
	}
	const store = ctx.getWorkflowStaticData('node');
	const activation = !activated.has(store) && !isDurableTick(schedulerMs);
	activated.add(store);
	let failure: unknown;
	try {
		return await pollOnce(ctx, store, settings, { key, lease, startedAt, budgetMs });
	} catch (error) {
		failure = error;
	} finally {
		releaseLease(key, lease);
	}
	if (activation && passing(failure)) {
		// n8n 2.40 and later give up on a workflow whose activation poll fails five times: it
		// looks published but never polls again (docs/compatibility.md). Keep polling instead; the
		// next poll reports the failure as an error execution if it is still there.
		ctx.logger.warn(
			`CrewPass Polling Trigger "${ctx.getNode().name}": the first poll after the workflow was activated failed and is skipped; the trigger keeps polling. ${(failure as Error).message}`,
		);
		return null;
	}
	throw failure;
}

/**
 * The next slice of the per-crew reads, into `read`; returns the pass after it, and the pass the
 * slice belongs to (for the items).
 */
async function readCrewSlice(
	ctx: IPollFunctions,
	read: Awaited<ReturnType<typeof readFleet>>,
	sources: ReturnType<typeof sourcesFor>,
	cycle: Cycle,
	poll: PollRun,
): Promise<{ next: Cycle; stamp: NonNullable<PollStamp['cycle']> }> {
	const pollStartedAt = new Date(poll.startedAt).toISOString();
	const todo = tasksAfter(crewTasks(read.snapshot.roster, sources), cycle.after);
	const deadline = poll.startedAt + poll.budgetMs - finishReserveMs(poll.budgetMs);
	const done = await readSlice(ctx, todo, deadline, read);
	const next = cycleAfterSlice(cycle, pollStartedAt, todo, done);
	const stamp = {
		startedAt: cycle.startedAt ?? pollStartedAt,
		previousStartedAt: cycle.previousStartedAt,
	};
	ctx.logger.debug(
		`CrewPass Polling Trigger "${ctx.getNode().name}": ${done} compliance/documents reads this poll, ${todo.length - done} left in the pass that began ${stamp.startedAt} (budget ${poll.budgetMs} ms).`,
	);
	return { next, stamp };
}

async function pollOnce(
	ctx: IPollFunctions,
	store: IDataObject,
	settings: PollSettings,
	poll: PollRun,
): Promise<INodeExecutionData[][] | null> {
	const found = store[STATE_KEY] as SavedFleet | undefined;
	const from = stateName(found);
	const sources = sourcesFor(settings.changes);
	// A poll of this process that reported nothing may have gone further than the saved state.
	const saved = loadState(ctx, progressFrom(poll.key, from) ?? found);
	let read;
	let cycle: { next: Cycle; stamp?: PollStamp['cycle'] } = { next: saved?.cycle ?? NEW_CYCLE };
	try {
		read = await readFleet(
			ctx,
			sources,
			settings.expiringWithinDays,
			pollClock.now,
			saved?.snapshot.roster,
		);
		if (sources.has('compliance') || sources.has('documents')) {
			cycle = await readCrewSlice(ctx, read, sources, saved?.cycle ?? NEW_CYCLE, poll);
		}
	} catch (error) {
		throw pollStopped(ctx, error);
	}
	read.snapshot.readAt = new Date(pollClock.now()).toISOString();
	if (!holdsLease(poll.key, poll.lease)) {
		// The lease expired and another poll took over from this one: report and store nothing.
		return null;
	}
	const previous = saved?.snapshot ?? emptySnapshot(settings.expiringWithinDays);
	const generation = saved?.generation ?? 0;
	const wanted = new Set<ChangeKind>(
		saved ? settings.changes : settings.emitCurrentRoster ? ['crewJoinedVessel'] : [],
	);
	if (saved) {
		carryForward(previous, read.snapshot);
		const tripped = leaverGuardTripped(
			previous.roster.size,
			rowsLeft(previous, read.snapshot, read.changedRows),
			settings.guard,
		);
		if (tripped) {
			throw new NodeOperationError(
				ctx.getNode(),
				`Poll stopped by the Mass-Leaver Guard: ${tripped}`,
				{
					description: `Nothing was emitted and the previous roster is kept, so no one is reported as left by mistake (a partial or wrong answer, a credential for another account). If these crew members really left, raise "Mass-Leaver Guard (%)" in the trigger's Options (100 turns it off) for the next poll, then set it back.`,
				},
			);
		}
	}
	const changes = diffFleet(previous, read).filter((c) => c.kinds.some((k) => wanted.has(k)));
	const state = encodeSnapshot(
		read.snapshot,
		{
			generation: changes.length ? generation + 1 : generation,
			id: randomUUID(),
			cycle: cycle.next,
		},
		{ lines: previous.rosterLines, changed: read.changedRows },
	);
	store[STATE_KEY] = state;
	// n8n saves a reporting poll's state without waiting (durable scheduler: with its execution, or
	// its static data, fire and forget), so the next poll, a missed tick n8n catches up at once
	// after a restart, may load the state before it: it continues from this one instead. Only when
	// n8n takes this poll's result: it returns within n8n's budget (past its timeout n8n drops the
	// result, and the next poll must find the changes again).
	if (!changes.length || pollClock.now() - poll.startedAt <= poll.budgetMs) {
		rememberProgress(poll.key, from, state);
	}
	if (!changes.length) return null;
	const stamp: PollStamp = {
		generation,
		detectedAt: read.snapshot.readAt,
		previousPollAt: saved ? previous.readAt : null,
		cycle: cycle.stamp,
	};
	return [changes.map((change) => ({ json: changeItem(change, stamp) }))];
}
