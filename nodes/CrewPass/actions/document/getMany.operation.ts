import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import { parameterError } from '../common/validation';
import {
	documentFilters,
	listDocuments,
	matchesDocumentFilters,
	readDocumentFilters,
} from './shared';

const show = { resource: ['document'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	crewMemberLocator(show),
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
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
	const returnAll = this.getNodeParameter('returnAll', itemIndex, false) as boolean;
	let limit: number | undefined;
	if (!returnAll) {
		const value = this.getNodeParameter('limit', itemIndex, 50);
		limit = typeof value === 'number' ? value : Number(value);
		if (!Number.isInteger(limit) || limit < 1) {
			throw parameterError(
				this,
				'Limit',
				`${String(value)} is not a whole number of at least 1`,
				itemIndex,
				'Enter how many documents you want (1 or more), or turn on Return All.',
			);
		}
	}
	const filters = readDocumentFilters.call(this, itemIndex);
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);

	const documents = (await listDocuments(this, crewMemberId, itemIndex)).filter((document) =>
		matchesDocumentFilters(document, filters),
	);
	return documents.slice(0, limit).map((document) => ({ json: document }));
}
