/* eslint-disable no-console */
/**
 * Benchmark for the closing note: Crew Member → Get Many (Return All) over a 10,000-crew fleet
 * served by nock in pages of 200, through the real n8n-core harness. Prints the request count,
 * the wall time and its ratio to a baseline measured in the same run (the same 50 pages read by a
 * bare `fetch` loop against the same nock server: the floor any n8n node pays for the HTTP);
 * asserts correctness and the request count only (never the time). Not part of `npm test`
 * (getAll.operation.test.ts checks the 10,000-crew read itself); run with
 *   npx jest --testMatch '**' + '/getAll.bench.ts'
 */
import nock from 'nock';

import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../../harness';
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

		// Baseline: the same pages with nothing but fetch and the cursor.
		const baseline: number[] = [];
		for (let run = 1; run <= 3; run++) {
			nock.cleanAll();
			fleetServer(crew);
			const started = performance.now();
			let rows = 0;
			let cursor: string | null = null;
			do {
				const url = new URL('/api/v2/employers/me/fleet', TEST_BASE_URL);
				url.searchParams.set('include_documents_expiring_within_days', '30');
				url.searchParams.set('limit', '200');
				if (cursor) url.searchParams.set('cursor', cursor);
				const page = (await (
					await fetch(url, { headers: { authorization: `Bearer ${TEST_API_KEY}` } })
				).json()) as { items: unknown[]; next_cursor: string | null };
				rows += page.items.length;
				cursor = page.next_cursor;
			} while (cursor);
			baseline.push(performance.now() - started);
			expect(rows).toBe(10_000);
		}
		const best = (values: number[]) => Math.min(...values);
		console.log(
			`Crew Member → Get Many (Return All), 10,000 crew, nock pages of 200: ${requests} requests; ` +
				`node ${timings.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}; ` +
				`bare fetch loop ${baseline.map((ms) => `${ms.toFixed(0)} ms`).join(', ')}; ` +
				`best-run ratio node/baseline ${(best(timings) / best(baseline)).toFixed(2)}`,
		);
	});
});
