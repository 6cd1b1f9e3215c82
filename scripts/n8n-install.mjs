#!/usr/bin/env node
// @ts-check
// Installs a pinned n8n and the Node.js it needs into a cache OUTSIDE the repo, once per
// version (<cache>/n8n-<version>/, so several versions coexist), and reuses it afterwards. Used
// through scripts/lib/n8n.mjs by every script that starts n8n; runnable alone:
//   node scripts/n8n-install.mjs            (prints the paths as JSON on the last line)
//   CREWPASS_N8N_VERSION=1.123.81 node scripts/n8n-install.mjs
// Environment:
//   CREWPASS_N8N_CACHE    cache folder (default ~/.cache/n8n-nodes-crewpass)
//   CREWPASS_N8N_VERSION  n8n version (default 2.41.1, falls back to 2.40.7 if it does not resolve);
//                         docs/compatibility.md lists the versions the suites were run on
//   CREWPASS_NODE_VERSION Node.js version from the npm registry (default 24.21.0: it satisfies the
//                         engines of every n8n from 1.123 to 2.41)
// Each install writes install.json (timings, overrides) next to its .complete marker.
// Traps handled (see docs/compatibility.md): a plain `npm install n8n` fails in
// @confluentinc/kafka-javascript's native build, so install with --ignore-scripts and rebuild
// only sqlite3 (from source, against Node 24's headers); n8n 1.x pulls xlsx from a CDN tarball,
// replaced by the registry's xlsx through `overrides` (overridesFor). Heavy steps run under `nice`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = process.env.CREWPASS_NODE_VERSION || '24.21.0';
export const N8N_VERSIONS = process.env.CREWPASS_N8N_VERSION
	? [process.env.CREWPASS_N8N_VERSION]
	: ['2.41.1', '2.40.7'];
export const CACHE_DIR =
	process.env.CREWPASS_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-crewpass');

/**
 * <cache>/<name>, or <cache>/<name>-<version> when CREWPASS_N8N_VERSION is set, with -<mode>
 * appended when CREWPASS_N8N_SCHEDULER is durable or cursors: the data folders of runs on
 * different n8n versions or scheduler modes never meet (an n8n cannot open a database a newer
 * one migrated; a durable scheduler leaves its queue in the database) and such runs can go side
 * by side.
 */
export function dataDir(name) {
	const v = process.env.CREWPASS_N8N_VERSION;
	const mode = (process.env.CREWPASS_N8N_SCHEDULER || 'default').trim().toLowerCase();
	const base = v ? `${name}-${v}` : name;
	return path.join(CACHE_DIR, mode && mode !== 'default' ? `${base}-${mode}` : base);
}

const t0 = Date.now();
const secs = () => ((Date.now() - t0) / 1000).toFixed(0).padStart(4) + ' s';
const say = (msg) => process.stderr.write(`[n8n-install ${secs()}] ${msg}\n`);

function hasNice() {
	return process.platform !== 'win32' && spawnSync('nice', ['true']).status === 0;
}

/**
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, progress?: () => void, quiet?: boolean }} [options]
 * @returns {Promise<string>}
 */
function run(cmd, args, { cwd, env, progress, quiet } = {}) {
	const useNice = hasNice();
	const [c, a] = useNice ? ['nice', ['-n', '10', cmd, ...args]] : [cmd, args];
	return new Promise((resolve, reject) => {
		const child = spawn(c, a, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
		let out = '';
		const keep = (chunk) => {
			out += chunk;
			if (out.length > 200_000) out = out.slice(-100_000);
			if (!quiet) process.stderr.write(chunk.toString().replace(/^/gm, '    '));
		};
		child.stdout.on('data', keep);
		child.stderr.on('data', keep);
		const timer = progress ? setInterval(progress, 10_000) : undefined;
		child.on('error', reject);
		child.on('close', (code) => {
			if (timer) clearInterval(timer);
			if (code === 0) resolve(out);
			else {
				const err = /** @type {Error & { output?: string }} */ (
					new Error(`${cmd} ${args.join(' ')} exited with ${code}\n${out.slice(-4000)}`)
				);
				err.output = out;
				reject(err);
			}
		});
	});
}

function countPackages(nm) {
	let n = 0;
	try {
		for (const e of fs.readdirSync(nm)) {
			if (e.startsWith('.')) continue;
			if (e.startsWith('@')) {
				try {
					n += fs.readdirSync(path.join(nm, e)).length;
				} catch {}
			} else n++;
		}
	} catch {}
	return n;
}

function sizeMb(dir) {
	const r = spawnSync('du', ['-sm', dir], { encoding: 'utf8' });
	return r.status === 0 ? r.stdout.split(/\s/)[0] : '?';
}

async function withLock(name, fn) {
	fs.mkdirSync(CACHE_DIR, { recursive: true });
	const lock = path.join(CACHE_DIR, `${name}.lock`);
	let waited = 0;
	for (;;) {
		try {
			fs.mkdirSync(lock);
			fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
			break;
		} catch (/** @type {any} */ e) {
			if (e.code !== 'EEXIST') throw e;
			// stale lock: owner process gone
			let pid = 0;
			try {
				pid = Number(fs.readFileSync(path.join(lock, 'pid'), 'utf8'));
			} catch {}
			let alive = false;
			if (pid) {
				try {
					process.kill(pid, 0);
					alive = true;
				} catch {}
			}
			if (!alive && waited > 2000) {
				fs.rmSync(lock, { recursive: true, force: true });
				continue;
			}
			if (waited % 30000 === 0) say(`waiting for another install (${lock}) ...`);
			await new Promise((r) => setTimeout(r, 1000));
			waited += 1000;
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function nodePackageName() {
	const plat = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
	const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
	if (!plat || !arch) throw new Error(`No Node.js package for ${process.platform}/${process.arch}`);
	return `node-${plat}-${arch}`;
}

export function nodeDir() {
	return path.join(CACHE_DIR, `node-${NODE_VERSION}`);
}
export function nodeBin() {
	return path.join(nodeDir(), 'bin', 'node');
}

async function ensureNode() {
	const dir = nodeDir();
	if (fs.existsSync(path.join(dir, '.complete'))) return dir;
	return withLock('node', async () => {
		if (fs.existsSync(path.join(dir, '.complete'))) return dir;
		const pkg = `${nodePackageName()}@${NODE_VERSION}`;
		say(`downloading Node.js ${NODE_VERSION} from the npm registry (${pkg}) ...`);
		const tmp = `${dir}.tmp-${process.pid}`;
		fs.rmSync(tmp, { recursive: true, force: true });
		fs.mkdirSync(tmp, { recursive: true });
		const packOut = await run('npm', ['pack', pkg, '--silent', '--pack-destination', tmp], {
			cwd: tmp,
			quiet: true,
		});
		const tgz = path.join(tmp, /** @type {string} */ (packOut.trim().split('\n').pop()).trim());
		await run('tar', ['-xzf', tgz, '-C', tmp, '--strip-components=1'], { quiet: true });
		fs.rmSync(tgz, { force: true });
		const bin = path.join(tmp, 'bin', 'node');
		if (!fs.existsSync(bin)) throw new Error(`${pkg} has no bin/node`);
		fs.chmodSync(bin, 0o755);
		const v = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.trim();
		if (v !== `v${NODE_VERSION}`) throw new Error(`${bin} reports ${v}`);
		fs.writeFileSync(path.join(tmp, '.complete'), new Date().toISOString());
		fs.rmSync(dir, { recursive: true, force: true });
		fs.renameSync(tmp, dir);
		say(`Node.js ${v} ready in ${dir}`);
		return dir;
	});
}

export function n8nDir(version) {
	return path.join(CACHE_DIR, `n8n-${version}`);
}

function installedN8n() {
	for (const v of N8N_VERSIONS) {
		if (fs.existsSync(path.join(n8nDir(v), '.complete'))) return v;
	}
	return undefined;
}

function envWithNode24(extra = {}) {
	const bin = path.join(nodeDir(), 'bin');
	/** @type {NodeJS.ProcessEnv} */
	const env = { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}`, ...extra };
	// node-gyp must build against Node 24's headers (a user npmrc may point elsewhere)
	if (fs.existsSync(path.join(nodeDir(), 'include', 'node', 'node.h'))) {
		env.npm_config_nodedir = nodeDir();
	} else {
		delete env.npm_config_nodedir;
	}
	return env;
}

/** `npm view <spec> <field> --json`, parsed; undefined when the registry has no answer. */
async function npmView(spec, field) {
	try {
		const out = await run('npm', ['view', spec, field, '--json'], { quiet: true });
		return out.trim() ? JSON.parse(out) : undefined;
	} catch {
		return undefined;
	}
}

/**
 * npm `overrides` an n8n version needs to resolve from the npm registry alone. n8n-nodes-base of
 * the 1.x line (1.123 included) depends on `xlsx` as a tarball URL on cdn.sheetjs.com, which a
 * machine limited to the npm registry cannot fetch (npm install fails with ENOTFOUND); the
 * registry's own xlsx 0.18.5 has the same API (the Spreadsheet File / Extract From File nodes).
 * Detected from the dependency itself, not from a version list.
 */
export async function overridesFor(version) {
	const nodesBase = await npmView(`n8n@${version}`, 'dependencies.n8n-nodes-base');
	if (typeof nodesBase !== 'string') return {};
	const xlsx = await npmView(`n8n-nodes-base@${nodesBase}`, 'dependencies.xlsx');
	if (typeof xlsx === 'string' && /^(https?:|git)/.test(xlsx)) return { xlsx: '0.18.5' };
	return {};
}

/** How the cached install of `version` was made (install.json next to .complete), if known. */
export function installRecord(version) {
	try {
		return JSON.parse(fs.readFileSync(path.join(n8nDir(version), 'install.json'), 'utf8'));
	} catch {
		return undefined;
	}
}

async function installN8n(version) {
	const dir = n8nDir(version);
	const started = Date.now();
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	const overrides = await overridesFor(version);
	if (Object.keys(overrides).length)
		say(`n8n@${version} needs overrides ${JSON.stringify(overrides)}`);
	fs.writeFileSync(
		path.join(dir, 'package.json'),
		JSON.stringify(
			{
				name: 'crewpass-n8n-runtime',
				private: true,
				dependencies: { n8n: version },
				...(Object.keys(overrides).length ? { overrides } : {}),
			},
			null,
			2,
		),
	);
	const nm = path.join(dir, 'node_modules');
	say(`installing n8n@${version} into ${dir} (about 2.8 GB; 5-15 min, once) ...`);
	await run(
		'npm',
		[
			'install',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--no-update-notifier',
			'--loglevel=error',
		],
		{
			cwd: dir,
			env: envWithNode24(),
			progress: () => {
				const n = countPackages(nm);
				say(
					n
						? `  ... npm install: ${n} packages, ${sizeMb(nm)} MB of ~2,800 MB written`
						: '  ... npm install: resolving the dependency tree',
				);
			},
		},
	);
	const npmSeconds = Math.round((Date.now() - started) / 1000);
	say(
		`n8n@${version} installed (${countPackages(nm)} top-level packages, ${npmSeconds} s); building sqlite3 for Node ${NODE_VERSION} (~90 s) ...`,
	);
	const t = Date.now();
	const reused = reuseSqliteBuild(dir);
	if (reused) say(`reused the sqlite3 build of ${reused} (same sqlite3 version, same Node.js)`);
	else {
		await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'], {
			cwd: dir,
			env: envWithNode24({ npm_config_build_from_source: 'true' }),
			progress: () => say('  ... compiling sqlite3'),
			quiet: true,
		});
	}
	if (!sqliteLoads(dir)) throw new Error(`sqlite3 does not load in ${dir}`);
	const n8nPkg = JSON.parse(fs.readFileSync(path.join(nm, 'n8n', 'package.json'), 'utf8'));
	const record = {
		version,
		installed: new Date().toISOString(),
		npmInstallSeconds: npmSeconds,
		sqliteBuildSeconds: Math.round((Date.now() - t) / 1000),
		sqliteBuildReusedFrom: reused,
		totalSeconds: Math.round((Date.now() - started) / 1000),
		sizeMb: Number(sizeMb(nm)) || undefined,
		overrides,
		nodeVersion: NODE_VERSION,
		n8nEngines: n8nPkg.engines?.node,
		loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 10) / 10),
		cpus: os.cpus().length,
	};
	fs.writeFileSync(path.join(dir, 'install.json'), JSON.stringify(record, null, 2) + '\n');
	fs.writeFileSync(path.join(dir, '.complete'), record.installed);
	say(`n8n@${version} ready (${record.totalSeconds} s)`);
	return version;
}

function sqliteLoads(dir) {
	const check = spawnSync(nodeBin(), ['-e', "require('sqlite3'); console.log('ok')"], {
		cwd: dir,
		encoding: 'utf8',
	});
	return check.stdout.trim() === 'ok';
}

/**
 * Compiling sqlite3 from source takes 2-4 min per install; another cached n8n with the same
 * sqlite3 version, built for the same Node.js, has the very same binary. Copies its build/ and
 * returns that install's folder name, or undefined (then it is compiled).
 */
function reuseSqliteBuild(dir) {
	const version = (d) => {
		try {
			return JSON.parse(
				fs.readFileSync(path.join(d, 'node_modules', 'sqlite3', 'package.json'), 'utf8'),
			).version;
		} catch {
			return undefined;
		}
	};
	const want = version(dir);
	if (!want) return undefined;
	for (const name of fs.readdirSync(CACHE_DIR)) {
		const other = path.join(CACHE_DIR, name);
		if (other === dir || !name.startsWith('n8n-') || !fs.existsSync(path.join(other, '.complete')))
			continue;
		const rec = installRecord(name.slice(4));
		if (rec?.nodeVersion !== NODE_VERSION || version(other) !== want) continue;
		const build = path.join(other, 'node_modules', 'sqlite3', 'build');
		if (!fs.existsSync(build)) continue;
		const target = path.join(dir, 'node_modules', 'sqlite3', 'build');
		fs.rmSync(target, { recursive: true, force: true });
		fs.cpSync(build, target, { recursive: true });
		if (sqliteLoads(dir)) return name;
		fs.rmSync(target, { recursive: true, force: true });
	}
	return undefined;
}

/** Why an install failed, in one line: the resolver's own words (missing package@version, host). */
export function installFailureCause(output = '') {
	const notarget = /No matching version found for (\S+)/.exec(output);
	if (notarget) return `the registry has no ${notarget[1].replace(/\.$/, '')} (ETARGET)`;
	const e404 =
		/404 Not Found - GET \S+ - (?:\S+ )?'?([^'\s]+)'?/.exec(output) ??
		/E404[^\n]*'([^']+)'/.exec(output);
	if (e404) return `the registry has no ${e404[1]} (E404)`;
	const host = /(ENOTFOUND|ECONNREFUSED|ETIMEDOUT)[^\n]*?(?:request to )?(https?:\/\/\S+)?/.exec(
		output,
	);
	if (host) return `${host[1]}${host[2] ? ` fetching ${host[2]}` : ''}`;
	const eresolve = /ERESOLVE[^\n]*\n[^\n]*\n?[^\n]*/.exec(output);
	if (eresolve) return eresolve[0].replace(/\s+/g, ' ').slice(0, 300);
	return undefined;
}

async function ensureN8n() {
	const ready = installedN8n();
	if (ready) return ready;
	let lastErr;
	for (const version of N8N_VERSIONS) {
		try {
			// one lock per version: installs of different versions may run side by side
			return await withLock(`n8n-${version}`, async () => {
				if (fs.existsSync(path.join(n8nDir(version), '.complete'))) return version;
				return await installN8n(version);
			});
		} catch (/** @type {any} */ e) {
			lastErr = e;
			const cause = installFailureCause(e.output);
			say(`n8n@${version} failed: ${cause ?? String(e.message).split('\n')[0]}`);
			if (cause) e.message = `n8n@${version} does not install: ${cause}\n${e.message}`;
			fs.rmSync(n8nDir(version), { recursive: true, force: true });
			if (e.output && /ETARGET|E404|notarget/i.test(e.output) && version !== N8N_VERSIONS.at(-1)) {
				say('trying the next pinned version');
				continue;
			}
			throw e;
		}
	}
	throw lastErr;
}

/**
 * Ensures Node 24 + the n8n of CREWPASS_N8N_VERSION are in the cache (one folder per version, so
 * several versions coexist); returns the paths needed to run it.
 */
export async function ensureN8nInstalled() {
	await ensureNode();
	const version = await ensureN8n();
	const dir = n8nDir(version);
	return {
		cacheDir: CACHE_DIR,
		node: nodeBin(),
		nodeVersion: NODE_VERSION,
		n8nVersion: version,
		n8nDir: dir,
		n8nBin: path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n'),
		n8nModules: path.join(dir, 'node_modules'),
		installRecord: installRecord(version),
	};
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
	ensureN8nInstalled().then(
		(info) => {
			say(`done`);
			process.stdout.write(JSON.stringify(info) + '\n');
		},
		(e) => {
			say(`FAILED: ${e.message}`);
			process.exit(1);
		},
	);
}
