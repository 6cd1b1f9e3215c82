import { NodeApiError } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { fetchFile, getDownloadLink } from '../../client';
import type { DownloadLink } from '../../client';
import { MAX_EXPIRY_WINDOW_DAYS } from '../../shared/dates';
import { asNodeError } from '../../transport/errors';
import { TOOL_FILE_NOTE } from '../common/tool';
import { parameterError, requireIntegerInRange, requireId } from '../common/validation';

/** What Simplify keeps of a document (Get Many). */
export const SIMPLE_DOCUMENT_FIELDS = [
	'document_id',
	'crew_unique_id',
	'type',
	'category',
	'title',
	'issuer',
	'verification_status',
	'issue_date',
	'expiry_date',
	'days_until_expiry',
] as const;

/** What Simplify keeps of a downloaded document (Download All): the file details included. */
export const SIMPLE_DOWNLOAD_FIELDS = [
	'document_id',
	'crew_unique_id',
	'type',
	'title',
	'verification_status',
	'expiry_date',
	'days_until_expiry',
	'file_name',
	'content_type',
	'file_size',
] as const;

export const VERIFICATION_STATUSES = ['verified', 'pending', 'rejected', 'expired'] as const;

/** The Filters collection of Document → Get Many and Download All. */
export const documentFilters: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	options: [
		{
			displayName: 'Expiring Within Days',
			name: 'expiringWithinDays',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: MAX_EXPIRY_WINDOW_DAYS },
			default: 30,
			description: `Only documents whose expiry date is from today to this many days ahead (0–${MAX_EXPIRY_WINDOW_DAYS}). Documents without an expiry date, or already past it, are left out.`,
		},
		{
			displayName: 'Type',
			name: 'types',
			type: 'string',
			default: '',
			placeholder: 'e.g. STCW, CoC',
			description:
				'Only documents of these types (the "type" field, e.g. STCW, ENG1, CoC), comma-separated, case-insensitive',
		},
		{
			displayName: 'Verification Status',
			name: 'verificationStatuses',
			type: 'multiOptions',
			options: [
				{ name: 'Expired', value: 'expired' },
				{ name: 'Pending', value: 'pending' },
				{ name: 'Rejected', value: 'rejected' },
				{ name: 'Verified', value: 'verified' },
			],
			default: [],
			description: 'Only documents with one of these CrewPass verification statuses',
		},
	],
};

export interface DocumentFilterValues {
	types?: string[];
	verificationStatuses?: string[];
	expiringWithinDays?: number;
}

/** Reads and validates the Filters collection (before any request). */
export function readDocumentFilters(
	this: IExecuteFunctions,
	itemIndex: number,
): DocumentFilterValues {
	const raw = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const filters: DocumentFilterValues = {};
	if (raw.expiringWithinDays !== undefined && raw.expiringWithinDays !== '') {
		filters.expiringWithinDays = requireIntegerInRange(
			this,
			'Filters → Expiring Within Days',
			raw.expiringWithinDays,
			0,
			MAX_EXPIRY_WINDOW_DAYS,
			itemIndex,
		);
	}
	if (raw.types !== undefined) {
		const list = Array.isArray(raw.types) ? raw.types : String(raw.types).split(',');
		const types = list.map((type) => String(type).trim().toLowerCase()).filter(Boolean);
		if (types.length) filters.types = types;
	}
	if (raw.verificationStatuses !== undefined) {
		const list = Array.isArray(raw.verificationStatuses)
			? raw.verificationStatuses
			: String(raw.verificationStatuses).split(',');
		const statuses = list.map((status) => String(status).trim().toLowerCase()).filter(Boolean);
		const unknown = statuses.find(
			(status) => !(VERIFICATION_STATUSES as readonly string[]).includes(status),
		);
		if (unknown) {
			throw parameterError(
				this,
				'Filters → Verification Status',
				`"${unknown}" is not a verification status`,
				itemIndex,
				`Use ${VERIFICATION_STATUSES.join(', ')}.`,
			);
		}
		if (statuses.length) filters.verificationStatuses = statuses;
	}
	return filters;
}

export function matchesDocumentFilters(
	document: IDataObject,
	filters: DocumentFilterValues,
): boolean {
	if (filters.types && !filters.types.includes(String(document.type ?? '').toLowerCase())) {
		return false;
	}
	if (
		filters.verificationStatuses &&
		!filters.verificationStatuses.includes(String(document.verification_status ?? '').toLowerCase())
	) {
		return false;
	}
	if (filters.expiringWithinDays !== undefined) {
		const days = document.days_until_expiry;
		if (typeof days !== 'number' || days < 0 || days > filters.expiringWithinDays) return false;
	}
	return true;
}

/** The Document ID parameter. */
export const documentIdParameter: INodeProperties = {
	displayName: 'Document ID',
	name: 'documentId',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. doc_1',
	description:
		"The document_id of one of the crew member's current documents (from Document → Get Many)",
};

/** The validated Document ID of one item (before any request). */
export function readDocumentId(this: IExecuteFunctions, itemIndex: number): string {
	return requireId(
		this,
		'Document ID',
		this.getNodeParameter('documentId', itemIndex, ''),
		itemIndex,
	);
}

/** A file name safe to hand to later nodes: no folders, no control characters. */
export function safeFileName(value: unknown, fallback: string): string {
	const text = typeof value === 'string' ? value : '';
	const base = text.split(/[\\/]/).pop() ?? '';
	const cleaned = [...base]
		.filter((char) => char.charCodeAt(0) >= 0x20 && char.charCodeAt(0) !== 0x7f)
		.join('')
		.trim();
	return cleaned && cleaned !== '.' && cleaned !== '..' ? cleaned : fallback;
}

function linkHasExpired(link: DownloadLink, now = Date.now()): boolean {
	if (typeof link.expires_at !== 'string') return false;
	const expiresAt = Date.parse(link.expires_at);
	return Number.isFinite(expiresAt) && expiresAt <= now;
}

/** A failed follow that a fresh link may cure: the file URL answered 403 or 410. */
function isExpiredLinkError(error: unknown): boolean {
	return error instanceof NodeApiError && (error.httpCode === '403' || error.httpCode === '410');
}

type FollowOutcome =
	| { ok: true; body: Buffer; headers: IDataObject }
	| { ok: false; error: unknown };

async function tryFollow(
	ctx: IExecuteFunctions,
	link: DownloadLink,
	itemIndex: number,
): Promise<FollowOutcome> {
	try {
		const response = await fetchFile(ctx, link, itemIndex);
		return { ok: true, body: response.body, headers: response.headers };
	} catch (error) {
		return { ok: false, error };
	}
}

export interface DownloadedFile {
	link: DownloadLink;
	data: Buffer;
	fileName: string;
	mimeType: string;
}

/**
 * Asks for a download link and follows it (without the API key, only to CrewPass origins: the
 * transport enforces both). A link that has expired — `expires_at` already past, or
 * the file URL answering 403/410 — is requested again once.
 */
export async function downloadDocument(
	ctx: IExecuteFunctions,
	crewMemberId: string,
	documentId: string,
	itemIndex: number,
): Promise<DownloadedFile> {
	let renewed = false;
	let link = await getDownloadLink(ctx, crewMemberId, documentId, itemIndex);
	if (linkHasExpired(link)) {
		link = await getDownloadLink(ctx, crewMemberId, documentId, itemIndex);
		renewed = true;
	}
	let outcome = await tryFollow(ctx, link, itemIndex);
	if (!outcome.ok && !renewed && isExpiredLinkError(outcome.error)) {
		link = await getDownloadLink(ctx, crewMemberId, documentId, itemIndex);
		outcome = await tryFollow(ctx, link, itemIndex);
	}
	if (!outcome.ok) {
		const error = asNodeError(ctx, outcome.error, itemIndex);
		if (isExpiredLinkError(outcome.error)) {
			error.description =
				`${error.description ?? ''} The download link was refused even after asking CrewPass for a fresh one. Run the node again; if it repeats, quote the request id to CrewPass support.`.trim();
		}
		throw error;
	}
	const headerType = outcome.headers['content-type'];
	const mimeType =
		(typeof link.content_type === 'string' && link.content_type.trim()) ||
		(typeof headerType === 'string' && headerType.split(';')[0].trim()) ||
		'application/octet-stream';
	return {
		link,
		data: outcome.body,
		fileName: safeFileName(link.file_name, documentId),
		mimeType,
	};
}

/** Link details worth keeping in the output item (never the link itself: it is a credential). */
export function describeFile(
	crewMemberId: string,
	documentId: string,
	file: DownloadedFile,
): IDataObject {
	return {
		crew_unique_id: crewMemberId,
		document_id: file.link.document_id ?? documentId,
		file_name: file.fileName,
		content_type: file.mimeType,
		file_size: file.data.length,
	};
}

/**
 * A document file as an AI agent tool sees it (runsAsTool): the link's details, never the link
 * (it is a credential) nor the bytes. One request (the link), no download.
 */
export async function describeFileForTool(
	ctx: IExecuteFunctions,
	crewMemberId: string,
	documentId: string,
	itemIndex: number,
): Promise<IDataObject> {
	const link = await getDownloadLink(ctx, crewMemberId, documentId, itemIndex);
	return {
		crew_unique_id: crewMemberId,
		document_id: link.document_id ?? documentId,
		file_name: safeFileName(link.file_name, documentId),
		content_type:
			(typeof link.content_type === 'string' && link.content_type.trim()) ||
			'application/octet-stream',
		note: TOOL_FILE_NOTE,
	};
}

/** A new output item: `json`, the input item's binary fields, and the file under `property`. */
export async function binaryItem(
	ctx: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
	property: string,
	file: DownloadedFile,
): Promise<INodeExecutionData> {
	const input = ctx.getInputData()[itemIndex];
	const binaryData = await ctx.helpers.prepareBinaryData(file.data, file.fileName, file.mimeType);
	return { json, binary: { ...(input?.binary ?? {}), [property]: binaryData } };
}

export function documentIdOf(
	ctx: IExecuteFunctions,
	document: IDataObject,
	itemIndex: number,
): string {
	return requireId(ctx, 'document_id (in the document list)', document.document_id, itemIndex);
}
