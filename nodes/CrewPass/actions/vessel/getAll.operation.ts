import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listVessels } from '../../client';
import { readLimit, returnAllOrLimit } from '../common/returnAll';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['vessel'], operation: ['getAll'] } },
	returnAllOrLimit,
);

/** `GET /employers/me/vessels`: one item per vessel. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const limit = readLimit.call(this, itemIndex);
	const vessels = await listVessels(this, itemIndex, limit);
	return vessels.map((vessel) => ({ json: vessel }));
}
