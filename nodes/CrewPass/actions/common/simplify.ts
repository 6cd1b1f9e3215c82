import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

/** n8n's Simplify toggle (UX guidelines): on by default, at most 10 fields. */
export function simplifyParameter(fields: readonly string[]): INodeProperties {
	return {
		displayName: 'Simplify',
		name: 'simplify',
		type: 'boolean',
		default: true,
		description: 'Whether to return a simplified version of the response instead of the raw data',
		hint: `Simplified: ${fields.join(', ')}`,
	};
}

/** Whether Simplify is on for one item (on when the parameter is absent). */
export function readSimplify(this: IExecuteFunctions, itemIndex: number): boolean {
	return this.getNodeParameter('simplify', itemIndex, true) !== false;
}

/** Only `fields`, in that order; a field the object lacks is left out, never an error. */
export function pickFields(source: IDataObject, fields: readonly string[]): IDataObject {
	const picked: IDataObject = {};
	for (const field of fields) {
		if (source[field] !== undefined) picked[field] = source[field];
	}
	return picked;
}
