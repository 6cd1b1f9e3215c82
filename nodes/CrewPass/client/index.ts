/**
 * The CrewPass Partner API, one function per endpoint. Operations, load options and the trigger
 * call these; the paths are written here and nowhere else. HTTP (credential, pacing, retries,
 * redirects, redaction, paging guards) is the transport's.
 */
import type { IDataObject } from 'n8n-workflow';

import { daysUntil } from '../shared/dates';
import {
	complianceProblem,
	crewPassFollowLink,
	crewPassPages,
	crewPassPaginate,
	crewPassRequest,
	crewPassRequestFull,
	malformedAnswer,
	MAX_PAGE_SIZE,
} from '../transport';
import type { CrewPassContext, CrewPassResponse, Page } from '../transport';
import { rosterFilter, type RosterQuery } from './roster';
import type {
	ComplianceSnapshot,
	CrewDocument,
	CrewLookup,
	DownloadLink,
	Partner,
	Profile,
	RosterRow,
	Vessel,
} from './types';

export * from './roster';
export type * from './types';

/** Every CrewPass path the node uses, as segments after `/api/v2/`. */
export const ENDPOINTS = {
	partner: () => ['partners', 'me'],
	vessels: () => ['employers', 'me', 'vessels'],
	fleet: () => ['employers', 'me', 'fleet'],
	lookup: () => ['employers', 'me', 'crew', 'lookup'],
	profile: (crewId: string) => ['employers', 'me', 'crew', crewId, 'profile'],
	photo: (crewId: string) => ['employers', 'me', 'crew', crewId, 'photo'],
	documents: (crewId: string) => ['employers', 'me', 'crew', crewId, 'documents'],
	downloadLink: (crewId: string, documentId: string) => [
		'employers',
		'me',
		'crew',
		crewId,
		'documents',
		documentId,
		'download',
	],
	compliance: (crewId: string) => ['employers', 'me', 'crew', crewId, 'compliance-checks'],
} as const;

/** `GET /partners/me`: your identity, plan and granted scopes. */
export async function getPartner(ctx: CrewPassContext, itemIndex?: number): Promise<Partner> {
	return await crewPassRequest<Partner>(ctx, { path: ENDPOINTS.partner(), itemIndex });
}

/**
 * The id each row of a CrewPass list must carry (answers.ts): a list with a row without it is
 * refused, as is a page without an `items` list, never read as fewer rows.
 */
const ROW_ID = {
	roster: 'crew_unique_id',
	vessels: 'vessel_id',
	documents: 'document_id',
} as const;

/**
 * `GET /employers/me/vessels`. The contract returns them in one answer; should CrewPass ever
 * page this list (`next_cursor`), the pages are followed.
 */
export async function listVessels(
	ctx: CrewPassContext,
	itemIndex?: number,
	limit?: number,
): Promise<Vessel[]> {
	const vessels: Vessel[] = [];
	for await (const page of crewPassPages(ctx, {
		path: ENDPOINTS.vessels(),
		itemIndex,
		rowId: ROW_ID.vessels,
	})) {
		for (const vessel of page.items) {
			vessels.push(vessel);
			if (limit !== undefined && vessels.length >= limit) return vessels;
		}
	}
	return vessels;
}

/** Every vessel or an error. */
export async function readAllVessels(ctx: CrewPassContext): Promise<Vessel[]> {
	return await listVessels(ctx);
}

/**
 * The fleet roster (`GET /employers/me/fleet`), one object per crew member, filtered. Pages of
 * up to 200; with a limit and no filter each page asks only for what is still missing; with a
 * filter, full pages until `limit` matching crew members are found, then no further request.
 */
export async function listRoster(
	ctx: CrewPassContext,
	query: RosterQuery = {},
	itemIndex?: number,
): Promise<RosterRow[]> {
	return await crewPassPaginate(ctx, {
		path: ENDPOINTS.fleet(),
		qs: rosterQs(query),
		limit: query.limit,
		pageSize: MAX_PAGE_SIZE,
		keep: rosterFilter(query),
		itemIndex,
		rowId: ROW_ID.roster,
	});
}

/**
 * The whole roster, page by page (200 rows), for a read that must be complete (the polling
 * trigger's, which takes each page in while the next one is requested).
 */
export function wholeRosterPages(
	ctx: CrewPassContext,
	expiringWithinDays: number,
): AsyncGenerator<Page> {
	return crewPassPages(ctx, {
		path: ENDPOINTS.fleet(),
		qs: rosterQs({ expiringWithinDays }),
		pageLimit: () => MAX_PAGE_SIZE,
		rowId: ROW_ID.roster,
		readAhead: true,
	});
}

/** Up to `limit` (1..200) roster rows, asked for in one page: a sample of the current roster. */
export async function firstRosterPage(
	ctx: CrewPassContext,
	expiringWithinDays: number,
	limit: number,
): Promise<RosterRow[]> {
	return await crewPassPaginate(ctx, {
		path: ENDPOINTS.fleet(),
		qs: rosterQs({ expiringWithinDays }),
		limit,
		pageSize: limit,
		rowId: ROW_ID.roster,
	});
}

/** Roster pages of 200 from a cursor (a "load more" token), for searching the roster. */
export function rosterPages(ctx: CrewPassContext, cursor?: string): AsyncGenerator<Page> {
	return crewPassPages(ctx, {
		path: ENDPOINTS.fleet(),
		pageLimit: () => MAX_PAGE_SIZE,
		cursor,
		rowId: ROW_ID.roster,
	});
}

function rosterQs(query: RosterQuery): IDataObject {
	return query.expiringWithinDays === undefined
		? {}
		: { include_documents_expiring_within_days: query.expiringWithinDays };
}

/** `POST /employers/me/crew/lookup`: the crew_unique_id (and status, when shared) for an email. */
export async function lookupCrewMember(
	ctx: CrewPassContext,
	email: string,
	itemIndex?: number,
): Promise<CrewLookup> {
	return await crewPassRequest<CrewLookup>(ctx, {
		method: 'POST',
		path: ENDPOINTS.lookup(),
		body: { email },
		itemIndex,
	});
}

/** `GET /employers/me/crew/{id}/profile`. */
export async function getProfile(
	ctx: CrewPassContext,
	crewId: string,
	itemIndex?: number,
): Promise<Profile> {
	return await crewPassRequest<Profile>(ctx, { path: ENDPOINTS.profile(crewId), itemIndex });
}

/** `GET /employers/me/crew/{id}/photo`: the photo bytes and their headers. */
export async function getPhoto(
	ctx: CrewPassContext,
	crewId: string,
	itemIndex?: number,
): Promise<CrewPassResponse<Buffer>> {
	return await crewPassRequestFull<Buffer>(ctx, {
		path: ENDPOINTS.photo(crewId),
		binary: true,
		itemIndex,
	});
}

/**
 * `GET /employers/me/crew/{id}/documents`: the crew member's current documents (through the
 * pager, so a malformed list, a document without its id or an answer about another crew member is
 * refused), each with `days_until_expiry`.
 */
export async function listDocuments(
	ctx: CrewPassContext,
	crewId: string,
	itemIndex?: number,
): Promise<CrewDocument[]> {
	const documents: CrewDocument[] = [];
	const now = Date.now();
	for await (const page of crewPassPages(ctx, {
		path: ENDPOINTS.documents(crewId),
		itemIndex,
		rowId: ROW_ID.documents,
		crewId,
	})) {
		for (const row of page.items) {
			documents.push({
				crew_unique_id: crewId,
				...row,
				days_until_expiry: daysUntil(row.expiry_date, now),
			});
		}
	}
	return documents;
}

/** `GET .../documents/{document_id}/download`: a short-lived link to the file. */
export async function getDownloadLink(
	ctx: CrewPassContext,
	crewId: string,
	documentId: string,
	itemIndex?: number,
): Promise<DownloadLink> {
	return await crewPassRequest<DownloadLink>(ctx, {
		path: ENDPOINTS.downloadLink(crewId, documentId),
		itemIndex,
	});
}

/** Follows a download link (keyless, CrewPass origins only): the file bytes. */
export async function fetchFile(
	ctx: CrewPassContext,
	link: DownloadLink,
	itemIndex?: number,
): Promise<CrewPassResponse<Buffer>> {
	return await crewPassFollowLink(ctx, String(link.download_url ?? ''), itemIndex);
}

/**
 * `POST /employers/me/crew/{id}/compliance-checks` with an empty JSON body: the compliance
 * snapshot. `vesselId` picks the position when the crew member is on more than one vessel. A
 * snapshot without an `overall_status`, or about another crew member, is refused (answers.ts).
 */
export async function checkCompliance(
	ctx: CrewPassContext,
	crewId: string,
	vesselId: string | undefined,
	itemIndex?: number,
): Promise<ComplianceSnapshot> {
	const path = ENDPOINTS.compliance(crewId);
	const snapshot = await crewPassRequest<ComplianceSnapshot>(ctx, {
		method: 'POST',
		path,
		qs: vesselId === undefined ? undefined : { vessel_id: vesselId },
		body: {},
		itemIndex,
	});
	const problem = complianceProblem(snapshot, crewId);
	if (problem) {
		const what = `POST /api/v2/${path.join('/')}`;
		throw malformedAnswer(ctx, 'a compliance snapshot', what, problem, itemIndex);
	}
	return snapshot;
}
