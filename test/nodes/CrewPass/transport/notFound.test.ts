/**
 * Issue 9 item 6: only CrewPass's `not_found` envelope means "not found". A 404 without it
 * (a wrong Base URL, a proxy prefix) is an error that says the address looks wrong, on every
 * path that treats not_found specially.
 */
import type { INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../harness';
import { crewPass, guardRequests } from '../fixtures/http';

guardRequests();
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };
const BARE_404S: Array<[string, unknown]> = [
	['FastAPI {"detail":"Not Found"}', { detail: 'Not Found' }],
	['an HTML page', '<html><body>404 Not Found</body></html>'],
	['an empty body', ''],
	['another envelope code', { error: { code: 'route_not_found', message: 'no route' } }],
];

const CASES: Array<[string, INodeParameters, 'get' | 'post', string]> = [
	[
		'Find by Email with If Not Found = Output Nothing',
		{
			resource: 'crewMember',
			operation: 'findByEmail',
			email: 'crew@example.com',
			ifNotFound: 'nothing',
		},
		'post',
		'/api/v2/employers/me/crew/lookup',
	],
	[
		'Get Photo with If No Photo = Pass Through',
		{
			resource: 'crewMember',
			operation: 'getPhoto',
			crewMember: crewById,
			ifNoPhoto: 'passThrough',
		},
		'get',
		'/api/v2/employers/me/crew/crew_001/photo',
	],
	[
		'Get Profile',
		{ resource: 'crewMember', operation: 'getProfile', crewMember: crewById },
		'get',
		'/api/v2/employers/me/crew/crew_001/profile',
	],
];

describe('a 404 without the CrewPass not_found envelope is an address error', () => {
	it.each(
		CASES.flatMap(([name, parameters, method, path]) =>
			BARE_404S.map(([body, reply]) => [name, body, parameters, method, path, reply] as const),
		),
	)('%s, 404 with %s', async (_name, _body, parameters, method, path, reply) => {
		crewPass()
			.intercept(path, method.toUpperCase())
			.reply(404, reply as string);
		const { items, error } = await runNode({ parameters });
		expect(items).toEqual([]);
		expect(error?.message).toMatch(/404|route_not_found/);
		if (!JSON.stringify(reply).includes('route_not_found')) {
			expect(error?.message).toMatch(/does not look like the CrewPass Partner API/);
			expect(error?.description).toMatch(/Base URL/);
			expect(error?.description).toContain('https://crewpass.test');
		}
	});

	it.each(BARE_404S)(
		'Check Fleet stops (no compliance_error items) on a 404 with %s',
		async (_body, reply) => {
			crewPass()
				.get('/api/v2/employers/me/fleet')
				.query(true)
				.reply(200, {
					items: [{ crew_unique_id: 'crew_001', vessel_id: 'ves_a' }],
					next_cursor: null,
				});
			crewPass()
				.post('/api/v2/employers/me/crew/crew_001/compliance-checks')
				.query(true)
				.reply(404, reply as string);
			const { items, error } = await runNode({
				parameters: { resource: 'compliance', operation: 'checkFleet' },
			});
			expect(items).toEqual([]);
			expect(error).toBeDefined();
		},
	);

	it('the CrewPass envelope not_found still means not found (Output Nothing)', async () => {
		crewPass()
			.post('/api/v2/employers/me/crew/lookup')
			.reply(404, { error: { code: 'not_found', message: 'no crew member' } });
		const { items, error } = await runNode({ parameters: CASES[0][1] });
		expect(error).toBeUndefined();
		expect(items).toEqual([]);
	});
});
