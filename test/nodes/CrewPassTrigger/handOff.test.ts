import { PendingHandOffs, watchHandOff } from '../../../nodes/CrewPassTrigger/handOff';

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
