// @ts-check
// The measurements of `npm run test:queue`, run against the queue-mode cluster scripts/queue.mjs
// starts. Each returns what it measured; `expect(name, ok, detail)` records a pass/fail.
import { createRequire } from 'node:module';

import { log, sleep } from '../../scripts/lib/n8n.mjs';
import { readAccessLog } from '../../scripts/queue/infra.mjs';
import { concurrentBurst, steadyStream, summarize } from '../../scripts/queue/load.mjs';

const TAG = 'queue';
const ACTIVE = ['new', 'running', 'waiting'];

/** Executions of a workflow: { count, active } (statuses new/running/waiting) */
export async function executionCounts(client, workflowId) {
	const q = (filter) =>
		client.get(`/rest/executions?filter=${encodeURIComponent(JSON.stringify(filter))}&limit=1`);
	const all = await q({ workflowId });
	const active = await q({ workflowId, status: ACTIVE });
	return { count: all.count, active: active.count };
}

/** Up to 100 executions of a workflow (newest first), without run data. */
export async function listExecutions(client, workflowId) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const res = await client.get(`/rest/executions?filter=${filter}&limit=100`);
	return res.results ?? res;
}

/**
 * Waits until the workflow has no active execution, its execution count and the sink's count
 * for `setup` have not changed for `quietMs`, and at least `minExecutions` exist.
 * @param {any} ctx
 * @param {{ workflowId: string, setup?: string, minExecutions?: number, quietMs?: number, timeoutMs?: number }} options
 */
export async function settle(
	ctx,
	{ workflowId, setup, minExecutions = 0, quietMs = 4000, timeoutMs = 240_000 },
) {
	const t0 = Date.now();
	let last = '';
	let since = Date.now();
	for (;;) {
		const c = await executionCounts(ctx.client, workflowId);
		const hits = setup ? ctx.sink.count(setup).total : 0;
		const key = `${c.count}/${c.active}/${hits}`;
		if (key !== last) {
			last = key;
			since = Date.now();
		} else if (c.active === 0 && c.count >= minExecutions && Date.now() - since >= quietMs) {
			return { executions: c.count, settleMs: Date.now() - t0 };
		}
		if (Date.now() - t0 > timeoutMs) {
			// reported (and failed) by the caller with the counts as they are
			log(
				TAG,
				`workflow ${workflowId} did not settle in ${timeoutMs / 1000} s (executions/active/sink ${key})`,
			);
			return { executions: c.count, active: c.active, settleMs: Date.now() - t0, timedOut: true };
		}
		await sleep(500);
	}
}

function perEventHistogram(perEvent) {
	const h = {};
	for (const n of perEvent.values()) h[n] = (h[n] ?? 0) + 1;
	return h;
}

/**
 * One burst against one setup: sends, waits for the workflow to settle, counts at the sink.
 * setup: { key, label, workflowId, targets: [urls], gate: bool, lb?: { accessLog, port } }
 */
export async function runBurst(ctx, setup, kind) {
	const sinkKey = `${setup.key}-${kind}`;
	const t0 = Date.now();
	const sent =
		kind === 'concurrent'
			? await concurrentBurst({
					targets: setup.targets,
					secret: ctx.secret,
					partnerId: ctx.partnerId,
					events: 5,
					copies: 30,
				})
			: await steadyStream({
					targets: setup.targets,
					secret: ctx.secret,
					partnerId: ctx.partnerId,
					events: ctx.streamEvents,
					dupShare: 0.3,
					durationMs: ctx.streamMs,
				});
	const sendMs = Date.now() - t0;
	const before = setup.executionsBefore ?? 0;
	const settled = await settle(ctx, {
		workflowId: setup.workflowId,
		setup: sinkKey,
		minExecutions: before + 1,
	});
	setup.executionsBefore = settled.executions;
	const c = ctx.sink.count(sinkKey);
	const ids = new Set(sent.events.map((e) => e.event_id));
	const unknown = [...c.perEvent.keys()].filter((id) => !ids.has(id)).length;
	const missing = sent.events.filter((e) => !c.perEvent.has(e.event_id)).length;
	/** @type {Record<string, any>} */
	const result = {
		setup: setup.key,
		burst: kind,
		events: sent.events.length,
		deliveries: sent.deliveries,
		sendMs,
		...summarize(sent.results),
		executions: settled.executions - before,
		sinkHits: c.total,
		sinkDistinct: c.distinct,
		sinkDuplicates: c.duplicates,
		hitsPerEvent: perEventHistogram(c.perEvent),
		missing,
		unknown,
		settleMs: settled.settleMs,
		stillActive: settled.active ?? 0,
		settleTimedOut: Boolean(settled.timedOut),
	};
	if (setup.lb) {
		// which webhook process served each event's copies
		const lines = readAccessLog(setup.lb.accessLog, setup.lb.port).filter((l) =>
			ids.has(l.eventId),
		);
		const upstreamsPerEvent = new Map();
		const perUpstream = {};
		for (const l of lines) {
			if (!upstreamsPerEvent.has(l.eventId)) upstreamsPerEvent.set(l.eventId, new Set());
			upstreamsPerEvent.get(l.eventId).add(l.upstream);
			perUpstream[l.upstream] = (perUpstream[l.upstream] ?? 0) + 1;
		}
		result.lbDeliveriesPerUpstream = perUpstream;
		result.lbEventsOnMoreThanOneUpstream = [...upstreamsPerEvent.values()].filter(
			(s) => s.size > 1,
		).length;
	}
	log(TAG, `${setup.label}, ${kind}: ${JSON.stringify(result)}`);
	return result;
}

/** Checks for one burst result, per setup kind. */
export function expectBurst(expect, setup, r) {
	const name = `${setup.label} / ${r.burst === 'concurrent' ? '5 events x 30 concurrent copies' : `${r.events} events, 30% duplicates over ${Math.round(r.sendMs / 1000)} s`}`;
	const errors = Object.entries(r.answers).filter(([k]) => !k.startsWith('200'));
	expect(
		`${name}: every delivery answered 200 (accepted or duplicate)`,
		errors.length === 0,
		JSON.stringify(r.answers),
	);
	expect(
		`${name}: every execution finished`,
		!r.settleTimedOut,
		`${r.stillActive} still new/running after ${Math.round(r.settleMs / 1000)} s`,
	);
	expect(
		`${name}: every event reached the sink`,
		r.missing === 0 && r.unknown === 0,
		`missing ${r.missing}, unknown ${r.unknown}`,
	);
	if (setup.exactlyOnce) {
		expect(
			`${name}: exactly ${r.events} sink hits, no duplicate`,
			r.sinkHits === r.events && r.sinkDistinct === r.events,
			`hits ${r.sinkHits}, distinct ${r.sinkDistinct}`,
		);
	} else {
		// no gate, copies spread over N processes: each process starts an event at most once
		const max = Math.max(...Object.keys(r.hitsPerEvent).map(Number));
		expect(
			`${name}: at most one run per webhook process per event (no gate)`,
			max <= setup.targets.length,
			JSON.stringify(r.hitsPerEvent),
		);
	}
	if (setup.lb) {
		expect(
			`${name}: the load balancer sent all copies of an event to one process`,
			r.lbEventsOnMoreThanOneUpstream === 0,
			JSON.stringify(r.lbDeliveriesPerUpstream),
		);
	}
}

/** Which worker log names an execution id (the worker logs "... execution <id> ..." when it starts one). */
export function workerOf(workers, executionId, fs) {
	for (const w of workers) {
		let text = '';
		try {
			text = fs.readFileSync(w.logFile, 'utf8');
		} catch {}
		if (new RegExp(`[Ee]xecution\\D{0,20}\\b${executionId}\\b`).test(text)) return w.name;
	}
	return undefined;
}

/** Full execution (run data parsed with n8n's own flatted). */
export async function executionData(ctx, id) {
	const { parse } = createRequire(ctx.install.n8nModules + '/')('flatted');
	const e = await ctx.client.get(`/rest/executions/${id}`);
	return { ...e, data: typeof e.data === 'string' ? parse(e.data) : e.data };
}
