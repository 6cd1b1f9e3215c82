import { sleep } from 'n8n-workflow';
import nock from 'nock';

import { resetDedupeStores } from '../../../nodes/CrewPassTrigger/dedupe';
import { PendingHandOffs, watchHandOff } from '../../../nodes/CrewPassTrigger/handOff';
import { testCredentials } from '../../harness';
import { TriggerHarness } from '../../harness/webhook';
import { ALL_EVENTS, envelope, SECRET, signedDelivery } from './fixtures';

/** The part of n8n's response the hand-off watches: express's json()/send() end in end(). */
class FakeResponse {
	statusCode = 200;
	ended = 0;
	end(): this {
		this.ended++;
		return this;
	}
	answer(status: number): void {
		this.statusCode = status;
		this.end();
	}
}

describe('watchHandOff (pure)', () => {
	it('2xx answer = handed off; any other answer = not', async () => {
		const ok = new FakeResponse();
		const okOutcome = watchHandOff(ok);
		ok.answer(200);
		await expect(okOutcome).resolves.toBe(true);

		const failed = new FakeResponse();
		const failedOutcome = watchHandOff(failed);
		failed.answer(500);
		await expect(failedOutcome).resolves.toBe(false);
		// the answer itself still goes out, once
		expect(failed.ended).toBe(1);
	});

	it('no answer to watch: handed off at once', async () => {
		await expect(watchHandOff({})).resolves.toBe(true);
	});
});

describe('PendingHandOffs (pure)', () => {
	it('tracks until settled, and runs onFailed before waiters resume', async () => {
		const handOffs = new PendingHandOffs();
		const order: string[] = [];
		let settle!: (ok: boolean) => void;
		handOffs.track('evt_1', new Promise<boolean>((resolve) => (settle = resolve)), () =>
			order.push('forgotten'),
		);
		expect(handOffs.size).toBe(1);
		const waiting = handOffs.get('evt_1')!.then((ok) => order.push(`waiter saw ${String(ok)}`));
		settle(false);
		await waiting;
		expect(order).toEqual(['forgotten', 'waiter saw false']);
		expect(handOffs.get('evt_1')).toBeUndefined();
	});
});

describe('CrewPass Trigger: n8n fails to start the execution of an accepted delivery', () => {
	let harness: TriggerHarness | undefined;
	beforeAll(() => {
		nock.disableNetConnect();
		nock.enableNetConnect('127.0.0.1');
	});
	beforeEach(() => resetDedupeStores());
	afterEach(async () => {
		await harness?.stop();
		harness = undefined;
	});
	afterAll(() => nock.enableNetConnect());

	async function startHarness(options: {
		failedExecutionStarts: number;
		executionStartDelayMs?: number;
	}): Promise<TriggerHarness> {
		harness = new TriggerHarness({
			parameters: { events: ALL_EVENTS, options: {} },
			credentials: testCredentials({ webhookSecret: SECRET }),
			...options,
		});
		await harness.start();
		return harness;
	}

	it("n8n answered 500: CrewPass's retry of the event starts it (it is not a duplicate)", async () => {
		const h = await startHarness({ failedExecutionStarts: 1 });
		const event = envelope('crew.compliance.changed');
		const first = signedDelivery(event);
		expect((await h.deliver(first.body, first.headers)).status).toBe(500);
		expect(h.executions).toHaveLength(0);

		// The retry: signed once, delivered again with the same bytes and headers.
		const retry = await h.deliver(first.body, first.headers);
		expect(retry).toMatchObject({ status: 200, text: '' });
		expect(h.executions).toHaveLength(1);
		expect(h.executions[0][0][0].json.event_id).toBe(event.event_id);

		// Now handed off: a third copy is a duplicate.
		const third = await h.deliver(first.body, first.headers);
		expect(third.json).toMatchObject({ status: 'duplicate', event_id: event.event_id });
		expect(h.executions).toHaveLength(1);
	});

	it('the connection closed before n8n answered (a proxy timed out), then n8n failed: the retry starts it', async () => {
		const h = await startHarness({ failedExecutionStarts: 1, executionStartDelayMs: 300 });
		const first = signedDelivery(envelope('crew.profile.updated'));
		expect(await h.deliver(first.body, first.headers, { timeoutMs: 50 })).toEqual({
			status: 0,
			text: '',
		});
		// n8n's 500 goes to the closed connection; wait until it has decided
		await sleep(400);
		expect(h.calls.filter((c) => c.startFailed)).toHaveLength(1);
		expect(await h.deliver(first.body, first.headers)).toMatchObject({ status: 200, text: '' });
		expect(h.executions).toHaveLength(1);
	});

	it('30 concurrent copies while the first hand-off fails: exactly one execution, only the failed copy is answered 500', async () => {
		const h = await startHarness({ failedExecutionStarts: 1, executionStartDelayMs: 50 });
		const event = envelope('crew.document.processed');
		const copies = Array.from({ length: 30 }, () => signedDelivery(event));
		const answers = await Promise.all(copies.map(async (d) => await h.deliver(d.body, d.headers)));

		expect(answers.filter((a) => a.status === 500)).toHaveLength(1);
		expect(answers.filter((a) => a.status === 200 && a.text === '')).toHaveLength(1);
		expect(answers.filter((a) => a.json?.status === 'duplicate')).toHaveLength(28);
		expect(h.executions).toHaveLength(1);
		expect(h.calls.filter((c) => c.startFailed)).toHaveLength(1);
	});

	it('30 concurrent copies, every hand-off slow but successful: one execution, 29 duplicates', async () => {
		const h = await startHarness({ failedExecutionStarts: 0, executionStartDelayMs: 50 });
		const event = envelope('crew.status.changed');
		const copies = Array.from({ length: 30 }, () => signedDelivery(event));
		const answers = await Promise.all(copies.map(async (d) => await h.deliver(d.body, d.headers)));

		expect(answers.every((a) => a.status === 200)).toBe(true);
		expect(answers.filter((a) => a.json?.status === 'duplicate')).toHaveLength(29);
		expect(h.executions).toHaveLength(1);
	});
});
