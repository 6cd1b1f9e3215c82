// @ts-check
// Local servers for `npm run bench`: a CrewPass read surface with no cost of its own (fleet pages
// and each crew member's own compliance snapshot served from memory), optionally behind the
// contract's token buckets (sandbox/ratelimit.cjs) and a fixed latency. Every figure the bench
// prints about requests is counted here, at the server. The roster can change between reads
// (changeRoster), as the polling trigger's row needs, and so can a crew member's compliance
// (changeCompliance), as the compliance row needs.
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

import { REPO } from '../lib/n8n.mjs';

const require = createRequire(import.meta.url);
const { createRateLimiter } = require(path.join(REPO, 'sandbox', 'ratelimit.cjs'));

const ROLES = ['Captain', 'Chief Officer', 'Chief Engineer', 'Deckhand', 'Stewardess', 'Chef'];

/** The roster rows, as GET /employers/me/fleet returns them. */
export function makeRoster(crew) {
	return Array.from({ length: crew }, (_, i) => ({
		crew_unique_id: `crew_${String(i + 1).padStart(6, '0')}`,
		name: `Crew Member ${i + 1}`,
		vessel_id: `ves_${(i % 12) + 1}`,
		vessel_name: `M/Y Bench ${(i % 12) + 1}`,
		role: ROLES[i % ROLES.length],
		verification_status: i % 7 === 0 ? 'pending' : 'verified',
		background_check_status: i % 5 === 0 ? null : 'clear',
		documents_expiring: i % 9,
	}));
}

const STATUSES = ['compliant', 'compliant', 'at_risk', 'compliant', 'non_compliant'];

/**
 * A crew member's own compliance snapshot, in the contract's shape (Check compliance): the same
 * for the same crew_unique_id every run, one of five non_compliant, one of five at_risk.
 */
export function complianceOf(crewId) {
	let h = 0;
	for (const c of crewId) h = (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0;
	const status = STATUSES[h % STATUSES.length];
	const expiry = `2027-${String((h % 12) + 1).padStart(2, '0')}-${String((h % 28) + 1).padStart(2, '0')}`;
	const medical =
		status === 'non_compliant' ? 'missing' : status === 'at_risk' ? 'expiring' : 'met';
	return {
		crew_unique_id: crewId,
		overall_status: status,
		requirements_total: 8,
		requirements_met: medical === 'met' ? 8 : 7,
		requirements_expiring: medical === 'expiring' ? 1 : 0,
		requirements_expired: 0,
		requirements_missing: medical === 'missing' ? 1 : 0,
		stcw_completion_percentage: 100,
		next_expiry_date: medical === 'missing' ? null : expiry,
		requirements: [
			{
				requirement_key: 'eng1',
				title: 'ENG1 Medical',
				source: 'medical',
				status: medical,
				...(medical === 'missing' ? {} : { expiry_date: expiry }),
			},
		],
		stcw: { completion_percentage: 100, modules: [] },
		medical: {
			status: medical === 'missing' ? 'missing' : 'valid',
			expiry_date: medical === 'missing' ? null : expiry,
			fit_category: medical === 'missing' ? null : 'Fit',
		},
	};
}

/** The most of `times` (sorted, ms) that fall in any window of `windowMs`. */
export function busiest(times, windowMs) {
	let most = 0;
	for (let from = 0, to = 0; to < times.length; to++) {
		while (times[to] - times[from] >= windowMs) from++;
		most = Math.max(most, to - from + 1);
	}
	return most;
}

/**
 * One request as the server saw it (epoch ms, the bench process's clock): when it arrived, when
 * its answer was written (after the latency), its query string, for a roster page whether it was
 * the last, for a compliance check the crew member (crew_unique_id of the path).
 * @typedef {{ method: string, path: string, query: string, cursor: string | null, at: number, end: number | null, status: number | null, lastPage: boolean, crew: string | null }} Served
 */

/**
 * Starts the server on 127.0.0.1. Options: crew (roster size), key (the Bearer key it accepts),
 * latencyMs (every answer waits this long), rateLimit (true: the contract's 60/s + 1,000/min token
 * buckets, real clock). Returns { url, key, stats, resetStats(), roster, changeRoster(fn),
 * compliance(crewId), changeCompliance(crewId, fields), stop() }; `stats.served` lists every
 * request (Served) since the last resetStats(). A compliance check answers the crew member's own
 * snapshot (complianceOf, or as changed), for a crew member on the roster and the vessel_id of
 * their roster row (404 not_found otherwise, as CrewPass answers).
 */
export async function startCrewPassServer({ crew, key, latencyMs = 0, rateLimit = false }) {
	const roster = makeRoster(crew);
	const pages = new Map();
	/** Whether the page at offset/limit is the roster's last. */
	const isLast = (offset, limit) => offset + limit >= roster.length;
	const page = (offset, limit) => {
		const id = `${offset}:${limit}`;
		let buf = pages.get(id);
		if (!buf) {
			const next = offset + limit < roster.length ? `o${offset + limit}` : null;
			buf = Buffer.from(
				JSON.stringify({ items: roster.slice(offset, offset + limit), next_cursor: next }),
			);
			pages.set(id, buf);
		}
		return buf;
	};
	/** crew_unique_id → roster row. */
	const rows = new Map();
	// precompute the pages of 200 so the first timed run pays nothing either
	const precompute = () => {
		pages.clear();
		for (let o = 0; o < roster.length; o += 200) page(o, 200);
		rows.clear();
		for (const row of roster) rows.set(row.crew_unique_id, row);
	};
	precompute();
	/**
	 * Changes the roster in place (`fn(roster)`: splice, push, edit rows), synchronously: a read
	 * sees the roster before or after, never half of it, provided no walk is between pages.
	 * @param {(rows: ReturnType<typeof makeRoster>) => void} fn
	 */
	const changeRoster = (fn) => {
		fn(roster);
		precompute();
	};

	const clock = { now: () => performance.timeOrigin + performance.now() };
	const limiter = createRateLimiter(clock, rateLimit ? true : false);
	/** Compliance as changed by changeCompliance; answers (bodies) as sent, by crew member. */
	const changed = new Map();
	const answers = new Map();
	const compliance = (crewId) => changed.get(crewId) ?? complianceOf(crewId);
	const answer = (crewId) => {
		let buf = answers.get(crewId);
		if (!buf) answers.set(crewId, (buf = Buffer.from(JSON.stringify(compliance(crewId)))));
		return buf;
	};
	/**
	 * Changes a crew member's compliance from the next check on: `fields` over the current
	 * snapshot. Returns the snapshot before and after.
	 */
	const changeCompliance = (crewId, fields) => {
		const before = compliance(crewId);
		const after = { ...before, ...fields };
		changed.set(crewId, after);
		answers.delete(crewId);
		return { before, after };
	};

	const stats = {};
	const resetStats = () =>
		Object.assign(stats, {
			requests: 0,
			byStatus: {},
			fleetPages: 0,
			/** Roster walks: first pages (no cursor). */
			fleetWalks: 0,
			complianceChecks: 0,
			rateLimited: 0,
			firstAt: null,
			lastAt: null,
			/** When each request arrived (ms): for the busiest second and minute. */
			arrivals: [],
			/** @type {Served[]} */
			served: [],
			inFlight: 0,
			maxInFlight: 0,
		});
	resetStats();

	/** @type {WeakMap<object, Served>} */
	const entries = new WeakMap();
	const send = (res, status, body, headers = {}) => {
		const finish = () => {
			const entry = entries.get(res);
			if (entry) {
				entry.end = clock.now();
				entry.status = status;
			}
			stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
			stats.lastAt = clock.now();
			stats.inFlight--;
			res.writeHead(status, {
				'content-type': 'application/json',
				'content-length': body.length,
				'x-request-id': `req_bench_${stats.requests}`,
				...headers,
			});
			res.end(body);
		};
		if (latencyMs > 0) setTimeout(finish, latencyMs);
		else finish();
	};
	const error = (res, status, code, message, extra = {}, headers) =>
		send(res, status, Buffer.from(JSON.stringify({ error: { code, message, ...extra } })), headers);

	const server = http.createServer((req, res) => {
		stats.requests++;
		stats.firstAt ??= clock.now();
		const at = clock.now();
		stats.arrivals.push(at);
		const parsed = new URL(/** @type {string} */ (req.url), 'http://127.0.0.1');
		/** @type {Served} */
		const entry = {
			method: String(req.method),
			path: parsed.pathname,
			query: parsed.search,
			cursor: parsed.searchParams.get('cursor'),
			at,
			end: null,
			status: null,
			lastPage: false,
			crew: null,
		};
		stats.served.push(entry);
		entries.set(res, entry);
		stats.inFlight++;
		stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
		req.resume();
		req.on('end', () => {
			const url = new URL(/** @type {string} */ (req.url), 'http://127.0.0.1');
			const wait = limiter.take('bench');
			if (wait !== null) {
				stats.rateLimited++;
				return error(
					res,
					429,
					'partner_rate_limited',
					'rate limit exceeded',
					{ retry_after_seconds: wait },
					{ 'retry-after': String(Math.max(1, Math.ceil(wait))) },
				);
			}
			if (req.headers.authorization !== `Bearer ${key}`)
				return error(res, 401, 'invalid_api_key', 'invalid API key');
			if (req.method === 'GET' && url.pathname === '/api/v2/employers/me/fleet') {
				stats.fleetPages++;
				const limit = Math.max(1, Math.min(200, Number(url.searchParams.get('limit') ?? 50)));
				const cursor = url.searchParams.get('cursor');
				const offset = cursor ? Number(cursor.slice(1)) : 0;
				if (!cursor) stats.fleetWalks++;
				entry.lastPage = isLast(offset, limit);
				return send(res, 200, page(offset, limit));
			}
			const check =
				req.method === 'POST' &&
				/^\/api\/v2\/employers\/me\/crew\/([^/]+)\/compliance-checks$/.exec(url.pathname);
			if (check) {
				stats.complianceChecks++;
				const crewId = decodeURIComponent(check[1]);
				entry.crew = crewId;
				const row = rows.get(crewId);
				const vessel = url.searchParams.get('vessel_id');
				if (!row || (vessel !== null && vessel !== row.vessel_id))
					return error(res, 404, 'not_found', 'no such crew member on that vessel of your fleet');
				return send(res, 200, answer(crewId));
			}
			if (req.method === 'GET' && url.pathname === '/api/v2/partners/me') {
				return send(
					res,
					200,
					Buffer.from(
						JSON.stringify({ partner_id: 'prt_bench', name: 'Bench', scopes: [], mode: 'test' }),
					),
				);
			}
			return send(res, 404, Buffer.from('{"detail":"Not Found"}'));
		});
	});
	server.keepAliveTimeout = 30_000;
	await /** @type {Promise<void>} */ (
		new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
	);
	const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
	return {
		url,
		key,
		stats,
		resetStats,
		roster,
		changeRoster,
		compliance,
		changeCompliance,
		stop: () =>
			/** @type {Promise<void>} */ (
				new Promise((resolve) => {
					server.closeAllConnections?.();
					server.close(() => resolve());
				})
			),
	};
}
