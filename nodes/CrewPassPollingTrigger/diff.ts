/**
 * The roster diff: what changed between two complete reads of the fleet. Pure: no requests, no
 * clock (the read times are in the snapshots).
 */
import type { IDataObject } from 'n8n-workflow';

import type { ComplianceSnapshot, CrewDocument, RosterRow, Vessel } from '../CrewPass/client';
import { daysUntil } from '../CrewPass/shared/dates';
import { CHANGE_KINDS, type Change, type ChangeKind } from './changes';
import {
	COMPLIANCE_FIELDS,
	rowKey,
	sharesStatus,
	type DocumentEntry,
	type FleetSnapshot,
	type RosterEntry,
} from './snapshot';

/** A complete read: the snapshot it compares, and the rows as CrewPass sent them. */
export interface FleetRead {
	snapshot: FleetSnapshot;
	/** By rowKey. */
	rows: Map<string, RosterRow>;
	vessels?: Map<string, Vessel>;
	/** By rowKey. */
	compliance?: Map<string, ComplianceSnapshot>;
	/** By crew, then document. */
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

function byCrew(roster: Map<string, RosterEntry>): Map<string, RosterEntry[]> {
	const crews = new Map<string, RosterEntry[]>();
	for (const entry of roster.values()) {
		const rows = crews.get(entry.crew);
		if (rows) rows.push(entry);
		else crews.set(entry.crew, [entry]);
	}
	return crews;
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

/** Compares `field` of two objects; adds it to before/after when it differs. */
function differs(before: IDataObject, after: IDataObject, field: string, a: unknown, b: unknown) {
	if (a === b) return false;
	before[field] = a as IDataObject[string];
	after[field] = b as IDataObject[string];
	return true;
}

/** Every change between two complete reads, in a stable order. */
export function diffFleet(previous: FleetSnapshot, current: FleetRead): Change[] {
	const now = current.snapshot;
	const changes: Change[] = [];
	const vesselNames = new Map<string, string>();
	for (const v of previous.vessels?.values() ?? []) if (v.name) vesselNames.set(v.vessel, v.name);
	for (const row of current.rows.values()) {
		if (row.vessel_id && row.vessel_name)
			vesselNames.set(String(row.vessel_id), String(row.vessel_name));
	}
	for (const v of now.vessels?.values() ?? []) if (v.name) vesselNames.set(v.vessel, v.name);

	// Vessels added.
	if (previous.vessels && now.vessels && current.vessels) {
		for (const [id, vessel] of current.vessels) {
			if (!previous.vessels.has(id)) {
				changes.push(change('vesselAdded', id, { ...vessel }, null, { vessel_id: id }));
			}
		}
	}

	const before = byCrew(previous.roster);
	const after = byCrew(now.roster);
	const vesselIds = (crew: string) => (after.get(crew) ?? []).map((e) => e.vessel);

	// Rows: joined, role changed.
	for (const [key, entry] of now.roster) {
		// The item's fields, built only for a row that changed (most rows do not).
		const fields = () => ({ ...current.rows.get(key), vessel_ids: vesselIds(entry.crew) });
		const was = previous.roster.get(key);
		const subject = `${entry.crew}/${entry.vessel}`;
		if (!was) {
			changes.push(
				change('crewJoinedVessel', subject, fields(), null, {
					vessel_id: entry.vessel,
					role: entry.role,
				}),
			);
			continue;
		}
		const b: IDataObject = {};
		const a: IDataObject = {};
		if (differs(b, a, 'role', was.role, entry.role)) {
			changes.push(change('roleChanged', subject, fields(), b, a));
		}
	}

	// Crew members: status, status sharing, documents expiring.
	for (const [crew, rows] of after) {
		const was = before.get(crew)?.[0];
		if (!was) continue;
		const is = rows[0];
		const common = (): IDataObject => ({
			crew_unique_id: crew,
			name: is.name,
			vessel_ids: vesselIds(crew),
		});
		const shared = sharesStatus(was);
		if (shared !== sharesStatus(is)) {
			// Consent withdrawn or granted: the status fields vanish or appear. Never "status changed to null".
			changes.push(
				shared
					? change('statusSharingWithdrawn', crew, common(), statusFields(was), null)
					: change(
							'statusSharingGranted',
							crew,
							{ ...common(), ...statusFields(is) },
							null,
							statusFields(is),
						),
			);
		} else if (shared) {
			const b: IDataObject = {};
			const a: IDataObject = {};
			const kinds: ChangeKind[] = [];
			// A field is compared only when present on both sides.
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
			if (kinds.length) {
				const fields = { ...common(), ...statusFields(is) };
				const row = current.rows.get(rowKey(is.crew, is.vessel)) ?? {};
				if ('status' in row) fields.status = row.status;
				changes.push(change(kinds[0], crew, fields, b, a, kinds));
			}
		}
		if (
			previous.expiringWithinDays === now.expiringWithinDays &&
			was.expiring !== undefined &&
			is.expiring !== undefined &&
			was.expiring !== is.expiring
		) {
			changes.push(
				change(
					is.expiring > was.expiring ? 'documentsExpiringIncreased' : 'documentsExpiringDecreased',
					crew,
					{
						...common(),
						documents_expiring: is.expiring,
						expiring_within_days: now.expiringWithinDays,
					},
					{ documents_expiring: was.expiring },
					{ documents_expiring: is.expiring },
				),
			);
		}
	}

	// Compliance, per crew member on a vessel (rows read both times only).
	if (previous.compliance && now.compliance) {
		for (const [key, entry] of now.compliance) {
			const was = previous.compliance.get(key);
			if (!was) continue;
			const b: IDataObject = {};
			const a: IDataObject = {};
			let changed = false;
			for (const field of COMPLIANCE_FIELDS) {
				changed = differs(b, a, field, was.values[field], entry.values[field]) || changed;
			}
			if (!changed) continue;
			const roster = now.roster.get(key);
			const fields: IDataObject = { crew_unique_id: entry.crew, vessel_id: entry.vessel };
			for (const field of COMPLIANCE_FIELDS) fields[field] = entry.values[field] ?? null;
			if (roster?.name !== undefined) fields.name = roster.name;
			const vesselName = vesselNames.get(entry.vessel);
			if (vesselName !== undefined) fields.vessel_name = vesselName;
			changes.push(change('complianceChanged', `${entry.crew}/${entry.vessel}`, fields, b, a));
		}
	}

	// Documents, per crew member (crew read both times only).
	if (previous.documents && now.documents) {
		const wasExpired = (d: DocumentEntry | undefined, at: string) =>
			(daysUntil(d?.expiry, Date.parse(at)) ?? 0) < 0;
		for (const [crew, documents] of now.documents) {
			const had = previous.documents.get(crew);
			if (!had) continue;
			for (const [id, entry] of documents) {
				const raw = current.documents?.get(crew)?.get(id) ?? {};
				const fields: IDataObject = { crew_unique_id: crew, ...raw };
				const subject = `${crew}/${id}`;
				const was = had.get(id);
				if (!was) {
					changes.push(
						change('documentAdded', subject, fields, null, {
							verification_status: entry.status,
							expiry_date: entry.expiry,
						}),
					);
					continue;
				}
				const b: IDataObject = {};
				const a: IDataObject = {};
				if (differs(b, a, 'verification_status', was.status, entry.status)) {
					changes.push(change('documentStatusChanged', subject, fields, b, a));
				}
				if (!wasExpired(was, previous.readAt) && wasExpired(entry, now.readAt)) {
					changes.push(
						change(
							'documentExpired',
							subject,
							fields,
							{ expiry_date: was.expiry, expired: false },
							{ expiry_date: entry.expiry, expired: true },
						),
					);
				}
			}
		}
	}

	// Rows gone: left a vessel; crew gone: left the fleet.
	for (const [key, was] of previous.roster) {
		if (now.roster.has(key)) continue;
		changes.push(
			change(
				'crewLeftVessel',
				`${was.crew}/${was.vessel}`,
				{ ...entryFields(was, vesselNames.get(was.vessel)), vessel_ids: vesselIds(was.crew) },
				{ vessel_id: was.vessel, role: was.role },
				null,
			),
		);
	}
	for (const [crew, rows] of before) {
		if (after.has(crew)) continue;
		const was = rows[0];
		changes.push(
			change(
				'crewLeftFleet',
				crew,
				{ crew_unique_id: crew, name: was.name, vessel_ids: [] },
				{ vessel_ids: rows.map((e) => e.vessel) },
				null,
			),
		);
	}

	// Vessels removed.
	if (previous.vessels && now.vessels) {
		for (const [id, vessel] of previous.vessels) {
			if (!now.vessels.has(id)) {
				changes.push(
					change(
						'vesselRemoved',
						id,
						{ vessel_id: id, vessel_name: vessel.name },
						{ vessel_id: id },
						null,
					),
				);
			}
		}
	}
	return changes;
}

/** How many roster rows a diff reports as gone (crew members off a vessel). */
export function rowsLeft(previous: FleetSnapshot, current: FleetSnapshot): number {
	let left = 0;
	for (const key of previous.roster.keys()) if (!current.roster.has(key)) left++;
	return left;
}
