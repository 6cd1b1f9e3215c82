import type { INodeProperties } from 'n8n-workflow';

import type { CrewPassResource } from '../types';
import * as get from './get.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['partner'] } },
	options: [
		{
			name: 'Get',
			value: 'get',
			description: 'Get your partner identity, plan and granted scopes',
			action: 'Get partner identity and scopes',
		},
	],
	default: 'get',
};

export const partner: CrewPassResource = {
	description: [operation, ...get.description],
	operations: { get },
};
