import { deepCopy, NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { getPhoto } from '../../client';
import { unlessNotFound } from '../../transport/errors';
import { binaryPropertyParameter, readBinaryPropertyName } from '../common/binary';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import { runsAsTool, TOOL_FILE_NOTE } from '../common/tool';
import type { ToolBound } from '../common/tool';

const properties: INodeProperties[] = [
	crewMemberLocator,
	binaryPropertyParameter('photo'),
	{
		displayName: 'If No Photo',
		name: 'ifNoPhoto',
		type: 'options',
		default: 'error',
		description:
			'What to do when CrewPass has no photo for the crew member (HTTP 404 not_found, which CrewPass also gives for someone not on your fleet)',
		options: [
			{
				name: 'Error',
				value: 'error',
				description: 'Fail with a message saying there is no photo',
			},
			{
				name: 'Pass Item Through Without File',
				value: 'passThrough',
				description: 'Output the input item unchanged, without a photo',
			},
		],
	},
];

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['crewMember'], operation: ['getPhoto'] } },
	properties,
);

export const toolBound: ToolBound = { what: 'photos', narrow: 'nothing to narrow: one item' };

const EXTENSIONS: Record<string, string> = {
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/jpg': 'jpg',
	'image/webp': 'webp',
	'image/gif': 'gif',
	'image/avif': 'avif',
	'image/heic': 'heic',
	'image/svg+xml': 'svg',
	'image/bmp': 'bmp',
	'image/tiff': 'tiff',
};

/** `image/png; charset=…` → `image/png`; undefined when absent. */
function mimeTypeOf(headers: IDataObject): string | undefined {
	const raw = headers['content-type'] ?? headers['Content-Type'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (typeof value !== 'string') return undefined;
	const mimeType = value.split(';')[0].trim().toLowerCase();
	return mimeType || undefined;
}

/** `crew_001.png` from the crew id and the content type. */
export function photoFileName(crewId: string, mimeType: string | undefined): string {
	const safeId = crewId.replace(/[^\w.-]+/g, '_');
	const extension =
		(mimeType && EXTENSIONS[mimeType]) ??
		(mimeType?.startsWith('image/') ? mimeType.slice(6).replace(/[^a-z0-9]/g, '') : '') ??
		'';
	return extension ? `${safeId}.${extension}` : safeId;
}

/** A copy of the input item: the input itself is never changed. */
function copyOfInput(item: INodeExecutionData | undefined): INodeExecutionData {
	return {
		json: deepCopy(item?.json ?? {}),
		...(item?.binary ? { binary: { ...item.binary } } : {}),
	};
}

/**
 * `GET /employers/me/crew/{id}/photo`: the photo as binary data on a copy of the input item. As an
 * AI agent tool: the photo's details only, no binary data.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const binaryPropertyName = readBinaryPropertyName.call(this, itemIndex, 'photo');
	const ifNoPhoto = this.getNodeParameter('ifNoPhoto', itemIndex, 'error') as string;
	const crewId = await resolveCrewMemberId.call(this, itemIndex);
	const input = this.getInputData()[itemIndex];

	// Only CrewPass's own not_found: a bare 404 (a wrong address) stays an error.
	const photo = await unlessNotFound(this, getPhoto(this, crewId, itemIndex), itemIndex);
	if (!photo.found) {
		if (ifNoPhoto === 'passThrough') {
			return [
				runsAsTool(this)
					? { json: { crew_unique_id: crewId, has_photo: false } }
					: copyOfInput(input),
			];
		}
		throw new NodeOperationError(
			this.getNode(),
			`Crew member ${crewId} has no photo [item ${itemIndex}]`,
			{
				description: `CrewPass answered 404 (${photo.error.message}): the crew member has no photo, or is not on your fleet. Set If No Photo to "Pass Item Through Without File" to carry on without one.`,
				itemIndex,
			},
		);
	}

	const response = photo.value;
	const mimeType = mimeTypeOf(response.headers) ?? 'application/octet-stream';
	if (runsAsTool(this)) {
		// An agent gets what the photo is, never its bytes.
		const json: IDataObject = {
			crew_unique_id: crewId,
			has_photo: true,
			file_name: photoFileName(crewId, mimeType),
			mime_type: mimeType,
			file_size: response.body.length,
			note: TOOL_FILE_NOTE,
		};
		return [{ json }];
	}
	const binaryData = await this.helpers.prepareBinaryData(
		Buffer.from(response.body),
		photoFileName(crewId, mimeType),
		mimeType,
	);
	const output = copyOfInput(input);
	const binary: IBinaryKeyData = { ...(output.binary ?? {}), [binaryPropertyName]: binaryData };
	return [{ ...output, binary }];
}
