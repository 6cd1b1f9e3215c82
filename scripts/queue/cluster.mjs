// @ts-check
// A queue-mode n8n on this machine for `npm run test:queue`: one main (the editor and REST API,
// N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true), `n8n webhook` processes on their own ports, `n8n
// worker`s, all on one PostgreSQL database and one Redis, sharing N8N_ENCRYPTION_KEY and the user
// folder the package tarball is installed in (as the e2e run installs it).
//
// scripts/lib/n8n.mjs's startN8n() always runs `n8n start`; startN8nProcess() below is the same
// launcher for any n8n command (suggested for scripts/lib: a `command`/`args` option there).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { freePort, log, n8nEnv, sleep, stopProcess, tail } from '../lib/n8n.mjs';

/**
 * Environment for one process of the cluster. `role`: main | webhook | worker.
 * Each process gets its own HTTP port, task-runner broker port and (workers) health port.
 * @param {{ role: string, userFolder: string, encryptionKey: string, pg: any, redis: any, publicUrl?: string, extra?: Record<string, string> }} options
 */
export async function queueEnv({
	role,
	userFolder,
	encryptionKey,
	pg,
	redis,
	publicUrl,
	extra = {},
}) {
	const port = await freePort();
	const brokerPort = await freePort();
	const env = n8nEnv({
		userFolder,
		port,
		brokerPort,
		encryptionKey,
		logLevel: 'info',
		extra: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: pg.host,
			DB_POSTGRESDB_PORT: String(pg.port),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: pg.user,
			DB_POSTGRESDB_PASSWORD: pg.password,
			// n8n's default pool is 2 connections: a burst of webhook calls then waits for one
			// and fails with "timeout exceeded when trying to connect" (measured)
			DB_POSTGRESDB_POOL_SIZE: '20',
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: redis.host,
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// only the webhook processes take production webhooks
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			// the URL CrewPass is given: the load balancer
			...(publicUrl ? { WEBHOOK_URL: `${publicUrl}/` } : {}),
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			N8N_METRICS: 'false',
			...(role === 'worker'
				? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port) }
				: {}),
			...extra,
		},
	});
	return { env, port };
}

/**
 * Spawns `n8n <command>` and waits for /healthz/readiness on `port`.
 * @param {{ install: any, env: NodeJS.ProcessEnv, port: number, command: string, args?: string[], logFile: string, tag?: string, timeoutMs?: number }} options
 */
export async function startN8nProcess({
	install,
	env,
	port,
	command,
	args = [],
	logFile,
	tag,
	timeoutMs = 300_000,
}) {
	fs.mkdirSync(path.dirname(logFile), { recursive: true });
	const out = fs.openSync(logFile, 'a');
	const proc = spawn('nice', ['-n', '5', install.node, install.n8nBin, command, ...args], {
		cwd: env.N8N_USER_FOLDER,
		env,
		stdio: ['ignore', out, out],
		detached: true,
	});
	fs.closeSync(out);
	let exited = null;
	proc.on('exit', (code, signal) => {
		exited = { code, signal };
	});
	const url = `http://127.0.0.1:${port}`;
	const t0 = Date.now();
	for (;;) {
		if (exited)
			throw new Error(
				`n8n ${command} exited during start (${JSON.stringify(exited)}):\n${tail(logFile, 40)}`,
			);
		try {
			const r = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
			if (r.status === 200) break;
		} catch {}
		if (Date.now() - t0 > timeoutMs) {
			await stopProcess(proc);
			throw new Error(
				`n8n ${command} not ready after ${timeoutMs / 1000} s:\n${tail(logFile, 40)}`,
			);
		}
		await sleep(500);
	}
	log(tag, `n8n ${command} ready on :${port} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
	return {
		command,
		url,
		port,
		proc,
		logFile,
		env,
		startMs: Date.now() - t0,
		stop: () => stopProcess(proc, 20_000),
		get exited() {
			return exited;
		},
	};
}
