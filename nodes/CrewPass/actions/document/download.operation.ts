import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { binaryPropertyParameter, readBinaryPropertyName } from '../common/binary';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import { runsAsTool } from '../common/tool';
import type { ToolBound } from '../common/tool';
import {
	binaryItem,
	describeFile,
	describeFileForTool,
	documentIdParameter,
	downloadDocument,
	readDocumentId,
} from './shared';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['document'], operation: ['download'] } },
	[crewMemberLocator, documentIdParameter, binaryPropertyParameter('file')],
);

export const toolBound: ToolBound = { what: 'files', narrow: 'nothing to narrow: one item' };

/**
 * Asks CrewPass for a download link and follows it: the file as binary data (file name and MIME
 * type from CrewPass), beside the input item's other binary fields. As an AI agent tool: the
 * file's details only (describeFileForTool).
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const documentId = readDocumentId.call(this, itemIndex);
	const property = readBinaryPropertyName.call(this, itemIndex, 'file');
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);
	if (runsAsTool(this)) {
		return [{ json: await describeFileForTool(this, crewMemberId, documentId, itemIndex) }];
	}
	const file = await downloadDocument(this, crewMemberId, documentId, itemIndex);
	return [
		await binaryItem(this, itemIndex, describeFile(crewMemberId, documentId, file), property, file),
	];
}
