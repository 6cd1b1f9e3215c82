// @ts-check
// The webhook load generator of `npm run bench`: POSTs `count` deliveries to a URL with
// `concurrency` in flight on keep-alive sockets, and counts the answers (status, body kind).
import crypto from 'node:crypto';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';

import { REPO } from '../lib/n8n.mjs';

const require = createRequire(import.meta.url);
const { signDelivery } = require(path.join(REPO, 'sandbox', 'webhooks.cjs'));

/**
 * What an answer of a webhook trigger was: accepted (n8n's empty 200: an execution starts),
 * duplicate, refused (401), deferred (503 temporarily_unavailable: a signature mismatch past the
 * CrewPass Trigger's re-read allowance), or its status and the start of its body.
 * @param {{ status: number, body: string }} r
 */
export const classify = (r) =>
	r.status === 200 && r.body === ''
		? 'accepted'
		: r.status === 200 && /duplicate/.test(r.body)
			? 'duplicate'
			: r.status === 401
				? 'refused'
				: r.status === 503 && /temporarily_unavailable/.test(r.body)
					? 'deferred'
					: `HTTP ${r.status} ${r.body.slice(0, 80)}`;

/** How many answers refused a delivery: 401, or 503 past the re-read allowance. */
export const refusals = (/** @type {Record<string, number>} */ kinds) =>
	(kinds.refused ?? 0) + (kinds.deferred ?? 0);

function post(agent, url, body, headers) {
	return new Promise((resolve) => {
		const started = performance.now();
		const req = http.request(
			url,
			{
				method: 'POST',
				agent,
				headers: { ...headers, 'content-length': body.length },
			},
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({
						status: res.statusCode,
						body: Buffer.concat(chunks).toString('utf8'),
						ms: performance.now() - started,
					}),
				);
			},
		);
		req.on('error', (/** @type {NodeJS.ErrnoException} */ e) =>
			resolve({ status: 0, body: String(e.code || e.message), ms: 0 }),
		);
		req.setTimeout(60_000, () => req.destroy(new Error('timeout')));
		req.end(body);
	});
}

/**
 * Sends deliveries 0..count-1 (`make(i)` returns { body: Buffer, headers }) with `concurrency`
 * in flight. Returns { count, ms, perSecond, byStatus, kinds, kindOf, p50, p95 }; `kinds` counts
 * answers by `classify(answer)`, `kindOf[i]` is delivery i's.
 * @param {{ url: string, count: number, concurrency: number, make: (i: number) => { body: Buffer, headers: Record<string, string> }, classify?: (answer: { status: number, body: string, ms: number }) => string }} options
 */
export async function postLoad({ url, count, concurrency, make, classify = () => 'answer' }) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const byStatus = {};
	const kinds = {};
	/** @type {string[]} */
	const kindOf = [];
	const latencies = [];
	let next = 0;
	const started = performance.now();
	const worker = async () => {
		while (next < count) {
			const i = next++;
			const { body, headers } = make(i);
			const r = await post(agent, url, body, headers);
			byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
			const kind = classify(r);
			kinds[kind] = (kinds[kind] ?? 0) + 1;
			kindOf[i] = kind;
			latencies.push(r.ms);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	const ms = performance.now() - started;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
	return {
		count,
		ms,
		perSecond: (count / ms) * 1000,
		byStatus,
		kinds,
		kindOf,
		p50: pct(0.5),
		p95: pct(0.95),
	};
}

/** The data of the bench's crew.compliance.changed deliveries. */
const COMPLIANCE_DATA = {
	crew_unique_id: 'crew_000001',
	vessel_id: 'ves_1',
	overall_status: 'compliant',
	requirements_met: 8,
	requirements_total: 8,
	requirements_expiring: 0,
	next_expiry_date: null,
};

/**
 * A delivery as CrewPass sends it, signed with `secret`: crew.compliance.changed unless
 * `eventType` and `data` say otherwise.
 * @param {{ secret: string, eventId?: string, forged?: boolean, eventType?: string, data?: Record<string, unknown> }} options
 */
export function delivery({
	secret,
	eventId = 'evt_' + crypto.randomBytes(12).toString('hex'),
	forged = false,
	eventType = 'crew.compliance.changed',
	data = COMPLIANCE_DATA,
}) {
	const event = {
		schema_version: 1,
		event_id: eventId,
		event_type: eventType,
		occurred_at: new Date().toISOString(),
		partner_id: 'prt_bench',
		data,
	};
	const body = Buffer.from(JSON.stringify(event));
	const ts = String(Math.floor(Date.now() / 1000));
	const signature = forged
		? 'v1=' + crypto.randomBytes(32).toString('hex')
		: signDelivery(secret, ts, body);
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'user-agent': 'CrewPass-Webhooks/1 (bench)',
			'x-crewpass-event-id': event.event_id,
			'x-crewpass-event-type': event.event_type,
			'x-crewpass-timestamp': ts,
			'x-crewpass-signature': signature,
			'x-crewpass-schema-version': '1',
		},
	};
}
