import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { crewPassRequest } from '../../transport';

export const description: INodeProperties[] = [];

/** `GET /partners/me`: your identity, plan and granted scopes. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const partner = await crewPassRequest(this, { path: ['partners', 'me'], itemIndex });
	return [{ json: partner }];
}
