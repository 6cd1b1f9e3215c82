// @ts-check
// The world `npm run test:ui` clicks in: Debian's Chromium (installed on first use), a real n8n
// from the cache with the packed tarball installed, the local CrewPass sandbox, and the demo
// data (owner, credential, example workflows) that `npm start` prepares. Everything it starts is
// stopped by the returned stop().
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { dataDir } from '../n8n-install.mjs';
import { REPO, N8nClient, launchN8n, log } from '../lib/n8n.mjs';
import { prepareDemo } from '../lib/demo.mjs';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.CREWPASS_CHROMIUM || '/usr/bin/chromium';

/**
 * Debian's chromium package, installed with apt-get when missing (as root; idempotent: nothing
 * happens when the binary is there). Returns the version line.
 */
export function ensureChromium(tag = 'ui') {
	const version = () => {
		const r = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' });
		return r.status === 0 ? r.stdout.trim() : undefined;
	};
	let v = fs.existsSync(CHROMIUM) ? version() : undefined;
	if (v) return v;
	if (process.getuid?.() !== 0) {
		throw new Error(
			`${CHROMIUM} is missing. Install Debian's chromium package (sudo apt-get install -y chromium) or set CREWPASS_CHROMIUM to a Chromium binary.`,
		);
	}
	const apt = (args) => {
		log(tag, `apt-get ${args.join(' ')} ...`);
		return spawnSync('nice', ['-n', '10', 'apt-get', ...args], {
			stdio: ['ignore', 'inherit', 'inherit'],
			env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
		}).status;
	};
	const install = ['install', '-y', '--no-install-recommends', 'chromium'];
	if (apt(install) !== 0) {
		// a fresh machine may have no package lists yet
		if (apt(['update']) !== 0 || apt(install) !== 0) {
			throw new Error('apt-get install chromium failed (see the output above)');
		}
	}
	v = version();
	if (!v) throw new Error(`${CHROMIUM} still does not run after apt-get install chromium`);
	return v;
}

/** Fresh n8n data in dir, the tarball installed, sandbox + n8n running, demo prepared. */
export async function startWorld({ dir, tag = 'ui' }) {
	const stops = [];
	const stop = async () => {
		for (const fn of stops.reverse()) {
			try {
				await fn();
			} catch (/** @type {any} */ e) {
				log(tag, `while stopping: ${e.message}`);
			}
		}
		stops.length = 0;
	};
	try {
		const { startSandbox } = require(path.join(REPO, 'sandbox', 'server.cjs'));
		const sandbox = await startSandbox({ port: 0 });
		stops.push(() => sandbox.stop());

		const launched = await launchN8n({ dir, tag, encryptionKey: 'crewpass-ui-' + Date.now() });
		stops.push(() => launched.stop());
		const { install, n8n, userFolder, logFile } = launched;

		const client = new N8nClient(n8n.url);
		const demo = await prepareDemo(client, { sandbox, userFolder, log: (m) => log(tag, m) });
		return { install, sandbox, n8n, client, demo, userFolder, logFile, stop };
	} catch (/** @type {any} */ e) {
		await stop();
		throw e;
	}
}

export const DEFAULT_DIR = path.resolve(process.env.CREWPASS_UI_DIR || dataDir('ui'));
