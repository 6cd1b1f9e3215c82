/* eslint-disable no-console -- the issue asks for the measured numbers in the test output */
import nock from 'nock';

import { resetDedupeStores } from '../../../nodes/CrewPassTrigger/dedupe';
import { testCredentials } from '../../harness';
import { TriggerHarness } from '../../harness/webhook';
import { ALL_EVENTS, envelope, SECRET, signedDelivery } from './fixtures';

let harness: TriggerHarness;

beforeAll(() => {
	nock.disableNetConnect();
	nock.enableNetConnect('127.0.0.1');
	resetDedupeStores();
});
afterAll(async () => {
	await harness?.stop();
	nock.enableNetConnect();
});

describe('CrewPass Trigger: concurrent redeliveries in one process', () => {
	it('200 concurrent deliveries of 20 distinct events → exactly 20 accepted, 180 duplicates', async () => {
		harness = new TriggerHarness({
			parameters: { events: ALL_EVENTS, options: {} },
			credentials: testCredentials({ webhookSecret: SECRET }),
			// Credential reads take 0-200 ms, as a database read would: the 200 calls are all
			// between their first await and their check at the same time.
			credentialReadJitterMs: 200,
		});
		await harness.start();

		const events = Array.from({ length: 20 }, (_, i) =>
			envelope(ALL_EVENTS[i % ALL_EVENTS.length]),
		);
		// 10 copies of each, every copy signed on its own (as CrewPass re-signs each attempt),
		// interleaved so copies of one event are in flight together.
		const deliveries = [];
		for (let copy = 0; copy < 10; copy++) {
			for (const event of events) deliveries.push(signedDelivery(event));
		}
		for (let i = deliveries.length - 1; i > 0; i--) {
			const j = Math.floor(Math.random() * (i + 1));
			[deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
		}

		const started = Date.now();
		const answers = await Promise.all(
			deliveries.map(async (d) => await harness.deliver(d.body, d.headers)),
		);
		const elapsedMs = Date.now() - started;

		const accepted = answers.filter((a) => a.status === 200 && a.text === '');
		const duplicates = answers.filter((a) => a.status === 200 && a.json?.status === 'duplicate');
		expect(answers.every((a) => a.status === 200)).toBe(true);
		expect({
			accepted: accepted.length,
			duplicates: duplicates.length,
			elapsedMs: expect.any(Number),
		}).toEqual({
			accepted: 20,
			duplicates: 180,
			elapsedMs,
		});

		// One execution per event, none twice.
		const executedIds = harness.executions.map((workflowData) => workflowData[0][0].json.event_id);
		expect(executedIds).toHaveLength(20);
		expect(new Set(executedIds)).toEqual(new Set(events.map((e) => e.event_id)));
		// Every webhook() call answered deliberately; concurrency was real (calls overlapped).
		expect(harness.calls).toHaveLength(200);
		expect(harness.calls.filter((c) => c.threw !== undefined)).toHaveLength(0);
		expect(harness.maxInFlight).toBeGreaterThan(1);
		console.log(
			`200 concurrent deliveries of 20 events: ${accepted.length} accepted, ${duplicates.length} duplicates, ` +
				`${harness.maxInFlight} webhook() calls in flight at most, ${elapsedMs} ms`,
		);
	});
});
