#!/usr/bin/env node
// @ts-check
// npm start: a real n8n with this package installed from its tarball, the local CrewPass sandbox,
// a ready credential, the example workflows imported and the trigger workflows published.
// Ctrl-C stops everything it started.
//
// Environment (all optional):
//   CREWPASS_N8N_PORT (5678)  CREWPASS_SANDBOX_PORT (4010)  CREWPASS_FANOUT_PORT (4011)
//   CREWPASS_RUNNERS_PORT (5679)  CREWPASS_START_DIR (<cache>/start[-<version>])  CREWPASS_RESET=1 (fresh n8n data)
//   CREWPASS_N8N_CACHE, CREWPASS_N8N_VERSION, CREWPASS_NODE_VERSION (see scripts/n8n-install.mjs)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

import { dataDir } from './n8n-install.mjs';
import { startFanout } from './lib/fanout.mjs';
import { REPO, N8nClient, launchN8n, log, portInUse } from './lib/n8n.mjs';
import { CREDENTIAL_NAME, OWNER, prepareDemo } from './lib/demo.mjs';

const require = createRequire(import.meta.url);
const tag = 'start';
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

const N8N_PORT = Number(process.env.CREWPASS_N8N_PORT || 5678);
const SANDBOX_PORT = Number(process.env.CREWPASS_SANDBOX_PORT || 4010);
const FANOUT_PORT = Number(process.env.CREWPASS_FANOUT_PORT || 4011);
const RUNNERS_PORT = Number(process.env.CREWPASS_RUNNERS_PORT || 5679);
// one data folder per n8n version asked for: an n8n cannot open a database a newer one migrated
const STATE = path.resolve(process.env.CREWPASS_START_DIR || dataDir('start'));
const USER_FOLDER = path.join(STATE, 'n8n');

const cleanup = [];
let stopping = false;
async function stopAll(code) {
	if (stopping) return;
	stopping = true;
	log(tag, 'stopping ...');
	for (const fn of cleanup.reverse()) {
		try {
			await fn();
		} catch (/** @type {any} */ e) {
			log(tag, `while stopping: ${e.message}`);
		}
	}
	log(tag, 'stopped');
	process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

async function main() {
	for (const [name, port] of [
		['n8n', N8N_PORT],
		['sandbox', SANDBOX_PORT],
		['fan-out', FANOUT_PORT],
		['n8n task runner broker', RUNNERS_PORT],
	]) {
		if (await portInUse(port)) {
			throw new Error(
				`port ${port} (${name}) is already in use: is another npm start running? Set CREWPASS_${name === 'n8n' ? 'N8N' : name === 'sandbox' ? 'SANDBOX' : name === 'fan-out' ? 'FANOUT' : 'RUNNERS'}_PORT to use another port.`,
			);
		}
	}

	log(tag, 'checking the n8n install (the first run downloads Node 24 and n8n: 5-15 min) ...');
	if (process.env.CREWPASS_RESET === '1') fs.rmSync(USER_FOLDER, { recursive: true, force: true });

	const { startSandbox } = require(path.join(REPO, 'sandbox', 'server.cjs'));
	const sandbox = await startSandbox({ port: SANDBOX_PORT });
	cleanup.push(() => sandbox.stop());
	log(tag, `sandbox on ${sandbox.url}`);

	log(tag, 'building and packing the package (npm run build, npm pack), starting n8n ...');
	const launched = await launchN8n({
		dir: STATE,
		fresh: false, // keep n8n's data between runs (CREWPASS_RESET=1 wipes it)
		tag,
		port: N8N_PORT,
		brokerPort: RUNNERS_PORT,
		encryptionKey: encryptionKey(),
	});
	const n8n = launched.n8n;
	const logFile = launched.logFile;
	cleanup.push(() => launched.stop());
	log(
		tag,
		`installed ${path.basename(launched.tarball)} into ${launched.installedDir.startsWith(REPO) ? path.relative(REPO, launched.installedDir) : launched.installedDir}`,
	);
	n8n.proc.on('exit', (code, signal) => {
		if (!stopping) {
			log(tag, `n8n exited unexpectedly (${code ?? signal}); see ${logFile}`);
			stopAll(1);
		}
	});
	log(tag, `n8n is up on ${n8n.url}`);

	const client = new N8nClient(n8n.url);
	const demo = await prepareDemo(client, {
		sandbox,
		userFolder: USER_FOLDER,
		log: (m) => log(tag, m),
	});

	const targets = demo.workflows.filter((w) => w.webhookUrl).map((w) => w.webhookUrl);
	const fanout = await startFanout({ port: FANOUT_PORT, targets });
	cleanup.splice(1, 0, () => fanout.stop()); // stop before the sandbox
	const mainPartner = sandbox.partners().find((p) => p.api_key === sandbox.keys.management);
	sandbox.webhooks.subscribe(mainPartner.partner_id, { url: fanout.url });

	const fx = sandbox.fixtures;
	const byKey = Object.fromEntries(demo.workflows.map((w) => [w.key, w]));
	const line = '─'.repeat(78);
	process.stdout.write(`
${line}
 n8n ${launched.install.n8nVersion} with n8n-nodes-crewpass is ready (${elapsed()})

 Editor      ${n8n.url}/
 Login       ${OWNER.email}  /  ${OWNER.password}
 Credential  "${CREDENTIAL_NAME}" → the local CrewPass sandbox ${sandbox.url}
 Sandbox     ${sandbox.url}/_sandbox/  (partner ${mainPartner.partner_id}, ${mainPartner.crew_count} crew, key ${mask(sandbox.keys.management)})
 Webhooks    sandbox partner → ${fanout.url} → both published triggers:
${targets.map((t) => `               ${t}`).join('\n')}

 Workflows
${demo.workflows.map((w) => (w.skipped ? `   ✕ skipped    ${w.name}: ${w.skipped}` : `   ${w.active ? '● published' : '○ manual   '}  ${w.name}   ${n8n.url}/workflow/${w.id}`)).join('\n')}

 Try first
   1. Open "${byKey.digest.name}" and click "Execute workflow": one digest of the crew
      needing attention, grouped by vessel (also posted to ${sandbox.url}/_sandbox/inbox/${byKey.digest.inbox}).
   2. Make the sandbox change a certificate, which CrewPass would push as webhooks:
        curl -X POST ${sandbox.url}/_sandbox/crew/${fx.compliant}/documents \\
             -H 'content-type: application/json' -d '{"requirement_key":"eng1","expires_in_days":20}'
      Then open Executions: the document archive stored the file under
      ${path.join(USER_FOLDER, 'files', 'crewpass-archive')}/ and the compliance alert fired
      if the crew member is now at risk (${sandbox.url}/_sandbox/inbox/${byKey.complianceAlert.inbox}).
   3. ${byKey.hrSync.skipped ? `(n8n ${launched.install.n8nVersion} has no Data Tables: the HR sync example is not imported)` : `Run "${byKey.hrSync.name}" and look at the Data Table "${demo.dataTable?.name ?? 'HR crew records'}" (Overview → Data tables).`}
   4. Add a CrewPass node to a new workflow: Resource, Operation, and the credential above.

 Ctrl-C stops n8n, the sandbox and the fan-out.
${line}
`);
}

function mask(key) {
	return key.slice(0, 12) + '…';
}

function encryptionKey() {
	const file = path.join(STATE, 'encryption-key');
	if (!fs.existsSync(file)) {
		fs.mkdirSync(STATE, { recursive: true });
		fs.writeFileSync(file, require('node:crypto').randomBytes(24).toString('hex'), { mode: 0o600 });
	}
	return fs.readFileSync(file, 'utf8').trim();
}

main().catch((e) => {
	log(tag, `FAILED: ${e.stack || e.message}`);
	stopAll(1);
});
