// @ts-check
// The CrewPass Polling Trigger in queue mode, for `npm run test:queue`.
//
// n8n runs polling triggers on the main instance (the leader; a queue-mode setup here has one
// main) and the executions a poll starts on the workers. What this measures, counting at the sink
// (one POST per output item, by event_id) and at the sandbox (its roster reads: one per poll):
//   1. published: the first poll is a baseline (no execution, nothing at the sink); roster changes
//      made through the sandbox controls between polls reach the sink exactly once each, over two
//      further polls; every execution ran on a worker (mode `trigger`);
//   2. every roster read the sandbox saw was a poll main logged (n8n's debug line "Poll trigger
//      initiated", main only runs at debug level): no other process polled;
//   3. main stopped between polls: no roster read while it is down (at least one poll time
//      passes), a change made then reaches the sink once after main starts again, and nothing
//      reported before is reported again.
import fs from 'node:fs';
import crypto from 'node:crypto';

import { EVERY_15_SECONDS } from '../lib/demo.mjs';
import { POLLING_TRIGGER_TYPE, log, sleep } from '../lib/n8n.mjs';
import { listExecutions, settle, workerOf } from '../../test/queue/scenarios.mjs';

const TAG = 'queue';
export const POLL_SINK = 'poll';
const PARTNER = 'prt_harbourline';
/** n8n-core's PollTriggerExecutor logs this (debug, scope poll-trigger) at the start of each poll. */
const POLL_LOG_LINE = 'Poll trigger initiated for workflow';
const TICK_MS = 15_000; // EVERY_15_SECONDS: seconds 0, 15, 30 and 45 of every minute

/** CrewPass Polling Trigger (default Trigger On, every 15 s) → HTTP Request: each item to the sink. */
export function pollingWorkflow({ name, sinkUrl, credential }) {
	return {
		name,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'CrewPass Polling Trigger',
				type: POLLING_TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: EVERY_15_SECONDS, options: {} },
				credentials: { crewPassApi: { id: credential.id, name: credential.name } },
			},
			{
				id: crypto.randomUUID(),
				name: 'Downstream Step',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					method: 'POST',
					url: sinkUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: '={{ JSON.stringify($json) }}',
					options: {},
				},
			},
		],
		connections: {
			'CrewPass Polling Trigger': { main: [[{ node: 'Downstream Step', type: 'main', index: 0 }]] },
		},
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
	};
}

/** The sandbox's control API (`/_sandbox/...`); throws on an answer that is not 2xx. */
function controls(sandboxUrl) {
	return async (method, p, body) => {
		const r = await fetch(`${sandboxUrl}/_sandbox/${p}`, {
			method,
			headers: { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await r.text();
		if (!r.ok) throw new Error(`${method} /_sandbox/${p}: ${r.status} ${text.slice(0, 300)}`);
		return text ? JSON.parse(text) : undefined;
	};
}

/** How many poll times (seconds 0/15/30/45) fall in [from, to). */
function ticksBetween(from, to) {
	return Math.max(0, Math.ceil(to / TICK_MS) - Math.ceil(from / TICK_MS));
}

/** Lines of `file` that record a poll of the workflow `name`. */
function pollLines(file, name) {
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {}
	return text.split('\n').filter((l) => l.includes(POLL_LOG_LINE) && l.includes(`"${name}"`));
}

/**
 * Multiset difference of the items at the sink against the expected changes, both as
 * `<event_type> <crew_unique_id>` keys. Returns { ok, missing, extra, hits, distinct, duplicates }.
 */
function compare(sink, expected) {
	const c = sink.count(POLL_SINK);
	const got = [...sink.bodies(POLL_SINK).values()].map(
		(b) => `${b?.event_type} ${b?.crew_unique_id}`,
	);
	const want = expected.map((e) => `${e.type} ${e.crew}`);
	const left = [...got];
	const missing = [];
	for (const w of want) {
		const i = left.indexOf(w);
		if (i === -1) missing.push(w);
		else left.splice(i, 1);
	}
	return {
		ok: missing.length === 0 && left.length === 0 && c.duplicates === 0,
		missing,
		extra: left,
		hits: c.total,
		distinct: c.distinct,
		duplicates: c.duplicates,
	};
}

/**
 * The polling checks. `restartMain()` stops main, runs `whileDown()` and starts main again
 * (same port, same settings, a new log file), updating `ctx.client`; it returns
 * { stoppedAt, startedAt, readyAt, logFile, startMs }.
 * @param {{ ctx: any, sandboxUrl: string, credential: any, createAndPublish: (wf: any) => Promise<any>, unpublish: (id: string) => Promise<any>, mainLogFiles: () => string[], otherLogFiles: () => string[], workers: any[], restartMain?: (whileDown: () => Promise<void>) => Promise<any>, expect: (name: string, ok: any, detail?: string) => void }} options
 */
export async function pollingScenario({
	ctx,
	sandboxUrl,
	credential,
	createAndPublish,
	unpublish,
	mainLogFiles,
	otherLogFiles,
	workers,
	restartMain,
	expect,
}) {
	const t0 = Date.now();
	const control = controls(sandboxUrl);
	const readsAfter = async (after) =>
		/** @type {{ last_id: number, items: any[] }} */ (
			await control('GET', `roster/reads?partner_id=${PARTNER}&after=${after}`)
		);
	const nextCompleteRead = async (after, timeoutMs = 60_000) => {
		const r = await control(
			'GET',
			`roster/reads/wait?partner_id=${PARTNER}&after=${after}&outcome=complete&timeout_ms=${timeoutMs}`,
		);
		if (!r.read)
			throw new Error(`no complete roster read after #${after} in ${timeoutMs / 1000} s`);
		return r.read;
	};
	/** @type {{ type: string, crew: string, batch: string }[]} */
	const expected = [];
	const stages = [];
	const name = 'queue: Polling Trigger';

	// the crew the changes touch: seeded crew (no fixture) on exactly one vessel
	const roster = await control('GET', `roster?partner_id=${PARTNER}`);
	const fixtures = await control('GET', 'fixtures');
	const fixtureIds = new Set(Object.values(fixtures).map((f) => f.crew_unique_id));
	const rowsOf = new Map();
	for (const r of roster.items)
		rowsOf.set(r.crew_unique_id, [...(rowsOf.get(r.crew_unique_id) ?? []), r]);
	const single = [...rowsOf.entries()]
		.filter(([id, rows]) => rows.length === 1 && !fixtureIds.has(id))
		.map(([, rows]) => rows[0]);
	const pick = () => {
		const r = single.shift();
		if (!r) throw new Error('the sandbox roster has too few crew for the polling check');
		return r;
	};
	const vessels = roster.vessels.map((v) => v.vessel_id);
	const otherVessel = (v) => vessels.find((x) => x !== v);
	const newRole = (role) => (role === 'Bosun' ? 'Deckhand' : 'Bosun');

	// ---- 1. publish: the activation poll is the baseline
	const startRead = (await readsAfter(0)).last_id;
	const wf = await createAndPublish(
		pollingWorkflow({ name, sinkUrl: ctx.sink.urlFor(POLL_SINK), credential }),
	);
	const baselineRead = await nextCompleteRead(startRead);
	await settle(ctx, { workflowId: wf.id, setup: POLL_SINK, quietMs: 3000, timeoutMs: 60_000 });
	const baselineExecs = (await listExecutions(ctx.client, wf.id)).length;
	const baselineHits = ctx.sink.count(POLL_SINK).total;
	stages.push({
		stage: 'baseline',
		read: baselineRead.id,
		rows: baselineRead.rows,
		executions: baselineExecs,
		sinkHits: baselineHits,
	});
	expect(
		`Polling Trigger (queue mode): the first poll is a baseline (${baselineRead.rows} rows read, no execution, 0 items at the sink)`,
		baselineExecs === 0 && baselineHits === 0,
		`executions ${baselineExecs}, sink hits ${baselineHits}`,
	);

	/**
	 * Runs `change()` (returns the expected items), waits for `polls` complete roster reads after
	 * it (or after `after()`), counts at the sink.
	 * @param {string} label
	 * @param {() => Promise<{ type: string, crew: string }[]>} change
	 * @param {{ polls?: number, after?: () => number }} [options]
	 */
	const stage = async (label, change, { polls = 1, after: readsFrom } = {}) => {
		const executionsBefore = (await listExecutions(ctx.client, wf.id)).length;
		const add = await change();
		expected.push(...add.map((e) => ({ ...e, batch: label })));
		// the next poll that starts after the change sees it (a read already running may, too)
		let after = readsFrom ? readsFrom() : (await readsAfter(0)).last_id;
		const reads = [];
		for (let i = 0; i < polls; i++) {
			const read = await nextCompleteRead(after);
			reads.push(read.id);
			after = read.id;
		}
		const settled = await settle(ctx, {
			workflowId: wf.id,
			setup: POLL_SINK,
			minExecutions: executionsBefore + 1,
			quietMs: 3000,
			timeoutMs: 90_000,
		});
		const cmp = compare(ctx.sink, expected);
		stages.push({ stage: label, reads, executions: settled.executions, ...cmp });
		log(
			TAG,
			`polling, ${label}: ${JSON.stringify({ reads, executions: settled.executions, ...cmp })}`,
		);
		expect(
			`Polling Trigger (queue mode), ${label}: ${add.length} new items, all ${expected.length} so far at the sink exactly once (by event_id)`,
			cmp.ok && !settled.timedOut,
			`hits ${cmp.hits}, distinct ${cmp.distinct}, duplicates ${cmp.duplicates}, missing ${JSON.stringify(cmp.missing)}, extra ${JSON.stringify(cmp.extra)}${settled.timedOut ? ', did not settle' : ''}`,
		);
		return cmp;
	};

	// ---- 2. changes between polls: a joiner, a leaver, a role change; then a status change and a move
	await stage('poll 2 (joiner, leaver, role change)', async () => {
		const joined = await control('POST', 'crew', { vessel_id: vessels[1], role: 'Deckhand' });
		const leaver = pick();
		await control('DELETE', `crew/${leaver.crew_unique_id}`);
		const promoted = pick();
		await control('POST', `crew/${promoted.crew_unique_id}/role`, { role: newRole(promoted.role) });
		return [
			{ type: 'crew.vessel.joined', crew: joined.crew_unique_id },
			{ type: 'crew.vessel.left', crew: leaver.crew_unique_id },
			{ type: 'crew.fleet.left', crew: leaver.crew_unique_id },
			{ type: 'crew.role.changed', crew: promoted.crew_unique_id },
		];
	});
	await stage('poll 3 (status change, move)', async () => {
		// a crew member who shares their status, verified now
		let status;
		for (;;) {
			const c = pick();
			const raw = await control('GET', `crew/${c.crew_unique_id}`);
			if (raw.consents.includes('crew:status:read') && raw.verification_status === 'verified') {
				status = c;
				break;
			}
		}
		await control('POST', `crew/${status.crew_unique_id}/status`, {
			verification_status: 'pending',
		});
		const mover = pick();
		await control('POST', `crew/${mover.crew_unique_id}/move`, {
			to_vessel_id: otherVessel(mover.vessel_id),
		});
		return [
			{ type: 'crew.status.changed', crew: status.crew_unique_id },
			{ type: 'crew.vessel.left', crew: mover.crew_unique_id },
			{ type: 'crew.vessel.joined', crew: mover.crew_unique_id },
		];
	});

	// ---- 3. main stopped between polls, a change meanwhile, main started again
	/** @type {any} */
	let restart;
	if (restartMain) {
		/** @type {any} */
		let down = {};
		await stage(
			'main restarted (joiner and role change while main was down)',
			async () => {
				const add = [];
				restart = await restartMain(async () => {
					down.readsAtStop = (await readsAfter(0)).last_id;
					down.stoppedAt = Date.now();
					const joined = await control('POST', 'crew', { vessel_id: vessels[2] });
					const promoted = pick();
					await control('POST', `crew/${promoted.crew_unique_id}/role`, {
						role: newRole(promoted.role),
					});
					add.push(
						{ type: 'crew.vessel.joined', crew: joined.crew_unique_id },
						{ type: 'crew.role.changed', crew: promoted.crew_unique_id },
					);
					// let at least one poll time pass while main is down (+2 s: a poll's read)
					const nextTick = Math.ceil((down.stoppedAt + 1) / TICK_MS) * TICK_MS;
					await sleep(Math.max(0, nextTick + 2000 - Date.now()));
					down.whileDown = (await readsAfter(down.readsAtStop)).items.length;
					down.startingAt = Date.now();
				});
				return add;
			},
			// the poll at start (n8n polls a workflow once when it activates it) and the next one;
			// counted from main's stop (no read while it was down is checked below)
			{ polls: 2, after: () => down.readsAtStop },
		);
		const ticks = ticksBetween(down.stoppedAt, down.startingAt);
		restart = { ...restart, ...down, ticksWhileDown: ticks };
		expect(
			`Polling Trigger (queue mode): no poll while main is down (${ticks} poll time(s) passed, ${Math.round((down.startingAt - down.stoppedAt) / 1000)} s; workers and webhook processes up)`,
			down.whileDown === 0 && ticks >= 1,
			`${down.whileDown} roster reads while main was down`,
		);
	}

	// ---- unpublish, then who polled and who ran the executions
	await unpublish(wf.id);
	await sleep(1000);
	const reads = (await readsAfter(startRead)).items;
	const mainPolls = mainLogFiles().flatMap((f) => pollLines(f, name)).length;
	const otherPolls = otherLogFiles().flatMap((f) => pollLines(f, name)).length;
	const execs = await listExecutions(ctx.client, wf.id);
	const perWorker = {};
	for (const e of execs) {
		const w = workerOf(workers, e.id, fs) ?? '?';
		perWorker[w] = (perWorker[w] ?? 0) + 1;
	}
	// main hands each execution a poll starts to the queue: "Enqueued execution <id> (job <n>)"
	const mainText = mainLogFiles()
		.map((f) => {
			try {
				return fs.readFileSync(f, 'utf8');
			} catch {
				return '';
			}
		})
		.join('\n');
	const enqueuedByMain = execs.filter((e) =>
		new RegExp(`Enqueued execution ${e.id} \\(`).test(mainText),
	).length;
	const modes = [...new Set(execs.map((e) => e.mode))];
	const statuses = [...new Set(execs.map((e) => e.status))];
	expect(
		`Polling Trigger (queue mode): main logged ${mainPolls} polls and the sandbox saw ${reads.length} roster reads: only main polled`,
		mainPolls === reads.length && otherPolls === 0 && reads.length >= 4,
		`main ${mainPolls}, other processes ${otherPolls}, reads ${reads.length} (${JSON.stringify(reads.map((r) => r.outcome))})`,
	);
	expect(
		`Polling Trigger (queue mode): ${execs.length} executions (mode trigger), each enqueued by main and run on a worker`,
		execs.length >= 3 &&
			enqueuedByMain === execs.length &&
			modes.length === 1 &&
			modes[0] === 'trigger' &&
			statuses.every((s) => s === 'success') &&
			!perWorker['?'],
		`enqueued by main ${enqueuedByMain}, modes ${JSON.stringify(modes)}, statuses ${JSON.stringify(statuses)}, per worker ${JSON.stringify(perWorker)}`,
	);
	const final = compare(ctx.sink, expected);
	const result = {
		ms: Date.now() - t0,
		polls: reads.length,
		mainPolls,
		executions: execs.length,
		enqueuedByMain,
		perWorker,
		items: expected.length,
		sinkHits: final.hits,
		sinkDistinct: final.distinct,
		duplicates: final.duplicates,
		stages,
		restart,
	};
	log(TAG, `polling: ${JSON.stringify(result)}`);
	return result;
}
