/**
 * One poll's slice of the per-crew reads: from where the pass stands, as many compliance and
 * documents reads as fit before the deadline. Every request goes through the CrewPass transport,
 * so the slice shares the API key's pacer with every CrewPass node in this n8n.
 */
import type { IPollFunctions } from 'n8n-workflow';

import {
	checkCompliance,
	listDocuments,
	type ComplianceSnapshot,
	type CrewDocument,
} from '../CrewPass/client';
import { concurrencyFor } from '../CrewPass/transport/pacing';
import { mapWithinBudget, pollClock, type Clock } from './budget';
import type { CrewTask } from './cycle';
import type { FleetRead } from './diff';
import { asSent, perCrew } from './read';
import { complianceEntryOf, documentEntryOf, type DocumentEntry } from './snapshot';

/** Per-crew reads in flight: enough to reach CrewPass's 60/s at up to ~515 ms per request. */
export const PER_CREW_CONCURRENCY = concurrencyFor(515);

type Answer = ComplianceSnapshot | CrewDocument[] | undefined;

/**
 * Reads the first tasks of `todo` until `deadline` into `read` (its compliance and documents,
 * raw and as compared); returns how many were done. A task whose read CrewPass refuses for that
 * crew member alone counts as done with no value (the last one is carried forward).
 */
export async function readSlice(
	ctx: IPollFunctions,
	todo: readonly CrewTask[],
	deadline: number,
	read: FleetRead,
	clock: Clock = pollClock,
): Promise<number> {
	const { results, done } = await mapWithinBudget<CrewTask, Answer>(
		ctx,
		todo,
		PER_CREW_CONCURRENCY,
		deadline,
		async (task) =>
			task.source === 'compliance'
				? await perCrew(ctx, checkCompliance(ctx, task.crew, task.vessel || undefined))
				: await perCrew(ctx, listDocuments(ctx, task.crew)),
		clock,
	);
	const readMs = clock.now();
	results.forEach((answer, i) => {
		const task = todo[i];
		if (answer === undefined) return;
		if (task.source === 'compliance') {
			read.compliance?.set(task.row, answer as ComplianceSnapshot);
			read.snapshot.compliance?.set(
				task.row,
				complianceEntryOf(task.crew, task.vessel, answer as ComplianceSnapshot),
			);
			return;
		}
		const raw = new Map<string, CrewDocument>();
		const entries = new Map<string, DocumentEntry>();
		for (const document of answer as CrewDocument[]) {
			const entry = documentEntryOf(task.crew, document, readMs);
			if (!entry) continue;
			raw.set(entry.document, asSent(document));
			entries.set(entry.document, entry);
		}
		read.documents?.set(task.crew, raw);
		read.snapshot.documents?.set(task.crew, entries);
	});
	return done;
}
