import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listDocuments } from '../../client';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import { readLimit, returnAllOrLimit } from '../common/returnAll';
import { pickFields, readSimplify, simplifyParameter } from '../common/simplify';
import type { ToolBound } from '../common/tool';
import {
	documentFilters,
	matchesDocumentFilters,
	readDocumentFilters,
	SIMPLE_DOCUMENT_FIELDS,
} from './shared';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['document'], operation: ['getAll'] } },
	[
		crewMemberLocator,
		...returnAllOrLimit,
		documentFilters,
		simplifyParameter(SIMPLE_DOCUMENT_FIELDS),
	],
);

export const toolBound: ToolBound = {
	what: 'documents',
	narrow: 'set Filters → Type, Verification Status or Expiring Within Days, or a smaller Limit',
};

/**
 * `GET employers/me/crew/{id}/documents`: one item per current document (superseded uploads are
 * hidden by CrewPass), each with `days_until_expiry`; filters are applied here. Simplify keeps
 * SIMPLE_DOCUMENT_FIELDS.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const filters = readDocumentFilters.call(this, itemIndex);
	const simplify = readSimplify.call(this, itemIndex);
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);

	const documents = (await listDocuments(this, crewMemberId, itemIndex)).filter((document) =>
		matchesDocumentFilters(document, filters),
	);
	return documents.slice(0, limit).map((document) => ({
		json: simplify ? pickFields(document, SIMPLE_DOCUMENT_FIELDS) : document,
	}));
}
