import type { INodeProperties } from 'n8n-workflow';

import type { CrewPassResource } from '../types';
import * as check from './check.operation';
import * as checkFleet from './checkFleet.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['compliance'] } },
	options: [
		{
			name: 'Check',
			value: 'check',
			description:
				'Check whether a crew member is fully certified for their role (role certificates, STCW, medical)',
			action: 'Check compliance of a crew member up to 50 for AI',
		},
		{
			name: 'Check Fleet',
			value: 'checkFleet',
			description:
				'Check the compliance of every crew member on your fleet or chosen vessels, optionally only those needing attention',
			action: 'Check the fleet 1 request per crew up to 50 for AI',
		},
	],
	default: 'check',
};

export const compliance: CrewPassResource = {
	description: [operation, ...check.description, ...checkFleet.description],
	operations: { check, checkFleet },
};
