/**
 * What one complete read of the fleet looked like, as the polling trigger compares it, and how it
 * is kept in n8n's workflow static data: only the fields it compares, one line per row.
 */
import type { IDataObject } from 'n8n-workflow';

import type { ComplianceSnapshot, CrewDocument, RosterRow, Vessel } from '../CrewPass/client';
import { daysUntil } from '../CrewPass/shared/dates';
import { NEW_CYCLE, type Cycle } from './cycle';

/** A status value as the roster shows it: undefined when not shared, null for "none on record". */
export type StatusValue = string | null | undefined;

/** One roster row (one crew member on one vessel): the fields the trigger compares. */
export interface RosterEntry {
	crew: string;
	vessel: string;
	name?: string;
	role?: string;
	/** `verification_status`, or the quickstart's `status`; undefined when not shared. */
	verification: StatusValue;
	/** `background_check_status`: null when no check exists; undefined when not shared. */
	background: StatusValue;
	/** `documents_expiring` within the window; undefined when absent. */
	expiring?: number;
}

export interface VesselEntry {
	vessel: string;
	name?: string;
}

/** The compliance snapshot fields of a crew.compliance.changed event. */
export const COMPLIANCE_FIELDS = [
	'overall_status',
	'requirements_met',
	'requirements_total',
	'requirements_expiring',
	'next_expiry_date',
] as const;

export interface ComplianceEntry {
	crew: string;
	vessel: string;
	values: Record<(typeof COMPLIANCE_FIELDS)[number], string | number | null | undefined>;
}

export interface DocumentEntry {
	crew: string;
	document: string;
	status?: string;
	expiry?: string;
	/** Whether it was expired when read (undefined in state saved before this was kept). */
	expired?: boolean;
}

/** One complete read of the fleet (sections that are not watched are undefined). */
export interface FleetSnapshot {
	/** By rowKey(crew, vessel). */
	roster: Map<string, RosterEntry>;
	/** Each roster row's saved line (rosterLine), by rowKey, when the snapshot was decoded. */
	rosterLines?: Map<string, string>;
	vessels?: Map<string, VesselEntry>;
	/** By rowKey(crew, vessel); rows whose compliance could not be read are absent. */
	compliance?: Map<string, ComplianceEntry>;
	/** By crew, then document; crew whose documents could not be read are absent. */
	documents?: Map<string, Map<string, DocumentEntry>>;
	/** `include_documents_expiring_within_days` the roster was read with. */
	expiringWithinDays: number;
	/** When the read finished (ISO 8601). */
	readAt: string;
}

/** The key of one roster row: a crew member on a vessel (two vessels are two rows). */
export function rowKey(crew: string, vessel: string): string {
	return `${crew}\u0000${vessel}`;
}

/** Whether a crew member shares status with you (any status field present). */
export function sharesStatus(entry: Pick<RosterEntry, 'verification' | 'background'>): boolean {
	return entry.verification !== undefined || entry.background !== undefined;
}

/** A status field of a row (or its older name `alias`, when the field is absent). */
function statusField(row: IDataObject, name: string, alias?: string): StatusValue {
	const value = row[name] !== undefined || alias === undefined ? row[name] : row[alias];
	return value === undefined ? undefined : value === null ? null : String(value);
}

function text(value: unknown): string | undefined {
	return value === undefined || value === null ? undefined : String(value);
}

/** A roster row as the trigger compares it; undefined when it names no crew member. */
export function rosterEntryOf(row: RosterRow): RosterEntry | undefined {
	const crew = text(row.crew_unique_id);
	if (!crew) return undefined;
	const expiring = row.documents_expiring;
	return {
		crew,
		vessel: text(row.vessel_id) ?? '',
		name: text(row.name),
		role: text(row.role),
		verification: statusField(row, 'verification_status', 'status'),
		background: statusField(row, 'background_check_status'),
		expiring: typeof expiring === 'number' && Number.isFinite(expiring) ? expiring : undefined,
	};
}

export function vesselEntryOf(vessel: Vessel): VesselEntry | undefined {
	const id = text(vessel.vessel_id);
	return id ? { vessel: id, name: text(vessel.vessel_name) } : undefined;
}

export function complianceEntryOf(
	crew: string,
	vessel: string,
	snapshot: ComplianceSnapshot,
): ComplianceEntry {
	const values = {} as ComplianceEntry['values'];
	for (const field of COMPLIANCE_FIELDS) {
		const value = snapshot[field];
		values[field] =
			value === null || typeof value === 'number' || typeof value === 'string'
				? value
				: value === undefined
					? undefined
					: String(value);
	}
	return { crew, vessel, values };
}

/** A document as the trigger compares it, read at `readMs`; undefined without a document_id. */
export function documentEntryOf(
	crew: string,
	document: CrewDocument,
	readMs: number = Date.now(),
): DocumentEntry | undefined {
	const id = text(document.document_id);
	if (!id) return undefined;
	const expiry = text(document.expiry_date);
	return {
		crew,
		document: id,
		status: text(document.verification_status),
		expiry,
		expired: (daysUntil(expiry, readMs) ?? 0) < 0,
	};
}

// ---------------------------------------------------------------------------------------------
// Saved form: each section is one string, entries separated by ";", fields by "|" (characters
// JSON does not escape). A field is "" (absent), "~" (null), "=<text>" (a string) or
// "#<number>"; "%", "|", ";" and control characters in a text are percent-escaped. A
// 10,000-row roster is one string of under 1 MB, not 10,000 objects n8n would watch for changes.

type Field = string | number | null | undefined;

const FIELD = '|';
const ENTRY = ';';

function encodeField(value: Field): string {
	if (value === undefined) return '';
	if (value === null) return '~';
	if (typeof value === 'number') return `#${value}`;
	return (
		'=' + value.replace(/[%|;\p{Cc}]/gu, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
	);
}

function decodeField(raw: string): Field {
	if (raw === '') return undefined;
	if (raw === '~') return null;
	if (raw[0] === '#') return Number(raw.slice(1));
	if (raw[0] === '=')
		return raw
			.slice(1)
			.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
	throw new Error(`unreadable field "${raw.slice(0, 20)}"`);
}

function encodeLine(fields: Field[]): string {
	return fields.map(encodeField).join(FIELD);
}

function encodeLines(rows: Field[][]): string {
	return rows.map(encodeLine).join(ENTRY);
}

/** One roster row's saved line. */
export function rosterLine(r: RosterEntry): string {
	return encodeLine([r.crew, r.vessel, r.name, r.role, r.verification, r.background, r.expiring]);
}

/** The saved lines of a section. */
function splitLines(raw: unknown): string[] {
	if (typeof raw !== 'string') throw new Error('a section is not a string');
	return raw === '' ? [] : raw.split(ENTRY);
}

/** The fields of a line; `widths`: the fields a line may have (the widths older versions wrote). */
function decodeLine(line: string, widths: number[]): Field[] {
	const fields = line.split(FIELD);
	if (!widths.includes(fields.length))
		throw new Error(`a line has ${fields.length} fields, not ${widths.join(' or ')}`);
	return fields.map(decodeField);
}

/** The lines of a section; `width`: the fields a line has (or the widths older versions wrote). */
function decodeLines(raw: unknown, width: number | number[]): Field[][] {
	const widths = Array.isArray(width) ? width : [width];
	return splitLines(raw).map((line) => decodeLine(line, widths));
}

/**
 * The roster section. The rows a poll found unchanged (not in `reuse.changed`) keep the line they
 * were saved with (the same fields give the same line): after the last page only the rows that
 * changed are encoded.
 */
function encodeRoster(
	roster: Map<string, RosterEntry>,
	reuse?: { lines?: Map<string, string>; changed: Set<string> },
): string {
	const lines: string[] = [];
	for (const [key, entry] of roster) {
		const saved = reuse && !reuse.changed.has(key) ? reuse.lines?.get(key) : undefined;
		lines.push(saved ?? rosterLine(entry));
	}
	return lines.join(ENTRY);
}

const asStatus = (value: Field): StatusValue =>
	value === undefined ? undefined : value === null ? null : String(value);

/** The state kept in static data between polls. */
export interface SavedFleet extends IDataObject {
	/** Format version of this object. */
	v: number;
	/** How many polls emitted since the baseline: part of every event_id. */
	generation: number;
	/** Names this stored state: new for every poll that stores one (absent in older versions' state). */
	id?: string;
	/** Where the pass over the per-crew reads stands (see cycle.ts); absent: a new pass. */
	cycleStartedAt?: string;
	cycleAfter?: string;
	previousCycleStartedAt?: string;
	readAt: string;
	expiringWithinDays: number;
	roster: string;
	vessels?: string;
	compliance?: string;
	documents?: string;
}

export const SAVED_FORMAT = 1;

export function encodeSnapshot(
	snapshot: FleetSnapshot,
	counters: { generation: number; id?: string; cycle?: Cycle },
	reuse?: { lines?: Map<string, string>; changed: Set<string> },
): SavedFleet {
	const saved: SavedFleet = {
		v: SAVED_FORMAT,
		generation: counters.generation,
		readAt: snapshot.readAt,
		expiringWithinDays: snapshot.expiringWithinDays,
		roster: encodeRoster(snapshot.roster, reuse),
	};
	if (counters.id !== undefined) saved.id = counters.id;
	const cycle = counters.cycle;
	if (cycle?.startedAt) saved.cycleStartedAt = cycle.startedAt;
	if (cycle?.after) saved.cycleAfter = cycle.after;
	if (cycle?.previousStartedAt) saved.previousCycleStartedAt = cycle.previousStartedAt;
	if (snapshot.vessels) {
		saved.vessels = encodeLines([...snapshot.vessels.values()].map((v) => [v.vessel, v.name]));
	}
	if (snapshot.compliance) {
		saved.compliance = encodeLines(
			[...snapshot.compliance.values()].map((c) => [
				c.crew,
				c.vessel,
				...COMPLIANCE_FIELDS.map((f) => c.values[f]),
			]),
		);
	}
	if (snapshot.documents) {
		const lines: Field[][] = [];
		for (const [crew, documents] of snapshot.documents) {
			// A crew member without documents is one line with no document: read, and none yet.
			if (!documents.size) lines.push([crew, undefined, undefined, undefined, undefined]);
			for (const d of documents.values()) {
				const expired = d.expired === undefined ? undefined : d.expired ? 1 : 0;
				lines.push([d.crew, d.document, d.status, d.expiry, expired]);
			}
		}
		saved.documents = encodeLines(lines);
	}
	return saved;
}

/** Reads saved state back; throws (plain Error) when it is not something this version wrote. */
export function decodeSnapshot(saved: IDataObject): {
	snapshot: FleetSnapshot;
	generation: number;
	cycle: Cycle;
} {
	if (saved.v !== SAVED_FORMAT) throw new Error(`format ${String(saved.v)} is not ${SAVED_FORMAT}`);
	const roster = new Map<string, RosterEntry>();
	const rosterLines = new Map<string, string>();
	for (const line of splitLines(saved.roster)) {
		const [crew, vessel, name, role, verification, background, expiring] = decodeLine(line, [7]);
		const entry: RosterEntry = {
			crew: String(crew),
			vessel: String(vessel),
			name: text(name),
			role: text(role),
			verification: asStatus(verification),
			background: asStatus(background),
			expiring: typeof expiring === 'number' ? expiring : undefined,
		};
		const key = rowKey(entry.crew, entry.vessel);
		roster.set(key, entry);
		rosterLines.set(key, line);
	}
	const snapshot: FleetSnapshot = {
		roster,
		rosterLines,
		readAt: String(saved.readAt),
		expiringWithinDays: Number(saved.expiringWithinDays),
	};
	if (saved.vessels !== undefined) {
		snapshot.vessels = new Map();
		for (const [vessel, name] of decodeLines(saved.vessels, 2)) {
			snapshot.vessels.set(String(vessel), { vessel: String(vessel), name: text(name) });
		}
	}
	if (saved.compliance !== undefined) {
		snapshot.compliance = new Map();
		for (const [crew, vessel, ...values] of decodeLines(
			saved.compliance,
			2 + COMPLIANCE_FIELDS.length,
		)) {
			const entry: ComplianceEntry = {
				crew: String(crew),
				vessel: String(vessel),
				values: {} as ComplianceEntry['values'],
			};
			COMPLIANCE_FIELDS.forEach((field, i) => (entry.values[field] = values[i]));
			snapshot.compliance.set(rowKey(entry.crew, entry.vessel), entry);
		}
	}
	if (saved.documents !== undefined) {
		snapshot.documents = new Map();
		// Four fields before the expired flag was kept.
		for (const [crew, document, status, expiry, expired] of decodeLines(saved.documents, [5, 4])) {
			let byCrew = snapshot.documents.get(String(crew));
			if (!byCrew) snapshot.documents.set(String(crew), (byCrew = new Map()));
			if (document === undefined) continue;
			const entry: DocumentEntry = {
				crew: String(crew),
				document: String(document),
				status: text(status),
				expiry: text(expiry),
			};
			if (expired !== undefined) entry.expired = expired === 1;
			byCrew.set(entry.document, entry);
		}
	}
	// State saved by earlier versions carries a `revision` counter as well: it is ignored.
	if (!Number.isInteger(saved.generation)) throw new Error('the generation is not an integer');
	const optionalText = (value: unknown) => (typeof value === 'string' && value ? value : null);
	const cycle: Cycle = {
		...NEW_CYCLE,
		startedAt: optionalText(saved.cycleStartedAt),
		after: optionalText(saved.cycleAfter),
		previousStartedAt: optionalText(saved.previousCycleStartedAt),
	};
	return { snapshot, generation: saved.generation as number, cycle };
}

/**
 * Keeps the previous compliance and documents of crew still on the roster whose read CrewPass
 * refused this time (not consented, or gone since the roster read): their values stay what was
 * last seen, so a refusal is never a change and the next successful read is compared with them.
 */
export function carryForward(previous: FleetSnapshot, current: FleetSnapshot): void {
	if (previous.compliance && current.compliance) {
		for (const [key, entry] of previous.compliance) {
			if (current.roster.has(key) && !current.compliance.has(key))
				current.compliance.set(key, entry);
		}
	}
	if (previous.documents && current.documents) {
		const crews = new Set([...current.roster.values()].map((e) => e.crew));
		for (const [crew, documents] of previous.documents) {
			if (crews.has(crew) && !current.documents.has(crew)) current.documents.set(crew, documents);
		}
	}
}
