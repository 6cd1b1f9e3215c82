// @ts-check
// The one launcher of every script that runs n8n (npm start, test:e2e, test:ui, test:queue, bench):
// build + pack the package, install the tarball into an n8n user folder the way a user would,
// run a real n8n of CREWPASS_N8N_VERSION (from the cache made by scripts/n8n-install.mjs), and
// talk to its REST API. launchN8n() = preparePackage() + n8nEnv() + startN8n().
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { ensureN8nInstalled } from '../n8n-install.mjs';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
export const PACKAGE_NAME = PACKAGE.name;
export const NODE_TYPE = `${PACKAGE_NAME}.crewPass`;
export const TRIGGER_TYPE = `${PACKAGE_NAME}.crewPassTrigger`;
export const POLLING_TRIGGER_TYPE = `${PACKAGE_NAME}.crewPassPollingTrigger`;
/** The trigger's current typeVersion (1 still works the same, at n8n's extra cost per delivery). */
export const TRIGGER_VERSION = 2;
export const CREDENTIAL_TYPE = 'crewPassApi';

const t0 = Date.now();
export function log(tag, msg) {
	const s = ((Date.now() - t0) / 1000).toFixed(1).padStart(6);
	process.stderr.write(`[${tag} ${s} s] ${msg}\n`);
}

export function sleep(ms) {
	return new Promise((r) => setTimeout(r, ms));
}

export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('node:net').AddressInfo} */ (srv.address());
			srv.close(() => resolve(port));
		});
	});
}

export function portInUse(port) {
	return new Promise((resolve) => {
		const sock = net.connect({ port, host: '127.0.0.1' });
		sock.once('connect', () => {
			sock.destroy();
			resolve(true);
		});
		sock.once('error', () => resolve(false));
	});
}

function runQuiet(cmd, args, opts = {}) {
	const r = spawnSync(cmd, args, {
		cwd: REPO,
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024,
		...opts,
	});
	if (r.status !== 0) {
		throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
	}
	return r.stdout;
}

/** npm run build, then npm pack into outDir; returns the tarball's path. */
export function buildAndPack(outDir, { build = true } = {}) {
	fs.mkdirSync(outDir, { recursive: true });
	if (build) runQuiet('npm', ['run', 'build', '--silent']);
	for (const f of fs.readdirSync(outDir)) if (f.endsWith('.tgz')) fs.rmSync(path.join(outDir, f));
	const out = runQuiet('npm', ['pack', '--silent', '--pack-destination', outDir]);
	const name = /** @type {string} */ (out.trim().split('\n').pop()).trim();
	return path.join(outDir, name);
}

/**
 * Installs the tarball (of package `name`, ours by default) into <userFolder>/.n8n/nodes the way n8n's docs tell a self-hosting user
 * to install a community package by hand (`cd ~/.n8n/nodes && npm install <package>`). n8n loads
 * every n8n-nodes-* package in that node_modules at start. Peer dependencies are not installed:
 * n8n-workflow must be n8n's own copy.
 */
export function installTarball(tgz, userFolder, name = PACKAGE_NAME) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const pj = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(pj)) {
		fs.writeFileSync(
			pj,
			JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2),
		);
	}
	// a fresh copy every time: npm would keep a cached tarball of the same version
	fs.rmSync(path.join(nodesDir, 'node_modules', name), { recursive: true, force: true });
	runQuiet(
		'npm',
		[
			'install',
			tgz,
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--no-package-lock',
			'--loglevel=error',
		],
		{ cwd: nodesDir },
	);
	const installed = path.join(nodesDir, 'node_modules', name);
	if (fs.lstatSync(installed).isSymbolicLink())
		throw new Error(`${installed} is a symlink, expected a copy`);
	return installed;
}

/** The scheduler modes every script can start n8n in (CREWPASS_N8N_SCHEDULER). */
export const SCHEDULER_MODES = /** @type {const} */ (['default', 'durable', 'cursors']);

/**
 * The scheduler mode of this run: CREWPASS_N8N_SCHEDULER = default (n8n's in-process scheduler,
 * what n8n runs unless told otherwise) | durable (n8n's durable scheduler, polling triggers
 * included) | cursors (durable, plus durable poll cursors). Unset or empty: default.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {'default' | 'durable' | 'cursors'}
 */
export function schedulerMode(env = process.env) {
	const mode = (env.CREWPASS_N8N_SCHEDULER || 'default').trim().toLowerCase();
	if (!(/** @type {readonly string[]} */ (SCHEDULER_MODES).includes(mode))) {
		throw new Error(
			`CREWPASS_N8N_SCHEDULER=${env.CREWPASS_N8N_SCHEDULER} is not a scheduler mode; use one of ${SCHEDULER_MODES.join(', ')}`,
		);
	}
	return /** @type {'default' | 'durable' | 'cursors'} */ (mode);
}

/**
 * n8n's own variables for a scheduler mode (names as in @n8n/config of n8n 2.41.1):
 * - durable: N8N_SCHEDULER_ENABLED + N8N_SCHEDULER_POLL_TRIGGERS_ENABLED (polls run from the
 *   database queue, each within N8N_SCHEDULER_POLL_TIMEOUT, 45 s unless set), and
 *   N8N_USE_WORKFLOW_PUBLICATION_SERVICE: without it n8n 2.41.1 keeps polls on the in-memory
 *   engine ("The durable scheduler cannot take over poll triggers"); on by default in 2.41.1, set
 *   so that a version with another default runs durable too;
 * - cursors: durable + N8N_POLLER_DURABLE_CURSORS_ENABLED.
 * With the durable scheduler on, n8n logs "Provisioned scheduler jobs for poll trigger node"
 * (debug) for each polling trigger it activates; scripts/compat.mjs checks it.
 * CREWPASS_N8N_POLL_TIMEOUT=<seconds> sets N8N_SCHEDULER_POLL_TIMEOUT (any mode; only the durable
 * scheduler reads it). n8n versions before the durable scheduler ignore these variables.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Record<string, string>}
 */
export function schedulerEnv(env = process.env) {
	const mode = schedulerMode(env);
	/** @type {Record<string, string>} */
	const out = {};
	if (mode === 'durable' || mode === 'cursors') {
		out.N8N_SCHEDULER_ENABLED = 'true';
		out.N8N_SCHEDULER_POLL_TRIGGERS_ENABLED = 'true';
		out.N8N_USE_WORKFLOW_PUBLICATION_SERVICE = 'true';
	}
	if (mode === 'cursors') out.N8N_POLLER_DURABLE_CURSORS_ENABLED = 'true';
	const timeout = pollTimeoutSeconds(env);
	if (timeout !== undefined) out.N8N_SCHEDULER_POLL_TIMEOUT = String(timeout);
	return out;
}

/**
 * CREWPASS_N8N_POLL_TIMEOUT in whole seconds, or undefined when unset (n8n's default: 45 s).
 * @param {NodeJS.ProcessEnv} [env]
 */
export function pollTimeoutSeconds(env = process.env) {
	const raw = (env.CREWPASS_N8N_POLL_TIMEOUT ?? '').trim();
	if (!raw) return undefined;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 1) {
		throw new Error(
			`CREWPASS_N8N_POLL_TIMEOUT=${raw} is not a whole number of seconds (n8n's N8N_SCHEDULER_POLL_TIMEOUT)`,
		);
	}
	return n;
}

/**
 * Environment for a local n8n on SQLite, loopback only, no phoning home. Inherited N8N_* and DB_*
 * variables are dropped (a developer's shell must not change a suite); the scheduler mode comes
 * from CREWPASS_N8N_SCHEDULER / CREWPASS_N8N_POLL_TIMEOUT (schedulerEnv); `extra` wins over both.
 */
export function n8nEnv({
	userFolder,
	port,
	brokerPort,
	encryptionKey,
	logLevel = 'info',
	extra = {},
}) {
	const env = { ...process.env };
	for (const k of Object.keys(env)) if (k.startsWith('N8N_') || k.startsWith('DB_')) delete env[k];
	delete env.npm_config_nodedir;
	Object.assign(env, {
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: logLevel,
		N8N_LOG_OUTPUT: 'console',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		// Read/Write Files from Disk may only touch this folder
		N8N_RESTRICT_FILE_ACCESS_TO: path.join(userFolder, 'files'),
		N8N_BLOCK_FILE_ACCESS_TO_N8N_FILES: 'true',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NODE_ENV: 'production',
		...schedulerEnv(process.env),
		...extra,
	});
	return env;
}

/**
 * Starts `n8n <command>` (start, webhook, worker ...) and resolves once it is ready:
 * /healthz/readiness answers 200 and, for `start`, the REST API answers /rest/settings (n8n 1.123
 * answers /healthz while /rest/settings is still 404 for a few seconds). Output goes to logFile;
 * `nice` > 0 runs it under nice. Returns { url, port, proc, startMs, stop(), exited }.
 * @param {{ install: any, env: NodeJS.ProcessEnv, port: number, logFile: string, tag?: string, timeoutMs?: number, command?: string, args?: string[], nice?: number }} options
 */
export async function startN8n({
	install,
	env,
	port,
	logFile,
	tag = 'n8n',
	timeoutMs = 240_000,
	command = 'start',
	args = [],
	nice = 0,
}) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'a');
	const argv = [install.n8nBin, command, ...args];
	const [cmd, cmdArgs] =
		nice > 0 ? ['nice', ['-n', String(nice), install.node, ...argv]] : [install.node, argv];
	const proc = spawn(cmd, cmdArgs, {
		cwd: env.N8N_USER_FOLDER,
		env,
		stdio: ['ignore', out, out],
		detached: true, // own process group: stop() also ends n8n's task runner
	});
	fs.closeSync(out);
	let exited = null;
	proc.on('exit', (code, signal) => {
		exited = { code, signal };
	});
	const url = `http://127.0.0.1:${port}`;
	const started = Date.now();
	const deadline = started + timeoutMs;
	const probes = [
		`${url}/healthz/readiness`,
		...(command === 'start' ? [`${url}/rest/settings`] : []),
	];
	let lastNote = 0;
	for (;;) {
		if (exited) {
			throw new Error(
				`n8n ${command} exited during start (${JSON.stringify(exited)}); log: ${logFile}\n${tail(logFile, 40)}`,
			);
		}
		if (await answers200(probes[0])) {
			probes.shift();
			if (!probes.length) break;
			continue;
		}
		if (Date.now() > deadline) {
			await stopProcess(proc);
			throw new Error(
				`n8n ${command} did not become ready in ${timeoutMs / 1000} s (waiting for ${probes[0]}); log: ${logFile}\n${tail(logFile, 40)}`,
			);
		}
		if (Date.now() - lastNote > 15_000) {
			if (lastNote) log(tag, `waiting for n8n ${command} to come up ...`);
			lastNote = Date.now();
		}
		await sleep(500);
	}
	return {
		command,
		url,
		port,
		proc,
		logFile,
		env,
		startMs: Date.now() - started,
		stop: () => stopProcess(proc),
		get exited() {
			return exited;
		},
	};
}

async function answers200(url) {
	try {
		const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
		await r.arrayBuffer();
		return r.status === 200;
	} catch {
		return false;
	}
}

/**
 * A new n8n user folder `<dir>/n8n` (`dir` wiped first) with `tarball` installed; its path.
 * @param {string} dir
 * @param {string} tarball
 */
export function freshUserFolder(dir, tarball) {
	fs.rmSync(dir, { recursive: true, force: true });
	const userFolder = path.join(dir, 'n8n');
	fs.mkdirSync(path.join(userFolder, 'files'), { recursive: true });
	installTarball(tarball, userFolder);
	return userFolder;
}

/**
 * The n8n of CREWPASS_N8N_VERSION (installed once per version by scripts/n8n-install.mjs) and a
 * user folder under `dir` with this package built, packed and installed from its tarball, as a
 * user installs it. `fresh` wipes `dir` first; `build: false` packs the existing dist/.
 * @param {{ dir: string, fresh?: boolean, build?: boolean, tag?: string }} options
 */
export async function preparePackage({ dir, fresh = true, build = true, tag = 'n8n' }) {
	const t = Date.now();
	const install = await ensureN8nInstalled();
	const installMs = Date.now() - t;
	log(tag, `n8n ${install.n8nVersion} on Node ${install.nodeVersion}`);
	if (fresh) fs.rmSync(dir, { recursive: true, force: true });
	const userFolder = path.join(dir, 'n8n');
	fs.mkdirSync(path.join(userFolder, 'files'), { recursive: true });
	const t2 = Date.now();
	const tarball = buildAndPack(path.join(dir, 'pack'), { build });
	const installedDir = installTarball(tarball, userFolder);
	log(tag, `installed ${path.basename(tarball)} into ${installedDir}`);
	return {
		install,
		userFolder,
		tarball,
		installedDir,
		timings: { installMs, buildPackInstallMs: Date.now() - t2 },
	};
}

/**
 * The one way the scripts start a single n8n with this package (npm start, the e2e and UI suites,
 * the bench): preparePackage(), then `n8n start` on SQLite, loopback only, ready to use (REST API
 * up). The returned handle's restart() stops it (SIGTERM) and starts it again on the same data;
 * `handle.n8n` is always the current process.
 * @param {{ dir: string, fresh?: boolean, build?: boolean, tag?: string, port?: number, brokerPort?: number, encryptionKey: string, logLevel?: string, extra?: Record<string, string>, logFile?: string }} options
 */
export async function launchN8n({
	dir,
	fresh = true,
	build = true,
	tag = 'n8n',
	port,
	brokerPort,
	encryptionKey,
	logLevel = 'info',
	extra = {},
	logFile = path.join(dir, 'n8n.log'),
}) {
	const prepared = await preparePackage({ dir, fresh, build, tag });
	const n8nPort = port ?? (await freePort());
	const env = n8nEnv({
		userFolder: prepared.userFolder,
		port: n8nPort,
		brokerPort: brokerPort ?? (await freePort()),
		encryptionKey,
		logLevel,
		extra,
	});
	const start = () => startN8n({ install: prepared.install, env, port: n8nPort, logFile, tag });
	const handle = {
		...prepared,
		env,
		port: n8nPort,
		logFile,
		url: `http://127.0.0.1:${n8nPort}`,
		n8n: await start(),
		dbFile: path.join(prepared.userFolder, '.n8n', 'database.sqlite'),
		stop: async () => await handle.n8n.stop(),
		/** SIGTERM (as a service manager would), then start again; { stopMs, startMs } */
		restart: async () => {
			const t1 = Date.now();
			await handle.n8n.stop();
			const t2 = Date.now();
			handle.n8n = await start();
			return { stopMs: t2 - t1, startMs: Date.now() - t2 };
		},
	};
	prepared.timings.startMs = handle.n8n.startMs;
	log(tag, `n8n ${prepared.install.n8nVersion} up on ${handle.url} (log ${logFile})`);
	return handle;
}

export function tail(file, lines) {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

/** SIGTERM to the process group, SIGKILL after graceMs. */
export async function stopProcess(proc, graceMs = 20_000) {
	if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
	const done = new Promise((r) => proc.once('exit', r));
	const signal = (sig) => {
		try {
			process.kill(-proc.pid, sig);
		} catch {
			try {
				proc.kill(sig);
			} catch {}
		}
	};
	signal('SIGTERM');
	const timer = setTimeout(() => signal('SIGKILL'), graceMs);
	await done;
	clearTimeout(timer);
}

/** A logged-in session on n8n's internal REST API (/rest, cookie auth), as the editor uses it. */
export class N8nClient {
	constructor(url) {
		this.url = url;
		this.cookie = '';
	}

	async request(method, p, body, { expect = [200], raw = false } = {}) {
		const headers = { accept: 'application/json' };
		if (body !== undefined) headers['content-type'] = 'application/json';
		if (this.cookie) headers.cookie = this.cookie;
		// n8n checks the browser id bound to the auth cookie
		headers['browser-id'] = 'crewpass-scripts';
		const r = await fetch(this.url + p, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const setCookie = r.headers.getSetCookie?.() ?? [];
		for (const c of setCookie) {
			const m = /^(n8n-auth)=([^;]*)/.exec(c);
			if (m) this.cookie = `${m[1]}=${m[2]}`;
		}
		const text = await r.text();
		let json;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = undefined;
		}
		if (raw) return { status: r.status, json, text, headers: r.headers };
		if (!expect.includes(r.status)) {
			throw new Error(`${method} ${p} answered ${r.status}: ${text.slice(0, 600)}`);
		}
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	get(p, o) {
		return this.request('GET', p, undefined, o);
	}
	post(p, b, o) {
		return this.request('POST', p, b ?? {}, o);
	}
	patch(p, b, o) {
		return this.request('PATCH', p, b ?? {}, o);
	}
	delete(p, o) {
		return this.request('DELETE', p, undefined, o);
	}

	/** Creates the owner on a fresh instance, or logs in when one exists. */
	async ownerLogin({ email, password, firstName = 'Demo', lastName = 'Owner' }) {
		const settings = await this.get('/rest/settings');
		const needsSetup = settings?.userManagement?.showSetupOnFirstLoad;
		if (needsSetup) {
			await this.post('/rest/owner/setup', { email, password, firstName, lastName });
		}
		await this.post('/rest/login', { emailOrLdapLoginId: email, password });
		return { created: Boolean(needsSetup) };
	}
}
