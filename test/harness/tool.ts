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
	INode,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

import { CrewPass } from '../../nodes/CrewPass/CrewPass.node';
import { harnessNode, nodeTypeRegistry, PACKAGE_NAME } from './index';

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
