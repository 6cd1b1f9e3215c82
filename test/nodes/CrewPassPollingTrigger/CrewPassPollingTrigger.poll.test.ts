/**
 * The CrewPass Polling Trigger through real n8n-core polling (PollContext, runPollFunction),
 * nock for CrewPass, and n8n's static-data rules (saved only when a poll emits).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import nock from 'nock';

import { TEST_API_KEY, TEST_BASE_URL } from '../../harness';
import { PollingWorkflow } from '../../harness/poll';
import { transportSettings } from '../../../nodes/CrewPass/transport';
import { STATE_KEY } from '../../../nodes/CrewPassPollingTrigger/poll';
import { guardRequests } from '../CrewPass/fixtures/http';
import { complianceOf, crewRow, documentOf, Fleet } from './fleet';

const ROSTER_CHANGES = [
	'crewJoinedVessel',
	'crewLeftVessel',
	'crewLeftFleet',
	'roleChanged',
	'verificationStatusChanged',
	'backgroundCheckStatusChanged',
	'documentsExpiringIncreased',
	'documentsExpiringDecreased',
	'statusSharingWithdrawn',
	'statusSharingGranted',
];

const params = (
	events: string[] = ROSTER_CHANGES,
	options: INodeParameters = {},
): INodeParameters => ({
	events,
	options,
});

/** A YYYY-MM-DD date this many days from today (UTC). */
const inDays = (days: number) =>
	new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

const unexpected = guardRequests();
const retry = { ...transportSettings.retry };
const timeoutMs = transportSettings.timeoutMs;
beforeAll(() => {
	transportSettings.retry = { ...retry, baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 };
	transportSettings.timeoutMs = 300;
});
afterAll(() => {
	transportSettings.retry = retry;
	transportSettings.timeoutMs = timeoutMs;
});
afterEach(() => expect(unexpected.requests).toEqual([]));

async function baseline(parameters = params()) {
	const workflow = new PollingWorkflow(parameters);
	const first = await workflow.poll();
	expect(first).toEqual({ items: [], emitted: false });
	return workflow;
}

const types = (items: IDataObject[]) =>
	items.map((i) => `${String(i.event_type)} ${String(i.crew_unique_id ?? i.vessel_id)}`);

describe('first poll', () => {
	it('records a baseline, emits nothing, and n8n saves it (activation)', async () => {
		const fleet = new Fleet(450).serve();
		const workflow = await baseline();
		expect(fleet.count('GET /api/v2/employers/me/fleet')).toBe(3);
		expect(fleet.requests[0]).toContain('limit=200');
		expect(fleet.requests[0]).toContain('include_documents_expiring_within_days=30');
		expect(workflow.saved).toContain(STATE_KEY);
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
	});

	it('emits every current row once with Emit Current Roster on First Poll', async () => {
		const fleet = new Fleet(3).serve();
		const workflow = new PollingWorkflow(params(ROSTER_CHANGES, { emitCurrentRoster: true }));
		const { items } = await workflow.poll();
		expect(types(items)).toEqual([
			'crew.vessel.joined crew_00001',
			'crew.vessel.joined crew_00002',
			'crew.vessel.joined crew_00003',
		]);
		expect(items[0]).toMatchObject({
			...fleet.roster[0],
			before: null,
			previous_poll_at: null,
			source: 'poll',
		});
		expect((await workflow.poll()).emitted).toBe(false);
	});
});

describe('roster changes', () => {
	it('reports joiners, leavers, moves, a second vessel, roles and fleet leavers, with before and after', async () => {
		const fleet = new Fleet(40, ['ves_abc', 'ves_def']).serve();
		const workflow = await baseline();
		fleet.roster.push(crewRow(100, 'ves_def')); // a new joiner
		fleet.remove('crew_00001'); // left the fleet (was on ves_abc only)
		fleet.row('crew_00002').vessel_id = 'ves_abc'; // moved ves_def -> ves_abc
		fleet.roster.push({ ...crewRow(3, 'ves_def'), role: 'Bosun' }); // second vessel
		fleet.row('crew_00004').role = 'Chief Officer';
		const { items, emitted } = await workflow.poll();
		expect(emitted).toBe(true);
		expect(types(items).sort()).toEqual(
			[
				'crew.vessel.joined crew_00100',
				'crew.vessel.joined crew_00002',
				'crew.vessel.joined crew_00003',
				'crew.role.changed crew_00004',
				'crew.vessel.left crew_00001',
				'crew.vessel.left crew_00002',
				'crew.fleet.left crew_00001',
			].sort(),
		);
		const moveIn = items.find(
			(i) => i.event_type === 'crew.vessel.joined' && i.crew_unique_id === 'crew_00002',
		)!;
		const moveOut = items.find(
			(i) => i.event_type === 'crew.vessel.left' && i.crew_unique_id === 'crew_00002',
		)!;
		expect(moveIn).toMatchObject({
			vessel_id: 'ves_abc',
			before: null,
			after: { vessel_id: 'ves_abc' },
			vessel_ids: ['ves_abc'],
		});
		expect(moveOut).toMatchObject({
			vessel_id: 'ves_def',
			vessel_name: 'M/Y ves_def',
			before: { vessel_id: 'ves_def' },
			after: null,
			vessel_ids: ['ves_abc'],
		});
		const second = items.find(
			(i) => i.event_type === 'crew.vessel.joined' && i.crew_unique_id === 'crew_00003',
		)!;
		expect(second).toMatchObject({
			vessel_id: 'ves_def',
			role: 'Bosun',
			vessel_ids: ['ves_def', 'ves_def'].length
				? expect.arrayContaining(['ves_abc', 'ves_def'])
				: [],
		});
		expect(items.find((i) => i.event_type === 'crew.role.changed')).toMatchObject({
			crew_unique_id: 'crew_00004',
			role: 'Chief Officer',
			before: { role: 'Chief Engineer' },
			after: { role: 'Chief Officer' },
			state_key: 'role:crew_00004:ves_def:Chief Officer',
		});
		expect(items.find((i) => i.event_type === 'crew.fleet.left')).toMatchObject({
			crew_unique_id: 'crew_00001',
			name: 'Crew 1',
			before: { vessel_ids: ['ves_abc'] },
			after: null,
		});
		for (const item of items) {
			expect(item).toMatchObject({
				source: 'poll',
				occurred_at: null,
				previous_poll_at: expect.any(String),
			});
			expect(String(item.event_id)).toMatch(/^poll_[0-9a-f]{32}$/);
		}
		expect((await workflow.poll()).emitted).toBe(false);
	});

	it('reports status changes in the webhook event shape, and consent as its own change', async () => {
		const fleet = new Fleet(5).serve();
		const workflow = await baseline();
		fleet.row('crew_00001').verification_status = 'pending';
		fleet.row('crew_00002').background_check_status = 'expired';
		delete fleet.row('crew_00003').verification_status;
		delete fleet.row('crew_00003').background_check_status;
		const { items } = await workflow.poll();
		expect(types(items)).toEqual([
			'crew.status.changed crew_00001',
			'crew.status.changed crew_00002',
			'crew.status_sharing.withdrawn crew_00003',
		]);
		expect(items[0]).toMatchObject({
			crew_unique_id: 'crew_00001',
			verification_status: 'pending',
			background_check_status: 'completed',
			before: { verification_status: 'verified' },
			after: { verification_status: 'pending' },
			trigger_on: ['verificationStatusChanged'],
			state_key: 'status:crew_00001:pending:completed',
		});
		expect(items[1]).toMatchObject({
			trigger_on: ['backgroundCheckStatusChanged'],
			after: { background_check_status: 'expired' },
		});
		expect(items[2]).toMatchObject({
			before: { verification_status: 'verified', background_check_status: 'completed' },
			after: null,
		});
		expect(items[2]).not.toHaveProperty('verification_status');

		// Granted again; a background check removed (null) is a status change, not consent.
		fleet.row('crew_00003').verification_status = 'verified';
		fleet.row('crew_00003').background_check_status = null;
		const again = await workflow.poll();
		expect(again.items).toEqual([
			expect.objectContaining({
				event_type: 'crew.status_sharing.granted',
				crew_unique_id: 'crew_00003',
				background_check_status: null,
				before: null,
				after: { verification_status: 'verified', background_check_status: null },
			}),
		]);
	});

	it('reports documents expiring going up and down, and only the selected changes', async () => {
		const fleet = new Fleet(3).serve();
		const workflow = await baseline(params(['documentsExpiringIncreased']));
		fleet.row('crew_00001').documents_expiring = 2;
		fleet.row('crew_00002').role = 'Captain';
		const up = await workflow.poll();
		expect(up.items).toEqual([
			expect.objectContaining({
				event_type: 'crew.documents_expiring.changed',
				documents_expiring: 2,
				expiring_within_days: 30,
				before: { documents_expiring: 0 },
				after: { documents_expiring: 2 },
			}),
		]);
		fleet.row('crew_00001').documents_expiring = 1;
		expect((await workflow.poll()).emitted).toBe(false); // went down: not selected
	});

	it('a changed Expiring Window starts a new count instead of reporting every crew member', async () => {
		const fleet = new Fleet(3).serve();
		const workflow = await baseline(params(['documentsExpiringIncreased']));
		workflow.setParameters(params(['documentsExpiringIncreased'], { expiringWithinDays: 90 }));
		for (const row of fleet.roster) row.documents_expiring = 3;
		expect((await workflow.poll()).emitted).toBe(false);
		expect(fleet.requests.at(-1)).toContain('include_documents_expiring_within_days=90');
		fleet.row('crew_00002').documents_expiring = 4;
		expect(types((await workflow.poll()).items)).toEqual([
			'crew.documents_expiring.changed crew_00002',
		]);
	});

	it('reports vessels added and removed (one more request per poll)', async () => {
		const fleet = new Fleet(2).serve();
		const workflow = await baseline(params(['vesselAdded', 'vesselRemoved']));
		expect(fleet.count('GET /api/v2/employers/me/vessels')).toBe(1);
		fleet.vessels.push({ vessel_id: 'ves_new', vessel_name: 'S/Y New' });
		fleet.vessels.shift();
		const { items } = await workflow.poll();
		expect(items).toEqual([
			expect.objectContaining({
				event_type: 'vessel.added',
				vessel_id: 'ves_new',
				vessel_name: 'S/Y New',
				before: null,
			}),
			expect.objectContaining({
				event_type: 'vessel.removed',
				vessel_id: 'ves_abc',
				vessel_name: 'M/Y ves_abc',
				after: null,
			}),
		]);
	});
});

describe('a 10,000-crew fleet', () => {
	it('reads it in 50 requests per poll and reports the few changes', async () => {
		const fleet = new Fleet(10_000, ['ves_abc', 'ves_def', 'ves_ghi']).serve();
		const workflow = await baseline();
		expect(fleet.requests).toHaveLength(50);
		const stateBytes = workflow.saved!.length;
		expect(stateBytes / 10_000).toBeLessThan(100);
		fleet.remove('crew_05000');
		fleet.roster.push(crewRow(20_000, 'ves_def'));
		fleet.row('crew_09999').role = 'Captain';
		const { items } = await workflow.poll();
		expect(types(items)).toEqual([
			'crew.role.changed crew_09999',
			'crew.vessel.joined crew_20000',
			'crew.vessel.left crew_05000',
			'crew.fleet.left crew_05000',
		]);
		expect(fleet.requests).toHaveLength(100);
	});
});

describe('deeper watches', () => {
	it('compliance: one request per roster row, the webhook event shape, no change for a refusal', async () => {
		const fleet = new Fleet(3, ['ves_abc', 'ves_def']).serve();
		const workflow = await baseline(params(['complianceChanged']));
		expect(fleet.count('POST')).toBe(3);
		expect(fleet.requests.filter((r) => r.startsWith('POST'))[1]).toContain('vessel_id=ves_def');
		fleet.compliance.set('crew_00001/ves_abc', complianceOf('crew_00001', 'ves_abc', 'at_risk'));
		fleet.compliance.set('crew_00002/ves_def', 403);
		const { items } = await workflow.poll();
		expect(items).toEqual([
			expect.objectContaining({
				event_type: 'crew.compliance.changed',
				crew_unique_id: 'crew_00001',
				vessel_id: 'ves_abc',
				overall_status: 'at_risk',
				requirements_met: 8,
				requirements_total: 8,
				requirements_expiring: 1,
				next_expiry_date: '2027-08-01',
				before: { overall_status: 'compliant', requirements_expiring: 0 },
				after: { overall_status: 'at_risk', requirements_expiring: 1 },
				state_key: 'compliance:crew_00001:ves_abc:at_risk:8/8:1:2027-08-01',
			}),
		]);
		// Consent back: compared with the last value seen, so no change for crew_00002.
		fleet.compliance.delete('crew_00002/ves_def');
		expect((await workflow.poll()).emitted).toBe(false);
		expect(fleet.count('POST')).toBe(9);
	});

	it('documents: added, verification status changed, expired', async () => {
		const fleet = new Fleet(2).serve();
		fleet.documents.set('crew_00001', [documentOf('crew_00001', 'doc_1', 'pending', inDays(2))]);
		fleet.documents.set('crew_00002', []);
		const workflow = await baseline(
			params(['documentAdded', 'documentStatusChanged', 'documentExpired']),
		);
		expect(fleet.count('GET /api/v2/employers/me/crew/')).toBe(2);
		fleet.documents.set('crew_00001', [
			documentOf('crew_00001', 'doc_1', 'verified', '2020-01-01'),
		]);
		fleet.documents.set('crew_00002', [documentOf('crew_00002', 'doc_9')]);
		const { items } = await workflow.poll();
		expect(types(items)).toEqual([
			'crew.document.updated crew_00001',
			'crew.document.expired crew_00001',
			'crew.document.added crew_00002',
		]);
		expect(items[0]).toMatchObject({
			document_id: 'doc_1',
			type: 'ENG1',
			verification_status: 'verified',
			before: { verification_status: 'pending' },
			after: { verification_status: 'verified' },
			state_key: 'document:crew_00001:doc_1:verified',
		});
		expect(items[0]).not.toHaveProperty('days_until_expiry');
		expect(items[2]).toMatchObject({ document_id: 'doc_9', before: null });
	});
});

describe('what must never happen', () => {
	it.each([
		[
			'a 500',
			{ page: 2, reply: [500, { error: { code: 'internal', message: 'boom' } }], times: 9 },
		],
		['a 503 beyond the retries', { page: 2, reply: [503, 'unavailable'], times: 9 }],
		[
			'a page whose items is not a list',
			{ page: 2, reply: [200, { items: 'nope', next_cursor: 'cur_400' }] },
		],
		['a page without items', { page: 2, reply: [200, { next_cursor: null }] }],
		['a page that never comes (timeout)', { page: 2, reply: 'hang', times: 9 }],
	] as const)('a partial read (%s on page 2 of 3) is never a diff', async (_name, failure) => {
		const fleet = new Fleet(450).serve();
		const workflow = await baseline();
		const saved = workflow.saved;
		fleet.remove('crew_00007');
		fleet.failures.push({ ...failure, reply: failure.reply as never });
		const failed = await workflow.poll();
		expect(failed.emitted).toBe(false);
		expect(failed.error?.message).toMatch(/CrewPass/);
		expect(String((failed.error as { description?: string }).description)).toContain(
			'nothing was emitted',
		);
		expect(workflow.saved).toBe(saved);
		fleet.failures = [];
		const next = await workflow.poll();
		expect(types(next.items)).toEqual([
			'crew.vessel.left crew_00007',
			'crew.fleet.left crew_00007',
		]);
	});

	it('the mass-leaver guard stops a poll, keeps the roster, and says which option to change', async () => {
		const fleet = new Fleet(100).serve();
		const workflow = await baseline();
		fleet.roster = fleet.roster.slice(0, 70);
		const stopped = await workflow.poll();
		expect(stopped.error?.message).toContain('30 of 100 roster rows (30.0%)');
		expect(String((stopped.error as { description?: string }).description)).toContain(
			'Mass-Leaver Guard (%)',
		);
		expect(stopped.emitted).toBe(false);
		expect((await workflow.poll()).error?.message).toContain('30 of 100');
		// Below the minimum row count a small change is never stopped; raising the share lets it through.
		workflow.setParameters(params(ROSTER_CHANGES, { leaverGuardPercent: 50 }));
		const through = await workflow.poll();
		expect(through.items.filter((i) => i.event_type === 'crew.vessel.left')).toHaveLength(30);
	});

	it('one leaver of a small fleet is not stopped by the guard', async () => {
		const fleet = new Fleet(4).serve();
		const workflow = await baseline();
		fleet.remove('crew_00001');
		expect(types((await workflow.poll()).items)).toEqual([
			'crew.vessel.left crew_00001',
			'crew.fleet.left crew_00001',
		]);
	});

	it('a restart between polls neither re-emits nor drops a change', async () => {
		const fleet = new Fleet(10).serve();
		const workflow = await baseline(params(['crewJoinedVessel', 'roleChanged']));
		fleet.roster.push(crewRow(11));
		expect(types((await workflow.poll()).items)).toEqual(['crew.vessel.joined crew_00011']);
		workflow.restart();
		expect((await workflow.poll()).emitted).toBe(false);
		// A change not selected (a leaver) is not saved (no emit); a restart loses it harmlessly,
		// and the selected change after it is reported once.
		fleet.remove('crew_00002');
		expect((await workflow.poll()).emitted).toBe(false);
		workflow.restart();
		fleet.row('crew_00003').role = 'Captain';
		expect(types((await workflow.poll()).items)).toEqual(['crew.role.changed crew_00003']);
		workflow.restart();
		expect((await workflow.poll()).emitted).toBe(false);
	});

	it('a change detected again after a lost save has the same event_id; the same change later has a new one', async () => {
		const fleet = new Fleet(5).serve();
		const workflow = await baseline(params(['crewJoinedVessel', 'crewLeftVessel']));
		const savedBefore = workflow.saved;
		fleet.roster.push(crewRow(6));
		const first = await workflow.poll();
		workflow.saved = savedBefore; // n8n died before its save reached the database
		workflow.restart();
		const again = await workflow.poll();
		expect(again.items.map((i) => i.event_id)).toEqual(first.items.map((i) => i.event_id));
		fleet.remove('crew_00006');
		expect(types((await workflow.poll()).items)).toEqual(['crew.vessel.left crew_00006']);
		fleet.roster.push(crewRow(6));
		const rejoined = await workflow.poll();
		expect(rejoined.items[0].state_key).toBe(first.items[0].state_key);
		expect(rejoined.items[0].event_id).not.toBe(first.items[0].event_id);
	});

	it('a poll that overlaps a slow previous one reports nothing twice', async () => {
		const fleet = new Fleet(450).serve();
		const workflow = await baseline();
		fleet.roster.push(crewRow(1000));
		fleet.pageDelayMs = 100;
		const [slow, overlapping] = await Promise.all([workflow.poll(), workflow.poll()]);
		expect([slow.items.length, overlapping.items.length].sort()).toEqual([0, 1]);
		fleet.pageDelayMs = 0;
		expect((await workflow.poll()).emitted).toBe(false);
	});

	it('never puts the API key in an item or an error', async () => {
		const fleet = new Fleet(3).serve();
		const workflow = await baseline(params(['crewJoinedVessel', 'complianceChanged']));
		fleet.roster.push(crewRow(4));
		const { items } = await workflow.poll();
		fleet.failures.push({
			page: 1,
			reply: [401, { error: { code: 'invalid_api_key', message: `bad key ${TEST_API_KEY}` } }],
		});
		const failed = await workflow.poll();
		const text = JSON.stringify([
			items,
			failed.error?.message,
			(failed.error as { description?: string })?.description,
			workflow.saved,
		]);
		expect(failed.error).toBeDefined();
		expect(text).not.toContain(TEST_API_KEY);
	});

	it('refuses bad parameters before any request', async () => {
		const fleet = new Fleet(3).serve();
		const none = await new PollingWorkflow(params([])).poll();
		expect(none.error?.message).toContain('Choose at least one change');
		const window = await new PollingWorkflow(
			params(ROSTER_CHANGES, { expiringWithinDays: 731 }),
		).poll();
		expect(window.error?.message).toContain('Expiring Window (Days)');
		const guard = await new PollingWorkflow(
			params(ROSTER_CHANGES, { leaverGuardPercent: 120 }),
		).poll();
		expect(guard.error?.message).toContain('Mass-Leaver Guard (%)');
		expect(fleet.requests).toEqual([]);
	});
});

describe('the activation poll (publish, edit, n8n start)', () => {
	// n8n 2.40+ stops polling a workflow whose activation poll fails five times; it must go on.
	it('a failing CrewPass does not stop the trigger: nothing is recorded, the next poll is the baseline', async () => {
		const fleet = new Fleet(450).serve();
		fleet.failures.push({ page: 2, reply: [503, 'unavailable'], times: 9 });
		const workflow = new PollingWorkflow(params());
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
		expect(workflow.nodeStaticData()[STATE_KEY]).toBeUndefined();
		// The next poll meets the failure again: an error execution, as for any poll.
		expect((await workflow.poll()).error?.message).toMatch(/CrewPass/);
		fleet.failures = [];
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
		fleet.remove('crew_00007');
		expect(types((await workflow.poll()).items)).toEqual([
			'crew.vessel.left crew_00007',
			'crew.fleet.left crew_00007',
		]);
	});

	it('the mass-leaver guard after a restart: the first poll is skipped, the next one reports it', async () => {
		const fleet = new Fleet(100).serve();
		const workflow = await baseline();
		workflow.restart();
		fleet.roster = fleet.roster.slice(0, 70);
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
		expect((await workflow.poll()).error?.message).toContain('30 of 100 roster rows');
	});

	it('a refused key still fails the activation (the user fixes it and publishes again)', async () => {
		nock(TEST_BASE_URL)
			.get(/fleet/)
			.reply(401, { error: { code: 'invalid_api_key', message: 'invalid API key' } });
		const workflow = new PollingWorkflow(params());
		const first = await workflow.poll();
		expect(first.emitted).toBe(false);
		expect(first.error?.message).toContain('invalid_api_key');
	});
});

describe('manual run (Fetch Test Event)', () => {
	it('returns a real sample per selected change and writes no state', async () => {
		const fleet = new Fleet(3).serve();
		const workflow = await baseline(
			params([
				'crewJoinedVessel',
				'roleChanged',
				'complianceChanged',
				'verificationStatusChanged',
				'backgroundCheckStatusChanged',
			]),
		);
		const saved = workflow.saved;
		const stateBefore = JSON.stringify(workflow.nodeStaticData());
		fleet.roster.push(crewRow(4));
		const { items } = await workflow.poll('manual');
		expect(items.map((i) => i.event_type)).toEqual([
			'crew.vessel.joined',
			'crew.role.changed',
			'crew.compliance.changed',
			'crew.status.changed',
		]);
		expect(items[0]).toMatchObject({ ...fleet.roster[0], sample: true });
		expect(items[2]).toMatchObject({ crew_unique_id: 'crew_00001', overall_status: 'compliant' });
		expect(fleet.count('GET /api/v2/employers/me/fleet')).toBe(2);
		expect(
			fleet.requests.filter((r) => r.startsWith('GET /api/v2/employers/me/fleet'))[1],
		).toContain('&limit=1');
		expect(workflow.saved).toBe(saved);
		expect(JSON.stringify(workflow.nodeStaticData())).toBe(stateBefore);
		// The change is still reported by the next real poll.
		expect(types((await workflow.poll()).items)).toEqual(['crew.vessel.joined crew_00004']);
	});

	it('reads the documents and the vessels once for all the changes that show them', async () => {
		const fleet = new Fleet(3).serve();
		const workflow = new PollingWorkflow(
			params([
				'documentAdded',
				'documentStatusChanged',
				'documentExpired',
				'vesselAdded',
				'vesselRemoved',
			]),
		);
		const { items } = await workflow.poll('manual');
		expect(items.map((i) => i.event_type)).toEqual([
			'crew.document.added',
			'crew.document.updated',
			'crew.document.expired',
			'vessel.added',
			'vessel.removed',
		]);
		expect(fleet.count('GET /api/v2/employers/me/crew/crew_00001/documents')).toBe(1);
		expect(fleet.count('GET /api/v2/employers/me/vessels')).toBe(1);
	});
});
