/**
 * The CrewPass node's AI agent tool variant, built as n8n 2.41 builds it (n8n's
 * `dist/tool-generation/ai-tools.js` convertNodeToAiTool, called from two places):
 * - the editor's node list (createAiTools): a deep copy of the description with
 *   `usableAsTool.replacements` applied, then converted;
 * - the type an execution runs (`NodeTypes.getByNameAndVersion` for a `…Tool` name): the node's
 *   own description, without the replacements, converted.
 * Converted means: the name + "Tool", no main inputs, one ai_tool output, and (the node has
 * resource and operation) the "Tool Description" parameters `descriptionType` (Set
 * Automatically / Set Manually, default auto) and `toolDescription` (shown for manual only,
 * default the description). execute and methods are the node's own. The execution variant is
 * registered in the harness as `n8n-nodes-crewpass.crewPassTool`.
 */
import { deepCopy, NodeConnectionTypes, NodeHelpers } from 'n8n-workflow';
import type {
	ExecutionError,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { CrewPass } from '../../nodes/CrewPass/CrewPass.node';
import {
	executeWorkflow,
	harnessNode,
	harnessWorkflow,
	nodeTypeRegistry,
	PACKAGE_NAME,
} from './index';

export const CREWPASS_TOOL_NODE_TYPE = `${PACKAGE_NAME}.crewPassTool`;

/** n8n's convertNodeToAiTool on a copy of `base`, after `replacements` when asked for. */
export function toolDescriptionOf(
	base: INodeTypeDescription,
	{ replacements = true }: { replacements?: boolean } = {},
): INodeTypeDescription {
	const usable = base.usableAsTool;
	const description = {
		...deepCopy(base),
		...(replacements && typeof usable === 'object' ? usable.replacements : {}),
	} as INodeTypeDescription;
	description.name += 'Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	description.displayName += ' Tool';
	delete description.usableAsTool;
	const hasResourceOrOperation = description.properties.some(
		(property) => property.name === 'resource' || property.name === 'operation',
	);
	const toolDescription: INodeProperties = {
		displayName: 'Description',
		name: 'toolDescription',
		type: 'string',
		default: description.description,
		required: true,
	};
	if (!hasResourceOrOperation) {
		description.properties.unshift(toolDescription);
		return description;
	}
	toolDescription.displayOptions = { show: { descriptionType: ['manual'] } };
	description.properties.unshift(
		{
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Set Automatically', value: 'auto' },
				{ name: 'Set Manually', value: 'manual' },
			],
			default: 'auto',
		},
		toolDescription,
	);
	return description;
}

/** The tool variant an execution runs, as an INodeType, registered in the harness once. */
export function registerCrewPassTool(): INodeType {
	const node = new CrewPass();
	const tool: INodeType = {
		description: toolDescriptionOf(node.description, { replacements: false }),
		methods: node.methods,
		execute: node.execute,
	};
	nodeTypeRegistry[CREWPASS_TOOL_NODE_TYPE] = tool;
	return tool;
}

/** The tool variant the editor lists (replacements applied): its Description default. */
export function editorToolDescription(): INodeTypeDescription {
	return toolDescriptionOf(new CrewPass().description);
}

/**
 * What the agent is told about a CrewPass tool node with these parameters, by n8n's own code
 * (n8n-workflow's getToolDescriptionForNode, as n8n-core's createNodeAsTool calls it) on the
 * type an execution runs. Without descriptionType and toolDescription: the default, Set
 * Automatically.
 */
export function agentSees(parameters: INodeParameters): string {
	const tool = registerCrewPassTool();
	const node: INode = harnessNode(parameters, { type: CREWPASS_TOOL_NODE_TYPE });
	return NodeHelpers.getToolDescriptionForNode(node, tool);
}

/** What one tool gave the harness agent: its name and description, and its answer or error. */
export interface AgentToolCall {
	/** The tool name the model sees (n8n's nodeNameToToolName of the node name). */
	name: string;
	/** The tool description the model sees. */
	description: string;
	/** The text the tool returned to the agent (n8n: JSON.stringify of the items' json). */
	result?: string;
	/** The message of the error the tool threw to the agent (n8n adds "Details: <description>"). */
	error?: string;
}

export const HARNESS_AGENT_NODE_TYPE = `${PACKAGE_NAME}.harnessAgent`;

/**
 * A test-only AI agent: asks n8n-core for the tools connected to its ai_tool input
 * (getInputConnectionData, which builds them with createNodeAsTool and runs them with
 * makeHandleToolInvocation, as n8n's AI Agent does) and calls each once with the `toolArgs`
 * parameter. One output item per tool: AgentToolCall.
 */
class HarnessAgent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Agent',
		name: 'harnessAgent',
		group: ['transform'],
		version: 1,
		description: 'Test-only',
		usableAsTool: true,
		defaults: { name: 'Agent' },
		inputs: [
			NodeConnectionTypes.Main,
			{ type: NodeConnectionTypes.AiTool, displayName: 'Tools', required: true },
		],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Tool Args', name: 'toolArgs', type: 'json', default: '{}' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const connected = await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0);
		const tools = (Array.isArray(connected) ? connected : [connected]) as Array<{
			name: string;
			description: string;
			invoke(args: IDataObject): Promise<unknown>;
		}>;
		const raw = this.getNodeParameter('toolArgs', 0, '{}');
		const args = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject;
		const calls: INodeExecutionData[] = [];
		for (const tool of tools) {
			const call: IDataObject = { name: tool.name, description: tool.description };
			try {
				call.result = String(await tool.invoke(args));
			} catch (error) {
				call.error = (error as Error).message;
			}
			calls.push({ json: call, pairedItem: { item: 0 } });
		}
		return [calls];
	}
}

export const TOOL_NODE_NAME = 'CrewPass Tool';

export interface AgentRunOptions {
	/** Parameters of the CrewPass tool node (resource, operation, ...). */
	parameters: INodeParameters;
	/** The tool node's On Error: "continueRegularOutput" (continueOnFail()). */
	continueOnFail?: boolean;
	/** Decrypted crewPassApi data; defaults to testCredentials(). */
	credentials?: ICredentialDataDecryptedObject;
	/** The tool node's name (the tool name is made from it). */
	nodeName?: string;
}

export interface AgentRunResult {
	/** What the agent got from the CrewPass tool. */
	call: AgentToolCall;
	/** The items the tool node produced, as n8n records them (its ai_tool output), if any. */
	toolItems: INodeExecutionData[];
	/** The error the workflow ended with, if the agent itself failed. */
	error?: ExecutionError;
}

/**
 * Runs a workflow "Agent ← CrewPass Tool" through WorkflowExecute: the CrewPass node as n8n 2.41
 * runs it for an AI agent (the execution variant of registerCrewPassTool, in a SupplyDataContext,
 * its input on the ai_tool connection), and returns what the agent got.
 */
export async function runAsAgentTool(options: AgentRunOptions): Promise<AgentRunResult> {
	registerCrewPassTool();
	nodeTypeRegistry[HARNESS_AGENT_NODE_TYPE] ??= new HarnessAgent();
	const agent: INode = harnessNode(
		{ toolArgs: '{}' },
		{
			id: 'agent',
			name: 'Agent',
			type: HARNESS_AGENT_NODE_TYPE,
			credentials: undefined,
		},
	);
	const toolNode = harnessNode(options.parameters, {
		id: 'crewpass-tool',
		name: options.nodeName ?? TOOL_NODE_NAME,
		type: CREWPASS_TOOL_NODE_TYPE,
		position: [0, 200],
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	});
	const { workflow, workflowData } = harnessWorkflow([agent, toolNode], {
		id: 'harness-agent',
		connections: {
			[toolNode.name]: {
				[NodeConnectionTypes.AiTool]: [
					[{ node: agent.name, type: NodeConnectionTypes.AiTool, index: 0 }],
				],
			},
		},
	});
	const run = await executeWorkflow(
		workflow,
		workflowData,
		agent,
		[{ json: {} }],
		options.credentials,
	);
	const agentTask = run.data.resultData.runData[agent.name]?.[0];
	const toolTask = run.data.resultData.runData[toolNode.name]?.[0];
	const calls = (agentTask?.data?.main?.[0] ?? []).map((item) => item.json as unknown);
	return {
		call: calls[0] as AgentToolCall,
		toolItems: toolTask?.data?.[NodeConnectionTypes.AiTool]?.[0] ?? [],
		error: agentTask?.error ?? run.data.resultData.error,
	};
}
