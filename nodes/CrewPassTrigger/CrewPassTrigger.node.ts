import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import {
	DEFAULT_LATE_RETRY_HOURS,
	DEFAULT_REMEMBERED_IDS,
	DEFAULT_TOLERANCE_SECONDS,
	handleDelivery,
	type TriggerOptions,
} from './delivery';
import { EVENT_TYPES } from './envelope';
import { describeLatestDetailsError, fetchLatestDetails } from './latestDetails';
import { persistAcceptedIds } from './persist';

const EVENT_OPTIONS = [
	{
		name: 'Compliance Changed',
		value: 'crew.compliance.changed',
		description: "A crew member's compliance state changes (crew.compliance.changed)",
	},
	{
		name: 'Document Processed',
		value: 'crew.document.processed',
		description: 'A certificate finishes processing and verification (crew.document.processed)',
	},
	{
		name: 'Document Updated',
		value: 'crew.document.updated',
		description: "A document's verification status changes (crew.document.updated)",
	},
	{
		name: 'Profile Updated',
		value: 'crew.profile.updated',
		description: 'A crew member updates their profile (crew.profile.updated)',
	},
	{
		name: 'Status Changed',
		value: 'crew.status.changed',
		description:
			'Verification or background-check status changes (crew.status.changed; needs crew:status:subscribe)',
	},
];

export class CrewPassTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CrewPass Trigger',
		name: 'crewPassTrigger',
		icon: { light: 'file:crewpassTrigger.svg', dark: 'file:crewpassTrigger.dark.svg' },
		group: ['trigger'],
		// Both versions behave the same. n8n evaluates an expression in an isolate for every
		// webhook call of a version-1 node (its binary-data option, parseRequestBody in n8n's
		// webhook helpers); version 2 skips that, so new workflows get it. A body whose
		// Content-Type n8n does not parse is then read raw by the node itself (readRawBody).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{ "Events: " + ($parameter["events"] || []).length }}',
		description:
			'Starts the workflow the moment CrewPass sends a webhook (a public URL CrewPass registers): documents, compliance, status and profile changes, verified and de-duplicated',
		defaults: { name: 'CrewPass Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'crewPassApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// An accepted delivery is answered 200 with an empty body (duplicates, ignored
				// events and refusals are answered by the node itself with a JSON body).
				responseData: 'noData',
				path: 'crewpass',
			},
		],
		properties: [
			{
				displayName:
					'CrewPass registers this URL for you: during onboarding, give CrewPass the Production URL above and the events you want, and put the webhook signing secret CrewPass issues into the credential. Then publish (activate) the workflow: the Production URL only answers while the workflow is active. The Test URL answers a single delivery while you listen for a test event.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					'CrewPass only sends to the Production URL it registered, so "Listen for test event" waits for a delivery that never comes from a real account. To build the rest of the workflow first, pin a sample event on this node (Edit Output: the README lists one sample per event type), or, with the CrewPass sandbox, send a test delivery to the Test URL.',
				name: 'sampleNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					"Keep this trigger in a workflow without a CrewPass Polling Trigger. n8n saves a workflow's stored data whole, and a poll saves the copy it loaded at activation: the event IDs this trigger remembers go back to that time, and after a restart redelivered events run again. To use both triggers, give each its own workflow and call one shared sub-workflow (Execute Workflow) from both.",
				name: 'ownWorkflowNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: EVENT_OPTIONS,
				default: [...EVENT_TYPES],
				description:
					'The event types that start the workflow. Other event types are answered 200 and start nothing.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Accept Late Retries For (Hours)',
						name: 'lateRetryHours',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: DEFAULT_LATE_RETRY_HOURS,
						description:
							'CrewPass signs a delivery once and retries it later with the same timestamp. A correctly signed delivery older than the Timestamp Tolerance is still accepted (de-duplicated as usual) up to this age. 0 refuses every delivery older than the tolerance (CrewPass then dead-letters late retries).',
					},
					{
						displayName: 'Fetch Latest Details',
						name: 'fetchLatestDetails',
						type: 'boolean',
						default: false,
						description:
							'Whether to read the current state behind each event from the CrewPass API and add it as latest_details: the document (document events), the full compliance snapshot (compliance), the fleet row (status), the profile (profile). A failed read adds latest_details_error instead; the event is never lost.',
					},
					{
						displayName: 'Forget Event IDs After (Minutes)',
						name: 'forgetAfterMinutes',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description:
							'Forget a remembered event ID not seen for this long. 0 means no age limit (only Remembered Event IDs bounds the memory). Keep it longer than CrewPass’s retry window.',
					},
					{
						displayName: 'Output',
						name: 'output',
						type: 'options',
						options: [
							{
								name: 'Event Data',
								value: 'eventData',
								description:
									"The event data fields at the top level, with event_id, event_type, occurred_at, partner_id, received_at and state_key (the state the event describes, the same as the CrewPass Polling Trigger's for the same change)",
							},
							{
								name: 'Full Envelope',
								value: 'fullEnvelope',
								description:
									'The envelope as sent (data nested under data), with received_at and the delivery timestamp and secret used',
							},
						],
						default: 'eventData',
					},
					{
						displayName: 'Remembered Event IDs',
						name: 'rememberedEventIds',
						type: 'number',
						typeOptions: { minValue: 1, numberPrecision: 0 },
						default: DEFAULT_REMEMBERED_IDS,
						description:
							'How many recent event IDs to remember for de-duplication; the least recently seen are forgotten first',
					},
					{
						displayName: 'Timestamp Tolerance (Seconds)',
						name: 'timestampToleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_TOLERANCE_SECONDS,
						description:
							'Refuse a delivery whose X-CrewPass-Timestamp is further than this from the time on this n8n server (replay protection)',
					},
					{
						displayName: 'Unknown Event Types and Schema Versions',
						name: 'unknownEvents',
						type: 'options',
						options: [
							{
								name: 'Ignore',
								value: 'ignore',
								description:
									'Answer 200 and start nothing (logged). CrewPass adds event types without notice.',
							},
							{
								name: 'Start the Workflow',
								value: 'start',
								description:
									'Start the workflow with a correctly signed event of a type or schema version this node does not know, as sent',
							},
						],
						default: 'ignore',
					},
				],
			},
		],
	};

	/**
	 * CrewPass registers the callback URL by hand during onboarding: there is no API to create,
	 * check or delete a subscription, so these lifecycle steps have nothing to do. The webhook
	 * is always reported as existing, which stops n8n from trying to create one.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	/** Answers every delivery deliberately; never throws. */
	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		try {
			return (await handleDelivery(this)).result;
		} catch (error) {
			// Unexpected (e.g. the credential could not be read): 500 without details, so
			// CrewPass retries; nothing was recorded as seen.
			this.logger.warn(
				`CrewPass Trigger "${this.getNode().name}" could not handle a delivery (answered 500, CrewPass retries): ${error instanceof Error ? error.message : 'unknown error'}`,
			);
			try {
				const res = this.getResponseObject();
				if (!res.headersSent) res.status(500).json({ error: 'internal_error' });
			} catch {
				// No response object to answer on: n8n answers for us.
				return { webhookResponse: { error: 'internal_error' } };
			}
			return { noWebhookResponse: true };
		}
	}

	/**
	 * Runs inside the execution the event started, after CrewPass already has its 2xx: saves the
	 * event ids for de-duplication across restarts (n8n saves static data written here when the
	 * execution ends), adds the latest details when asked, and passes each event on with its
	 * pairedItem. Without Fetch Latest Details it makes no request and reads one parameter.
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const options = this.getNodeParameter('options', 0, {}) as TriggerOptions;
		persistAcceptedIds(
			this,
			items,
			{
				maxEntries: options.rememberedEventIds ?? DEFAULT_REMEMBERED_IDS,
				maxAgeMs: Math.max(0, options.forgetAfterMinutes ?? 0) * 60_000,
			},
			Date.now(),
		);
		const output: INodeExecutionData[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			if (!options.fetchLatestDetails) {
				output.push({
					json: items[itemIndex].json,
					binary: items[itemIndex].binary,
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			const json: IDataObject = { ...items[itemIndex].json };
			const data = (options.output === 'fullEnvelope' ? (json.data ?? {}) : json) as IDataObject;
			try {
				json.latest_details = await fetchLatestDetails(
					this,
					String(json.event_type),
					data,
					itemIndex,
				);
			} catch (error) {
				json.latest_details_error = describeLatestDetailsError(error);
			}
			output.push({ json, binary: items[itemIndex].binary, pairedItem: { item: itemIndex } });
		}
		return [output];
	}
}
