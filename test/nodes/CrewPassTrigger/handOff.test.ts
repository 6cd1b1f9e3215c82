import {
	EXECUTION_EXPECTED_WITHIN_MS,
	PendingHandOffs,
	watchHandOff,
} from '../../../nodes/CrewPassTrigger/handOff';

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

describe('PendingHandOffs: executions still to come (pure)', () => {
	const settled = Promise.resolve(true);

	it('counts the accepted events whose execution has not run yet', () => {
		const handOffs = new PendingHandOffs();
		handOffs.track('evt_1', settled, () => {}, 1_000);
		handOffs.track('evt_2', settled, () => {}, 1_001);
		handOffs.track('evt_3', settled, () => {}, 1_002);
		expect(handOffs.executionsRan(['evt_2'], 1_010)).toBe(2);
		expect(handOffs.executionsRan(['evt_1', 'evt_3'], 1_020)).toBe(0);
		// an id whose execution already ran is not counted again
		expect(handOffs.executionsRan(['evt_1'], 1_030)).toBe(0);
	});

	it('a failed hand-off starts no execution: not waited for', async () => {
		const handOffs = new PendingHandOffs();
		let settle!: (ok: boolean) => void;
		handOffs.track('evt_1', new Promise<boolean>((resolve) => (settle = resolve)), () => {}, 0);
		handOffs.track('evt_2', settled, () => {}, 0);
		settle(false);
		await handOffs.get('evt_1');
		expect(handOffs.executionsRan(['evt_2'], 10)).toBe(0);
	});

	it(`an execution that has not run ${EXECUTION_EXPECTED_WITHIN_MS / 1000} s after its event was accepted is no longer waited for`, () => {
		const handOffs = new PendingHandOffs();
		handOffs.track('evt_old', settled, () => {}, 0);
		handOffs.track('evt_new', settled, () => {}, 30_000);
		handOffs.track('evt_mine', settled, () => {}, 30_000);
		expect(handOffs.executionsRan(['evt_mine'], EXECUTION_EXPECTED_WITHIN_MS - 1)).toBe(2);
		expect(handOffs.executionsRan([], EXECUTION_EXPECTED_WITHIN_MS)).toBe(1);
		expect(handOffs.executionsRan([], 30_000 + EXECUTION_EXPECTED_WITHIN_MS)).toBe(0);
	});

	it('an event accepted again (after its id was forgotten) counts once, from its latest acceptance', () => {
		const handOffs = new PendingHandOffs();
		handOffs.track('evt_1', settled, () => {}, 0);
		handOffs.track('evt_2', settled, () => {}, 10_000);
		handOffs.track('evt_1', settled, () => {}, 20_000);
		expect(handOffs.executionsRan([], 20_000)).toBe(2);
		// evt_2 is overdue first; evt_1 (accepted again at 20 s) is still to come
		expect(handOffs.executionsRan([], 10_000 + EXECUTION_EXPECTED_WITHIN_MS)).toBe(1);
	});
});
