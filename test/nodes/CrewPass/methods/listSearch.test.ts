import type { IDataObject, ILoadOptionsFunctions } from 'n8n-workflow';

import { CrewPass } from '../../../../nodes/CrewPass/CrewPass.node';
import {
	SEARCH_PAGES_PER_CALL,
	searchCrewMembers,
	searchVessels,
} from '../../../../nodes/CrewPass/methods/listSearch';
import { getVessels } from '../../../../nodes/CrewPass/methods/loadOptions';
import fleet from '../fixtures/fleet.json';
import { crewPass, guardRequests } from '../fixtures/http';
import { FLEET_PATH, fleetServer, makeCrew } from '../fixtures/roster';
import vessels from '../fixtures/vessels.json';
import { loadOptionsContext } from '../../../harness/loadOptions';

const VESSELS_PATH = '/api/v2/employers/me/vessels';

function crewMemberContext(): ILoadOptionsFunctions {
	return loadOptionsContext(
		{
			resource: 'crewMember',
			operation: 'getProfile',
			crewMember: { __rl: true, mode: 'list', value: '' },
		},
		'parameters.crewMember',
	);
}

const unexpected = guardRequests();

describe('the node registers its methods', () => {
	it('listSearch searchCrewMembers / searchVessels and loadOptions getVessels', () => {
		const node = new CrewPass();
		expect(node.methods.listSearch.searchCrewMembers).toBe(searchCrewMembers);
		expect(node.methods.listSearch.searchVessels).toBe(searchVessels);
		expect(node.methods.loadOptions.getVessels).toBe(getVessels);
	});
});

describe('listSearch searchCrewMembers (Crew Member → From List)', () => {
	it('reads one roster page of 200 with the Bearer key and labels each crew member', async () => {
		const scope = crewPass()
			.get(FLEET_PATH)
			.query({ limit: '200' })
			.reply(200, { ...fleet, next_cursor: 'c2' });

		const result = await searchCrewMembers.call(crewMemberContext());

		expect(scope.isDone()).toBe(true);
		expect(result.paginationToken).toBe('c2');
		expect(result.results[0]).toEqual({
			name: 'A. Crew · Chief Engineer · M/Y Example',
			value: 'crew_001',
		});
		expect(result.results.map((entry) => entry.value)).toEqual([
			'crew_001',
			'crew_002',
			'crew_003',
			'crew_004',
			'crew_005',
		]);
		expect(unexpected.requests).toEqual([]);
	});

	it('passes the pagination token back as the cursor', async () => {
		const scope = crewPass()
			.get(FLEET_PATH)
			.query({ limit: '200', cursor: 'c2' })
			.reply(200, { items: (fleet.items as IDataObject[]).slice(3), next_cursor: null });

		const result = await searchCrewMembers.call(crewMemberContext(), undefined, 'c2');

		expect(scope.isDone()).toBe(true);
		expect(result.results.map((entry) => entry.value)).toEqual(['crew_004', 'crew_005']);
		expect(result.paginationToken).toBeUndefined();
	});

	it('filters by name, id, role or vessel, ignoring case', async () => {
		crewPass().get(FLEET_PATH).query(true).times(4).reply(200, fleet);
		const context = crewMemberContext();

		const values = async (filter: string) =>
			(await searchCrewMembers.call(context, filter)).results.map((entry) => entry.value);

		expect(await values('d. steward')).toEqual(['crew_004']);
		expect(await values('CREW_005')).toEqual(['crew_005']);
		expect(await values('bosun')).toEqual(['crew_002']);
		expect(await values('blue horizon')).toEqual(['crew_003', 'crew_004']);
	});

	it('with a filter, reads on past pages without a match, at most a few pages per call', async () => {
		const crew = makeCrew(2000);
		crew[1500].name = 'Zed Needle';
		const server = fleetServer(crew);
		const context = crewMemberContext();

		const first = await searchCrewMembers.call(context, 'needle');
		expect(first.results).toEqual([]);
		expect(server.requests).toHaveLength(SEARCH_PAGES_PER_CALL);
		expect(first.paginationToken).toBe('cur_1000');

		const second = await searchCrewMembers.call(context, 'needle', first.paginationToken);
		expect(second.results).toEqual([
			{ name: 'Zed Needle · Deckhand · Vessel ves_def', value: 'crew_01501' },
		]);
		expect(second.paginationToken).toBeUndefined();
		expect(server.requests).toHaveLength(10);
	});

	it('copes with crew rows without a name or role', async () => {
		crewPass()
			.get(FLEET_PATH)
			.query(true)
			.reply(200, {
				items: [{ crew_unique_id: 'crew_x', vessel_name: 'M/Y Example' }],
				next_cursor: null,
			});

		const result = await searchCrewMembers.call(crewMemberContext());

		expect(result.results).toEqual([{ name: 'crew_x · M/Y Example', value: 'crew_x' }]);
	});
});

describe('listSearch searchVessels (Vessel → From List)', () => {
	it('lists the vessels and filters by name, id or IMO', async () => {
		crewPass().get(VESSELS_PATH).times(3).reply(200, vessels);
		const context = loadOptionsContext(
			{ resource: 'compliance', operation: 'check' },
			'parameters.vessel',
		);

		const all = await searchVessels.call(context);
		expect(all.results).toEqual([
			{ name: 'M/Y Example', value: 'ves_abc' },
			{ name: 'S/Y Blue Horizon', value: 'ves_def' },
			{ name: 'M/Y Aurora', value: 'ves_ghi' },
		]);
		expect((await searchVessels.call(context, 'aurora')).results).toEqual([
			{ name: 'M/Y Aurora', value: 'ves_ghi' },
		]);
		expect((await searchVessels.call(context, '9812345')).results).toEqual([
			{ name: 'S/Y Blue Horizon', value: 'ves_def' },
		]);
		expect(unexpected.requests).toEqual([]);
	});
});

describe('loadOptions getVessels (Vessel Names or IDs filter)', () => {
	it('gives the vessels sorted by name, with type and IMO as description', async () => {
		const scope = crewPass().get(VESSELS_PATH).reply(200, vessels);
		const context = loadOptionsContext(
			{ resource: 'crewMember', operation: 'getAll', filters: {} },
			'parameters.filters.vesselIds',
		);

		const options = await getVessels.call(context);

		expect(scope.isDone()).toBe(true);
		expect(options).toEqual([
			{ name: 'M/Y Aurora', value: 'ves_ghi', description: 'M/Y · IMO 9900001' },
			{ name: 'M/Y Example', value: 'ves_abc', description: 'M/Y · IMO 9780987' },
			{ name: 'S/Y Blue Horizon', value: 'ves_def', description: 'S/Y · IMO 9812345' },
		]);
	});

	it('a CrewPass error reaches the UI as a NodeApiError with the fix', async () => {
		crewPass()
			.get(VESSELS_PATH)
			.reply(401, { error: { code: 'invalid_api_key', message: 'invalid API key' } });
		const context = loadOptionsContext(
			{ resource: 'crewMember', operation: 'getAll' },
			'parameters.filters.vesselIds',
		);

		await expect(getVessels.call(context)).rejects.toMatchObject({
			name: 'NodeApiError',
			message: 'CrewPass error invalid_api_key: invalid API key',
		});
	});
});
