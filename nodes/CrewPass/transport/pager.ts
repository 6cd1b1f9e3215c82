import { NodeApiError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { crewPassRequest, transportSettings } from './request';
import type { CrewPassContext } from './request';

export interface PagerOptions {
	/** Path segments after `/api/v2/`. */
	path: string[];
	qs?: IDataObject;
	/**
	 * The `limit` to ask the next page for, given how many items were yielded so far; undefined
	 * sends no `limit` (lists CrewPass answers in one piece, e.g. vessels).
	 */
	pageLimit?: () => number | undefined;
	/** Start from this cursor (a "load more" token) instead of the first page. */
	cursor?: string;
	itemIndex?: number;
	/** Refuse a page without an `items` list (a read that must be complete, e.g. a poll's). */
	requireItems?: boolean;
}

export interface Page {
	items: IDataObject[];
	/** The cursor of the page after this one; undefined on the last page. */
	nextCursor?: string;
	/** The whole answer (for fields beside `items`, e.g. `expiring_within_days`). */
	answer: IDataObject;
}

/**
 * Every cursor-paginated CrewPass list (`items`, `next_cursor`), one page at a time: the single
 * place that guards paging. Refuses (NodeApiError) an answer whose `items` is not an array of
 * objects, a `next_cursor` that is neither a string nor null, a cursor that comes back, and more
 * than `transportSettings.maxPages` pages (a server handing out new cursors for ever). The
 * caller stops early by leaving the loop.
 */
export async function* crewPassPages(
	ctx: CrewPassContext,
	options: PagerOptions,
): AsyncGenerator<Page, void, undefined> {
	const seen = new Set<string>();
	let cursor = options.cursor || undefined;
	if (cursor !== undefined) seen.add(cursor);
	const what = `GET /api/v2/${options.path.join('/')}`;
	const malformed = (problem: string, description: string) =>
		new NodeApiError(
			ctx.getNode(),
			{ message: problem },
			{
				message: `CrewPass sent a list page the node cannot use: ${problem} (${what})`,
				description,
				itemIndex: options.itemIndex,
			},
		);
	for (let pages = 1; ; pages++) {
		if (pages > transportSettings.maxPages) {
			throw malformed(
				`more than ${transportSettings.maxPages} pages`,
				`CrewPass kept handing out new page cursors, so paging stopped after ${transportSettings.maxPages} pages to bound the work. Use a Limit, or report it to CrewPass support if your fleet is not that large.`,
			);
		}
		const qs: IDataObject = { ...options.qs };
		const limit = options.pageLimit?.();
		if (limit !== undefined) qs.limit = limit;
		if (cursor !== undefined) qs.cursor = cursor;
		const answer = await crewPassRequest(ctx, {
			path: options.path,
			...(Object.keys(qs).length ? { qs } : {}),
			itemIndex: options.itemIndex,
		});
		const items = answer.items;
		if ((items !== undefined || options.requireItems) && !Array.isArray(items)) {
			throw malformed(
				`"items" is ${typeOf(items)}, not a list`,
				'The answer does not have the shape the CrewPass contract gives. Check the Base URL of the credential (a proxy may be answering), or report it to CrewPass support.',
			);
		}
		const rows = (items ?? []) as unknown[];
		const bad = rows.findIndex((row) => typeOf(row) !== 'an object');
		if (bad !== -1) {
			throw malformed(
				`item ${bad} of the page is ${typeOf(rows[bad])}, not an object`,
				'Every entry of "items" must be a JSON object. Check the Base URL of the credential, or report it to CrewPass support.',
			);
		}
		const next = answer.next_cursor;
		if (next !== undefined && next !== null && typeof next !== 'string') {
			throw malformed(
				`"next_cursor" is ${typeOf(next)}, not a string or null`,
				'The page cursor must be a string (or null on the last page). Report it to CrewPass support.',
			);
		}
		const nextCursor = next ? next : undefined;
		if (nextCursor !== undefined && seen.has(nextCursor)) {
			throw malformed(
				'a page cursor it had already returned',
				`Cursor "${nextCursor.slice(0, 40)}" came back after ${pages} page(s): stopped paging to avoid an endless loop. Run the node again; if it repeats, report it to CrewPass support.`,
			);
		}
		yield { items: rows as IDataObject[], nextCursor, answer };
		if (nextCursor === undefined) return;
		seen.add(nextCursor);
		cursor = nextCursor;
	}
}

function typeOf(value: unknown): string {
	if (value === undefined) return 'missing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}
