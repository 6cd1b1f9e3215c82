/**
 * An ILoadOptionsFunctions as n8n builds it for a resource locator search or an options list:
 * n8n-core's own LoadOptionsContext, on a one-node workflow, with the harness credentials.
 */
import { ExecutionLifecycleHooks, LoadOptionsContext } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ILoadOptionsFunctions,
	INodeParameters,
} from 'n8n-workflow';

import { additionalDataFor, harnessNode, harnessWorkflow, testCredentials } from './index';

export function loadOptionsContext(
	parameters: INodeParameters,
	path: string,
	credentials: ICredentialDataDecryptedObject = testCredentials(),
): ILoadOptionsFunctions {
	const node = harnessNode(parameters);
	const { workflow, workflowData } = harnessWorkflow(node, { id: 'load-options' });
	const hooks = new ExecutionLifecycleHooks('manual', 'load-options', workflowData);
	return new LoadOptionsContext(
		workflow,
		node,
		additionalDataFor({ crewPassApi: credentials }, hooks),
		path,
	);
}
