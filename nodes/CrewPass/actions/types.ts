import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/**
 * One CrewPass operation: its parameters and what it does for one input item. The router adds
 * `pairedItem` to every returned item and handles Continue On Fail.
 */
export interface CrewPassOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
}

/** A resource: its operation selector and the operations by value. */
export interface CrewPassResource {
	description: INodeProperties[];
	operations: Record<string, CrewPassOperation>;
}
