import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { checkCompliance, listRoster } from '../../client';
import type { RosterRow } from '../../client';
import { mapWithConcurrency } from '../../shared/concurrency';
import { MAX_EXPIRY_WINDOW_DAYS } from '../../shared/dates';
import { errorToJson } from '../../transport/errors';
import { vesselIdsParameter } from '../common/locators';
import { listParameter, parameterError, requireIntegerInRange } from '../common/validation';
import { concurrencyFor } from '../../transport/pacing';
import { runsAsTool, TOOL_MAX_ITEMS } from '../common/tool';
import type { ToolBound } from '../common/tool';
import { isPerCrewMemberError, needsAttention } from './shared';

/**
 * Compliance checks in flight at once. The transport paces every request of the API key to
 * CrewPass's token buckets; enough checks stay in flight to reach the per-second rate while one
 * request (CrewPass's latency plus n8n's own work) takes up to ~515 ms. Checks beyond what the
 * budget allows wait in the pacer, not on the wire.
 */
export const FLEET_CONCURRENCY = concurrencyFor(515);

const UNREADABLE_OPTIONS = ['include', 'skip', 'fail'] as const;
type Unreadable = (typeof UNREADABLE_OPTIONS)[number];

const properties: INodeProperties[] = [
	vesselIdsParameter('Check only the crew on these vessels; leave empty for your whole fleet. '),
	{
		displayName: 'Only Those Needing Attention',
		name: 'onlyNeedingAttention',
		type: 'boolean',
		default: false,
		description:
			'Whether to output only crew members who are non_compliant, or at_risk with their next expiry inside the renewal window (plus those whose compliance could not be read, if they are output)',
	},
	{
		displayName: 'Renewal Window (Days)',
		name: 'attentionWindowDays',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: MAX_EXPIRY_WINDOW_DAYS },
		default: 30,
		description: `An at_risk crew member needs attention when their next_expiry_date is at most this many days away (0–${MAX_EXPIRY_WINDOW_DAYS})`,
		displayOptions: { show: { onlyNeedingAttention: [true] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Crew Members Whose Compliance Cannot Be Read',
				name: 'unreadable',
				type: 'options',
				default: 'include',
				description:
					"What to do when CrewPass refuses one crew member's compliance: they have not consented to share it (scope_not_consented) or left your fleet during the run (not_found). Other errors (API key, plan scope, rate limit, outage) always stop the node.",
				options: [
					{
						name: 'Output Them With the Error',
						value: 'include',
						description:
							'An item with their roster details and "compliance_error" (error, description, code, scope, requestId, httpCode) instead of a snapshot',
					},
					{ name: 'Skip Them', value: 'skip', description: 'Leave them out of the output' },
					{
						name: 'Stop the Node',
						value: 'fail',
						description:
							'Fail with the first such error (or output it as the error item with On Error: Continue)',
					},
				],
			},
		],
	},
];

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['compliance'], operation: ['checkFleet'] } },
	properties,
);

export const toolBound: ToolBound = {
	what: 'crew members',
	narrow: 'turn on Only Those Needing Attention, or set Vessel Names or IDs',
};

/** A promise's outcome as a value, so the caller decides what to do with a failure. */
async function settle<T>(
	promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
	try {
		return { ok: true, value: await promise };
	} catch (error) {
		return { ok: false, error };
	}
}

/** One roster row's identity, carried onto its output item. */
function rosterDetails(row: RosterRow): IDataObject {
	return {
		crew_unique_id: row.crew_unique_id,
		name: row.name,
		vessel_id: row.vessel_id,
		vessel_name: row.vessel_name,
		role: row.role,
	};
}

/**
 * The compliance snapshot of every crew member on the fleet (or the chosen vessels): the roster
 * (`GET employers/me/fleet`, pages of 200), then one `POST .../compliance-checks?vessel_id=` per
 * roster row with bounded concurrency, in roster order. As an AI agent tool the checks stop once
 * more than TOOL_MAX_ITEMS crew members are found (checkUntilEnough).
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const vesselIds = listParameter(this.getNodeParameter('vesselIds', itemIndex, []));
	const onlyNeedingAttention = this.getNodeParameter(
		'onlyNeedingAttention',
		itemIndex,
		false,
	) as boolean;
	const windowDays = onlyNeedingAttention
		? requireIntegerInRange(
				this,
				'Renewal Window (Days)',
				this.getNodeParameter('attentionWindowDays', itemIndex, 30),
				0,
				MAX_EXPIRY_WINDOW_DAYS,
				itemIndex,
			)
		: 0;
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const unreadable = (options.unreadable ?? 'include') as Unreadable;
	if (!UNREADABLE_OPTIONS.includes(unreadable)) {
		throw parameterError(
			this,
			'Options → Crew Members Whose Compliance Cannot Be Read',
			`"${String(unreadable)}" is not an option`,
			itemIndex,
			'Choose Output Them With the Error, Skip Them or Stop the Node.',
		);
	}

	const roster = await listRoster(this, { vesselIds }, itemIndex);
	const now = Date.now();
	const check = async (row: RosterRow): Promise<IDataObject | undefined> => {
		const crewMemberId = String(row.crew_unique_id ?? '');
		const vesselId =
			row.vessel_id === undefined || row.vessel_id === null ? undefined : String(row.vessel_id);
		const outcome = await settle(checkCompliance(this, crewMemberId, vesselId, itemIndex));
		if (outcome.ok) {
			if (onlyNeedingAttention && !needsAttention(outcome.value, windowDays, now)) return undefined;
			return { ...rosterDetails(row), ...outcome.value };
		}
		// Anything but a per-crew-member refusal ends the run (the pool stops starting checks).
		if (unreadable === 'fail' || !isPerCrewMemberError(outcome.error)) throw outcome.error;
		if (unreadable === 'skip') return undefined;
		return { ...rosterDetails(row), compliance_error: errorToJson(outcome.error) };
	};
	const found = runsAsTool(this)
		? await checkUntilEnough(this, roster, check)
		: await mapWithConcurrency(this, roster, FLEET_CONCURRENCY, check);
	return found.filter((json): json is IDataObject => json !== undefined).map((json) => ({ json }));
}

/**
 * As an AI agent tool, which gets at most TOOL_MAX_ITEMS items: the roster checked in order, a
 * pool's worth (FLEET_CONCURRENCY) at a time, until more than TOOL_MAX_ITEMS crew members are
 * output (then exactly TOOL_MAX_ITEMS + 1, which the router reports as "more than") or the roster
 * ends. The cost is the roster plus about TOOL_MAX_ITEMS + FLEET_CONCURRENCY checks, not one per
 * crew member (unless few of them are output, e.g. with Only Those Needing Attention).
 */
async function checkUntilEnough(
	ctx: IExecuteFunctions,
	roster: RosterRow[],
	check: (row: RosterRow) => Promise<IDataObject | undefined>,
): Promise<IDataObject[]> {
	const found: IDataObject[] = [];
	for (let start = 0; start < roster.length; start += FLEET_CONCURRENCY) {
		const chunk = roster.slice(start, start + FLEET_CONCURRENCY);
		const results = await mapWithConcurrency(ctx, chunk, FLEET_CONCURRENCY, check);
		found.push(...results.filter((json): json is IDataObject => json !== undefined));
		if (found.length > TOOL_MAX_ITEMS) return found.slice(0, TOOL_MAX_ITEMS + 1);
	}
	return found;
}
