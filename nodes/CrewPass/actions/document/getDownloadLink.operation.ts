import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { getDownloadLink } from '../../client';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import { runsAsTool, TOOL_LINK_NOTE } from '../common/tool';
import type { ToolBound } from '../common/tool';
import { documentIdParameter, readDocumentId } from './shared';

/** Shown only on the AI agent tool (`@tool`): whether the agent gets the link itself. */
export const giveLinkToAgentParameter: INodeProperties = {
	displayName: 'Give the Link to the AI Agent',
	name: 'giveLinkToAgent',
	type: 'boolean',
	default: false,
	description:
		'Whether the AI agent gets the download_url itself. The link is a credential: anyone who holds it (the agent, the model provider, the chat and its logs, whoever reads them) can download the file, without an API key, for about 15 minutes. Off: the agent gets the file name, content type and expiry only.',
	displayOptions: { show: { '@tool': [true] } },
};

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['document'], operation: ['getDownloadLink'] } },
	[crewMemberLocator, documentIdParameter, giveLinkToAgentParameter],
);

/** As an AI agent tool: whether the workflow's author lets the link through (off by default). */
function linksAllowed(this: IExecuteFunctions, itemIndex: number): boolean {
	return runsAsTool(this) && this.getNodeParameter('giveLinkToAgent', itemIndex, false) === true;
}

export const toolBound: ToolBound = {
	what: 'download links',
	narrow: 'nothing to narrow: one item',
	linksAllowed,
};

/**
 * `GET employers/me/crew/{id}/documents/{document_id}/download`: a short-lived (about 15 minutes)
 * link to the file, its expiry, file name and content type. Anyone holding the link can fetch
 * the file until it expires, so an AI agent gets it only when the workflow's author allows it
 * (Give the Link to the AI Agent); otherwise everything but the link.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const documentId = readDocumentId.call(this, itemIndex);
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);
	const link = await getDownloadLink(this, crewMemberId, documentId, itemIndex);
	if (runsAsTool(this) && !linksAllowed.call(this, itemIndex)) {
		const details: IDataObject = { crew_unique_id: crewMemberId, ...link, note: TOOL_LINK_NOTE };
		delete details.download_url;
		return [{ json: details }];
	}
	return [{ json: { crew_unique_id: crewMemberId, ...link } }];
}
