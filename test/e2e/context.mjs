// @ts-check
// Shared state of one end-to-end run (filled by scripts/e2e.mjs before any suite runs) and small
// helpers over n8n's REST API and the sandbox.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

import { publishWorkflow, waitForWebhook } from '../../scripts/lib/demo.mjs';
import { POLLING_TRIGGER_TYPE, TRIGGER_TYPE, TRIGGER_VERSION } from '../../scripts/lib/n8n.mjs';

/**
 * Filled by scripts/e2e.mjs. Among others: n8nVersion; scheduler ('default' | 'durable' |
 * 'cursors', from CREWPASS_N8N_SCHEDULER); pollTimeoutSeconds (CREWPASS_N8N_POLL_TIMEOUT, or
 * undefined: n8n's 45 s).
 * @type {Record<string, any>}
 */
export const context = {};

/**
 * The scheduler mode of this run, known before setup (at import): 'default' | 'durable' |
 * 'cursors' (CREWPASS_N8N_SCHEDULER; scripts/lib/n8n.mjs sets n8n's variables from it).
 */
export { schedulerMode, pollTimeoutSeconds } from '../../scripts/lib/n8n.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Creates and publishes a one-node CrewPass Trigger workflow (crew.compliance.changed, the demo
 * credential) and waits until its production webhook answers an unsigned probe with 401.
 */
export async function publishTriggerWorkflow(ctx, { name, nodeId, webhookId, settings = {} }) {
	const created = await ctx.client.post('/rest/workflows', {
		name,
		nodes: [
			{
				id: nodeId,
				name: 'CrewPass Trigger',
				type: TRIGGER_TYPE,
				typeVersion: TRIGGER_VERSION,
				position: [0, 0],
				webhookId,
				parameters: { events: ['crew.compliance.changed'], options: {} },
				credentials: {
					crewPassApi: { id: ctx.demo.credential.id, name: ctx.demo.credential.name },
				},
			},
		],
		connections: {},
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', ...settings },
		active: false,
	});
	const wf = await publishWorkflow(ctx.client, created.id);
	const url = `${ctx.n8n.url}/webhook/${webhookId}/crewpass`;
	assert.equal(await waitForWebhook(url), 401, 'an unsigned probe is refused');
	return { wf, url };
}

/** Polls fn until it returns a truthy value (returned) or the timeout passes (throws). */
export async function waitFor(
	fn,
	{ timeoutMs = 30_000, intervalMs = 250, what = 'condition' } = {},
) {
	const deadline = Date.now() + timeoutMs;
	let last;
	for (;;) {
		last = await fn();
		if (last) return last;
		if (Date.now() > deadline)
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(intervalMs);
	}
}

/**
 * Every execution n8n recorded for a workflow (or all, newest first), 100 per page. n8n 2.41
 * pages with the opaque `nextCursor` of each answer (it refuses `lastId`); older answers carry
 * no cursor and page with `lastId`.
 */
export async function executions(ctx, workflowId) {
	const filter = encodeURIComponent(JSON.stringify(workflowId ? { workflowId } : {}));
	const all = [];
	let next = '';
	for (;;) {
		const res = await ctx.client.get(`/rest/executions?filter=${filter}&limit=100${next}`);
		const page = res.results ?? res;
		all.push(...page);
		if (res.nextCursor !== undefined) {
			if (!res.nextCursor) return all;
			next = `&cursor=${encodeURIComponent(res.nextCursor)}`;
		} else {
			if (page.length < 100) return all;
			next = `&lastId=${page[page.length - 1].id}`;
		}
	}
}

/** Waits until the workflow has `count` executions and none is still running; returns them. */
export async function settledExecutions(ctx, workflowId, count, timeoutMs = 60_000) {
	return await waitFor(
		async () => {
			const list = await executions(ctx, workflowId);
			const running = list.filter((e) => ['new', 'running', 'waiting'].includes(e.status));
			return list.length >= count && running.length === 0 ? list : undefined;
		},
		{ timeoutMs, what: `${count} finished execution(s) of workflow ${workflowId}` },
	);
}

/** One execution with its run data, parsed (n8n stores it "flatted"). */
export async function executionData(ctx, executionId) {
	// n8n's own copy of flatted, from the n8n install
	const { createRequire } = await import('node:module');
	const { parse } = createRequire(ctx.install.n8nModules + '/')('flatted');
	const e = await ctx.client.get(`/rest/executions/${executionId}`);
	const data = typeof e.data === 'string' ? parse(e.data) : e.data;
	return { ...e, data };
}

/** Output items (json) of a node in an execution's first run. */
export function nodeOutput(exec, nodeName, output = 0) {
	const runs = exec.data?.resultData?.runData?.[nodeName];
	if (!runs?.length) return undefined;
	return (runs[0].data?.main?.[output] ?? []).map((i) => i.json);
}

/**
 * Runs a workflow as the editor's "Execute workflow" button does, from its first trigger, and
 * waits for the execution to finish. Returns the execution with parsed data.
 */
export async function runManually(ctx, workflowId) {
	const wf = await ctx.client.get(`/rest/workflows/${workflowId}`);
	const before = new Set((await executions(ctx, workflowId)).map((e) => e.id));
	const trigger = wf.nodes.find((n) => /trigger/i.test(n.type));
	// n8n 2.x runs the stored workflow and reads only where to start (other keys are dropped);
	// n8n 1.x runs the workflowData the editor sends and refuses a body without it
	const res = await ctx.client.post(`/rest/workflows/${workflowId}/run`, {
		workflowData: wf,
		triggerToStartFrom: { name: trigger.name },
	});
	const executionId =
		res?.executionId ??
		(await waitFor(
			async () => (await executions(ctx, workflowId)).find((e) => !before.has(e.id))?.id,
			{ what: 'the manual execution to appear' },
		));
	// watched through the executions list: n8n 2.20 answers GET /rest/executions/:id of an
	// execution that has no run data yet with a 500 ("reading 'resultData'")
	await waitFor(
		async () => {
			const e = (await executions(ctx, workflowId)).find(
				(x) => String(x.id) === String(executionId),
			);
			return e && !['new', 'running', 'waiting'].includes(e.status) ? e : undefined;
		},
		{ timeoutMs: 120_000, what: `manual execution ${executionId} to finish` },
	);
	return await executionData(ctx, executionId);
}

export async function inbox(ctx, name) {
	return ctx.sandbox.inbox(name);
}

export async function clearInbox(ctx, name) {
	await fetch(`${ctx.sandbox.url}/_sandbox/inbox/${encodeURIComponent(name)}`, {
		method: 'DELETE',
	});
}

/** Point the main partner's webhook subscription straight at one trigger workflow. */
export function subscribeTo(ctx, url, events = null) {
	const partnerId = mainPartnerId(ctx);
	ctx.sandbox.webhooks.subscribe(partnerId, { url, events });
	return partnerId;
}

/**
 * A `/_sandbox/…` control (or read) over HTTP: `control(method, path, body?)` returns its JSON
 * answer and fails the test on an answer that is not 2xx.
 */
export function sandboxControl(ctx) {
	return async (method, p, body) => {
		const r = await fetch(`${ctx.sandbox.url}/_sandbox/${p}`, {
			method,
			headers: body ? { 'content-type': 'application/json' } : {},
			body: body ? JSON.stringify(body) : undefined,
		});
		const text = await r.text();
		assert.ok(r.ok, `${method} /_sandbox/${p}: ${r.status} ${text}`);
		return text ? JSON.parse(text) : undefined;
	};
}

/** An HTTP Request node posting every item it gets to the sandbox's inbox `inboxName`. */
export function sinkNode(ctx, { id, name, inboxName }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [220, 0],
		parameters: {
			method: 'POST',
			url: `${ctx.sandbox.url}/_sandbox/inbox/${inboxName}`,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify($json) }}',
			options: {},
		},
	};
}

/**
 * Creates (unpublished) a workflow of a CrewPass Polling Trigger named `node`, with `parameters`
 * and the demo credential, feeding a sink node (sinkNode) named `sink`; n8n's answer.
 */
export async function createPollingToSink(
	ctx,
	{ name, node, triggerId, parameters, sink, sinkId, inboxName, settings },
) {
	return await ctx.client.post('/rest/workflows', {
		name,
		nodes: [
			{
				id: triggerId,
				name: node,
				type: POLLING_TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: {
					crewPassApi: { id: ctx.demo.credential.id, name: ctx.demo.credential.name },
				},
			},
			sinkNode(ctx, { id: sinkId, name: sink, inboxName }),
		],
		connections: { [node]: { main: [[{ node: sink, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', ...settings },
		active: false,
	});
}

export function mainPartnerId(ctx) {
	return ctx.sandbox.partners().find((p) => p.api_key === ctx.sandbox.keys.management).partner_id;
}

/**
 * A read of the sandbox's API with the main partner's key (200 expected), for expectations.
 * @returns {Promise<any>}
 */
export async function sandboxApi(ctx, p) {
	const r = await fetch(`${ctx.sandbox.url}/api/v2/${p}`, {
		headers: { authorization: `Bearer ${ctx.sandbox.keys.management}` },
	});
	assert.equal(r.status, 200, `${p}: ${r.status}`);
	return await r.json();
}

/** The main partner's whole fleet roster, every page. */
export async function sandboxRoster(ctx) {
	const rows = [];
	let cursor = null;
	do {
		const page = await sandboxApi(
			ctx,
			`employers/me/fleet?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		rows.push(...page.items);
		cursor = page.next_cursor;
	} while (cursor);
	return rows;
}

/**
 * The roster rows the digest example's Check Fleet keeps (Only Those Needing Attention, 90 days,
 * crew without compliance consent skipped), with their snapshots.
 */
export async function digestExpected(ctx) {
	// the package's own rule (whole UTC days), from the built package the tarball was packed from
	// (read here, not at import: scripts/e2e.mjs imports this file before it builds)
	const { daysUntil } = createRequire(import.meta.url)('../../dist/nodes/CrewPass/shared/dates.js');
	const expected = [];
	for (const row of await sandboxRoster(ctx)) {
		const crew = ctx.sandbox.crew(row.crew_unique_id);
		if (!crew.consents.includes('crew:compliance:read')) continue;
		const snap = ctx.sandbox.compliance(row.crew_unique_id, row.vessel_id);
		const days = daysUntil(snap.next_expiry_date);
		if (
			snap.overall_status === 'non_compliant' ||
			(snap.overall_status === 'at_risk' && days !== null && days <= 90)
		) {
			expected.push({ row, snap });
		}
	}
	return expected;
}
