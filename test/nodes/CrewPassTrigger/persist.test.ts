import nock from 'nock';

import { decodeSavedIds, resetDedupeStores } from '../../../nodes/CrewPassTrigger/dedupe';
import { STATIC_DATA_KEY } from '../../../nodes/CrewPassTrigger/delivery';
import { mayDeferSave, SAVE_INTERVAL_MS } from '../../../nodes/CrewPassTrigger/persist';
import { testCredentials } from '../../harness';
import { TriggerHarness } from '../../harness/webhook';
import { ALL_EVENTS, envelope, SECRET, signedDelivery } from './fixtures';
import { runStartedExecutions } from './executions';

let harness: TriggerHarness;

beforeAll(() => {
	nock.disableNetConnect();
	nock.enableNetConnect('127.0.0.1');
});
beforeEach(() => resetDedupeStores());
afterEach(async () => {
	jest.restoreAllMocks();
	await harness?.stop();
});
afterAll(() => nock.enableNetConnect());

async function startHarness(): Promise<TriggerHarness> {
	harness = new TriggerHarness({
		parameters: { events: ALL_EVENTS, options: {} },
		credentials: testCredentials({ webhookSecret: SECRET }),
	});
	await harness.start();
	return harness;
}

const send = async (event: Record<string, unknown>) => {
	const d = signedDelivery(event);
	return await harness.deliver(d.body, d.headers);
};

const savedIds = () =>
	decodeSavedIds(
		(harness.persistedStaticData['node:CrewPass Trigger'] as Record<string, unknown> | undefined)?.[
			STATIC_DATA_KEY
		],
	).entries.map(([id]) => id);

/**
 * Runs the started executions one by one, execution i at clock `at[i]` (ms after the start);
 * returns whether each saved the workflow's static data.
 */
async function runEachAt(at: number[]): Promise<boolean[]> {
	const start = Date.now();
	const clock = jest.spyOn(Date, 'now');
	const saves: boolean[] = [];
	for (let i = 0; i < at.length; i++) {
		clock.mockReturnValue(start + at[i]);
		const before = harness.persistedStaticData;
		await runStartedExecutions(harness, { from: i, to: i + 1 });
		saves.push(harness.persistedStaticData !== before);
	}
	clock.mockRestore();
	return saves;
}

describe('mayDeferSave (pure)', () => {
	it(`defers only with executions to come and a save by this process less than ${SAVE_INTERVAL_MS} ms ago`, () => {
		expect(mayDeferSave(3, 1_000, 1_000 + SAVE_INTERVAL_MS - 1)).toBe(true);
		expect(mayDeferSave(3, 1_000, 1_000 + SAVE_INTERVAL_MS)).toBe(false);
		expect(mayDeferSave(0, 1_000, 1_001)).toBe(false); // the last execution always saves
		expect(mayDeferSave(3, -1, 1_001)).toBe(false); // nothing saved here yet
		expect(mayDeferSave(3, 5_000, 1_000)).toBe(false); // the clock went back: save
	});
});

describe('CrewPass Trigger execute(): a burst of accepted events saves the ids about once a second, and always at its end', () => {
	it('5 accepted, executions at 0, 0.4, 1.0, 1.1, 1.2 s: saves at 0, 1.0 and by the last; all 5 saved; after a restart all 5 are duplicates', async () => {
		await startHarness();
		const events = Array.from({ length: 5 }, () => envelope());
		for (const event of events) expect((await send(event)).status).toBe(200);

		const saves = await runEachAt([0, 400, SAVE_INTERVAL_MS, SAVE_INTERVAL_MS + 100, 1_200]);

		expect(saves).toEqual([true, false, true, false, true]);
		expect(new Set(savedIds())).toEqual(new Set(events.map((e) => e.event_id)));
		resetDedupeStores(); // n8n restarts: memory gone, static data in the database remains
		for (const event of events) {
			expect((await send(event)).json).toEqual({ status: 'duplicate', event_id: event.event_id });
		}
		expect(harness.executions).toHaveLength(5);
	});

	it('events accepted one at a time (no execution to come): every execution saves', async () => {
		await startHarness();
		const events = Array.from({ length: 3 }, () => envelope());
		const saves: boolean[] = [];
		for (const [i, event] of events.entries()) {
			await send(event);
			const before = harness.persistedStaticData;
			await runStartedExecutions(harness, { from: i });
			saves.push(harness.persistedStaticData !== before);
		}
		expect(saves).toEqual([true, true, true]);
		expect(savedIds()).toEqual(events.map((e) => e.event_id));
	});

	it('kill -9 during a burst: what the last save holds survives, including ids of executions still to come', async () => {
		await startHarness();
		const events = Array.from({ length: 4 }, () => envelope());
		for (const event of events) await send(event);
		// the first execution saves (all 4 accepted ids are in this process's memory), the second
		// leaves it to the others; n8n is killed before the last two run
		expect(await runEachAt([0, 100])).toEqual([true, false]);
		expect(new Set(savedIds())).toEqual(new Set(events.map((e) => e.event_id)));
		resetDedupeStores();
		for (const event of events)
			expect((await send(event)).json).toMatchObject({ status: 'duplicate' });
	});
});
