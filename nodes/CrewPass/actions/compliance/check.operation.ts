import { updateDisplayOptions } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { checkCompliance } from '../../client';
import {
	crewMemberLocator,
	optionalVesselId,
	resolveCrewMemberId,
	vesselLocator,
} from '../common/locators';
import { pickFields, readSimplify, simplifyParameter } from '../common/simplify';
import type { ToolBound } from '../common/tool';
import { parameterError } from '../common/validation';

/** What Simplify keeps of a snapshot (Output: Snapshot). */
export const SIMPLE_SNAPSHOT_FIELDS = [
	'crew_unique_id',
	'vessel_id',
	'overall_status',
	'requirements_total',
	'requirements_met',
	'requirements_expiring',
	'requirements_expired',
	'requirements_missing',
	'next_expiry_date',
	'stcw_completion_percentage',
] as const;

/** What Simplify keeps of one requirement item (Output: One Item per Requirement). */
export const SIMPLE_REQUIREMENT_FIELDS = [
	'crew_unique_id',
	'vessel_id',
	'overall_status',
	'requirement_key',
	'title',
	'source',
	'status',
	'document_id',
	'expiry_date',
	'days_until_expiry',
] as const;

const properties: INodeProperties[] = [
	crewMemberLocator,
	vesselLocator({
		description:
			'The vessel of the position to check, when the crew member is on more than one of your vessels. Leave empty for their (only) position.',
	}),
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Snapshot',
				value: 'snapshot',
				description:
					'One item: overall status, counts, next expiry, requirements, STCW and medical',
			},
			{
				name: 'One Item per Requirement',
				value: 'requirements',
				description:
					'One item per role / STCW / medical requirement with its status and expiry, plus the crew member and overall status',
			},
		],
		default: 'snapshot',
	},
	{
		...simplifyParameter(SIMPLE_SNAPSHOT_FIELDS),
		displayOptions: { show: { output: ['snapshot'] } },
	},
	{
		...simplifyParameter(SIMPLE_REQUIREMENT_FIELDS),
		displayOptions: { show: { output: ['requirements'] } },
	},
];

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['compliance'], operation: ['check'] } },
	properties,
);

export const toolBound: ToolBound = {
	what: 'requirements',
	narrow: 'choose Output → Snapshot, or turn Simplify on',
};

/** `POST employers/me/crew/{id}/compliance-checks`: is the crew member certified for the role? */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const output = this.getNodeParameter('output', itemIndex, 'snapshot') as string;
	if (output !== 'snapshot' && output !== 'requirements') {
		throw parameterError(
			this,
			'Output',
			`"${String(output)}" is not an option`,
			itemIndex,
			'Choose Snapshot or One Item per Requirement.',
		);
	}
	const simplify = readSimplify.call(this, itemIndex);
	const vesselId = optionalVesselId.call(this, itemIndex);
	const crewMemberId = await resolveCrewMemberId.call(this, itemIndex);
	const snapshot = await checkCompliance(this, crewMemberId, vesselId, itemIndex);
	if (output === 'snapshot') {
		if (!simplify) return [{ json: snapshot }];
		const withVessel = vesselId === undefined ? snapshot : { vessel_id: vesselId, ...snapshot };
		return [{ json: pickFields(withVessel, SIMPLE_SNAPSHOT_FIELDS) }];
	}

	const requirements = Array.isArray(snapshot.requirements)
		? (snapshot.requirements as IDataObject[])
		: [];
	const context: IDataObject = {
		crew_unique_id: snapshot.crew_unique_id ?? crewMemberId,
		...(vesselId === undefined ? {} : { vessel_id: vesselId }),
		overall_status: snapshot.overall_status,
	};
	return requirements.map((requirement) => {
		const json = { ...context, ...requirement };
		return { json: simplify ? pickFields(json, SIMPLE_REQUIREMENT_FIELDS) : json };
	});
}
