import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { listRoster, NO_CHECK, NOT_SHARED } from '../../client';
import type { RosterQuery } from '../../client';
import { MAX_EXPIRY_WINDOW_DAYS } from '../../shared/dates';
import { vesselIdsParameter } from '../common/locators';
import { listParameter, requireIntegerInRange } from '../common/validation';
import { readLimit, returnAllOrLimit } from '../common/returnAll';
import { toolLimit } from '../common/tool';
import type { ToolBound } from '../common/tool';

const properties: INodeProperties[] = [
	...returnAllOrLimit,
	{
		displayName: 'Expiring Within Days',
		name: 'expiringWithinDays',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0, maxValue: MAX_EXPIRY_WINDOW_DAYS },
		description: `The window, in days from today (0–${MAX_EXPIRY_WINDOW_DAYS}), for counting documents about to expire: each crew member's "documents_expiring" counts their current documents expiring within it`,
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description:
			'Keep only the crew members matching every filter set here. Filters are applied by n8n to the roster pages CrewPass returns, so a Limit counts matching crew members.',
		options: [
			{
				displayName: 'Background Check Status',
				name: 'backgroundCheckStatuses',
				type: 'multiOptions',
				default: [],
				description:
					'Keep crew members whose background-check status is one of these. "None" means no check on record; "Not Shared" means the crew member does not share status with you.',
				options: [
					{ name: 'Awaiting', value: 'awaiting' },
					{ name: 'Completed', value: 'completed' },
					{ name: 'Declined', value: 'declined' },
					{ name: 'Expired', value: 'expired' },
					{ name: 'In Progress', value: 'in-progress' },
					{ name: 'None (No Check on Record)', value: NO_CHECK },
					{ name: 'Not Shared', value: NOT_SHARED },
					{ name: 'Pending', value: 'pending' },
				],
			},
			{
				displayName: 'Only With Expiring Documents',
				name: 'onlyExpiringDocuments',
				type: 'boolean',
				default: false,
				description:
					'Whether to keep only crew members with at least one document expiring within the Expiring Within Days window',
			},
			{
				displayName: 'Verification Status',
				name: 'verificationStatuses',
				type: 'multiOptions',
				default: [],
				description:
					'Keep crew members whose verification status ("verification_status", or "status" in older answers) is one of these. "Not Shared" means the crew member does not share status with you.',
				options: [
					{ name: 'Active', value: 'active' },
					{ name: 'Not Shared', value: NOT_SHARED },
					{ name: 'Pending', value: 'pending' },
					{ name: 'Unverified', value: 'unverified' },
					{ name: 'Verified', value: 'verified' },
				],
			},
			vesselIdsParameter('Keep crew members on these vessels. '),
		],
	},
];

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['crewMember'], operation: ['getAll'] } },
	properties,
);

export const toolBound: ToolBound = {
	what: 'crew members',
	narrow:
		'set Filters → Vessel Names or IDs, Verification Status, Background Check Status or Only With Expiring Documents, or a smaller Limit',
};

/** Reads and validates the roster parameters of one item (before any request). */
export function rosterQueryFor(this: IExecuteFunctions, itemIndex: number): RosterQuery {
	const limit = readLimit.call(this, itemIndex);
	const expiringWithinDays = requireIntegerInRange(
		this,
		'Expiring Within Days',
		this.getNodeParameter('expiringWithinDays', itemIndex, 30),
		0,
		MAX_EXPIRY_WINDOW_DAYS,
		itemIndex,
	);
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	return {
		limit,
		expiringWithinDays,
		vesselIds: listParameter(filters.vesselIds),
		verificationStatuses: listParameter(filters.verificationStatuses),
		backgroundCheckStatuses: listParameter(filters.backgroundCheckStatuses),
		onlyExpiringDocuments: filters.onlyExpiringDocuments === true,
	};
}

/**
 * `GET /employers/me/fleet`: one item per crew member on your vessels. As an AI agent tool the
 * roster is read only up to toolLimit (one request without filters).
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const query = rosterQueryFor.call(this, itemIndex);
	const roster = await listRoster(
		this,
		{ ...query, limit: toolLimit(this, query.limit) },
		itemIndex,
	);
	return roster.map((row) => ({ json: row }));
}
