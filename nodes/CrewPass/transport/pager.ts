import type { IDataObject } from 'n8n-workflow';

import { listPageProblem, malformedAnswer, type ListShape } from './answers';
import { crewPassRequest, transportSettings } from './request';
import type { CrewPassContext } from './request';

export interface PagerOptions extends ListShape {
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
	/**
	 * Request the next page as soon as this one is checked, before the caller takes this one in:
	 * the caller's work on a page overlaps the next page's request. For reads that go to the last
	 * page (a caller that stops early leaves one request unused); `pageLimit` is then asked before
	 * the caller has seen the page before.
	 */
	readAhead?: boolean;
	itemIndex?: number;
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
 * place that guards paging. Refuses (NodeApiError) a page answers.ts finds malformed (no `items`
 * list, a row that is not an object or lacks its `rowId`, a row or answer for another crew
 * member than `crewId`, a `next_cursor` that is neither a string nor null), a cursor that comes
 * back, and more than `transportSettings.maxPages` pages (a server handing out new cursors for
 * ever). The caller stops early by leaving the loop.
 */
export async function* crewPassPages(
	ctx: CrewPassContext,
	options: PagerOptions,
): AsyncGenerator<Page, void, undefined> {
	const seen = new Set<string>();
	const what = `GET /api/v2/${options.path.join('/')}`;
	const malformed = (problem: string, description: string) =>
		malformedAnswer(ctx, 'a list page', what, { problem, description }, options.itemIndex);
	let pages = 0;
	const readPage = async (cursor: string | undefined): Promise<Page> => {
		if (++pages > transportSettings.maxPages) {
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
		const problem = listPageProblem(answer, options);
		if (problem) throw malformedAnswer(ctx, 'a list page', what, problem, options.itemIndex);
		const next = answer.next_cursor as string | null | undefined;
		const nextCursor = next ? next : undefined;
		if (nextCursor !== undefined) {
			if (seen.has(nextCursor)) {
				throw malformed(
					'a page cursor it had already returned',
					`Cursor "${nextCursor.slice(0, 40)}" came back after ${pages} page(s): stopped paging to avoid an endless loop. Run the node again; if it repeats, report it to CrewPass support.`,
				);
			}
			seen.add(nextCursor);
		}
		return { items: answer.items as IDataObject[], nextCursor, answer };
	};
	const start = options.cursor || undefined;
	if (start !== undefined) seen.add(start);
	let page = await readPage(start);
	for (;;) {
		const cursor = page.nextCursor;
		const ahead = cursor !== undefined && options.readAhead ? readPage(cursor) : undefined;
		// Settled unseen when the caller stops early: not an unhandled rejection.
		ahead?.catch(() => undefined);
		yield page;
		if (cursor === undefined) return;
		page = await (ahead ?? readPage(cursor));
	}
}
