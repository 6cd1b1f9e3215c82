#!/usr/bin/env node
// @ts-check
// npm run test:e2e: the end-to-end suite against a REAL n8n (installed by scripts/n8n-install.mjs)
// with this package installed from its `npm pack` tarball, and the local CrewPass sandbox.
// One n8n and one sandbox for the whole run (fresh data every run under
// ~/.cache/n8n-nodes-crewpass/e2e/, or e2e-<version>/ with CREWPASS_N8N_VERSION); the test
// files in test/e2e/*.e2e.mjs (every one there, a new polling.e2e.mjs too) are node:test suites
// sharing that context.
//
//   npm run test:e2e                      all suites
//   npm run test:e2e -- trigger secrets   only test/e2e/{trigger,secrets}.e2e.mjs (setup always runs)
// n8n's data folder and log stay there after the run for inspection (wiped at the next run).
//   CREWPASS_N8N_VERSION=1.123.81 npm run test:e2e   the same suites on another n8n (docs/compatibility.md)
//   CREWPASS_N8N_SCHEDULER=durable npm run test:e2e  n8n's durable scheduler (polls included);
//     =cursors adds durable poll cursors; CREWPASS_N8N_POLL_TIMEOUT=10 sets its poll timeout (s).
//     Suites read the mode from context.scheduler / context.pollTimeoutSeconds.
// Environment: CREWPASS_E2E_DIR (<cache>/e2e[-<version>][-<mode>]); the installer's CREWPASS_N8N_*
// variables.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, describe } from 'node:test';
import { pathToFileURL } from 'node:url';

import { dataDir } from './n8n-install.mjs';
import { REPO, N8nClient, launchN8n, log, pollTimeoutSeconds, schedulerMode } from './lib/n8n.mjs';
import { OWNER, prepareDemo } from './lib/demo.mjs';
import { context } from '../test/e2e/context.mjs';

const require = createRequire(import.meta.url);
const tag = 'e2e';
const t0 = Date.now();
const DIR = path.resolve(process.env.CREWPASS_E2E_DIR || dataDir('e2e'));
const only = process.argv.slice(2);

const timings = {};
const secs = (ms) => Math.round(ms / 100) / 10;
const mark = (name, since) => {
	timings[name] = secs(Date.now() - since);
};

let teardown = async () => {};
after(async () => {
	await teardown();
	mark('total', t0);
	log(tag, `timings (s): ${JSON.stringify(timings)}`);
});

// CREWPASS_N8N_SCHEDULER=default|durable|cursors, CREWPASS_N8N_POLL_TIMEOUT=<s> (scripts/lib/n8n.mjs)
const scheduler = schedulerMode();

async function setup() {
	log(
		tag,
		`scheduler: ${scheduler}${pollTimeoutSeconds() ? `, poll timeout ${pollTimeoutSeconds()} s` : ''}`,
	);
	const { startSandbox } = require(path.join(REPO, 'sandbox', 'server.cjs'));
	const launched = await launchN8n({
		dir: DIR,
		tag,
		encryptionKey: 'crewpass-e2e-' + Date.now(),
		logLevel: 'debug',
	});
	Object.assign(timings, {
		n8nInstall: secs(launched.timings.installMs),
		buildPackInstall: secs(launched.timings.buildPackInstallMs),
		n8nStart: secs(launched.timings.startMs),
	});
	const sandbox = await startSandbox({ port: 0, webhookBaseDelayMs: 200, rateLimit: true });

	teardown = async () => {
		await launched.stop();
		await sandbox.stop();
	};

	const t = Date.now();
	const client = new N8nClient(launched.url);
	const demo = await prepareDemo(client, {
		sandbox,
		userFolder: launched.userFolder,
		testing: true,
		log: (m) => log(tag, m),
	});
	mark('prepare', t);

	/**
	 * Stops n8n (SIGTERM, as a service manager would) and starts it again on the same data folder,
	 * port and log, then logs in again. Returns { stopMs, startMs } (start: until the REST API
	 * answers). `whileDown` runs after n8n has exited and before it starts again (its time counts
	 * in stopMs): a change made while n8n is down.
	 * @param {{ whileDown?: () => unknown }} [options]
	 */
	const restartN8n = async ({ whileDown } = {}) => {
		if (whileDown) {
			const running = launched.n8n;
			const stop = running.stop;
			running.stop = async () => {
				await stop();
				await whileDown();
			};
		}
		const r = await launched.restart();
		context.n8n = launched.n8n;
		await client.ownerLogin(OWNER);
		return r;
	};

	Object.assign(context, {
		install: launched.install,
		n8nVersion: launched.install.n8nVersion,
		scheduler,
		pollTimeoutSeconds: pollTimeoutSeconds(),
		features: demo.features,
		restartN8n,
		sandbox,
		n8n: launched.n8n,
		client,
		demo,
		userFolder: launched.userFolder,
		logFile: launched.logFile,
		dbFile: launched.dbFile,
		installedDir: launched.installedDir,
		tarball: launched.tarball,
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
	// the suites that restart n8n (both-triggers, polling, restart) after the other suites (they
	// share one n8n process); secrets last: it reads everything the other suites left in n8n's
	// data and logs
	if (f.startsWith('secrets')) return 2;
	return ['both-triggers', 'polling', 'restart'].some((s) => f.startsWith(s)) ? 1 : 0;
}

const tSuites = Date.now();
describe('n8n-nodes-crewpass in a real n8n', { concurrency: 1 }, async () => {
	for (const f of files) {
		const mod = await import(pathToFileURL(path.join(REPO, 'test', 'e2e', f)).href);
		mod.default(context);
	}
	after(() => mark('suites', tSuites));
});
