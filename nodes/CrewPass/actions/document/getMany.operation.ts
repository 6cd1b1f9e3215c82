import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import {
	documentFilters,
	listDocuments,
	matchesDocumentFilters,
	readDocumentFilters,
} from './shared';
import { readLimit, returnAllOrLimit } from '../common/returnAll';

const show = { resource: ['document'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	crewMemberLocator(show),
	...returnAllOrLimit(show),
	documentFilters(show),
];

/**
 * `GET employers/me/crew/{id}/documents`: one item per current document (superseded uploads are
 * hidden by CrewPass), each with `days_until_expiry`; filters are applied here.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const filters = readDocumentFilters.call(this, itemIndex);
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);

	const documents = (await listDocuments(this, crewMemberId, itemIndex)).filter((document) =>
		matchesDocumentFilters(document, filters),
	);
	return documents.slice(0, limit).map((document) => ({ json: document }));
}
