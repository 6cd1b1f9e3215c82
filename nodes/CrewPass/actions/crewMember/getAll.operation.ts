import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { crewPassPaginate, MAX_PAGE_SIZE } from '../../transport';
import type { CrewPassContext } from '../../transport';
import { requireIntegerInRange } from '../common/validation';
import { readLimit, returnAllOrLimit } from '../common/returnAll';

const show = { resource: ['crewMember'], operation: ['getAll'] };

/** Sentinel filter values for rows whose status the crew member does not share with you. */
export const NOT_SHARED = 'notShared';
/** Sentinel filter value for `background_check_status: null` (no check on record). */
export const NO_CHECK = 'none';

export const description: INodeProperties[] = [
	...returnAllOrLimit(show),
	{
		displayName: 'Expiring Within Days',
		name: 'expiringWithinDays',
		type: 'number',
		default: 30,
		typeOptions: { minValue: 0, maxValue: 730 },
		description:
			'The window, in days from today (0–730), for counting documents about to expire: each crew member\'s "documents_expiring" counts their current documents expiring within it',
		displayOptions: { show },
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		description:
			'Keep only the crew members matching every filter set here. Filters are applied by n8n to the roster pages CrewPass returns, so a Limit counts matching crew members.',
		displayOptions: { show },
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
			{
				displayName: 'Vessel Names or IDs',
				name: 'vesselIds',
				type: 'multiOptions',
				default: [],
				typeOptions: { loadOptionsMethod: 'getVessels' },
				description:
					'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
		],
	},
];

export interface RosterOptions {
	/** Stop once this many (matching) crew members are collected; undefined = the whole roster. */
	limit?: number;
	/** `include_documents_expiring_within_days`, 0–730; CrewPass's default when undefined. */
	expiringWithinDays?: number;
	/** Keep only crew on these vessels (`vessel_id`). Empty or undefined = every vessel. */
	vesselIds?: string[];
	/** Keep only these verification statuses (`verification_status ?? status`; NOT_SHARED when absent). */
	verificationStatuses?: string[];
	/** Keep only these background-check statuses (NO_CHECK for null, NOT_SHARED when absent). */
	backgroundCheckStatuses?: string[];
	/** Keep only crew with `documents_expiring > 0`. */
	onlyExpiringDocuments?: boolean;
}

/** The verification status of a roster row, whichever shape it comes in. */
export function verificationStatusOf(row: IDataObject): string {
	const value = row.verification_status ?? row.status;
	return value === undefined || value === null ? NOT_SHARED : String(value);
}

/** The background-check status of a roster row: NO_CHECK for null, NOT_SHARED when absent. */
export function backgroundCheckStatusOf(row: IDataObject): string {
	if (!('background_check_status' in row) || row.background_check_status === undefined)
		return NOT_SHARED;
	return row.background_check_status === null ? NO_CHECK : String(row.background_check_status);
}

/** The client-side roster filter, or undefined when nothing filters. */
export function rosterFilter(options: RosterOptions): ((row: IDataObject) => boolean) | undefined {
	const vessels = new Set(options.vesselIds?.filter(Boolean) ?? []);
	const verification = new Set(options.verificationStatuses ?? []);
	const background = new Set(options.backgroundCheckStatuses ?? []);
	const expiring = options.onlyExpiringDocuments === true;
	if (!vessels.size && !verification.size && !background.size && !expiring) return undefined;
	return (row) =>
		(!vessels.size || vessels.has(String(row.vessel_id))) &&
		(!verification.size || verification.has(verificationStatusOf(row))) &&
		(!background.size || background.has(backgroundCheckStatusOf(row))) &&
		(!expiring || Number(row.documents_expiring) > 0);
}

/**
 * The fleet roster (`GET /employers/me/fleet`), one object per crew member, filtered. Pages of
 * up to 200; with a limit and no filter each page asks only for what is still missing; with a
 * filter, full pages until `limit` matching crew members are found, then no further request.
 * Parameters are expected to be validated already.
 */
export async function fetchRoster(
	ctx: CrewPassContext,
	itemIndex: number,
	options: RosterOptions = {},
): Promise<IDataObject[]> {
	const qs: IDataObject = {};
	if (options.expiringWithinDays !== undefined)
		qs.include_documents_expiring_within_days = options.expiringWithinDays;
	const { items } = await crewPassPaginate(ctx, {
		path: ['employers', 'me', 'fleet'],
		qs,
		limit: options.limit,
		pageSize: MAX_PAGE_SIZE,
		keep: rosterFilter(options),
		itemIndex,
	});
	return items;
}

/** A multiOptions value, also when an expression gives a string ("a, b") or a single value. */
export function listParameter(value: unknown): string[] {
	const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
	return values
		.filter((entry) => entry !== undefined && entry !== null)
		.map((entry) => String(entry).trim())
		.filter(Boolean);
}

/** Reads and validates the roster parameters of one item (before any request). */
export function rosterOptionsFor(this: IExecuteFunctions, itemIndex: number): RosterOptions {
	const limit = readLimit.call(this, itemIndex);
	const expiringWithinDays = requireIntegerInRange(
		this,
		'Expiring Within Days',
		this.getNodeParameter('expiringWithinDays', itemIndex, 30),
		0,
		730,
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

/** `GET /employers/me/fleet`: one item per crew member on your vessels. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const options = rosterOptionsFor.call(this, itemIndex);
	const roster = await fetchRoster(this, itemIndex, options);
	return roster.map((row) => ({ json: row }));
}
