// @ts-check
// The "compliance" row of `npm run bench` (issue 24): a CrewPass Polling Trigger watching
// Compliance Changed on a fleet of `crew` (2,000) at `latencyMs` per request behind the contract's
// token buckets, in its own n8n with n8n's durable scheduler on (N8N_SCHEDULER_ENABLED,
// N8N_SCHEDULER_POLL_TRIGGERS_ENABLED, N8N_USE_WORKFLOW_PUBLICATION_SERVICE; the poll timeout
// n8n's 45 s unless --n8n-env sets N8N_SCHEDULER_POLL_TIMEOUT), polling every minute (n8n refuses
// a Poll Times entry more often than that). Three passes over the fleet:
//   1. the baseline pass (records every row's compliance; starts on full token buckets);
//   2. the measured pass: one crew member's compliance changes once a quarter of it is read;
//   3. a Check Fleet (CrewPass node, same credential) started with one of its polls, and the
//      changed row read again (the change must not come back).
// Figures from the bench server's request log (each poll: from its first roster request, the only
// one asking for expiring documents, to the next one), n8n's log ("Poll exceeded its timeout and
// was abandoned"), n8n's scheduler table (scheduled_task: each durable poll's start and end),
// n8n's executions API, the workflow's saved static data, and n8n's resident memory.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { ensureN8nInstalled } from '../n8n-install.mjs';
import {
	CREDENTIAL_TYPE,
	N8nClient,
	REPO,
	freePort,
	freshUserFolder,
	log,
	n8nEnv,
	schedulerEnv,
	sleep,
	startN8n,
} from '../lib/n8n.mjs';
import { OWNER, publishWorkflow, unpublishWorkflow } from '../lib/demo.mjs';
import { waitFor } from '../../test/e2e/context.mjs';
import {
	createWorkflow,
	executions,
	finished,
	outputOf,
	sqliteRows,
	startManually,
	storedBytes,
} from './api.mjs';
import { sampleMemory } from './memory.mjs';
import { busiest, startCrewPassServer } from './servers.mjs';
import { POLLING_NODE, POLL_SINK, checkFleetWorkflow, pollingWorkflow } from './workflows.mjs';

const require = createRequire(import.meta.url);
const FLEET_PATH = '/api/v2/employers/me/fleet';
const ABANDONED = 'Poll exceeded its timeout and was abandoned';
/** The contract's sustained read rate, per minute. */
const KEY_RATE_PER_MINUTE = 1_000;
export const CYCLE_GOAL = 1.15;

/**
 * A poll's first request: the first roster page asking for expiring documents (the polling
 * trigger always asks; Check Fleet never does).
 * @param {import('./servers.mjs').Served} e
 */
const isPollStart = (e) =>
	e.path === FLEET_PATH && e.cursor === null && e.query.includes('include_documents_expiring');

/**
 * A poll as the server saw it: at (its first request's arrival), end (its last answer), open (an
 * answer still pending), requests, rateLimited, reads (crew ids of its answered compliance checks).
 * @typedef {{ at: number, end: number, open: boolean, requests: number, rateLimited: number, reads: string[] }} Poll
 */

/**
 * The polls in the server's log, each from its first roster request to the next poll's.
 * @param {import('./servers.mjs').Served[]} served
 */
export function pollsOf(served) {
	/** @type {Poll[]} */
	const polls = [];
	for (const e of served) {
		if (isPollStart(e))
			polls.push({ at: e.at, end: e.at, open: false, requests: 0, rateLimited: 0, reads: [] });
		const poll = polls.at(-1);
		if (!poll) continue;
		poll.requests++;
		if (e.end === null) poll.open = true;
		else poll.end = Math.max(poll.end, e.end);
		if (e.status === 429) poll.rateLimited++;
		if (e.crew !== null && e.status === 200) poll.reads.push(e.crew);
	}
	return polls;
}

/**
 * The passes over the fleet: consecutive polls until every one of `rows` rows has been read; the
 * next poll begins the next pass (the trigger never begins a pass in the poll that ends one).
 * keyMs: the key time of the pass, the sum of its polls' spans; wallMs: its first poll's first
 * request to its last poll's last answer.
 * @param {ReturnType<typeof pollsOf>} polls
 * @param {number} rows
 */
export function passesOf(polls, rows) {
	/** @type {{ polls: Poll[], read: Set<string>, reads: number }[]} */
	const passes = [];
	/** @type {{ polls: Poll[], read: Set<string>, reads: number } | undefined} */
	let pass;
	for (const poll of polls) {
		if (!pass || pass.read.size >= rows)
			passes.push((pass = { polls: [], read: new Set(), reads: 0 }));
		pass.polls.push(poll);
		for (const crew of poll.reads) pass.read.add(crew);
		pass.reads += poll.reads.length;
	}
	return passes.map((p) => ({
		...p,
		complete: p.read.size >= rows && !p.polls.at(-1)?.open,
		keyMs: p.polls.reduce((s, x) => s + (x.end - x.at), 0),
		wallMs: (p.polls.at(-1)?.end ?? 0) - (p.polls[0]?.at ?? 0),
	}));
}

/** The budget n8n 2.38+ gives a durable poll (getPollBudgetMs), for a poll timeout in seconds. */
export function durableBudgetMs(timeoutS, leaseS = 60) {
	const ceiling = Math.min(timeoutS, leaseS) * 1_000;
	return ceiling - Math.min(Math.max(0.2 * ceiling, 5_000), ceiling / 2);
}

/** n8n's timestamps in SQLite (UTC, 'YYYY-MM-DD HH:MM:SS.SSS') in epoch ms. */
const dbTime = (s) => (s ? Date.parse(String(s).replace(' ', 'T') + 'Z') : NaN);

/**
 * The durable scheduler's poll ticks of a workflow (scheduled_task): status, start and duration
 * (started → finished; NaN while running).
 */
function durablePolls(dbFile, workflowId) {
	const rows =
		sqliteRows(
			dbFile,
			`select status, startedAt, finishedAt from scheduled_task where taskType = 'workflow:poll-trigger' and payload like '%${workflowId}%' and startedAt is not null`,
		) ?? [];
	return rows.map((r) => ({
		status: r.status,
		at: dbTime(r.startedAt),
		ms: dbTime(r.finishedAt) - dbTime(r.startedAt),
	}));
}

/**
 * Runs the row in its own n8n; returns { rows (the table's rows), figures (for the results
 * file), n8nVersion, nodeVersion }. `onStarted(stop)` lets the caller stop n8n on Ctrl-C.
 * @param {{ dir: string, tarball: string, crew: number, latencyMs: number, extraEnv?: Record<string, string>, tag: string, onStarted?: (stop: () => Promise<void>) => void }} options
 */
export async function runComplianceRow({
	dir,
	tarball,
	crew,
	latencyMs,
	extraEnv = {},
	tag,
	onStarted,
}) {
	const install = await ensureN8nInstalled();
	const userFolder = freshUserFolder(dir, tarball);
	const server = await startCrewPassServer({
		crew,
		key: 'cpk_test_bench_compliance_' + crypto.randomBytes(6).toString('hex'),
		latencyMs,
		rateLimit: true,
	});
	const port = await freePort();
	const env = n8nEnv({
		userFolder,
		port,
		brokerPort: await freePort(),
		encryptionKey: 'crewpass-bench-compliance-' + Date.now(),
		logLevel: 'info',
		extra: { ...schedulerEnv({ CREWPASS_N8N_SCHEDULER: 'durable' }), ...extraEnv },
	});
	// the durable scheduler as n8n ships it: only a --n8n-env flag sets these
	for (const k of ['N8N_SCHEDULER_POLL_TIMEOUT', 'N8N_POLLER_DURABLE_CURSORS_ENABLED'])
		if (!(k in extraEnv)) delete env[k];
	const timeoutS = Number(env.N8N_SCHEDULER_POLL_TIMEOUT ?? 45);
	const logFile = path.join(dir, 'n8n.log');
	const n8n = await startN8n({ install, env, port, logFile, tag });
	const dbFile = path.join(userFolder, '.n8n', 'database.sqlite');
	let stopped = false;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		await n8n.stop();
		await server.stop();
	};
	onStarted?.(stop);
	const mem = sampleMemory(/** @type {number} */ (n8n.proc.pid));
	const t0 = Date.now();
	try {
		log(tag, `compliance: n8n ${install.n8nVersion} up on ${n8n.url}, durable scheduler on`);
		const client = new N8nClient(n8n.url);
		await client.ownerLogin(OWNER);
		const cred = await client.post('/rest/credentials', {
			name: 'bench: compliance watch, token buckets + latency',
			type: CREDENTIAL_TYPE,
			data: { apiKey: server.key, environment: 'custom', baseUrl: server.url },
		});
		const credential = { id: cred.id, name: cred.name };
		// every minute: n8n refuses a Poll Times entry more often than that ("at least a minute")
		const watch = pollingWorkflow(credential, ['complianceChanged']);
		watch.name = 'bench: CrewPass Polling Trigger, compliance';
		Object.assign(watch.nodes[0].parameters, { pollTimes: { item: [{ mode: 'everyMinute' }] } });
		const wfs = {
			watch: await createWorkflow(client, watch),
			fleet: await createWorkflow(client, checkFleetWorkflow(credential)),
		};
		const { DEFAULT_MAX_SECONDS_PER_POLL } = require(
			path.join(REPO, 'dist', 'nodes', 'CrewPassPollingTrigger', 'budget.js'),
		);
		const budgetMs = Math.min(DEFAULT_MAX_SECONDS_PER_POLL * 1_000, durableBudgetMs(timeoutS));
		const rows = server.roster.length;
		const ids = server.roster.map((r) => r.crew_unique_id).sort();
		const minutes = rows / KEY_RATE_PER_MINUTE;
		const passTimeoutMs = (4 * minutes + 4) * 60_000;
		const at = (ms) => `${((ms - t0) / 1000).toFixed(1)} s`;

		// n8n at rest, before the workflow is published (as the roster poll row: the median of 3 s)
		const idleFrom = Date.now();
		await sleep(3_000);
		const idle = mem.median(idleFrom, Date.now());
		log(tag, `compliance: ${rows} crew, ${latencyMs} ms a request, token buckets on; publishing`);
		const publishedAt = Date.now();
		await publishWorkflow(client, wfs.watch);
		let checkFleetAt = Infinity;
		const passes = () =>
			passesOf(pollsOf(server.stats.served.filter((e) => e.at < checkFleetAt)), rows);
		const passDone = async (k) =>
			await waitFor(() => passes()[k - 1]?.complete && passes()[k - 1], {
				timeoutMs: passTimeoutMs,
				intervalMs: 500,
				what: `pass ${k} over the fleet`,
			});
		const pass1 = await passDone(1);
		log(
			tag,
			`compliance: pass 1 (baseline) complete at ${at(pass1.polls.at(-1).end)}: ${pass1.polls.length} polls, ${pass1.reads} reads`,
		);

		// pass 2: once a quarter of it is read, the compliance of a row it has not read changes
		await waitFor(() => (passes()[1]?.read.size ?? 0) >= rows / 4, {
			timeoutMs: passTimeoutMs,
			intervalMs: 200,
			what: 'a quarter of pass 2',
		});
		const readNow = passes()[1].read;
		const target =
			ids.slice(Math.floor(ids.length * 0.75)).find((id) => !readNow.has(id)) ?? ids[0];
		const was = server.compliance(target);
		const change = server.changeCompliance(target, {
			overall_status: was.overall_status === 'non_compliant' ? 'compliant' : 'non_compliant',
			requirements_met: was.overall_status === 'non_compliant' ? 8 : 6,
			requirements_missing: was.overall_status === 'non_compliant' ? 0 : 2,
		});
		const changedAt = Date.now();
		const changedPosition = readNow.size / rows;
		log(
			tag,
			`compliance: at ${at(changedAt)} (pass 2 ${Math.round(changedPosition * 100)} % read) ${target} goes ${change.before.overall_status} → ${change.after.overall_status}`,
		);
		const pass2 = await passDone(2);
		log(
			tag,
			`compliance: pass 2 complete at ${at(pass2.polls.at(-1).end)}: ${pass2.polls.length} polls, ${pass2.reads} reads, key time ${(pass2.keyMs / 1000).toFixed(1)} s, wall clock ${(pass2.wallMs / 1000).toFixed(1)} s`,
		);
		const watchPeak = mem.peak(publishedAt, Date.now());

		// pass 3: a Check Fleet on the same credential, started with the next poll
		const from = server.stats.served.length;
		await waitFor(() => server.stats.served.slice(from).some(isPollStart), {
			timeoutMs: 120_000,
			intervalMs: 20,
			what: 'the next poll',
		});
		checkFleetAt = Date.now();
		const run = await startManually(client, wfs.fleet);
		log(tag, `compliance: Check Fleet started at ${at(checkFleetAt)}, with a poll`);
		const fleetRun = await finished(client, wfs.fleet, run, 500, 600_000);
		const fleetEnd = Date.now();
		const fleetOut = await outputOf(client, install, run, 'Check Fleet');
		const fleetFailed = fleetOut.error
			? rows
			: fleetOut.items.filter((i) => i.compliance_error !== undefined).length +
				Math.max(0, rows - fleetOut.items.length);
		const fleetWrong = fleetOut.items.filter(
			(i) => i.overall_status !== server.compliance(String(i.crew_unique_id)).overall_status,
		).length;
		const pollsDuringFleet = pollsOf(server.stats.served).filter(
			(p) => p.at >= checkFleetAt - 1_000 && p.at <= fleetEnd,
		).length;
		log(
			tag,
			`compliance: Check Fleet ${fleetRun.status} in ${(fleetRun.ms / 1000).toFixed(1)} s, ${fleetOut.items.length} items, ${fleetFailed} failed, ${fleetWrong} not the server's compliance; ${pollsDuringFleet} polls began meanwhile`,
		);
		const fleetPeak = mem.peak(checkFleetAt, fleetEnd);

		// the changed row read again by a poll after the Check Fleet, and that poll over
		const readsOfTarget = () =>
			server.stats.served.filter((e) => e.crew === target && e.status === 200 && e.at > changedAt);
		const third = await waitFor(() => readsOfTarget()[2], {
			timeoutMs: passTimeoutMs,
			intervalMs: 500,
			what: `${target} read by the poll after the Check Fleet`,
		});
		await waitFor(() => server.stats.served.some((e) => e.at > third.at && isPollStart(e)), {
			timeoutMs: 120_000,
			intervalMs: 500,
			what: 'the poll after that one',
		});
		await sleep(2_000);
		const endedAt = Date.now();

		// n8n's own records, before unpublishing (that removes the scheduler's tasks)
		const tasks = durablePolls(dbFile, wfs.watch);
		const { results: execs } = await executions(client, wfs.watch, 50);
		const items = [];
		for (const e of execs) {
			const out = await outputOf(client, install, e.id, POLL_SINK);
			for (const json of out.items) items.push({ json, execution: e });
		}
		const wf = await client.get(`/rest/workflows/${wfs.watch}`);
		const data = typeof wf.staticData === 'string' ? JSON.parse(wf.staticData) : wf.staticData;
		const entry = data?.[`node:${POLLING_NODE}`];
		const stateBytes = entry ? Buffer.byteLength(JSON.stringify(entry)) : 0;
		const dbBytes = storedBytes(dbFile, wfs.watch);
		await unpublishWorkflow(client, wfs.watch);
		mem.stop();
		await stop();
		const logText = fs.readFileSync(logFile, 'utf8');
		const abandoned = logText.split(ABANDONED).length - 1;
		const notDurable = logText.includes('durable scheduler cannot take over poll triggers');

		// the figures
		const allPolls = pollsOf(server.stats.served);
		const cleanPolls = pollsOf(server.stats.served.filter((e) => e.at < checkFleetAt)).filter(
			(p) => !p.open,
		);
		const longest = Math.max(...cleanPolls.map((p) => p.end - p.at));
		const ended = tasks.filter((t) => Number.isFinite(t.ms));
		const longestTask = Math.max(0, ...ended.map((t) => t.ms));
		const longestTaskDuringFleet = Math.max(
			0,
			...ended.filter((t) => t.at >= checkFleetAt - 1_000 && t.at <= fleetEnd).map((t) => t.ms),
		);
		// each poll's own transient: its peak over the RSS just before it (polls before the Check Fleet)
		const pollMemory = cleanPolls.map(
			(p) => mem.peak(p.at - 100, p.end + 500) - mem.median(p.at - 2_100, p.at - 100),
		);
		log(
			tag,
			`compliance: the polls at the server (start: span, compliance reads, requests; * = sharing the key with the Check Fleet, its requests counted in): ${allPolls.map((p) => `${at(p.at)}${p.end >= checkFleetAt && p.at <= fleetEnd ? '*' : ''}: ${((p.end - p.at) / 1000).toFixed(1)} s, ${p.reads.length}, ${p.requests}`).join('; ')}; n8n's scheduler table: ${tasks.map((t) => `${at(t.at)} ${t.status} ${(t.ms / 1000).toFixed(1)} s`).join('; ')}`,
		);
		const s = server.stats;
		const arrivals = [...s.arrivals].sort((a, b) => a - b);
		const reported = items.filter((i) => i.json.event_type === 'crew.compliance.changed');
		const hit = reported.filter((i) => i.json.crew_unique_id === target);
		const first = hit[0];
		const latencyS = first
			? (Date.parse(first.execution.startedAt ?? first.execution.createdAt) - changedAt) / 1000
			: NaN;
		const mb = (kb) => (kb / 1024).toFixed(1);
		const keyGoalMs = CYCLE_GOAL * minutes * 60_000;
		const budgetS = (budgetMs / 1000).toFixed(0);
		const figures = {
			crew: rows,
			latencyMs,
			pollTimeoutS: timeoutS,
			budgetMs,
			polls: allPolls.length,
			durablePolls: tasks.length,
			durableTaskStatus: tasks.reduce((o, t) => ({ ...o, [t.status]: (o[t.status] ?? 0) + 1 }), {}),
			longestPollMs: Math.round(longest),
			longestDurableTaskMs: Math.round(longestTask),
			longestDurableTaskDuringCheckFleetMs: Math.round(longestTaskDuringFleet),
			abandoned,
			passes: [pass1, pass2].map((p) => ({
				polls: p.polls.length,
				reads: p.reads,
				distinct: p.read.size,
				keyMs: Math.round(p.keyMs),
				wallMs: Math.round(p.wallMs),
				spansMs: p.polls.map((x) => Math.round(x.end - x.at)),
			})),
			requests: s.requests,
			rateLimited: s.rateLimited,
			busiestSecond: busiest(arrivals, 1_000),
			busiestMinute: busiest(arrivals, 60_000),
			change: {
				crew: target,
				positionInPass: Number(changedPosition.toFixed(3)),
				before: change.before.overall_status,
				after: change.after.overall_status,
				items: reported.length,
				executions: execs.length,
				latencyS: Number.isFinite(latencyS) ? Number(latencyS.toFixed(1)) : null,
				readsAfter: readsOfTarget().length,
			},
			checkFleet: {
				status: fleetRun.status,
				ms: fleetRun.ms,
				items: fleetOut.items.length,
				failed: fleetFailed,
				wrong: fleetWrong,
				pollsMeanwhile: pollsDuringFleet,
			},
			memory: {
				idleKb: idle,
				watchPeakKb: watchPeak,
				checkFleetPeakKb: fleetPeak,
				pollOverBeforeKb: pollMemory,
			},
			state: { bytes: stateBytes, bytesPerRow: Number((stateBytes / rows).toFixed(1)), dbBytes },
			minutes: Number(((endedAt - t0) / 60_000).toFixed(1)),
		};
		const job = `CrewPass Polling Trigger, Compliance Changed on ${rows} crew, every minute, latency ${latencyMs} ms, contract token buckets, n8n's durable scheduler (poll timeout ${timeoutS} s)`;
		const passText = (p) =>
			`${p.polls.length} polls, ${p.reads} reads of ${p.read.size} rows, key time ${(p.keyMs / 1000).toFixed(1)} s (spans ${p.polls.map((x) => ((x.end - x.at) / 1000).toFixed(1)).join(' + ')} s), wall clock ${(p.wallMs / 1000).toFixed(1)} s`;
		const tableRows = [
			{
				job: `${job}: every poll within its budget`,
				ours: `${allPolls.length} polls reached the server (the poll at publishing and the durable scheduler's; n8n's scheduler table: ${tasks.length} ticks, ${JSON.stringify(figures.durableTaskStatus)}); longest at the server ${(longest / 1000).toFixed(1)} s (first roster request → last answer; the ${cleanPolls.length} polls before the Check Fleet); longest tick in n8n's scheduler table (started → finished) ${(longestTask / 1000).toFixed(1)} s (while the Check Fleet ran: ${(longestTaskDuringFleet / 1000).toFixed(1)} s); "${ABANDONED}" ${abandoned} times in n8n's log`,
				reference: `budget ${budgetS} s (Max Seconds per Poll ${DEFAULT_MAX_SECONDS_PER_POLL} s; n8n's getPollBudgetMs ${durableBudgetMs(timeoutS) / 1000} s); n8n's poll timeout ${timeoutS} s`,
				ratio: longest / budgetMs,
				goal: `≤ 1 at the server, every durable poll ≤ ${timeoutS} s, none abandoned`,
				pass:
					longest <= budgetMs &&
					longestTask <= timeoutS * 1000 &&
					abandoned === 0 &&
					tasks.length > 0 &&
					!notDurable,
				note: notDurable ? 'n8n did not hand the polls to the durable scheduler' : '',
			},
			{
				job: `${job}: one full pass over the fleet (pass 2)`,
				ours: `${passText(pass2)}; the baseline pass (pass 1, from full buckets): ${passText(pass1)}; n8n main process RSS ${mb(watchPeak - idle)} MB over idle at the peak of passes 1–2 (idle ${mb(idle)} MB, peak ${mb(watchPeak)} MB; each poll ${pollMemory.map(mb).join(' / ')} MB over the RSS just before it; while the Check Fleet ran: peak ${mb(fleetPeak)} MB); saved state ${stateBytes} bytes = ${(stateBytes / rows).toFixed(1)} bytes per row (${dbBytes ?? '?'} bytes of staticData in SQLite)`,
				reference: `${CYCLE_GOAL} × ${rows} / ${KEY_RATE_PER_MINUTE} per minute = ${(keyGoalMs / 60_000).toFixed(2)} min of key time. Key time: the sum over the pass's polls of each poll's span at the server (its first roster request's arrival → its last answer), the time the key spends reading for the watch`,
				ratio: pass2.keyMs / (minutes * 60_000),
				goal: `≤ ${CYCLE_GOAL}, every row read once`,
				pass: pass2.keyMs <= keyGoalMs && pass2.reads === rows && pass2.read.size === rows,
				note: '',
			},
			{
				job: `${job}: 429s at the server, the whole run`,
				ours: `${s.rateLimited} × 429 of ${s.requests} requests (busiest second ${figures.busiestSecond}, busiest minute ${figures.busiestMinute})`,
				reference: 'the contract: 60/s and 1,000/min per key',
				ratio: s.rateLimited,
				goal: '0 × 429',
				pass: s.rateLimited === 0,
				note: '',
			},
			{
				job: `${job}: a compliance change made mid-pass`,
				ours: `${reported.length} item${reported.length === 1 ? '' : 's'} in ${execs.length} execution${execs.length === 1 ? '' : 's'}${first ? ` (${target} ${first.json.before?.overall_status} → ${first.json.after?.overall_status}, ${latencyS.toFixed(1)} s after the change)` : ''}; the row read ${figures.change.readsAfter} times since (its pass, the Check Fleet, the next pass)`,
				reference: `${target} changed at ${Math.round(changedPosition * 100)} % of pass 2, ahead of the pass`,
				ratio: reported.length,
				goal: 'exactly 1 item',
				pass:
					reported.length === 1 &&
					hit.length === 1 &&
					first.json.after?.overall_status === change.after.overall_status,
				note: '',
			},
			{
				job: `${job}: Check Fleet (same credential) during the watch`,
				ours: `${fleetRun.status} in ${(fleetRun.ms / 1000).toFixed(1)} s, ${fleetOut.items.length} items, ${fleetFailed} failed, ${fleetWrong} not the server's compliance; ${pollsDuringFleet} polls began while it ran`,
				reference: `started with a poll, ${rows} crew`,
				ratio: fleetFailed,
				goal: '0 failed items',
				pass: fleetFailed === 0 && fleetWrong === 0 && fleetRun.status === 'success',
				note: '',
			},
		];
		return {
			rows: tableRows,
			figures,
			n8nVersion: install.n8nVersion,
			nodeVersion: install.nodeVersion,
		};
	} finally {
		mem.stop();
		await stop().catch(() => {});
	}
}
