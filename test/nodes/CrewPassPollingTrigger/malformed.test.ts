/**
 * Issue 23: no malformed answer is ever a diff. Every read a poll makes (a roster page, the
 * vessels, one crew member's compliance, one crew member's documents) × every malformed answer,
 * through real n8n-core polling: the poll fails visibly (a NodeApiError naming the request, what
 * was wrong, how to fix it, and that nothing was reported), emits nothing, keeps the last complete
 * read (saved and in memory), and the next good poll reports exactly the real change, nothing
 * false.
 */
import type { IDataObject } from 'n8n-workflow';

import { PollingWorkflow } from '../../harness/poll';
import { transportSettings } from '../../../nodes/CrewPass/transport';
import { STATE_KEY } from '../../../nodes/CrewPassPollingTrigger/poll';
import { guardRequests } from '../CrewPass/fixtures/http';
import { complianceOf, documentOf, Fleet, type Answer, type Read } from './fleet';

/** The crew member whose compliance / documents answer is malformed; OTHER's is sent instead. */
const CREW = 'crew_00002';
const OTHER = 'crew_00001';

interface Watch {
	events: string[];
	/** The request a bad answer to this read names. */
	request: string;
	/** The answer the fleet gives to this read now (what a malformed answer is made from). */
	good: (fleet: Fleet) => IDataObject;
	/** A real change, made before the malformed poll: the next good poll reports exactly it. */
	change: (fleet: Fleet) => void;
	reported: string;
}

const WATCHES: Record<Read, Watch> = {
	roster: {
		events: ['crewJoinedVessel', 'crewLeftVessel', 'crewLeftFleet', 'roleChanged'],
		request: `GET /api/v2/employers/me/fleet`,
		good: (fleet) => ({ items: fleet.roster, next_cursor: null, expiring_within_days: 30 }),
		change: (fleet) => (fleet.row('crew_00003').role = 'Captain'),
		reported: 'crew.role.changed crew_00003',
	},
	vessels: {
		events: ['vesselAdded', 'vesselRemoved'],
		request: `GET /api/v2/employers/me/vessels`,
		good: (fleet) => ({ items: fleet.vessels }),
		change: (fleet) => fleet.vessels.push({ vessel_id: 'ves_new', vessel_name: 'S/Y New' }),
		reported: 'vessel.added ves_new',
	},
	compliance: {
		events: ['complianceChanged'],
		request: `POST /api/v2/employers/me/crew/${CREW}/compliance-checks`,
		good: () => complianceOf(CREW, 'ves_def'),
		change: (fleet) =>
			fleet.compliance.set('crew_00003/ves_abc', complianceOf('crew_00003', 'ves_abc', 'at_risk')),
		reported: 'crew.compliance.changed crew_00003',
	},
	documents: {
		events: ['documentAdded', 'documentStatusChanged', 'documentExpired'],
		request: `GET /api/v2/employers/me/crew/${CREW}/documents`,
		good: () => ({ crew_unique_id: CREW, items: [documentOf(CREW, `doc_${CREW}`)] }),
		change: (fleet) =>
			fleet.documents.set('crew_00003', [
				documentOf('crew_00003', 'doc_crew_00003'),
				documentOf('crew_00003', 'doc_new'),
			]),
		reported: 'crew.document.added crew_00003',
	},
};

const JSON_TYPE = { 'Content-Type': 'application/json' };
const withoutKey = (row: IDataObject, key: string) => {
	const copy = { ...row };
	delete copy[key];
	return copy;
};
const asObject = (list: unknown) =>
	Object.fromEntries((list as IDataObject[]).map((row, i) => [String(i), row]));
const notJson = /answered HTTP 200 with something that is not a JSON object/;

/**
 * Each malformed answer: what it is for each read (undefined where it cannot happen: the roster
 * and the vessels belong to no crew member; a compliance snapshot has no rows), and what the
 * error says was wrong.
 */
const MALFORMED: Array<{
	name: (read: Read) => string;
	answer: (read: Read, good: IDataObject) => Answer | undefined;
	problem: (read: Read) => RegExp;
}> = [
	{
		name: (read) => (read === 'compliance' ? '200 without overall_status' : '200 without items'),
		answer: (read, good) => [
			200,
			read === 'compliance' ? withoutKey(good, 'overall_status') : withoutKey(good, 'items'),
		],
		problem: (read) =>
			read === 'compliance' ? /"overall_status" is missing/ : /"items" is missing, not a list/,
	},
	{
		name: (read) => (read === 'compliance' ? 'requirements not a list' : 'items not a list'),
		answer: (read, good) =>
			read === 'compliance'
				? [200, { ...good, requirements: { 0: { requirement_key: 'eng1' } } }]
				: [200, { ...good, items: asObject(good.items) }],
		problem: (read) =>
			read === 'compliance'
				? /"requirements" is an object, not a list/
				: /"items" is an object, not a list/,
	},
	{
		name: () => 'a row without its id',
		answer: (read, good) => {
			if (read === 'compliance') return undefined;
			const id = { roster: 'crew_unique_id', vessels: 'vessel_id', documents: 'document_id' }[read];
			const items = (good.items as IDataObject[]).map((row, i) =>
				i === 0 ? withoutKey(row, id) : row,
			);
			return [200, { ...good, items }];
		},
		problem: (read) =>
			new RegExp(
				`item 0 of the page has no ${{ roster: 'crew_unique_id', vessels: 'vessel_id', documents: 'document_id', compliance: '' }[read]}`,
			),
	},
	{
		name: () => 'a row for another crew member',
		answer: (read) =>
			read === 'documents'
				? [200, { crew_unique_id: OTHER, items: [documentOf(OTHER, `doc_${OTHER}`)] }]
				: read === 'compliance'
					? [200, complianceOf(OTHER, 'ves_abc', 'non_compliant')]
					: undefined,
		problem: () => new RegExp(`is for crew member "${OTHER}", not ${CREW}`),
	},
	{
		name: () => 'not JSON',
		answer: () => [200, 'OK', { 'Content-Type': 'text/plain' }],
		problem: () => notJson,
	},
	{
		name: () => 'an HTML page',
		answer: () => [
			200,
			'<!doctype html><html><head><title>Service check</title></head><body><p>Please wait…</p></body></html>',
			{ 'Content-Type': 'text/html; charset=utf-8' },
		],
		problem: () => notJson,
	},
	{
		name: () => 'an empty body',
		answer: () => [200, '', JSON_TYPE],
		problem: (read) =>
			read === 'compliance' ? /"overall_status" is missing/ : /"items" is missing, not a list/,
	},
	{
		name: () => 'a truncated body',
		answer: (_read, good) => {
			const text = JSON.stringify(good);
			return [200, text.slice(0, Math.floor(text.length / 2)), JSON_TYPE];
		},
		problem: () => notJson,
	},
];

const READS = Object.keys(WATCHES) as Read[];
const MATRIX = READS.flatMap((read) =>
	MALFORMED.filter((m) => m.answer(read, WATCHES[read].good(new Fleet(3))) !== undefined).map(
		(m) => [read, m.name(read), m] as const,
	),
);

const unexpected = guardRequests();
const retry = { ...transportSettings.retry };
beforeAll(() => {
	transportSettings.retry = { ...retry, baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 };
});
afterAll(() => {
	transportSettings.retry = retry;
});
afterEach(() => expect(unexpected.requests).toEqual([]));

const types = (items: IDataObject[]) =>
	items.map((i) => `${String(i.event_type)} ${String(i.crew_unique_id ?? i.vessel_id)}`);

it('the matrix covers every read × every malformed answer that can happen to it', () => {
	expect(MATRIX.map(([read, name]) => `${read}: ${name}`)).toHaveLength(
		READS.length * MALFORMED.length - 3, // roster, vessels: no crew member; compliance: no rows
	);
});

describe.each(READS)('%s read', (read) => {
	it.each(MATRIX.filter(([r]) => r === read))(
		'%s, %s: the poll stops visibly, reports nothing, keeps the last read; the next poll reports only the real change',
		async (_read, _name, malformed) => {
			const watch = WATCHES[read];
			const fleet = new Fleet(3, ['ves_abc', 'ves_def']).serve();
			const workflow = new PollingWorkflow({ events: watch.events, options: {} });
			expect(await workflow.poll()).toEqual({ items: [], emitted: false }); // the baseline
			const saved = workflow.saved;
			const state = JSON.stringify(workflow.nodeStaticData()[STATE_KEY]);
			expect(state).toBeDefined();

			watch.change(fleet);
			const answer = malformed.answer(read, watch.good(fleet))!;
			const crew = read === 'compliance' || read === 'documents' ? CREW : undefined;
			fleet.badAnswers.push({ read, crew, answer });
			const failed = await workflow.poll();
			expect(fleet.badAnswers[0].times).toBe(0); // the bad answer was read
			expect(failed.items).toEqual([]);
			expect(failed.emitted).toBe(false);
			const error = failed.error as Error & { description?: string };
			expect(error?.name).toBe('NodeApiError');
			expect(error.message).toContain(`(${watch.request})`);
			expect(error.message).toMatch(malformed.problem(read));
			expect(error.description).toMatch(/Base URL/);
			expect(error.description).toContain(
				'nothing was emitted and the last complete read of the fleet is kept',
			);
			expect(workflow.saved).toBe(saved);
			expect(JSON.stringify(workflow.nodeStaticData()[STATE_KEY])).toBe(state);

			const next = await workflow.poll();
			expect(next.error).toBeUndefined();
			expect(types(next.items)).toEqual([watch.reported]);
			expect((await workflow.poll()).emitted).toBe(false);
		},
	);
});
