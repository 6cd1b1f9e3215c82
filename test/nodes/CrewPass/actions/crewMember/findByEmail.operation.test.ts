import nock from 'nock';
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../harness';
import { crewPass, guardRequests } from '../../fixtures/http';

const LOOKUP_PATH = '/api/v2/employers/me/crew/lookup';
const NOT_FOUND = {
	error: { code: 'not_found', message: 'no crew member with that email on your attached vessels' },
};

function params(extra: INodeParameters = {}): INodeParameters {
	return { resource: 'crewMember', operation: 'findByEmail', email: 'crew@example.com', ...extra };
}

const unexpected = guardRequests();

describe('Crew Member → Find by Email', () => {
	it('POSTs {email} as JSON with the Bearer key and outputs the crew id with the email', async () => {
		const scope = crewPass()
			.matchHeader('content-type', /application\/json/)
			.post(LOOKUP_PATH, { email: 'crew@example.com' })
			.reply(200, { crew_unique_id: 'crew_001', status: 'verified' });

		const { items, error } = await runNode({
			parameters: params({ email: '  crew@example.com ' }),
		});

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toEqual([
			{
				json: { email: 'crew@example.com', crew_unique_id: 'crew_001', status: 'verified' },
				pairedItem: { item: 0 },
			},
		]);
	});

	it('a crew member who does not share status comes without status, no error', async () => {
		crewPass().post(LOOKUP_PATH).reply(200, { crew_unique_id: 'crew_003' });

		const { items, error } = await runNode({ parameters: params() });

		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ email: 'crew@example.com', crew_unique_id: 'crew_003' });
	});

	it('404 (not on your fleet) fails with a clear message by default', async () => {
		crewPass().post(LOOKUP_PATH).reply(404, NOT_FOUND);

		const { error, items } = await runNode({ parameters: params() });

		expect(error?.message).toBe(
			'No crew member with the email "crew@example.com" is on your fleet [item 0]',
		);
		expect(error?.description).toMatch(/If Not Found/);
		expect(items).toEqual([]);
	});

	it('404 with If Not Found = Output Nothing gives no item for that input, others still found', async () => {
		crewPass()
			.post(LOOKUP_PATH, { email: 'gone@example.com' })
			.reply(404, NOT_FOUND)
			.post(LOOKUP_PATH, { email: 'crew@example.com' })
			.reply(200, { crew_unique_id: 'crew_001', status: 'verified' });

		const { items, error } = await runNode({
			parameters: params({ email: '={{ $json.email }}', ifNotFound: 'nothing' }),
			input: [{ json: { email: 'gone@example.com' } }, { json: { email: 'crew@example.com' } }],
		});

		expect(error).toBeUndefined();
		expect(items).toEqual([
			{
				json: { email: 'crew@example.com', crew_unique_id: 'crew_001', status: 'verified' },
				pairedItem: { item: 1 },
			},
		]);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('other errors are not swallowed by Output Nothing', async () => {
		crewPass()
			.post(LOOKUP_PATH)
			.reply(403, {
				error: {
					code: 'scope_not_granted',
					message: "scope 'crew:status:read' is not granted to this partner",
					scope: 'crew:status:read',
				},
			});

		const { error } = await runNode({ parameters: params({ ifNotFound: 'nothing' }) });

		expect(error?.message).toMatch(/^CrewPass error scope_not_granted/);
	});

	it.each([
		['={{ "" }}', /^Email: is empty \[item 0\]/],
		['not-an-email', /^Email: "not-an-email" is not a valid email address \[item 0\]/],
		['a@b', /^Email: "a@b" is not a valid email address/],
	])('email %j fails before any request', async (email, message) => {
		const { error } = await runNode({ parameters: params({ email }) });

		expect(error?.message).toMatch(message);
		expect(unexpected.requests).toEqual([]);
	});

	it('with Continue On Fail, a malformed email gives an error item paired with its input', async () => {
		crewPass()
			.post(LOOKUP_PATH, { email: 'crew@example.com' })
			.reply(200, { crew_unique_id: 'crew_001' });

		const { items, error } = await runNode({
			parameters: params({ email: '={{ $json.email }}' }),
			input: [{ json: { email: 'nope' } }, { json: { email: 'crew@example.com' } }],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(items[0]).toEqual({
			json: expect.objectContaining({ error: expect.stringMatching(/^Email: "nope"/) }),
			pairedItem: { item: 0 },
		});
		expect(items[1]).toEqual({
			json: { email: 'crew@example.com', crew_unique_id: 'crew_001' },
			pairedItem: { item: 1 },
		});
	});
});
