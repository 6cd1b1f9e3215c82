// @ts-check
// n8n as `npm run bench` reads it: its REST API (workflows, executions, their output) and its
// SQLite file (sqlite3 CLI). Shared by the rows of scripts/bench.mjs and their modules.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

import { sleep } from '../lib/n8n.mjs';

const RUNNING = ['new', 'running', 'waiting'];

/** Creates a workflow (unpublished); returns its id. */
export async function createWorkflow(client, wf) {
	const created = await client.post('/rest/workflows', { ...wf, pinData: {}, active: false });
	return created.id;
}

/** The newest executions of a workflow (summaries) and the total count n8n reports. */
export async function executions(client, workflowId, limit = 1) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const res = await client.get(`/rest/executions?filter=${filter}&limit=${limit}`);
	return { count: res.count ?? res.results?.length ?? 0, results: res.results ?? [] };
}

/** Waits until the workflow has `count` executions, none of them still running. */
export async function settle(client, workflowId, count, timeoutMs = 120_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { count: n, results } = await executions(client, workflowId, 20);
		const running = results.some((e) => RUNNING.includes(e.status));
		if (n >= count && !running) return n;
		if (Date.now() > deadline)
			throw new Error(
				`workflow ${workflowId}: ${n} executions after ${timeoutMs / 1000} s, ${count} expected`,
			);
		await sleep(250);
	}
}

/** Starts a workflow from its trigger `Run`, as the editor's Execute button does; returns the execution id. */
export async function startManually(client, workflowId) {
	const res = await client.post(`/rest/workflows/${workflowId}/run`, {
		triggerToStartFrom: { name: 'Run' },
	});
	return String(res.executionId);
}

/** Waits for execution `id` of the workflow to finish; returns its summary and `ms` (started → stopped). */
export async function finished(client, workflowId, id, pollMs = 100, timeoutMs = 300_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const { results } = await executions(client, workflowId, 3);
		const e = results.find((x) => String(x.id) === id);
		if (e && e.stoppedAt && !RUNNING.includes(e.status)) {
			return { ...e, ms: Date.parse(e.stoppedAt) - Date.parse(e.startedAt) };
		}
		if (Date.now() > deadline)
			throw new Error(`execution ${id} did not finish in ${timeoutMs / 1000} s`);
		await sleep(pollMs);
	}
}

/** Runs a workflow as the editor's Execute button does; returns its execution summary once finished. */
export async function runManually(client, workflowId, pollMs = 100) {
	return await finished(client, workflowId, await startManually(client, workflowId), pollMs);
}

/** Output items of `nodeName` in an execution (n8n's run data, parsed with n8n's own flatted). */
export async function outputOf(client, install, executionId, nodeName) {
	const { parse } = createRequire(install.n8nModules + '/')('flatted');
	const e = await client.get(`/rest/executions/${executionId}`);
	const data = typeof e.data === 'string' ? parse(e.data) : e.data;
	const run = data?.resultData?.runData?.[nodeName]?.[0];
	return { items: (run?.data?.main?.[0] ?? []).map((i) => i.json), error: data?.resultData?.error };
}

/** Rows of a query on n8n's SQLite file (sqlite3 CLI, JSON mode); undefined when it fails. */
export function sqliteRows(dbFile, sql) {
	const r = spawnSync('sqlite3', ['-json', '-cmd', '.timeout 5000', dbFile, sql], {
		encoding: 'utf8',
		timeout: 10_000,
	});
	if (r.status !== 0) return undefined;
	return r.stdout.trim() ? JSON.parse(r.stdout) : [];
}

/** Bytes of the workflow's staticData column in n8n's SQLite file, or undefined. */
export function storedBytes(dbFile, workflowId) {
	const rows = sqliteRows(
		dbFile,
		`select length(cast(staticData as blob)) as bytes from workflow_entity where id = '${workflowId}'`,
	);
	const n = rows?.[0]?.bytes;
	return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
}
