/**
 * How the CrewPass node talks HTTP: one request (credential, pacing, retries, redirects refused,
 * secrets redacted), one file-link follower, one pager. Endpoints live in ../client.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import type { ListShape } from './answers';
import { crewPassPages } from './pager';
import { MAX_PAGE_SIZE } from './request';
import type { CrewPassContext } from './request';

export * from './request';
export * from './answers';
export { crewPassPages } from './pager';
export type { Page, PagerOptions } from './pager';

export interface PaginateOptions extends ListShape {
	path: string[];
	qs?: IDataObject;
	/** Stop once this many items are collected; undefined = every page. */
	limit?: number;
	/** Items per page, 1..200. */
	pageSize?: number;
	itemIndex?: number;
	/**
	 * Keep only the items this returns true for (a client-side filter). The limit then counts kept
	 * items, so every page asks for the full page size and paging stops once the limit is met.
	 */
	keep?: (item: IDataObject) => boolean;
}

/**
 * Collects a cursor-paginated CrewPass list (through the pager). Asks each page for no more than
 * the limit still needs and stops as soon as the limit is met.
 */
export async function crewPassPaginate(
	ctx: CrewPassContext,
	options: PaginateOptions,
): Promise<IDataObject[]> {
	const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
		throw new NodeOperationError(ctx.getNode(), `Page size must be 1 to ${MAX_PAGE_SIZE}`, {
			itemIndex: options.itemIndex,
		});
	}
	const { limit, keep } = options;
	const items: IDataObject[] = [];
	const pageLimit = () =>
		limit === undefined || keep ? pageSize : Math.min(pageSize, limit - items.length);
	for await (const page of crewPassPages(ctx, {
		path: options.path,
		qs: options.qs,
		pageLimit,
		itemIndex: options.itemIndex,
		rowId: options.rowId,
		crewId: options.crewId,
	})) {
		if (!keep && (limit === undefined || items.length + page.items.length < limit)) {
			// No filter and the limit not reached on this page: the page as it is, no per-row work.
			for (let i = 0; i < page.items.length; i++) items.push(page.items[i]);
			continue;
		}
		for (const item of page.items) {
			if (keep && !keep(item)) continue;
			items.push(item);
			if (limit !== undefined && items.length >= limit) return items;
		}
	}
	return items;
}
