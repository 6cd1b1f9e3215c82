#!/usr/bin/env node
// @ts-check
// Installs a pinned n8n and the Node.js it needs (>= 24) into a cache OUTSIDE the repo,
// once, and reuses it afterwards. Used by `npm start` and `npm run test:e2e`; runnable alone:
//   node scripts/n8n-install.mjs            (prints the paths as JSON on the last line)
// Environment:
//   CREWPASS_N8N_CACHE    cache folder (default ~/.cache/n8n-nodes-crewpass)
//   CREWPASS_N8N_VERSION  n8n version (default 2.41.1, falls back to 2.40.7 if it does not resolve)
//   CREWPASS_NODE_VERSION Node.js version from the npm registry (default 24.21.0)
// Traps handled (see shared notes): a plain `npm install n8n` fails in
// @confluentinc/kafka-javascript's native build, so install with --ignore-scripts and rebuild
// only sqlite3 (from source, against Node 24's headers). Heavy steps run under `nice`.
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

async function ensureN8n() {
	const ready = installedN8n();
	if (ready) return ready;
	return withLock('n8n', async () => {
		const again = installedN8n();
		if (again) return again;
		let lastErr;
		for (const version of N8N_VERSIONS) {
			const dir = n8nDir(version);
			try {
				fs.mkdirSync(dir, { recursive: true });
				fs.writeFileSync(
					path.join(dir, 'package.json'),
					JSON.stringify(
						{ name: 'crewpass-n8n-runtime', private: true, dependencies: { n8n: version } },
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
				say(
					`n8n@${version} installed (${countPackages(nm)} top-level packages); building sqlite3 for Node ${NODE_VERSION} (~90 s) ...`,
				);
				await run('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'], {
					cwd: dir,
					env: envWithNode24({ npm_config_build_from_source: 'true' }),
					progress: () => say('  ... compiling sqlite3'),
					quiet: true,
				});
				const check = spawnSync(nodeBin(), ['-e', "require('sqlite3'); console.log('ok')"], {
					cwd: dir,
					encoding: 'utf8',
				});
				if (check.stdout.trim() !== 'ok') throw new Error(`sqlite3 does not load: ${check.stderr}`);
				fs.writeFileSync(path.join(dir, '.complete'), new Date().toISOString());
				say(`n8n@${version} ready`);
				return version;
			} catch (/** @type {any} */ e) {
				lastErr = e;
				say(`n8n@${version} failed: ${String(e.message).split('\n')[0]}`);
				if (
					e.output &&
					/ETARGET|E404|notarget/i.test(e.output) &&
					version !== N8N_VERSIONS.at(-1)
				) {
					say('trying the next pinned version');
					fs.rmSync(dir, { recursive: true, force: true });
					continue;
				}
				throw e;
			}
		}
		throw lastErr;
	});
}

/** Ensures Node 24 + n8n are in the cache; returns the paths needed to run n8n. */
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
