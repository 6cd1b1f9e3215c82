/* eslint-disable no-console */
/**
 * Check Fleet over 1,000 crew members through the n8n-core harness, nock answering instantly.
 * Not part of `npm test` (takes about a minute: the 1,000 requests/min budget); run with
 *   npx jest --testMatch '**' + '/checkFleet.bench.ts' --testTimeout 180000
 */
import nock from 'nock';

import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../../harness';

const CREW = 1_000;

function busiest(times: number[], windowMs: number): number {
	const sorted = [...times].sort((a, b) => a - b);
	let most = 0;
	let first = 0;
	for (let last = 0; last < sorted.length; last++) {
		while (sorted[last] - sorted[first] >= windowMs) first++;
		most = Math.max(most, last - first + 1);
	}
	return most;
}

it(`Check Fleet over ${CREW} crew members`, async () => {
	nock.disableNetConnect();
	const rows = Array.from({ length: CREW }, (_, i) => ({
		crew_unique_id: `crew_${i}`,
		name: `C. Member${i}`,
		vessel_id: `ves_${i % 12}`,
		vessel_name: `M/Y ${i % 12}`,
		role: 'Deckhand',
	}));
	const times: number[] = [];
	const api = nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${TEST_API_KEY}` } });
	for (let offset = 0; offset < CREW; offset += 200) {
		api
			.get('/api/v2/employers/me/fleet')
			.query(offset ? { limit: '200', cursor: `c${offset}` } : { limit: '200' })
			.reply(function () {
				times.push(Date.now());
				const next = offset + 200 < CREW ? `c${offset + 200}` : null;
				return [200, { items: rows.slice(offset, offset + 200), next_cursor: next }];
			});
	}
	api
		.post(/compliance-checks/)
		.query(true)
		.times(CREW)
		.reply(function () {
			times.push(Date.now());
			return [200, { overall_status: 'compliant', next_expiry_date: null, requirements: [] }];
		});

	const started = Date.now();
	const { items, error } = await runNode({
		parameters: { resource: 'compliance', operation: 'checkFleet' },
	});
	const wallMs = Date.now() - started;

	expect(error).toBeUndefined();
	expect(items).toHaveLength(CREW);
	const first1000 = times.slice(0, 1_000);
	console.log(
		JSON.stringify({
			crew: CREW,
			requests: times.length,
			wall_s: +(wallMs / 1000).toFixed(1),
			first_1000_requests_s: +((first1000[999] - first1000[0]) / 1000).toFixed(1),
			busiest_1s: busiest(times, 1_000),
			busiest_60s: busiest(times, 60_000),
		}),
	);
	expect(busiest(times, 1_000)).toBeLessThanOrEqual(60);
	expect(busiest(times, 60_000)).toBeLessThanOrEqual(1_000);
});
