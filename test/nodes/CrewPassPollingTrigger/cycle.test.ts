/** The pass over the per-crew reads: its order, its cursor, and how a slice moves it. */
import {
	crewTasks,
	cycleAfterSlice,
	NEW_CYCLE,
	tasksAfter,
} from '../../../nodes/CrewPassPollingTrigger/cycle';
import { rowKey, type RosterEntry } from '../../../nodes/CrewPassPollingTrigger/snapshot';

const roster = (rows: Array<[string, string]>) =>
	new Map<string, RosterEntry>(
		rows.map(([crew, vessel]) => [
			rowKey(crew, vessel),
			{ crew, vessel, verification: undefined, background: undefined },
		]),
	);

const label = (t: { source: string; crew: string; vessel?: string }) =>
	`${t.source} ${t.crew}${t.vessel ? `/${t.vessel}` : ''}`;

describe('crewTasks', () => {
	it('one compliance read per row and one documents read per crew member, by crew member', () => {
		const tasks = crewTasks(
			roster([
				['crew_2', 'ves_b'],
				['crew_1', 'ves_b'],
				['crew_2', 'ves_a'],
			]),
			new Set(['roster', 'compliance', 'documents']),
		);
		expect(tasks.map(label)).toEqual([
			'compliance crew_1/ves_b',
			'documents crew_1',
			'compliance crew_2/ves_a',
			'compliance crew_2/ves_b',
			'documents crew_2',
		]);
	});

	it('only the reads the selected changes need', () => {
		const rows = roster([
			['crew_1', 'ves_a'],
			['crew_1', 'ves_b'],
		]);
		expect(crewTasks(rows, new Set(['roster', 'documents'])).map(label)).toEqual([
			'documents crew_1',
		]);
		expect(crewTasks(rows, new Set(['roster', 'vessels']))).toEqual([]);
	});
});

describe('tasksAfter', () => {
	const tasks = crewTasks(
		roster([
			['crew_1', 'ves_a'],
			['crew_3', 'ves_a'],
			['crew_5', 'ves_a'],
		]),
		new Set(['compliance']),
	);

	it('everything without a cursor; after the cursor otherwise, even if that row is gone', () => {
		expect(tasksAfter(tasks, null)).toHaveLength(3);
		expect(tasksAfter(tasks, tasks[0].key).map(label)).toEqual([
			'compliance crew_3/ves_a',
			'compliance crew_5/ves_a',
		]);
		// crew_4 left the roster after it was read: the pass goes on with crew_5.
		const gone = crewTasks(roster([['crew_4', 'ves_a']]), new Set(['compliance']))[0].key;
		expect(tasksAfter(tasks, gone).map(label)).toEqual(['compliance crew_5/ves_a']);
		expect(tasksAfter(tasks, tasks[2].key)).toEqual([]);
	});
});

describe('cycleAfterSlice', () => {
	const todo = [{ key: 'a' }, { key: 'b' }, { key: 'c' }];

	it('a new pass begins at the poll that starts it; the cursor is the last read done', () => {
		expect(cycleAfterSlice(NEW_CYCLE, 'T1', todo, 2)).toEqual({
			startedAt: 'T1',
			after: 'b',
			previousStartedAt: null,
		});
	});

	it('no read done: the cursor stays', () => {
		const cycle = { startedAt: 'T1', after: 'x', previousStartedAt: 'T0' };
		expect(cycleAfterSlice(cycle, 'T2', todo, 0)).toEqual(cycle);
	});

	it('the last read done completes the pass: the next poll begins a new one', () => {
		const cycle = { startedAt: 'T1', after: 'x', previousStartedAt: 'T0' };
		expect(cycleAfterSlice(cycle, 'T2', todo, 3)).toEqual({
			startedAt: null,
			after: null,
			previousStartedAt: 'T1',
		});
		expect(cycleAfterSlice(NEW_CYCLE, 'T2', [], 0)).toEqual({
			startedAt: null,
			after: null,
			previousStartedAt: 'T2',
		});
	});
});
