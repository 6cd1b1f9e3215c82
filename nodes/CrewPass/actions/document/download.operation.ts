import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { binaryPropertyParameter, readBinaryPropertyName } from '../common/binary';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import {
	binaryItem,
	describeFile,
	documentIdParameter,
	downloadDocument,
	readDocumentId,
} from './shared';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['document'], operation: ['download'] } },
	[crewMemberLocator, documentIdParameter, binaryPropertyParameter('file')],
);

/**
 * Asks CrewPass for a download link and follows it: the file as binary data (file name and MIME
 * type from CrewPass), beside the input item's other binary fields.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const documentId = readDocumentId.call(this, itemIndex);
	const property = readBinaryPropertyName.call(this, itemIndex, 'file');
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);
	const file = await downloadDocument(this, crewMemberId, documentId, itemIndex);
	return [
		await binaryItem(this, itemIndex, describeFile(crewMemberId, documentId, file), property, file),
	];
}
