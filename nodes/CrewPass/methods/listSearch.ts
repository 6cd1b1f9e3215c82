import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { crewPassRequest, MAX_PAGE_SIZE } from '../transport';

function matches(filter: string | undefined, ...fields: unknown[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return fields.some((field) => typeof field === 'string' && field.toLowerCase().includes(needle));
}

/** Crew members from the fleet roster, one roster page per call (n8n asks for more). */
export async function searchCrewMembers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const qs: IDataObject = { limit: MAX_PAGE_SIZE };
	if (paginationToken) qs.cursor = paginationToken;
	const page = await crewPassRequest(this, { path: ['employers', 'me', 'fleet'], qs });
	const rows = (Array.isArray(page.items) ? page.items : []) as IDataObject[];
	const results: INodeListSearchItems[] = rows
		.filter((row) => matches(filter, row.name, row.crew_unique_id, row.role, row.vessel_name))
		.map((row) => ({
			name: [row.name ?? row.crew_unique_id, row.role, row.vessel_name].filter(Boolean).join(' · '),
			value: String(row.crew_unique_id),
		}));
	const next = page.next_cursor;
	return { results, paginationToken: typeof next === 'string' && next ? next : undefined };
}

/** The vessels on your account. */
export async function searchVessels(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const page = await crewPassRequest(this, { path: ['employers', 'me', 'vessels'] });
	const vessels = (Array.isArray(page.items) ? page.items : []) as IDataObject[];
	return {
		results: vessels
			.filter((vessel) => matches(filter, vessel.vessel_name, vessel.vessel_id, vessel.imo))
			.map((vessel) => ({
				name: String(vessel.vessel_name ?? vessel.vessel_id),
				value: String(vessel.vessel_id),
			})),
	};
}
