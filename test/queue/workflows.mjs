// @ts-check
// The workflows `npm run test:queue` imports into the queue-mode n8n. The exactly-once gates are
// the shipped examples (examples/exactly-once-*.json) with only their placeholders replaced:
// credentials and the Downstream Step's URL (pointed at the sink).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { REPO, NODE_TYPE, TRIGGER_TYPE, TRIGGER_VERSION } from '../../scripts/lib/n8n.mjs';

const SETTINGS = {
	executionOrder: 'v1',
	saveDataSuccessExecution: 'all',
	saveDataErrorExecution: 'all',
};
const EXAMPLE_DOWNSTREAM_URL = 'https://example.com/replace-with-your-endpoint';

function cred(c) {
	return { id: c.id, name: c.name };
}

/** examples/<file> with its placeholders replaced; a fresh webhookId so several copies can coexist. */
export function exampleWorkflow(file, { name, sinkUrl, creds }) {
	const wf = JSON.parse(fs.readFileSync(path.join(REPO, 'examples', file), 'utf8'));
	for (const node of wf.nodes) {
		if (node.type === TRIGGER_TYPE) {
			node.webhookId = crypto.randomUUID();
			node.parameters.events = ['crew.compliance.changed'];
		}
		if (node.credentials?.crewPassApi) node.credentials.crewPassApi = cred(creds.crewpass);
		if (node.credentials?.redis) node.credentials.redis = cred(creds.redis);
		if (node.credentials?.postgres) node.credentials.postgres = cred(creds.postgres);
		if (node.parameters?.url === EXAMPLE_DOWNSTREAM_URL) node.parameters.url = sinkUrl;
	}
	const leftover = JSON.stringify(wf).includes(EXAMPLE_DOWNSTREAM_URL);
	if (leftover) throw new Error(`${file}: the Downstream Step placeholder was not replaced`);
	return { ...wf, name: name ?? wf.name, settings: { ...wf.settings, ...SETTINGS } };
}

/** CrewPass Trigger → HTTP Request to the sink: no gate (the trigger's own de-duplication only). */
export function plainWorkflow({ name, sinkUrl, creds }) {
	return {
		name,
		nodes: [
			{
				id: crypto.randomUUID(),
				name: 'CrewPass Trigger',
				type: TRIGGER_TYPE,
				typeVersion: TRIGGER_VERSION,
				position: [0, 0],
				webhookId: crypto.randomUUID(),
				parameters: { events: ['crew.compliance.changed'], options: {} },
				credentials: { crewPassApi: cred(creds.crewpass) },
			},
			{
				id: crypto.randomUUID(),
				name: 'Downstream Step',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					method: 'POST',
					url: sinkUrl,
					sendBody: true,
					specifyBody: 'json',
					jsonBody: "={{ JSON.stringify($('CrewPass Trigger').item.json) }}",
					options: {},
				},
			},
		],
		connections: {
			'CrewPass Trigger': { main: [[{ node: 'Downstream Step', type: 'main', index: 0 }]] },
		},
		settings: SETTINGS,
	};
}

function webhookNode(pathName) {
	return {
		id: crypto.randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: crypto.randomUUID(),
		parameters: { httpMethod: 'POST', path: pathName, responseMode: 'onReceived', options: {} },
	};
}

/** Webhook → one CrewPass node named `nodeName`, in the queue-mode settings. */
function webhookThenCrewPass({ name, pathName, nodeName, parameters, credential }) {
	return {
		name,
		nodes: [
			webhookNode(pathName),
			{
				id: crypto.randomUUID(),
				name: nodeName,
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters,
				credentials: { crewPassApi: cred(credential) },
			},
		],
		connections: { Webhook: { main: [[{ node: nodeName, type: 'main', index: 0 }]] } },
		settings: SETTINGS,
	};
}

/** Webhook → CrewPass Compliance → Check Fleet (every crew member, every vessel). */
export function checkFleetWorkflow({ name, creds, pathName }) {
	return webhookThenCrewPass({
		name,
		pathName,
		nodeName: 'Check Fleet',
		parameters: { resource: 'compliance', operation: 'checkFleet', options: {} },
		credential: creds.crewpassCounted,
	});
}

/** Webhook → CrewPass Document → Download (crew and document from the request body). */
export function downloadWorkflow({ name, creds, pathName }) {
	return webhookThenCrewPass({
		name,
		pathName,
		nodeName: 'Download Document',
		parameters: {
			resource: 'document',
			operation: 'download',
			crewMember: { __rl: true, mode: 'id', value: '={{ $json.body.crew_unique_id }}' },
			documentId: '={{ $json.body.document_id }}',
			binaryPropertyName: 'data',
		},
		credential: creds.crewpass,
	});
}
