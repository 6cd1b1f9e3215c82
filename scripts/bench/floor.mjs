// @ts-check
// The "floor" row of `npm run bench` (issue 25): the CrewPass Trigger, installed from its
// tarball, against the cheapest community webhook trigger n8n can run (scripts/bench/floor/: a
// second, tiny package generated at bench time and installed beside ours into the same n8n user
// folder's .n8n/nodes), in the same n8n, interleaved in batches (ABBA), on three paths:
// accepted (genuine, new event ids: each starts an execution), duplicate (a remembered event id)
// and forged (a bad signature). Once per setting, each its own n8n: n8n's defaults and
// N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true.
//
// A side's time on a path is the sum of its batches; a batch runs from its first request to its
// last answer and, on the accepted path, to the end (stoppedAt) of the last execution it started,
// so the execution's cost (our execute(), static data saved) counts. The ratio is the floor's
// time over ours (a throughput ratio: 1 = as cheap as the floor; goal ≥ 0.95).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureN8nInstalled } from '../n8n-install.mjs';
import {
	CREDENTIAL_TYPE,
	N8nClient,
	freePort,
	freshUserFolder,
	installTarball,
	log,
	n8nEnv,
	sleep,
	startN8n,
} from '../lib/n8n.mjs';
import { OWNER, publishWorkflow, waitForWebhook } from '../lib/demo.mjs';
import { classify, delivery, postLoad, refusals } from './load.mjs';
import { loadProfile } from './profile.mjs';
import { TRIGGER_WEBHOOK_ID, triggerWorkflow } from './workflows.mjs';

const TEMPLATE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'floor');
export const FLOOR_PACKAGE = JSON.parse(
	fs.readFileSync(path.join(TEMPLATE, 'package.json'), 'utf8'),
).name;
export const FLOOR_TYPE = `${FLOOR_PACKAGE}.benchFloorTrigger`;
export const FLOOR_WEBHOOK_ID = 'b0000000-0000-4000-8000-0000000000a4';
/** The second floor node of `--credential-tax` (the one with the credential), in place of ours. */
export const TAXED_FLOOR_WEBHOOK_ID = 'b0000000-0000-4000-8000-0000000000a5';
/** The header the load generator sets and the floor reads (the only thing it reads). */
export const FLOOR_HEADER = 'x-bench-floor';
export const PATHS = /** @type {const} */ (['accepted', 'duplicate', 'forged']);
export const SIDES = /** @type {const} */ (['ours', 'floor']);

/**
 * The two settings the row runs, each in its own n8n.
 * @type {{ key: string, label: string, env: Record<string, string> }[]}
 */
export const FLOOR_SETTINGS = [
	{ key: 'defaults', label: 'n8n defaults', env: {} },
	{
		key: 'lazy',
		label: 'N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true',
		env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
	},
];

function run(cmd, args, cwd) {
	const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
	if (r.status !== 0)
		throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
	return r.stdout;
}

/**
 * Generates the floor package from its template (package.json, dist/BenchFloorTrigger.node.js)
 * into `outDir` and packs it; returns the tarball's path.
 */
export function packFloor(outDir) {
	const pkg = path.join(outDir, 'package');
	fs.rmSync(outDir, { recursive: true, force: true });
	fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
	fs.copyFileSync(path.join(TEMPLATE, 'package.json'), path.join(pkg, 'package.json'));
	fs.copyFileSync(
		path.join(TEMPLATE, 'BenchFloorTrigger.node.js'),
		path.join(pkg, 'dist', 'BenchFloorTrigger.node.js'),
	);
	const out = run('npm', ['pack', '--silent', '--pack-destination', outDir], pkg);
	return path.join(outDir, /** @type {string} */ (out.trim().split('\n').pop()).trim());
}

/** `npm install <floor tarball>` in the user folder's .n8n/nodes, beside ours (installed first). */
export function installFloor(tgz, userFolder) {
	const installed = installTarball(tgz, userFolder, FLOOR_PACKAGE);
	if (!fs.existsSync(path.join(installed, 'dist', 'BenchFloorTrigger.node.js')))
		throw new Error(`the floor package is not in ${installed}`);
	return installed;
}

/**
 * A published Bench Floor Trigger, alone in its workflow as ours is; with `credential`, the node
 * has that CrewPass credential attached (it never reads it).
 */
export function floorWorkflow(
	credential,
	{ name = 'bench: floor trigger (reference)', webhookId = FLOOR_WEBHOOK_ID } = {},
) {
	return {
		name,
		nodes: [
			{
				id: 'b0000000-0000-4000-8000-00000000000b',
				name: 'Bench Floor Trigger',
				type: FLOOR_TYPE,
				typeVersion: 2,
				position: [0, 0],
				webhookId,
				parameters: {},
				...(credential ? { credentials: { [CREDENTIAL_TYPE]: credential } } : {}),
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * CPU time (user + system, ms; 10 ms resolution) the process has used so far, all its threads
 * included (the isolates of n8n's expression engine run on threads of their own).
 */
export function cpuMs(pid) {
	return statCpuMs(`/proc/${pid}/stat`);
}

/** The same for the process's main thread alone (the JavaScript thread: n8n's and the nodes' code). */
export function mainThreadCpuMs(pid) {
	return statCpuMs(`/proc/${pid}/task/${pid}/stat`);
}

function statCpuMs(file) {
	const stat = fs.readFileSync(file, 'utf8');
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	// fields[11], fields[12]: utime, stime (fields 14, 15 of proc(5)) in clock ticks
	return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = (() => {
	const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
	return Number(r.stdout.trim()) || 100;
})();

/** Count and newest executions of a workflow (n8n's list API). */
async function executions(client, workflowId, limit) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const res = await client.get(`/rest/executions?filter=${filter}&limit=${limit}`);
	return { count: res.count ?? res.results?.length ?? 0, results: res.results ?? [] };
}

/** Waits until `count` executions exist and none of the newest `limit` runs; returns them. */
async function settled(client, workflowId, count, limit, timeoutMs = 300_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const got = await executions(client, workflowId, Math.max(1, Math.min(limit, 100)));
		const running = got.results.some((e) => ['new', 'running', 'waiting'].includes(e.status));
		if (got.count >= count && !running) return got;
		if (Date.now() > deadline)
			throw new Error(`workflow ${workflowId}: ${got.count} executions, ${count} expected`);
		await sleep(250);
	}
}

/**
 * The batches of one path: `total` deliveries per side in batches of `size`, in ABBA order
 * (ours, floor, floor, ours, ...), so a drift of the machine's load falls on both sides.
 */
export function batchOrder(total, size) {
	const batches = [];
	let left = total;
	for (let i = 0; left > 0; i++) {
		const n = Math.min(size, left);
		left -= n;
		const pair = i % 2 === 0 ? ['ours', 'floor'] : ['floor', 'ours'];
		for (const side of pair) batches.push({ side, n, index: i });
	}
	return batches;
}

/** One side's totals over the batches of one path. */
function newSide() {
	return {
		ms: 0,
		answersMs: 0,
		cpuMs: 0,
		mainCpuMs: 0,
		n: 0,
		/** @type {Record<string, number>} */
		kinds: {},
		started: 0,
		/** @type {number[]} */
		batches: [],
	};
}

/** floor time / our time, and whether it meets the goal. */
export function floorRatio(oursMs, floorMs, goal = 0.95) {
	const ratio = floorMs / oursMs;
	return { ratio, pass: ratio >= goal };
}

/**
 * Runs the row in one n8n with `setting`; returns its figures. `onStarted(stop)` lets the caller
 * stop n8n on Ctrl-C.
 * `floorCredential`: attach our credential to the floor node as well (n8n then checks it for every
 * execution the floor starts, as it does for ours).
 * `credentialTax`: in place of ours, a second floor node with our credential attached (never
 * read): the ratio is then what n8n's own work for a trigger's credential costs against the floor.
 * @param {{ dir: string, tarball: string, floorTarball: string, setting: typeof FLOOR_SETTINGS[number], extraEnv?: Record<string, string>, profile: boolean, counts: { accepted: number, duplicate: number, forged: number }, batch: { accepted: number, refusal: number }, floorCredential?: boolean, credentialTax?: boolean, concurrency: number, tag: string, onStarted?: (stop: () => Promise<void>) => void }} options
 */
export async function runFloorSetting({
	dir,
	tarball,
	floorTarball,
	setting,
	extraEnv = {},
	profile,
	counts,
	batch,
	floorCredential = false,
	credentialTax = false,
	concurrency,
	tag,
	onStarted,
}) {
	const install = await ensureN8nInstalled();
	const userFolder = freshUserFolder(dir, tarball);
	installFloor(floorTarball, userFolder);
	const profDir = path.join(dir, 'cpu-profiles');
	/** @type {Record<string, string>} */
	const extra = { ...extraEnv, ...setting.env };
	// read by the floor package's node description (scripts/bench/floor/) inside n8n
	if (floorCredential || credentialTax) extra.BENCH_FLOOR_CREDENTIAL = CREDENTIAL_TYPE;
	if (profile) {
		fs.mkdirSync(profDir, { recursive: true });
		extra.NODE_OPTIONS =
			`${process.env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${profDir}`.trim();
	}
	const port = await freePort();
	const env = n8nEnv({
		userFolder,
		port,
		brokerPort: await freePort(),
		encryptionKey: 'crewpass-bench-floor-' + Date.now(),
		logLevel: 'warn',
		extra,
	});
	const loadStart = os.loadavg();
	const n8n = await startN8n({ install, env, port, logFile: path.join(dir, 'n8n.log'), tag });
	let stopped = false;
	let exitedAt = 0;
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		await n8n.stop();
		exitedAt = Date.now();
	};
	onStarted?.(stop);
	/** measured blocks: { label, from, to } */
	const windows = [];
	try {
		log(tag, `floor, ${setting.label}: n8n ${install.n8nVersion} up on ${n8n.url}`);
		const client = new N8nClient(n8n.url);
		await client.ownerLogin(OWNER);
		const secret = 'whsec_bench_floor_' + crypto.randomBytes(16).toString('hex');
		const cred = await client.post('/rest/credentials', {
			name: 'bench floor: signing secret',
			type: CREDENTIAL_TYPE,
			// never called: the trigger makes no request without Fetch Latest Details
			data: {
				apiKey: 'cpk_test_bench_floor',
				environment: 'custom',
				baseUrl: 'http://127.0.0.1:9',
				webhookSecret: secret,
			},
		});
		const create = async (wf) =>
			(await client.post('/rest/workflows', { ...wf, pinData: {}, active: false })).id;
		const attached = { id: cred.id, name: 'bench floor: signing secret' };
		const ours = credentialTax
			? {
					workflow: floorWorkflow(attached, {
						name: 'bench: floor trigger with a credential',
						webhookId: TAXED_FLOOR_WEBHOOK_ID,
					}),
					url: `${n8n.url}/webhook/${TAXED_FLOOR_WEBHOOK_ID}/floor`,
				}
			: {
					workflow: triggerWorkflow(attached),
					url: `${n8n.url}/webhook/${TRIGGER_WEBHOOK_ID}/crewpass`,
				};
		const wfs = {
			ours: await create(ours.workflow),
			floor: await create(floorWorkflow(floorCredential ? attached : undefined)),
		};
		const urls = { ours: ours.url, floor: `${n8n.url}/webhook/${FLOOR_WEBHOOK_ID}/floor` };
		for (const side of SIDES) await publishWorkflow(client, wfs[side]);
		for (const side of SIDES) await waitForWebhook(urls[side]);

		const withPath = (d, p) => ({ body: d.body, headers: { ...d.headers, [FLOOR_HEADER]: p } });
		const make = {
			accepted: () => withPath(delivery({ secret }), 'accepted'),
			duplicate: /** @type {(i: number) => any} */ (() => undefined),
			forged: () => withPath(delivery({ secret, forged: true }), 'forged'),
		};
		const count = {
			ours: (await executions(client, wfs.ours, 1)).count,
			floor: (await executions(client, wfs.floor, 1)).count,
		};

		/** One batch of one side on one path; returns its time in ms and what it got. */
		const pid = /** @type {number} */ (n8n.proc.pid);
		const runBatch = async (p, side, n, label) => {
			const cpuFrom = cpuMs(pid);
			const mainFrom = mainThreadCpuMs(pid);
			const from = Date.now();
			const r = await postLoad({ url: urls[side], count: n, concurrency, make: make[p], classify });
			let to = Date.now();
			let started = 0;
			if (p === 'accepted') {
				// the executions end a moment after the answers: one look at n8n's list usually
				await sleep(300);
				const got = await settled(client, wfs[side], count[side] + n, n);
				started = got.count - count[side];
				count[side] = got.count;
				const stops = got.results.slice(0, n).map((e) => Date.parse(e.stoppedAt));
				to = Math.max(to, ...stops);
			}
			if (label) windows.push({ label, from, to });
			return {
				ms: to - from,
				answersMs: r.ms,
				cpuMs: cpuMs(pid) - cpuFrom,
				mainCpuMs: mainThreadCpuMs(pid) - mainFrom,
				kinds: r.kinds,
				started,
			};
		};

		// warm-up, not measured: every path on both sides
		for (const side of SIDES) await runBatch('accepted', side, 20, null);
		const seed = withPath(delivery({ secret }), 'duplicate');
		if (!credentialTax) {
			// the duplicate's first copy is accepted (ours remembers it; the floor reads the header)
			await postLoad({ url: urls.ours, count: 1, concurrency: 1, make: () => seed, classify });
			count.ours = (await settled(client, wfs.ours, count.ours + 1, 1)).count;
		}
		make.duplicate = () => seed;
		for (const side of SIDES) {
			await runBatch('duplicate', side, 50, null);
			await runBatch('forged', side, 50, null);
		}
		await sleep(1000);

		const figures = {};
		for (const p of PATHS) {
			const total = counts[p];
			const size = p === 'accepted' ? batch.accepted : batch.refusal;
			const sides = { ours: newSide(), floor: newSide() };
			const before = {
				ours: (await executions(client, wfs.ours, 1)).count,
				floor: (await executions(client, wfs.floor, 1)).count,
			};
			const loadFrom = os.loadavg()[0];
			for (const b of batchOrder(total, size)) {
				const got = await runBatch(p, b.side, b.n, `${setting.key} ${p} ${b.side}`);
				const s = sides[b.side];
				s.ms += got.ms;
				s.answersMs += got.answersMs;
				s.cpuMs += got.cpuMs;
				s.mainCpuMs += got.mainCpuMs;
				s.n += b.n;
				s.started += got.started;
				s.batches.push(Math.round(got.ms));
				for (const [k, v] of Object.entries(got.kinds)) s.kinds[k] = (s.kinds[k] ?? 0) + v;
			}
			// refusals start nothing: count what was started during the path, after a moment
			if (p !== 'accepted') {
				await sleep(1500);
				for (const side of SIDES) {
					const now = (await executions(client, wfs[side], 1)).count;
					sides[side].started = now - before[side];
					count[side] = now;
				}
			}
			const { ratio, pass } = floorRatio(sides.ours.ms, sides.floor.ms);
			const problems = [];
			for (const side of SIDES) {
				const s = sides[side];
				if ((p === 'forged' ? refusals(s.kinds) : s.kinds[p]) !== s.n)
					problems.push(`${side}: answers ${JSON.stringify(s.kinds)}`);
				const due = p === 'accepted' ? s.n : 0;
				if (s.started !== due) problems.push(`${side}: ${s.started} executions, ${due} due`);
			}
			figures[p] = {
				deliveries: total,
				batch: size,
				ours: sides.ours,
				floor: sides.floor,
				ratio,
				answersRatio: sides.floor.answersMs / sides.ours.answersMs,
				cpuRatio: sides.floor.cpuMs / sides.ours.cpuMs,
				pass: pass && problems.length === 0,
				problems,
				load: [loadFrom, os.loadavg()[0]],
			};
			log(
				tag,
				`floor, ${setting.label}, ${p}: ours ${Math.round(sides.ours.ms)} ms (${((sides.ours.n / sides.ours.ms) * 1000).toFixed(1)}/s; batches ${sides.ours.batches.join(' ')}), floor ${Math.round(sides.floor.ms)} ms (${((sides.floor.n / sides.floor.ms) * 1000).toFixed(1)}/s; batches ${sides.floor.batches.join(' ')}) → ratio ${ratio.toFixed(2)} (answers only ${figures[p].answersRatio.toFixed(2)}; n8n CPU ${(sides.ours.cpuMs / sides.ours.n).toFixed(2)} vs ${(sides.floor.cpuMs / sides.floor.n).toFixed(2)} ms a delivery, ratio ${figures[p].cpuRatio.toFixed(2)}; main thread ${(sides.ours.mainCpuMs / sides.ours.n).toFixed(2)} vs ${(sides.floor.mainCpuMs / sides.floor.n).toFixed(2)} ms); load ${loadFrom.toFixed(2)} → ${os.loadavg()[0].toFixed(2)}${problems.length ? `; WRONG: ${problems.join('; ')}` : ''}`,
			);
		}
		await stop();
		return {
			setting: setting.label,
			settingKey: setting.key,
			n8nVersion: install.n8nVersion,
			nodeVersion: install.nodeVersion,
			loadStart,
			loadEnd: os.loadavg(),
			figures,
			profile: profile ? { dir: profDir, windows, exitedAt } : undefined,
		};
	} finally {
		await stop();
	}
}

/**
 * Where ours costs more than the floor, per path: self time per delivery (ms) by package and by
 * function in n8n's main process, ours vs the floor, during the measured batches. Prints and
 * returns the summary.
 * @param {{ dir: string, windows: { label: string, from: number, to: number }[], exitedAt: number }} prof
 * @param {Record<string, any>} figures
 */
export function compareProfiles(prof, figures, { top = 12, out = process.stdout } = {}) {
	const files = fs
		.readdirSync(prof.dir)
		.filter((f) => f.endsWith('.cpuprofile'))
		.map((f) => path.join(prof.dir, f))
		.sort((a, b) => fs.statSync(b).size - fs.statSync(a).size);
	if (!files.length) {
		out.write(`no .cpuprofile in ${prof.dir}\n`);
		return undefined;
	}
	const profile = loadProfile(files[0]);
	const summary = {};
	for (const p of PATHS) {
		if (!figures[p]) continue;
		const per = {};
		for (const side of SIDES) {
			const label = prof.windows.find((w) => w.label.endsWith(`${p} ${side}`))?.label;
			const s = profile.summarise(
				prof.windows.filter((w) => w.label === label),
				prof.exitedAt,
			);
			const n = figures[p][side].n;
			per[side] = {
				n,
				busyMs: s.busyMs / n,
				byPackage: new Map(s.byPackage.map(([k, ms]) => [k, ms / n])),
				byFunction: new Map(s.byFunction.map(([k, ms]) => [k, ms / n])),
			};
		}
		const diff = (key) => {
			const keys = new Set([...per.ours[key].keys(), ...per.floor[key].keys()]);
			return [...keys]
				.map((k) => [k, per.ours[key].get(k) ?? 0, per.floor[key].get(k) ?? 0])
				.sort((a, b) => b[1] - b[2] - (a[1] - a[2]));
		};
		const byPackage = diff('byPackage');
		const byFunction = diff('byFunction');
		const f3 = (x) => x.toFixed(3).padStart(7);
		out.write(
			`\n${p}: n8n main busy ${per.ours.busyMs.toFixed(2)} ms per delivery for ours, ${per.floor.busyMs.toFixed(2)} ms for the floor (${(per.ours.busyMs - per.floor.busyMs).toFixed(2)} ms more)\n  self time per delivery by package (ms: ours, floor, ours − floor), largest first by ours:\n`,
		);
		for (const [k, o, f] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top))
			out.write(`    ${f3(o)} ${f3(f)} ${f3(o - f)}  ${k}\n`);
		out.write(
			`  functions where ours spends the most over the floor (ms per delivery: ours, floor, ours − floor):\n`,
		);
		for (const [k, o, f] of byFunction.slice(0, top))
			out.write(`    ${f3(o)} ${f3(f)} ${f3(o - f)}  ${k}\n`);
		out.write(`  functions where the floor spends more than ours:\n`);
		for (const [k, o, f] of byFunction.slice(-5).reverse())
			out.write(`    ${f3(o)} ${f3(f)} ${f3(o - f)}  ${k}\n`);
		summary[p] = {
			busyMsPerDelivery: { ours: per.ours.busyMs, floor: per.floor.busyMs },
			topPackages: [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top),
			moreThanFloor: byFunction.slice(0, top),
		};
	}
	return summary;
}
