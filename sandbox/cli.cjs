#!/usr/bin/env node
// @ts-check
'use strict';
// npm run sandbox -- [--port 4010] [--crew 40] [--seed 1] [--mode test|live] [--no-rate-limit]
//                    [--webhook-url URL] [--webhook-secret S] [--webhook-base-delay-ms N] [--latency-ms N]
// npm run sandbox -- --send-test-delivery URL [--event-type T]   (one signed sample event, then exit)

const { startSandbox, sendTestDelivery } = require('./server.cjs');

const HELP = `CrewPass sandbox: a local stand-in for the CrewPass Partner API and its webhooks.

Usage: node sandbox/cli.cjs [options]
  --port N                  port on 127.0.0.1 (default 4010; 0 = any free port)
  --crew N                  crew members in the main fleet (default 40; 10000+ for benchmarks)
  --seed N                  data seed (default 1)
  --mode test|live          which key prefix this instance accepts (default test)
  --no-rate-limit           switch the 60/s + 1,000/min read budget off
  --webhook-url URL         callback URL of the main partner (loopback only)
  --webhook-secret S        signing secret of the main partner
  --webhook-base-delay-ms N first retry delay (default 1000)
  --latency-ms N            added latency on every API response
  --link-origin URL         download links point at this origin (e.g. https://partners.crewpass.co.uk)
  --allow-external-webhooks allow webhook / test-delivery URLs off loopback
  --json                    print the start-up information as one JSON line
  --help

Send a test delivery (for a workflow built against n8n's Test URL, before CrewPass sends anything):
  --send-test-delivery URL  send one signed sample event to URL (e.g. http://localhost:5678/webhook-test/…)
                            through the sandbox running on --port (default 4010), or, if none runs
                            there, through a temporary one with the same fixed secrets; then exit.
  --event-type T            event type of the sample (default crew.document.processed; any string)

  It is signed with the main partner's webhook secret (the one "npm run sandbox" prints, the same on
  every start): put that secret in the CrewPass credential n8n uses, click "Listen for test event"
  in the CrewPass Trigger, then run this. "npm start" runs its sandbox on port 4010 too.`;

/** @typedef {import('./types.cjs').SandboxOptions & { json?: boolean, help?: boolean, sendTestDelivery?: string, eventType?: string }} CliArgs */

/**
 * @param {string[]} argv
 * @returns {CliArgs}
 */
function parseArgs(argv) {
	/** @type {CliArgs} */
	const out = {};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const next = () => {
			const v = argv[++i];
			if (v === undefined) throw new Error(`${a} needs a value`);
			return v;
		};
		switch (a) {
			case '--port':
				out.port = Number(next());
				break;
			case '--crew':
				out.crew = Number(next());
				break;
			case '--seed':
				out.seed = Number(next());
				break;
			case '--mode':
				out.mode = /** @type {'test' | 'live'} */ (next()); // startSandbox validates it
				break;
			case '--no-rate-limit':
				out.rateLimit = false;
				break;
			case '--webhook-url':
				out.webhookUrl = next();
				break;
			case '--webhook-secret':
				out.webhookSecret = next();
				break;
			case '--webhook-base-delay-ms':
				out.webhookBaseDelayMs = Number(next());
				break;
			case '--latency-ms':
				out.latencyMs = Number(next());
				break;
			case '--link-origin':
				out.linkOrigin = next();
				break;
			case '--allow-external-webhooks':
				out.allowExternalWebhooks = true;
				break;
			case '--send-test-delivery':
				out.sendTestDelivery = next();
				break;
			case '--event-type':
				out.eventType = next();
				break;
			case '--json':
				out.json = true;
				break;
			case '--help':
			case '-h':
				out.help = true;
				break;
			default:
				throw new Error(`unknown option ${a} (see --help)`);
		}
	}
	return out;
}

async function main() {
	const t0 = performance.now();
	let args;
	try {
		args = parseArgs(process.argv.slice(2));
	} catch (e) {
		console.error(String(e instanceof Error ? e.message : e));
		process.exit(2);
	}
	if (args.help) {
		console.log(HELP);
		return;
	}
	const { json, sendTestDelivery, eventType, help: _help, ...options } = args;
	if (options.port === undefined) options.port = 4010;
	if (sendTestDelivery) {
		process.exitCode = await testDelivery(options, sendTestDelivery, eventType, json);
		return;
	}
	const sb = await startSandbox(options);
	const ms = Math.round(performance.now() - t0);
	const partners = sb.partners();
	if (json) {
		console.log(
			JSON.stringify({
				url: sb.url,
				port: sb.port,
				mode: sb.mode,
				seed: sb.seed,
				startup_ms: ms,
				partners: partners.map((p) => ({
					partner_id: p.partner_id,
					plan: p.subscription_plan,
					api_enabled: p.api_enabled,
					api_key: p.api_key,
					webhook_secret: p.webhook.secret,
				})),
				fixtures: sb.fixtures,
			}),
		);
	} else {
		const lines = [
			`CrewPass sandbox listening on ${sb.url}  (mode ${sb.mode}, seed ${sb.seed}, ${partners[0].crew_count} crew, started in ${ms} ms)`,
			`  API base URL:   ${sb.url}   (every endpoint under /api/v2/)`,
			`  Control API:    ${sb.url}/_sandbox/   (state, fixtures, clock, faults, webhooks, inbox)`,
			'',
			`  API keys (${sb.mode} mode):`,
			...partners.map(
				(p) =>
					`    ${p.api_key}   ${p.partner_id.padEnd(16)} ${p.display_name} [${p.api_enabled ? p.subscription_plan + ', ' + p.granted_scopes.length + ' scopes' : 'no API access'}]`,
			),
			'',
			`  Webhook signing secret (${partners[0].partner_id}): ${partners[0].webhook.secret}`,
			`  Webhook URL: ${partners[0].webhook.url || '(none: POST /_sandbox/webhooks {"url": "..."} or --webhook-url)'}`,
			'',
			'  Ctrl-C to stop.',
		];
		console.log(lines.join('\n'));
	}
	let stopping = false;
	const shutdown = (signal) => {
		if (stopping) return;
		stopping = true;
		sb.stop().then(() => {
			if (!json) console.log(`\nCrewPass sandbox stopped (${signal}).`);
			process.exit(0);
		});
		setTimeout(() => process.exit(0), 3000).unref();
	};
	process.on('SIGINT', () => shutdown('SIGINT'));
	process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * @param {import('./types.cjs').SandboxOptions} options
 * @param {string} url
 * @param {string | undefined} eventType
 * @param {boolean | undefined} json
 * @returns {Promise<number>} the exit code
 */
async function testDelivery(options, url, eventType, json) {
	let out;
	try {
		out = await sendTestDelivery({ url, event_type: eventType, port: options.port, options });
	} catch (e) {
		console.error(String(e instanceof Error ? e.message : e));
		return 2;
	}
	const { result, via } = out;
	if (json) console.log(JSON.stringify({ ...result, via }));
	else {
		const status = result.status_code ?? `no answer (${result.error})`;
		const via_ =
			via === 'running'
				? `the sandbox on port ${options.port}`
				: `a temporary sandbox (none was listening on port ${options.port})`;
		console.log(
			[
				`Test delivery of ${result.event.event_type} ${result.event.event_id} to ${result.url}`,
				`  sent through ${via_}, signed with the main partner's webhook secret`,
				`  answer: ${status}${result.response_body ? '  ' + result.response_body.slice(0, 200) : ''}`,
			].join('\n'),
		);
	}
	return out.ok ? 0 : 1;
}

main().catch((e) => {
	console.error('sandbox failed to start:', e && e.message ? e.message : e);
	process.exit(1);
});
