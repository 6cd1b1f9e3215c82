import type {
	IExecuteFunctions,
	INodeParameterResourceLocator,
	INodeProperties,
} from 'n8n-workflow';

import { lookupCrewMember } from '../../client';
import { requireEmail, requireId } from './validation';

/** The Crew Member parameter: From List (the fleet roster), By ID, By Email. */
export const crewMemberLocator: INodeProperties = {
	displayName: 'Crew Member',
	name: 'crewMember',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The crew member, who must be on one of your vessels',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a crew member...',
			typeOptions: { searchListMethod: 'searchCrewMembers', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. crew_001',
		},
		{
			displayName: 'By Email',
			name: 'email',
			type: 'string',
			placeholder: 'e.g. crew@example.com',
		},
	],
};

/** The Vessel parameter: From List (your vessels) or By ID. */
export function vesselLocator(overrides: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName: 'Vessel',
		name: 'vessel',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		description: 'One of the vessels on your CrewPass account',
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a vessel...',
				typeOptions: { searchListMethod: 'searchVessels', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. ves_abc',
			},
		],
		...overrides,
	};
}

/** The multi-select "Vessel Names or IDs" (a filter of Crew Member → Get Many, Check Fleet). */
export function vesselIdsParameter(description: string): INodeProperties {
	return {
		displayName: 'Vessel Names or IDs',
		name: 'vesselIds',
		type: 'multiOptions',
		default: [],
		typeOptions: { loadOptionsMethod: 'getVessels' },
		description: `${description}Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>`,
	};
}

/**
 * The crew_unique_id the Crew Member parameter points at. By Email asks CrewPass
 * (POST /employers/me/crew/lookup) after validating the address.
 */
export async function resolveCrewMemberId(
	this: IExecuteFunctions,
	itemIndex: number,
	parameterName = 'crewMember',
): Promise<string> {
	const locator = this.getNodeParameter(parameterName, itemIndex) as INodeParameterResourceLocator;
	if (locator?.mode === 'email') {
		const email = requireEmail(this, 'Crew Member (By Email)', locator.value, itemIndex);
		const found = await lookupCrewMember(this, email, itemIndex);
		return requireId(this, 'Crew Member', found.crew_unique_id, itemIndex);
	}
	return requireId(this, 'Crew Member', locator?.value, itemIndex);
}

/** The vessel_id of an optional Vessel parameter, or undefined when left empty. */
export function optionalVesselId(
	this: IExecuteFunctions,
	itemIndex: number,
	parameterName = 'vessel',
): string | undefined {
	const locator = this.getNodeParameter(parameterName, itemIndex, {
		mode: 'list',
		value: '',
	}) as INodeParameterResourceLocator;
	const value = typeof locator === 'string' ? locator : locator?.value;
	if (value === undefined || value === null || String(value).trim() === '') return undefined;
	return requireId(this, 'Vessel', value, itemIndex);
}
