import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { parameterError } from './validation';

/** "Put Output File in Field": the binary field a photo or file goes into. */
export function binaryPropertyParameter(what: 'photo' | 'file'): INodeProperties {
	return {
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: `The name of the output binary field to put the ${what} in`,
		description: `The binary field the ${what} goes into; other binary fields of the input item are kept`,
	};
}

/** The validated Put Output File in Field of one item (before any request). */
export function readBinaryPropertyName(
	this: IExecuteFunctions,
	itemIndex: number,
	what: 'photo' | 'file',
): string {
	const value = this.getNodeParameter('binaryPropertyName', itemIndex, 'data');
	const name = typeof value === 'string' ? value.trim() : '';
	if (!name) {
		throw parameterError(
			this,
			'Put Output File in Field',
			'is empty',
			itemIndex,
			`Enter the name of the binary field for the ${what}, e.g. data.`,
		);
	}
	return name;
}
