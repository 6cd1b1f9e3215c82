import { WebhookContext } from 'n8n-core';
import { sleep } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';
import nock from 'nock';

import { REREAD_BURST, SETUP_CACHE_MS } from '../../../nodes/CrewPassTrigger/config';
import {
	decodeSavedIds,
	encodeSavedIds,
	resetDedupeStores,
} from '../../../nodes/CrewPassTrigger/dedupe';
import { STATIC_DATA_KEY } from '../../../nodes/CrewPassTrigger/delivery';
import { MAX_BODY_BYTES, MAX_NESTING_DEPTH } from '../../../nodes/CrewPassTrigger/envelope';
import { testCredentials } from '../../harness';
import { TriggerHarness } from '../../harness/webhook';
import type { TriggerHarnessOptions } from '../../harness/webhook';
import {
	ALL_EVENTS,
	envelope,
	newEventId,
	nowSeconds,
	PREVIOUS_SECRET,
	SECRET,
	sign,
	signedDelivery,
} from './fixtures';
import { runStartedExecutions } from './executions';
import { captureLogs } from './logs';

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
	it('a version-1 node (workflows made before version 2) accepts and de-duplicates the same way', async () => {
		await startHarness({ typeVersion: 1 });
		const delivery = signedDelivery(envelope('crew.compliance.changed'));
		expect(await harness.deliver(delivery.body, delivery.headers)).toMatchObject({
			status: 200,
			text: '',
		});
		const again = await harness.deliver(delivery.body, delivery.headers);
		expect(again.json).toMatchObject({ status: 'duplicate' });
		expect(harness.executions).toHaveLength(1);
		expectNoThrow();
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

	describe('401: not a genuine delivery (generic body, the reason in the log at debug level)', () => {
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
				'no X-CrewPass-Signature',
				(d) => delete d.headers['X-CrewPass-Signature'],
				'X-CrewPass-Signature header is missing',
				undefined,
			],
			[
				'no X-CrewPass-Timestamp',
				(d) => delete d.headers['X-CrewPass-Timestamp'],
				'X-CrewPass-Timestamp header is missing',
				undefined,
			],
			[
				'a malformed signature',
				(d) => (d.headers['X-CrewPass-Signature'] = 'sha256=abc'),
				'not of the form v1=',
				undefined,
			],
			[
				'a malformed timestamp',
				(d) => (d.headers['X-CrewPass-Timestamp'] = 'now'),
				'not Unix seconds',
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
				'signature does not match',
				undefined,
			],
			[
				'a body changed after signing',
				(d) => (d.body = Buffer.concat([d.body, Buffer.from(' ')])),
				'signature does not match',
				undefined,
			],
			[
				'correctly signed, but older than the late-retry window (73 h)',
				(d) => {
					const old = String(Number(nowSeconds()) - 73 * 3600);
					d.headers['X-CrewPass-Timestamp'] = old;
					d.headers['X-CrewPass-Signature'] = sign(SECRET, old, d.body);
				},
				'older than the late-retry window',
				undefined,
			],
			[
				'correctly signed, 10 minutes in the future',
				(d) => {
					const ahead = String(Number(nowSeconds()) + 600);
					d.headers['X-CrewPass-Timestamp'] = ahead;
					d.headers['X-CrewPass-Signature'] = sign(SECRET, ahead, d.body);
				},
				'further in the future than the tolerance',
				undefined,
			],
		];

		it.each(cases)('%s', async (_name, mutate, logged, credentialOverrides) => {
			const logs = captureLogs();
			try {
				await startHarness({ credentials: credentials(credentialOverrides ?? {}) });
				const delivery = signedDelivery(envelope());
				mutate(delivery);

				const answer = await harness.deliver(delivery.body, delivery.headers);

				expect(answer.status).toBe(401);
				// Nothing tells a replayer which check failed.
				expect(answer.json).toEqual({ error: 'unauthorized' });
				expect(answer.text).not.toContain(SECRET);
				expect(harness.executions).toHaveLength(0);
				const line = logs.lines.find((l) => l.message.includes('not genuine'));
				expect(line).toMatchObject({ level: 'debug' });
				expect(line?.message).toContain(logged);
				expect(logs.text()).not.toContain(SECRET);
				expectNoThrow();
			} finally {
				logs.restore();
			}
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

		it('Timestamp Tolerance is configurable, and with no late-retry window it is the only window', async () => {
			await startHarness({
				parameters: {
					events: ALL_EVENTS,
					options: { timestampToleranceSeconds: 900, lateRetryHours: 0 },
				},
			});
			const old = String(Number(nowSeconds()) - 600);
			const { body, headers } = signedDelivery(envelope(), { timestamp: old });
			expect((await harness.deliver(body, headers)).status).toBe(200);
			const older = String(Number(nowSeconds()) - 1000);
			const late = signedDelivery(envelope(), { timestamp: older });
			expect((await harness.deliver(late.body, late.headers)).status).toBe(401);
		});
	});

	describe('400/413: genuine but not a CrewPass event at all', () => {
		it.each([
			['no event_id', () => envelope(undefined, { event_id: undefined }), 'event_id_invalid'],
			['data not an object', () => envelope(undefined, { data: 'x' }), 'data_invalid'],
			['no event_type', () => envelope(undefined, { event_type: undefined }), 'event_type_invalid'],
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

		it(`a signed body nested deeper than ${MAX_NESTING_DEPTH} levels: 400 up front with a log line, nothing starts`, async () => {
			const logs = captureLogs();
			try {
				await startHarness();
				const event = envelope();
				const deep = '{"x":'.repeat(5000) + '1' + '}'.repeat(5000);
				const text = JSON.stringify(event).replace('"data":{', `"data":{"deep":${deep},`);
				const { body, headers } = signedDelivery(event, { body: Buffer.from(text) });
				const answer = await harness.deliver(body, headers);
				expect(answer).toMatchObject({ status: 400, json: { error: 'body_too_deep' } });
				expect(harness.executions).toHaveLength(0);
				expect(logs.lines.find((l) => l.message.includes('deeper than'))).toMatchObject({
					level: 'warn',
				});
				// Refused, not recorded: nothing about it is remembered.
				expect(harness.calls[0].staticDataSaved).toBe(false);
			} finally {
				logs.restore();
			}
		});

		it(`a body over ${MAX_BODY_BYTES} bytes: 413 before the HMAC, with a log line`, async () => {
			const logs = captureLogs();
			try {
				await startHarness();
				const event = envelope(undefined, {
					data: { blob: 'x'.repeat(MAX_BODY_BYTES) },
				});
				const { body, headers } = signedDelivery(event);
				const answer = await harness.deliver(body, headers);
				expect(answer).toMatchObject({ status: 413, json: { error: 'body_too_large' } });
				expect(harness.executions).toHaveLength(0);
				expect(logs.lines.find((l) => l.message.includes('(413)'))).toMatchObject({
					level: 'warn',
				});
			} finally {
				logs.restore();
			}
		});
	});
});

describe('CrewPass Trigger webhook(): our configuration is never CrewPass’s 4xx', () => {
	it('no webhook secret in the credential: 503 with a generic body (CrewPass retries), the reason in the log', async () => {
		const logs = captureLogs();
		try {
			await startHarness({ credentials: credentials({ webhookSecret: '' }) });
			const event = envelope();
			const { body, headers } = signedDelivery(event);
			const answer = await harness.deliver(body, headers);
			expect(answer.status).toBe(503);
			expect(answer.json).toEqual({ error: 'temporarily_unavailable' });
			expect(answer.text).not.toMatch(/secret/i);
			expect(harness.executions).toHaveLength(0);
			const line = logs.lines.find((l) => l.message.includes('no Webhook Signing Secret'));
			expect(line).toMatchObject({ level: 'warn' });
			expect(line?.message).toContain('"CrewPass account"');

			// The user adds the secret: CrewPass's retry is accepted at once (nothing cached).
			harness.options.credentials = credentials();
			expect((await harness.deliver(body, headers)).status).toBe(200);
			expect(harness.executions).toHaveLength(1);
		} finally {
			logs.restore();
		}
	});

	it('an invalid option value: 500 with a generic body, the reason in the log', async () => {
		const logs = captureLogs();
		try {
			await startHarness({
				parameters: { events: ALL_EVENTS, options: { rememberedEventIds: 0 } },
			});
			const { body, headers } = signedDelivery(envelope());
			const answer = await harness.deliver(body, headers);
			expect(answer).toEqual({
				status: 500,
				text: JSON.stringify({ error: 'internal_error' }),
				json: { error: 'internal_error' },
			});
			expect(logs.text()).toContain('Remembered Event IDs must be a whole number');
			expectNoThrow();
		} finally {
			logs.restore();
		}
	});

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
});

describe('CrewPass Trigger webhook(): what CrewPass may add (refuse only what is provably not genuine)', () => {
	const unknownType = () =>
		envelope(undefined, {
			event_type: 'crew.placement.created',
			data: { crew_unique_id: 'crew_001', vessel_id: 'ves_abc' },
		});

	it.each([
		['an event type this version does not know', unknownType, 'event_type_unknown'],
		[
			'an unknown schema_version',
			() => envelope(undefined, { schema_version: 2 }),
			'schema_version_unknown',
		],
	])('%s: 200, nothing starts by default, an info line in the log', async (_n, make, reason) => {
		const logs = captureLogs();
		try {
			await startHarness();
			const event = make();
			const { body, headers } = signedDelivery(event);
			const answer = await harness.deliver(body, headers);
			expect(answer).toMatchObject({ status: 200, json: { status: 'ignored', reason } });
			expect(harness.executions).toHaveLength(0);
			const line = logs.lines.find((l) => l.message.includes('not one this node version knows'));
			expect(line).toMatchObject({ level: 'info' });
			expect(line?.message).toContain(String(event.event_id));
		} finally {
			logs.restore();
		}
	});

	it.each([
		['an event type this version does not know', unknownType],
		['an unknown schema_version', () => envelope(undefined, { schema_version: 2 })],
	])('%s with "Start the Workflow": it starts, as sent, and is de-duplicated', async (_n, make) => {
		await startHarness({
			parameters: {
				events: ['crew.document.processed'],
				options: { unknownEvents: 'start', output: 'fullEnvelope' },
			},
		});
		const event = make();
		const { body, headers } = signedDelivery(event);
		expect((await harness.deliver(body, headers)).status).toBe(200);
		expect((await harness.deliver(body, headers)).json).toMatchObject({ status: 'duplicate' });
		expect(harness.executions).toHaveLength(1);
		expect(harness.executions[0][0][0].json).toMatchObject({
			event_id: event.event_id,
			event_type: event.event_type,
			schema_version: event.schema_version,
			data: event.data,
		});
	});

	it('a selected type whose X-CrewPass-Event-Id and -Event-Type headers are missing: the signed body says it, accepted', async () => {
		await startHarness();
		const event = envelope();
		const { body, headers } = signedDelivery(event);
		delete headers['X-CrewPass-Event-Id'];
		delete headers['X-CrewPass-Event-Type'];
		delete headers['X-CrewPass-Schema-Version'];
		expect((await harness.deliver(body, headers)).status).toBe(200);
		expect(harness.executions[0][0][0].json.event_id).toBe(event.event_id);
	});

	it('headers naming another event than the signed body: the body wins, a warning in the log', async () => {
		const logs = captureLogs();
		try {
			await startHarness();
			const event = envelope('crew.document.updated');
			const { body, headers } = signedDelivery(event);
			const answer = await harness.deliver(body, {
				...headers,
				'X-CrewPass-Event-Id': 'evt_other',
				'X-CrewPass-Event-Type': 'crew.document.processed',
			});
			expect(answer.status).toBe(200);
			expect(harness.executions[0][0][0].json).toMatchObject({
				event_id: event.event_id,
				event_type: 'crew.document.updated',
			});
			expect(logs.lines.find((l) => l.message.includes('disagree'))).toMatchObject({
				level: 'warn',
			});
		} finally {
			logs.restore();
		}
	});

	it.each([
		['occurred_at without a zone', '2026-06-08T10:00:00'],
		['occurred_at in another form', 'Mon, 08 Jun 2026 10:00:00 GMT'],
	])('%s is accepted and passed through as sent', async (_n, occurredAt) => {
		await startHarness();
		const event = envelope(undefined, { occurred_at: occurredAt });
		const { body, headers } = signedDelivery(event);
		expect((await harness.deliver(body, headers)).status).toBe(200);
		expect(harness.executions[0][0][0].json.occurred_at).toBe(occurredAt);
	});

	it('a non-ASCII event_id (UTF-8 header bytes, read by Node.js as latin1) is accepted and de-duplicated', async () => {
		const logs = captureLogs();
		try {
			await startHarness();
			const id = 'evt_Zoë_船员_⚓_' + newEventId();
			const event = envelope(undefined, { event_id: id });
			const { body, headers } = signedDelivery(event);
			// The raw UTF-8 bytes on the wire, as CrewPass sends them.
			headers['X-CrewPass-Event-Id'] = Buffer.from(id, 'utf8').toString('latin1');
			expect((await harness.deliver(body, headers)).status).toBe(200);
			expect((await harness.deliver(body, headers)).json).toEqual({
				status: 'duplicate',
				event_id: id,
			});
			expect(harness.executions).toHaveLength(1);
			expect(harness.executions[0][0][0].json.event_id).toBe(id);
			expect(logs.lines.filter((l) => l.message.includes('disagree'))).toEqual([]);
		} finally {
			logs.restore();
		}
	});
});

describe('CrewPass Trigger webhook(): n8n fails to start the execution of an accepted delivery', () => {
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

describe('CrewPass Trigger webhook(): late retries (signed once, delivered later)', () => {
	it('a retry signed 6 hours ago is accepted once (an info line), its next copy is a duplicate', async () => {
		const logs = captureLogs();
		try {
			await startHarness();
			const event = envelope();
			const signedAt = String(Number(nowSeconds()) - 6 * 3600);
			const { body, headers } = signedDelivery(event, { timestamp: signedAt });
			expect((await harness.deliver(body, headers)).status).toBe(200);
			expect((await harness.deliver(body, headers)).json).toMatchObject({ status: 'duplicate' });
			expect(harness.executions).toHaveLength(1);
			expect(logs.lines.find((l) => l.message.includes('accepted a retry signed'))).toMatchObject({
				level: 'info',
			});
		} finally {
			logs.restore();
		}
	});

	it('Accept Late Retries For sets the window', async () => {
		await startHarness({
			parameters: { events: ALL_EVENTS, options: { lateRetryHours: 1 } },
		});
		const at = (ageSeconds: number) => String(Number(nowSeconds()) - ageSeconds);
		const inside = signedDelivery(envelope(), { timestamp: at(3000) });
		const outside = signedDelivery(envelope(), { timestamp: at(3700) });
		expect((await harness.deliver(inside.body, inside.headers)).status).toBe(200);
		expect((await harness.deliver(outside.body, outside.headers)).status).toBe(401);
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

	it('and is refused after it (401), while the new secret works', async () => {
		await startHarness({ credentials: rotating(new Date(Date.now() - 1000).toISOString()) });
		const old = signedDelivery(envelope(), { secret: PREVIOUS_SECRET });
		const answer = await harness.deliver(old.body, old.headers);
		expect(answer).toMatchObject({ status: 401, json: { error: 'unauthorized' } });
		const fresh = signedDelivery(envelope(), { secret: 'whsec_brand_new' });
		expect((await harness.deliver(fresh.body, fresh.headers)).status).toBe(200);
		expect(harness.executions).toHaveLength(1);
	});
});

describe('CrewPass Trigger webhook(): per-delivery costs', () => {
	let reads: jest.SpyInstance;
	beforeEach(() => {
		reads = jest.spyOn(WebhookContext.prototype, 'getCredentials');
	});
	afterEach(() => reads.mockRestore());

	it(`reads the credential once per ${SETUP_CACHE_MS / 1000} s, not per delivery, and writes no static data on any path`, async () => {
		await startHarness();
		const events = Array.from({ length: 10 }, () => envelope());
		for (const event of events) {
			const d = signedDelivery(event);
			await harness.deliver(d.body, d.headers);
			await harness.deliver(d.body, d.headers); // duplicate
		}
		const forged = signedDelivery(envelope(), { secret: 'whsec_attacker' });
		const statuses: number[] = [];
		const frozen = jest.spyOn(Date, 'now').mockReturnValue(Date.now()); // no refill in the loop
		try {
			for (let i = 0; i < 10; i++) {
				statuses.push((await harness.deliver(forged.body, forged.headers)).status);
			}
		} finally {
			frozen.mockRestore();
		}
		expect(harness.executions).toHaveLength(10);
		// One read for the genuine deliveries and their duplicates; a forged delivery is judged
		// again on a read that began after it arrived (the secret may have been changed since:
		// secretChange.test.ts), one read each while the re-read allowance lasts; after it, 503
		// without a read (the allowance refills one a second; the clock stands still here).
		expect(statuses).toEqual([
			...Array(REREAD_BURST).fill(401),
			...Array(10 - REREAD_BURST).fill(503),
		]);
		expect(reads).toHaveBeenCalledTimes(1 + REREAD_BURST);
		expect(harness.calls.some((call) => call.staticDataSaved)).toBe(false);
	});

	it('copies the node once per delivery on every path (n8n deep-copies it on each getNode())', async () => {
		await startHarness();
		const copies = jest.spyOn(WebhookContext.prototype, 'getNode');
		try {
			const d = signedDelivery(envelope());
			const forged = signedDelivery(envelope(), { secret: 'whsec_attacker' });
			const statuses: number[] = [];
			for (const [body, headers] of [
				[d.body, d.headers], // accepted
				[d.body, d.headers], // duplicate
				[forged.body, forged.headers], // refused after a fresh credential read
				[forged.body, forged.headers],
			] as const) {
				const before = copies.mock.calls.length;
				statuses.push((await harness.deliver(body, headers)).status);
				expect(copies.mock.calls.length - before).toBe(1);
			}
			expect(statuses).toEqual([200, 200, 401, 401]);
			expect(reads).toHaveBeenCalledTimes(3);
		} finally {
			copies.mockRestore();
		}
	});

	it('re-reads after the cache bound, and at once when the node’s parameters change', async () => {
		await startHarness();
		let now = Date.now();
		const deliverAt = async (event: Record<string, unknown>) => {
			const d = signedDelivery(event, { timestamp: String(Math.floor(now / 1000)) });
			// handleDelivery's clock is Date.now: move it
			const spy = jest.spyOn(Date, 'now').mockReturnValue(now);
			try {
				return await harness.deliver(d.body, d.headers);
			} finally {
				spy.mockRestore();
			}
		};
		await deliverAt(envelope());
		await deliverAt(envelope());
		expect(reads).toHaveBeenCalledTimes(1);
		now += SETUP_CACHE_MS + 1;
		await deliverAt(envelope());
		expect(reads).toHaveBeenCalledTimes(2);
		harness.node.parameters = { events: ALL_EVENTS, options: { output: 'fullEnvelope' } };
		await deliverAt(envelope());
		expect(reads).toHaveBeenCalledTimes(3);
		expect(harness.executions[3][0][0].json.delivery).toBeDefined();
	});

	it('a secret changed in the credential works on the next delivery, however soon (a mismatch re-reads once)', async () => {
		await startHarness();
		const first = signedDelivery(envelope());
		expect((await harness.deliver(first.body, first.headers)).status).toBe(200);
		harness.options.credentials = credentials({ webhookSecret: 'whsec_rotated' });
		const next = signedDelivery(envelope(), { secret: 'whsec_rotated' });
		expect((await harness.deliver(next.body, next.headers)).status).toBe(200);
		expect(reads).toHaveBeenCalledTimes(2);
	});
});

describe('CrewPass Trigger: the de-duplication memory across restarts', () => {
	const savedIds = (data: Record<string, unknown>) =>
		decodeSavedIds(
			(data['node:CrewPass Trigger'] as Record<string, unknown> | undefined)?.[STATIC_DATA_KEY],
		).entries.map(([id]) => id);
	const send = async (event: Record<string, unknown>) => {
		const d = signedDelivery(event);
		return await harness.deliver(d.body, d.headers);
	};

	it('N events executed one by one, n8n restarts, all N redelivered: 0 new executions; a new event runs', async () => {
		await startHarness();
		const events = Array.from({ length: 5 }, () => envelope());
		for (const event of events) {
			expect((await send(event)).status).toBe(200);
			await runStartedExecutions(harness, { from: harness.executions.length - 1 });
		}
		expect(savedIds(harness.persistedStaticData)).toEqual(events.map((e) => e.event_id));

		resetDedupeStores(); // n8n restarts: memory gone, static data in the database remains

		for (const event of events) {
			expect((await send(event)).json).toEqual({ status: 'duplicate', event_id: event.event_id });
		}
		expect(harness.executions).toHaveLength(5);
		expect((await send(envelope())).status).toBe(200);
		expect(harness.executions).toHaveLength(6);
	});

	it('kill -9: an event whose execution never finished is not saved, and runs again after the restart', async () => {
		await startHarness();
		const done = envelope();
		const unfinished = envelope();
		await send(done);
		await runStartedExecutions(harness);
		await send(unfinished); // its execution is killed with n8n before it ends: nothing saved
		resetDedupeStores();
		expect((await send(done)).json).toMatchObject({ status: 'duplicate' });
		expect((await send(unfinished)).status).toBe(200);
		expect(harness.executions).toHaveLength(3);
	});

	it('the last execution to finish keeps the ids of executions still running (last writer wins)', async () => {
		await startHarness();
		const a = envelope();
		const b = envelope();
		await send(a);
		await send(b);
		// b's execution ends first, then a's (which loaded static data before b saved)
		await runStartedExecutions(harness, { from: 1 });
		harness.persistedStaticData = {};
		await runStartedExecutions(harness, { from: 0 });
		expect(new Set(savedIds(harness.persistedStaticData))).toEqual(
			new Set([a.event_id, b.event_id]),
		);
	});

	it('ids saved by another process (a queue-mode worker) are learnt by this process’s memory', async () => {
		await startHarness();
		const elsewhere = envelope();
		harness.persistedStaticData = {
			'node:CrewPass Trigger': {
				[STATIC_DATA_KEY]: encodeSavedIds([[String(elsewhere.event_id), Date.now()]], Date.now()),
			},
		};
		await send(envelope()); // the store exists already when the saved copy changes
		harness.persistedStaticData = {
			'node:CrewPass Trigger': {
				[STATIC_DATA_KEY]: encodeSavedIds(
					[[String(elsewhere.event_id), Date.now()]],
					Date.now() + 1,
				),
			},
		};
		expect((await send(elsewhere)).json).toMatchObject({ status: 'duplicate' });
	});

	it('ids another process saved are kept by this process’s later saves (which skip the parse)', async () => {
		await startHarness();
		const a = envelope();
		const b = envelope();
		const elsewhere = envelope();
		await send(a);
		// meanwhile a worker saved an id this process never saw
		harness.persistedStaticData = {
			'node:CrewPass Trigger': {
				[STATIC_DATA_KEY]: encodeSavedIds(
					[[String(elsewhere.event_id), Date.now()]],
					Date.now(),
					'another-process',
				),
			},
		};
		await runStartedExecutions(harness); // a's execution: merges the worker's copy
		await send(b);
		await runStartedExecutions(harness, { from: 1 }); // b's: saved from memory as it is
		expect(new Set(savedIds(harness.persistedStaticData))).toEqual(
			new Set([a.event_id, b.event_id, elsewhere.event_id]),
		);
		resetDedupeStores();
		for (const event of [a, b, elsewhere]) {
			expect((await send(event)).json).toMatchObject({ status: 'duplicate' });
		}
	});

	it('reads the older saved form ({ version: 1, entries: [[id, at]] }) after an upgrade', async () => {
		const old = envelope();
		await startHarness({
			staticData: {
				'node:CrewPass Trigger': {
					[STATIC_DATA_KEY]: { version: 1, entries: [[old.event_id, Date.now()]] },
				},
			},
		});
		expect((await send(old)).json).toMatchObject({ status: 'duplicate' });
	});

	it('Test URL (manual) deliveries keep a memory of their own: they never save ids nor make a production delivery a duplicate', async () => {
		await startHarness({ mode: 'manual' });
		const event = envelope();
		await send(event);
		await runStartedExecutions(harness);
		expect((await send(event)).json).toMatchObject({ status: 'duplicate' });
		expect(harness.persistedStaticData).toEqual({});
		const testStaticData = harness.persistedStaticData;
		await harness.stop();

		// The same workflow published: its production memory has not seen the event.
		await startHarness({ staticData: testStaticData });
		expect((await send(event)).status).toBe(200);
		expect(harness.executions).toHaveLength(1);
	});

	it('static data keeps at most 1,000 ids (the newest), whatever Remembered Event IDs is', async () => {
		await startHarness({
			parameters: { events: ALL_EVENTS, options: { rememberedEventIds: 5000 } },
		});
		const events = Array.from({ length: 1005 }, () => envelope());
		for (const event of events) await send(event);
		await runStartedExecutions(harness, { from: 1004 });
		const saved = savedIds(harness.persistedStaticData);
		expect(saved).toHaveLength(1000);
		expect(saved).toContain(events[1004].event_id);
		expect(saved).not.toContain(events[0].event_id);
		expect(
			typeof (harness.persistedStaticData['node:CrewPass Trigger'] as IDataObject)[STATIC_DATA_KEY],
		).toBe('object');
	});
});
