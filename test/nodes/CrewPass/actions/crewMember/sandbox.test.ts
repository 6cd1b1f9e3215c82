/* eslint-disable no-console */
/**
 * Vessel and Crew Member operations against the local CrewPass sandbox (real HTTP on 127.0.0.1,
 * the contract's shapes and errors), through the n8n-core harness.
 */
import nock from 'nock';
import type { INodeParameters } from 'n8n-workflow';

import { startSandbox, type Sandbox } from '../../../../../sandbox/server.cjs';
import { runNode, testCredentials } from '../../../../harness';

let sb: Sandbox;

function run(parameters: INodeParameters, input?: Parameters<typeof runNode>[0]['input']) {
	return runNode({
		parameters,
		input,
		credentials: testCredentials({ baseUrl: sb.url, apiKey: sb.keys.management }),
	});
}

function crewMember(value: string, mode = 'id') {
	return { __rl: true, mode, value };
}

beforeAll(async () => {
	nock.enableNetConnect('127.0.0.1');
	sb = await startSandbox({ crew: 40, seed: 1, rateLimit: false });
});
afterAll(async () => {
	await sb.stop();
	nock.enableNetConnect();
});

describe('against the sandbox', () => {
	it('Vessel → Get Many lists the vessels', async () => {
		const { items, error } = await run({
			resource: 'vessel',
			operation: 'getAll',
			returnAll: true,
		});
		expect(error).toBeUndefined();
		expect(items.length).toBeGreaterThan(0);
		expect(items[0].json).toEqual(
			expect.objectContaining({ vessel_id: expect.any(String), vessel_name: expect.any(String) }),
		);
	});

	it('Crew Member → Get Many reads the whole fleet; no-consent rows lack status; filters hold', async () => {
		const all = await run({ resource: 'crewMember', operation: 'getAll', returnAll: true });
		expect(all.error).toBeUndefined();
		expect(all.items.length).toBeGreaterThanOrEqual(40);
		const byId = Object.fromEntries(all.items.map((item) => [item.json.crew_unique_id, item.json]));
		expect(byId[sb.fixtures.noStatusConsent]).not.toHaveProperty('background_check_status');
		expect(byId[sb.fixtures.noBackgroundCheck].background_check_status).toBeNull();

		const none = await run({
			resource: 'crewMember',
			operation: 'getAll',
			returnAll: true,
			filters: { backgroundCheckStatuses: ['none'] },
		});
		expect(none.items.map((item) => item.json.crew_unique_id)).toContain(
			sb.fixtures.noBackgroundCheck,
		);
		expect(none.items.every((item) => item.json.background_check_status === null)).toBe(true);

		const expiring = await run({
			resource: 'crewMember',
			operation: 'getAll',
			returnAll: true,
			expiringWithinDays: 730,
			filters: { onlyExpiringDocuments: true },
		});
		expect(expiring.error).toBeUndefined();
		expect(expiring.items.length).toBeGreaterThan(0);
		expect(expiring.items.every((item) => Number(item.json.documents_expiring) > 0)).toBe(true);
	});

	it('Find by Email, Get Profile, Get Photo for a crew member on the fleet', async () => {
		const id = sb.fixtures.compliant;
		const profile = await run({
			resource: 'crewMember',
			operation: 'getProfile',
			crewMember: crewMember(id),
			simplify: false,
		});
		expect(profile.error).toBeUndefined();
		expect(profile.items[0].json.full_profile).toBe(true);
		const email = String(profile.items[0].json.email);

		const found = await run({ resource: 'crewMember', operation: 'findByEmail', email });
		expect(found.error).toBeUndefined();
		expect(found.items[0].json.crew_unique_id).toBe(id);

		const photo = await run({
			resource: 'crewMember',
			operation: 'getPhoto',
			crewMember: crewMember(email, 'email'),
		});
		expect(photo.error).toBeUndefined();
		const binary = photo.items[0].binary!.data;
		expect(binary.mimeType).toBe('image/png');
		expect(binary.fileName).toBe(`${id}.png`);
		expect(Buffer.from(binary.data, 'base64').subarray(1, 4).toString()).toBe('PNG');
	});

	it('no photo passes the item through; someone off the fleet is 404 not_found', async () => {
		const noPhoto = await run(
			{
				resource: 'crewMember',
				operation: 'getPhoto',
				crewMember: crewMember(sb.fixtures.noPhoto),
				ifNoPhoto: 'passThrough',
			},
			[{ json: { keep: 1 } }],
		);
		expect(noPhoto.error).toBeUndefined();
		expect(noPhoto.items).toEqual([{ json: { keep: 1 }, pairedItem: { item: 0 } }]);

		const other = await run({
			resource: 'crewMember',
			operation: 'getProfile',
			crewMember: crewMember(sb.fixtures.otherPartner),
		});
		expect(other.error?.message).toMatch(/^CrewPass error not_found/);

		const nobody = await run({
			resource: 'crewMember',
			operation: 'findByEmail',
			email: 'nobody@example.com',
			ifNotFound: 'nothing',
		});
		expect(nobody.error).toBeUndefined();
		expect(nobody.items).toEqual([]);
	});
});

describe('benchmark against the sandbox', () => {
	it('Crew Member → Get Many (Return All) over 10,000 crew', async () => {
		const big = await startSandbox({ crew: 10_000, seed: 2, rateLimit: false });
		try {
			const timings: number[] = [];
			let rows = 0;
			for (let round = 0; round < 2; round++) {
				const started = performance.now();
				const { items, error } = await runNode({
					parameters: { resource: 'crewMember', operation: 'getAll', returnAll: true },
					credentials: testCredentials({ baseUrl: big.url, apiKey: big.keys.management }),
				});
				timings.push(performance.now() - started);
				expect(error).toBeUndefined();
				expect(items.length).toBeGreaterThanOrEqual(10_000);
				rows = items.length;
			}
			console.log(
				`Crew Member → Get Many (Return All) against the sandbox, 10,000 crew: ${rows} roster rows, ` +
					`${Math.ceil(rows / 200)} requests of up to 200; ` +
					`wall time ${timings.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}`,
			);
		} finally {
			await big.stop();
		}
	});
});
