import nock from 'nock';
import { ExecuteContext } from 'n8n-core';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { runNode } from '../../../../harness';
import fleet from '../../fixtures/fleet.json';
import { crewPass, guardRequests } from '../../fixtures/http';
import { FLEET_PATH, fleetServer, makeCrew } from '../../fixtures/roster';

const FLEET_ROWS = fleet.items as IDataObject[];

function params(extra: INodeParameters = {}): INodeParameters {
	return { resource: 'crewMember', operation: 'getAll', ...extra };
}

function page(items: IDataObject[], nextCursor: string | null, days = 30): IDataObject {
	return { items, next_cursor: nextCursor, expiring_within_days: days };
}

const unexpected = guardRequests();

function expectNoStrayHttp() {
	expect(nock.pendingMocks()).toEqual([]);
	expect(unexpected.requests).toEqual([]);
}

describe('Crew Member → Get Many', () => {
	it('sends GET /fleet with the Bearer key, limit and expiry window, one item per crew member', async () => {
		const scope = crewPass()
			.get(FLEET_PATH)
			.query({ include_documents_expiring_within_days: '30', limit: '50' })
			.reply(200, fleet);

		const { items, error } = await runNode({ parameters: params() });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toEqual(FLEET_ROWS.map((row) => ({ json: row, pairedItem: { item: 0 } })));
		expectNoStrayHttp();
	});

	it('passes both status shapes through and copes with crew who do not share status', async () => {
		crewPass().get(FLEET_PATH).query(true).reply(200, fleet);

		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });

		expect(error).toBeUndefined();
		const byId = Object.fromEntries(items.map((item) => [item.json.crew_unique_id, item.json]));
		expect(byId.crew_001.verification_status).toBe('verified');
		expect(byId.crew_002.status).toBe('active');
		expect(byId.crew_002).not.toHaveProperty('verification_status');
		expect(byId.crew_003).not.toHaveProperty('status');
		expect(byId.crew_003).not.toHaveProperty('verification_status');
		expect(byId.crew_003).not.toHaveProperty('background_check_status');
		expect(byId.crew_004.background_check_status).toBeNull();
	});

	it('sends the chosen Expiring Within Days (0 and 730 are allowed)', async () => {
		for (const days of [0, 730]) {
			const scope = crewPass()
				.get(FLEET_PATH)
				.query({ include_documents_expiring_within_days: String(days), limit: '200' })
				.reply(200, page(FLEET_ROWS, null, days));
			const { error, items } = await runNode({
				parameters: params({ returnAll: true, expiringWithinDays: days }),
			});
			expect(error).toBeUndefined();
			expect(scope.isDone()).toBe(true);
			expect(items).toHaveLength(FLEET_ROWS.length);
		}
		expectNoStrayHttp();
	});

	it('Return All follows the cursor over three pages, in order, then stops at next_cursor null', async () => {
		const crew = makeCrew(450);
		const base = { include_documents_expiring_within_days: '30', limit: '200' };
		const scope = crewPass()
			.get(FLEET_PATH)
			.query(base)
			.reply(200, page(crew.slice(0, 200), 'c_page2'))
			.get(FLEET_PATH)
			.query({ ...base, cursor: 'c_page2' })
			.reply(200, page(crew.slice(200, 400), 'c_page3'))
			.get(FLEET_PATH)
			.query({ ...base, cursor: 'c_page3' })
			.reply(200, page(crew.slice(400), null));

		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items.map((item) => item.json.crew_unique_id)).toEqual(
			crew.map((row) => row.crew_unique_id),
		);
		expect(items.every((item) => JSON.stringify(item.pairedItem) === '{"item":0}')).toBe(true);
		expectNoStrayHttp();
	});

	it("reads the node's credential once per item for all pages, not once per page", async () => {
		const crew = makeCrew(450);
		const base = { include_documents_expiring_within_days: '30', limit: '200' };
		crewPass()
			.get(FLEET_PATH)
			.query(base)
			.reply(200, page(crew.slice(0, 200), 'c_page2'))
			.get(FLEET_PATH)
			.query({ ...base, cursor: 'c_page2' })
			.reply(200, page(crew.slice(200, 400), 'c_page3'))
			.get(FLEET_PATH)
			.query({ ...base, cursor: 'c_page3' })
			.reply(200, page(crew.slice(400), null));
		// Every read of the credential in the run: the node's session reads it once and sends the
		// key itself, so n8n's authentication helper does not read it again per request.
		const reads = jest.spyOn(ExecuteContext.prototype, 'getCredentials');

		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });
		const ownReads = reads.mock.calls.length;
		reads.mockRestore();

		expect(error).toBeUndefined();
		expect(items).toHaveLength(450);
		// 3 requests, 1 read (it was 3 + 3, then 3 + 1)
		expect(ownReads).toBe(1);
	});

	it('a Limit asks each page only for what is still missing and makes no extra request', async () => {
		const crew = makeCrew(1000);
		const base = { include_documents_expiring_within_days: '30' };
		// The last page still has a next_cursor: the node must not follow it.
		const scope = crewPass()
			.get(FLEET_PATH)
			.query({ ...base, limit: '200' })
			.reply(200, page(crew.slice(0, 200), 'c2'))
			.get(FLEET_PATH)
			.query({ ...base, limit: '200', cursor: 'c2' })
			.reply(200, page(crew.slice(200, 400), 'c3'))
			.get(FLEET_PATH)
			.query({ ...base, limit: '50', cursor: 'c3' })
			.reply(200, page(crew.slice(400, 450), 'c4'));

		const { items, error } = await runNode({ parameters: params({ limit: 450 }) });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toHaveLength(450);
		expect(items[449].json.crew_unique_id).toBe(crew[449].crew_unique_id);
		expectNoStrayHttp();
	});

	it('a Limit that ends mid-page of a server answering more than asked keeps exactly the limit', async () => {
		const crew = makeCrew(600);
		// This server ignores `limit` and always answers 200 rows.
		const scope = crewPass()
			.get(FLEET_PATH)
			.query({ include_documents_expiring_within_days: '30', limit: '200' })
			.reply(200, page(crew.slice(0, 200), 'c2'))
			.get(FLEET_PATH)
			.query({ include_documents_expiring_within_days: '30', limit: '50', cursor: 'c2' })
			.reply(200, page(crew.slice(200, 400), 'c3'));

		const { items, error } = await runNode({ parameters: params({ limit: 250 }) });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items.map((item) => item.json.crew_unique_id)).toEqual(
			crew.slice(0, 250).map((row) => row.crew_unique_id),
		);
		expectNoStrayHttp();
	});

	it('reads a fleet of 1,000 crew in 5 pages of 200', async () => {
		const crew = makeCrew(1000);
		const server = fleetServer(crew);

		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });

		expect(error).toBeUndefined();
		expect(items).toHaveLength(1000);
		expect(new Set(items.map((item) => item.json.crew_unique_id)).size).toBe(1000);
		expect(server.requests.map((request) => request.query)).toEqual([
			{ include_documents_expiring_within_days: '30', limit: '200' },
			{ include_documents_expiring_within_days: '30', limit: '200', cursor: 'cur_200' },
			{ include_documents_expiring_within_days: '30', limit: '200', cursor: 'cur_400' },
			{ include_documents_expiring_within_days: '30', limit: '200', cursor: 'cur_600' },
			{ include_documents_expiring_within_days: '30', limit: '200', cursor: 'cur_800' },
		]);
		expect(unexpected.requests).toEqual([]);
	});

	it('fails on a page cursor that repeats instead of looping', async () => {
		crewPass()
			.get(FLEET_PATH)
			.query(true)
			.reply(200, page(FLEET_ROWS.slice(0, 2), 'same'))
			.get(FLEET_PATH)
			.query(true)
			.reply(200, page(FLEET_ROWS.slice(2, 4), 'same'));

		const { error } = await runNode({ parameters: params({ returnAll: true }) });

		expect(error?.message).toMatch(/cursor it had already returned/);
		expectNoStrayHttp();
	});
});

describe('Crew Member → Get Many: filters', () => {
	async function filtered(filters: INodeParameters, extra: INodeParameters = {}) {
		crewPass().get(FLEET_PATH).query(true).reply(200, fleet);
		const { items, error } = await runNode({
			parameters: params({ returnAll: true, filters, ...extra }),
		});
		expect(error).toBeUndefined();
		return items.map((item) => item.json.crew_unique_id);
	}

	it('keeps the chosen vessels', async () => {
		expect(await filtered({ vesselIds: ['ves_def'] })).toEqual(['crew_003', 'crew_004']);
		expect(await filtered({ vesselIds: ['ves_abc', 'ves_ghi'] })).toEqual([
			'crew_001',
			'crew_002',
			'crew_005',
		]);
	});

	it('takes vessel IDs from an expression giving a comma-separated string', async () => {
		expect(await filtered({ vesselIds: '={{ "ves_ghi, ves_def" }}' })).toEqual([
			'crew_003',
			'crew_004',
			'crew_005',
		]);
	});

	it('matches verification status in both shapes, and Not Shared for crew without consent', async () => {
		expect(await filtered({ verificationStatuses: ['verified'] })).toEqual(['crew_001']);
		expect(await filtered({ verificationStatuses: ['active', 'pending'] })).toEqual([
			'crew_002',
			'crew_004',
		]);
		expect(await filtered({ verificationStatuses: ['notShared'] })).toEqual(['crew_003']);
	});

	it('matches background-check status, None for null and Not Shared for an absent field', async () => {
		expect(await filtered({ backgroundCheckStatuses: ['completed', 'declined'] })).toEqual([
			'crew_001',
			'crew_005',
		]);
		expect(await filtered({ backgroundCheckStatuses: ['none'] })).toEqual(['crew_004']);
		expect(await filtered({ backgroundCheckStatuses: ['notShared'] })).toEqual(['crew_003']);
		expect(await filtered({ backgroundCheckStatuses: ['in-progress'] })).toEqual(['crew_002']);
	});

	it('keeps only crew with expiring documents', async () => {
		expect(await filtered({ onlyExpiringDocuments: true })).toEqual([
			'crew_001',
			'crew_003',
			'crew_005',
		]);
	});

	it('combines filters with AND', async () => {
		expect(
			await filtered({
				vesselIds: ['ves_abc', 'ves_def'],
				onlyExpiringDocuments: true,
				verificationStatuses: ['verified', 'notShared'],
			}),
		).toEqual(['crew_001', 'crew_003']);
		expect(
			await filtered({ vesselIds: ['ves_ghi'], backgroundCheckStatuses: ['completed'] }),
		).toEqual([]);
	});

	it('with a Limit, keeps paging full pages until enough crew match, then stops mid-page', async () => {
		const crew = makeCrew(1000);
		const server = fleetServer(crew);
		// Matching: vessel ves_def (i % 3 == 1) with an expiring document (i % 4 == 0): i = 4, 16, 28…
		// (every 12th). 25 matches need i up to 292: pages 1 (1–200) and 2 (201–400).
		const { items, error } = await runNode({
			parameters: params({
				limit: 25,
				filters: { vesselIds: ['ves_def'], onlyExpiringDocuments: true },
			}),
		});

		expect(error).toBeUndefined();
		const expected = crew
			.filter((row) => row.vessel_id === 'ves_def' && Number(row.documents_expiring) > 0)
			.slice(0, 25)
			.map((row) => row.crew_unique_id);
		expect(items.map((item) => item.json.crew_unique_id)).toEqual(expected);
		expect(server.requests.map((request) => request.query)).toEqual([
			{ include_documents_expiring_within_days: '30', limit: '200' },
			{ include_documents_expiring_within_days: '30', limit: '200', cursor: 'cur_200' },
		]);
		expect(unexpected.requests).toEqual([]);
	});

	it('with a Limit larger than the matches, reads the whole roster and returns what matched', async () => {
		const crew = makeCrew(1000);
		const server = fleetServer(crew);
		const { items, error } = await runNode({
			parameters: params({ limit: 500, filters: { backgroundCheckStatuses: ['declined'] } }),
		});

		expect(error).toBeUndefined();
		expect(items).toHaveLength(
			crew.filter((row) => row.background_check_status === 'declined').length,
		);
		expect(server.requests).toHaveLength(5);
	});
});

describe('Crew Member → Get Many: parameters are checked before any request', () => {
	it.each([
		[{ expiringWithinDays: 731 }, /^Expiring Within Days: 731 is outside 0–730 \[item 0\]/],
		[{ expiringWithinDays: -1 }, /^Expiring Within Days: -1 is outside 0–730 \[item 0\]/],
		[{ expiringWithinDays: 1.5 }, /^Expiring Within Days: 1.5 is outside 0–730/],
		[{ limit: 0 }, /^Limit: 0 is not a whole number of at least 1 \[item 0\]/],
		[{ limit: -5 }, /^Limit: -5 is not a whole number of at least 1/],
	])('%j fails with a message naming the parameter and item', async (bad, message) => {
		const { error, items } = await runNode({ parameters: params(bad as INodeParameters) });

		expect(error?.message).toMatch(message);
		expect(error?.name).toBe('NodeOperationError');
		expect(items).toEqual([]);
		expect(unexpected.requests).toEqual([]);
	});

	it('with Continue On Fail, a bad item gives an error item and the others still run', async () => {
		const scope = crewPass()
			.get(FLEET_PATH)
			.query({ include_documents_expiring_within_days: '7', limit: '50' })
			.reply(200, page(FLEET_ROWS.slice(0, 1), null, 7));

		const { items, error } = await runNode({
			parameters: params({ expiringWithinDays: '={{ $json.days }}' }),
			input: [{ json: { days: 900 } }, { json: { days: 7 } }],
			continueOnFail: true,
		});

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toHaveLength(2);
		expect(items[0].json.error).toMatch(/^Expiring Within Days: 900 is outside 0–730 \[item 0\]/);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[1]).toEqual({ json: FLEET_ROWS[0], pairedItem: { item: 1 } });
		expectNoStrayHttp();
	});

	it('a missing scope is a CrewPass error naming the scope', async () => {
		crewPass()
			.get(FLEET_PATH)
			.query(true)
			.reply(
				403,
				{
					error: {
						code: 'scope_not_granted',
						message: "scope 'vessels:fleet:read' is not granted to this partner",
						scope: 'vessels:fleet:read',
					},
				},
				{ 'X-Request-Id': 'req_scope' },
			);

		const { error } = await runNode({ parameters: params() });

		expect(error?.message).toBe(
			"CrewPass error scope_not_granted: scope 'vessels:fleet:read' is not granted to this partner",
		);
		expect(error?.description).toMatch(/Missing scope: vessels:fleet:read/);
		expect(error?.description).toMatch(/req_scope/);
	});
});

describe('Crew Member → Get Many over a large fleet', () => {
	it('reads 10,000 crew in 50 requests of 200 (Return All), in roster order', async () => {
		const server = fleetServer(makeCrew(10_000));
		const { items, error } = await runNode({ parameters: params({ returnAll: true }) });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(10_000);
		expect(items[0].json.crew_unique_id).toBe('crew_00001');
		expect(items[9_999].json.crew_unique_id).toBe('crew_10000');
		expect(items[9_999].pairedItem).toEqual({ item: 0 });
		expect(server.requests).toHaveLength(50);
		expect(server.requests.every((request) => request.query.limit === '200')).toBe(true);
	});
});
