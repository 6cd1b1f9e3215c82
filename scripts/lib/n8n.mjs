// @ts-check
// Shared by scripts/start.mjs (npm start) and scripts/e2e.mjs (npm run test:e2e):
// build + pack the package, install the tarball into an n8n user folder the way a user would,
// run a real n8n (from the cache made by scripts/n8n-install.mjs), and talk to its REST API.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
export const PACKAGE_NAME = PACKAGE.name;
export const NODE_TYPE = `${PACKAGE_NAME}.crewPass`;
export const TRIGGER_TYPE = `${PACKAGE_NAME}.crewPassTrigger`;
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
 * Installs the tarball into <userFolder>/.n8n/nodes the way n8n's docs tell a self-hosting user
 * to install a community package by hand (`cd ~/.n8n/nodes && npm install <package>`). n8n loads
 * every n8n-nodes-* package in that node_modules at start. Peer dependencies are not installed:
 * n8n-workflow must be n8n's own copy.
 */
export function installTarball(tgz, userFolder) {
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
	fs.rmSync(path.join(nodesDir, 'node_modules', PACKAGE_NAME), { recursive: true, force: true });
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
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (fs.lstatSync(installed).isSymbolicLink())
		throw new Error(`${installed} is a symlink, expected a copy`);
	return installed;
}

/** Environment for a local n8n on SQLite, loopback only, no phoning home. */
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
		...extra,
	});
	return env;
}

/**
 * Starts `n8n start`; resolves once /healthz/readiness answers 200. Output goes to logFile.
 * Returns { url, proc, stop() }.
 */
export async function startN8n({ install, env, port, logFile, tag = 'n8n', timeoutMs = 240_000 }) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'a');
	const proc = spawn(install.node, [install.n8nBin, 'start'], {
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
	const deadline = Date.now() + timeoutMs;
	let lastNote = 0;
	for (;;) {
		if (exited) {
			throw new Error(
				`n8n exited during start (${JSON.stringify(exited)}); log: ${logFile}\n${tail(logFile, 40)}`,
			);
		}
		try {
			const r = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
			if (r.status === 200) break;
		} catch {}
		if (Date.now() > deadline) {
			await stopProcess(proc);
			throw new Error(
				`n8n did not become ready in ${timeoutMs / 1000} s; log: ${logFile}\n${tail(logFile, 40)}`,
			);
		}
		if (Date.now() - lastNote > 15_000) {
			if (lastNote) log(tag, 'waiting for n8n to come up ...');
			lastNote = Date.now();
		}
		await sleep(500);
	}
	return {
		url,
		proc,
		stop: () => stopProcess(proc),
		get exited() {
			return exited;
		},
	};
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
