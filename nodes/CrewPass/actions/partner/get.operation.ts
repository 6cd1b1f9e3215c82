import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getPartner } from '../../client';
import type { ToolBound } from '../common/tool';

export const description: INodeProperties[] = [];

export const toolBound: ToolBound = {
	what: 'partner records',
	narrow: 'nothing to narrow: one item',
};

/** `GET /partners/me`: your identity, plan and granted scopes. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return [{ json: await getPartner(this, itemIndex) }];
}
