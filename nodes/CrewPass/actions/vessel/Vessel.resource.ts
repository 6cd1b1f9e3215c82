import type { INodeProperties } from 'n8n-workflow';

import type { CrewPassResource } from '../types';
import * as getAll from './getAll.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['vessel'] } },
	options: [
		{
			name: 'Get Many',
			value: 'getAll',
			description:
				'List the vessels on your CrewPass account: vessel_id, name, IMO, MMSI, flag state and type',
			action: 'Get many vessels up to 50 for AI',
		},
	],
	default: 'getAll',
};

export const vessel: CrewPassResource = {
	description: [operation, ...getAll.description],
	operations: { getAll },
};
