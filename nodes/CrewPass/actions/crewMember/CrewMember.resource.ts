import type { INodeProperties } from 'n8n-workflow';

import type { CrewPassResource } from '../types';
import * as findByEmail from './findByEmail.operation';
import * as getAll from './getAll.operation';
import * as getPhoto from './getPhoto.operation';
import * as getProfile from './getProfile.operation';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['crewMember'] } },
	options: [
		{
			name: 'Find by Email',
			value: 'findByEmail',
			description:
				'Find the crew_unique_id of a crew member on your fleet from their email address',
			action: 'Find a crew member by email',
		},
		{
			name: 'Get Many',
			value: 'getAll',
			description:
				'List the crew on your vessels (the fleet roster): vessel, role, verification and background-check status, and how many documents expire soon',
			action: 'Get many crew members up to 50 for AI',
		},
		{
			name: 'Get Photo',
			value: 'getPhoto',
			description: "Download a crew member's profile photo as a binary file",
			action: 'Get the photo of a crew member details only for AI',
		},
		{
			name: 'Get Profile',
			value: 'getProfile',
			description:
				"Get a crew member's profile: rank, nationality, languages, skills, experience, contact details, and identity fields if they consented",
			action: 'Get the profile of a crew member',
		},
	],
	default: 'getAll',
};

export const crewMember: CrewPassResource = {
	description: [
		operation,
		...getAll.description,
		...findByEmail.description,
		...getProfile.description,
		...getPhoto.description,
	],
	operations: { getAll, findByEmail, getProfile, getPhoto },
};
