import { NodeConnectionTypes } from 'n8n-workflow';
import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { CREDENTIAL_NAME } from '../../credentials/CrewPassApi.credentials';
import { resourceParameter, resources } from './actions/resources';
import { router } from './actions/router';
import { TOOL_DESCRIPTION } from './actions/toolDescription';
import { searchCrewMembers, searchVessels } from './methods/listSearch';
import { getVessels } from './methods/loadOptions';

export class CrewPass implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'CrewPass',
		name: 'crewPass',
		icon: { light: 'file:crewpass.svg', dark: 'file:crewpass.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Read your fleet from the CrewPass Partner API: vessels, crew members, documents and compliance',
		defaults: { name: 'CrewPass' },
		usableAsTool: { replacements: { description: TOOL_DESCRIPTION } },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_NAME, required: true }],
		properties: [
			resourceParameter,
			...Object.values(resources).flatMap((resource) => resource.description),
		],
	};

	methods = {
		listSearch: { searchCrewMembers, searchVessels },
		loadOptions: { getVessels },
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
