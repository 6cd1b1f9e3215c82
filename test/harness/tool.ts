/**
 * The CrewPass node's AI agent tool variant, built as n8n builds it when it loads a package
 * (n8n 2.41 `dist/tool-generation/ai-tools.js`, createAiTools + convertNodeToAiTool): a deep copy
 * of the description with `usableAsTool.replacements` applied, the name + "Tool", no main inputs,
 * one ai_tool output; execute and methods are the node's own. Registered in the harness as
 * `n8n-nodes-crewpass.crewPassTool`.
 */
import { deepCopy, NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { CrewPass } from '../../nodes/CrewPass/CrewPass.node';
import { nodeTypeRegistry, PACKAGE_NAME } from './index';

export const CREWPASS_TOOL_NODE_TYPE = `${PACKAGE_NAME}.crewPassTool`;

/** n8n's conversion of a usableAsTool description into its tool variant. */
export function toolDescriptionOf(base: INodeTypeDescription): INodeTypeDescription {
	const usable = base.usableAsTool;
	const description = {
		...deepCopy(base),
		...(typeof usable === 'object' ? usable.replacements : {}),
	} as INodeTypeDescription;
	description.name += 'Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	description.displayName += ' Tool';
	delete description.usableAsTool;
	return description;
}

/** The tool variant as an INodeType, registered in the harness once. */
export function registerCrewPassTool(): INodeType {
	const node = new CrewPass();
	const tool: INodeType = {
		description: toolDescriptionOf(node.description),
		methods: node.methods,
		execute: node.execute,
	};
	nodeTypeRegistry[CREWPASS_TOOL_NODE_TYPE] = tool;
	return tool;
}
