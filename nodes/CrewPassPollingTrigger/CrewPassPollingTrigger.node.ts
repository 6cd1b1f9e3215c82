import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';

import { MAX_EXPIRY_WINDOW_DAYS } from '../CrewPass/shared/dates';
import { DEFAULT_MAX_SECONDS_PER_POLL, MAX_SECONDS_PER_POLL_LIMIT } from './budget';
import { CHANGE_OPTIONS } from './changes';
import { pollFleet } from './poll';

export class CrewPassPollingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CrewPass Polling Trigger',
		name: 'crewPassPollingTrigger',
		icon: {
			light: 'file:crewpassPollingTrigger.svg',
			dark: 'file:crewpassPollingTrigger.dark.svg',
		},
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ "Polls for " + ($parameter["events"] || []).length + " kinds of fleet change" }}',
		description:
			'Checks CrewPass on a schedule for fleet changes: joiners, leavers, moves, roles, status, expiring documents, vessels, compliance. Needs no public URL (pick the CrewPass Trigger for instant webhooks).',
		defaults: { name: 'CrewPass Polling Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'crewPassApi', required: true }],
		properties: [
			{
				displayName:
					'Each poll reads your whole fleet roster (ceil(roster rows / 200) requests; +1 with vessel changes) and compares it with the previous poll. Compliance and document changes are read crew member by crew member (1 request per roster row for compliance, 1 per crew member for documents), as many as fit in Max Seconds per Poll, each poll continuing where the last one stopped. CrewPass allows 1,000 requests per minute per API key, shared with every CrewPass node using the key: a full pass over 10,000 rows takes at least 10 minutes, whatever the poll interval, and longer when polls are far apart (a change shows cycle_started_at). The first poll records the roster; the first pass records compliance and documents.',
				name: 'costNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName:
					"Keep this trigger in a workflow without a CrewPass Trigger. n8n saves a workflow's stored data whole, and each poll that reports a change saves the copy loaded at activation: the CrewPass Trigger's remembered event IDs go back to that time, and after a restart redelivered events run again. To use both triggers, give each its own workflow and call one shared sub-workflow (Execute Workflow) from both.",
				name: 'ownWorkflowNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Trigger On',
				name: 'events',
				type: 'multiOptions',
				required: true,
				options: CHANGE_OPTIONS,
				default: [
					'crewJoinedVessel',
					'crewLeftVessel',
					'crewLeftFleet',
					'roleChanged',
					'verificationStatusChanged',
					'backgroundCheckStatusChanged',
				],
				description:
					'The fleet changes that start the workflow, one item per change. Roster changes cost one request per 200 rows; vessel, compliance and document changes cost more (see the notice above).',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Emit Current Roster on First Poll',
						name: 'emitCurrentRoster',
						type: 'boolean',
						default: false,
						description:
							'Whether the first poll outputs every current roster row as Crew Member Joined a Vessel (an initial load, e.g. of an HR register). Off: the first poll only records the fleet and outputs nothing.',
					},
					{
						displayName: 'Expiring Window (Days)',
						name: 'expiringWithinDays',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: MAX_EXPIRY_WINDOW_DAYS, numberPrecision: 0 },
						default: 30,
						description: `Documents Expiring counts a crew member's documents that expire within this many days (0–${MAX_EXPIRY_WINDOW_DAYS}). Changing it starts a new count: the next poll reports no expiring change.`,
					},
					{
						displayName: 'Mass-Leaver Guard (%)',
						name: 'leaverGuardPercent',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 100 },
						default: 10,
						description:
							'Stop a poll (an error, nothing output, not even other selected changes, the previous roster kept) in which more than this share of roster rows is missing, whatever changes are selected: a truncated roster would spoil the saved state for every change. 100 turns the guard off.',
					},
					{
						displayName: 'Mass-Leaver Guard Minimum Rows',
						name: 'leaverGuardMinRows',
						type: 'number',
						typeOptions: { minValue: 0, numberPrecision: 0 },
						default: 10,
						description:
							'The guard only stops a poll in which at least this many rows are missing, so one leaver from a small fleet is never stopped',
					},
					{
						displayName: 'Max Seconds per Poll',
						name: 'maxSecondsPerPoll',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: MAX_SECONDS_PER_POLL_LIMIT },
						default: DEFAULT_MAX_SECONDS_PER_POLL,
						description:
							"The longest one poll reads compliance and documents; the next poll continues where it stopped. n8n's durable scheduler may allow less (its poll timeout, N8N_SCHEDULER_POLL_TIMEOUT): the smaller wins. Keeps a watch from taking the API key's whole budget from other CrewPass nodes.",
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollFleet(this);
	}
}
