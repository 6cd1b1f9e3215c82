import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../harness';
import { crewPass, guardRequests } from '../../fixtures/http';
import vessels from '../../fixtures/vessels.json';

const VESSELS_PATH = '/api/v2/employers/me/vessels';
const VESSEL_ROWS = vessels.items as IDataObject[];

function params(extra: INodeParameters = {}): INodeParameters {
	return { resource: 'vessel', operation: 'getAll', ...extra };
}

const unexpected = guardRequests();

describe('Vessel → Get Many', () => {
	it('sends GET /employers/me/vessels with the Bearer key and no query; one item per vessel', async () => {
		const scope = crewPass().get(VESSELS_PATH).reply(200, vessels);

		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toEqual(VESSEL_ROWS.map((vessel) => ({ json: vessel, pairedItem: { item: 0 } })));
		expect(unexpected.requests).toEqual([]);
	});

	it('a Limit keeps the first vessels', async () => {
		crewPass().get(VESSELS_PATH).reply(200, vessels);

		const { items, error } = await runNode({ parameters: params({ limit: 2 }) });

		expect(error).toBeUndefined();
		expect(items.map((item) => item.json.vessel_id)).toEqual(['ves_abc', 'ves_def']);
	});

	it('runs once per input item, each output paired with its input', async () => {
		crewPass().get(VESSELS_PATH).times(2).reply(200, vessels);

		const { items, error } = await runNode({
			parameters: params({ limit: 1 }),
			input: [{ json: { a: 1 } }, { json: { a: 2 } }],
		});

		expect(error).toBeUndefined();
		expect(items).toEqual([
			{ json: VESSEL_ROWS[0], pairedItem: { item: 0 } },
			{ json: VESSEL_ROWS[0], pairedItem: { item: 1 } },
		]);
	});

	it('an account without vessels gives no items', async () => {
		crewPass().get(VESSELS_PATH).reply(200, { items: [] });

		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });

		expect(error).toBeUndefined();
		expect(items).toEqual([]);
	});

	it('follows a next_cursor should CrewPass ever page the vessel list', async () => {
		const scope = crewPass()
			.get(VESSELS_PATH)
			.reply(200, { items: VESSEL_ROWS.slice(0, 2), next_cursor: 'v2' })
			.get(VESSELS_PATH)
			.query({ cursor: 'v2' })
			.reply(200, { items: VESSEL_ROWS.slice(2), next_cursor: null });

		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toHaveLength(3);
	});

	it('Limit 0 fails before any request, naming the parameter and item', async () => {
		const { items, error } = await runNode({ parameters: params({ limit: 0 }) });

		expect(error?.message).toMatch(/^Limit: 0 is not a whole number of at least 1 \[item 0\]/);
		expect(items).toEqual([]);
		expect(unexpected.requests).toEqual([]);
	});

	it('a missing vessels:fleet:read scope is reported with the scope', async () => {
		crewPass()
			.get(VESSELS_PATH)
			.reply(403, {
				error: {
					code: 'scope_not_granted',
					message: "scope 'vessels:fleet:read' is not granted to this partner",
					scope: 'vessels:fleet:read',
				},
			});

		const { error, items } = await runNode({
			parameters: params({ returnAll: true }),
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(items).toEqual([
			{
				json: expect.objectContaining({
					error:
						"CrewPass error scope_not_granted: scope 'vessels:fleet:read' is not granted to this partner",
					code: 'scope_not_granted',
					scope: 'vessels:fleet:read',
					httpCode: '403',
				}),
				pairedItem: { item: 0 },
			},
		]);
	});
});
