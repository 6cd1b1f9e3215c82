#!/usr/bin/env node
// @ts-check
// npm run test:ui: the editor a user clicks. Headless Chromium (Debian's package, installed on
// first use) drives a REAL n8n from the cache with this package installed from its `npm pack`
// tarball, against the local CrewPass sandbox, with the demo data `npm start` prepares. The tests
// in test/ui/*.ui.mjs check what the page shows and write the README's screenshots.
//
//   npm run test:ui
// Environment: CREWPASS_UI_DIR (n8n data, log, browser profile, failure screenshots; default
// <cache>/ui, wiped at the start of a run), CREWPASS_UI_SCREENSHOTS (docs/screenshots),
// CREWPASS_CHROMIUM (/usr/bin/chromium), CREWPASS_UI_TIMEOUT_MS (90000 per step), and the
// installer's CREWPASS_N8N_* variables.
import fs from 'node:fs';
import path from 'node:path';
import { after, describe } from 'node:test';
import { pathToFileURL } from 'node:url';

import { REPO, log } from './lib/n8n.mjs';
import { DEFAULT_DIR, ensureChromium, startWorld } from './ui/env.mjs';
import { launchBrowser } from './ui/browser.mjs';

const tag = 'ui';
const t0 = Date.now();
const DIR = DEFAULT_DIR;
const SHOTS = path.resolve(
	process.env.CREWPASS_UI_SCREENSHOTS || path.join(REPO, 'docs', 'screenshots'),
);
const timings = {};
const mark = (name, since) => {
	timings[name] = Math.round((Date.now() - since) / 100) / 10;
};

let world;
let browser;
let stopped = false;
async function stopAll() {
	if (stopped) return;
	stopped = true;
	await browser?.close();
	await world?.stop();
}
for (const sig of ['SIGINT', 'SIGTERM']) {
	process.on(sig, () => {
		log(tag, `${sig}: stopping`);
		stopAll().finally(() => process.exit(130));
	});
}
after(async () => {
	await stopAll();
	mark('total', t0);
	log(tag, `timings (s): ${JSON.stringify(timings)}`);
});

const ctx = { timings, shotsDir: SHOTS, dir: DIR };
try {
	let t = Date.now();
	log(tag, ensureChromium(tag));
	mark('chromium', t);
	t = Date.now();
	world = await startWorld({ dir: DIR, tag });
	mark('setup', t);
	t = Date.now();
	browser = await launchBrowser(DIR);
	mark('browser', t);
	fs.mkdirSync(SHOTS, { recursive: true });
	Object.assign(ctx, world, { page: browser.page, browser });
} catch (/** @type {any} */ e) {
	log(tag, `setup FAILED: ${e.stack || e.message}`);
	await stopAll();
	process.exit(1);
}

const files = fs
	.readdirSync(path.join(REPO, 'test', 'ui'))
	.filter((f) => f.endsWith('.ui.mjs'))
	.sort();

describe('n8n-nodes-crewpass in the n8n editor (Chromium)', { concurrency: 1 }, async () => {
	for (const f of files) {
		const mod = await import(pathToFileURL(path.join(REPO, 'test', 'ui', f)).href);
		mod.default(ctx);
	}
});
