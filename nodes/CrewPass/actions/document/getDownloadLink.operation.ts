import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getDownloadLink } from '../../client';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import { documentIdParameter, readDocumentId } from './shared';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['document'], operation: ['getDownloadLink'] } },
	[crewMemberLocator, documentIdParameter],
);

/**
 * `GET employers/me/crew/{id}/documents/{document_id}/download`: a short-lived (about 15 minutes)
 * link to the file, its expiry, file name and content type. Anyone holding the link can fetch
 * the file until it expires.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const documentId = readDocumentId.call(this, itemIndex);
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);
	const link = await getDownloadLink(this, crewMemberId, documentId, itemIndex);
	return [{ json: { crew_unique_id: crewMemberId, ...link } }];
}
