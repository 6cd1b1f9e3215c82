import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	decodeSavedIds,
	dedupeKey,
	encodeSavedIds,
	existingDedupeStore,
	mergeSavedIds,
	PROCESS_TOKEN,
	savedIdsStamp,
	type DedupeEntry,
} from './dedupe';
import { PERSISTED_IDS_LIMIT, STATIC_DATA_KEY } from './delivery';

/**
 * While other accepted events' executions are still to come in this process, an execution saves
 * the ids at most this often: one of those executions saves them all (the last one always does),
 * so a burst of N accepted deliveries costs n8n about one static-data save a second and one at its
 * end instead of N (each rewrites the workflow's static data, up to 1,000 ids, in the database).
 */
export const SAVE_INTERVAL_MS = 1_000;

/**
 * Whether an execution may leave the saving to an execution still to come: another accepted
 * event's execution is to come, and this process saved less than SAVE_INTERVAL_MS ago. Pure.
 */
export function mayDeferSave(toCome: number, savedHereAtMs: number, nowMs: number): boolean {
	return (
		toCome > 0 &&
		savedHereAtMs >= 0 &&
		nowMs >= savedHereAtMs &&
		nowMs - savedHereAtMs < SAVE_INTERVAL_MS
	);
}

/**
 * Saves the ids of the events this execution carries in workflow static data, from execute():
 * n8n saves static data written during an execution when the execution ends (in queue mode on
 * the worker), while it drops what webhook() writes on a path that starts one. Merged with what
 * is saved (other processes' ids) and with this process's memory (ids of executions still
 * running, so the last execution to finish does not drop them). Keeps the newest
 * min(Remembered Event IDs, 1,000). In the process that accepted the events, an execution
 * followed by others within SAVE_INTERVAL_MS of the last save leaves the saving to them
 * (mayDeferSave). Test (manual) executions save nothing: n8n never saves their static data, and
 * a test event must not make a production delivery look like a duplicate. Returns how many ids
 * of this execution were saved now (0: none, or left to a later execution).
 */
export function persistAcceptedIds(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	limits: { maxEntries: number; maxAgeMs: number },
	nowMs: number,
): number {
	if (ctx.getMode() === 'manual') return 0;
	const own: DedupeEntry[] = [];
	for (const item of items) {
		const id = item.json.event_id;
		if (typeof id === 'string' && id) own.push([id, nowMs]);
	}
	if (!own.length) return 0;
	const local = existingDedupeStore(dedupeKey(ctx.getWorkflow().id, ctx.getNode().id, 'webhook'));
	if (local) {
		for (const [id] of own) if (!local.store.has(id, nowMs)) local.store.checkAndRecord(id, nowMs);
		const toCome = local.handOffs.executionsRan(
			own.map(([id]) => id),
			nowMs,
		);
		if (mayDeferSave(toCome, local.savedHereAtMs, nowMs)) return 0;
	}
	const staticData = ctx.getWorkflowStaticData('node');
	const saved = staticData[STATIC_DATA_KEY];
	const limit = Math.min(limits.maxEntries, PERSISTED_IDS_LIMIT);
	let entries: DedupeEntry[];
	const stamp = savedIdsStamp(saved);
	if (local && (stamp.writer === PROCESS_TOKEN || stamp.savedAt === local.mergedSavedAt)) {
		// This process's memory already holds every saved id (the common case in one process):
		// save its newest ids as they are, no parse, merge or sort.
		entries = local.store.snapshot(limit);
	} else {
		const savedEntries = decodeSavedIds(saved).entries;
		if (local) {
			// Ids saved by another process: learnt here too, so this process's later saves keep them.
			local.store.mergeUnknown(savedEntries, nowMs);
			local.mergedSavedAt = stamp.savedAt;
		}
		const lists = local ? [savedEntries, local.store.snapshot(limit), own] : [savedEntries, own];
		entries = mergeSavedIds(lists, limit, nowMs, limits.maxAgeMs);
	}
	if (local) local.savedHereAtMs = nowMs;
	staticData[STATIC_DATA_KEY] = encodeSavedIds(
		entries,
		nowMs,
		PROCESS_TOKEN,
	) as unknown as IDataObject;
	return own.length;
}
