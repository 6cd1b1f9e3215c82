import type { RosterRow } from './types';

/** Sentinel filter values for rows whose status the crew member does not share with you. */
export const NOT_SHARED = 'notShared';
/** Sentinel filter value for `background_check_status: null` (no check on record). */
export const NO_CHECK = 'none';

/** Which roster rows to read: CrewPass's own parameter and the filters n8n applies. */
export interface RosterQuery {
	/** Stop once this many (matching) crew members are collected; undefined = the whole roster. */
	limit?: number;
	/** `include_documents_expiring_within_days`, 0–730; CrewPass's default when undefined. */
	expiringWithinDays?: number;
	/** Keep only crew on these vessels (`vessel_id`). Empty or undefined = every vessel. */
	vesselIds?: string[];
	/** Keep only these verification statuses (`verification_status ?? status`; NOT_SHARED when absent). */
	verificationStatuses?: string[];
	/** Keep only these background-check statuses (NO_CHECK for null, NOT_SHARED when absent). */
	backgroundCheckStatuses?: string[];
	/** Keep only crew with `documents_expiring > 0`. */
	onlyExpiringDocuments?: boolean;
	/** Keep only this crew member (the trigger's fleet-row lookup). */
	crewUniqueId?: string;
}

/** The verification status of a roster row, whichever shape it comes in. */
export function verificationStatusOf(row: RosterRow): string {
	const value = row.verification_status ?? row.status;
	return value === undefined || value === null ? NOT_SHARED : String(value);
}

/** The background-check status of a roster row: NO_CHECK for null, NOT_SHARED when absent. */
export function backgroundCheckStatusOf(row: RosterRow): string {
	if (!('background_check_status' in row) || row.background_check_status === undefined)
		return NOT_SHARED;
	return row.background_check_status === null ? NO_CHECK : String(row.background_check_status);
}

/** The client-side roster filter, or undefined when nothing filters. */
export function rosterFilter(query: RosterQuery): ((row: RosterRow) => boolean) | undefined {
	const vessels = new Set(query.vesselIds?.filter(Boolean) ?? []);
	const verification = new Set(query.verificationStatuses ?? []);
	const background = new Set(query.backgroundCheckStatuses ?? []);
	const expiring = query.onlyExpiringDocuments === true;
	const crewId = query.crewUniqueId;
	if (!vessels.size && !verification.size && !background.size && !expiring && !crewId)
		return undefined;
	return (row) =>
		(!crewId || row.crew_unique_id === crewId) &&
		(!vessels.size || vessels.has(String(row.vessel_id))) &&
		(!verification.size || verification.has(verificationStatusOf(row))) &&
		(!background.size || background.has(backgroundCheckStatusOf(row))) &&
		(!expiring || Number(row.documents_expiring) > 0);
}
