// @ts-check
// A queue-mode n8n on this machine for `npm run test:queue`: one main (the editor and REST API,
// N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true), `n8n webhook` processes on their own ports, `n8n
// worker`s, all on one PostgreSQL database and one Redis, sharing N8N_ENCRYPTION_KEY and the user
// folder the package tarball is installed in (as the e2e run installs it).
// The n8n of CREWPASS_N8N_VERSION, started by scripts/lib/n8n.mjs (the launcher of every suite).
import { freePort, log, n8nEnv, startN8n } from '../lib/n8n.mjs';

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
 * `n8n <command>` (start, webhook, worker) of the cluster, under nice, through the one launcher
 * (scripts/lib/n8n.mjs startN8n: ready = /healthz/readiness, plus the REST API for `start`).
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
	const p = await startN8n({ install, env, port, command, args, logFile, tag, timeoutMs, nice: 5 });
	log(tag, `n8n ${command} ready on :${port} in ${(p.startMs / 1000).toFixed(1)} s`);
	return p;
}
