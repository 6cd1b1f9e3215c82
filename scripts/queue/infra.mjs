// @ts-check
// The engines a queue-mode n8n runs on, for `npm run test:queue`: Debian's packages (installed
// once), a throw-away PostgreSQL cluster, Redis without persistence and nginx, each on a free
// loopback port with everything under one temp folder. Every start returns a stop(); the caller
// stops them all in a finally block.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { freePort, log, portInUse, sleep, stopProcess, tail } from '../lib/n8n.mjs';

const TAG = 'queue';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function which(cmd) {
	const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : '';
}

/** The PostgreSQL server binaries (initdb, pg_ctl, postgres) of the newest installed version. */
export function pgBinDir() {
	const base = '/usr/lib/postgresql';
	let versions = [];
	try {
		versions = fs
			.readdirSync(base)
			.filter((v) => fs.existsSync(path.join(base, v, 'bin', 'initdb')))
			.sort((a, b) => Number(b) - Number(a));
	} catch {}
	if (versions.length) return path.join(base, versions[0], 'bin');
	const initdb = which('initdb');
	return initdb ? path.dirname(initdb) : '';
}

function missingPackages() {
	const missing = [];
	if (!which('redis-server')) missing.push('redis-server');
	if (!which('nginx') && !fs.existsSync('/usr/sbin/nginx')) missing.push('nginx');
	if (!pgBinDir()) missing.push('postgresql');
	return missing;
}

/**
 * apt-get install what is missing (redis-server, postgresql, nginx); nothing when all are there.
 * Debian starts a package's service on install; a temporary policy-rc.d (exit 101) stops that,
 * so the install leaves no system Redis/PostgreSQL/nginx running. Returns { installed, ms }.
 */
export function ensurePackages() {
	const t = Date.now();
	const missing = missingPackages();
	if (!missing.length) return { installed: [], ms: 0 };
	if (!isRoot) {
		throw new Error(
			`test:queue needs ${missing.join(', ')}: run as root, or install them first ` +
				`(sudo apt-get install -y ${missing.join(' ')})`,
		);
	}
	log(TAG, `apt-get install ${missing.join(' ')} (once) ...`);
	const policy = '/usr/sbin/policy-rc.d';
	const ownPolicy = !fs.existsSync(policy);
	if (ownPolicy) fs.writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
	try {
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		const apt = (args) =>
			spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=600', '-q', ...args], {
				env,
				encoding: 'utf8',
				maxBuffer: 64 * 1024 * 1024,
			});
		let r = apt(['install', '-y', '--no-install-recommends', ...missing]);
		if (r.status !== 0) {
			// a new machine may have no package lists yet
			apt(['update']);
			r = apt(['install', '-y', '--no-install-recommends', ...missing]);
		}
		if (r.status !== 0)
			throw new Error(`apt-get install ${missing.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
	} finally {
		if (ownPolicy) fs.rmSync(policy, { force: true });
	}
	const still = missingPackages();
	if (still.length) throw new Error(`still missing after apt-get install: ${still.join(', ')}`);
	return { installed: missing, ms: Date.now() - t };
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ logFile: string, uid?: number, gid?: number, env?: NodeJS.ProcessEnv, cwd?: string }} options
 */
function spawnLogged(cmd, args, { logFile, uid, gid, env, cwd }) {
	const out = fs.openSync(logFile, 'a');
	const proc = spawn(cmd, args, {
		stdio: ['ignore', out, out],
		detached: true,
		uid,
		gid,
		env: env ?? process.env,
		cwd,
	});
	fs.closeSync(out);
	return proc;
}

async function waitPort(port, proc, what, logFile, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	while (!(await portInUse(port))) {
		if (proc.exitCode !== null || proc.signalCode !== null)
			throw new Error(`${what} exited during start:\n${tail(logFile, 30)}`);
		if (Date.now() > deadline) throw new Error(`${what} did not listen on ${port}`);
		await sleep(100);
	}
}

/** The uid/gid PostgreSQL runs as: ourselves, or the `postgres` user when we are root. */
function pgUser() {
	if (!isRoot) return {};
	const r = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
	const g = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
	if (r.status !== 0)
		throw new Error('running as root but there is no `postgres` user to run PostgreSQL as');
	return { uid: Number(r.stdout.trim()), gid: Number(g.stdout.trim()) };
}

/**
 * initdb + postgres in <dir>/pg (trust auth, loopback TCP on a free port, its unix socket in the
 * same folder), then creates the databases named in `databases`. Returns { port, host, user, stop }.
 */
export async function startPostgres(dir, { databases = ['n8n'] } = {}) {
	const bin = pgBinDir();
	const data = path.join(dir, 'pg', 'data');
	const sock = path.join(dir, 'pg', 'sock');
	fs.mkdirSync(data, { recursive: true });
	fs.mkdirSync(sock, { recursive: true });
	const { uid, gid } = pgUser();
	if (uid !== undefined) {
		fs.chmodSync(dir, 0o755);
		for (const p of [path.join(dir, 'pg'), data, sock]) fs.chownSync(p, uid, gid);
	}
	const logFile = path.join(dir, 'pg', 'postgres.log');
	fs.writeFileSync(logFile, '');
	if (uid !== undefined) fs.chownSync(logFile, uid, gid);
	const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
	const r = spawnSync(
		path.join(bin, 'initdb'),
		['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync'],
		{ uid, gid, env, encoding: 'utf8', cwd: '/' },
	);
	if (r.status !== 0) throw new Error(`initdb failed:\n${r.stdout}\n${r.stderr}`);
	const port = await freePort();
	const proc = spawnLogged(
		path.join(bin, 'postgres'),
		[
			'-D',
			data,
			'-p',
			String(port),
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			`unix_socket_directories=${sock}`,
			'-c',
			'fsync=off',
			'-c',
			'synchronous_commit=off',
			'-c',
			'full_page_writes=off',
			'-c',
			'max_connections=200',
		],
		{ logFile, uid, gid, env, cwd: '/' },
	);
	await waitPort(port, proc, 'postgres', logFile);
	// accepting TCP is not yet accepting queries
	const psql = (sql, db = 'postgres') =>
		spawnSync(
			path.join(bin, 'psql'),
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'postgres',
				'-d',
				db,
				'-v',
				'ON_ERROR_STOP=1',
				'-qAtc',
				sql,
			],
			{ encoding: 'utf8', env },
		);
	const deadline = Date.now() + 30_000;
	while (psql('select 1').status !== 0) {
		if (Date.now() > deadline) throw new Error(`postgres does not answer:\n${tail(logFile, 30)}`);
		await sleep(200);
	}
	for (const db of databases) {
		const c = psql(`create database "${db}"`);
		if (c.status !== 0) throw new Error(`create database ${db}: ${c.stderr}`);
	}
	return {
		host: '127.0.0.1',
		port,
		user: 'postgres',
		password: '',
		logFile,
		psql,
		proc,
		stop: () => stopProcess(proc, 15_000),
	};
}

/** redis-server on a free loopback port, no RDB/AOF persistence. Returns { host, port, stop }. */
export async function startRedis(dir) {
	const port = await freePort();
	const rdir = path.join(dir, 'redis');
	fs.mkdirSync(rdir, { recursive: true });
	const logFile = path.join(rdir, 'redis.log');
	const proc = spawnLogged(
		which('redis-server') || '/usr/bin/redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			rdir,
			'--daemonize',
			'no',
			'--protected-mode',
			'yes',
		],
		{ logFile },
	);
	await waitPort(port, proc, 'redis-server', logFile);
	return { host: '127.0.0.1', port, logFile, proc, stop: () => stopProcess(proc, 10_000) };
}

/**
 * nginx in front of the webhook processes: one server block per upstream kind.
 *   hash: `hash $http_x_crewpass_event_id consistent` (every copy of an event to one process)
 *   rr:   round robin (nginx's default)
 * The access log records which upstream served each event id. Returns { urls: {hash, rr}, stop, accessLog }.
 */
export async function startNginx(dir, upstreams) {
	const ndir = path.join(dir, 'nginx');
	fs.mkdirSync(ndir, { recursive: true });
	for (const t of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
		fs.mkdirSync(path.join(ndir, t), { recursive: true, mode: 0o777 });
	const hashPort = await freePort();
	const rrPort = await freePort();
	const accessLog = path.join(ndir, 'access.log');
	const servers = upstreams.map((u) => `server ${u};`).join(' ');
	// max_fails=0: a slow or failing process is never taken out of the hash ring, so a
	// transient error cannot move an event's later copies to another process (nginx's default,
	// max_fails=1 fail_timeout=10s, did exactly that under load: measured)
	const pinned = upstreams.map((u) => `server ${u} max_fails=0;`).join(' ');
	const location = (up, extra = '') => `location / {
      proxy_pass http://${up};${extra}
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
    }`;
	const conf = `${isRoot ? 'user root root;' : ''}
worker_processes 1;
daemon off;
pid ${ndir}/nginx.pid;
error_log ${ndir}/error.log warn;
events { worker_connections 2048; }
http {
  client_body_temp_path ${ndir}/body;
  proxy_temp_path ${ndir}/proxy;
  fastcgi_temp_path ${ndir}/fastcgi;
  uwsgi_temp_path ${ndir}/uwsgi;
  scgi_temp_path ${ndir}/scgi;
  log_format crewpass '$server_port $http_x_crewpass_event_id $upstream_addr $status';
  access_log ${accessLog} crewpass;
  upstream n8n_webhooks_by_event {
    hash $http_x_crewpass_event_id consistent;
    ${pinned}
    keepalive 32;
  }
  upstream n8n_webhooks_rr {
    ${servers}
    keepalive 32;
  }
  server { listen 127.0.0.1:${hashPort}; ${location('n8n_webhooks_by_event', '\n      proxy_next_upstream off;')} }
  server { listen 127.0.0.1:${rrPort}; ${location('n8n_webhooks_rr')} }
}
`;
	const confFile = path.join(ndir, 'nginx.conf');
	fs.writeFileSync(confFile, conf);
	const nginx = which('nginx') || '/usr/sbin/nginx';
	const logFile = path.join(ndir, 'nginx.out');
	const check = spawnSync(nginx, ['-t', '-q', '-p', ndir, '-c', confFile], { encoding: 'utf8' });
	if (check.status !== 0) throw new Error(`nginx -t: ${check.stderr}`);
	const proc = spawnLogged(nginx, ['-p', ndir, '-c', confFile], { logFile });
	await waitPort(hashPort, proc, 'nginx', logFile);
	await waitPort(rrPort, proc, 'nginx', logFile);
	return {
		urls: { hash: `http://127.0.0.1:${hashPort}`, rr: `http://127.0.0.1:${rrPort}` },
		ports: { hash: hashPort, rr: rrPort },
		conf,
		confFile,
		accessLog,
		proc,
		// nginx's master exits on SIGTERM (fast shutdown) and takes its worker with it
		stop: () => stopProcess(proc, 10_000),
	};
}

/** Lines of the nginx access log for one listen port: [{ port, eventId, upstream, status }]. */
export function readAccessLog(file, port) {
	let text = '';
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch {}
	return text
		.split('\n')
		.filter(Boolean)
		.map((l) => {
			const [p, eventId, upstream, status] = l.split(' ');
			return { port: Number(p), eventId, upstream, status: Number(status) };
		})
		.filter((e) => !port || e.port === port);
}
