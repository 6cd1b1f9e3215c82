import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

/** True for a CrewPass 404 (`not_found`): not on your fleet, does not exist, or (photo) no photo. */
export function isNotFound(error: unknown): error is NodeApiError {
	return (
		error instanceof NodeApiError &&
		(error.context.crewPassCode === 'not_found' || error.httpCode === '404')
	);
}

/** A caught value as the node error to throw: CrewPass errors as they are, anything else wrapped. */
export function asNodeError(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	caught: unknown,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (caught instanceof NodeApiError || caught instanceof NodeOperationError) return caught;
	return new NodeOperationError(ctx.getNode(), caught as Error, { itemIndex });
}
