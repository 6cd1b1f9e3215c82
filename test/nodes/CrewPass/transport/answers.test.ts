/**
 * Issue 23: the shape checks of CrewPass answers (transport/answers.ts), as pure functions, and
 * what the CrewPass node's own operations make of an answer that fails them: a clear error,
 * never an empty list or an empty snapshot.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import {
	complianceProblem,
	listPageProblem,
	otherCrewMember,
} from '../../../../nodes/CrewPass/transport/answers';
import { runNode } from '../../../harness';
import { crewPass, guardRequests } from '../fixtures/http';

const problemOf = (answer: IDataObject, shape?: Parameters<typeof listPageProblem>[1]) =>
	listPageProblem(answer, shape)?.problem;

describe('listPageProblem', () => {
	it('accepts the contract shapes, an empty list included', () => {
		expect(problemOf({ items: [], next_cursor: null })).toBeUndefined();
		expect(
			problemOf(
				{ items: [{ crew_unique_id: 'crew_1' }], next_cursor: 'c2' },
				{ rowId: 'crew_unique_id' },
			),
		).toBeUndefined();
		expect(
			problemOf(
				{ crew_unique_id: 'crew_1', items: [{ document_id: 'doc_1' }] },
				{ rowId: 'document_id', crewId: 'crew_1' },
			),
		).toBeUndefined();
		// A row may name its crew member too, as long as it is the one asked for.
		expect(
			problemOf(
				{ items: [{ document_id: 'doc_1', crew_unique_id: 'crew_1' }] },
				{ rowId: 'document_id', crewId: 'crew_1' },
			),
		).toBeUndefined();
	});

	it.each([
		['no items', {}, undefined, '"items" is missing, not a list'],
		['items null', { items: null }, undefined, '"items" is null, not a list'],
		['items an object', { items: { 0: {} } }, undefined, '"items" is an object, not a list'],
		['a row that is a number', { items: [{}, 3] }, undefined, 'item 1 of the page is a number'],
		['next_cursor a number', { items: [], next_cursor: 3 }, undefined, '"next_cursor" is a number'],
		[
			'a row without its id',
			{ items: [{ vessel_id: 'ves_1' }, { vessel_name: 'x' }] },
			{ rowId: 'vessel_id' },
			'item 1 of the page has no vessel_id',
		],
		['an empty id', { items: [{ vessel_id: '' }] }, { rowId: 'vessel_id' }, 'has no vessel_id'],
		[
			'a number for an id',
			{ items: [{ vessel_id: 7 }] },
			{ rowId: 'vessel_id' },
			'item 0 of the page has a vessel_id that is a number, not a string',
		],
		[
			'an answer for another crew member',
			{ crew_unique_id: 'crew_2', items: [] },
			{ crewId: 'crew_1' },
			'the answer is for crew member "crew_2", not crew_1',
		],
		[
			'a row for another crew member',
			{ items: [{ document_id: 'doc_1', crew_unique_id: 'crew_2' }] },
			{ rowId: 'document_id', crewId: 'crew_1' },
			'item 0 of the page is for crew member "crew_2", not crew_1',
		],
	] as const)('refuses %s', (_name, answer, shape, problem) => {
		const found = listPageProblem(answer as IDataObject, shape);
		expect(found?.problem).toContain(problem);
		expect(found?.description).toMatch(/Base URL|CrewPass support/);
	});
});

describe('complianceProblem', () => {
	const snapshot = { crew_unique_id: 'crew_1', overall_status: 'compliant', requirements: [] };

	it('accepts a snapshot, with or without its crew_unique_id and requirements', () => {
		expect(complianceProblem(snapshot, 'crew_1')).toBeUndefined();
		expect(complianceProblem({ overall_status: 'at_risk' }, 'crew_1')).toBeUndefined();
	});

	it.each([
		['an empty answer', {}, '"overall_status" is missing'],
		['no overall_status', { crew_unique_id: 'crew_1' }, '"overall_status" is missing'],
		[
			'an empty overall_status',
			{ ...snapshot, overall_status: '' },
			'"overall_status" is a string',
		],
		['requirements not a list', { ...snapshot, requirements: {} }, '"requirements" is an object'],
		[
			'another crew member',
			{ ...snapshot, crew_unique_id: 'crew_9' },
			'the compliance snapshot is for crew member "crew_9", not crew_1',
		],
	] as const)('refuses %s', (_name, answer, problem) => {
		expect(complianceProblem(answer as IDataObject, 'crew_1')?.problem).toContain(problem);
	});
});

describe('otherCrewMember', () => {
	it('is a problem only when another crew member is named', () => {
		expect(otherCrewMember(undefined, 'crew_1', 'x')).toBeUndefined();
		expect(otherCrewMember('crew_1', 'crew_1', 'x')).toBeUndefined();
		expect(otherCrewMember(null, 'crew_1', 'x')?.problem).toBe(
			'x is for crew member null, not crew_1',
		);
		expect(otherCrewMember('a'.repeat(100), 'crew_1', 'x')?.problem).toBe(
			`x is for crew member "${'a'.repeat(40)}", not crew_1`,
		);
	});
});

describe("the CrewPass node's operations refuse such an answer with a clear error", () => {
	guardRequests();
	const crewById = { __rl: true, mode: 'id', value: 'crew_001' };
	const DOCUMENTS = '/api/v2/employers/me/crew/crew_001/documents';

	it.each([
		[
			'Document → Get Many, an answer without items',
			{ resource: 'document', operation: 'getAll', crewMember: crewById, returnAll: true },
			() => crewPass().get(DOCUMENTS).reply(200, { crew_unique_id: 'crew_001' }),
			`CrewPass sent a list page the node cannot use: "items" is missing, not a list (GET ${DOCUMENTS})`,
		],
		[
			'Document → Get Many, a document without document_id',
			{ resource: 'document', operation: 'getAll', crewMember: crewById, returnAll: true },
			() =>
				crewPass()
					.get(DOCUMENTS)
					.reply(200, { crew_unique_id: 'crew_001', items: [{ type: 'ENG1' }] }),
			'item 0 of the page has no document_id',
		],
		[
			'Document → Get Many, the documents of another crew member',
			{ resource: 'document', operation: 'getAll', crewMember: crewById, returnAll: true },
			() => crewPass().get(DOCUMENTS).reply(200, { crew_unique_id: 'crew_002', items: [] }),
			'the answer is for crew member "crew_002", not crew_001',
		],
		[
			'Vessel → Get Many, an empty body',
			{ resource: 'vessel', operation: 'getAll', returnAll: true },
			() => crewPass().get('/api/v2/employers/me/vessels').reply(200, ''),
			'"items" is missing, not a list (GET /api/v2/employers/me/vessels)',
		],
		[
			'Compliance → Check, an empty body',
			{ resource: 'compliance', operation: 'check', crewMember: crewById },
			() => crewPass().post('/api/v2/employers/me/crew/crew_001/compliance-checks').reply(200, ''),
			'CrewPass sent a compliance snapshot the node cannot use: "overall_status" is missing, not a status (POST /api/v2/employers/me/crew/crew_001/compliance-checks)',
		],
	] as Array<[string, INodeParameters, () => unknown, string]>)(
		'%s',
		async (_name, parameters, serve, message) => {
			serve();
			const { items, error } = await runNode({ parameters });
			expect(items).toEqual([]);
			expect(error?.name).toBe('NodeApiError');
			expect(error?.message).toContain(message);
			expect(error?.description).toContain('Base URL');
		},
	);
});
