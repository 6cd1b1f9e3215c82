/**
 * Compliance and documents read a slice per poll, within the poll's budget, through real n8n-core
 * polling (the poll harness) under each scheduler n8n ships. The poll's clock is injected: it
 * moves 60 ms per request answered (CrewPass's 1,000 requests a minute, in place of the pacer,
 * which is opened wide here), so a budget of seconds holds tens of reads and a pass over a small
 * fleet takes several polls.
 */
import { sleep } from 'n8n-workflow';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { testCredentials } from '../../harness';
import { PollingWorkflow, type SchedulerMode } from '../../harness/poll';
import { pollClock } from '../../../nodes/CrewPassPollingTrigger/budget';
import { leaseTtlMs } from '../../../nodes/CrewPassPollingTrigger/overlap';
import { STATE_KEY } from '../../../nodes/CrewPassPollingTrigger/poll';
import { transportSettings } from '../../../nodes/CrewPass/transport';
import { CREWPASS_READ_BUDGET } from '../../../nodes/CrewPass/transport/pacing';
import { guardRequests } from '../CrewPass/fixtures/http';
import { complianceOf, crewRow, documentOf, Fleet } from './fleet';

const START = Date.parse('2026-06-08T10:00:00.000Z');
const STEP_MS = 60;
const DAY_MS = 86_400_000;

/** The poll's clock: moves only when a request is answered (or a test moves it). */
const clock = { t: START };
const real = { ...pollClock };
const retry = { ...transportSettings.retry };
const budget = CREWPASS_READ_BUDGET.map((w) => ({ ...w }));
const unexpected = guardRequests();
beforeAll(() => {
	// The key's rate is the clock's step here: the pacer (real time) must not wait on top of it.
	for (const w of CREWPASS_READ_BUDGET) w.limit = 1e9;
	pollClock.now = () => clock.t;
	pollClock.sleep = async () => await sleep(0);
	transportSettings.retry = { ...retry, baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 };
});
afterAll(() => {
	CREWPASS_READ_BUDGET.forEach((w, i) => Object.assign(w, budget[i]));
	Object.assign(pollClock, real);
	transportSettings.retry = retry;
});
beforeEach(() => (clock.t = START));
afterEach(() => expect(unexpected.requests).toEqual([]));

/** A durable tick's timeout on the injected clock (real time only bounds the wait). */
const fakeWait = async (ms: number) => {
	const until = clock.t + ms;
	const begun = Date.now();
	while (clock.t < until && Date.now() - begun < 20_000) await sleep(2);
};

let keys = 0;
/** The credential of the test's fleet: a key of its own, so the test has its own pacer. */
let credentials = testCredentials();

function fleetOf(size: number, vessels = ['ves_abc']): Fleet {
	const fleet = new Fleet(size, vessels);
	fleet.apiKey = `cpk_test_slices_${++keys}`;
	credentials = testCredentials({ apiKey: fleet.apiKey });
	fleet.serve();
	stall = undefined;
	fleet.onRequest = (kind, crew) => {
		clock.t += STEP_MS;
		if (stall && stall.kind === kind && (stall.crew ?? crew) === crew) {
			clock.t += stall.ms; // the machine stalls (or CrewPass is slow) once, here
			stall = undefined;
		}
	};
	return fleet;
}

/** Once, at the answer of a kind of read (of one crew member's), the clock jumps `ms` (a stall). */
let stall: { kind: string; crew?: string; ms: number } | undefined;

const params = (events: string[], maxSecondsPerPoll = 5): INodeParameters => ({
	events,
	options: { maxSecondsPerPoll },
});

/** Polls once; the crew members whose compliance it read (sorted), and how long it took. */
async function pollRead(workflow: PollingWorkflow, fleet: Fleet) {
	const before = fleet.requests.length;
	const startedAt = clock.t;
	const outcome = await workflow.poll();
	const read = fleet.requests
		.slice(before)
		.filter((r) => r.startsWith('POST'))
		.map((r) => /crew\/([^/]+)\/compliance/.exec(r)![1])
		.sort();
	return { ...outcome, read, tookMs: clock.t - startedAt };
}

const crewId = (i: number) => `crew_${String(i).padStart(5, '0')}`;

describe('slices', () => {
	it('advance through the fleet, wrap, and read every row once per pass, each poll within its budget', async () => {
		const fleet = fleetOf(150);
		const workflow = new PollingWorkflow(params(['complianceChanged']), credentials);
		const passes: string[][] = [[]];
		const sizes: number[] = [];
		for (let poll = 0; poll < 40 && passes.length < 3; poll++) {
			const { read, tookMs, error } = await pollRead(workflow, fleet);
			expect(error).toBeUndefined();
			expect(tookMs).toBeLessThanOrEqual(5_000);
			sizes.push(read.length);
			// Each slice continues where the last stopped: one run of the sorted fleet, maybe wrapping.
			const pass = passes[passes.length - 1];
			const expected = crewId(pass.length + 1);
			expect(read[0] === expected || (pass.length === 150 && read[0] === crewId(1))).toBe(true);
			for (const crew of read) {
				if (passes[passes.length - 1].length === 150) passes.push([]);
				passes[passes.length - 1].push(crew);
			}
			if (passes[passes.length - 1].length === 150 && passes.length === 2) passes.push([]);
		}
		expect(passes[0]).toEqual(Array.from({ length: 150 }, (_, i) => crewId(i + 1)));
		expect(passes[1]).toEqual(passes[0]);
		// Several polls per pass, each reading tens of rows.
		expect(sizes.length).toBeGreaterThanOrEqual(4);
		expect(Math.min(...sizes.slice(0, -1))).toBeGreaterThan(20);
		expect(Math.max(...sizes)).toBeLessThan(150);
	});

	it('a new pass starts after the last slice: the saved cycle says where it stands', async () => {
		const fleet = fleetOf(60);
		const workflow = new PollingWorkflow(params(['complianceChanged']), credentials);
		const state = () => workflow.nodeStaticData()[STATE_KEY] as IDataObject;
		const first = await pollRead(workflow, fleet);
		expect(first.read.length).toBeLessThan(60);
		expect(state()).toMatchObject({
			cycleStartedAt: new Date(START).toISOString(),
			cycleAfter: expect.stringContaining(first.read[first.read.length - 1]),
		});
		let polls = 1;
		while (state().cycleStartedAt !== undefined && polls < 10) {
			await pollRead(workflow, fleet);
			polls++;
		}
		expect(state()).toMatchObject({ previousCycleStartedAt: new Date(START).toISOString() });
		expect(state().cycleAfter).toBeUndefined();
		const next = await pollRead(workflow, fleet);
		expect(next.read[0]).toBe(crewId(1));
	});
});

describe('the budget', () => {
	it.each([
		['the durable scheduler: getPollBudgetMs() is smaller', 'durable', 3_000, 30, 3_000],
		['the default scheduler: Max Seconds per Poll (its budget is 300 s)', 'default', 0, 3, 3_000],
	] as const)('%s', async (_name, scheduler, budgetMs, maxSeconds, limitMs) => {
		const fleet = fleetOf(200);
		const workflow = new PollingWorkflow(params(['complianceChanged'], maxSeconds), credentials, {
			scheduler: scheduler as SchedulerMode,
			budgetMs,
		});
		await workflow.poll(); // the activation poll (n8n gives it 300 s; Max Seconds per Poll bounds it)
		for (let i = 0; i < 3; i++) {
			const { read, tookMs } = await pollRead(workflow, fleet);
			expect(tookMs).toBeLessThanOrEqual(limitMs);
			expect(read.length).toBeGreaterThan(10);
		}
	});

	it('a read that hangs is left at the deadline; the next poll reads it again', async () => {
		const fleet = fleetOf(100);
		const workflow = new PollingWorkflow(params(['complianceChanged'], 3), credentials);
		await workflow.poll(); // the first slice (crew 1 to about 30)
		fleet.perCrewDelayMs.set(crewId(40), 2_000);
		const began = Date.now();
		const polling = pollRead(workflow, fleet);
		// The other reads are answered; crew 40's is not. Time passes (the clock is the test's).
		while (!fleet.requests.some((r) => r.includes(crewId(40)))) await sleep(5);
		await sleep(300);
		clock.t += 3_000;
		const first = await polling;
		expect(Date.now() - began).toBeLessThan(2_000); // it did not wait for crew 40
		expect(first.read).toContain(crewId(40));
		fleet.perCrewDelayMs.clear();
		const second = await pollRead(workflow, fleet);
		expect(second.read[0]).toBe(crewId(40));
		await sleep(2_000); // the read left behind ends, unheard
	});
});

describe('changes', () => {
	it('a compliance change is reported once, by the poll that reads its row, with where the pass stands', async () => {
		const fleet = fleetOf(150);
		const workflow = new PollingWorkflow(params(['complianceChanged']), credentials);
		// First pass: a baseline for every row.
		const firstPass: string[] = [];
		while (firstPass.length < 150) firstPass.push(...(await pollRead(workflow, fleet)).read);
		const secondPassStart = new Date(clock.t).toISOString();
		fleet.compliance.set(
			`${crewId(140)}/ves_abc`,
			complianceOf(crewId(140), 'ves_abc', 'non_compliant'),
		);
		const reports: Array<{ read: string[]; items: IDataObject[] }> = [];
		for (let i = 0; i < 12; i++) reports.push(await pollRead(workflow, fleet));
		const reporting = reports.filter((r) => r.items.length);
		expect(reporting).toHaveLength(1);
		expect(reporting[0].read).toContain(crewId(140));
		expect(reporting[0].items).toEqual([
			expect.objectContaining({
				event_type: 'crew.compliance.changed',
				crew_unique_id: crewId(140),
				overall_status: 'non_compliant',
				cycle_started_at: secondPassStart,
				previous_cycle_started_at: new Date(START).toISOString(),
			}),
		]);
	});
});

const ROSTER_AND_CREW = [
	'crewJoinedVessel',
	'crewLeftVessel',
	'roleChanged',
	'complianceChanged',
	'documentStatusChanged',
	'documentExpired',
	'documentAdded',
];

describe.each(['default', 'durable', 'cursors'] as const)('the %s scheduler', (scheduler) => {
	it('reports every change once, through polls that report nothing and restarts mid-pass', async () => {
		const fleet = fleetOf(50, ['ves_abc', 'ves_def']);
		fleet.documents.set(crewId(30), [documentOf(crewId(30), 'doc_30', 'verified', '2026-06-09')]);
		const workflow = new PollingWorkflow(params(ROSTER_AND_CREW, 3), credentials, {
			scheduler,
			budgetMs: 36_000,
		});
		// Reads of compliance and documents per poll, to count passes.
		const perCrew = () => fleet.requests.filter((r) => /compliance|documents/.test(r)).length;
		const TASKS = 50 + 50; // one compliance and one documents read per crew member (one row each)
		const pollUntilRead = async (reads: number) => {
			const start = perCrew();
			let polls = 0;
			while (perCrew() - start < reads && polls < 40) {
				const { error, abandoned } = await workflow.poll();
				expect({ error, abandoned }).toEqual({ error: undefined, abandoned: undefined });
				polls++;
			}
			return polls;
		};
		// Baseline: the activation poll, then one pass. Nothing is reported.
		const baselinePolls = await pollUntilRead(TASKS);
		expect(baselinePolls).toBeGreaterThan(2);
		expect(workflow.delivered).toEqual([]);

		fleet.compliance.set(`${crewId(4)}/ves_def`, complianceOf(crewId(4), 'ves_def', 'at_risk'));
		fleet.compliance.set(
			`${crewId(47)}/ves_abc`,
			complianceOf(crewId(47), 'ves_abc', 'non_compliant'),
		);
		fleet.documents.set(crewId(20), [documentOf(crewId(20), `doc_${crewId(20)}`, 'rejected')]);
		fleet.documents.set(crewId(50), [
			documentOf(crewId(50), `doc_${crewId(50)}`),
			documentOf(crewId(50), 'doc_new'),
		]);
		clock.t += 2 * DAY_MS; // crew 30's document expires
		fleet.roster.push(crewRow(500, 'ves_def'));
		fleet.row(crewId(10)).role = 'Bosun';

		// Part of a pass, a restart, the rest of it and one more pass.
		await pollUntilRead(TASKS / 2);
		workflow.restart();
		await pollUntilRead(TASKS * 2);

		const seen = workflow.delivered.map(
			(i) => `${String(i.event_type)} ${String(i.crew_unique_id)}`,
		);
		expect(seen.sort()).toEqual(
			[
				'crew.vessel.joined crew_00500',
				'crew.role.changed crew_00010',
				`crew.compliance.changed ${crewId(4)}`,
				`crew.compliance.changed ${crewId(47)}`,
				`crew.document.updated ${crewId(20)}`,
				`crew.document.added ${crewId(50)}`,
				`crew.document.expired ${crewId(30)}`,
			].sort(),
		);
		for (const item of workflow.delivered.filter((i) =>
			/compliance|document\./.test(String(i.event_type)),
		)) {
			expect(item.cycle_started_at).toEqual(expect.any(String));
			expect(item.previous_cycle_started_at).toEqual(expect.any(String));
		}
	});
});

describe('polls n8n drops or overlaps', () => {
	const durableFleet = async () => {
		const fleet = fleetOf(100);
		const workflow = new PollingWorkflow(
			params(['complianceChanged', 'crewJoinedVessel'], 30),
			credentials,
			{
				scheduler: 'durable',
				budgetMs: 3_000,
				timeoutMs: 4_000,
				wait: fakeWait,
				now: () => clock.t,
			},
		);
		// Baseline pass.
		for (let i = 0; i < 20 && fleet.count('POST') < 100; i++) {
			const { abandoned, error } = await workflow.poll();
			expect({ abandoned, error }).toEqual({ abandoned: undefined, error: undefined });
		}
		return { fleet, workflow };
	};
	const reported = (workflow: PollingWorkflow) =>
		workflow.delivered.map((i) => `${String(i.event_type)} ${String(i.crew_unique_id)}`).sort();

	it('durable scheduler: a poll past the timeout (a slow roster page) is dropped, the poll overlapping it skipped; its changes once, later', async () => {
		const { fleet, workflow } = await durableFleet();
		const savedBefore = workflow.saved;
		fleet.compliance.set(`${crewId(2)}/ves_abc`, complianceOf(crewId(2), 'ves_abc', 'at_risk'));
		fleet.roster.push(crewRow(900));
		// The roster page takes 5 s (the clock) and a moment of real time: n8n gives up at 4 s.
		stall = { kind: 'roster', ms: 5_000 };
		fleet.pageDelayMs = 300;
		const abandoned = await workflow.poll();
		expect(abandoned.abandoned).toBe(true);
		// The scheduler polls again while the abandoned poll still runs: the overlap guard skips it.
		const during = fleet.requests.length;
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
		expect(fleet.requests.length).toBe(during);
		// The abandoned poll found the joiner (no time left for compliance); n8n dropped it.
		expect((await abandoned.late!).items.map((i) => i.event_type)).toEqual(['crew.vessel.joined']);
		expect(workflow.saved).toBe(savedBefore);
		expect(workflow.delivered).toEqual([]);
		fleet.pageDelayMs = 0;
		for (let i = 0; i < 6; i++) expect((await workflow.poll()).abandoned).toBeUndefined();
		expect(reported(workflow)).toEqual([
			`crew.compliance.changed ${crewId(2)}`,
			'crew.vessel.joined crew_00900',
		]);
		expect(new Set(workflow.delivered.map((i) => i.event_id)).size).toBe(2);
	});

	it('durable scheduler: a poll stalled past the timeout in the middle of a slice is dropped; the slice is read again; each change once', async () => {
		const { fleet, workflow } = await durableFleet();
		fleet.compliance.set(`${crewId(2)}/ves_abc`, complianceOf(crewId(2), 'ves_abc', 'at_risk'));
		fleet.roster.push(crewRow(900));
		// A 20 s budget within a 25 s timeout. Crew 20's answer comes late (real time), the reads
		// before it are in; then the machine stalls for 30 s.
		Object.assign(workflow.options, { budgetMs: 20_000, timeoutMs: 25_000 });
		fleet.perCrewDelayMs.set(crewId(20), 200);
		stall = { kind: 'compliance', crew: crewId(20), ms: 30_000 };
		const abandoned = await workflow.poll();
		expect(abandoned.abandoned).toBe(true);
		expect((await abandoned.late!).items.map((i) => i.event_type).sort()).toEqual([
			'crew.compliance.changed',
			'crew.vessel.joined',
		]);
		expect(workflow.delivered).toEqual([]);
		fleet.perCrewDelayMs.clear();
		Object.assign(workflow.options, { budgetMs: 3_000, timeoutMs: 4_000 });
		const reads = fleet.count(`POST /api/v2/employers/me/crew/${crewId(2)}/`);
		for (let i = 0; i < 6; i++) expect((await workflow.poll()).abandoned).toBeUndefined();
		expect(fleet.count(`POST /api/v2/employers/me/crew/${crewId(2)}/`)).toBeGreaterThan(reads);
		expect(reported(workflow)).toEqual([
			`crew.compliance.changed ${crewId(2)}`,
			'crew.vessel.joined crew_00900',
		]);
		expect(new Set(workflow.delivered.map((i) => i.event_id)).size).toBe(2);
	});

	it('a poll that outlives its lease stores and reports nothing; the poll that took over reports', async () => {
		const fleet = fleetOf(10);
		const workflow = new PollingWorkflow(params(['crewJoinedVessel'], 5), credentials, {
			scheduler: 'durable',
			budgetMs: 5_000,
		});
		await workflow.poll();
		fleet.roster.push(crewRow(900));
		// The first poll's roster page is slow (real time), and the clock jumps past its lease.
		fleet.pageDelayMs = 300;
		const rosterReads = fleet.count('GET /api/v2/employers/me/fleet');
		const first = workflow.poll();
		while (fleet.count('GET /api/v2/employers/me/fleet') === rosterReads) await sleep(5);
		clock.t += leaseTtlMs(5_000) + 1;
		fleet.pageDelayMs = 0;
		const second = await workflow.poll();
		expect(second.items.map((i) => i.crew_unique_id)).toEqual(['crew_00900']);
		expect(await first).toEqual({ items: [], emitted: false });
		expect(workflow.delivered.map((i) => i.crew_unique_id)).toEqual(['crew_00900']);
	});
});

describe('a reporting poll whose state n8n has not saved yet when the next poll loads it', () => {
	it.each(['durable', 'cursors'] as const)(
		'%s: the next poll (a missed tick caught up at once) does not report the change again',
		async (scheduler) => {
			const fleet = fleetOf(10);
			const workflow = new PollingWorkflow(params(['crewJoinedVessel']), credentials, {
				scheduler,
				budgetMs: 5_000,
				lateSaves: true,
			});
			await workflow.poll();
			workflow.flushSaves();
			fleet.roster.push(crewRow(900));
			expect((await workflow.poll()).items.map((i) => i.crew_unique_id)).toEqual(['crew_00900']);
			// The save has not reached the database: the next tick loads the state before it.
			expect(await workflow.poll()).toEqual({ items: [], emitted: false });
			fleet.roster.push(crewRow(901));
			expect((await workflow.poll()).items.map((i) => i.crew_unique_id)).toEqual(['crew_00901']);
			workflow.flushSaves();
			expect(await workflow.poll()).toEqual({ items: [], emitted: false });
			expect(workflow.delivered.map((i) => i.crew_unique_id)).toEqual(['crew_00900', 'crew_00901']);
		},
	);
});

describe('durable cursors: the first poll after activation is a test n8n does not commit', () => {
	it('the next poll still has the baseline (kept in memory) and reports what changed since', async () => {
		const fleet = fleetOf(5);
		const workflow = new PollingWorkflow(params(['crewJoinedVessel']), credentials, {
			scheduler: 'cursors',
		});
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
		expect(workflow.cursor).toBeUndefined(); // not committed
		fleet.roster.push(crewRow(6));
		const next = await workflow.poll();
		expect(next.items.map((i) => i.crew_unique_id)).toEqual(['crew_00006']);
		expect(workflow.cursor).toContain(STATE_KEY);
		expect((await workflow.poll()).emitted).toBe(false);
	});

	it('after a restart in between, the next poll records the baseline, which n8n commits', async () => {
		const fleet = fleetOf(5);
		const workflow = new PollingWorkflow(params(['crewJoinedVessel']), credentials, {
			scheduler: 'cursors',
		});
		await workflow.poll();
		workflow.restart();
		fleet.roster.push(crewRow(6));
		expect(await workflow.poll()).toEqual({ items: [], emitted: false });
		expect(workflow.cursor).toContain(STATE_KEY);
		workflow.restart();
		fleet.roster.push(crewRow(7));
		expect((await workflow.poll()).items.map((i) => i.crew_unique_id)).toEqual(['crew_00007']);
	});
});

describe('a failing poll on a durable-scheduler tick (a new static-data object every time)', () => {
	it.each(['durable', 'cursors'] as const)(
		'%s: an error, as on the default scheduler after activation (not skipped as an activation poll)',
		async (scheduler) => {
			const fleet = fleetOf(450);
			const workflow = new PollingWorkflow(params(['crewJoinedVessel']), credentials, {
				scheduler,
				budgetMs: 36_000,
			});
			expect((await workflow.poll()).error).toBeUndefined();
			fleet.failures.push({ page: 2, reply: [503, 'unavailable'], times: 9 });
			const failed = await workflow.poll();
			expect(failed.error?.message).toMatch(/CrewPass/);
			expect(failed.emitted).toBe(false);
			fleet.failures = [];
			fleet.roster.push(crewRow(900));
			expect((await workflow.poll()).items.map((i) => i.crew_unique_id)).toEqual(['crew_00900']);
		},
	);
});
