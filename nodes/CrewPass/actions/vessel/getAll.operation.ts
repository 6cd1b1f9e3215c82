import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { crewPassRequest } from '../../transport';
import type { CrewPassContext } from '../../transport';
import { readLimit, returnAllOrLimit } from '../common/returnAll';

const show = { resource: ['vessel'], operation: ['getAll'] };

export const description: INodeProperties[] = [...returnAllOrLimit(show)];

/**
 * The vessels on your account (`GET /employers/me/vessels`). The contract returns them in one
 * answer; should CrewPass ever page this list (`next_cursor`), the pages are followed.
 */
export async function fetchVessels(
	ctx: CrewPassContext,
	itemIndex?: number,
	limit?: number,
): Promise<IDataObject[]> {
	const vessels: IDataObject[] = [];
	const seen = new Set<string>();
	let cursor: string | undefined;
	for (;;) {
		const page = await crewPassRequest(ctx, {
			path: ['employers', 'me', 'vessels'],
			...(cursor !== undefined ? { qs: { cursor } } : {}),
			itemIndex,
		});
		if (Array.isArray(page.items)) vessels.push(...(page.items as IDataObject[]));
		if (limit !== undefined && vessels.length >= limit) return vessels.slice(0, limit);
		const next = page.next_cursor;
		if (next === undefined || next === null || next === '') return vessels;
		if (seen.has(String(next))) {
			throw new NodeOperationError(
				ctx.getNode(),
				'CrewPass returned a vessel page cursor it had already returned: stopped paging to avoid an endless loop',
				{ itemIndex },
			);
		}
		cursor = String(next);
		seen.add(cursor);
	}
}

/** `GET /employers/me/vessels`: one item per vessel. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const vessels = await fetchVessels(this, itemIndex, limit);
	return vessels.map((vessel) => ({ json: vessel }));
}
