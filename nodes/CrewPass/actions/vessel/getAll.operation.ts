import { updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { listVessels } from '../../client';
import { readLimit, returnAllOrLimit } from '../common/returnAll';
import { toolLimit } from '../common/tool';
import type { ToolBound } from '../common/tool';

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['vessel'], operation: ['getAll'] } },
	returnAllOrLimit,
);

export const toolBound: ToolBound = {
	what: 'vessels',
	narrow: 'set a smaller Limit; vessels have no filters',
};

/** `GET /employers/me/vessels`: one item per vessel (as an AI agent tool: toolLimit). */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const limit = toolLimit(this, readLimit.call(this, itemIndex));
	const vessels = await listVessels(this, itemIndex, limit);
	return vessels.map((vessel) => ({ json: vessel }));
}
