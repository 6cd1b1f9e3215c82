import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { asNodeError, errorToJson } from '../transport/errors';
import { boundForTool, runsAsTool, toolSafeError, toolSafeItem, toolSafeJson } from './common/tool';
import { resources } from './resources';
import type { CrewPassOperation, CrewPassResource } from './types';

/**
 * The items of one input item as an AI agent gets them: bounded (operation.toolBound) and without
 * binary data, credentials or download links (unless the author allowed links).
 */
function forAgent(
	this: IExecuteFunctions,
	operation: CrewPassOperation,
	results: INodeExecutionData[],
	itemIndex: number,
): INodeExecutionData[] {
	const allowLinks = operation.toolBound.linksAllowed?.call(this, itemIndex) ?? false;
	const safe = results.map((result) => toolSafeItem(result, allowLinks));
	return boundForTool(safe, operation.toolBound);
}

/**
 * Runs the chosen operation once per input item. The one place that turns a failure into the
 * node error (asNodeError) or, with Continue On Fail, into an error item (errorToJson); as an AI
 * agent tool, also the one place that bounds and cleans what the agent gets (forAgent).
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

	const asTool = runsAsTool(this);
	const output: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const operationResults = await operation.execute.call(this, itemIndex);
			const results = asTool
				? forAgent.call(this, operation, operationResults, itemIndex)
				: operationResults;
			// Operations return new items of their own: paired in place, not copied.
			for (const result of results) {
				result.pairedItem = { item: itemIndex };
				output.push(result);
			}
		} catch (caught) {
			const error = asNodeError(this, caught, itemIndex);
			error.context.itemIndex ??= itemIndex;
			if (asTool) toolSafeError(error);
			if (!this.continueOnFail()) throw error;
			const json = asTool ? toolSafeJson(errorToJson(error)) : errorToJson(error);
			output.push({ json, pairedItem: { item: itemIndex } });
		}
	}
	return [output];
}
