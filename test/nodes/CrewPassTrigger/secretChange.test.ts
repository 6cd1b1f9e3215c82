import { WebhookContext } from 'n8n-core';
import { sleep } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import nock from 'nock';

import {
	arrivalMark,
	readAfter,
	REREAD_BURST,
	REREAD_REFILL_MS,
	takeReread,
} from '../../../nodes/CrewPassTrigger/config';
import { resetDedupeStores } from '../../../nodes/CrewPassTrigger/dedupe';
import { testCredentials } from '../../harness';
import { TriggerHarness } from '../../harness/webhook';
import { ALL_EVENTS, envelope, SECRET, signedDelivery } from './fixtures';

/**
 * The rule: a delivery signed with a secret the credential holds when the delivery arrives is
 * never answered 401, however the timing falls. A signature that matches none of the secrets
 * the trigger read earlier is judged again on a read that began after the delivery arrived; when
 * mismatches have used up their re-reads (a forged flood) it is answered 503, so CrewPass retries.
 * (Before: a re-read at most once a second, so a secret saved within a second of the last read
 * was refused; n8n 2.4.8 / 2.20.12 ran the e2e suite fast enough to hit it.)
 */

const NEW_SECRET = 'whsec_rotated_for_tests';
const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

const credentials = (overrides: Record<string, unknown> = {}) =>
	testCredentials({ webhookSecret: SECRET, ...overrides });

/** The credential as a user saves it while rotating: new secret, old one until the grace end. */
const rotated = () =>
	credentials({
		webhookSecret: NEW_SECRET,
		previousWebhookSecret: SECRET,
		rotationGraceEndsAt: inOneHour(),
	});

/** n8n-core's own credential read (WebhookContext's), before the spy below replaces it. */
const readCredentials = WebhookContext.prototype.getCredentials;

let harness: TriggerHarness;
let reads: jest.SpyInstance;

async function startHarness(): Promise<TriggerHarness> {
	harness = new TriggerHarness({
		parameters: { events: ALL_EVENTS, options: {} },
		credentials: credentials(),
	});
	await harness.start();
	return harness;
}

/** Changes the credential as saving it in n8n does: later reads see the new data. */
function save(data: ICredentialDataDecryptedObject): void {
	harness.options.credentials = data;
}

async function deliver(secret: string) {
	const d = signedDelivery(envelope(), { secret });
	return await harness.deliver(d.body, d.headers);
}

beforeAll(() => {
	nock.disableNetConnect();
	nock.enableNetConnect('127.0.0.1');
});
beforeEach(() => {
	resetDedupeStores();
	reads = jest.spyOn(WebhookContext.prototype, 'getCredentials');
});
afterEach(async () => {
	reads.mockRestore();
	await harness?.stop();
});
afterAll(() => nock.enableNetConnect());

describe('CrewPass Trigger: a secret saved in the credential is never refused (401)', () => {
	it('arrival and read marks: a read verifies a delivery only if it began after the delivery arrived', () => {
		const arrival = arrivalMark();
		expect(readAfter({ readOrder: arrival - 1 }, arrival)).toBe(false);
		expect(readAfter({ readOrder: arrival }, arrival)).toBe(false);
		expect(readAfter({ readOrder: arrivalMark() }, arrival)).toBe(true);
	});

	it('the new secret, saved right after the trigger read the credential, verifies on the very next delivery', async () => {
		await startHarness();
		expect((await deliver(SECRET)).status).toBe(200); // the trigger reads the credential now
		save(rotated()); // no time passes
		expect((await deliver(NEW_SECRET)).status).toBe(200);
		expect((await deliver(SECRET)).status).toBe(200); // the previous one, in its grace window
		expect(harness.executions).toHaveLength(3);
		expect(harness.executions[1][0][0].json.event_id).toBeDefined();
	});

	it('the previous secret, added to a credential the trigger read with the new one only, verifies at once', async () => {
		await startHarness();
		save(credentials({ webhookSecret: NEW_SECRET }));
		expect((await deliver(NEW_SECRET)).status).toBe(200);
		save(rotated());
		expect((await deliver(SECRET)).status).toBe(200);
	});

	it('a read already in flight when the delivery arrived does not refuse it: the next read does', async () => {
		await startHarness();
		expect((await deliver(SECRET)).status).toBe(200);
		let release!: () => void;
		const held = new Promise<void>((resolve) => (release = resolve));
		let holdNext = true;
		reads.mockImplementation(async function (this: WebhookContext, ...args: unknown[]) {
			const data: unknown = await (readCredentials as (...a: unknown[]) => Promise<unknown>).apply(
				this,
				args,
			);
			if (holdNext) {
				holdNext = false;
				await held; // this read saw the credential before the change below
			}
			return data;
		});
		const readsBefore = reads.mock.calls.length;
		// A forged delivery starts a read (its signature matches nothing cached) ...
		const forged = deliver('whsec_attacker');
		for (let waited = 0; reads.mock.calls.length === readsBefore && waited < 2000; waited += 2) {
			await sleep(2);
		}
		// ... the secret is changed while that read is in flight, and the new secret arrives.
		save(rotated());
		const genuine = deliver(NEW_SECRET);
		await sleep(50);
		release();
		expect((await forged).status).toBe(401);
		expect((await genuine).status).toBe(200);
		expect(reads.mock.calls.length - readsBefore).toBe(2);
	});

	it('a credential that cannot be read when a mismatch is judged again: 500 (CrewPass retries), never 401', async () => {
		await startHarness();
		expect((await deliver(SECRET)).status).toBe(200);
		save(rotated());
		reads.mockRejectedValueOnce(new Error('database is locked'));
		expect(await deliver(NEW_SECRET)).toMatchObject({
			status: 500,
			json: { error: 'internal_error' },
		});
		expect((await deliver(NEW_SECRET)).status).toBe(200);
	});
});

describe('CrewPass Trigger: what a forged delivery costs', () => {
	it('genuine and duplicate deliveries: one credential read per 10 s; each forged delivery after the last read: one read', async () => {
		await startHarness();
		for (let i = 0; i < 10; i++) {
			const d = signedDelivery(envelope());
			await harness.deliver(d.body, d.headers);
			await harness.deliver(d.body, d.headers);
		}
		expect(reads).toHaveBeenCalledTimes(1);
		for (let i = 0; i < 5; i++) expect((await deliver('whsec_attacker')).status).toBe(401);
		// The price of the rule: a forged delivery that arrives after the last read needs a read
		// of its own (it may carry a secret saved since).
		expect(reads).toHaveBeenCalledTimes(6);
	});

	it('simultaneous forged deliveries share their reads: one read at a time, 40 at once cost a few', async () => {
		await startHarness();
		expect((await deliver(SECRET)).status).toBe(200);
		// A read in n8n takes a while (an expression isolate, a database query): 50 ms here.
		let inFlight = 0;
		let maxInFlight = 0;
		reads.mockImplementation(async function (this: WebhookContext, ...args: unknown[]) {
			maxInFlight = Math.max(maxInFlight, ++inFlight);
			try {
				await sleep(50);
				return await (readCredentials as (...a: unknown[]) => Promise<unknown>).apply(this, args);
			} finally {
				inFlight--;
			}
		});
		const before = reads.mock.calls.length;
		const startedAt = Date.now();
		const answers = await Promise.all(
			Array.from({ length: 40 }, async () => await deliver('whsec_attacker')),
		);
		const elapsedMs = Date.now() - startedAt;
		expect(answers.map((a) => a.status)).toEqual(Array(40).fill(401));
		const used = reads.mock.calls.length - before;
		// Reads run one after another, each serving every forged delivery that arrived before it
		// began: at most one read per 50 ms of the burst (2 or 3 here), never one per delivery.
		expect(maxInFlight).toBe(1);
		expect(used).toBeGreaterThanOrEqual(1);
		expect(used).toBeLessThanOrEqual(Math.ceil(elapsedMs / 50));
		expect(used).toBeLessThan(10);
	});
});

describe('CrewPass Trigger: a forged flood costs at most a read a second', () => {
	it('the re-read allowance: a burst, then one per second; a clock that goes back refills nothing', () => {
		const allowance = { tokens: REREAD_BURST, atMs: 1_000_000 };
		for (let i = 0; i < REREAD_BURST; i++) expect(takeReread(allowance, 1_000_000)).toBe(true);
		expect(takeReread(allowance, 1_000_000)).toBe(false);
		expect(takeReread(allowance, 1_000_000 + REREAD_REFILL_MS - 1)).toBe(false);
		expect(takeReread(allowance, 1_000_000 + REREAD_REFILL_MS)).toBe(true);
		expect(takeReread(allowance, 0)).toBe(false);
		expect(takeReread(allowance, 1_000_000 + 100 * REREAD_REFILL_MS)).toBe(true);
		expect(allowance.tokens).toBe(REREAD_BURST - 1);
	});

	it('past the allowance a mismatch is answered 503 without a read; a secret saved then is never 401, and is accepted on the retry', async () => {
		await startHarness();
		let now = Date.now();
		const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
		try {
			expect((await deliver(SECRET)).status).toBe(200);
			const before = reads.mock.calls.length;
			const forged = [];
			for (let i = 0; i < 3 * REREAD_BURST; i++) forged.push(await deliver('whsec_attacker'));
			expect(forged.map((a) => a.status)).toEqual([
				...Array(REREAD_BURST).fill(401),
				...Array(2 * REREAD_BURST).fill(503),
			]);
			expect(forged[REREAD_BURST].json).toEqual({ error: 'temporarily_unavailable' });
			expect(reads.mock.calls.length - before).toBe(REREAD_BURST);
			// the flood does not hold up a genuine delivery signed with a secret already read
			expect((await deliver(SECRET)).status).toBe(200);
			// a secret saved during the flood: not judged yet (503), never refused
			save(rotated());
			expect((await deliver(NEW_SECRET)).status).toBe(503);
			now += REREAD_REFILL_MS; // CrewPass's retry comes later
			expect((await deliver(NEW_SECRET)).status).toBe(200);
			expect(harness.executions).toHaveLength(3);
		} finally {
			clock.mockRestore();
		}
	});
});
