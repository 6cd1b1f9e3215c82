#!/usr/bin/env node
// @ts-check
// Node-side cost of Crew Member → Get Many (Return All), without jest, nock or n8n-core: the
// built node (dist/) runs against a fake execute context whose HTTP helper hands back prebuilt
// roster pages at once. What is left is the node's own work per page and per row (router,
// pager, guards, JSON parsing, item building).
//   npm run build && node scripts/bench-getall.mjs [crew=10000] [runs=7]
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { router } = require('../dist/nodes/CrewPass/actions/router.js');

const CREW = Number(process.argv[2] ?? 10_000);
const RUNS = Number(process.argv[3] ?? 7);
const PAGE = 200;

const rows = Array.from({ length: CREW }, (_, i) => ({
	crew_unique_id: `crew_${String(i + 1).padStart(5, '0')}`,
	name: `Crew ${i + 1}`,
	vessel_id: `ves_${i % 7}`,
	vessel_name: `Vessel ${i % 7}`,
	role: i % 2 ? 'Deckhand' : 'Engineer',
	verification_status: 'verified',
	background_check_status: i % 3 ? 'completed' : null,
	documents_expiring: i % 5,
	as_of: '2026-06-08T10:00:00Z',
}));
// The pages as the wire carries them (bytes), keyed by cursor.
const pages = new Map();
for (let start = 0; start < CREW; start += PAGE) {
	const next = start + PAGE < CREW ? `c${start + PAGE}` : null;
	const body = {
		items: rows.slice(start, start + PAGE),
		next_cursor: next,
		expiring_within_days: 30,
	};
	pages.set(start === 0 ? '' : `c${start}`, Buffer.from(JSON.stringify(body)));
}

function context(apiKey) {
	let requests = 0;
	const parameters = {
		resource: 'crewMember',
		operation: 'getAll',
		returnAll: true,
		expiringWithinDays: 30,
		filters: {},
	};
	const ctx = {
		getInputData: () => [{ json: {} }],
		getNodeParameter: (name, _i, fallback) => (name in parameters ? parameters[name] : fallback),
		getNode: () => ({ name: 'CrewPass', type: 'crewPass', typeVersion: 1, parameters: {} }),
		continueOnFail: () => false,
		getCredentials: async () => ({
			apiKey,
			environment: 'custom',
			baseUrl: 'https://crewpass.test',
		}),
		helpers: {
			httpRequestWithAuthentication: async (_name, request) => {
				requests++;
				return { statusCode: 200, headers: {}, body: pages.get(String(request.qs?.cursor ?? '')) };
			},
		},
	};
	return { ctx, requests: () => requests };
}

const times = [];
for (let run = 1; run <= RUNS; run++) {
	// A fresh key per run: the process-wide pacer of one run never slows the next.
	const { ctx, requests } = context(`cpk_test_bench_${run}`);
	const started = performance.now();
	const [items] = await router.call(/** @type {any} */ (ctx));
	times.push(performance.now() - started);
	if (items.length !== CREW || requests() !== Math.ceil(CREW / PAGE)) {
		throw new Error(`wrong result: ${items.length} items, ${requests()} requests`);
	}
}
const sorted = [...times].sort((a, b) => a - b);
console.log(
	`Get Many (Return All), ${CREW} crew in ${Math.ceil(CREW / PAGE)} pages, node-side only: ` +
		`runs ${times.map((ms) => ms.toFixed(1)).join(', ')} ms; median ${sorted[Math.floor(RUNS / 2)].toFixed(1)} ms, ` +
		`best ${sorted[0].toFixed(1)} ms (${((sorted[0] * 1000) / CREW).toFixed(2)} µs per crew member)`,
);
