import {
	firstRowsOf,
	nextWalkAt,
	SharedRoster,
	sharedRosterSettings,
	spacingMs,
} from '../../../nodes/CrewPassTrigger/sharedRoster';
import type { Clock, WalkResult } from '../../../nodes/CrewPassTrigger/sharedRoster';

const SETTINGS = { gatherMs: 1_000, windowMs: 10_000, msPerPage: 180 };

interface Row {
	crew_unique_id: string;
	vessel_id?: string;
}

/** A clock the test moves by hand: sleep() resolves once advance() passes its moment. */
class ManualClock implements Clock {
	private t = 0;
	private timers: Array<{ at: number; resolve: () => void }> = [];

	now = () => this.t;

	sleep = (ms: number) =>
		new Promise<void>((resolve) => this.timers.push({ at: this.t + ms, resolve }));

	/** Moves time on by `ms`, waking each sleeper at its moment, in order. */
	async advance(ms: number): Promise<void> {
		const end = this.t + ms;
		for (;;) {
			await settle();
			this.timers.sort((a, b) => a.at - b.at);
			const due = this.timers[0];
			if (!due || due.at > end) break;
			this.timers.shift();
			this.t = due.at;
			due.resolve();
		}
		this.t = end;
		await settle();
	}
}

/** Lets every promise chain that can move, move. */
async function settle(): Promise<void> {
	for (let i = 0; i < 50; i++) await Promise.resolve();
}

/** A roster walk the test finishes by hand, recording when each walk started and for whom. */
function manualWalks(clock: ManualClock) {
	const walks: Array<{
		at: number;
		wanted: string[];
		done: boolean;
		finish: (result: WalkResult<Row>) => void;
		fail: (error: Error) => void;
	}> = [];
	const walk = (wanted: ReadonlySet<string>) =>
		new Promise<WalkResult<Row>>((resolve, reject) =>
			walks.push({
				at: clock.now(),
				wanted: [...wanted],
				done: false,
				finish: resolve,
				fail: reject,
			}),
		);
	/** Finishes walk i with a row for each wanted crew member except `missing`. */
	const finish = (i: number, pages = 50, missing: string[] = []) => {
		walks[i].done = true;
		walks[i].finish({
			rows: new Map(
				walks[i].wanted
					.filter((id) => !missing.includes(id))
					.map((id) => [id, { crew_unique_id: id }]),
			),
			pages,
		});
	};
	return { walks, walk, finish };
}

/** A SharedRoster on a manual clock, with walks the test finishes by hand. */
function sharedRoster() {
	const clock = new ManualClock();
	return { clock, roster: new SharedRoster<Row>(clock, SETTINGS), ...manualWalks(clock) };
}

/** Starts find() and keeps its outcome for later inspection. */
function track<T>(promise: Promise<T>) {
	const state: { done: boolean; value?: T; error?: unknown } = { done: false };
	promise.then(
		(value) => Object.assign(state, { done: true, value }),
		(error: unknown) => Object.assign(state, { done: true, error }),
	);
	return state;
}

describe('spacingMs and nextWalkAt: when a walk may start', () => {
	it('walks start at least the window apart, and further apart for large rosters (a third of 1,000/min)', () => {
		expect(spacingMs(0, SETTINGS)).toBe(10_000);
		expect(spacingMs(50, SETTINGS)).toBe(10_000); // 10,000 crew
		expect(spacingMs(55, SETTINGS)).toBe(10_000);
		expect(spacingMs(100, SETTINGS)).toBe(18_000); // 20,000 crew
		// However large the fleet, walks every spacingMs read at most 1,000 / 3 pages a minute.
		for (const pages of [1, 50, 56, 200, 1_000]) {
			expect((pages * 60_000) / spacingMs(pages, SETTINGS)).toBeLessThanOrEqual(1_000 / 3 + 1e-9);
		}
	});

	it('the first walk of a key waits only for the gathering', () => {
		expect(nextWalkAt(5_000, undefined, SETTINGS)).toBe(6_000);
	});

	it('a later walk waits for the previous one to end and its spacing to pass', () => {
		const previous = { startedAt: 10_000, endedAt: 12_000, pages: 50 };
		expect(nextWalkAt(11_000, previous, SETTINGS)).toBe(20_000); // spacing
		expect(nextWalkAt(30_000, previous, SETTINGS)).toBe(31_000); // long quiet: gathering only
		const slow = { startedAt: 10_000, endedAt: 25_000, pages: 50 };
		expect(nextWalkAt(11_000, slow, SETTINGS)).toBe(25_000); // never two walks at once
		const large = { startedAt: 10_000, endedAt: 12_000, pages: 300 };
		expect(nextWalkAt(11_000, large, SETTINGS)).toBe(64_000);
	});

	it('the production settings are the stated ones', () => {
		expect(sharedRosterSettings).toEqual({ gatherMs: 1_000, windowMs: 10_000, msPerPage: 180 });
	});
});

describe('firstRowsOf: one walk for many crew members', () => {
	async function* pagesOf(pages: Row[][], read: number[]) {
		for (const [i, items] of pages.entries()) {
			read.push(i);
			yield { items };
		}
	}
	const page = (...ids: string[]) => ids.map((id) => ({ crew_unique_id: id, vessel_id: 'ves_1' }));

	it('stops at the page where the last wanted crew member is found', async () => {
		const read: number[] = [];
		const result = await firstRowsOf(
			pagesOf([page('a', 'b'), page('c', 'd'), page('e', 'f'), page('g')], read),
			new Set(['d', 'a', 'e']),
		);
		expect(read).toEqual([0, 1, 2]);
		expect(result.pages).toBe(3);
		expect([...result.rows.keys()].sort()).toEqual(['a', 'd', 'e']);
	});

	it('keeps the first row of a crew member on two vessels, as the per-event lookup did', async () => {
		const read: number[] = [];
		const first = { crew_unique_id: 'a', vessel_id: 'ves_1' };
		const second = { crew_unique_id: 'a', vessel_id: 'ves_2' };
		const result = await firstRowsOf(pagesOf([[first, second], page('b')], read), new Set(['a']));
		expect(result.rows.get('a')).toBe(first);
		expect(read).toEqual([0]);
	});

	it('reads the whole roster when a crew member is not on it', async () => {
		const read: number[] = [];
		const result = await firstRowsOf(
			pagesOf([page('a'), page('b'), page('c')], read),
			new Set(['a', 'gone']),
		);
		expect(read).toEqual([0, 1, 2]);
		expect(result.rows.has('gone')).toBe(false);
		expect(result.pages).toBe(3);
	});
});

describe('SharedRoster: status events share walks', () => {
	it('events that arrive while a walk gathers share it; each gets its own row', async () => {
		const { clock, walks, walk, finish, roster } = sharedRoster();
		const found = ['a', 'b', 'c', 'gone'].map((id) => track(roster.find(id, walk)));
		await clock.advance(999);
		expect(walks).toHaveLength(0); // still gathering
		await clock.advance(1);
		expect(walks).toHaveLength(1);
		expect(walks[0]).toMatchObject({ at: 1_000, wanted: ['a', 'b', 'c', 'gone'] });
		finish(0, 50, ['gone']);
		await settle();
		expect(found.map((f) => f.value)).toEqual([
			{ crew_unique_id: 'a' },
			{ crew_unique_id: 'b' },
			{ crew_unique_id: 'c' },
			undefined,
		]);
	});

	it('an event that arrives once a walk has started waits for the next one: never a row read before it arrived', async () => {
		const { clock, walks, walk, finish, roster } = sharedRoster();
		const early = track(roster.find('a', walk));
		await clock.advance(1_000); // walk 0 starts at 1 s
		const late = track(roster.find('b', walk)); // arrives at 1 s, after the start
		const later = track(roster.find('a', walk));
		await clock.advance(500);
		finish(0);
		await settle();
		expect(early.value).toEqual({ crew_unique_id: 'a' });
		expect(late.done).toBe(false);
		expect(later.done).toBe(false);
		await clock.advance(9_499);
		expect(walks).toHaveLength(1); // 10 s after walk 0 started, not sooner
		await clock.advance(1);
		expect(walks).toHaveLength(2);
		expect(walks[1]).toMatchObject({ at: 11_000, wanted: ['b', 'a'] });
		expect(walks[1].at).toBeGreaterThan(walks[0].at);
		finish(1);
		await settle();
		expect(late.value).toEqual({ crew_unique_id: 'b' });
		expect(later.value).toEqual({ crew_unique_id: 'a' });
	});

	it('a walk that outlasts the window delays the next one until it ends: never two at once', async () => {
		const { clock, walks, walk, finish, roster } = sharedRoster();
		track(roster.find('a', walk));
		await clock.advance(1_000);
		const next = track(roster.find('b', walk));
		await clock.advance(30_000);
		expect(walks).toHaveLength(1);
		finish(0);
		await settle();
		expect(walks).toHaveLength(2);
		expect(walks[1].at).toBe(31_000);
		finish(1);
		await settle();
		expect(next.value).toEqual({ crew_unique_id: 'b' });
	});

	it('a failed walk fails each of its events, and the next walk still waits its spacing', async () => {
		const { clock, walks, walk, finish, roster } = sharedRoster();
		const first = ['a', 'b'].map((id) => track(roster.find(id, walk)));
		await clock.advance(1_000);
		const refused = new Error('scope_not_granted');
		walks[0].fail(refused);
		await settle();
		expect(first.map((f) => f.error)).toEqual([refused, refused]);
		const again = track(roster.find('a', walk));
		await clock.advance(9_999);
		expect(walks).toHaveLength(1);
		await clock.advance(1);
		expect(walks).toHaveLength(2);
		finish(1);
		await settle();
		expect(again.value).toEqual({ crew_unique_id: 'a' });
	});

	it('a steady stream of events costs one walk per window, whatever its rate', async () => {
		const { clock, walks, walk, finish, roster } = sharedRoster();
		const events: Array<ReturnType<typeof track>> = [];
		// 1,000 events (1,000 crew members), one every 35 ms (about 35 s, n8n's pace for trigger
		// executions here); each walk takes 2 s.
		for (let i = 0; i < 1_000; i++) {
			events.push(track(roster.find(`crew_${i}`, walk)));
			await clock.advance(35);
			walks.forEach((w, n) => {
				if (!w.done && clock.now() - w.at >= 2_000) finish(n);
			});
		}
		for (let i = 0; i < 4 && events.some((e) => !e.done); i++) {
			await clock.advance(12_000);
			walks.forEach((w, n) => {
				if (!w.done) finish(n);
			});
			await settle();
		}
		expect(events.every((e) => e.done && e.error === undefined)).toBe(true);
		// ceil(35 s / 10 s) + 1 walks at most: 5, where one walk per event would be 1,000.
		expect(walks.length).toBeGreaterThanOrEqual(4);
		expect(walks.length).toBeLessThanOrEqual(5);
		expect(walks.reduce((n, w) => n + w.wanted.length, 0)).toBe(1_000);
		for (let w = 1; w < walks.length; w++) {
			expect(walks[w].at - walks[w - 1].at).toBeGreaterThanOrEqual(10_000);
		}
	});
});
