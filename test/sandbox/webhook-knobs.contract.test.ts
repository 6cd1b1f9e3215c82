/* eslint-disable @n8n/community-nodes/no-restricted-globals */
// Webhook knobs for what the contract leaves open: retries signed once and delivered late, event
// types and schema versions CrewPass may add, UTF-8 event ids, missing headers, zone-less
// occurred_at, oversize and deeply nested signed bodies, and the "test delivery to my Test URL".
import { sendTestDelivery, startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { call, verifyCrewPassSignature, type Json } from './client';

const SECRET = 'whsec_webhook_knobs_suite';
let sb: Sandbox;
let inboxN = 0;

async function freshInbox(statuses?: number[]): Promise<string> {
	const name = `knobs${++inboxN}`;
	if (statuses) await call(sb.url, `/_sandbox/inbox/${name}/config`, { json: { statuses } });
	sb.webhooks.subscribe('prt_harbourline', {
		url: `${sb.url}/_sandbox/inbox/${name}`,
		events: null,
	});
	return name;
}
const inbox = (name: string): Json[] => sb.inbox(name);
/** Header bytes as sent: Node reads them as latin1, the sandbox writes UTF-8. */
const utf8Header = (v: string) => Buffer.from(v, 'latin1').toString('utf8');

beforeAll(async () => {
	sb = await startSandbox({
		crew: 20,
		seed: 5,
		rateLimit: false,
		webhookBaseDelayMs: 20,
		webhookSecret: SECRET,
	});
});
afterAll(async () => {
	await sb.stop();
});
afterEach(async () => {
	expect(await sb.webhooks.idle(20_000)).toBe(true);
	sb.webhooks.clear();
	sb.webhooks.configure({ signOnce: false, retryDelaysMs: null, timestampClock: 'real' });
});

describe('Retries signed once and delivered late', () => {
	it('by default every attempt is signed afresh (its own timestamp)', async () => {
		expect(sb.webhooks.configure({})).toMatchObject({ signOnce: false, retryDelaysMs: null });
		sb.webhooks.configure({ retryDelaysMs: [1100] }); // the timestamps are whole seconds
		const name = await freshInbox([503, 200]);
		const ev = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
			crew_unique_id: sb.fixtures.compliant,
		});
		expect(await sb.webhooks.idle()).toBe(true);
		expect(sb.webhooks.deliveries({ event_id: ev.event_id }).map((a) => a.outcome)).toEqual([
			'retry_scheduled',
			'delivered',
		]);
		const [a, b] = inbox(name);
		expect(Number(b.headers['x-crewpass-timestamp'])).toBeGreaterThan(
			Number(a.headers['x-crewpass-timestamp']),
		);
		expect(b.headers['x-crewpass-signature']).not.toBe(a.headers['x-crewpass-signature']);
	});

	it('signOnce: every retry carries the first timestamp and signature; retryDelaysMs sets the waits', async () => {
		sb.webhooks.configure({ signOnce: true, retryDelaysMs: [30, 1100] });
		const name = await freshInbox([503, 500, 200]);
		const ev = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
			crew_unique_id: sb.fixtures.compliant,
		});
		expect(await sb.webhooks.idle(10_000)).toBe(true);
		const got = inbox(name);
		expect(got).toHaveLength(3);
		const ts = got.map((d) => d.headers['x-crewpass-timestamp']);
		const sigs = got.map((d) => d.headers['x-crewpass-signature']);
		expect(new Set(ts).size).toBe(1);
		expect(new Set(sigs).size).toBe(1);
		for (const d of got)
			expect(
				verifyCrewPassSignature(
					SECRET,
					d.headers['x-crewpass-timestamp'],
					d.headers['x-crewpass-signature'],
					d.raw_body,
				),
			).toBe(true);
		const attempts = sb.webhooks.deliveries({ event_id: ev.event_id });
		expect(attempts.map((a) => a.next_attempt_in_ms)).toEqual([30, 1100, undefined]);
		expect(attempts.map((a) => a.timestamp)).toEqual([ts[0], ts[0], ts[0]]);
		// the last attempt came more than a second after the one timestamp it carries
		expect(Date.parse(attempts[2].at) / 1000 - Number(ts[0])).toBeGreaterThanOrEqual(1);
	});

	it('a retry more than 300 s after signing: delays of any length, or the sandbox clock moved back', async () => {
		const late = await startSandbox({
			crew: 5,
			rateLimit: false,
			webhookSignOnce: true,
			webhookRetryDelaysMs: [310_000],
		});
		try {
			late.webhooks.subscribe('prt_harbourline', { url: `${late.url}/_sandbox/inbox/late` });
			await call(late.url, '/_sandbox/inbox/late/config', { json: { statuses: [503] } });
			const ev = late.webhooks.emit('prt_harbourline', 'crew.profile.updated', {});
			await new Promise((r) => setTimeout(r, 300));
			const [first] = late.webhooks.deliveries({ event_id: ev.event_id });
			expect(first).toMatchObject({ outcome: 'retry_scheduled', next_attempt_in_ms: 310_000 });
			expect(late.webhooks.configure({})).toMatchObject({
				signOnce: true,
				retryDelaysMs: [310_000],
			});
		} finally {
			await late.stop();
		}
		// Fast variant: sign on the sandbox clock set 400 s back; every attempt carries that stamp.
		sb.webhooks.configure({ signOnce: true, timestampClock: 'sandbox' });
		sb.clock.advance(-400_000);
		try {
			const name = await freshInbox([503, 200]);
			sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {});
			await sb.webhooks.idle();
			const got = inbox(name);
			expect(got).toHaveLength(2);
			for (const d of got)
				expect(Date.now() / 1000 - Number(d.headers['x-crewpass-timestamp'])).toBeGreaterThan(395);
			expect(got[1].headers['x-crewpass-signature']).toBe(got[0].headers['x-crewpass-signature']);
		} finally {
			sb.clock.advance(400_000);
		}
	});

	it('rejects a malformed retry schedule', async () => {
		const r = await call(sb.url, '/_sandbox/webhooks', { json: { retryDelaysMs: [-1] } });
		expect(r.status).toBe(422);
	});
});

describe('Event types and schema versions CrewPass may add', () => {
	it('emit refuses an unknown type by default, delivers it (retried, signed) with allow_unknown_type', async () => {
		const name = await freshInbox();
		const refused = await call(sb.url, '/_sandbox/webhooks/emit', {
			json: { event_type: 'crew.visa.expiring' },
		});
		expect(refused.status).toBe(422);
		const r = await call(sb.url, '/_sandbox/webhooks/emit', {
			json: {
				event_type: 'crew.visa.expiring',
				allow_unknown_type: true,
				schema_version: 2,
				data: { crew_unique_id: sb.fixtures.compliant, visa: 'B1/B2' },
			},
		});
		expect(r.status).toBe(202);
		await sb.webhooks.idle();
		const [d] = inbox(name);
		expect(d.headers['x-crewpass-event-type']).toBe('crew.visa.expiring');
		expect(d.headers['x-crewpass-schema-version']).toBe('2');
		expect(d.body).toMatchObject({
			event_type: 'crew.visa.expiring',
			schema_version: 2,
			data: { visa: 'B1/B2' },
		});
		expect(
			verifyCrewPassSignature(
				SECRET,
				d.headers['x-crewpass-timestamp'],
				d.headers['x-crewpass-signature'],
				d.raw_body,
			),
		).toBe(true);
	});
});

describe('Header and envelope oddities, all genuinely signed', () => {
	it('a non-ASCII event id goes out as UTF-8 header bytes', async () => {
		const name = await freshInbox();
		const id = 'evt_ünïcødé_✓_船';
		sb.webhooks.emit(
			'prt_harbourline',
			'crew.status.changed',
			{ crew_unique_id: sb.fixtures.compliant },
			{ event_id: id },
		);
		await sb.webhooks.idle();
		const [d] = inbox(name);
		expect(d.headers['x-crewpass-event-id']).not.toBe(id); // what a latin1 reader sees
		expect(utf8Header(d.headers['x-crewpass-event-id'])).toBe(id);
		expect(d.body.event_id).toBe(id);
		expect(
			verifyCrewPassSignature(
				SECRET,
				d.headers['x-crewpass-timestamp'],
				d.headers['x-crewpass-signature'],
				d.raw_body,
			),
		).toBe(true);
	});

	it('missing X-CrewPass-Event-Id / Event-Type headers (the body still carries them)', async () => {
		const name = await freshInbox();
		const ev = sb.webhooks.emit(
			'prt_harbourline',
			'crew.profile.updated',
			{},
			{ omit_headers: ['X-CrewPass-Event-Id', 'x-crewpass-event-type'] },
		);
		const sent = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url: `${sb.url}/_sandbox/inbox/${name}`, omit_headers: ['X-CrewPass-Event-Type'] },
		});
		expect(sent.status).toBe(200);
		await sb.webhooks.idle();
		const [a, b] = inbox(name);
		expect(a.headers['x-crewpass-event-id']).toBeUndefined();
		expect(a.headers['x-crewpass-event-type']).toBeUndefined();
		expect(a.headers['x-crewpass-signature']).toMatch(/^v1=/);
		expect(a.body.event_id).toBe(ev.event_id);
		expect(b.headers['x-crewpass-event-type']).toBeUndefined();
		expect(b.headers['x-crewpass-event-id']).toMatch(/^evt_/);
	});

	it('occurred_at without a zone', async () => {
		const name = await freshInbox();
		sb.webhooks.emit(
			'prt_harbourline',
			'crew.profile.updated',
			{},
			{ occurred_at: '2026-06-01T10:00:00' },
		);
		await sb.webhooks.idle();
		expect(inbox(name)[0].body.occurred_at).toBe('2026-06-01T10:00:00');
	});

	it('deeply nested and oversize bodies, signed like any other', async () => {
		const name = await freshInbox();
		sb.webhooks.emit(
			'prt_harbourline',
			'crew.profile.updated',
			{ crew_unique_id: 'crew_00001' },
			{ nest_depth: 5000 },
		);
		await sb.webhooks.idle();
		const [d] = inbox(name);
		expect(d.raw_body.startsWith('{"schema_version":1')).toBe(true);
		expect(d.raw_body).toContain('{"nested":'.repeat(5000) + '{"crew_unique_id":"crew_00001"}');
		expect(
			verifyCrewPassSignature(
				SECRET,
				d.headers['x-crewpass-timestamp'],
				d.headers['x-crewpass-signature'],
				d.raw_body,
			),
		).toBe(true);

		// 3 MB, signed; the inbox's 1 MB request cap answers 413 (a receiver's size limit at work).
		const big = await sb.webhooks.send({
			url: `${sb.url}/_sandbox/inbox/big`,
			pad_bytes: 3 * 1024 * 1024,
		});
		expect(Buffer.byteLength(big.raw_body)).toBeGreaterThan(3 * 1024 * 1024);
		expect(JSON.parse(big.raw_body).data.padding).toHaveLength(3 * 1024 * 1024);
		expect(big.deliveries[0].status_code).toBe(413);
		expect(
			verifyCrewPassSignature(
				SECRET,
				big.deliveries[0].timestamp,
				big.deliveries[0].signature!,
				big.raw_body,
			),
		).toBe(true);
	});
});

describe('Send a test delivery to my Test URL', () => {
	it('POST /_sandbox/webhooks/test-delivery: one signed sample of any type, no retry', async () => {
		const url = `${sb.url}/_sandbox/inbox/testurl?status=503`;
		const r = await call(sb.url, '/_sandbox/webhooks/test-delivery', {
			json: { url, event_type: 'crew.compliance.changed' },
		});
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({
			url,
			status_code: 503,
			event: {
				event_type: 'crew.compliance.changed',
				data: { crew_unique_id: sb.fixtures.compliant, overall_status: expect.any(String) },
			},
		});
		await sb.webhooks.idle();
		const got = sb.inbox('testurl');
		expect(got).toHaveLength(1);
		expect(
			verifyCrewPassSignature(
				SECRET,
				got[0].headers['x-crewpass-timestamp'],
				got[0].headers['x-crewpass-signature'],
				got[0].raw_body,
			),
		).toBe(true);
		expect(
			sb.webhooks.deliveries({ event_id: r.body.event.event_id }).map((a) => a.outcome),
		).toEqual(['test_delivery']);
	});

	it('defaults to crew.document.processed with a document sample; refuses non-loopback URLs and a missing url', async () => {
		const r = await sb.webhooks.testDelivery({ url: `${sb.url}/_sandbox/inbox/testurl2` });
		expect(r.status_code).toBe(200);
		expect(r.event.data).toMatchObject({
			crew_unique_id: sb.fixtures.compliant,
			document_id: expect.any(String),
			verification_status: expect.any(String),
		});
		expect(
			(
				await call(sb.url, '/_sandbox/webhooks/test-delivery', {
					json: { url: 'https://example.com/webhook-test/x' },
				})
			).status,
		).toBe(422);
		expect((await call(sb.url, '/_sandbox/webhooks/test-delivery', { json: {} })).status).toBe(422);
	});

	it('sendTestDelivery (the CLI flag --send-test-delivery) goes through the sandbox running on the port, else a temporary one', async () => {
		const running = await sendTestDelivery({
			url: `${sb.url}/_sandbox/inbox/cli`,
			event_type: 'crew.status.changed',
			port: sb.port,
		});
		expect(running).toMatchObject({
			via: 'running',
			ok: true,
			result: { status_code: 200, event: { event_type: 'crew.status.changed' } },
		});
		const got = sb.inbox('cli');
		expect(got).toHaveLength(1);
		expect(got[0].headers['x-crewpass-event-type']).toBe('crew.status.changed');
		expect(
			verifyCrewPassSignature(
				SECRET,
				got[0].headers['x-crewpass-timestamp'],
				got[0].headers['x-crewpass-signature'],
				got[0].raw_body,
			),
		).toBe(true);

		// nothing on the port: a temporary sandbox with the same fixed secrets sends it
		const unused = await startSandbox({ crew: 1, rateLimit: false });
		const freePort = unused.port;
		await unused.stop();
		const temporary = await sendTestDelivery({
			url: `${sb.url}/_sandbox/inbox/cli?status=410`,
			port: freePort,
			options: { crew: 5 },
		});
		expect(temporary).toMatchObject({ via: 'temporary', ok: false, result: { status_code: 410 } });
		expect(sb.inbox('cli')[1].headers['x-crewpass-signature']).toBe(temporary.result.signature);
		await expect(
			sendTestDelivery({ url: 'https://example.com/webhook-test/x', port: sb.port }),
		).rejects.toThrow(/loopback/);
	});
});
