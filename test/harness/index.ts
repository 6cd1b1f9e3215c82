/**
 * Runs CrewPass nodes through real n8n-core execution (WorkflowExecute), as n8n runs them:
 * parameters are resolved by n8n, credentials go through the credential type's generic
 * authenticator, HTTP goes through n8n-core's client (which nock intercepts).
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	ExecutionError,
	IDataObject,
	ICredentialDataDecryptedObject,
	ICredentials,
	ICredentialType,
	IConnections,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypes,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { CrewPassApi } from '../../credentials/CrewPassApi.credentials';
import { CrewPass } from '../../nodes/CrewPass/CrewPass.node';

export const PACKAGE_NAME = 'n8n-nodes-crewpass';
export const CREWPASS_NODE_TYPE = `${PACKAGE_NAME}.crewPass`;

const credentialTypes: Record<string, ICredentialType> = { crewPassApi: new CrewPassApi() };

/** Node types by full type name; tests may register more (e.g. the trigger). */
export const nodeTypeRegistry: Record<string, INodeType | IVersionedNodeType> = {
	[CREWPASS_NODE_TYPE]: new CrewPass(),
};

/** Resolves node types from `nodeTypeRegistry`, as n8n's NodeTypes does from loaded packages. */
class HarnessNodeTypes implements INodeTypes {
	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = nodeTypeRegistry[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.getByName(nodeType), version);
	}

	getKnownTypes() {
		return {};
	}
}

/** Holds the decrypted credentials a test provides and applies generic authenticators. */
class HarnessCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly data: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = credentialTypes[typeName]?.authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!authenticate || authenticate.type !== 'generic') return requestOptions;
		if (!workflow || !node) throw new Error('The harness needs workflow and node to authenticate');
		const resolve = (value: string) =>
			workflow.expression.getSimpleParameterValue(
				node,
				value,
				'manual',
				{ $credentials: credentials },
				undefined,
				value,
			) as string;
		const headers = { ...(requestOptions.headers ?? {}) };
		for (const [name, value] of Object.entries(authenticate.properties.headers ?? {})) {
			headers[name] = resolve(String(value));
		}
		const qs = { ...(requestOptions.qs ?? {}) };
		for (const [name, value] of Object.entries(authenticate.properties.qs ?? {})) {
			qs[name] = resolve(String(value));
		}
		return { ...requestOptions, headers, qs };
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	async getCredentials(): Promise<ICredentials> {
		throw new Error('not used by the harness');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_nodeCredentials: unknown,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const data = this.data[type];
		if (!data) throw new Error(`No credentials of type ${type} were given to the harness`);
		return data;
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type]?.properties ?? [];
	}
}

export const TEST_BASE_URL = 'https://crewpass.test';
export const TEST_API_KEY = 'cpk_test_harness_key';

/** Credentials for a Custom environment on the nock host; override fields per test. */
export function testCredentials(
	overrides: ICredentialDataDecryptedObject = {},
): ICredentialDataDecryptedObject {
	return { apiKey: TEST_API_KEY, environment: 'custom', baseUrl: TEST_BASE_URL, ...overrides };
}

export function additionalDataFor(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	hooks: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		credentialsHelper: new HarnessCredentialsHelper(credentials),
		hooks,
		executeWorkflow: async () => {
			throw new Error('executeWorkflow is not supported by the harness');
		},
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: base,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		userId: 'harness-user',
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunNodeOptions {
	parameters: INodeParameters;
	/** Decrypted crewPassApi data; defaults to testCredentials(). */
	credentials?: ICredentialDataDecryptedObject;
	/** The node's input items; one empty item by default. */
	input?: INodeExecutionData[];
	/** Sets the node's On Error to "continueRegularOutput" (drives continueOnFail()). */
	continueOnFail?: boolean;
	nodeType?: string;
}

export interface RunNodeResult {
	/** The node's first output. */
	items: INodeExecutionData[];
	/** The error the node ended with, if it failed. */
	error?: ExecutionError;
	run: IRun;
}

export const NODE_NAME = 'CrewPass';

/** A CrewPass node (or another registered type) with the harness credential attached. */
export function harnessNode(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
	return {
		id: 'crewpass-node',
		name: NODE_NAME,
		type: CREWPASS_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { crewPassApi: { id: '1', name: 'CrewPass account' } },
		...extra,
	};
}

/**
 * A workflow as n8n would load it, its saved form and the live Workflow: one node, or several
 * with their `connections` (e.g. a tool connected to an agent).
 */
export function harnessWorkflow(
	node: INode | INode[],
	options: {
		id?: string;
		active?: boolean;
		staticData?: IDataObject;
		connections?: IConnections;
	} = {},
): { workflow: Workflow; workflowData: IWorkflowBase } {
	const workflowData = {
		id: options.id ?? 'harness',
		name: options.id ?? 'harness',
		nodes: Array.isArray(node) ? node : [node],
		connections: options.connections ?? {},
		active: options.active ?? false,
		settings: {},
		staticData: options.staticData,
	} as unknown as IWorkflowBase;
	const workflow = new Workflow({
		id: workflowData.id,
		name: workflowData.name,
		nodes: workflowData.nodes,
		connections: workflowData.connections,
		active: workflowData.active,
		nodeTypes: new HarnessNodeTypes(),
		staticData: workflowData.staticData,
		settings: {},
	});
	return { workflow, workflowData };
}

/**
 * Runs `workflow` through WorkflowExecute.processRunExecutionData from `start`, fed with `input`,
 * and resolves with the finished run.
 */
export async function executeWorkflow(
	workflow: Workflow,
	workflowData: IWorkflowBase,
	start: INode,
	input: INodeExecutionData[],
	credentials: ICredentialDataDecryptedObject = testCredentials(),
): Promise<IRun> {
	const hooks = new ExecutionLifecycleHooks('manual', `${workflowData.id}-execution`, workflowData);
	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));

	const additionalData = additionalDataFor({ crewPassApi: credentials }, hooks);
	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: start, data: { main: [input] }, source: null }],
		},
	});
	const execute = new WorkflowExecute(additionalData, 'manual', runExecutionData);
	await execute.processRunExecutionData(workflow);
	return await finished;
}

/** Executes one node, fed with `input`, through WorkflowExecute.processRunExecutionData. */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	const node = harnessNode(options.parameters, {
		type: options.nodeType ?? CREWPASS_NODE_TYPE,
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	});
	const { workflow, workflowData } = harnessWorkflow(node);
	const run = await executeWorkflow(
		workflow,
		workflowData,
		node,
		options.input ?? [{ json: {} }],
		options.credentials,
	);

	const taskData = run.data.resultData.runData[NODE_NAME]?.[0];
	return {
		items: taskData?.data?.main?.[0] ?? [],
		error: taskData?.error ?? run.data.resultData.error,
		run,
	};
}
