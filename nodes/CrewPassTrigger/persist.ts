import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import {
	decodeSavedIds,
	dedupeKey,
	encodeSavedIds,
	existingDedupeStore,
	mergeSavedIds,
	type DedupeEntry,
} from './dedupe';
import { PERSISTED_IDS_LIMIT, STATIC_DATA_KEY } from './delivery';

/**
 * Saves the ids of the events this execution carries in workflow static data, from execute():
 * n8n saves static data written during an execution when the execution ends (in queue mode on
 * the worker), while it drops what webhook() writes on a path that starts one. Merged with what
 * is saved (other processes' ids) and with this process's memory (ids of executions still
 * running, so the last execution to finish does not drop them). Keeps the newest
 * min(Remembered Event IDs, 1,000). Test (manual) executions save nothing: n8n never saves their
 * static data, and a test event must not make a production delivery look like a duplicate.
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
	const staticData = ctx.getWorkflowStaticData('node');
	const saved = decodeSavedIds(staticData[STATIC_DATA_KEY]).entries;
	const local = existingDedupeStore(dedupeKey(ctx.getWorkflow().id, ctx.getNode().id, 'webhook'));
	const limit = Math.min(limits.maxEntries, PERSISTED_IDS_LIMIT);
	const lists = local ? [saved, local.snapshot(limit), own] : [saved, own];
	const merged = mergeSavedIds(lists, limit, nowMs, limits.maxAgeMs);
	staticData[STATIC_DATA_KEY] = encodeSavedIds(merged, nowMs) as unknown as IDataObject;
	return own.length;
}
