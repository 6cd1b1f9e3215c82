#!/usr/bin/env node
// @ts-check
// npm run test:queue: n8n in queue mode on this machine, and what the CrewPass nodes guarantee there.
//
// Starts (all on loopback, free ports, one temp folder; everything stopped and removed at the end):
//   PostgreSQL (a throw-away cluster), Redis (no persistence), nginx (Debian packages, apt-get
//   installed when missing), the CrewPass sandbox (rate limit on), a sink that counts the
//   workflow's downstream calls per event id, and n8n 2.41.1 in queue mode: one main
//   (N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true), two `n8n webhook` processes, two `n8n worker`s,
//   the package installed from its `npm pack` tarball into the shared user folder.
// Measures, per setup (see notes in README "Running at scale"):
//   A  nginx `hash $http_x_crewpass_event_id consistent` in front of both webhook processes
//   B  examples/exactly-once-redis.json (Redis INCR gate), deliveries alternating over both processes
//   P  examples/exactly-once-postgres.json (INSERT … ON CONFLICT DO NOTHING gate), alternating
//   C  baseline: no gate, deliveries alternating over both processes
// two bursts each (5 events x 30 concurrent copies; 500 events with 30% duplicates over a minute),
// counted at the sink; Check Fleet from two workers at once against the 60/s budget (429s, failed
// items); a document download through a worker in binary-data mode `database` (queue mode's default;
// `default` too with CREWPASS_QUEUE_BINARY_DEFAULT=1); the CrewPass Polling Trigger (polls every
// 15 s on main, executions on the workers): baseline, roster changes between polls exactly once at
// the sink, no poll from another process, a main restart between polls (scripts/queue/polling.mjs;
// about 2 minutes, CREWPASS_QUEUE_POLLING=0 skips it).
// Exits 1 when any expectation fails. Prints every measured count.
//
// Environment: CREWPASS_QUEUE_DIR (default: a new folder under the OS temp dir), CREWPASS_QUEUE_KEEP=1
// (keep that folder: logs, nginx.conf), CREWPASS_QUEUE_EVENTS (500), CREWPASS_QUEUE_STREAM_SECONDS (60),
// CREWPASS_QUEUE_SETUPS (A,B,P,C; none = only Check Fleet and binary data),
// CREWPASS_QUEUE_PARALLEL=1 (the minute-long streams of all setups at once instead of one after another),
// CREWPASS_QUEUE_BINARY_DEFAULT=1 (also restart the workers in binary mode `default` and download again; +1 min),
// CREWPASS_QUEUE_POLLING=0 (skip the polling-trigger checks).
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { ensureN8nInstalled } from './n8n-install.mjs';
import { N8nClient, REPO, buildAndPack, installTarball, log, sleep, tail } from './lib/n8n.mjs';
import { OWNER, unpublishWorkflow } from './lib/demo.mjs';
import { ensurePackages, startNginx, startPostgres, startRedis } from './queue/infra.mjs';
import { queueEnv, startN8nProcess } from './queue/cluster.mjs';
import { startCountingProxy, startSink } from './queue/sink.mjs';
import { pollingScenario } from './queue/polling.mjs';
import {
	executionCounts,
	executionData,
	expectBurst,
	listExecutions,
	runBurst,
	settle,
	workerOf,
} from '../test/queue/scenarios.mjs';
import {
	checkFleetWorkflow,
	downloadWorkflow,
	exampleWorkflow,
	plainWorkflow,
} from '../test/queue/workflows.mjs';

const require = createRequire(import.meta.url);
const TAG = 'queue';
const t0 = Date.now();
const timings = {};
const mark = (name, since) => (timings[name] = Math.round((Date.now() - since) / 100) / 10);

const results = [];
/** @type {any[]} */
const allProcs = [];
const failures = [];
function expect(name, ok, detail = '') {
	results.push({ name, ok: Boolean(ok), detail });
	log(TAG, `${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `  (${detail})` : ''}`);
	if (!ok) failures.push(name);
}

// ---- cleanup: everything started is stopped, in reverse order, on any exit path
const stack = [];
let cleaning = null;
function onCleanup(name, fn) {
	stack.push({ name, fn });
}
async function cleanup() {
	if (cleaning) return cleaning;
	cleaning = (async () => {
		while (stack.length) {
			const { name, fn } = stack.pop();
			try {
				await fn();
			} catch (/** @type {any} */ e) {
				log(TAG, `cleanup ${name}: ${e.message}`);
			}
		}
	})();
	return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.once(sig, async () => {
		log(TAG, `${sig}: stopping everything`);
		await cleanup();
		process.exit(130);
	});
}

const SETUPS = (process.env.CREWPASS_QUEUE_SETUPS ?? 'A,B,P,C')
	.split(',')
	.map((s) => s.trim().toUpperCase())
	.filter((s) => s && s !== 'NONE');
const STREAM_EVENTS = Number(process.env.CREWPASS_QUEUE_EVENTS || 500);
const STREAM_MS = Number(process.env.CREWPASS_QUEUE_STREAM_SECONDS || 60) * 1000;
const PARALLEL = process.env.CREWPASS_QUEUE_PARALLEL === '1';
const BINARY_DEFAULT = process.env.CREWPASS_QUEUE_BINARY_DEFAULT === '1';
const POLLING = process.env.CREWPASS_QUEUE_POLLING !== '0';

async function main() {
	// ---- engines
	let t = Date.now();
	const apt = ensurePackages();
	timings.aptInstall = Math.round(apt.ms / 100) / 10;
	if (apt.installed.length)
		log(TAG, `installed ${apt.installed.join(', ')} in ${timings.aptInstall} s`);

	t = Date.now();
	const install = await ensureN8nInstalled();
	mark('n8nInstall', t);
	log(TAG, `n8n ${install.n8nVersion} on Node ${install.nodeVersion}`);

	const keep = process.env.CREWPASS_QUEUE_KEEP === '1';
	const DIR = process.env.CREWPASS_QUEUE_DIR
		? path.resolve(process.env.CREWPASS_QUEUE_DIR)
		: fs.mkdtempSync(path.join(os.tmpdir(), 'crewpass-queue-'));
	fs.rmSync(DIR, { recursive: true, force: true });
	fs.mkdirSync(DIR, { recursive: true });
	onCleanup('temp folder', () => {
		if (keep) log(TAG, `kept ${DIR}`);
		else fs.rmSync(DIR, { recursive: true, force: true });
	});
	const userFolder = path.join(DIR, 'n8n');
	fs.mkdirSync(path.join(userFolder, 'files'), { recursive: true });

	t = Date.now();
	const tgz = buildAndPack(path.join(DIR, 'pack'));
	installTarball(tgz, userFolder);
	mark('buildPackInstall', t);

	t = Date.now();
	const pg = await startPostgres(DIR, { databases: ['n8n', 'crewpass_gate'] });
	onCleanup('postgres', pg.stop);
	const ddl = pg.psql(
		'CREATE TABLE crewpass_processed_events (event_id text PRIMARY KEY, event_type text NOT NULL, claimed_at timestamptz NOT NULL DEFAULT now())',
		'crewpass_gate',
	);
	if (ddl.status !== 0) throw new Error(`gate table: ${ddl.stderr}`);
	const redis = await startRedis(DIR);
	onCleanup('redis', redis.stop);

	const { startSandbox } = require(path.join(REPO, 'sandbox', 'server.cjs'));
	const sandbox = await startSandbox({
		port: 0,
		crew: 150,
		rateLimit: true,
		webhookBaseDelayMs: 200,
	});
	onCleanup('sandbox', () => sandbox.stop());
	const proxy = await startCountingProxy(sandbox.url);
	onCleanup('counting proxy', proxy.stop);
	const sink = await startSink();
	onCleanup('sink', sink.stop);
	mark('engines', t);
	log(TAG, `postgres :${pg.port}, redis :${redis.port}, sandbox ${sandbox.url}, sink ${sink.url}`);

	// ---- n8n in queue mode
	const encryptionKey = 'crewpass-queue-' + crypto.randomBytes(8).toString('hex');
	const base = { userFolder, encryptionKey, pg, redis };
	const procs = allProcs;
	/** @type {(name: string, role: string, command: string, args?: string[], extra?: Record<string, string>) => Promise<any>} */
	const startOne = async (name, role, command, args = [], extra = {}) => {
		const { env, port } = await queueEnv({ ...base, role, extra });
		const p = await startN8nProcess({
			install,
			env,
			port,
			command,
			args,
			logFile: path.join(DIR, 'logs', `${name}.log`),
			tag: TAG,
		});
		p.name = name;
		procs.push(p);
		onCleanup(name, p.stop);
		return p;
	};
	t = Date.now();
	// main at debug level: n8n logs each poll it starts only there ("Poll trigger initiated")
	const mainProc = await startOne('main', 'main', 'start', [], { N8N_LOG_LEVEL: 'debug' });
	mark('mainStart', t);
	t = Date.now();
	// the others only after main has migrated the database
	const [webhook1, webhook2, worker1, worker2] = await Promise.all([
		startOne('webhook-1', 'webhook', 'webhook'),
		startOne('webhook-2', 'webhook', 'webhook'),
		startOne('worker-1', 'worker', 'worker', ['--concurrency=10']),
		startOne('worker-2', 'worker', 'worker', ['--concurrency=10']),
	]);
	mark('webhookAndWorkersStart', t);
	let workers = [worker1, worker2];

	const nginx = await startNginx(DIR, [`127.0.0.1:${webhook1.port}`, `127.0.0.1:${webhook2.port}`]);
	onCleanup('nginx', nginx.stop);

	// ---- owner, credentials, workflows
	t = Date.now();
	const client = new N8nClient(mainProc.url);
	await client.ownerLogin(OWNER);
	const main = sandbox.partners().find((p) => p.api_key === sandbox.keys.management);
	const secret = main.webhook.secret;
	const mkCred = async (name, type, data) => ({
		...(await client.post('/rest/credentials', { name, type, data })),
		name,
	});
	const creds = {
		crewpass: await mkCred('CrewPass sandbox', 'crewPassApi', {
			apiKey: sandbox.keys.management,
			environment: 'custom',
			baseUrl: sandbox.url,
			webhookSecret: secret,
		}),
		crewpassCounted: await mkCred('CrewPass sandbox (counted)', 'crewPassApi', {
			apiKey: sandbox.keys.management,
			environment: 'custom',
			baseUrl: proxy.url,
			webhookSecret: secret,
		}),
		redis: await mkCred('Redis (queue)', 'redis', {
			host: redis.host,
			port: redis.port,
			database: 1,
			password: '',
			user: '',
			ssl: false,
		}),
		postgres: await mkCred('Postgres (gate)', 'postgres', {
			host: pg.host,
			port: pg.port,
			database: 'crewpass_gate',
			user: pg.user,
			password: '',
			ssl: 'disable',
			allowUnauthorizedCerts: false,
			maxConnections: 20,
			sshTunnel: false,
		}),
	};
	const createAndPublish = async (wf) => {
		const created = await client.post('/rest/workflows', { ...wf, active: false });
		const stored = await client.get(`/rest/workflows/${created.id}`);
		await client.post(`/rest/workflows/${created.id}/activate`, { versionId: stored.versionId });
		return stored;
	};
	const hookPath = (wf) => {
		const n = wf.nodes.find((x) => x.webhookId && x.type.endsWith('crewPassTrigger'));
		return `/webhook/${n.webhookId}/crewpass`;
	};
	const direct = (p) => [webhook1.url + p, webhook2.url + p];
	const setups = [];
	const sinkFor = (key) => sink.urlFor(key);
	const defs = {
		A: {
			label: 'A: nginx consistent hash on X-CrewPass-Event-Id, no gate',
			wf: (key) => plainWorkflow({ name: 'queue A: hash LB', sinkUrl: sinkFor(key), creds }),
			via: 'hash',
			exactlyOnce: true,
		},
		B: {
			label: 'B: Redis gate (examples/exactly-once-redis.json), round robin',
			wf: (key) =>
				exampleWorkflow('exactly-once-redis.json', {
					name: 'queue B: Redis gate',
					sinkUrl: sinkFor(key),
					creds,
				}),
			via: 'direct',
			exactlyOnce: true,
		},
		P: {
			label: 'P: PostgreSQL gate (examples/exactly-once-postgres.json), round robin',
			wf: (key) =>
				exampleWorkflow('exactly-once-postgres.json', {
					name: 'queue P: Postgres gate',
					sinkUrl: sinkFor(key),
					creds,
				}),
			via: 'direct',
			exactlyOnce: true,
		},
		C: {
			label: 'C: baseline, round robin, no gate',
			wf: (key) => plainWorkflow({ name: 'queue C: baseline', sinkUrl: sinkFor(key), creds }),
			via: 'direct',
			exactlyOnce: false,
		},
	};
	for (const key of SETUPS) {
		const d = defs[key];
		if (!d) throw new Error(`unknown setup ${key}`);
		// one workflow per burst, so each burst is counted on its own sink path and executions
		for (const burst of ['concurrent', 'stream']) {
			const wf = await createAndPublish(d.wf(`${key}-${burst}`));
			const p = hookPath(wf);
			setups.push({
				key,
				burst,
				label: d.label,
				exactlyOnce: d.exactlyOnce,
				workflowId: wf.id,
				targets: d.via === 'hash' ? [nginx.urls.hash + p] : direct(p),
				lb: d.via === 'hash' ? { accessLog: nginx.accessLog, port: nginx.ports.hash } : undefined,
			});
		}
	}
	const fleetWf = await createAndPublish(
		checkFleetWorkflow({
			name: 'queue: Check Fleet',
			creds,
			pathName: 'crewpass-queue-check-fleet',
		}),
	);
	const downloadWf = await createAndPublish(
		downloadWorkflow({ name: 'queue: Download', creds, pathName: 'crewpass-queue-download' }),
	);
	// every production webhook answers on both webhook processes (an unsigned probe: 401, no execution)
	for (const s of setups) {
		for (const url of [webhook1.url, webhook2.url].map((u) => u + new URL(s.targets[0]).pathname)) {
			const deadline = Date.now() + 60_000;
			for (;;) {
				const r = await fetch(url, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: '{}',
				});
				await r.text();
				if (r.status === 401) break;
				if (Date.now() > deadline) throw new Error(`${url} answers ${r.status}, not 401`);
				await sleep(300);
			}
		}
	}
	mark('prepare', t);
	const mainAnswers = await fetch(mainProc.url + '/webhook/crewpass-queue-check-fleet', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: '{}',
	});
	await mainAnswers.text();
	expect(
		'main does not take production webhooks (N8N_DISABLE_PRODUCTION_MAIN_PROCESS)',
		mainAnswers.status === 404,
		`main answered ${mainAnswers.status}`,
	);

	const ctx = {
		client,
		sink,
		secret,
		partnerId: main.partner_id,
		install,
		streamEvents: STREAM_EVENTS,
		streamMs: STREAM_MS,
	};
	const measured = [];

	// ---- bursts: concurrent copies (one setup at a time), then the minute-long streams
	t = Date.now();
	for (const s of setups.filter((x) => x.burst === 'concurrent')) {
		const r = await runBurst(ctx, s, 'concurrent');
		measured.push(r);
		expectBurst(expect, s, r);
	}
	mark('concurrentBursts', t);
	t = Date.now();
	const streams = setups.filter((x) => x.burst === 'stream');
	const streamResults = PARALLEL
		? await Promise.all(streams.map((s) => runBurst(ctx, s, 'stream')))
		: await (async () => {
				const out = [];
				for (const s of streams) out.push(await runBurst(ctx, s, 'stream'));
				return out;
			})();
	streams.forEach((s, i) => {
		measured.push(streamResults[i]);
		expectBurst(expect, s, streamResults[i]);
	});
	mark('streams', t);

	// ---- Check Fleet from both workers at once
	t = Date.now();
	const fleet = await checkFleetScenario({
		ctx,
		sandbox,
		proxy,
		fleetWf,
		webhooks: [webhook1, webhook2],
		workers,
	});
	mark('checkFleet', t);

	// ---- binary data through a worker: database (queue mode's default), then default (in memory)
	t = Date.now();
	const binary = [];
	binary.push(
		await downloadScenario({
			ctx,
			sandbox,
			downloadWf,
			webhook: webhook1,
			workers,
			mode: 'database (unset)',
		}),
	);
	if (BINARY_DEFAULT) {
		// restart the workers with N8N_DEFAULT_BINARY_DATA_MODE=default (main and webhooks keep theirs)
		await Promise.all(workers.map((w) => w.stop()));
		const w3 = await startOne('worker-default-mode', 'worker', 'worker', ['--concurrency=10'], {
			N8N_DEFAULT_BINARY_DATA_MODE: 'default',
		});
		workers = [w3];
		binary.push(
			await downloadScenario({
				ctx,
				sandbox,
				downloadWf,
				webhook: webhook1,
				workers,
				mode: 'default',
			}),
		);
	}
	mark('binary', t);

	// ---- the CrewPass Polling Trigger: polls on main, a main restart between polls (last: it
	// restarts main and changes the sandbox roster)
	let polling;
	if (POLLING) {
		t = Date.now();
		const mainLogs = [mainProc.logFile];
		polling = await pollingScenario({
			ctx,
			sandboxUrl: sandbox.url,
			credential: creds.crewpass,
			createAndPublish,
			unpublish: (id) => unpublishWorkflow(ctx.client, id),
			mainLogFiles: () => mainLogs,
			otherLogFiles: () => [webhook1, webhook2, ...workers].map((p) => p.logFile),
			workers,
			restartMain: async (whileDown) => {
				const stopT = Date.now();
				await mainProc.stop();
				mainProc.replaced = true;
				const stopMs = Date.now() - stopT;
				await whileDown();
				const p = await startN8nProcess({
					install,
					env: mainProc.env,
					port: mainProc.port,
					command: 'start',
					logFile: path.join(DIR, 'logs', 'main-restarted.log'),
					tag: TAG,
				});
				p.name = 'main (restarted)';
				procs.push(p);
				onCleanup(p.name, p.stop);
				mainLogs.push(p.logFile);
				const c = new N8nClient(p.url);
				await c.ownerLogin(OWNER);
				ctx.client = c;
				return { stopMs, startMs: p.startMs };
			},
			expect,
		});
		mark('polling', t);
	}

	// ---- report
	for (const p of procs) {
		if (p.exited && !p.replaced && !['worker-1', 'worker-2'].includes(p.name))
			expect(`${p.name} still running at the end`, false, JSON.stringify(p.exited));
	}
	timings.total = Math.round((Date.now() - t0) / 100) / 10;
	printReport({ measured, fleet, binary, polling, nginx, procs });
}

async function checkFleetScenario({ ctx, sandbox, proxy, fleetWf, webhooks, workers }) {
	const fleetPath = '/webhook/crewpass-queue-check-fleet';
	const runs = 4;
	await sleep(1100); // a fresh second for the rate limiter
	sandbox.rateLimit.reset();
	proxy.reset();
	const before = (await executionCounts(ctx.client, fleetWf.id)).count;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: runs }, (_, i) =>
			fetch(webhooks[i % webhooks.length].url + fleetPath, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: `{"run":${i}}`,
			}).then((r) => r.text()),
		),
	);
	await settle(ctx, {
		workflowId: fleetWf.id,
		minExecutions: before + runs,
		quietMs: 2000,
		timeoutMs: 300_000,
	});
	const wallMs = Date.now() - started;
	const list = (await listExecutions(ctx.client, fleetWf.id)).slice(0, runs);
	const per = [];
	for (const e of list) {
		const full = await executionData(ctx, e.id);
		const out = full.data?.resultData?.runData?.['Check Fleet']?.[0]?.data?.main?.[0] ?? [];
		// crew who have not consented to compliance sharing are output with compliance_error
		// scope_not_consented by design (sandbox data); anything else is a failed item
		const consent = out.filter((i) => i.json.compliance_error?.code === 'scope_not_consented');
		const withError = out.filter(
			(i) => i.json.compliance_error && i.json.compliance_error.code !== 'scope_not_consented',
		);
		per.push({
			id: e.id,
			status: e.status,
			worker: workerOf(workers, e.id, fs),
			items: out.length,
			itemsWithError: withError.length,
			itemsNotConsented: consent.length,
			errorCodes: [...new Set(withError.map((i) => i.json.compliance_error.code))],
			error: full.data?.resultData?.error?.message,
		});
	}
	const stats = proxy.stats();
	const fleetSize = (() => {
		let n = 0;
		for (const c of sandbox.store.crew.values())
			if (c.partner_id === 'prt_harbourline') n += c.placements.length;
		return n;
	})();
	const r = {
		runs,
		wallMs,
		sandboxRequests: stats.requests,
		statuses: stats.statuses,
		peakRequestsPerSecond: stats.peakPerSecond,
		fleetRows: fleetSize,
		executions: per,
	};
	log(TAG, `Check Fleet x${runs}: ${JSON.stringify(r)}`);
	expect(
		`Check Fleet x${runs} at once: every execution succeeded`,
		per.length === runs && per.every((p) => p.status === 'success'),
		JSON.stringify(per.map((p) => `${p.id}:${p.status}${p.error ? ' ' + p.error : ''}`)),
	);
	expect(
		`Check Fleet x${runs} at once: ${fleetSize} items each, none failed`,
		per.every((p) => p.items === fleetSize && p.itemsWithError === 0),
		JSON.stringify(per.map((p) => `${p.items}/${p.itemsWithError} ${p.errorCodes}`)),
	);
	const onWorkers = new Set(per.map((p) => p.worker).filter(Boolean));
	expect(
		`Check Fleet ran on both workers at once`,
		onWorkers.size === workers.length,
		JSON.stringify(per.map((p) => p.worker ?? '?')),
	);
	return r;
}

async function downloadScenario({ ctx, sandbox, downloadWf, webhook, workers, mode }) {
	const crewId = sandbox.fixtures.atRisk;
	const key = sandbox.keys.management;
	const api = async (p) =>
		(
			await fetch(`${sandbox.url}/api/v2/${p}`, { headers: { authorization: `Bearer ${key}` } })
		).json();
	const docs = /** @type {any} */ (await api(`employers/me/crew/${crewId}/documents`));
	const doc = docs.items[0];
	const link = /** @type {any} */ (
		await api(`employers/me/crew/${crewId}/documents/${doc.document_id}/download`)
	);
	const original = Buffer.from(await (await fetch(link.download_url)).arrayBuffer());
	const before = (await executionCounts(ctx.client, downloadWf.id)).count;
	const r0 = await fetch(webhook.url + '/webhook/crewpass-queue-download', {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ crew_unique_id: crewId, document_id: doc.document_id }),
	});
	await r0.text();
	await settle(ctx, { workflowId: downloadWf.id, minExecutions: before + 1, quietMs: 1500 });
	const [e] = await listExecutions(ctx.client, downloadWf.id);
	const full = await executionData(ctx, e.id);
	const item = full.data?.resultData?.runData?.['Download Document']?.[0]?.data?.main?.[0]?.[0];
	const bin = item?.binary?.data;
	let bytes;
	let via;
	if (bin?.id) {
		via = `stored as ${bin.id.split(':')[0]}`;
		const r = await fetch(
			`${ctx.client.url}/rest/binary-data?id=${encodeURIComponent(bin.id)}&action=download`,
			{
				headers: { cookie: ctx.client.cookie, 'browser-id': 'crewpass-scripts' },
			},
		);
		bytes = r.status === 200 ? Buffer.from(await r.arrayBuffer()) : undefined;
		via += ` (main answered ${r.status})`;
	} else if (bin?.data) {
		via = 'inline base64 in the execution data';
		bytes = Buffer.from(bin.data, 'base64');
	}
	const result = {
		mode,
		execution: e.id,
		status: e.status,
		worker: workerOf(workers, e.id, fs),
		fileName: bin?.fileName,
		mimeType: bin?.mimeType,
		bytes: original.length,
		via,
		sameBytes: Boolean(bytes && bytes.equals(original)),
		error: full.data?.resultData?.error?.message,
	};
	log(TAG, `download, binary mode ${mode}: ${JSON.stringify(result)}`);
	expect(
		`Document Download on a worker, binary mode ${mode}: the file reaches the execution and main reads the same bytes`,
		e.status === 'success' && result.sameBytes,
		JSON.stringify(result),
	);
	return result;
}

/** @param {any} report */
function printReport({ measured, fleet, binary, polling }) {
	const lines = [];
	lines.push('', '==== test:queue measured ====');
	lines.push(
		'setup | burst | deliveries | answers | executions | sink hits | distinct | duplicate hits | hits per event',
	);
	for (const r of measured) {
		lines.push(
			[
				r.setup,
				r.burst,
				r.deliveries,
				JSON.stringify(r.answers),
				r.executions,
				r.sinkHits,
				r.sinkDistinct,
				r.sinkDuplicates,
				JSON.stringify(r.hitsPerEvent),
			].join(' | ') +
				(r.lbDeliveriesPerUpstream ? ` | LB: ${JSON.stringify(r.lbDeliveriesPerUpstream)}` : ''),
		);
	}
	if (fleet)
		lines.push(
			`Check Fleet x${fleet.runs}: ${fleet.sandboxRequests} requests, statuses ${JSON.stringify(fleet.statuses)}, peak ${fleet.peakRequestsPerSecond}/s, ${fleet.wallMs} ms; ` +
				fleet.executions
					.map((e) => `${e.worker}: ${e.status} ${e.items} items, ${e.itemsWithError} with error`)
					.join('; '),
		);
	for (const b of binary ?? [])
		lines.push(
			`binary mode ${b.mode}: ${b.status}, ${b.bytes} bytes, ${b.via}, same bytes: ${b.sameBytes}`,
		);
	if (polling)
		lines.push(
			`Polling Trigger: ${polling.polls} polls (main logged ${polling.mainPolls}), ${polling.executions} executions ${JSON.stringify(polling.perWorker)}, ` +
				`${polling.items} changes → ${polling.sinkHits} sink hits, ${polling.sinkDistinct} distinct, ${polling.duplicates} duplicate` +
				(polling.restart
					? `; main restart: stop ${polling.restart.stopMs} ms, down ${polling.restart.startingAt - polling.restart.stoppedAt} ms (${polling.restart.ticksWhileDown} poll times, ${polling.restart.whileDown} reads), start ${polling.restart.startMs} ms`
					: ''),
		);
	lines.push(`timings (s): ${JSON.stringify(timings)}`);
	lines.push(`${results.filter((r) => r.ok).length} passed, ${failures.length} failed`);
	process.stdout.write(lines.join('\n') + '\n');
}

let code = 0;
try {
	await main();
	if (failures.length) code = 1;
} catch (/** @type {any} */ e) {
	log(TAG, `FAILED: ${e.stack || e.message}`);
	code = 1;
	for (const p of allProcs)
		log(TAG, `--- ${p.name} (${p.logFile}), last lines:\n${tail(p.logFile, 15)}`);
} finally {
	if (failures.length) for (const f of failures) log(TAG, `failed: ${f}`);
	await cleanup();
	log(TAG, `done in ${((Date.now() - t0) / 1000).toFixed(0)} s, exit ${code}`);
}
process.exit(code);
