import type {
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { listVessels, rosterPages } from '../client';

function matches(filter: string | undefined, ...fields: unknown[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return fields.some((field) => typeof field === 'string' && field.toLowerCase().includes(needle));
}

/** With a search filter, pages read per call before handing back a token to "load more". */
export const SEARCH_PAGES_PER_CALL = 5;
/** With a search filter, stop reading pages in this call once this many crew members match. */
export const SEARCH_RESULTS_PER_CALL = 50;

/**
 * Crew members from the fleet roster. Without a filter, one roster page (200) per call and n8n
 * asks for more as the user scrolls. With a filter, pages are read until enough crew members
 * match (or a few pages are read), so a search does not come back empty just because the first
 * page held no match.
 */
export async function searchCrewMembers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const results: INodeListSearchItems[] = [];
	let pages = 0;
	let cursor: string | undefined;
	for await (const page of rosterPages(this, paginationToken || undefined)) {
		pages++;
		for (const row of page.items) {
			if (!matches(filter, row.name, row.crew_unique_id, row.role, row.vessel_name)) continue;
			results.push({
				name: [row.name ?? row.crew_unique_id, row.role, row.vessel_name]
					.filter(Boolean)
					.join(' · '),
				value: String(row.crew_unique_id),
			});
		}
		cursor = page.nextCursor;
		if (!filter || pages >= SEARCH_PAGES_PER_CALL || results.length >= SEARCH_RESULTS_PER_CALL)
			break;
	}
	return { results, paginationToken: cursor };
}

/** The vessels on your account. */
export async function searchVessels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const vessels = await listVessels(this);
	return {
		results: vessels
			.filter((vessel) => matches(filter, vessel.vessel_name, vessel.vessel_id, vessel.imo))
			.map((vessel) => ({
				name: String(vessel.vessel_name ?? vessel.vessel_id),
				value: String(vessel.vessel_id),
			})),
	};
}
