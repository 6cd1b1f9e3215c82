/**
 * The fleet diff, one change kind at a time (pure functions, no n8n), then diffFleet's order and
 * its rule that per-crew values are compared only for the crew read this poll.
 */
import {
	complianceChange,
	diffFleet,
	documentAdded,
	documentExpiredChange,
	documentsExpiringChange,
	documentStatusChange,
	joinedVessel,
	leftFleet,
	leftVessel,
	roleChanged,
	rowsLeft,
	statusChange,
	vesselAdded,
	vesselNamesOf,
	changedRows,
	vesselRemoved,
	type FleetRead,
} from '../../../nodes/CrewPassPollingTrigger/diff';
import {
	rowKey,
	type ComplianceEntry,
	type DocumentEntry,
	type FleetSnapshot,
	type RosterEntry,
} from '../../../nodes/CrewPassPollingTrigger/snapshot';

const entry = (crew: string, extra: Partial<RosterEntry> = {}): RosterEntry => ({
	crew,
	vessel: 'ves_abc',
	name: `Name ${crew}`,
	role: 'Deckhand',
	verification: 'verified',
	background: 'completed',
	expiring: 0,
	...extra,
});

const compliance = (overall: string, met = 8): ComplianceEntry => ({
	crew: 'crew_1',
	vessel: 'ves_abc',
	values: {
		overall_status: overall,
		requirements_met: met,
		requirements_total: 8,
		requirements_expiring: 0,
		next_expiry_date: '2027-08-01',
	},
});

const document = (extra: Partial<DocumentEntry> = {}): DocumentEntry => ({
	crew: 'crew_1',
	document: 'doc_1',
	status: 'pending',
	expiry: '2028-06-01',
	expired: false,
	...extra,
});

describe('vessels', () => {
	it('vesselAdded: the vessel as sent, after = its id', () => {
		expect(vesselAdded('ves_new', { vessel_id: 'ves_new', vessel_name: 'M/Y New' })).toEqual({
			kinds: ['vesselAdded'],
			eventType: 'vessel.added',
			subject: 'ves_new',
			fields: { vessel_id: 'ves_new', vessel_name: 'M/Y New' },
			before: null,
			after: { vessel_id: 'ves_new' },
		});
	});

	it('vesselRemoved: the name it had, before = its id', () => {
		expect(vesselRemoved({ vessel: 'ves_old', name: 'M/Y Old' })).toMatchObject({
			eventType: 'vessel.removed',
			fields: { vessel_id: 'ves_old', vessel_name: 'M/Y Old' },
			before: { vessel_id: 'ves_old' },
			after: null,
		});
	});

	it('vesselNamesOf: the vessel list wins over roster rows, which win over the last read', () => {
		const previous: FleetSnapshot = {
			roster: new Map(),
			vessels: new Map([
				['a', { vessel: 'a', name: 'old A' }],
				['b', { vessel: 'b', name: 'old B' }],
			]),
			expiringWithinDays: 30,
			readAt: '',
		};
		const current: FleetRead = {
			snapshot: {
				roster: new Map(),
				vessels: new Map([['a', { vessel: 'a', name: 'list A' }]]),
				expiringWithinDays: 30,
				readAt: '',
			},
			rows: new Map([
				['x', { vessel_id: 'a', vessel_name: 'row A' }],
				['y', { vessel_id: 'b', vessel_name: 'row B' }],
			]),
		};
		expect(Object.fromEntries(vesselNamesOf(previous, current))).toEqual({
			a: 'list A',
			b: 'row B',
		});
	});
});

describe('roster rows', () => {
	it('joinedVessel: the row as sent, after = vessel and role', () => {
		expect(joinedVessel(entry('crew_1'), { crew_unique_id: 'crew_1' })).toMatchObject({
			eventType: 'crew.vessel.joined',
			subject: 'crew_1/ves_abc',
			fields: { crew_unique_id: 'crew_1' },
			before: null,
			after: { vessel_id: 'ves_abc', role: 'Deckhand' },
		});
	});

	it('roleChanged: only when the role differs; the fields are built only then', () => {
		const fields = jest.fn(() => ({ crew_unique_id: 'crew_1' }));
		expect(roleChanged(entry('crew_1'), entry('crew_1'), fields)).toBeUndefined();
		expect(fields).not.toHaveBeenCalled();
		expect(roleChanged(entry('crew_1'), entry('crew_1', { role: 'Bosun' }), fields)).toMatchObject({
			eventType: 'crew.role.changed',
			before: { role: 'Deckhand' },
			after: { role: 'Bosun' },
		});
	});

	it('leftVessel: the row as it was, with the vessel ids the crew member is still on', () => {
		expect(leftVessel(entry('crew_1'), 'M/Y Abc', ['ves_def'])).toMatchObject({
			eventType: 'crew.vessel.left',
			fields: {
				crew_unique_id: 'crew_1',
				vessel_id: 'ves_abc',
				vessel_name: 'M/Y Abc',
				role: 'Deckhand',
				verification_status: 'verified',
				documents_expiring: 0,
				vessel_ids: ['ves_def'],
			},
			before: { vessel_id: 'ves_abc', role: 'Deckhand' },
			after: null,
		});
	});

	it('leftFleet: before = every vessel the crew member was on', () => {
		expect(leftFleet([entry('crew_1'), entry('crew_1', { vessel: 'ves_def' })])).toMatchObject({
			eventType: 'crew.fleet.left',
			subject: 'crew_1',
			fields: { crew_unique_id: 'crew_1', vessel_ids: [] },
			before: { vessel_ids: ['ves_abc', 'ves_def'] },
		});
	});
});

describe('crew members', () => {
	const common = { crew_unique_id: 'crew_1', vessel_ids: ['ves_abc'] };

	it('statusChange: one change for both statuses, with both kinds', () => {
		const change = statusChange(
			entry('crew_1'),
			entry('crew_1', { verification: 'pending', background: 'expired' }),
			common,
		);
		expect(change).toMatchObject({
			kinds: ['verificationStatusChanged', 'backgroundCheckStatusChanged'],
			eventType: 'crew.status.changed',
			before: { verification_status: 'verified', background_check_status: 'completed' },
			after: { verification_status: 'pending', background_check_status: 'expired' },
		});
	});

	it('statusChange: consent withdrawn and granted are their own changes, never a status to null', () => {
		const hidden = entry('crew_1', { verification: undefined, background: undefined });
		expect(statusChange(entry('crew_1'), hidden, common)).toMatchObject({
			eventType: 'crew.status_sharing.withdrawn',
			after: null,
		});
		expect(statusChange(hidden, entry('crew_1'), common)).toMatchObject({
			eventType: 'crew.status_sharing.granted',
			before: null,
			fields: { verification_status: 'verified' },
		});
		expect(statusChange(hidden, hidden, common)).toBeUndefined();
	});

	it('statusChange: a field absent on one side is not compared; the quickstart status is shown', () => {
		const noBackground = entry('crew_1', { background: undefined });
		expect(statusChange(entry('crew_1'), noBackground, common)).toBeUndefined();
		expect(
			statusChange(entry('crew_1'), entry('crew_1', { verification: 'active' }), common, {
				status: 'active',
			})?.fields,
		).toMatchObject({ status: 'active' });
	});

	it('documentsExpiringChange: up or down, only with the same window on both reads', () => {
		const windows = { before: 30, now: 30 };
		expect(
			documentsExpiringChange(entry('crew_1'), entry('crew_1', { expiring: 2 }), windows, common),
		).toMatchObject({
			eventType: 'crew.documents_expiring.changed',
			kinds: ['documentsExpiringIncreased'],
			fields: { documents_expiring: 2, expiring_within_days: 30 },
		});
		expect(
			documentsExpiringChange(entry('crew_1', { expiring: 2 }), entry('crew_1'), windows, common)
				?.kinds,
		).toEqual(['documentsExpiringDecreased']);
		expect(
			documentsExpiringChange(
				entry('crew_1'),
				entry('crew_1', { expiring: 2 }),
				{ before: 30, now: 60 },
				common,
			),
		).toBeUndefined();
	});
});

describe('per-crew reads', () => {
	it('complianceChange: the changed fields before and after, the snapshot and the names', () => {
		expect(complianceChange(compliance('compliant'), compliance('compliant'), {})).toBeUndefined();
		expect(
			complianceChange(compliance('compliant'), compliance('non_compliant', 7), {
				crew: 'Crew 1',
				vessel: 'M/Y Abc',
			}),
		).toMatchObject({
			eventType: 'crew.compliance.changed',
			subject: 'crew_1/ves_abc',
			fields: {
				crew_unique_id: 'crew_1',
				name: 'Crew 1',
				vessel_name: 'M/Y Abc',
				overall_status: 'non_compliant',
				requirements_met: 7,
			},
			before: { overall_status: 'compliant', requirements_met: 8 },
			after: { overall_status: 'non_compliant', requirements_met: 7 },
		});
	});

	it('documentAdded and documentStatusChange', () => {
		expect(documentAdded(document(), { document_id: 'doc_1' })).toMatchObject({
			eventType: 'crew.document.added',
			subject: 'crew_1/doc_1',
			after: { verification_status: 'pending', expiry_date: '2028-06-01' },
		});
		expect(documentStatusChange(document(), document(), {})).toBeUndefined();
		expect(documentStatusChange(document(), document({ status: 'verified' }), {})).toMatchObject({
			eventType: 'crew.document.updated',
			before: { verification_status: 'pending' },
			after: { verification_status: 'verified' },
		});
	});

	it('documentExpiredChange: from the flag kept at each read, once', () => {
		const readAt = { before: '2026-06-01T00:00:00Z', now: '2026-09-01T00:00:00Z' };
		expect(
			documentExpiredChange(document(), document({ expired: true }), {}, readAt),
		).toMatchObject({
			eventType: 'crew.document.expired',
			before: { expired: false },
			after: { expired: true },
		});
		expect(
			documentExpiredChange(document({ expired: true }), document({ expired: true }), {}, readAt),
		).toBeUndefined();
	});

	it('documentExpiredChange: state saved without the flag is judged at its read time', () => {
		const old = document({ expiry: '2026-07-01', expired: undefined });
		const readAt = { before: '2026-06-01T00:00:00Z', now: '2026-09-01T00:00:00Z' };
		expect(
			documentExpiredChange(old, document({ expiry: '2026-07-01', expired: true }), {}, readAt),
		).toBeDefined();
		expect(
			documentExpiredChange(
				old,
				document({ expiry: '2026-07-01', expired: true }),
				{},
				{
					...readAt,
					before: '2026-08-01T00:00:00Z',
				},
			),
		).toBeUndefined();
	});
});

describe('diffFleet', () => {
	const snapshot = (rows: RosterEntry[]): FleetSnapshot => ({
		roster: new Map(rows.map((r) => [rowKey(r.crew, r.vessel), r])),
		expiringWithinDays: 30,
		readAt: '2026-06-01T00:00:00Z',
	});

	it('compares compliance and documents only for the crew read this poll', () => {
		const previous = snapshot([entry('crew_1'), entry('crew_2', {})]);
		const now = snapshot([entry('crew_1'), entry('crew_2')]);
		previous.compliance = new Map([
			[rowKey('crew_1', 'ves_abc'), compliance('compliant')],
			[rowKey('crew_2', 'ves_abc'), { ...compliance('compliant'), crew: 'crew_2' }],
		]);
		// Both differ from the last value, but only crew_1 was read this poll.
		now.compliance = new Map([
			[rowKey('crew_1', 'ves_abc'), compliance('at_risk')],
			[rowKey('crew_2', 'ves_abc'), { ...compliance('at_risk'), crew: 'crew_2' }],
		]);
		previous.documents = new Map([
			['crew_1', new Map([['doc_1', document()]])],
			['crew_2', new Map([['doc_1', document({ crew: 'crew_2' })]])],
		]);
		now.documents = new Map([
			['crew_1', new Map([['doc_1', document({ status: 'verified' })]])],
			['crew_2', new Map([['doc_1', document({ crew: 'crew_2', expired: true })]])],
		]);
		const changes = diffFleet(previous, {
			snapshot: now,
			rows: new Map(),
			compliance: new Map([[rowKey('crew_1', 'ves_abc'), {}]]),
			documents: new Map([['crew_1', new Map()]]),
		});
		expect(changes.map((c) => `${c.eventType} ${c.subject}`)).toEqual([
			'crew.compliance.changed crew_1/ves_abc',
			'crew.document.updated crew_1/doc_1',
		]);
	});

	it('keeps its order: vessels added, rows, crew, compliance, documents, gone, vessels removed', () => {
		const previous = snapshot([entry('crew_1'), entry('crew_2'), entry('crew_3')]);
		previous.vessels = new Map([['ves_old', { vessel: 'ves_old' }]]);
		previous.compliance = new Map([[rowKey('crew_1', 'ves_abc'), compliance('compliant')]]);
		const now = snapshot([
			entry('crew_1', { role: 'Bosun', verification: 'pending' }),
			entry('crew_2'),
			entry('crew_4'),
		]);
		now.vessels = new Map([['ves_new', { vessel: 'ves_new' }]]);
		now.compliance = new Map([[rowKey('crew_1', 'ves_abc'), compliance('at_risk')]]);
		const changes = diffFleet(previous, {
			snapshot: now,
			rows: new Map(),
			vessels: new Map([['ves_new', { vessel_id: 'ves_new' }]]),
			compliance: new Map([[rowKey('crew_1', 'ves_abc'), {}]]),
		});
		expect(changes.map((c) => c.eventType)).toEqual([
			'vessel.added',
			'crew.role.changed',
			'crew.vessel.joined',
			'crew.status.changed',
			'crew.compliance.changed',
			'crew.vessel.left',
			'crew.fleet.left',
			'vessel.removed',
		]);
		expect(rowsLeft(previous, now)).toBe(1);
		expect(rowsLeft(previous, now, changedRows(previous.roster, now.roster))).toBe(1);
	});

	it('looks only at rows that changed, came or went, and their crew members, and finds the same as a full comparison', () => {
		// crew_2 moves from ves_abc to ves_xyz (a row gone, a row new) with a new status on both;
		// crew_3 has two rows, one gone; crew_5 is the same on a row CrewPass now lists first.
		const previous = snapshot([
			entry('crew_1'),
			entry('crew_2'),
			entry('crew_3'),
			entry('crew_3', { vessel: 'ves_xyz' }),
			entry('crew_5', { vessel: 'ves_xyz' }),
			entry('crew_5'),
		]);
		const now = snapshot([
			entry('crew_5'),
			entry('crew_1', { role: 'Bosun' }),
			entry('crew_2', { vessel: 'ves_xyz', verification: 'pending' }),
			entry('crew_3', { vessel: 'ves_xyz' }),
			entry('crew_5', { vessel: 'ves_xyz' }),
		]);
		const rows = new Map([...now.roster.keys()].map((key) => [key, { key }]));
		const changed = changedRows(previous.roster, now.roster);
		expect([...changed]).toEqual([rowKey('crew_1', 'ves_abc'), rowKey('crew_2', 'ves_xyz')]);
		const full = diffFleet(previous, { snapshot: now, rows });
		expect(diffFleet(previous, { snapshot: now, rows, changedRows: changed })).toEqual(full);
		expect(full.map((c) => `${c.eventType} ${c.subject}`)).toEqual([
			'crew.role.changed crew_1/ves_abc',
			'crew.vessel.joined crew_2/ves_xyz',
			'crew.status.changed crew_2',
			'crew.vessel.left crew_2/ves_abc',
			'crew.vessel.left crew_3/ves_abc',
		]);
		expect(full[1].fields.vessel_ids).toEqual(['ves_xyz']);
		expect(full[4].fields.vessel_ids).toEqual(['ves_xyz']);
	});
});
