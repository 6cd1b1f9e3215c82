import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { getProfile } from '../../client';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';

/** The base profile fields Simplify keeps (identity fields need consent and are left out). */
export const SIMPLE_FIELDS = [
	'crew_unique_id',
	'name',
	'rank',
	'nationality',
	'languages',
	'skills',
	'years_experience',
	'bio',
	'email',
	'phone',
	'profile_photo_url',
	'full_profile',
] as const;

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['crewMember'], operation: ['getProfile'] } },
	[
		crewMemberLocator,
		{
			displayName: 'Simplify',
			name: 'simplify',
			type: 'boolean',
			default: true,
			description:
				'Whether to return only the base profile fields (ID, name, rank, nationality, languages, skills, experience, bio, contact details, photo URL, full_profile) instead of everything, including identity fields shared with consent',
		},
	],
);

/** Only the base fields present in the profile; a missing field is left out, never an error. */
export function simplifyProfile(profile: IDataObject): IDataObject {
	const simple: IDataObject = {};
	for (const field of SIMPLE_FIELDS) {
		if (profile[field] !== undefined) simple[field] = profile[field];
	}
	return simple;
}

/**
 * `GET /employers/me/crew/{id}/profile`. Identity fields (date_of_birth, address, passport, visas,
 * employment_history) come only with `full_profile: true`; their absence is normal.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const simplify = this.getNodeParameter('simplify', itemIndex, true) as boolean;
	const crewId = await resolveCrewMemberId.call(this, itemIndex);
	const profile = await getProfile(this, crewId, itemIndex);
	const json: IDataObject = { crew_unique_id: crewId, ...profile };
	return [{ json: simplify ? simplifyProfile(json) : json }];
}
