import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../harness';
import { crewPass, guardRequests } from '../../fixtures/http';
import profileBase from '../../fixtures/profile-base.json';
import profileFull from '../../fixtures/profile-full.json';

const PROFILE_PATH = (id: string) => `/api/v2/employers/me/crew/${id}/profile`;
const BASE_FIELDS = [
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
];

function params(crewMember: IDataObject, extra: INodeParameters = {}): INodeParameters {
	return {
		resource: 'crewMember',
		operation: 'getProfile',
		crewMember: { __rl: true, ...crewMember },
		...extra,
	};
}

const unexpected = guardRequests();

describe('Crew Member → Get Profile', () => {
	it('Simplify (default) gives the base fields and an identity summary (no passport number, no street)', async () => {
		const scope = crewPass().get(PROFILE_PATH('crew_001')).reply(200, profileFull);

		const { items, error } = await runNode({
			parameters: params({ mode: 'list', value: 'crew_001' }),
		});

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(Object.keys(items[0].json)).toEqual([...BASE_FIELDS, 'identity']);
		expect(items[0].json.name).toBe('Alex Crew');
		expect(items[0].json.full_profile).toBe(true);
		expect(items[0].json).not.toHaveProperty('passport');
		expect(items[0].json.identity).toEqual({
			date_of_birth: '1990-04-12',
			passport_nationality: 'British',
			passport_expiry: '2030-04-01',
			visas: [{ type: 'B1/B2', country: 'USA', expiry: '2029-01-01' }],
			address_country: 'United Kingdom',
			employment_history_count: 1,
		});
		expect(JSON.stringify(items[0].json)).not.toContain('123456789');
		expect(JSON.stringify(items[0].json)).not.toContain('Quay Street');
		expect(items[0].pairedItem).toEqual({ item: 0 });
	});

	it('Simplify off gives everything, identity fields included when full_profile is true', async () => {
		crewPass().get(PROFILE_PATH('crew_001')).reply(200, profileFull);

		const { items, error } = await runNode({
			parameters: params({ mode: 'id', value: 'crew_001' }, { simplify: false }),
		});

		expect(error).toBeUndefined();
		expect(items).toEqual([{ json: profileFull, pairedItem: { item: 0 } }]);
	});

	it('without identity consent (full_profile false) the fields are absent and nothing fails', async () => {
		crewPass().get(PROFILE_PATH('crew_003')).reply(200, profileBase);
		crewPass().get(PROFILE_PATH('crew_003')).reply(200, profileBase);

		const simple = await runNode({ parameters: params({ mode: 'id', value: 'crew_003' }) });
		const full = await runNode({
			parameters: params({ mode: 'id', value: 'crew_003' }, { simplify: false }),
		});

		expect(simple.error).toBeUndefined();
		expect(full.error).toBeUndefined();
		expect(simple.items[0].json).toEqual(profileBase);
		expect(full.items[0].json).toEqual(profileBase);
		for (const field of ['date_of_birth', 'address', 'passport', 'visas', 'employment_history'])
			expect(full.items[0].json).not.toHaveProperty(field);
	});

	it('By Email looks the crew member up first, then reads the profile', async () => {
		const scope = crewPass()
			.post('/api/v2/employers/me/crew/lookup', { email: 'alex@example.com' })
			.reply(200, { crew_unique_id: 'crew_001', status: 'verified' })
			.get(PROFILE_PATH('crew_001'))
			.reply(200, profileFull);

		const { items, error } = await runNode({
			parameters: params({ mode: 'email', value: 'alex@example.com' }),
		});

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items[0].json.crew_unique_id).toBe('crew_001');
	});

	it.each([
		'a/b?c',
		'crew\uff0e\uff0e',
		'crew 1',
		'crew%2F1',
		'crew.1',
		'x'.repeat(129),
		'ｃｒｅｗ',
	])('refuses the ID %j (not what CrewPass ids are) before any request', async (value) => {
		const { error } = await runNode({ parameters: params({ mode: 'id', value }) });

		expect(error?.message).toMatch(/^Crew Member: ".*" is not a valid ID \[item 0\]/);
		expect(error?.description).toMatch(/letters, digits, "_" and "-"/);
		expect(unexpected.requests).toEqual([]);
	});

	it('404 for a crew member off the fleet is a clear not_found error', async () => {
		crewPass()
			.get(PROFILE_PATH('crew_999'))
			.reply(
				404,
				{
					error: {
						code: 'not_found',
						message: 'no crew member with that id on your attached vessels',
					},
				},
				{ 'X-Request-Id': 'req_404' },
			);

		const { error } = await runNode({ parameters: params({ mode: 'id', value: 'crew_999' }) });

		expect(error?.message).toBe(
			'CrewPass error not_found: no crew member with that id on your attached vessels',
		);
		expect(error?.description).toMatch(/not on your fleet/);
		expect(error?.description).toMatch(/req_404/);
	});

	it.each([
		[{ mode: 'id', value: '={{ "" }}' }, /^Crew Member: is empty \[item 0\]/],
		[{ mode: 'list', value: '   ' }, /^Crew Member: is empty \[item 0\]/],
		[{ mode: 'id', value: '..' }, /^Crew Member: "\.\." is not a valid ID/],
		[{ mode: 'email', value: 'nope' }, /^Crew Member \(By Email\): "nope" is not a valid email/],
	])('%j fails before any request', async (crewMember, message) => {
		const { error } = await runNode({ parameters: params(crewMember) });

		expect(error?.message).toMatch(message);
		expect(unexpected.requests).toEqual([]);
	});
});
