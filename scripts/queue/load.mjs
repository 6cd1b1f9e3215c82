// @ts-check
// Signed CrewPass deliveries for `npm run test:queue`, sent the way CrewPass sends them
// (contract: X-CrewPass-Signature = "v1=" + hex HMAC-SHA256(secret, "{timestamp}." + raw body);
// the sandbox's own signer is used, so the recipe is the one the contract suite checks).
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';

import { REPO, sleep } from '../lib/n8n.mjs';

const require = createRequire(import.meta.url);
const { signDelivery } = require(path.join(REPO, 'sandbox', 'webhooks.cjs'));

export function newEvent(partnerId, n = 0) {
	return {
		schema_version: 1,
		event_id: 'evt_' + crypto.randomBytes(12).toString('hex'),
		event_type: 'crew.compliance.changed',
		occurred_at: new Date().toISOString(),
		partner_id: partnerId,
		data: {
			crew_unique_id: `crw_queue_${n}`,
			vessel_id: 'vsl_queue',
			overall_status: 'at_risk',
			requirements_met: 4,
			requirements_total: 5,
			requirements_expiring: 1,
			next_expiry_date: '2027-01-31',
		},
	};
}

/** One signed POST of `event` to `url` (the trigger's production URL through some receiver). */
export async function deliverOnce(url, event, secret) {
	const body = Buffer.from(JSON.stringify(event));
	const ts = String(Math.floor(Date.now() / 1000));
	const started = Date.now();
	try {
		const r = await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'user-agent': 'CrewPass-Webhooks/1 (test:queue)',
				'x-crewpass-event-id': event.event_id,
				'x-crewpass-event-type': event.event_type,
				'x-crewpass-timestamp': ts,
				'x-crewpass-signature': signDelivery(secret, ts, body),
				'x-crewpass-schema-version': '1',
			},
			body,
			// long enough that an overloaded receiver is not hammered with retries of deliveries it is still
			// working on (CrewPass does not publish its timeout)
			signal: AbortSignal.timeout(90_000),
		});
		const text = await r.text();
		return {
			status: r.status,
			duplicate: /"duplicate"/.test(text),
			ms: Date.now() - started,
			...(r.status === 200 ? {} : { body: text.slice(0, 300) }),
		};
	} catch (/** @type {any} */ e) {
		return {
			status: 0,
			error: String(e.cause?.code ?? e.name ?? e.message),
			ms: Date.now() - started,
		};
	}
}

/**
 * Delivers like CrewPass: a 5xx, 408, 429 or a network error/timeout is retried with exponential
 * backoff (1 s, 2 s, 4 s, ...; `attempts` in all, 8 as the contract says); any other answer is final.
 * Returns the final answer plus { attempts, firstStatus }.
 */
export async function deliver(url, event, secret, { attempts = 8 } = {}) {
	let r;
	let first;
	for (let i = 1; i <= attempts; i++) {
		r = await deliverOnce(url, event, secret);
		first ??= r;
		const retry = r.status === 0 || r.status >= 500 || r.status === 408 || r.status === 429;
		if (!retry || i === attempts) return { ...r, attempts: i, firstStatus: first.status };
		await sleep(1000 * 2 ** (i - 1));
	}
	return r;
}

/** Final answers { "200": n, "200 duplicate": n, ... }, deliveries retried, p50/p95/max ms of the last attempt. */
export function summarize(results) {
	const out = {};
	for (const r of results) {
		const k = r.status === 0 ? `error ${r.error}` : `${r.status}${r.duplicate ? ' duplicate' : ''}`;
		out[k] = (out[k] ?? 0) + 1;
	}
	const ms = results.map((r) => r.ms).sort((a, b) => a - b);
	const q = (p) => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))] ?? 0;
	const retried = results.filter((r) => r.attempts > 1).length;
	// one answer body per non-200 status, to say what the receiver meant
	const samples = {};
	for (const r of results)
		if (r.body !== undefined && !(r.status in samples)) samples[r.status] = r.body;
	return {
		answers: out,
		retried,
		samples,
		p50Ms: q(0.5),
		p95Ms: q(0.95),
		maxMs: ms[ms.length - 1] ?? 0,
	};
}

/**
 * `copies` concurrent copies of each of `events` events, all in flight at once; copy i of an
 * event goes to targets[(i + e) % targets.length] (so every event reaches every target).
 */
export async function concurrentBurst({ targets, secret, partnerId, events = 5, copies = 30 }) {
	const list = Array.from({ length: events }, (_, e) => newEvent(partnerId, e));
	const sends = [];
	for (let i = 0; i < copies; i++) {
		for (let e = 0; e < list.length; e++) {
			sends.push({ url: targets[(i + e) % targets.length], event: list[e] });
		}
	}
	const started = Date.now();
	const results = await Promise.all(sends.map((s) => deliver(s.url, s.event, secret)));
	return { events: list, deliveries: sends.length, results, ms: Date.now() - started };
}

/**
 * `events` distinct events spread evenly over `durationMs`; `dupShare` of them get one extra
 * copy to the next target: half of those at the same moment (racing), half 0.5–5 s later (a
 * CrewPass retry). Event k goes to targets[k % targets.length].
 */
export async function steadyStream({
	targets,
	secret,
	partnerId,
	events = 500,
	dupShare = 0.3,
	durationMs = 60_000,
}) {
	const list = Array.from({ length: events }, (_, e) => newEvent(partnerId, e));
	const dupCount = Math.round(events * dupShare);
	// evenly spread duplicated events: k * events / dupCount
	const duplicated = new Set(
		Array.from({ length: dupCount }, (_, j) => Math.floor((j * events) / dupCount)),
	);
	const gap = durationMs / events;
	const started = Date.now();
	const pending = [];
	const plan = [];
	for (let k = 0; k < events; k++) {
		const at = k * gap;
		const url = targets[k % targets.length];
		plan.push({ at, url, event: list[k] });
		if (duplicated.has(k)) {
			const other = targets[(k + 1) % targets.length];
			const racing = plan.filter((p) => p.dup).length % 2 === 0;
			plan.push({
				at: racing ? at : at + 500 + ((k * 7919) % 4500),
				url: other,
				event: list[k],
				dup: true,
			});
		}
	}
	plan.sort((a, b) => a.at - b.at);
	for (const p of plan) {
		const wait = started + p.at - Date.now();
		if (wait > 0) await sleep(wait);
		pending.push(deliver(p.url, p.event, secret));
	}
	const results = await Promise.all(pending);
	return {
		events: list,
		deliveries: plan.length,
		duplicatesSent: plan.filter((p) => p.dup).length,
		results,
		ms: Date.now() - started,
	};
}
