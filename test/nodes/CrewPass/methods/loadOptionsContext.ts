/**
 * An ILoadOptionsFunctions as n8n builds it for a resource locator search or an options list:
 * n8n-core's own LoadOptionsContext, on a one-node workflow, with the harness credentials.
 */
import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	ILoadOptionsFunctions,
	INode,
	INodeParameters,
	INodeTypes,
	IWorkflowBase,
} from 'n8n-workflow';

import {
	additionalDataFor,
	CREWPASS_NODE_TYPE,
	nodeTypeRegistry,
	testCredentials,
} from '../../../harness';

const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypeRegistry[type],
	getByNameAndVersion: (type, version) =>
		NodeHelpers.getVersionedNodeType(nodeTypeRegistry[type], version),
	getKnownTypes: () => ({}),
};

export function loadOptionsContext(
	parameters: INodeParameters,
	path: string,
	credentials: ICredentialDataDecryptedObject = testCredentials(),
): ILoadOptionsFunctions {
	const node: INode = {
		id: 'crewpass-node',
		name: 'CrewPass',
		type: CREWPASS_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { crewPassApi: { id: '1', name: 'CrewPass account' } },
	};
	const workflowData = {
		id: 'load-options',
		name: 'load-options',
		nodes: [node],
		connections: {},
		active: false,
		settings: {},
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings: {},
	});
	const hooks = new ExecutionLifecycleHooks('manual', 'load-options', workflowData);
	return new LoadOptionsContext(
		workflow,
		node,
		additionalDataFor({ crewPassApi: credentials }, hooks),
		path,
	);
}
