// Contract suite for the sandbox's webhooks: envelope, headers, signature recipe, events fired by
// data changes, at-least-once delivery with backoff, permanent 4xx, dead letters, fault knobs.
// The receiver is the sandbox's own inbox sink (/_sandbox/inbox/{name}), which records raw bodies.
import { startSandbox, type Sandbox } from '../../sandbox/server.cjs';
import { call, verifyCrewPassSignature, ISO_SECONDS, ISO_DATE, type Json } from './client';

const BASE_DELAY = 30;
let sb: Sandbox;
let secret: string;
let inboxN = 0;

/** Subscribe the main partner to a fresh inbox; optional answer sequence. */
async function freshInbox(
	statuses?: number[],
	status?: number,
	events?: string[] | null,
): Promise<string> {
	const name = `hooks${++inboxN}`;
	if (statuses || status)
		await call(sb.url, `/_sandbox/inbox/${name}/config`, { json: { statuses, status } });
	const r = await call(sb.url, '/_sandbox/webhooks', {
		json: { url: `${sb.url}/_sandbox/inbox/${name}`, events: events ?? null },
	});
	expect(r.status).toBe(200);
	return name;
}
async function inbox(name: string): Promise<Json[]> {
	return (await call(sb.url, `/_sandbox/inbox/${name}`)).body.items;
}
async function idle(): Promise<void> {
	expect((await call(sb.url, '/_sandbox/webhooks/idle?timeout_ms=20000')).body.idle).toBe(true);
}

beforeAll(async () => {
	sb = await startSandbox({
		crew: 40,
		seed: 3,
		rateLimit: false,
		webhookBaseDelayMs: BASE_DELAY,
		webhookSecret: 'whsec_test_suite_secret',
	});
	secret = sb.webhooks.secret();
});
afterAll(async () => {
	await sb.stop();
});
afterEach(async () => {
	await idle();
	await call(sb.url, '/_sandbox/deliveries', { method: 'DELETE' });
	await call(sb.url, '/_sandbox/faults/reset', { json: {} });
});

describe('Envelope, headers and signature', () => {
	it('crew.profile.updated arrives signed with the documented headers', async () => {
		expect(secret).toBe('whsec_test_suite_secret');
		const name = await freshInbox();
		const id = sb.fixtures.compliant;
		const upd = await call(sb.url, `/_sandbox/crew/${id}/profile`, {
			method: 'PATCH',
			json: { bio: 'Now in Antibes.' },
		});
		expect(upd.status).toBe(200);
		await idle();
		const items = await inbox(name);
		expect(items).toHaveLength(1);
		const [d] = items;
		expect(d.headers['content-type']).toBe('application/json');
		expect(d.headers['x-crewpass-schema-version']).toBe('1');
		expect(d.headers['x-crewpass-event-type']).toBe('crew.profile.updated');
		expect(d.headers['x-crewpass-event-id']).toMatch(/^evt_[0-9a-f]{24}$/);
		const ts = Number(d.headers['x-crewpass-timestamp']);
		expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(30);
		expect(d.headers['x-crewpass-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
		// The contract's recipe verifies it; a wrong secret or a changed body does not.
		expect(
			verifyCrewPassSignature(
				secret,
				d.headers['x-crewpass-timestamp'],
				d.headers['x-crewpass-signature'],
				d.raw_body,
			),
		).toBe(true);
		expect(
			verifyCrewPassSignature(
				'whsec_other',
				d.headers['x-crewpass-timestamp'],
				d.headers['x-crewpass-signature'],
				d.raw_body,
			),
		).toBe(false);
		expect(
			verifyCrewPassSignature(
				secret,
				d.headers['x-crewpass-timestamp'],
				d.headers['x-crewpass-signature'],
				d.raw_body + ' ',
			),
		).toBe(false);
		expect(
			verifyCrewPassSignature(
				secret,
				String(ts + 1),
				d.headers['x-crewpass-signature'],
				d.raw_body,
			),
		).toBe(false);
		expect(d.body).toEqual({
			schema_version: 1,
			event_id: d.headers['x-crewpass-event-id'],
			event_type: 'crew.profile.updated',
			occurred_at: expect.stringMatching(ISO_SECONDS),
			partner_id: 'prt_harbourline',
			data: { crew_unique_id: id, updated_at: upd.body.updated_at },
		});
		expect(Object.keys(d.body)).toEqual([
			'schema_version',
			'event_id',
			'event_type',
			'occurred_at',
			'partner_id',
			'data',
		]);
		// The profile read shows the change.
		const prof = await call(sb.url, `/api/v2/employers/me/crew/${id}/profile`, {
			key: sb.keys.management,
		});
		expect(prof.body.bio).toBe('Now in Antibes.');
	});
});

describe('Data changes fire the events they imply', () => {
	it('expiring a certificate fires crew.document.updated and crew.compliance.changed', async () => {
		const name = await freshInbox();
		const crew = sb.crew(sb.fixtures.compliant)!;
		const aff = crew.documents.find((d) => d.kind === 'advanced_firefighting')!;
		const r = await call(
			sb.url,
			`/_sandbox/crew/${crew.crew_unique_id}/documents/${aff.document_id}/expire`,
			{ json: {} },
		);
		expect(r.status).toBe(200);
		await idle();
		const items = await inbox(name);
		expect(items.map((i) => i.body.event_type)).toEqual([
			'crew.document.updated',
			'crew.compliance.changed',
		]);
		expect(items[0].body.data).toEqual({
			crew_unique_id: crew.crew_unique_id,
			document_id: aff.document_id,
			type: 'STCW',
			category: 'Training Certificate',
			title: 'Advanced Fire Fighting',
			issuer: aff.issuer,
			verification_status: 'expired',
			issue_date: expect.stringMatching(ISO_DATE),
			expiry_date: expect.stringMatching(ISO_DATE),
			document_number: aff.document_number,
		});
		expect(items[1].body.data).toEqual({
			crew_unique_id: crew.crew_unique_id,
			vessel_id: crew.placements[0].vessel_id,
			overall_status: 'non_compliant',
			requirements_met: 8,
			requirements_total: 9,
			requirements_expiring: 0,
			next_expiry_date: expect.stringMatching(ISO_DATE),
		});
		const check = await call(
			sb.url,
			`/api/v2/employers/me/crew/${crew.crew_unique_id}/compliance-checks`,
			{ key: sb.keys.management, json: {} },
		);
		expect(check.body.overall_status).toBe('non_compliant');
	});

	it('a verified upload fires crew.document.processed (and compliance when it flips); a pending one waits for verification', async () => {
		const name = await freshInbox();
		const id = sb.fixtures.missing; // no ENG1: non_compliant
		const up = await call(sb.url, `/_sandbox/crew/${id}/documents`, {
			json: { requirement_key: 'eng1', verification_status: 'pending', expires_in_days: 700 },
		});
		expect(up.status).toBe(201);
		expect(up.body.events.map((e: Json) => e.event_type)).toEqual(['crew.compliance.changed']); // non_compliant -> at_risk (pending)
		const docId = up.body.document.document_id;
		const ver = await call(sb.url, `/_sandbox/crew/${id}/documents/${docId}/verify`, { json: {} });
		expect(ver.body.events.map((e: Json) => e.event_type)).toEqual([
			'crew.document.processed',
			'crew.compliance.changed',
		]);
		await idle();
		const items = await inbox(name);
		expect(items.map((i) => i.body.event_type)).toEqual([
			'crew.compliance.changed',
			'crew.document.processed',
			'crew.compliance.changed',
		]);
		expect(items[1].body.data).toEqual(
			expect.objectContaining({
				document_id: docId,
				type: 'ENG1',
				verification_status: 'verified',
			}),
		);
		expect(items[0].body.data.overall_status).toBe('at_risk');
		expect(items[2].body.data.overall_status).toBe('compliant');
		// Rejecting it afterwards is an update.
		const rej = await call(sb.url, `/_sandbox/crew/${id}/documents/${docId}/reject`, { json: {} });
		expect(rej.body.events.map((e: Json) => e.event_type)).toEqual([
			'crew.document.updated',
			'crew.compliance.changed',
		]);
	});

	it('a background-check change fires crew.status.changed with the standard vocabulary', async () => {
		const name = await freshInbox();
		const id = sb.fixtures.noBackgroundCheck;
		const r = await call(sb.url, `/_sandbox/crew/${id}/background-check`, {
			json: { status: 'in-progress' },
		});
		expect(r.status).toBe(200);
		await idle();
		const items = await inbox(name);
		expect(items).toHaveLength(1);
		expect(items[0].body.data).toEqual({
			crew_unique_id: id,
			verification_status: 'verified',
			background_check_status: 'in-progress',
		});
		const bad = await call(sb.url, `/_sandbox/crew/${id}/background-check`, {
			json: { status: 'cleared-by-vendor-x' },
		});
		expect(bad.status).toBe(422);
	});

	it('consent and event selection gate deliveries', async () => {
		const name = await freshInbox(undefined, undefined, ['crew.profile.updated']);
		await call(sb.url, `/_sandbox/crew/${sb.fixtures.noStatusConsent}/status`, {
			json: { background_check_status: 'expired' },
		});
		const doc = sb.crew(sb.fixtures.atRisk)!.documents[0];
		await call(sb.url, `/_sandbox/crew/${sb.fixtures.atRisk}/documents/${doc.document_id}/expire`, {
			json: {},
		});
		await call(sb.url, `/_sandbox/crew/${sb.fixtures.atRisk}/profile`, {
			method: 'PATCH',
			json: { phone: '+44 7700 900123' },
		});
		await idle();
		const items = await inbox(name);
		expect(items.map((i) => i.body.event_type)).toEqual(['crew.profile.updated']);
		// Without status consent, not even an (undelivered) event is built.
		const events = (await call(sb.url, '/_sandbox/events')).body.items;
		expect(
			events.some(
				(e: Json) =>
					e.event_type === 'crew.status.changed' &&
					e.data.crew_unique_id === sb.fixtures.noStatusConsent,
			),
		).toBe(false);
		expect(events.some((e: Json) => e.event_type === 'crew.document.updated')).toBe(true);
	});
});

describe('Delivery: retries, permanent rejections, dead letters', () => {
	it('retries 500/503/408/429 with exponential backoff until a 2xx', async () => {
		const name = await freshInbox([500, 503, 408, 429]);
		const ev = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
			crew_unique_id: sb.fixtures.compliant,
			updated_at: sb.clock.iso(),
		});
		await idle();
		const attempts = (await call(sb.url, `/_sandbox/deliveries?event_id=${ev.event_id}`)).body
			.items;
		expect(attempts.map((a: Json) => [a.attempt, a.status_code, a.outcome])).toEqual([
			[1, 500, 'retry_scheduled'],
			[2, 503, 'retry_scheduled'],
			[3, 408, 'retry_scheduled'],
			[4, 429, 'retry_scheduled'],
			[5, 200, 'delivered'],
		]);
		const gaps = attempts
			.slice(1)
			.map((a: Json, i: number) => Date.parse(a.at) - Date.parse(attempts[i].at));
		gaps.forEach((g: number, i: number) =>
			expect(g).toBeGreaterThanOrEqual(BASE_DELAY * 2 ** i - 5),
		);
		expect(gaps[3]).toBeGreaterThan(gaps[0] * 3);
		const received = await inbox(name);
		expect(received).toHaveLength(5);
		expect(new Set(received.map((r) => r.body.event_id))).toEqual(new Set([ev.event_id]));
		// Each attempt is signed afresh and verifies.
		for (const r of received)
			expect(
				verifyCrewPassSignature(
					secret,
					r.headers['x-crewpass-timestamp'],
					r.headers['x-crewpass-signature'],
					r.raw_body,
				),
			).toBe(true);
	});

	it('dead-letters after 8 failed attempts, and no 9th', async () => {
		await freshInbox(undefined, 500);
		sb.webhooks.configure({ baseDelayMs: 5 });
		const ev = sb.webhooks.emit('prt_harbourline', 'crew.status.changed', {
			crew_unique_id: sb.fixtures.compliant,
			verification_status: 'verified',
			background_check_status: 'completed',
		});
		await idle();
		sb.webhooks.configure({ baseDelayMs: BASE_DELAY });
		const attempts = sb.webhooks.deliveries({ event_id: ev.event_id });
		expect(attempts).toHaveLength(8);
		expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
		expect(attempts[7].outcome).toBe('dead_lettered');
		const dl = (await call(sb.url, '/_sandbox/dead-letters')).body.items;
		expect(dl).toEqual([
			expect.objectContaining({
				event_id: ev.event_id,
				attempts: 8,
				last_status_code: 500,
				event: ev,
			}),
		]);
	});

	it('connection failures are retried too', async () => {
		sb.webhooks.configure({ maxAttempts: 3 });
		try {
			await call(sb.url, '/_sandbox/webhooks', { json: { url: 'http://127.0.0.1:9/refused' } });
			const ev = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
				crew_unique_id: 'crew_00001',
				updated_at: sb.clock.iso(),
			});
			await idle();
			const attempts = sb.webhooks.deliveries({ event_id: ev.event_id });
			expect(attempts.map((a) => a.status_code)).toEqual([null, null, null]);
			expect(attempts[0].error).toEqual(expect.any(String));
			expect(sb.webhooks.deadLetters().map((d) => d.event_id)).toContain(ev.event_id);
		} finally {
			sb.webhooks.configure({ maxAttempts: 8 });
		}
	});

	it.each([400, 401, 404, 410, 422])('a %i is permanent: one attempt, no retry', async (status) => {
		await freshInbox(undefined, status);
		const ev = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
			crew_unique_id: sb.fixtures.compliant,
			updated_at: sb.clock.iso(),
		});
		await idle();
		const attempts = sb.webhooks.deliveries({ event_id: ev.event_id });
		expect(attempts.map((a) => [a.status_code, a.outcome])).toEqual([[status, 'rejected']]);
		expect(sb.webhooks.deadLetters()).toEqual([]);
	});

	it('webhook URLs off loopback are refused by default', async () => {
		const r = await call(sb.url, '/_sandbox/webhooks', {
			json: { url: 'https://example.com/hook' },
		});
		expect(r.status).toBe(422);
	});
});

describe('Fault knobs on delivery', () => {
	it('duplicates: each event is delivered 1 + N times with the same event_id', async () => {
		const name = await freshInbox();
		await call(sb.url, '/_sandbox/faults', { json: { webhookDuplicates: 2 } });
		const ev = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
			crew_unique_id: sb.fixtures.compliant,
			updated_at: sb.clock.iso(),
		});
		await idle();
		const items = await inbox(name);
		expect(items).toHaveLength(3);
		expect(
			items.every((i) => i.body.event_id === ev.event_id && i.raw_body === items[0].raw_body),
		).toBe(true);
	});

	it('out of order: a later event arrives first', async () => {
		const name = await freshInbox();
		await call(sb.url, '/_sandbox/faults', {
			json: { webhookOutOfOrder: true, webhookOutOfOrderWindowMs: 50 },
		});
		const a = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
			crew_unique_id: 'crew_00001',
			updated_at: '2026-06-08T12:00:00Z',
		});
		const b = sb.webhooks.emit('prt_harbourline', 'crew.profile.updated', {
			crew_unique_id: 'crew_00001',
			updated_at: '2026-06-08T12:05:00Z',
		});
		await idle();
		const ids = (await inbox(name)).map((i) => i.body.event_id);
		expect(ids).toEqual([b.event_id, a.event_id]);
	});
});

describe('Raw / forged deliveries for receiver tests (POST /_sandbox/webhooks/send)', () => {
	it('sends duplicates, forged signatures, stale timestamps, wrong secrets and unselected types, and reports each status', async () => {
		const name = await freshInbox();
		const url = `${sb.url}/_sandbox/inbox/${name}`;
		const dup = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url, event_type: 'crew.document.processed', copies: 3, concurrent: true },
		});
		expect(dup.status).toBe(200);
		expect(dup.body.deliveries.map((d: Json) => d.status_code)).toEqual([200, 200, 200]);
		expect(dup.body.event.data).toEqual(
			expect.objectContaining({
				crew_unique_id: expect.any(String),
				document_id: expect.stringMatching(/^doc_/),
			}),
		);

		const forged = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url, bad_signature: true },
		});
		const stale = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url, stale_seconds: 600 },
		});
		const wrong = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url, wrong_secret: true },
		});
		const tampered = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url, tamper_body: true },
		});
		const unselected = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url, event_type: 'crew.vessel.renamed', data: { x: 1 } },
		});
		expect(unselected.body.event.event_type).toBe('crew.vessel.renamed');

		const items = await inbox(name);
		expect(items).toHaveLength(8);
		const valid = (i: Json) =>
			verifyCrewPassSignature(
				secret,
				i.headers['x-crewpass-timestamp'],
				i.headers['x-crewpass-signature'],
				i.raw_body,
			);
		expect(items.slice(0, 3).map(valid)).toEqual([true, true, true]);
		expect(new Set(items.slice(0, 3).map((i) => i.body.event_id)).size).toBe(1);
		const byEvent = (r: Json) => items.find((i) => i.body.event_id === r.body.event.event_id);
		expect(valid(byEvent(forged))).toBe(false);
		expect(valid(byEvent(wrong))).toBe(false);
		expect(valid(byEvent(tampered))).toBe(false);
		const staleItem = byEvent(stale);
		expect(valid(staleItem)).toBe(true);
		expect(Date.now() / 1000 - Number(staleItem.headers['x-crewpass-timestamp'])).toBeGreaterThan(
			590,
		);
		expect(valid(byEvent(unselected))).toBe(true);
	});

	it("reports the receiver's answer per delivery", async () => {
		const name = await freshInbox([401, 200]);
		const r = await call(sb.url, '/_sandbox/webhooks/send', {
			json: { url: `${sb.url}/_sandbox/inbox/${name}`, copies: 2 },
		});
		expect(r.body.deliveries.map((d: Json) => d.status_code)).toEqual([401, 200]);
		const recorded = (await call(sb.url, `/_sandbox/deliveries?event_id=${r.body.event.event_id}`))
			.body.items;
		expect(recorded.map((a: Json) => [a.status_code, a.outcome])).toEqual([
			[401, 'sent_raw'],
			[200, 'sent_raw'],
		]);
	});
});
