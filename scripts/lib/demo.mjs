// @ts-check
// Prepares a running n8n for the CrewPass demo and the end-to-end tests: owner account, the
// CrewPass credential pointing at the local sandbox, the HR Data Table, the example workflows
// (examples/*.json) and publication of the trigger workflows. Idempotent: a second run on the
// same n8n data updates the credential and reuses what exists.
import fs from 'node:fs';
import path from 'node:path';

import {
	REPO,
	CREDENTIAL_TYPE,
	TRIGGER_TYPE,
	TRIGGER_VERSION,
	POLLING_TRIGGER_TYPE,
	PACKAGE_NAME,
} from './n8n.mjs';

export const OWNER = {
	email: 'demo@example.com',
	password: 'CrewPass-demo-1',
	firstName: 'Demo',
	lastName: 'Owner',
};
export const CREDENTIAL_NAME = 'CrewPass sandbox (local)';
export const DATA_TABLE_NAME = 'HR crew records';
/** Placeholders in examples/*.json, replaced on import. */
export const EXAMPLE_SANDBOX_URL = 'http://127.0.0.1:4010';
export const EXAMPLE_ARCHIVE_DIR = '/home/node/.n8n-files/crewpass-archive';

export const EXAMPLES = [
	{ key: 'complianceAlert', file: 'compliance-alert.json', inbox: 'compliance-alerts' },
	{
		key: 'digest',
		file: 'expiring-certificates-digest.json',
		inbox: 'expiring-certificates-digest',
	},
	{ key: 'hrSync', file: 'hr-sync.json', dataTable: DATA_TABLE_NAME },
	{ key: 'documentArchive', file: 'document-archive.json', inbox: 'document-archive' },
	{
		key: 'complianceAlertPolling',
		file: 'compliance-alert-polling.json',
		inbox: 'compliance-alerts-polling',
	},
];

/** Poll Times of four fixed seconds: every 15 s, accepted by every n8n version (e2e only). */
export const EVERY_15_SECONDS = everySeconds(15);

/**
 * Poll Times that poll every `step` seconds on every n8n version: one custom cron entry per second
 * it fires at (0, step, 2 × step, …), each a single fixed second (docs/compatibility.md).
 * @param {number} step a divisor of 60
 */
export function everySeconds(step) {
	return {
		item: Array.from({ length: 60 / step }, (_, i) => ({
			mode: 'custom',
			cronExpression: `${i * step} * * * * *`,
		})),
	};
}

/** One row per placement (a crew member on a vessel), as the HR sync example keeps it. */
export const DATA_TABLE_COLUMNS = [
	['crew_unique_id', 'string'],
	['vessel_id', 'string'],
	['vessel_name', 'string'],
	['full_name', 'string'],
	['role', 'string'],
	['verification_status', 'string'],
	['background_check_status', 'string'],
	['employment_status', 'string'],
	['synced_at', 'string'],
	['left_at', 'string'],
];

export function archiveDir(userFolder) {
	return path.join(userFolder, 'files', 'crewpass-archive');
}

/** Reads examples/<file> and points it at this sandbox, credential, data table and folder. */
export function loadExample(file, { sandboxUrl, credential, dataTable, userFolder, fastPolls }) {
	let text = fs.readFileSync(path.join(REPO, 'examples', file), 'utf8');
	text = text.split(EXAMPLE_SANDBOX_URL).join(sandboxUrl);
	text = text.split(EXAMPLE_ARCHIVE_DIR).join(archiveDir(userFolder));
	const wf = JSON.parse(text);
	for (const node of wf.nodes) {
		if (node.credentials?.[CREDENTIAL_TYPE] && credential) {
			node.credentials[CREDENTIAL_TYPE] = { id: credential.id, name: credential.name };
		}
		if (fastPolls && node.type === POLLING_TRIGGER_TYPE)
			node.parameters.pollTimes = EVERY_15_SECONDS;
		if (dataTable && node.type === 'n8n-nodes-base.dataTable' && node.parameters?.dataTableId) {
			node.parameters.dataTableId = {
				__rl: true,
				mode: 'id',
				value: dataTable.id,
				cachedResultName: dataTable.name,
			};
		}
	}
	return wf;
}

export function credentialData(sandbox) {
	const main = sandbox.partners().find((p) => p.api_key === sandbox.keys.management);
	return {
		apiKey: sandbox.keys.management,
		environment: 'custom',
		baseUrl: sandbox.url,
		webhookSecret: main.webhook.secret,
	};
}

export async function ensureCredential(client, sandbox) {
	const data = credentialData(sandbox);
	const existing = (await client.get('/rest/credentials')).find(
		(c) => c.name === CREDENTIAL_NAME && c.type === CREDENTIAL_TYPE,
	);
	if (existing) {
		await client.patch(`/rest/credentials/${existing.id}`, {
			name: CREDENTIAL_NAME,
			type: CREDENTIAL_TYPE,
			data,
		});
		return { id: existing.id, name: CREDENTIAL_NAME, created: false };
	}
	const created = await client.post('/rest/credentials', {
		name: CREDENTIAL_NAME,
		type: CREDENTIAL_TYPE,
		data,
	});
	return { id: created.id, name: CREDENTIAL_NAME, created: true };
}

export async function personalProject(client) {
	return await client.get('/rest/projects/personal');
}

/**
 * The HR Data Table in the project, created when missing. undefined when this n8n has no Data
 * Tables (the REST route is missing): the HR sync example cannot run there.
 */
export async function ensureDataTable(client, projectId) {
	const features = await n8nFeatures(client);
	const base = `/rest/projects/${projectId}/data-tables`;
	const res = await client.request('GET', `${base}?take=100`, undefined, { raw: true });
	if (res.status === 404 || res.status === 405) {
		features.dataTables = false;
		return undefined;
	}
	if (res.status !== 200)
		throw new Error(`GET ${base} answered ${res.status}: ${res.text.slice(0, 600)}`);
	features.dataTables = true;
	const list = res.json?.data ?? res.json;
	const rows = Array.isArray(list) ? list : (list?.data ?? []);
	const found = rows.find((t) => t.name === DATA_TABLE_NAME);
	if (found) return { id: found.id, name: found.name, projectId, created: false };
	const t = await client.post(base, {
		name: DATA_TABLE_NAME,
		columns: DATA_TABLE_COLUMNS.map(([name, type]) => ({ name, type })),
	});
	return { id: t.id, name: t.name, projectId, created: true };
}

export async function listWorkflows(client) {
	return await client.get('/rest/workflows?take=200');
}

/** The production URL of the workflow's CrewPass Trigger (live while the workflow is published). */
export function triggerUrl(n8nUrl, wf) {
	const node = wf.nodes.find((n) => n.type === TRIGGER_TYPE);
	if (!node) return undefined;
	return `${n8nUrl}/webhook/${node.webhookId}/crewpass`;
}

/**
 * What the running n8n offers where versions differ, found by asking it (not from a version list).
 * `publish`: 'activate' = n8n 2.x's Publish (POST /rest/workflows/:id/activate with the versionId
 * to publish; /deactivate unpublishes); 'patch' = n8n 1.x's Active toggle (PATCH the workflow with
 * `active`). `dataTables`: the project Data Tables API exists. Cached on the client.
 * @returns {Promise<{ version: string, publish: 'activate' | 'patch' | undefined, dataTables: boolean | undefined }>}
 */
export async function n8nFeatures(client) {
	if (!client.features) {
		const settings = await client.get('/rest/settings');
		client.features = {
			version: settings?.versionCli,
			publish: undefined,
			dataTables: undefined,
		};
	}
	return client.features;
}

/** An answer n8n gives for a REST route it does not have (as opposed to a known route's 404). */
function isMissingRoute(res) {
	return (
		res.status === 404 && !/could not find|not found workflow|workflow.*not found/i.test(res.text)
	);
}

/** Publishes (2.x) or activates (1.x) a workflow; returns it as n8n answers. */
export async function publishWorkflow(client, id) {
	const features = await n8nFeatures(client);
	const wf = await client.get(`/rest/workflows/${id}`);
	if (wf.active && (wf.activeVersionId === undefined || wf.activeVersionId === wf.versionId))
		return wf;
	if (features.publish !== 'patch') {
		const res = await client.request(
			'POST',
			`/rest/workflows/${id}/activate`,
			{ versionId: wf.versionId },
			{ raw: true },
		);
		if (res.status === 200) {
			features.publish = 'activate';
			return res.json?.data ?? res.json;
		}
		if (features.publish === 'activate' || !isMissingRoute(res)) {
			throw new Error(
				`publishing workflow ${id} answered ${res.status}: ${res.text.slice(0, 600)}`,
			);
		}
		features.publish = 'patch';
	}
	return await client.patch(`/rest/workflows/${id}`, { active: true, versionId: wf.versionId });
}

/** Unpublishes (2.x) or deactivates (1.x) a workflow. */
export async function unpublishWorkflow(client, id) {
	const features = await n8nFeatures(client);
	if (features.publish === 'patch') {
		const wf = await client.get(`/rest/workflows/${id}`);
		return await client.patch(`/rest/workflows/${id}`, { active: false, versionId: wf.versionId });
	}
	return await client.post(`/rest/workflows/${id}/deactivate`, {});
}

/**
 * n8n registers a published workflow's production webhook a moment after the activate call
 * answers: wait until the URL stops answering 404. The probe is an unsigned empty POST, which the
 * CrewPass Trigger answers 401 without starting an execution.
 */
export async function waitForWebhook(url, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const r = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		await r.text();
		if (r.status !== 404) return r.status;
		if (Date.now() > deadline)
			throw new Error(`${url} still answers 404 ${timeoutMs / 1000} s after publishing`);
		await new Promise((res) => setTimeout(res, 200));
	}
}

/**
 * Creates (or finds) each example workflow; publishes the trigger ones. Returns
 * [{ key, id, name, active, webhookUrl, inbox }].
 * @param {any} client
 * @param {{ n8nUrl: string, sandbox: any, credential: any, dataTable: any, userFolder: string, replace?: boolean, testing?: boolean, log?: (msg: string) => void }} options
 */
export async function importExamples(
	client,
	{
		n8nUrl,
		sandbox,
		credential,
		dataTable,
		userFolder,
		replace = false,
		testing = false,
		log = () => {},
	},
) {
	const existing = await listWorkflows(client);
	const out = [];
	for (const ex of EXAMPLES) {
		const wf = loadExample(ex.file, {
			sandboxUrl: sandbox.url,
			credential,
			dataTable,
			userFolder,
			fastPolls: testing,
		});
		let found = existing.find((w) => w.name === wf.name);
		if (ex.dataTable && !dataTable) {
			log(`skipped "${wf.name}": this n8n has no Data Tables`);
			out.push({ key: ex.key, name: wf.name, skipped: 'this n8n has no Data Tables' });
			continue;
		}
		if (found && replace) {
			if (found.active) await unpublishWorkflow(client, found.id);
			await client.post(`/rest/workflows/${found.id}/archive`, {}).catch(() => {});
			await client.delete(`/rest/workflows/${found.id}`).catch(() => {});
			found = undefined;
		}
		let id = found?.id;
		if (!id) {
			const created = await client.post('/rest/workflows', {
				name: wf.name,
				nodes: wf.nodes,
				connections: wf.connections,
				settings: wf.settings ?? { executionOrder: 'v1' },
				pinData: {},
				active: false,
			});
			id = created.id;
			log(`imported "${wf.name}"`);
		}
		const stored = await client.get(`/rest/workflows/${id}`);
		const isTrigger = stored.nodes.some((n) => n.type === TRIGGER_TYPE);
		// Polling examples are published by npm start; the e2e suite publishes each in its test.
		const isPolling = stored.nodes.some((n) => n.type === POLLING_TRIGGER_TYPE);
		let active = Boolean(stored.active);
		if (isTrigger || (isPolling && !testing)) {
			const res = await publishWorkflow(client, id);
			active = Boolean(res.active ?? true);
			if (!found) log(`published "${wf.name}"`);
		}
		const webhookUrl = isTrigger ? triggerUrl(n8nUrl, stored) : undefined;
		if (webhookUrl) await waitForWebhook(webhookUrl);
		out.push({ key: ex.key, id, name: wf.name, active, inbox: ex.inbox, webhookUrl });
	}
	return out;
}

/**
 * Everything `npm start` and the e2e suite need on a running n8n.
 * @param {any} client
 * @param {{ sandbox: any, userFolder: string, replace?: boolean, testing?: boolean, log?: (msg: string) => void }} options
 */
export async function prepareDemo(
	client,
	{ sandbox, userFolder, replace = false, testing = false, log = () => {} },
) {
	const { created } = await client.ownerLogin(OWNER);
	log(created ? `owner account created (${OWNER.email})` : `logged in as ${OWNER.email}`);
	fs.mkdirSync(archiveDir(userFolder), { recursive: true });
	const credential = await ensureCredential(client, sandbox);
	log(
		`credential "${CREDENTIAL_NAME}" ${credential.created ? 'created' : 'updated'} → ${sandbox.url}`,
	);
	const project = await personalProject(client);
	const dataTable = await ensureDataTable(client, project.id);
	const workflows = await importExamples(client, {
		n8nUrl: client.url,
		sandbox,
		credential,
		dataTable,
		userFolder,
		replace,
		testing,
		log,
	});
	const features = await n8nFeatures(client);
	log(`n8n ${features.version}: ${JSON.stringify(features)}`);
	return { credential, project, dataTable, workflows, features, packageName: PACKAGE_NAME };
}

/*
 * Workflow builders for tests that assemble their own workflows (nodes as n8n stores them).
 * Positions are cosmetic; `credential` is { id, name } of a CrewPass API credential.
 */

/** A CrewPass Trigger node (the webhook trigger). */
export function crewPassTriggerNode({
	id,
	webhookId,
	credential,
	events = ['crew.compliance.changed'],
	name = 'CrewPass Trigger',
	position = [0, 0],
}) {
	return {
		id,
		name,
		type: TRIGGER_TYPE,
		typeVersion: TRIGGER_VERSION,
		position,
		webhookId,
		parameters: { events, options: {} },
		credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
	};
}

/** A CrewPass Polling Trigger node; `pollTimes` as n8n stores Poll Times (e.g. everySeconds(5)). */
export function pollingTriggerNode({
	id,
	credential,
	events,
	pollTimes = EVERY_15_SECONDS,
	name = 'CrewPass Polling Trigger',
	position = [0, 200],
}) {
	return {
		id,
		name,
		type: POLLING_TRIGGER_TYPE,
		typeVersion: 1,
		position,
		parameters: { pollTimes, events, options: {} },
		credentials: { [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
	};
}

/** An Execute Workflow node that passes its items to the workflow `workflowId` and waits for it. */
export function callWorkflowNode({
	id,
	workflowId,
	name = 'Run Shared Steps',
	position = [220, 0],
}) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.executeWorkflow',
		typeVersion: 1.2,
		position,
		parameters: {
			source: 'database',
			workflowId: { __rl: true, mode: 'id', value: String(workflowId) },
			workflowInputs: { mappingMode: 'defineBelow', value: {} },
			mode: 'once',
			options: { waitForSubWorkflow: true },
		},
	};
}

/** The sub-workflow's start: an Execute Workflow Trigger that accepts every item as it comes. */
export function calledByWorkflowNode({
	id,
	name = 'When Called by a Trigger Workflow',
	position = [0, 0],
}) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.executeWorkflowTrigger',
		typeVersion: 1.1,
		position,
		parameters: { inputSource: 'passthrough' },
	};
}

/**
 * A Remove Duplicates node that drops items whose `state_key` an earlier execution of this node
 * saw (the README's way to merge the two CrewPass triggers' items).
 */
export function dropSeenStatesNode({ id, name = 'Drop Seen States', position = [220, 0] }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.removeDuplicates',
		typeVersion: 2,
		position,
		parameters: {
			operation: 'removeItemsSeenInPreviousExecutions',
			logic: 'removeItemsWithAlreadySeenKeyValues',
			dedupeValue: '={{ $json.state_key }}',
			options: {},
		},
	};
}

/** An HTTP Request node that posts each item to `url` (a sandbox inbox: a sink tests count). */
export function postItemsNode({ id, url, name = 'Post to Sink', position = [440, 0] }) {
	return {
		id,
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position,
		parameters: {
			method: 'POST',
			url,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify($json) }}',
			options: {},
		},
	};
}

/** n8n `connections` that feed each named node's main output into the next one's input. */
export function connectInOrder(...names) {
	/** @type {Record<string, any>} */
	const connections = {};
	for (let i = 0; i + 1 < names.length; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	}
	return connections;
}

/**
 * Creates a workflow (not published) from nodes and connections; returns n8n's answer. Successful
 * and failed executions keep their data, so tests can read what each node output.
 */
export async function createWorkflow(client, { name, nodes, connections = {}, settings = {} }) {
	return await client.post('/rest/workflows', {
		name,
		nodes,
		connections,
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
			...settings,
		},
		active: false,
	});
}
