import { NodeOperationError, updateDisplayOptions } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { lookupCrewMember } from '../../client';
import { unlessNotFound } from '../../transport/errors';
import type { ToolBound } from '../common/tool';
import { requireEmail } from '../common/validation';

const properties: INodeProperties[] = [
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'e.g. crew@example.com',
		default: '',
		required: true,
		description: 'The email address the crew member uses in CrewPass',
	},
	{
		displayName: 'If Not Found',
		name: 'ifNotFound',
		type: 'options',
		default: 'error',
		description: 'What to do when no crew member with this email is on your fleet',
		options: [
			{
				name: 'Error',
				value: 'error',
				description: 'Fail with a message saying the crew member is not on your fleet',
			},
			{
				name: 'Output Nothing',
				value: 'nothing',
				description: 'Output no item for this input item and carry on',
			},
		],
	},
];

export const description: INodeProperties[] = updateDisplayOptions(
	{ show: { resource: ['crewMember'], operation: ['findByEmail'] } },
	properties,
);

export const toolBound: ToolBound = { what: 'crew members', narrow: 'nothing to narrow: one item' };

/** `POST /employers/me/crew/lookup`: the crew_unique_id (and status, when shared) for an email. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const email = requireEmail(this, 'Email', this.getNodeParameter('email', itemIndex), itemIndex);
	const ifNotFound = this.getNodeParameter('ifNotFound', itemIndex, 'error') as string;
	// Only CrewPass's own not_found: a bare 404 (a wrong address) stays an error.
	const lookup = await unlessNotFound(this, lookupCrewMember(this, email, itemIndex), itemIndex);
	if (!lookup.found) {
		if (ifNotFound === 'nothing') return [];
		throw new NodeOperationError(
			this.getNode(),
			`No crew member with the email "${email}" is on your fleet [item ${itemIndex}]`,
			{
				description:
					'CrewPass only finds crew members on your own vessels (someone elsewhere in CrewPass looks the same as no one). Check the address, or set If Not Found to "Output Nothing" to skip such items.',
				itemIndex,
			},
		);
	}
	return [{ json: { email, ...lookup.value } }];
}
