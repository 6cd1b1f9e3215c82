import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { getPartner } from '../../client';

export const description: INodeProperties[] = [];

/** `GET /partners/me`: your identity, plan and granted scopes. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	return [{ json: await getPartner(this, itemIndex) }];
}
