import { changedRows } from '../../../nodes/CrewPassPollingTrigger/diff';
import {
	decodeSnapshot,
	encodeSnapshot,
	rosterEntryOf,
	rosterLine,
	rowKey,
	type FleetSnapshot,
} from '../../../nodes/CrewPassPollingTrigger/snapshot';

function snapshotOf(rows: Parameters<typeof rosterEntryOf>[0][]): FleetSnapshot {
	const roster = new Map();
	for (const row of rows) {
		const entry = rosterEntryOf(row)!;
		roster.set(rowKey(entry.crew, entry.vessel), entry);
	}
	return { roster, expiringWithinDays: 30, readAt: '2026-12-03T10:00:00.000Z' };
}

describe('rosterEntryOf', () => {
	it('tells a status that is not shared (absent) from none on record (null), in either contract shape', () => {
		expect(
			rosterEntryOf({
				crew_unique_id: 'crew_001',
				vessel_id: 'ves_abc',
				status: 'active',
				background_check_status: null,
			}),
		).toMatchObject({
			verification: 'active',
			background: null,
		});
		expect(rosterEntryOf({ crew_unique_id: 'crew_001', vessel_id: 'ves_abc' })).toMatchObject({
			verification: undefined,
			background: undefined,
		});
		expect(rosterEntryOf({ vessel_id: 'ves_abc' })).toBeUndefined();
	});
});

describe('saved state', () => {
	it('round-trips every value kind, including separators, control characters and % in texts', () => {
		const snapshot = snapshotOf([
			{
				crew_unique_id: 'crew_001',
				name: 'A.\tCrew\n%20 | ; \u0000 é',
				vessel_id: 'ves_abc',
				role: '=~#',
				verification_status: 'verified',
				background_check_status: null,
				documents_expiring: 2,
			},
			{ crew_unique_id: 'crew_002', vessel_id: 'ves_abc', role: '' },
		]);
		snapshot.vessels = new Map([['ves_abc', { vessel: 'ves_abc', name: 'M/Y Example' }]]);
		snapshot.compliance = new Map([
			[
				rowKey('crew_001', 'ves_abc'),
				{
					crew: 'crew_001',
					vessel: 'ves_abc',
					values: {
						overall_status: 'at_risk',
						requirements_met: 7,
						requirements_total: 8,
						requirements_expiring: 1,
						next_expiry_date: null,
					},
				},
			],
		]);
		snapshot.documents = new Map([
			[
				'crew_001',
				new Map([
					[
						'doc_1',
						{ crew: 'crew_001', document: 'doc_1', status: 'verified', expiry: '2028-06-01' },
					],
				]),
			],
			['crew_002', new Map()],
		]);
		const saved = encodeSnapshot(snapshot, { generation: 3 });
		const back = decodeSnapshot(JSON.parse(JSON.stringify(saved)));
		const cycle = { startedAt: null, after: null, previousStartedAt: null };
		const rosterLines = new Map(
			[...snapshot.roster].map(([key, entry]) => [key, rosterLine(entry)]),
		);
		expect(back).toEqual({ snapshot: { ...snapshot, rosterLines }, generation: 3, cycle });
		// State saved by an earlier version, with its `revision` counter, reads the same.
		expect(decodeSnapshot({ ...saved, revision: 9 })).toEqual({
			snapshot: { ...snapshot, rosterLines },
			generation: 3,
			cycle,
		});
	});

	it('keeps the saved line of each unchanged row and encodes only the changed ones, to the same state', () => {
		const rows = Array.from({ length: 6 }, (_, i) => ({
			crew_unique_id: `crew_00${i}`,
			name: `Crew | ${i}`,
			vessel_id: 'ves_abc',
			role: 'AB',
			verification_status: 'verified',
			documents_expiring: i,
		}));
		const before = decodeSnapshot(encodeSnapshot(snapshotOf(rows), { generation: 1 })).snapshot;
		const now = snapshotOf([
			...rows.slice(0, 2),
			{ ...rows[2], role: 'Bosun' },
			...rows.slice(4),
			{ crew_unique_id: 'crew_009', vessel_id: 'ves_abc', role: 'Cook' },
		]);
		const changed = changedRows(before.roster, now.roster);
		expect([...changed]).toEqual([rowKey('crew_002', 'ves_abc'), rowKey('crew_009', 'ves_abc')]);
		const reused = encodeSnapshot(now, { generation: 2 }, { lines: before.rosterLines, changed });
		expect(reused).toEqual(encodeSnapshot(now, { generation: 2 }));
		// A row marked unchanged keeps its saved line: the reuse is what was asked for.
		const stale = encodeSnapshot(
			now,
			{ generation: 2 },
			{ lines: before.rosterLines, changed: new Set() },
		);
		expect(stale.roster).toContain('=crew_002|=ves_abc|=Crew %7c 2|=AB|');
	});

	it('refuses state it did not write', () => {
		expect(() => decodeSnapshot({ v: 99 })).toThrow('format');
		expect(() => decodeSnapshot({ v: 1, roster: 'a\tb', generation: 0 })).toThrow('fields');
		expect(() => decodeSnapshot({ v: 1, roster: '', generation: 1.5 })).toThrow('generation');
	});

	it('keeps under 80 bytes per roster row', () => {
		const rows = Array.from({ length: 1_000 }, (_, i) => ({
			crew_unique_id: `crew_${String(i).padStart(5, '0')}`,
			name: `Crew Member ${i}`,
			vessel_id: 'ves_abc',
			role: 'Chief Engineer',
			verification_status: 'verified',
			background_check_status: 'completed',
			documents_expiring: 1,
		}));
		const bytes = JSON.stringify(encodeSnapshot(snapshotOf(rows), { generation: 0 })).length;
		expect(bytes / rows.length).toBeLessThan(80);
	});
});
