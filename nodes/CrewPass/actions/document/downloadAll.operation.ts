import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listDocuments } from '../../client';
import { mapWithConcurrency } from '../../shared/concurrency';
import { binaryPropertyParameter, readBinaryPropertyName } from '../common/binary';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import { pickFields, readSimplify, simplifyParameter } from '../common/simplify';
import { runsAsTool, TOOL_MAX_ITEMS } from '../common/tool';
import type { ToolBound } from '../common/tool';
import {
	binaryItem,
	describeFile,
	describeFileForTool,
	documentFilters,
	documentIdOf,
	downloadDocument,
	matchesDocumentFilters,
	readDocumentFilters,
	SIMPLE_DOWNLOAD_FIELDS,
} from './shared';

/** Files fetched at once: each takes two requests (link, file), all paced by the transport. */
export const DOWNLOAD_CONCURRENCY = 4;

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['document'], operation: ['downloadAll'] } },
	[
		crewMemberLocator,
		binaryPropertyParameter('file'),
		documentFilters,
		simplifyParameter(SIMPLE_DOWNLOAD_FIELDS),
	],
);

export const toolBound: ToolBound = {
	what: 'documents',
	narrow: 'set Filters → Type, Verification Status or Expiring Within Days',
};

/**
 * Lists the crew member's current documents (optionally filtered) and downloads each one: one
 * item per document with its details and the file as binary data, in list order.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const property = readBinaryPropertyName.call(this, itemIndex, 'file');
	const filters = readDocumentFilters.call(this, itemIndex);
	const simplify = readSimplify.call(this, itemIndex);
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);

	const documents = (await listDocuments(this, crewMemberId, itemIndex)).filter((document) =>
		matchesDocumentFilters(document, filters),
	);
	const ids = documents.map((document) => documentIdOf(this, document, itemIndex));
	if (runsAsTool(this)) {
		// An agent gets file details (one request each, no download) for the first TOOL_MAX_ITEMS;
		// the router keeps those and says how many there were.
		const shown = documents.slice(0, TOOL_MAX_ITEMS);
		const items = await mapWithConcurrency(this, shown, DOWNLOAD_CONCURRENCY, async (doc, i) => {
			const details = await describeFileForTool(this, crewMemberId, ids[i], itemIndex);
			const full = { ...doc, ...details };
			return { json: simplify ? pickFields(full, [...SIMPLE_DOWNLOAD_FIELDS, 'note']) : full };
		});
		return [...items, ...documents.slice(TOOL_MAX_ITEMS).map((json) => ({ json }))];
	}
	return await mapWithConcurrency(this, documents, DOWNLOAD_CONCURRENCY, async (document, i) => {
		const file = await downloadDocument(this, crewMemberId, ids[i], itemIndex);
		const full = { ...document, ...describeFile(crewMemberId, ids[i], file) };
		const json = simplify ? pickFields(full, SIMPLE_DOWNLOAD_FIELDS) : full;
		return await binaryItem(this, itemIndex, json, property, file);
	});
}
