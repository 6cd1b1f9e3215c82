import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { redact } from '../../transport/errors';

/** Items any operation gives an AI agent per input item at most (then one note item). */
export const TOOL_MAX_ITEMS = 50;

/**
 * Characters of JSON any operation gives an AI agent per input item at most (about 15,000
 * tokens), the note item aside: items that would go past it are left out, with the note.
 */
export const TOOL_MAX_CHARS = 60_000;

/** Characters of one text value an agent gets at most (a long bio, a raw answer). */
export const TOOL_MAX_TEXT = 5_000;

/** Said on every file item an agent gets: the bytes are not for its context. */
export const TOOL_FILE_NOTE =
	'Run as an AI agent tool, the node gives the file details only, not the file: use the CrewPass node in a workflow to download it.';

/** Said instead of a download link an agent does not get (Get Download Link). */
export const TOOL_LINK_NOTE =
	'Run as an AI agent tool, the node does not give the download link (anyone holding it can download the file for about 15 minutes). The workflow author can allow it with the option "Give the Link to the AI Agent".';

/**
 * How an operation's output is bounded for an AI agent: what its items are (for the note) and how
 * the agent narrows the request when there are more than TOOL_MAX_ITEMS.
 */
export interface ToolBound {
	/** The items in plural, e.g. "crew members". */
	what: string;
	/** How to ask for fewer, e.g. "set Filters → Vessel Names or IDs, or a smaller Limit". */
	narrow: string;
	/** Whether the workflow's author let this item's download link through (Get Download Link). */
	linksAllowed?: (this: IExecuteFunctions, itemIndex: number) => boolean;
}

/**
 * Whether the node runs as an AI agent tool: n8n registers the tool variant as `crewPassTool`
 * (the type name with "Tool" appended, n8n's convertNodeToAiTool).
 */
export function runsAsTool(ctx: Pick<IExecuteFunctions, 'getNode'>): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

/**
 * What a list operation asks CrewPass for: its Limit (undefined for Return All) in a workflow; as
 * an AI agent tool at most one more than TOOL_MAX_ITEMS (so the note can say there are more),
 * which also bounds the requests it makes.
 */
export function toolLimit(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	limit: number | undefined,
): number | undefined {
	if (!runsAsTool(ctx)) return limit;
	return Math.min(limit ?? Number.POSITIVE_INFINITY, TOOL_MAX_ITEMS + 1);
}

function sizeOf(json: IDataObject): number {
	return JSON.stringify(json).length;
}

/**
 * At most TOOL_MAX_ITEMS items and TOOL_MAX_CHARS characters of JSON, then one note item saying
 * the output was cut, how many there were and how to narrow the request (so an agent neither
 * floods its context nor takes a partial list for the whole). Exactly TOOL_MAX_ITEMS + 1 items
 * means "more than TOOL_MAX_ITEMS" (a list read with toolLimit stops there).
 */
export function boundForTool(items: INodeExecutionData[], bound: ToolBound): INodeExecutionData[] {
	const kept: INodeExecutionData[] = [];
	let chars = 0;
	for (const item of items.slice(0, TOOL_MAX_ITEMS)) {
		chars += sizeOf(item.json);
		if (chars > TOOL_MAX_CHARS) break;
		kept.push(item);
	}
	const count = items.length;
	if (kept.length === count) return kept;
	const known = count !== TOOL_MAX_ITEMS + 1;
	const ofWhat = known ? `${count} ${bound.what}` : `more than ${TOOL_MAX_ITEMS} ${bound.what}`;
	const why =
		kept.length < Math.min(count, TOOL_MAX_ITEMS)
			? `the next one would pass ${TOOL_MAX_CHARS.toLocaleString('en-US')} characters`
			: `at most ${TOOL_MAX_ITEMS} items are given`;
	const note: IDataObject = {
		truncated: true,
		items_returned: kept.length,
		...(known ? { items_total: count } : { more_available: true }),
		note: `Output limited to the first ${kept.length} of ${ofWhat}: run as an AI agent tool, ${why}. Narrow the request (${bound.narrow}), or use the CrewPass node in a workflow for all of them.`,
	};
	return [...kept, { json: note }];
}

/** Keys whose value is a credential or a link to a file: never given to an agent. */
const SECRET_KEY = /token|secret|password|api_?key|authorization|signature|cookie/i;
const LINK_KEY = /^(download_url|file_url|signed_url)$/i;
/** A CrewPass API key, a bearer header value, a JWT-like signed token. */
const SECRET_TEXT = [
	/\bcp{1,2}k_(?:live|test)_[A-Za-z0-9_-]+/g,
	/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
	/\beyJ[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*)*/g,
];

/**
 * Text an agent may see: no API key, bearer value or signed token, links without their token, at
 * most TOOL_MAX_TEXT characters.
 */
export function toolSafeText(text: string): string {
	const safe = redact(
		SECRET_TEXT.reduce((result, pattern) => result.replace(pattern, '[redacted]'), text),
	);
	if (safe.length <= TOOL_MAX_TEXT) return safe;
	return `${safe.slice(0, TOOL_MAX_TEXT)}… [${safe.length - TOOL_MAX_TEXT} more characters cut for the AI agent]`;
}

/**
 * A JSON value as an agent may see it: credential-like keys dropped, download-link keys dropped
 * (but `download_url` kept as it is with `allowLinks`, the workflow author's choice), every other
 * string through toolSafeText.
 */
export function toolSafeJson<T>(value: T, allowLinks = false): T {
	if (typeof value === 'string') return toolSafeText(value) as T;
	if (Array.isArray(value)) return value.map((entry) => toolSafeJson(entry, allowLinks)) as T;
	if (value === null || typeof value !== 'object') return value;
	const safe: IDataObject = {};
	for (const [key, entry] of Object.entries(value as IDataObject)) {
		if (SECRET_KEY.test(key)) continue;
		if (LINK_KEY.test(key)) {
			if (allowLinks && key === 'download_url' && typeof entry === 'string') safe[key] = entry;
			continue;
		}
		safe[key] = toolSafeJson(entry, allowLinks);
	}
	return safe as T;
}

/** An output item as an agent may see it: its JSON made safe, never binary data. */
export function toolSafeItem(item: INodeExecutionData, allowLinks = false): INodeExecutionData {
	return { json: toolSafeJson(item.json, allowLinks), pairedItem: item.pairedItem };
}

/** The same error, its message and description made safe for an agent (n8n gives it both). */
export function toolSafeError<E extends NodeApiError | NodeOperationError>(error: E): E {
	error.message = toolSafeText(error.message);
	if (error.description) error.description = toolSafeText(error.description);
	return error;
}
