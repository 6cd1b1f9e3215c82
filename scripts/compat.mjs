#!/usr/bin/env node
// @ts-check
// npm run test:compat: the whole end-to-end suite (scripts/e2e.mjs, every test/e2e/*.e2e.mjs)
// on every supported n8n version of docs/compat/versions.json, the newest also under n8n's
// durable scheduler and durable poll cursors; records each run in docs/compat/results.json and
// rewrites the generated compatibility blocks of docs/compatibility.md and README.md.
//
//   npm run test:compat                         every supported version, each in its modes
//   npm run test:compat -- 2.41.1               one version (a listed one; also a notSupported
//                                               one, to check it again), in its modes
//   npm run test:compat -- 2.41.1 --mode durable   one mode (default | durable | cursors; repeat
//                                               or comma-separate for several)
//   npm run test:compat -- --docs               only rewrite the generated blocks from the results
//   npm run test:compat -- --dry-run            print the plan
//   node scripts/compat.mjs --print oldest      the oldest (or newest) supported version (.ci/run)
//
// Per run it records the version, mode, date, git commit, the content hash of nodes/ and
// credentials/ (scripts/lib/compat.cjs), the n8n install's time (install.json), each suite's
// pass / fail counts (a node:test reporter beside spec), the duration and whether every test
// passed. A version that does not install or whose run crashes is recorded as failed with the
// reason, and the next one runs. `npm test` (test/compat.test.ts) then holds the rule.
// Environment: CREWPASS_E2E_DIR (base of the data folders: <it>/<version>-<mode>; default
// <cache>/e2e-<version>[-<mode>]); CREWPASS_COMPAT_TIMEOUT_MINUTES (per run, default 60).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

import { CACHE_DIR, installFailureCause, installRecord } from './n8n-install.mjs';
import { REPO, log, sleep } from './lib/n8n.mjs';

const require = createRequire(import.meta.url);
/** @type {any} */
const compat = require('./lib/compat.cjs');

const tag = 'compat';
const TIMEOUT_MS = Number(process.env.CREWPASS_COMPAT_TIMEOUT_MINUTES || 60) * 60_000;

/**
 * @param {string[]} argv
 * @returns {{ versions: string[], modes: string[], docsOnly: boolean, dryRun: boolean, print?: string, docs: boolean }}
 */
export function parseArgs(argv) {
	/** @type {{ versions: string[], modes: string[], docsOnly: boolean, dryRun: boolean, print?: string, docs: boolean }} */
	const out = {
		versions: [],
		modes: [],
		docsOnly: false,
		dryRun: false,
		docs: true,
		print: undefined,
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const value = () => {
			const eq = a.indexOf('=');
			if (eq !== -1) return a.slice(eq + 1);
			const v = argv[++i];
			if (v === undefined) throw new Error(`${a} needs a value`);
			return v;
		};
		if (a === '--mode' || a.startsWith('--mode=')) {
			for (const m of value()
				.split(',')
				.map((s) => s.trim())
				.filter(Boolean)) {
				if (!compat.MODES.includes(m)) {
					throw new Error(`--mode ${m}: not a scheduler mode (${compat.MODES.join(', ')})`);
				}
				out.modes.push(m);
			}
		} else if (a === '--') continue;
		else if (a === '--docs') out.docsOnly = true;
		else if (a === '--no-docs') out.docs = false;
		else if (a === '--dry-run') out.dryRun = true;
		else if (a === '--print' || a.startsWith('--print=')) out.print = value();
		else if (/^\d+\.\d+\.\d+$/.test(a)) out.versions.push(a);
		else
			throw new Error(
				`unknown argument ${a}; versions are x.y.z, options --mode, --docs, --dry-run`,
			);
	}
	return out;
}

/** The runs to make: [{ entry, mode }], from the list and the filters. */
export function plan(list, { versions, modes }) {
	let entries;
	if (versions.length) {
		entries = versions.map((v) => {
			const e = list.versions.find((x) => x.version === v);
			if (!e) {
				throw new Error(
					`n8n ${v} is not in ${compat.LIST_FILE}; add it there first (the list is what the README names)`,
				);
			}
			return e;
		});
	} else entries = compat.supportedEntries(list);
	const runs = [];
	for (const entry of entries) {
		for (const mode of compat.modesOf(entry)) {
			if (!modes.length || modes.includes(mode)) runs.push({ entry, mode });
		}
	}
	if (!runs.length) {
		throw new Error(
			`nothing to run: ${versions.join(', ') || 'the supported versions'} ${modes.length ? `in mode ${modes.join(', ')} ` : ''}(each version runs in its "modes" of ${compat.LIST_FILE})`,
		);
	}
	return runs;
}

function git(args) {
	const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : '';
}

/**
 * Runs `cmd` with its output to this terminal and to `logFile`; resolves { code, signal, output
 * (the last 400 kB), timedOut }. Its own process group, ended on timeout.
 * @param {string} cmd @param {string[]} args
 * @param {{ env: NodeJS.ProcessEnv, logFile: string, timeoutMs: number, prefix?: string }} options
 */
function runLogged(cmd, args, { env, logFile, timeoutMs, prefix = '' }) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const logOut = fs.createWriteStream(logFile);
	return new Promise((resolve) => {
		const child = spawn(cmd, args, {
			cwd: REPO,
			env,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		current = child;
		let output = '';
		let timedOut = false;
		const keep = (/** @type {Buffer} */ chunk, /** @type {NodeJS.WriteStream} */ to) => {
			const s = chunk.toString();
			output += s;
			if (output.length > 800_000) output = output.slice(-400_000);
			logOut.write(s);
			to.write(prefix ? s.replace(/^(?=.)/gm, prefix) : s);
		};
		child.stdout.on('data', (c) => keep(c, process.stdout));
		child.stderr.on('data', (c) => keep(c, process.stderr));
		const timer = setTimeout(() => {
			timedOut = true;
			log(tag, `timed out after ${timeoutMs / 60_000} min: stopping the run`);
			killGroup(child, 'SIGTERM');
			setTimeout(() => killGroup(child, 'SIGKILL'), 30_000).unref();
		}, timeoutMs);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			current = undefined;
			logOut.end();
			resolve({ code, signal, output, timedOut });
		});
	});
}

/** @type {import('node:child_process').ChildProcess | undefined} */
let current;
/** The n8n user folder of the run in progress (to end what it leaves on Ctrl-C). */
let currentUserFolder = '';

function killGroup(child, sig) {
	try {
		process.kill(-child.pid, sig);
	} catch {}
}

/**
 * n8n processes a crashed or stopped run left behind: those whose working folder is the run's
 * n8n user folder (scripts/lib/n8n.mjs starts n8n there, in its own process group). Ends them
 * by pid: SIGTERM, SIGKILL after 20 s.
 */
async function endLeftovers(userFolder) {
	const pids = [];
	for (const p of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
		try {
			if (fs.readlinkSync(`/proc/${p}/cwd`) === userFolder) pids.push(Number(p));
		} catch {}
	}
	if (!pids.length) return;
	log(tag, `ending ${pids.length} process(es) left in ${userFolder}: ${pids.join(', ')}`);
	for (const pid of pids) {
		try {
			process.kill(pid, 'SIGTERM');
		} catch {}
	}
	for (let i = 0; i < 40 && pids.some(alive); i++) await sleep(500);
	for (const pid of pids.filter(alive)) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {}
	}
}

function alive(pid) {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** The e2e run's own timings line ("timings (s): {...}"), parsed. */
function e2eTimings(output) {
	const m = /timings \(s\): (\{.*\})/.exec(output);
	if (!m) return undefined;
	try {
		return JSON.parse(m[1]);
	} catch {
		return undefined;
	}
}

/** Rows in n8n's poller_state table (durable poll cursors), read with the n8n install's sqlite3. */
function pollerStateRows(install, dbFile) {
	if (!install || !fs.existsSync(dbFile)) return undefined;
	const script = `const s=require('sqlite3');const db=new s.Database(process.argv[1],s.OPEN_READONLY);db.get("select count(*) as n from poller_state",(e,r)=>{console.log(e?'error':r.n);db.close();});`;
	const r = spawnSync(install.node, ['-e', script, dbFile], {
		cwd: install.dir,
		encoding: 'utf8',
	});
	const n = Number(r.stdout.trim());
	return Number.isInteger(n) ? n : undefined;
}

const load1 = () => Math.round(os.loadavg()[0] * 10) / 10;

/** Installs (or finds) n8n `version`; { ok, record } or { ok: false, reason }. */
async function install(version, logDir) {
	const r = await runLogged(process.execPath, [path.join(REPO, 'scripts', 'n8n-install.mjs')], {
		env: { ...process.env, CREWPASS_N8N_VERSION: version },
		logFile: path.join(logDir, `install-${version}.log`),
		timeoutMs: 90 * 60_000,
		prefix: '    ',
	});
	if (r.code === 0) {
		const json = r.output
			.split('\n')
			.reverse()
			.find((l) => l.startsWith('{'));
		const paths = json ? JSON.parse(json) : undefined;
		return {
			ok: true,
			record: installRecord(version),
			run: paths && { node: paths.node, dir: paths.n8nDir },
		};
	}
	const cause =
		installFailureCause(r.output) ??
		(r.timedOut ? 'the install timed out' : lastLine(r.output)) ??
		`exit ${r.code}`;
	return { ok: false, reason: `n8n ${version} does not install: ${cause}` };
}

function lastLine(text) {
	return (
		String(text)
			.split('\n')
			.map((l) => l.trim())
			.filter(Boolean)
			.pop()
			?.slice(0, 300) ?? undefined
	);
}

function installFields(rec) {
	if (!rec) return undefined;
	return {
		installed: rec.installed,
		totalSeconds: rec.totalSeconds,
		npmInstallSeconds: rec.npmInstallSeconds,
		sqliteBuildSeconds: rec.sqliteBuildSeconds,
		sqliteBuildReusedFrom: rec.sqliteBuildReusedFrom ?? undefined,
		sizeMb: rec.sizeMb,
		overrides: rec.overrides,
		loadAverageAtEnd: rec.loadAverageAtEnd,
	};
}

const SLICES_SUITE = 'polling-slices';

/**
 * The e2e suites (all, or `only`) in an n8n whose data is in `dir`; the spec output is logged to
 * e2e-<name>.log, the test events to events-<name>.ndjson. Returns the run and its counts.
 */
async function runSuites(env, logDir, name, dir, only = []) {
	currentUserFolder = path.join(dir, 'n8n');
	const events = path.join(logDir, `events-${name}.ndjson`);
	fs.rmSync(events, { force: true });
	const r = await runLogged(
		process.execPath,
		[
			'--test-reporter=spec',
			'--test-reporter-destination=stdout',
			`--test-reporter=${path.join(REPO, 'scripts', 'lib', 'compat-reporter.mjs')}`,
			`--test-reporter-destination=${events}`,
			path.join(REPO, 'scripts', 'e2e.mjs'),
			...only,
		],
		{
			env: { ...env, CREWPASS_E2E_DIR: dir },
			logFile: path.join(logDir, `e2e-${name}.log`),
			timeoutMs: TIMEOUT_MS,
		},
	);
	await endLeftovers(path.join(dir, 'n8n'));
	const counted = compat.countEvents(fs.existsSync(events) ? fs.readFileSync(events, 'utf8') : '');
	return { r, counted };
}

/** One e2e run of `version` in `mode`; returns its record. */
async function runOne(list, { entry, mode }, logDir) {
	const version = entry.version;
	const started = new Date();
	const base = {
		version,
		mode,
		...(mode !== 'default' && list.durablePollTimeoutSeconds
			? { pollTimeoutSeconds: list.durablePollTimeoutSeconds }
			: {}),
		...(mode !== 'default' && list.slicesPollTimeoutSeconds
			? { slicesPollTimeoutSeconds: list.slicesPollTimeoutSeconds }
			: {}),
		date: started.toISOString(),
		commit: git(['rev-parse', 'HEAD']),
		commitDirty: git(['status', '--porcelain', '--', ...compat.HASHED_FOLDERS]) !== '',
		contentHash: compat.contentHash(),
		machine: { cpus: os.cpus().length, loadAverageAtStart: load1() },
	};
	log(tag, `n8n ${version}, ${compat.MODE_NAMES[mode]}: installing (or reusing) n8n`);
	const inst = await install(version, logDir);
	if (!inst.ok) {
		log(tag, inst.reason);
		return { ...base, pass: false, failure: inst.reason, durationSeconds: 0 };
	}
	const dir = process.env.CREWPASS_E2E_DIR
		? path.join(path.resolve(process.env.CREWPASS_E2E_DIR), `${version}-${mode}`)
		: path.join(CACHE_DIR, `e2e-${version}${mode === 'default' ? '' : `-${mode}`}`);
	/** @type {NodeJS.ProcessEnv} */
	const env = {
		...process.env,
		CREWPASS_N8N_VERSION: version,
		CREWPASS_N8N_SCHEDULER: mode,
	};
	delete env.CREWPASS_N8N_POLL_TIMEOUT;
	if (base.pollTimeoutSeconds) env.CREWPASS_N8N_POLL_TIMEOUT = String(base.pollTimeoutSeconds);
	log(tag, `n8n ${version}, ${compat.MODE_NAMES[mode]}: the end-to-end suite (data in ${dir})`);
	const t = Date.now();
	let run = await runSuites(env, logDir, `${version}-${mode}`, dir);
	if (base.slicesPollTimeoutSeconds) {
		// polling-slices needs a poll timeout a small fleet exceeds (it skips itself at 30 s): it
		// runs again alone, in an n8n of its own, with the low one
		log(
			tag,
			`n8n ${version}, ${compat.MODE_NAMES[mode]}: ${SLICES_SUITE} again, poll timeout ${base.slicesPollTimeoutSeconds} s`,
		);
		const alone = await runSuites(
			{ ...env, CREWPASS_N8N_POLL_TIMEOUT: String(base.slicesPollTimeoutSeconds) },
			logDir,
			`${version}-${mode}-${SLICES_SUITE}`,
			`${dir}-${SLICES_SUITE}`,
			[SLICES_SUITE],
		);
		run = {
			r: {
				...alone.r,
				code: run.r.code || alone.r.code,
				output: `${run.r.output}\n${alone.r.output}`,
				timedOut: run.r.timedOut || alone.r.timedOut,
			},
			counted: compat.withSuiteFrom(run.counted, alone.counted, SLICES_SUITE),
		};
	}
	const { r, counted } = run;
	const durationSeconds = Math.round((Date.now() - t) / 1000);
	const hashAfter = compat.contentHash();
	let failure;
	const n8nLog = path.join(dir, 'n8n.log');
	const wrongMode = fs.existsSync(n8nLog)
		? compat.schedulerEvidence(
				mode,
				fs.readFileSync(n8nLog, 'utf8'),
				mode === 'cursors'
					? pollerStateRows(inst.run, path.join(dir, 'n8n', '.n8n', 'database.sqlite'))
					: undefined,
			)
		: undefined;
	const setupFailed = /setup FAILED: ([^\n]*)/.exec(r.output);
	if (r.timedOut) failure = `the run timed out after ${TIMEOUT_MS / 60_000} min`;
	else if (setupFailed) failure = `the suite's setup failed: ${setupFailed[1].slice(0, 300)}`;
	else if (!counted.tests.total)
		failure = `no test ran (exit ${r.code ?? r.signal}): ${lastLine(r.output) ?? ''}`;
	else if (counted.tests.fail)
		failure = `${counted.tests.fail} of ${counted.tests.total} tests failed`;
	else if (counted.errors.length)
		failure = `a suite failed outside its tests: ${counted.errors[0]}`;
	else if (r.code !== 0) failure = `the suite exited with ${r.code ?? r.signal}`;
	if (wrongMode) failure = failure ? `${wrongMode}; ${failure}` : wrongMode;
	if (hashAfter !== base.contentHash) {
		failure = `nodes/ or credentials/ changed during the run (${base.contentHash.slice(0, 12)} → ${hashAfter.slice(0, 12)})${failure ? `; ${failure}` : ''}`;
	}
	return {
		...base,
		machine: { ...base.machine, loadAverageAtEnd: load1() },
		node: inst.record?.nodeVersion,
		install: installFields(inst.record),
		tests: counted.tests,
		suites: counted.suites,
		...(counted.failed.length ? { failedTests: counted.failed.slice(0, 20) } : {}),
		...(counted.errors.length ? { suiteErrors: counted.errors.slice(0, 10) } : {}),
		durationSeconds,
		timings: e2eTimings(r.output),
		pass: !failure,
		...(failure ? { failure } : {}),
	};
}

function writeResults(results) {
	const file = path.join(REPO, compat.RESULTS_FILE);
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, JSON.stringify(results, null, '\t') + '\n');
}

function regenerate() {
	const outcome = compat.writeGenerated();
	for (const [file, what] of Object.entries(outcome)) {
		if (what === 'no markers') {
			log(tag, `${file}: no ${compat.BEGIN} … ${compat.END} markers: left as it is`);
		} else log(tag, `${file}: ${what}`);
	}
}

async function main() {
	const args = parseArgs(process.argv.slice(2));
	const list = compat.readList();
	const problems = compat.listProblems(list);
	if (problems.length) throw new Error(problems.join('\n'));
	if (args.print) {
		const e =
			args.print === 'oldest'
				? compat.oldestSupported(list)
				: args.print === 'newest'
					? compat.newestSupported(list)
					: undefined;
		if (!e) throw new Error(`--print ${args.print}: use oldest or newest`);
		process.stdout.write(`${e.version}\n`);
		return 0;
	}
	if (args.docsOnly) {
		regenerate();
		return 0;
	}
	const runs = plan(list, args);
	log(
		tag,
		`${runs.length} run(s): ${runs.map((r) => `${r.entry.version} ${r.mode}`).join(', ')}; code ${compat.contentHash().slice(0, 12)}`,
	);
	if (args.dryRun) return 0;
	const logDir = path.join(CACHE_DIR, 'compat');
	const done = [];
	const failedInstalls = new Map();
	for (const run of runs) {
		let record;
		if (failedInstalls.has(run.entry.version)) {
			record = {
				...failedInstalls.get(run.entry.version),
				mode: run.mode,
				date: new Date().toISOString(),
			};
		} else {
			try {
				record = await runOne(list, run, logDir);
			} catch (/** @type {any} */ e) {
				// this script's own failure for one run: recorded, the next run goes on
				log(tag, `n8n ${run.entry.version} ${run.mode}: ${e.stack || e.message}`);
				record = {
					version: run.entry.version,
					mode: run.mode,
					date: new Date().toISOString(),
					commit: git(['rev-parse', 'HEAD']),
					contentHash: compat.contentHash(),
					pass: false,
					failure: `test:compat failed: ${e.message.split('\n')[0]}`,
				};
			}
			if (record.failure?.includes('does not install'))
				failedInstalls.set(run.entry.version, record);
		}
		writeResults(compat.mergeRecord(compat.readResults(), record));
		done.push(record);
		log(
			tag,
			`n8n ${record.version} ${record.mode}: ${record.pass ? 'PASSED' : 'FAILED'} ${record.tests ? `${record.tests.pass}/${record.tests.total}` : ''} in ${record.durationSeconds ?? 0} s${record.failure ? ` (${record.failure})` : ''}`,
		);
	}
	if (args.docs) regenerate();
	process.stdout.write('\nCompatibility runs:\n');
	for (const r of done) {
		process.stdout.write(
			`  ${r.pass ? 'pass' : 'FAIL'}  n8n ${r.version.padEnd(9)} ${r.mode.padEnd(8)} ${r.tests ? `${r.tests.pass}/${r.tests.total}`.padEnd(7) : '-'.padEnd(7)} ${String(r.durationSeconds ?? 0).padStart(5)} s${r.failure ? `  ${r.failure}` : ''}\n`,
		);
	}
	process.stdout.write(`Results: ${compat.RESULTS_FILE}; logs: ${logDir}\n`);
	return done.every((r) => r.pass) ? 0 : 1;
}

for (const sig of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
	process.on(sig, async () => {
		if (current) killGroup(current, 'SIGTERM');
		log(tag, `${sig}: stopped (the run in progress is not recorded)`);
		await sleep(2000);
		if (currentUserFolder) await endLeftovers(currentUserFolder);
		process.exit(130);
	});
}

if (import.meta.url === `file://${process.argv[1]}`) {
	main().then(
		(code) => process.exit(code),
		(e) => {
			process.stderr.write(`${e.message}\n`);
			process.exit(2);
		},
	);
}
