/**
 * The shape checks of CrewPass answers, in one place: what is wrong with a list page (`items`,
 * each row's id, the crew member it belongs to, `next_cursor`) or a compliance snapshot. Pure
 * functions returning the problem, or undefined when the answer has the contract's shape; the
 * pager and the client turn a problem into a NodeApiError (malformedAnswer). An answer the node
 * cannot use is refused, never read as "nothing" (an empty list, an empty snapshot): what is read
 * as nothing this time would come back as something new the next time.
 */
import { NodeApiError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import type { CrewPassContext } from './request';

/** What is wrong with an answer, and what the user can do about it. */
export interface AnswerProblem {
	problem: string;
	description: string;
}

/** What a list page must hold besides an `items` list of objects. */
export interface ListShape {
	/** The field every row must carry as a non-empty string: its id (`document_id`, ...). */
	rowId?: string;
	/** The crew member the list is about: an answer or row naming another one is refused. */
	crewId?: string;
}

const CHECK_SOURCE =
	'Check the Environment / Base URL of the CrewPass API credential (a proxy or a web page may be answering), or report it to CrewPass support.';

/** How a value is named in a problem: its JSON type. */
export function typeOf(value: unknown): string {
	if (value === undefined) return 'missing';
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'object') return 'an object';
	return `a ${typeof value}`;
}

function shown(value: unknown): string {
	return typeof value === 'string' ? `"${value.slice(0, 40)}"` : typeOf(value);
}

/**
 * An answer (or one of its rows) that names a crew member other than the one asked for. A missing
 * `crew_unique_id` is no contradiction; any other value than `crewId` is.
 */
export function otherCrewMember(
	value: unknown,
	crewId: string,
	where: string,
): AnswerProblem | undefined {
	if (value === undefined || value === crewId) return undefined;
	return {
		problem: `${where} is for crew member ${shown(value)}, not ${crewId}`,
		description: `The answer is about someone other than the crew member asked for, so none of it is used. ${CHECK_SOURCE}`,
	};
}

/** What is wrong with one page of a CrewPass list, or undefined. */
export function listPageProblem(
	answer: IDataObject,
	shape: ListShape = {},
): AnswerProblem | undefined {
	const items = answer.items;
	if (!Array.isArray(items)) {
		return {
			problem: `"items" is ${typeOf(items)}, not a list`,
			description: `Every CrewPass list answers with an "items" list, even when it is empty; this answer is not the shape the contract gives. ${CHECK_SOURCE}`,
		};
	}
	const bad = items.findIndex((row) => typeOf(row) !== 'an object');
	if (bad !== -1) {
		return {
			problem: `item ${bad} of the page is ${typeOf(items[bad])}, not an object`,
			description: `Every entry of "items" must be a JSON object. ${CHECK_SOURCE}`,
		};
	}
	const next = answer.next_cursor;
	if (next !== undefined && next !== null && typeof next !== 'string') {
		return {
			problem: `"next_cursor" is ${typeOf(next)}, not a string or null`,
			description:
				'The page cursor must be a string (or null on the last page). Report it to CrewPass support.',
		};
	}
	if (shape.crewId !== undefined) {
		const other = otherCrewMember(answer.crew_unique_id, shape.crewId, 'the answer');
		if (other) return other;
	}
	for (let i = 0; i < items.length; i++) {
		const fields = items[i] as IDataObject;
		if (shape.rowId !== undefined) {
			const id = fields[shape.rowId];
			if (typeof id !== 'string' || id === '') {
				return {
					problem:
						typeof id === 'string' || id === undefined || id === null
							? `item ${i} of the page has no ${shape.rowId}`
							: `item ${i} of the page has a ${shape.rowId} that is ${typeOf(id)}, not a string`,
					description: `Every entry must name what it is (its ${shape.rowId}); an entry without it cannot be told apart from the others. ${CHECK_SOURCE}`,
				};
			}
		}
		if (shape.crewId !== undefined) {
			const other = otherCrewMember(fields.crew_unique_id, shape.crewId, `item ${i} of the page`);
			if (other) return other;
		}
	}
	return undefined;
}

/** What is wrong with a compliance snapshot (`POST .../compliance-checks`), or undefined. */
export function complianceProblem(answer: IDataObject, crewId: string): AnswerProblem | undefined {
	const other = otherCrewMember(answer.crew_unique_id, crewId, 'the compliance snapshot');
	if (other) return other;
	const status = answer.overall_status;
	if (typeof status !== 'string' || status === '') {
		return {
			problem: `"overall_status" is ${typeOf(status)}, not a status`,
			description: `Every compliance snapshot says whether the crew member is compliant ("overall_status"); this answer does not. ${CHECK_SOURCE}`,
		};
	}
	const requirements = answer.requirements;
	if (requirements !== undefined && !Array.isArray(requirements)) {
		return {
			problem: `"requirements" is ${typeOf(requirements)}, not a list`,
			description: `The requirements of a compliance snapshot are a list. ${CHECK_SOURCE}`,
		};
	}
	return undefined;
}

/**
 * The error for an answer the node cannot use, naming what it was (`a list page`) and the request
 * (`GET /api/v2/...`).
 */
export function malformedAnswer(
	ctx: CrewPassContext,
	answer: string,
	what: string,
	{ problem, description }: AnswerProblem,
	itemIndex?: number,
): NodeApiError {
	return new NodeApiError(
		ctx.getNode(),
		{ message: problem },
		{
			message: `CrewPass sent ${answer} the node cannot use: ${problem} (${what})`,
			description,
			itemIndex,
		},
	);
}
