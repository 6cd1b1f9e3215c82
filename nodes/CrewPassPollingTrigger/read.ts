/**
 * The complete reads of a poll: the roster (always), and the vessels when a selected change needs
 * them. Compliance and documents are read a slice per poll (slice.ts). Every request goes through
 * the CrewPass transport, so the poll shares the API key's pacer with every CrewPass node in this
 * n8n.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IPollFunctions } from 'n8n-workflow';

import {
	readAllVessels,
	wholeRosterPages,
	type ComplianceSnapshot,
	type CrewDocument,
	type RosterRow,
	type Vessel,
} from '../CrewPass/client';
import { isPerCrewMemberError } from '../CrewPass/actions/compliance/shared';
import type { ChangeSource } from './changes';
import { changedRows, sameEntry, type FleetRead } from './diff';
import {
	rosterEntryOf,
	rowKey,
	vesselEntryOf,
	type FleetSnapshot,
	type RosterEntry,
} from './snapshot';

/**
 * The complete read. `previous`: the last read's roster (none on a first poll), to find the rows
 * that changed (read.changedRows) while the pages come in, rather than in one pass over the whole
 * roster after the last page.
 */
export async function readFleet(
	ctx: IPollFunctions,
	sources: Set<ChangeSource>,
	expiringWithinDays: number,
	now: () => number = Date.now,
	previous: Map<string, RosterEntry> = new Map(),
): Promise<FleetRead & { changedRows: Set<string> }> {
	const rows = new Map<string, RosterRow>();
	const roster: FleetSnapshot['roster'] = new Map();
	const changed = new Set<string>();
	let repeated = false;
	// The client refuses a list with a row without its id (crew_unique_id, vessel_id,
	// document_id), so every row read here has an entry.
	for await (const page of wholeRosterPages(ctx, expiringWithinDays)) {
		for (const row of page.items as RosterRow[]) {
			const entry = rosterEntryOf(row)!;
			const key = rowKey(entry.crew, entry.vessel);
			if (roster.has(key)) repeated = true;
			roster.set(key, entry);
			rows.set(key, row);
			const was = previous.get(key);
			if (!was || !sameEntry(was, entry)) changed.add(key);
		}
	}
	const snapshot: FleetSnapshot = { roster, expiringWithinDays, readAt: '' };
	// A row listed twice keeps its last values (and its first place): compared again in full.
	const read: FleetRead & { changedRows: Set<string> } = {
		snapshot,
		rows,
		changedRows: repeated ? changedRows(previous, roster) : changed,
	};

	if (sources.has('vessels')) {
		read.vessels = new Map<string, Vessel>();
		snapshot.vessels = new Map();
		for (const vessel of await readAllVessels(ctx)) {
			const entry = vesselEntryOf(vessel)!;
			read.vessels.set(entry.vessel, vessel);
			snapshot.vessels.set(entry.vessel, entry);
		}
	}

	// Compliance and documents are read a slice per poll (slice.ts): empty here, filled there.
	if (sources.has('compliance')) {
		read.compliance = new Map<string, ComplianceSnapshot>();
		snapshot.compliance = new Map();
	}
	if (sources.has('documents')) {
		read.documents = new Map<string, Map<string, CrewDocument>>();
		snapshot.documents = new Map();
	}
	snapshot.readAt = new Date(now()).toISOString();
	return read;
}

/**
 * One crew member's read: undefined when CrewPass refuses it for that crew member alone (not
 * consented, or left the fleet since the roster read), so their previous value stays and no
 * change is reported; any other failure stops the poll.
 */
export async function perCrew<T>(ctx: IPollFunctions, request: Promise<T>): Promise<T | undefined> {
	let failure: unknown;
	try {
		return await request;
	} catch (error) {
		if (isPerCrewMemberError(error)) return undefined;
		failure = error;
	}
	if (failure instanceof NodeApiError || failure instanceof NodeOperationError) throw failure;
	throw new NodeOperationError(ctx.getNode(), failure as Error);
}

/** A document as CrewPass sent it (without the node's computed days_until_expiry). */
export function asSent(document: CrewDocument): CrewDocument {
	const copy = { ...document };
	delete copy.days_until_expiry;
	return copy;
}
