import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { ToolBound } from './common/tool';

/**
 * One CrewPass operation: its parameters, what it does for one input item, and how its output is
 * bounded for an AI agent. The router adds `pairedItem` to every returned item, handles Continue
 * On Fail and, as an AI agent tool, bounds and cleans the output (toolBound).
 */
export interface CrewPassOperation {
	description: INodeProperties[];
	toolBound: ToolBound;
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
}

/** A resource: its operation selector and the operations by value. */
export interface CrewPassResource {
	description: INodeProperties[];
	operations: Record<string, CrewPassOperation>;
}
