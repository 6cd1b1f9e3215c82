import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requireLimit } from './validation';

/** The Return All / Limit pair every list operation offers. */
export const returnAllOrLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
];

/** The validated Limit of one item, or undefined with Return All on. */
export function readLimit(this: IExecuteFunctions, itemIndex: number): number | undefined {
	if (this.getNodeParameter('returnAll', itemIndex, false) as boolean) return undefined;
	return requireLimit(this, this.getNodeParameter('limit', itemIndex, 50), itemIndex);
}
