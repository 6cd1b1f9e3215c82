/* eslint-disable no-console */
/**
 * Benchmark for the closing note: Crew Member → Get Many (Return All) over a 10,000-crew fleet
 * served by nock in pages of 200, through the real n8n-core harness. Prints the request count
 * and wall time; asserts correctness and the request count only (never the time).
 */
import nock from 'nock';

import { runNode } from '../../../../harness';
import { fleetServer, makeCrew } from '../../fixtures/roster';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('benchmark: Crew Member → Get Many (Return All) over 10,000 crew', () => {
	it('reads 10,000 crew in 50 requests of 200', async () => {
		const crew = makeCrew(10_000);
		const timings: number[] = [];
		let requests = 0;
		for (let run = 1; run <= 3; run++) {
			nock.cleanAll();
			const server = fleetServer(crew);
			const started = performance.now();
			const { items, error } = await runNode({
				parameters: { resource: 'crewMember', operation: 'getAll', returnAll: true },
			});
			timings.push(performance.now() - started);
			expect(error).toBeUndefined();
			expect(items).toHaveLength(10_000);
			expect(items[9_999].json.crew_unique_id).toBe('crew_10000');
			expect(server.requests.every((request) => request.query.limit === '200')).toBe(true);
			requests = server.requests.length;
			expect(requests).toBe(50);
		}
		console.log(
			`Crew Member → Get Many (Return All), 10,000 crew, nock pages of 200: ${requests} requests; ` +
				`wall time per run ${timings.map((ms) => `${ms.toFixed(0)} ms`).join(', ')} ` +
				'(first run includes warm-up)',
		);
	});
});
