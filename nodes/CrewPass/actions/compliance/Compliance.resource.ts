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
			action: 'Check the compliance of a crew member',
		},
		{
			name: 'Check Fleet',
			value: 'checkFleet',
			description:
				'Check the compliance of every crew member on your fleet or chosen vessels, optionally only those needing attention',
			action: 'Check the compliance of the whole fleet',
		},
	],
	default: 'check',
};

export const compliance: CrewPassResource = {
	description: [operation, ...check.description, ...checkFleet.description],
	operations: { check, checkFleet },
};
