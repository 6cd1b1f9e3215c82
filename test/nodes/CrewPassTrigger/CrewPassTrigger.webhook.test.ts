import nock from 'nock';

import { resetDedupeStores } from '../../../nodes/CrewPassTrigger/dedupe';
import { STATIC_DATA_KEY } from '../../../nodes/CrewPassTrigger/delivery';
import { testCredentials } from '../../harness';
import { TriggerHarness } from '../../harness/webhook';
import type { TriggerHarnessOptions } from '../../harness/webhook';
import {
	ALL_EVENTS,
	envelope,
	nowSeconds,
	PREVIOUS_SECRET,
	SECRET,
	sign,
	signedDelivery,
} from './fixtures';

const credentials = (overrides: Record<string, unknown> = {}) =>
	testCredentials({ webhookSecret: SECRET, ...overrides });

let harness: TriggerHarness;

async function startHarness(options: Partial<TriggerHarnessOptions> = {}): Promise<TriggerHarness> {
	harness = new TriggerHarness({
		parameters: { events: ALL_EVENTS, options: {} },
		credentials: credentials(),
		...options,
	});
	await harness.start();
	return harness;
}

beforeAll(() => {
	nock.disableNetConnect();
	nock.enableNetConnect('127.0.0.1');
});
beforeEach(() => resetDedupeStores());
afterEach(async () => {
	await harness?.stop();
	nock.cleanAll();
});
afterAll(() => nock.enableNetConnect());

/** Every call the harness saw answered deliberately: webhook() never threw. */
function expectNoThrow() {
	expect(harness.calls.filter((call) => call.threw !== undefined)).toEqual([]);
}

describe('CrewPass Trigger webhook(): accepted deliveries', () => {
	it.each(ALL_EVENTS)('accepts a signed %s: 200, one execution, one item', async (type) => {
		await startHarness();
		const event = envelope(type);
		const { body, headers } = signedDelivery(event);

		const answer = await harness.deliver(body, headers);

		expect(answer).toEqual({ status: 200, text: '', json: undefined });
		expect(harness.executions).toHaveLength(1);
		const [[item]] = harness.executions[0].map((output) => output);
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json).toMatchObject({
			...(event.data as object),
			event_id: event.event_id,
			event_type: type,
			occurred_at: event.occurred_at,
			partner_id: 'prt_123',
		});
		expect(Date.parse(String(item.json.received_at))).toBeGreaterThan(Date.now() - 60_000);
		expectNoThrow();
	});

	it('Output "Full Envelope" nests data and reports the secret used', async () => {
		await startHarness({ parameters: { events: ALL_EVENTS, options: { output: 'fullEnvelope' } } });
		const event = envelope('crew.status.changed');
		const { body, headers } = signedDelivery(event);
		await harness.deliver(body, headers);
		const item = harness.executions[0][0][0];
		expect(item.json).toEqual({
			...event,
			received_at: expect.any(String),
			delivery: {
				timestamp: Number(headers['X-CrewPass-Timestamp']),
				verified_with: 'current_secret',
			},
		});
	});

	it('verifies a body with non-ASCII characters and insignificant whitespace on its raw bytes', async () => {
		await startHarness();
		const event = envelope('crew.profile.updated');
		const text =
			'{\n\t"schema_version" : 1 ,\n\t"event_id" : "' +
			String(event.event_id) +
			'",\n\t"event_type":"crew.profile.updated",   "occurred_at":"2026-06-08T10:00:00Z",\r\n' +
			'\t"partner_id":"prt_123",\n\t"data":{ "crew_unique_id":"crew_001", "name":"Zoë Åström – 船员 ⚓", "updated_at":"2026-06-08T12:00:00Z" }\n}\n';
		const body = Buffer.from(text, 'utf8');
		expect(body.length).toBeGreaterThan(text.length); // multi-byte characters present
		const { headers } = signedDelivery(event, { body });

		const answer = await harness.deliver(body, headers);

		expect(answer.status).toBe(200);
		expect(harness.executions[0][0][0].json.name).toBe('Zoë Åström – 船员 ⚓');
		// The same JSON re-serialised would carry another signature: the check is on the bytes.
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(text)), 'utf8');
		expect(sign(SECRET, headers['X-CrewPass-Timestamp'], reserialised)).not.toBe(
			headers['X-CrewPass-Signature'],
		);
	});

	it('reads the raw body with readRawBody() when n8n did not (non-JSON content type)', async () => {
		await startHarness();
		const event = envelope();
		const { body, headers } = signedDelivery(event);
		const answer = await harness.deliver(body, { ...headers, 'Content-Type': 'text/plain' });
		expect(answer.status).toBe(200);
		expect(harness.executions).toHaveLength(1);
	});
});

describe('CrewPass Trigger webhook(): nothing starts', () => {
	it('a duplicate is answered 200 {"status":"duplicate"}', async () => {
		await startHarness();
		const event = envelope();
		const first = signedDelivery(event);
		// A retry is signed again with a new timestamp: same event, other bytes on the wire.
		const retry = signedDelivery(event, { timestamp: String(Number(nowSeconds()) - 5) });

		expect((await harness.deliver(first.body, first.headers)).status).toBe(200);
		const again = await harness.deliver(retry.body, retry.headers);

		expect(again.status).toBe(200);
		expect(again.json).toEqual({ status: 'duplicate', event_id: event.event_id });
		expect(harness.executions).toHaveLength(1);
		expectNoThrow();
	});

	it('an event type that is not selected is answered 200 and starts nothing', async () => {
		await startHarness({ parameters: { events: ['crew.document.processed'], options: {} } });
		const event = envelope('crew.profile.updated');
		const { body, headers } = signedDelivery(event);

		const answer = await harness.deliver(body, headers);

		expect(answer.status).toBe(200);
		expect(answer.json).toEqual({ status: 'ignored', reason: 'event_type_not_selected' });
		expect(harness.executions).toHaveLength(0);
		// Not recorded as seen: selecting the type later still accepts a redelivery.
		expect(harness.calls[0].staticDataSaved).toBe(false);
	});

	describe('401: not a genuine delivery', () => {
		// Every row has four entries: jest reads a test function with more parameters than the
		// row has as one that takes a done callback.
		const cases: Array<
			[
				string,
				(d: { body: Buffer; headers: Record<string, string> }) => void,
				string,
				Record<string, unknown> | undefined,
			]
		> = [
			[
				'no webhook secret in the credential',
				() => {},
				'webhook_secret_missing',
				{ webhookSecret: '' },
			],
			[
				'no X-CrewPass-Signature',
				(d) => delete d.headers['X-CrewPass-Signature'],
				'signature_header_missing',
				undefined,
			],
			[
				'no X-CrewPass-Timestamp',
				(d) => delete d.headers['X-CrewPass-Timestamp'],
				'timestamp_header_missing',
				undefined,
			],
			[
				'a malformed signature',
				(d) => (d.headers['X-CrewPass-Signature'] = 'sha256=abc'),
				'signature_malformed',
				undefined,
			],
			[
				'a malformed timestamp',
				(d) => (d.headers['X-CrewPass-Timestamp'] = 'now'),
				'timestamp_malformed',
				undefined,
			],
			[
				'a wrong signature',
				(d) =>
					(d.headers['X-CrewPass-Signature'] = sign(
						'whsec_wrong',
						d.headers['X-CrewPass-Timestamp'],
						d.body,
					)),
				'signature_mismatch',
				undefined,
			],
			[
				'a body changed after signing',
				(d) => (d.body = Buffer.concat([d.body, Buffer.from(' ')])),
				'signature_mismatch',
				undefined,
			],
			[
				'a stale timestamp (correctly signed 10 minutes ago)',
				(d) => {
					const old = String(Number(nowSeconds()) - 600);
					d.headers['X-CrewPass-Timestamp'] = old;
					d.headers['X-CrewPass-Signature'] = sign(SECRET, old, d.body);
				},
				'timestamp_outside_tolerance',
				undefined,
			],
		];

		it.each(cases)('%s', async (_name, mutate, reason, credentialOverrides) => {
			await startHarness({ credentials: credentials(credentialOverrides ?? {}) });
			const delivery = signedDelivery(envelope());
			mutate(delivery);

			const answer = await harness.deliver(delivery.body, delivery.headers);

			expect(answer.status).toBe(401);
			expect(answer.json).toEqual({ error: reason, message: expect.any(String) });
			expect(answer.text).not.toContain(SECRET);
			expect(harness.executions).toHaveLength(0);
			expectNoThrow();
		});

		it('a refused delivery is not remembered: the genuine one still starts the workflow', async () => {
			await startHarness();
			const event = envelope();
			const genuine = signedDelivery(event);
			const forged = signedDelivery(event, { secret: 'whsec_attacker' });
			expect((await harness.deliver(forged.body, forged.headers)).status).toBe(401);
			expect((await harness.deliver(genuine.body, genuine.headers)).status).toBe(200);
			expect(harness.executions).toHaveLength(1);
		});

		it('Timestamp Tolerance is configurable', async () => {
			await startHarness({
				parameters: { events: ALL_EVENTS, options: { timestampToleranceSeconds: 900 } },
			});
			const old = String(Number(nowSeconds()) - 600);
			const { body, headers } = signedDelivery(envelope(), { timestamp: old });
			expect((await harness.deliver(body, headers)).status).toBe(200);
		});
	});

	describe('400: genuine but malformed or inconsistent', () => {
		it.each([
			[
				'schema_version 2',
				() => envelope(undefined, { schema_version: 2 }),
				'schema_version_unsupported',
			],
			['no event_id', () => envelope(undefined, { event_id: undefined }), 'event_id_invalid'],
			[
				'unknown event_type',
				() => envelope(undefined, { event_type: 'crew.deleted' }),
				'event_type_unknown',
			],
			[
				'bad occurred_at',
				() => envelope(undefined, { occurred_at: 'today' }),
				'occurred_at_invalid',
			],
			['no partner_id', () => envelope(undefined, { partner_id: '' }), 'partner_id_invalid'],
			['data not an object', () => envelope(undefined, { data: 'x' }), 'data_invalid'],
		])('%s', async (_name, make, reason) => {
			await startHarness();
			const event = make();
			const { body, headers } = signedDelivery(event);
			const answer = await harness.deliver(body, headers);
			expect(answer.status).toBe(400);
			expect(answer.json).toEqual({ error: reason, message: expect.any(String) });
			expect(harness.executions).toHaveLength(0);
			expectNoThrow();
		});

		it('X-CrewPass-Event-Id naming another event than the body', async () => {
			await startHarness();
			const { body, headers } = signedDelivery(envelope());
			const answer = await harness.deliver(body, {
				...headers,
				'X-CrewPass-Event-Id': 'evt_other',
			});
			expect(answer).toMatchObject({ status: 400, json: { error: 'event_id_header_mismatch' } });
		});

		it('X-CrewPass-Event-Type naming another type than the body', async () => {
			await startHarness();
			const { body, headers } = signedDelivery(envelope('crew.document.updated'));
			const answer = await harness.deliver(body, {
				...headers,
				'X-CrewPass-Event-Type': 'crew.document.processed',
			});
			expect(answer).toMatchObject({ status: 400, json: { error: 'event_type_header_mismatch' } });
		});

		it('a signed body that is not JSON (sent as text/plain, so n8n did not parse it)', async () => {
			await startHarness();
			const body = Buffer.from('not json');
			const ts = nowSeconds();
			const answer = await harness.deliver(body, {
				'Content-Type': 'text/plain',
				'X-CrewPass-Timestamp': ts,
				'X-CrewPass-Signature': sign(SECRET, ts, body),
			});
			expect(answer).toMatchObject({ status: 400, json: { error: 'body_not_json' } });
		});
	});
});

describe('CrewPass Trigger webhook(): secret rotation', () => {
	const rotating = (graceEndsAt: string) =>
		credentials({
			webhookSecret: 'whsec_brand_new',
			previousWebhookSecret: PREVIOUS_SECRET,
			rotationGraceEndsAt: graceEndsAt,
		});

	it('the previous secret verifies inside the grace window', async () => {
		await startHarness({
			credentials: rotating(new Date(Date.now() + 3600_000).toISOString()),
			parameters: { events: ALL_EVENTS, options: { output: 'fullEnvelope' } },
		});
		const { body, headers } = signedDelivery(envelope(), { secret: PREVIOUS_SECRET });
		expect((await harness.deliver(body, headers)).status).toBe(200);
		expect(harness.executions[0][0][0].json.delivery).toMatchObject({
			verified_with: 'previous_secret',
		});
	});

	it('and is refused after it (401 signature_mismatch), while the new secret works', async () => {
		await startHarness({ credentials: rotating(new Date(Date.now() - 1000).toISOString()) });
		const old = signedDelivery(envelope(), { secret: PREVIOUS_SECRET });
		const answer = await harness.deliver(old.body, old.headers);
		expect(answer).toMatchObject({ status: 401, json: { error: 'signature_mismatch' } });
		const fresh = signedDelivery(envelope(), { secret: 'whsec_brand_new' });
		expect((await harness.deliver(fresh.body, fresh.headers)).status).toBe(200);
		expect(harness.executions).toHaveLength(1);
	});
});

describe('CrewPass Trigger webhook(): failures are answered, never thrown', () => {
	it('an unreadable credential is answered 500 without details (CrewPass retries), nothing recorded', async () => {
		await startHarness();
		const { body, headers } = signedDelivery(envelope());
		// A credential the credentials helper cannot provide.
		harness.options.credentials = null;
		const broken = await harness.deliver(body, headers);
		expect(broken.status).toBe(500);
		expect(broken.json).toEqual({ error: 'internal_error' });
		expectNoThrow();
	});

	it('an invalid option value is answered 500 receiver_misconfigured', async () => {
		await startHarness({
			parameters: { events: ALL_EVENTS, options: { rememberedEventIds: 0 } },
		});
		const { body, headers } = signedDelivery(envelope());
		const answer = await harness.deliver(body, headers);
		expect(answer).toMatchObject({ status: 500, json: { error: 'receiver_misconfigured' } });
		expectNoThrow();
	});
});

describe('CrewPass Trigger webhook(): what the de-duplication memory keeps', () => {
	const ids = (data: Record<string, unknown>) =>
		(
			(data['node:CrewPass Trigger'] as Record<string, { entries: Array<[string, number]> }>)?.[
				STATIC_DATA_KEY
			]?.entries ?? []
		).map(([id]) => id);

	it('n8n 2.20+: an accepting call saves nothing; the next call that starts nothing saves the ids', async () => {
		await startHarness();
		const a = envelope();
		const b = envelope();
		await harness.deliver(signedDelivery(a).body, signedDelivery(a).headers);
		await harness.deliver(signedDelivery(b).body, signedDelivery(b).headers);
		expect(harness.calls.map((call) => call.staticDataSaved)).toEqual([false, false]);
		expect(ids(harness.persistedStaticData)).toEqual([]);

		// The retry of b: a duplicate, starts nothing, so n8n saves static data.
		await harness.deliver(signedDelivery(b).body, signedDelivery(b).headers);
		expect(harness.calls[2].staticDataSaved).toBe(true);
		expect(ids(harness.persistedStaticData)).toEqual([a.event_id, b.event_id]);
	});

	it('after a restart, ids saved in static data are still duplicates; ids accepted after the last save are not', async () => {
		await startHarness();
		const a = envelope();
		const b = envelope();
		const c = envelope();
		const send = async (event: Record<string, unknown>) => {
			const d = signedDelivery(event);
			return await harness.deliver(d.body, d.headers);
		};
		await send(a);
		await send(b);
		await send(b); // duplicate: saves a and b
		await send(c); // accepted after the last save: in memory only

		resetDedupeStores(); // n8n restarts: memory gone, static data in the database remains

		expect((await send(a)).json).toEqual({ status: 'duplicate', event_id: a.event_id });
		expect((await send(b)).json).toEqual({ status: 'duplicate', event_id: b.event_id });
		expect((await send(c)).status).toBe(200);
		expect(harness.executions).toHaveLength(4); // a, b, c, and c again after the restart
	});

	it('with n8n before 2.20 (static data saved on accepting calls too) every accepted id survives', async () => {
		await startHarness({ saveStaticDataWhenExecutionStarts: true });
		const a = envelope();
		const d = signedDelivery(a);
		await harness.deliver(d.body, d.headers);
		resetDedupeStores();
		expect((await harness.deliver(d.body, d.headers)).json).toMatchObject({ status: 'duplicate' });
	});

	it('test webhooks (Listen for test event) never save static data and keep a memory of their own', async () => {
		await startHarness({ mode: 'manual' });
		const event = envelope();
		const d = signedDelivery(event);
		await harness.deliver(d.body, d.headers);
		expect((await harness.deliver(d.body, d.headers)).json).toMatchObject({ status: 'duplicate' });
		expect(harness.calls.every((call) => !call.staticDataSaved)).toBe(true);
	});

	it('static data keeps at most 1,000 ids (the newest), whatever Remembered Event IDs is', async () => {
		await startHarness({
			parameters: { events: ALL_EVENTS, options: { rememberedEventIds: 5000 } },
		});
		const events = Array.from({ length: 1005 }, () => envelope());
		for (const event of events) {
			const d = signedDelivery(event);
			await harness.deliver(d.body, d.headers);
		}
		const last = signedDelivery(events[1004]);
		await harness.deliver(last.body, last.headers); // duplicate → save
		const saved = ids(harness.persistedStaticData);
		expect(saved).toHaveLength(1000);
		expect(saved[0]).toBe(events[5].event_id);
		expect(saved[999]).toBe(events[1004].event_id);
	});
});
