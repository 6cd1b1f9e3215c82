/**
 * The fleet diff: what changed between the last stored read and this poll's read. One small pure
 * function per change kind (each with its own test); `diffFleet` runs them in a stable order. No
 * requests, no clock (read times are in the snapshots).
 */
import type { IDataObject } from 'n8n-workflow';

import type { ComplianceSnapshot, CrewDocument, RosterRow, Vessel } from '../CrewPass/client';
import { daysUntil } from '../CrewPass/shared/dates';
import { CHANGE_KINDS, type Change, type ChangeKind } from './changes';
import {
	COMPLIANCE_FIELDS,
	rowKey,
	sharesStatus,
	type ComplianceEntry,
	type DocumentEntry,
	type FleetSnapshot,
	type RosterEntry,
	type VesselEntry,
} from './snapshot';

/**
 * This poll's read: the snapshot it compares (its compliance and documents hold every value
 * known, this poll's reads and the ones carried forward), and what CrewPass sent this poll.
 */
export interface FleetRead {
	snapshot: FleetSnapshot;
	/** By rowKey. */
	rows: Map<string, RosterRow>;
	/**
	 * The roster rows (rowKey, in roster order) that are new or whose compared fields differ from
	 * the last read's, when the read found them while the pages came in (read.ts); otherwise
	 * diffFleet compares every row.
	 */
	changedRows?: Set<string>;
	vessels?: Map<string, Vessel>;
	/** The rows whose compliance this poll read, by rowKey. */
	compliance?: Map<string, ComplianceSnapshot>;
	/** The crew members whose documents this poll read, by crew, then document. */
	documents?: Map<string, Map<string, CrewDocument>>;
}

function change(
	kind: ChangeKind,
	subject: string,
	fields: IDataObject,
	before: IDataObject | null,
	after: IDataObject | null,
	kinds: ChangeKind[] = [kind],
): Change {
	return { kinds, eventType: CHANGE_KINDS[kind].eventType, subject, fields, before, after };
}

/** Compares `field` of two objects; adds it to before/after when it differs. */
function differs(before: IDataObject, after: IDataObject, field: string, a: unknown, b: unknown) {
	if (a === b) return false;
	before[field] = a as IDataObject[string];
	after[field] = b as IDataObject[string];
	return true;
}

/** The roster rows of each of `crews` (every crew member when not given), in roster order. */
export function byCrew(
	roster: Map<string, RosterEntry>,
	crews?: Set<string>,
): Map<string, RosterEntry[]> {
	const rows = new Map<string, RosterEntry[]>();
	for (const entry of roster.values()) {
		if (crews && !crews.has(entry.crew)) continue;
		const list = rows.get(entry.crew);
		if (list) list.push(entry);
		else rows.set(entry.crew, [entry]);
	}
	return rows;
}

/** The status fields of an entry, as the webhook's crew.status.changed shows them. */
export function statusFields(entry: RosterEntry): IDataObject {
	const fields: IDataObject = {};
	if (entry.verification !== undefined) fields.verification_status = entry.verification;
	if (entry.background !== undefined) fields.background_check_status = entry.background;
	return fields;
}

/** A roster row's values as the item shows a row that is gone. */
function entryFields(entry: RosterEntry, vesselName?: string): IDataObject {
	const fields: IDataObject = {
		crew_unique_id: entry.crew,
		name: entry.name,
		vessel_id: entry.vessel,
	};
	if (vesselName !== undefined) fields.vessel_name = vesselName;
	fields.role = entry.role;
	Object.assign(fields, statusFields(entry));
	if (entry.expiring !== undefined) fields.documents_expiring = entry.expiring;
	return fields;
}

/** Vessel names known from either read (the vessel list wins over roster rows). */
export function vesselNamesOf(previous: FleetSnapshot, current: FleetRead): Map<string, string> {
	const names = new Map<string, string>();
	for (const v of previous.vessels?.values() ?? []) if (v.name) names.set(v.vessel, v.name);
	for (const row of current.rows.values()) {
		if (row.vessel_id && row.vessel_name) names.set(String(row.vessel_id), String(row.vessel_name));
	}
	for (const v of current.snapshot.vessels?.values() ?? []) if (v.name) names.set(v.vessel, v.name);
	return names;
}

// ---- Vessels ----------------------------------------------------------------------------------

/** Vessel Added: a vessel on the list now that was not before. */
export function vesselAdded(id: string, vessel: Vessel): Change {
	return change('vesselAdded', id, { ...vessel }, null, { vessel_id: id });
}

/** Vessel Removed: a vessel gone from the list. */
export function vesselRemoved(was: VesselEntry): Change {
	return change(
		'vesselRemoved',
		was.vessel,
		{ vessel_id: was.vessel, vessel_name: was.name },
		{ vessel_id: was.vessel },
		null,
	);
}

// ---- Roster rows ------------------------------------------------------------------------------

/** Crew Member Joined a Vessel: a roster row that was not there. `fields`: the row as sent. */
export function joinedVessel(entry: RosterEntry, fields: IDataObject): Change {
	return change('crewJoinedVessel', `${entry.crew}/${entry.vessel}`, fields, null, {
		vessel_id: entry.vessel,
		role: entry.role,
	});
}

/** Role Changed on a roster row read both times. */
export function roleChanged(
	was: RosterEntry,
	is: RosterEntry,
	fields: () => IDataObject,
): Change | undefined {
	const b: IDataObject = {};
	const a: IDataObject = {};
	if (!differs(b, a, 'role', was.role, is.role)) return undefined;
	return change('roleChanged', `${is.crew}/${is.vessel}`, fields(), b, a);
}

/** Crew Member Left a Vessel: a roster row that is gone. */
export function leftVessel(was: RosterEntry, vesselName: string | undefined, vesselIds: string[]) {
	return change(
		'crewLeftVessel',
		`${was.crew}/${was.vessel}`,
		{ ...entryFields(was, vesselName), vessel_ids: vesselIds },
		{ vessel_id: was.vessel, role: was.role },
		null,
	);
}

/** Crew Member Left the Fleet: every row of a crew member is gone. `rows`: their rows before. */
export function leftFleet(rows: RosterEntry[]): Change {
	const was = rows[0];
	return change(
		'crewLeftFleet',
		was.crew,
		{ crew_unique_id: was.crew, name: was.name, vessel_ids: [] },
		{ vessel_ids: rows.map((e) => e.vessel) },
		null,
	);
}

// ---- Crew members (their first roster row) ----------------------------------------------------

/**
 * Status Sharing Withdrawn / Granted, or Verification / Background-Check Status Changed (one
 * change satisfying both when both moved). A field is compared only when present both times.
 * `row`: the roster row as sent (its quickstart `status` is shown when present).
 */
export function statusChange(
	was: RosterEntry,
	is: RosterEntry,
	common: IDataObject,
	row: RosterRow = {},
): Change | undefined {
	const shared = sharesStatus(was);
	if (shared !== sharesStatus(is)) {
		// Consent withdrawn or granted: the status fields vanish or appear. Never "status changed to null".
		return shared
			? change('statusSharingWithdrawn', is.crew, common, statusFields(was), null)
			: change(
					'statusSharingGranted',
					is.crew,
					{ ...common, ...statusFields(is) },
					null,
					statusFields(is),
				);
	}
	if (!shared) return undefined;
	const b: IDataObject = {};
	const a: IDataObject = {};
	const kinds: ChangeKind[] = [];
	if (
		was.verification !== undefined &&
		is.verification !== undefined &&
		differs(b, a, 'verification_status', was.verification, is.verification)
	) {
		kinds.push('verificationStatusChanged');
	}
	if (
		was.background !== undefined &&
		is.background !== undefined &&
		differs(b, a, 'background_check_status', was.background, is.background)
	) {
		kinds.push('backgroundCheckStatusChanged');
	}
	if (!kinds.length) return undefined;
	const fields = { ...common, ...statusFields(is) };
	if ('status' in row) fields.status = row.status;
	return change(kinds[0], is.crew, fields, b, a, kinds);
}

/**
 * Documents Expiring Went Up / Down: the roster's documents_expiring count, when both reads used
 * the same window.
 */
export function documentsExpiringChange(
	was: RosterEntry,
	is: RosterEntry,
	windows: { before: number; now: number },
	common: IDataObject,
): Change | undefined {
	if (windows.before !== windows.now) return undefined;
	if (was.expiring === undefined || is.expiring === undefined || was.expiring === is.expiring)
		return undefined;
	return change(
		is.expiring > was.expiring ? 'documentsExpiringIncreased' : 'documentsExpiringDecreased',
		is.crew,
		{ ...common, documents_expiring: is.expiring, expiring_within_days: windows.now },
		{ documents_expiring: was.expiring },
		{ documents_expiring: is.expiring },
	);
}

// ---- Per-crew reads ---------------------------------------------------------------------------

/** Compliance Changed: a row's compliance read this poll differs from the last value read. */
export function complianceChange(
	was: ComplianceEntry,
	is: ComplianceEntry,
	names: { crew?: string; vessel?: string },
): Change | undefined {
	const b: IDataObject = {};
	const a: IDataObject = {};
	let changed = false;
	for (const field of COMPLIANCE_FIELDS) {
		changed = differs(b, a, field, was.values[field], is.values[field]) || changed;
	}
	if (!changed) return undefined;
	const fields: IDataObject = { crew_unique_id: is.crew, vessel_id: is.vessel };
	for (const field of COMPLIANCE_FIELDS) fields[field] = is.values[field] ?? null;
	if (names.crew !== undefined) fields.name = names.crew;
	if (names.vessel !== undefined) fields.vessel_name = names.vessel;
	return change('complianceChanged', `${is.crew}/${is.vessel}`, fields, b, a);
}

/** Whether a document was expired when it was read (`readAt`: the read, for entries saved without the flag). */
export function isExpired(entry: DocumentEntry, readAt: string): boolean {
	return entry.expired ?? (daysUntil(entry.expiry, Date.parse(readAt)) ?? 0) < 0;
}

/** Document Added: a document of a crew member read before that was not there. */
export function documentAdded(is: DocumentEntry, fields: IDataObject): Change {
	return change('documentAdded', `${is.crew}/${is.document}`, fields, null, {
		verification_status: is.status,
		expiry_date: is.expiry,
	});
}

/** Document Verification Status Changed. */
export function documentStatusChange(
	was: DocumentEntry,
	is: DocumentEntry,
	fields: IDataObject,
): Change | undefined {
	const b: IDataObject = {};
	const a: IDataObject = {};
	if (!differs(b, a, 'verification_status', was.status, is.status)) return undefined;
	return change('documentStatusChanged', `${is.crew}/${is.document}`, fields, b, a);
}

/**
 * Document Expired: not expired when last read, expired now. `readAt`: when each entry was read
 * (used only for entries saved before the expired flag was kept).
 */
export function documentExpiredChange(
	was: DocumentEntry,
	is: DocumentEntry,
	fields: IDataObject,
	readAt: { before: string; now: string },
): Change | undefined {
	if (isExpired(was, readAt.before) || !isExpired(is, readAt.now)) return undefined;
	return change(
		'documentExpired',
		`${is.crew}/${is.document}`,
		fields,
		{ expiry_date: was.expiry, expired: false },
		{ expiry_date: is.expiry, expired: true },
	);
}

// ---- The whole diff ---------------------------------------------------------------------------

/**
 * Every change between the last stored read and this poll's, in a stable order: vessels added,
 * roster rows (joined, role), crew members (status, documents expiring), compliance and
 * documents of the crew read this poll, rows and crew gone, vessels removed.
 */
export function diffFleet(previous: FleetSnapshot, current: FleetRead): Change[] {
	const now = current.snapshot;
	const changes: Change[] = [];
	const push = (c: Change | undefined) => {
		if (c) changes.push(c);
	};
	// Only the rows that changed, and the crew members they belong to, are looked at one by one
	// (most polls of a large fleet change a few rows); vessel names are gathered on first use.
	let names: Map<string, string> | undefined;
	const vesselNames = () => (names ??= vesselNamesOf(previous, current));

	if (previous.vessels && now.vessels && current.vessels) {
		for (const [id, vessel] of current.vessels) {
			if (!previous.vessels.has(id)) push(vesselAdded(id, vessel));
		}
	}

	const changed = current.changedRows ?? changedRows(previous.roster, now.roster);
	const crews = new Set<string>();
	for (const key of changed) {
		const entry = now.roster.get(key);
		if (entry) crews.add(entry.crew);
	}
	// Rows gone: looked for only when the counts say some are.
	const gone: RosterEntry[] = [];
	if (rowsLeft(previous, now, changed) > 0) {
		for (const [key, was] of previous.roster) {
			if (!now.roster.has(key)) {
				gone.push(was);
				crews.add(was.crew);
			}
		}
	}
	const before = byCrew(previous.roster, crews);
	const after = byCrew(now.roster, crews);
	const vesselIds = (crew: string) => (after.get(crew) ?? []).map((e) => e.vessel);

	for (const key of changed) {
		const entry = now.roster.get(key);
		if (!entry) continue;
		const was = previous.roster.get(key);
		if (was && was.role === entry.role) continue;
		// The item's fields, built only for a row whose role changed or that is new.
		const fields = () => ({ ...current.rows.get(key), vessel_ids: vesselIds(entry.crew) });
		push(was ? roleChanged(was, entry, fields) : joinedVessel(entry, fields()));
	}

	// A crew member's status and documents expiring are on each of their rows; compared on their
	// first row, before and now, for the crew members with a row that changed, came or went.
	for (const [crew, rows] of after) {
		const was = before.get(crew)?.[0];
		if (!was) continue;
		const is = rows[0];
		const common = { crew_unique_id: crew, name: is.name, vessel_ids: vesselIds(crew) };
		push(statusChange(was, is, common, current.rows.get(rowKey(is.crew, is.vessel))));
		push(
			documentsExpiringChange(
				was,
				is,
				{ before: previous.expiringWithinDays, now: now.expiringWithinDays },
				common,
			),
		);
	}

	// Compliance of the rows read this poll that had a value before.
	if (previous.compliance && now.compliance && current.compliance) {
		for (const key of current.compliance.keys()) {
			const was = previous.compliance.get(key);
			const is = now.compliance.get(key);
			if (!was || !is) continue;
			push(
				complianceChange(was, is, {
					crew: now.roster.get(key)?.name,
					vessel: vesselNames().get(is.vessel),
				}),
			);
		}
	}

	// Documents of the crew members read this poll whose documents were read before.
	if (previous.documents && now.documents && current.documents) {
		for (const [crew, raw] of current.documents) {
			const had = previous.documents.get(crew);
			const documents = now.documents.get(crew);
			if (!had || !documents) continue;
			for (const [id, is] of documents) {
				const fields: IDataObject = { crew_unique_id: crew, ...(raw.get(id) ?? {}) };
				const was = had.get(id);
				if (!was) {
					push(documentAdded(is, fields));
					continue;
				}
				push(documentStatusChange(was, is, fields));
				push(documentExpiredChange(was, is, fields, { before: previous.readAt, now: now.readAt }));
			}
		}
	}

	for (const was of gone) push(leftVessel(was, vesselNames().get(was.vessel), vesselIds(was.crew)));
	for (const [crew, rows] of before) {
		if (!after.has(crew)) push(leftFleet(rows));
	}

	if (previous.vessels && now.vessels) {
		for (const [id, vessel] of previous.vessels) {
			if (!now.vessels.has(id)) push(vesselRemoved(vessel));
		}
	}
	return changes;
}

/** Whether two roster entries hold the same values in every compared field. */
export function sameEntry(a: RosterEntry, b: RosterEntry): boolean {
	return (
		a.crew === b.crew &&
		a.vessel === b.vessel &&
		a.name === b.name &&
		a.role === b.role &&
		a.verification === b.verification &&
		a.background === b.background &&
		a.expiring === b.expiring
	);
}

/** The rows of `now` (rowKey, in roster order) that are new or differ from `before`'s. */
export function changedRows(
	before: Map<string, RosterEntry>,
	now: Map<string, RosterEntry>,
): Set<string> {
	const changed = new Set<string>();
	for (const [key, entry] of now) {
		const was = before.get(key);
		if (!was || !sameEntry(was, entry)) changed.add(key);
	}
	return changed;
}

/**
 * How many roster rows a diff reports as gone (crew members off a vessel). `changed`: the
 * changedRows of the two reads, when known (then no row is looked up).
 */
export function rowsLeft(
	previous: FleetSnapshot,
	current: FleetSnapshot,
	changed?: Set<string>,
): number {
	if (changed) {
		let added = 0;
		for (const key of changed) if (!previous.roster.has(key)) added++;
		return previous.roster.size - (current.roster.size - added);
	}
	let left = 0;
	for (const key of previous.roster.keys()) if (!current.roster.has(key)) left++;
	return left;
}
