import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asNodeError } from './common/errors';
import { resources } from './resources';
import type { CrewPassResource } from './types';

/** The error item Continue On Fail outputs: what happened and how to fix it, never a secret. */
function errorItem(
	error: NodeApiError | NodeOperationError,
	itemIndex: number,
): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	for (const key of ['crewPassCode', 'scope', 'requestId'] as const) {
		if (error.context[key] !== undefined)
			json[key === 'crewPassCode' ? 'code' : key] = error.context[key] as string;
	}
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	return { json, pairedItem: { item: itemIndex } };
}

/** Runs the chosen operation once per input item. */
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
			for (const result of results) output.push({ ...result, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error = asNodeError(this, caught, itemIndex);
			error.context.itemIndex ??= itemIndex;
			if (!this.continueOnFail()) throw error;
			output.push(errorItem(error, itemIndex));
		}
	}
	return [output];
}
