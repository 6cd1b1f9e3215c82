import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { getProfile } from '../../client';
import { crewMemberLocator, resolveCrewMemberId } from '../common/locators';
import type { ToolBound } from '../common/tool';

/**
 * The base profile fields Simplify keeps. Identity fields (shared with consent, `full_profile`
 * true) are not dropped silently: Simplify adds an `identity` summary (IDENTITY_SUMMARY).
 */
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
			description: 'Whether to return a simplified version of the response instead of the raw data',
			hint: 'Simplified: the base profile fields and, when the crew member shares identity details (full_profile), an "identity" summary (date of birth, passport and visa expiries, address country, employment count). Turn off for the full identity block.',
		},
	],
);

export const toolBound: ToolBound = { what: 'profiles', narrow: 'turn Simplify on' };

function objectOf(value: unknown): IDataObject | undefined {
	return value !== null && typeof value === 'object' && !Array.isArray(value)
		? (value as IDataObject)
		: undefined;
}

/**
 * The identity block in brief (no passport number, no street address): what a person or an agent
 * needs to see that identity details are there and when they expire. Undefined when the profile
 * carries no identity field.
 */
export function identitySummary(profile: IDataObject): IDataObject | undefined {
	const passport = objectOf(profile.passport);
	const address = objectOf(profile.address);
	const visas = Array.isArray(profile.visas) ? (profile.visas as unknown[]) : undefined;
	const history = Array.isArray(profile.employment_history)
		? (profile.employment_history as unknown[])
		: undefined;
	const summary: IDataObject = {};
	if (profile.date_of_birth !== undefined) summary.date_of_birth = profile.date_of_birth;
	if (passport) {
		summary.passport_nationality = passport.nationality ?? null;
		summary.passport_expiry = passport.expiry ?? null;
	}
	if (visas) {
		summary.visas = visas.map((visa) => {
			const entry = objectOf(visa) ?? {};
			return {
				type: entry.type ?? null,
				country: entry.country ?? null,
				expiry: entry.expiry ?? null,
			};
		});
	}
	if (address) summary.address_country = address.country ?? null;
	if (history) summary.employment_history_count = history.length;
	return Object.keys(summary).length ? summary : undefined;
}

/**
 * The base fields present in the profile (a missing field is left out, never an error), plus
 * `identity` (identitySummary) when the profile has identity fields.
 */
export function simplifyProfile(profile: IDataObject): IDataObject {
	const simple: IDataObject = {};
	for (const field of SIMPLE_FIELDS) {
		if (profile[field] !== undefined) simple[field] = profile[field];
	}
	const identity = identitySummary(profile);
	if (identity) simple.identity = identity;
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
