#!/usr/bin/env node
// @ts-check
// npm run test:e2e: the end-to-end suite against a REAL n8n (installed by scripts/n8n-install.mjs)
// with this package installed from its `npm pack` tarball, and the local CrewPass sandbox.
// One n8n and one sandbox for the whole run (fresh data every run under ~/.cache/n8n-nodes-crewpass/e2e/); the test
// files in test/e2e/*.e2e.mjs are node:test suites sharing that context.
//
//   npm run test:e2e                      all suites
//   npm run test:e2e -- trigger secrets   only test/e2e/{trigger,secrets}.e2e.mjs (setup always runs)
// n8n's data folder and log stay in ~/.cache/n8n-nodes-crewpass/e2e/ after the run for inspection (wiped at the next run).
// Environment: CREWPASS_E2E_DIR (<cache>/e2e); the installer's CREWPASS_N8N_* variables.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, describe } from 'node:test';
import { pathToFileURL } from 'node:url';

import { CACHE_DIR, ensureN8nInstalled } from './n8n-install.mjs';
import {
	REPO,
	N8nClient,
	buildAndPack,
	freePort,
	installTarball,
	log,
	n8nEnv,
	startN8n,
} from './lib/n8n.mjs';
import { OWNER, prepareDemo } from './lib/demo.mjs';
import { context } from '../test/e2e/context.mjs';

const require = createRequire(import.meta.url);
const tag = 'e2e';
const t0 = Date.now();
const DIR = path.resolve(process.env.CREWPASS_E2E_DIR || path.join(CACHE_DIR, 'e2e'));
const only = process.argv.slice(2);

const timings = {};
const mark = (name, since) => {
	timings[name] = Math.round((Date.now() - since) / 100) / 10;
};

let teardown = async () => {};
after(async () => {
	await teardown();
	mark('total', t0);
	log(tag, `timings (s): ${JSON.stringify(timings)}`);
});

async function setup() {
	let t = Date.now();
	const install = await ensureN8nInstalled();
	mark('n8nInstall', t);
	log(tag, `n8n ${install.n8nVersion} on Node ${install.nodeVersion}`);

	fs.rmSync(DIR, { recursive: true, force: true });
	const userFolder = path.join(DIR, 'n8n');
	fs.mkdirSync(path.join(userFolder, 'files'), { recursive: true });

	t = Date.now();
	const tgz = buildAndPack(path.join(DIR, 'pack'));
	const installedDir = installTarball(tgz, userFolder);
	mark('buildPackInstall', t);
	log(tag, `installed ${path.basename(tgz)} into ${installedDir}`);

	const { startSandbox } = require(path.join(REPO, 'sandbox', 'server.cjs'));
	const sandbox = await startSandbox({ port: 0, webhookBaseDelayMs: 200, rateLimit: true });

	const port = await freePort();
	const brokerPort = await freePort();
	const env = n8nEnv({
		userFolder,
		port,
		brokerPort,
		encryptionKey: 'crewpass-e2e-' + Date.now(),
		logLevel: 'debug',
	});
	const logFile = path.join(DIR, 'n8n.log');
	t = Date.now();
	let n8n = await startN8n({ install, env, port, logFile, tag });
	mark('n8nStart', t);
	log(tag, `n8n up on ${n8n.url} (log ${logFile})`);

	teardown = async () => {
		await n8n.stop();
		await sandbox.stop();
	};

	t = Date.now();
	const client = new N8nClient(n8n.url);
	const demo = await prepareDemo(client, { sandbox, userFolder, log: (m) => log(tag, m) });
	mark('prepare', t);

	/**
	 * Stops n8n (SIGTERM, as a service manager would) and starts it again on the same data folder,
	 * port and log, then logs in again. Returns { stopMs, startMs } (start: until /healthz/readiness).
	 */
	const restartN8n = async () => {
		const t1 = Date.now();
		await n8n.stop();
		const t2 = Date.now();
		n8n = await startN8n({ install, env, port, logFile, tag });
		context.n8n = n8n;
		await client.ownerLogin(OWNER);
		return { stopMs: t2 - t1, startMs: Date.now() - t2 };
	};

	Object.assign(context, {
		install,
		restartN8n,
		sandbox,
		n8n,
		client,
		demo,
		userFolder,
		logFile,
		dbFile: path.join(userFolder, '.n8n', 'database.sqlite'),
		installedDir,
		tarball: tgz,
		workflows: Object.fromEntries(demo.workflows.map((w) => [w.key, w])),
		timings,
	});
}

try {
	await setup();
} catch (/** @type {any} */ e) {
	log(tag, `setup FAILED: ${e.stack || e.message}`);
	await teardown().catch(() => {});
	process.exit(1);
}

const files = fs
	.readdirSync(path.join(REPO, 'test', 'e2e'))
	.filter((f) => f.endsWith('.e2e.mjs'))
	.sort((a, b) => order(a) - order(b) || a.localeCompare(b))
	.filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)));

function order(f) {
	// restart after the other suites (they share one n8n process); secrets last: it reads
	// everything the other suites left in n8n's data and logs
	if (f.startsWith('secrets')) return 2;
	return f.startsWith('restart') ? 1 : 0;
}

const tSuites = Date.now();
describe('n8n-nodes-crewpass in a real n8n', { concurrency: 1 }, async () => {
	for (const f of files) {
		const mod = await import(pathToFileURL(path.join(REPO, 'test', 'e2e', f)).href);
		mod.default(context);
	}
	after(() => mark('suites', tSuites));
});
