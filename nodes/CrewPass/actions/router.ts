import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asNodeError, errorToJson } from '../transport/errors';
import { resources } from './resources';
import type { CrewPassResource } from './types';

/**
 * Runs the chosen operation once per input item. The one place that turns a failure into the
 * node error (asNodeError) or, with Continue On Fail, into an error item (errorToJson).
 */
export async function router(
	this: IExecuteFunctions,
	registry: Record<string, CrewPassResource> = resources,
): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operationName = this.getNodeParameter('operation', 0) as string;
	const operation = registry[resource]?.operations[operationName];
	if (!operation) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operationName}" of resource "${resource}" is not supported`,
			{ description: 'Pick a resource and an operation from the lists in the node.' },
		);
	}

	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const results = await operation.execute.call(this, itemIndex);
			// Operations return new items of their own: paired in place, not copied.
			for (const result of results) {
				result.pairedItem = { item: itemIndex };
				output.push(result);
			}
		} catch (caught) {
			const error = asNodeError(this, caught, itemIndex);
			error.context.itemIndex ??= itemIndex;
			if (!this.continueOnFail()) throw error;
			output.push({ json: errorToJson(error), pairedItem: { item: itemIndex } });
		}
	}
	return [output];
}
