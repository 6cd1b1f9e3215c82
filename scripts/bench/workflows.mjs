// @ts-check
// The workflows `npm run bench` measures, ours and the reference side by side.
import {
	CREDENTIAL_TYPE,
	NODE_TYPE,
	POLLING_TRIGGER_TYPE,
	TRIGGER_TYPE,
	TRIGGER_VERSION,
} from '../lib/n8n.mjs';
import { EVERY_15_SECONDS } from '../lib/demo.mjs';

const SETTINGS = { executionOrder: 'v1' };
const manual = {
	id: 'b0000000-0000-4000-8000-000000000001',
	name: 'Run',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const cred = (c) => ({ [CREDENTIAL_TYPE]: { id: c.id, name: c.name } });
const chain = (...names) =>
	Object.fromEntries(
		names
			.slice(0, -1)
			.map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]),
	);

/** Run → CrewPass: Compliance → Check Fleet (whole fleet). */
export function checkFleetWorkflow(credential) {
	return {
		name: 'bench: Check Fleet',
		nodes: [
			manual,
			{
				id: 'b0000000-0000-4000-8000-000000000002',
				name: 'Check Fleet',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { resource: 'compliance', operation: 'checkFleet' },
				credentials: cred(credential),
			},
		],
		connections: chain('Run', 'Check Fleet'),
		settings: SETTINGS,
	};
}

/** Run → CrewPass: Crew Member → Get Many, Return All. */
export function getManyWorkflow(credential) {
	return {
		name: 'bench: Get Many (ours)',
		nodes: [
			manual,
			{
				id: 'b0000000-0000-4000-8000-000000000003',
				name: 'Get Many',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				parameters: { resource: 'crewMember', operation: 'getAll', returnAll: true },
				credentials: cred(credential),
			},
		],
		connections: chain('Run', 'Get Many'),
		settings: SETTINGS,
	};
}

/**
 * The reference: Run → HTTP Request (GET /employers/me/fleet?limit=200, cursor pagination until
 * next_cursor is null, Bearer header) → Split Out `items`.
 */
export function httpRequestWorkflow(server) {
	return {
		name: 'bench: HTTP Request + Split Out (reference)',
		nodes: [
			manual,
			{
				id: 'b0000000-0000-4000-8000-000000000004',
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				position: [220, 0],
				parameters: {
					url: `${server.url}/api/v2/employers/me/fleet`,
					sendQuery: true,
					queryParameters: { parameters: [{ name: 'limit', value: '200' }] },
					sendHeaders: true,
					headerParameters: {
						parameters: [{ name: 'Authorization', value: `Bearer ${server.key}` }],
					},
					options: {
						pagination: {
							pagination: {
								paginationMode: 'updateAParameterInEachRequest',
								parameters: {
									parameters: [
										{ type: 'qs', name: 'cursor', value: '={{ $response.body.next_cursor }}' },
									],
								},
								paginationCompleteWhen: 'other',
								completeExpression: '={{ !$response.body.next_cursor }}',
							},
						},
					},
				},
			},
			{
				id: 'b0000000-0000-4000-8000-000000000005',
				name: 'Split Out',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [440, 0],
				parameters: { fieldToSplitOut: 'items', options: {} },
			},
		],
		connections: chain('Run', 'HTTP Request', 'Split Out'),
		settings: SETTINGS,
	};
}

export const TRIGGER_WEBHOOK_ID = 'b0000000-0000-4000-8000-0000000000a1';
export const BARE_WEBHOOK_ID = 'b0000000-0000-4000-8000-0000000000a2';
export const STATUS_WEBHOOK_ID = 'b0000000-0000-4000-8000-0000000000a3';

/** A published CrewPass Trigger (crew.compliance.changed, default options). */
export function triggerWorkflow(
	credential,
	{
		name = 'bench: CrewPass Trigger',
		nodeId = 'b0000000-0000-4000-8000-000000000006',
		webhookId = TRIGGER_WEBHOOK_ID,
		events = ['crew.compliance.changed'],
		options = {},
	} = {},
) {
	return {
		name,
		nodes: [
			{
				id: nodeId,
				name: 'CrewPass Trigger',
				type: TRIGGER_TYPE,
				typeVersion: TRIGGER_VERSION,
				position: [0, 0],
				webhookId,
				parameters: { events, options },
				credentials: cred(credential),
			},
		],
		connections: {},
		settings: SETTINGS,
	};
}

/** A published CrewPass Trigger for crew.status.changed with Fetch Latest Details. */
export function statusTriggerWorkflow(credential) {
	return triggerWorkflow(credential, {
		name: 'bench: CrewPass Trigger, status events with Fetch Latest Details',
		nodeId: 'b0000000-0000-4000-8000-000000000008',
		webhookId: STATUS_WEBHOOK_ID,
		events: ['crew.status.changed'],
		options: { fetchLatestDetails: true },
	});
}

/** The reference: a bare Webhook node (POST, answers on receipt), every call an execution. */
export function bareWebhookWorkflow() {
	return {
		name: 'bench: bare Webhook (reference)',
		nodes: [
			{
				id: 'b0000000-0000-4000-8000-000000000007',
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: BARE_WEBHOOK_ID,
				parameters: {
					httpMethod: 'POST',
					path: 'bench-bare',
					responseMode: 'onReceived',
					options: {},
				},
			},
		],
		connections: {},
		settings: SETTINGS,
	};
}

export const POLLING_NODE = 'CrewPass Polling Trigger';
export const POLL_SINK = 'Sink';

/**
 * A CrewPass Polling Trigger on `events` (default options), polling every 15 s (four custom
 * crons, as the e2e suite does) → No Operation, where the items are counted.
 */
export function pollingWorkflow(credential, events) {
	return {
		name: 'bench: CrewPass Polling Trigger, roster',
		nodes: [
			{
				id: 'b0000000-0000-4000-8000-000000000009',
				name: POLLING_NODE,
				type: POLLING_TRIGGER_TYPE,
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: EVERY_15_SECONDS, events, options: {} },
				credentials: cred(credential),
			},
			{
				id: 'b0000000-0000-4000-8000-00000000000a',
				name: POLL_SINK,
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: chain(POLLING_NODE, POLL_SINK),
		settings: SETTINGS,
	};
}
