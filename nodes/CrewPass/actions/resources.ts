import type { INodeProperties } from 'n8n-workflow';

import { compliance } from './compliance/Compliance.resource';
import { crewMember } from './crewMember/CrewMember.resource';
import { document } from './document/Document.resource';
import { partner } from './partner/Partner.resource';
import type { CrewPassResource } from './types';
import { vessel } from './vessel/Vessel.resource';

/** Every resource of the CrewPass node, by parameter value. Add a resource here and below. */
export const resources: Record<string, CrewPassResource> = {
	compliance,
	crewMember,
	document,
	partner,
	vessel,
};

export const resourceParameter: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Compliance', value: 'compliance' },
		{ name: 'Crew Member', value: 'crewMember' },
		{ name: 'Document', value: 'document' },
		{ name: 'Partner', value: 'partner' },
		{ name: 'Vessel', value: 'vessel' },
	],
	default: 'partner',
};
