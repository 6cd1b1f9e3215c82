import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { isValidId } from '../../transport';

/** Errors for bad parameters, raised before any request: name the parameter and the item. */
export function parameterError(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	parameter: string,
	problem: string,
	itemIndex: number,
	fix: string,
): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), `${parameter}: ${problem} [item ${itemIndex}]`, {
		description: fix,
		itemIndex,
	});
}

/** A CrewPass id (crew_…, ves_…, doc_…): trimmed, non-empty, only the characters ids have. */
export function requireId(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	parameter: string,
	value: unknown,
	itemIndex: number,
): string {
	const id = typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
	if (!id) {
		throw parameterError(
			ctx,
			parameter,
			'is empty',
			itemIndex,
			`Enter the ${parameter} or pick one from the list.`,
		);
	}
	if (!isValidId(id)) {
		throw parameterError(
			ctx,
			parameter,
			`"${id.slice(0, 60)}" is not a valid ID`,
			itemIndex,
			`CrewPass IDs are letters, digits, "_" and "-" only (at most 128), e.g. crew_001. Enter the ${parameter} exactly as CrewPass gives it. Nothing was sent.`,
		);
	}
	return id;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function requireEmail(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	parameter: string,
	value: unknown,
	itemIndex: number,
): string {
	const email = typeof value === 'string' ? value.trim() : '';
	if (!EMAIL.test(email)) {
		throw parameterError(
			ctx,
			parameter,
			email ? `"${email}" is not a valid email address` : 'is empty',
			itemIndex,
			'Enter the email address the crew member uses in CrewPass, e.g. crew@example.com.',
		);
	}
	return email;
}

/** A whole number inside [min, max]. */
export function requireIntegerInRange(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	parameter: string,
	value: unknown,
	min: number,
	max: number,
	itemIndex: number,
): number {
	const number = typeof value === 'number' ? value : Number(value);
	if (!Number.isInteger(number) || number < min || number > max) {
		throw parameterError(
			ctx,
			parameter,
			`${String(value)} is outside ${min}–${max}`,
			itemIndex,
			`Enter a whole number from ${min} to ${max}.`,
		);
	}
	return number;
}

/** The Limit of a Get Many operation: a whole number of at least 1. */
export function requireLimit(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	value: unknown,
	itemIndex: number,
	parameter = 'Limit',
): number {
	const number = typeof value === 'number' ? value : Number(value);
	if (!Number.isInteger(number) || number < 1) {
		throw parameterError(
			ctx,
			parameter,
			`${String(value)} is not a whole number of at least 1`,
			itemIndex,
			'Enter how many results you want (1 or more), or turn on Return All.',
		);
	}
	return number;
}

/** A multiOptions value, also when an expression gives a string ("a, b") or a single value. */
export function listParameter(value: unknown): string[] {
	const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
	return values
		.filter((entry) => entry !== undefined && entry !== null)
		.map((entry) => String(entry).trim())
		.filter(Boolean);
}
