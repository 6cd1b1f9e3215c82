#!/usr/bin/env node
// @ts-check
'use strict';
// Bounded loopback load test of GET /api/v2/employers/me/fleet (limit 200, rate limit off).
// Starts the sandbox in a child process (so client and server do not share one event loop),
// walks the fleet by cursor with N concurrent clients for D seconds, prints requests/second.
//   node sandbox/bench-fleet.cjs [--concurrency 8] [--duration 5] [--crew 10000] [--limit 200] [--url http://127.0.0.1:4010 --key cpk_test_...]

const http = require('node:http');
const { spawn } = require('node:child_process');
const path = require('node:path');

function arg(name, def) {
	const i = process.argv.indexOf(`--${name}`);
	return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : def;
}
const concurrency = Math.max(1, Math.min(64, Number(arg('concurrency', 8))));
const durationS = Math.max(1, Math.min(60, Number(arg('duration', 5))));
const crew = Math.max(1, Math.min(100_000, Number(arg('crew', 10_000))));
const limit = Math.max(1, Math.min(200, Number(arg('limit', 200))));

function startChild() {
	return new Promise((resolve, reject) => {
		const t0 = performance.now();
		const child = spawn(
			process.execPath,
			[
				path.join(__dirname, 'cli.cjs'),
				'--port',
				'0',
				'--crew',
				String(crew),
				'--no-rate-limit',
				'--json',
			],
			{ stdio: ['ignore', 'pipe', 'inherit'] },
		);
		let buf = '';
		const timer = setTimeout(() => {
			child.kill('SIGTERM');
			reject(new Error('sandbox did not start within 30 s'));
		}, 30_000);
		child.stdout.on('data', (c) => {
			buf += c;
			const nl = buf.indexOf('\n');
			if (nl >= 0) {
				clearTimeout(timer);
				const info = JSON.parse(buf.slice(0, nl));
				resolve({
					child,
					url: info.url,
					key: info.partners[0].api_key,
					spawnToListeningMs: Math.round(performance.now() - t0),
					startupMs: info.startup_ms,
				});
			}
		});
		child.on('exit', (code) => reject(new Error('sandbox exited with ' + code)));
	});
}

function get(agent, url, key) {
	return new Promise((resolve) => {
		const req = http.get(url, { agent, headers: { Authorization: `Bearer ${key}` } }, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
		});
		req.on('error', (/** @type {NodeJS.ErrnoException} */ e) =>
			resolve({ status: 0, error: e.code || e.message, body: Buffer.alloc(0) }),
		);
		req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
	});
}

async function main() {
	let target;
	if (arg('url')) target = { url: arg('url'), key: arg('key'), child: null };
	else target = await startChild();
	if (!target.url.startsWith('http://127.0.0.1') && !target.url.startsWith('http://localhost'))
		throw new Error('loopback only');
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const latencies = [];
	let ok = 0;
	let errors = 0;
	let bytes = 0;
	let rows = 0;
	const deadline = performance.now() + durationS * 1000;
	async function worker(w) {
		let cursor = null;
		// Spread the workers over the roster.
		for (let i = 0; i < w; i++) {
			const r = await get(
				agent,
				`${target.url}/api/v2/employers/me/fleet?limit=${limit}${cursor ? '&cursor=' + cursor : ''}`,
				target.key,
			);
			cursor = r.status === 200 ? JSON.parse(r.body).next_cursor : null;
		}
		while (performance.now() < deadline) {
			const t = performance.now();
			const r = await get(
				agent,
				`${target.url}/api/v2/employers/me/fleet?limit=${limit}${cursor ? '&cursor=' + cursor : ''}`,
				target.key,
			);
			latencies.push(performance.now() - t);
			if (r.status === 200) {
				ok++;
				bytes += r.body.length;
				const page = JSON.parse(r.body);
				rows += page.items.length;
				cursor = page.next_cursor;
			} else {
				errors++;
				cursor = null;
			}
		}
	}
	const t0 = performance.now();
	await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
	const elapsed = (performance.now() - t0) / 1000;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	const pct = (p) =>
		latencies.length
			? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(
					1,
				)
			: 'n/a';
	const result = {
		endpoint: `GET /api/v2/employers/me/fleet?limit=${limit}`,
		crew,
		concurrency,
		duration_s: Number(elapsed.toFixed(2)),
		requests_ok: ok,
		errors,
		requests_per_second: Math.round(ok / elapsed),
		crew_rows_per_second: Math.round(rows / elapsed),
		mb_per_second: Number((bytes / elapsed / 1e6).toFixed(1)),
		latency_ms: { p50: pct(50), p95: pct(95), p99: pct(99) },
		sandbox_startup_ms: target.startupMs ?? null,
		spawn_to_listening_ms: target.spawnToListeningMs ?? null,
	};
	console.log(JSON.stringify(result, null, 2));
	if (target.child) {
		target.child.removeAllListeners('exit');
		target.child.kill('SIGTERM');
	}
}

main().catch((e) => {
	console.error(e.message || e);
	process.exit(1);
});
