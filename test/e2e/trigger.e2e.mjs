// @ts-check
// CrewPass Trigger in a real, published n8n workflow, fed by the sandbox: exactly one execution
// per genuine event; none for duplicates (concurrent included), forged or missing signatures,
// wrong secrets, timestamps beyond the late-retry window, tampered bodies, absurd bodies, unknown
// or unselected types; late retries signed once are accepted; non-ASCII event ids are read right;
// no webhook secret is answered 503 (retried); the answers are the ones the sandbox records.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import {
	credentialData,
	publishWorkflow,
	unpublishWorkflow,
	waitForWebhook,
} from '../../scripts/lib/demo.mjs';
import { TRIGGER_TYPE } from '../../scripts/lib/n8n.mjs';
import {
	executionData,
	executions,
	mainPartnerId,
	nodeOutput,
	publishTriggerWorkflow,
	sleep,
	waitFor,
} from './context.mjs';

const WEBHOOK_ID = '6f1f3b0e-2d55-4a53-9e0c-7c1a0c0e2e01';

export default function (ctx) {
	missingSecretSuite(ctx);
	describe('CrewPass Trigger: one execution per genuine event', () => {
		let wf;
		let url;
		const genuine = new Set();
		const expectedAnswers = { 200: 0, 400: 0, 401: 0, 413: 0 };

		const send = (o) => ctx.sandbox.webhooks.send({ url, ...o });
		const complianceData = (crew, status = 'compliant') => ({
			crew_unique_id: crew,
			vessel_id: 'ves_probe',
			overall_status: status,
			requirements_met: 8,
			requirements_total: 8,
			requirements_expiring: 0,
			next_expiry_date: null,
		});
		const count = async () => (await executions(ctx, wf.id)).length;

		before(async () => {
			({ wf, url } = await publishTriggerWorkflow(ctx, {
				name: 'e2e: CrewPass Trigger probe',
				nodeId: 'c0a8012e-0000-4000-8000-000000000001',
				webhookId: WEBHOOK_ID,
				settings: { saveManualExecutions: true },
			}));
		});

		after(async () => {
			ctx.sandbox.faults.reset();
		});

		test('five genuine events, each sent four times at once: 5 accepted, 15 duplicates', async () => {
			const crew = Object.values(ctx.sandbox.fixtures).slice(0, 5);
			for (const c of crew) {
				const r = await send({
					event_type: 'crew.compliance.changed',
					data: complianceData(c),
					copies: 4,
					concurrent: true,
				});
				genuine.add(r.event.event_id);
				const statuses = r.deliveries.map((d) => d.status_code);
				assert.deepEqual(
					statuses,
					[200, 200, 200, 200],
					`all answered 200: ${JSON.stringify(r.deliveries)}`,
				);
				const dupes = r.deliveries.filter((d) => /"duplicate"/.test(d.response_body));
				assert.equal(
					dupes.length,
					3,
					`three duplicates for ${r.event.event_id}: ${JSON.stringify(r.deliveries.map((d) => d.response_body))}`,
				);
				expectedAnswers[200] += 4;
			}
		});

		test('forged, wrongly signed, unsigned, stale and tampered deliveries are answered 401', async () => {
			/** @type {[string, object][]} */
			const cases = [
				['bad signature', { bad_signature: true }],
				['wrong secret', { wrong_secret: true }],
				['missing signature', { missing_signature: true }],
				['signed beyond the late-retry window (73 h)', { stale_seconds: 73 * 3600 }],
				['signed 10 min in the future', { timestamp: Math.floor(Date.now() / 1000) + 600 }],
				['tampered body', { tamper_body: true }],
				['malformed signature header', { signature: 'sha256=abc' }],
			];
			for (const [what, o] of cases) {
				const r = await send({
					event_type: 'crew.compliance.changed',
					data: complianceData(ctx.sandbox.fixtures.compliant),
					...o,
				});
				assert.equal(
					r.deliveries[0].status_code,
					401,
					`${what}: ${JSON.stringify(r.deliveries[0])}`,
				);
				assert.deepEqual(
					JSON.parse(r.deliveries[0].response_body),
					{ error: 'unauthorized' },
					`${what}: a generic body (the reason is in n8n's log at debug level)`,
				);
				expectedAnswers[401] += 1;
			}
		});

		test('a signed body that is no CrewPass event is answered 400; absurd bodies 400/413 up front', async () => {
			const bad = await send({
				raw_body: JSON.stringify({ schema_version: 1, event_type: 'crew.compliance.changed' }),
			});
			assert.equal(bad.deliveries[0].status_code, 400, JSON.stringify(bad.deliveries[0]));
			const deep = '{"x":'.repeat(2000) + '1' + '}'.repeat(2000);
			const tooDeep = await send({
				raw_body: `{"schema_version":1,"event_id":"evt_deep_${Date.now()}","event_type":"crew.compliance.changed","occurred_at":"2026-06-08T10:00:00Z","partner_id":"prt_x","data":${deep}}`,
			});
			assert.equal(tooDeep.deliveries[0].status_code, 400, JSON.stringify(tooDeep.deliveries[0]));
			assert.match(tooDeep.deliveries[0].response_body, /body_too_deep/);
			const huge = await send({
				event_type: 'crew.compliance.changed',
				data: { ...complianceData(ctx.sandbox.fixtures.compliant), blob: 'x'.repeat(1_100_000) },
			});
			assert.equal(huge.deliveries[0].status_code, 413, JSON.stringify(huge.deliveries[0]));
			expectedAnswers[400] += 2;
			expectedAnswers[413] += 1;
		});

		test('headers naming another event than the signed body: the body wins (200, one execution)', async () => {
			const mismatch = await send({
				event_type: 'crew.compliance.changed',
				data: complianceData(ctx.sandbox.fixtures.compliant),
				headers: { 'X-CrewPass-Event-Id': 'evt_not_the_body_id' },
			});
			assert.equal(mismatch.deliveries[0].status_code, 200, JSON.stringify(mismatch.deliveries[0]));
			genuine.add(mismatch.event.event_id);
			expectedAnswers[200] += 1;
		});

		test('an event type or schema version CrewPass may add later: 200, nothing starts (logged)', async () => {
			const newType = await send({
				event_type: 'crew.placement.created',
				data: { crew_unique_id: ctx.sandbox.fixtures.compliant, vessel_id: 'ves_probe' },
			});
			assert.equal(newType.deliveries[0].status_code, 200, JSON.stringify(newType.deliveries[0]));
			assert.match(newType.deliveries[0].response_body, /event_type_unknown/);
			const newVersion = await send({
				event_type: 'crew.compliance.changed',
				data: complianceData(ctx.sandbox.fixtures.compliant),
				schema_version: 2,
			});
			assert.equal(newVersion.deliveries[0].status_code, 200);
			assert.match(newVersion.deliveries[0].response_body, /schema_version_unknown/);
			expectedAnswers[200] += 2;
		});

		test('a retry signed once and delivered 6 hours later is accepted once; its next copy is a duplicate', async () => {
			const signedAt = Math.floor(Date.now() / 1000) - 6 * 3600;
			const r = await send({
				event_type: 'crew.compliance.changed',
				data: complianceData(ctx.sandbox.fixtures.compliant),
				timestamp: signedAt,
				copies: 2,
			});
			assert.deepEqual(
				r.deliveries.map((d) => d.status_code),
				[200, 200],
				JSON.stringify(r.deliveries),
			);
			assert.match(r.deliveries[1].response_body, /"duplicate"/);
			genuine.add(r.event.event_id);
			expectedAnswers[200] += 2;
		});

		test('a non-ASCII event_id (raw UTF-8 header bytes) is accepted and de-duplicated', async () => {
			const { webhookSecret } = credentialData(ctx.sandbox);
			const id = `evt_Zoë_船员_${crypto.randomBytes(4).toString('hex')}`;
			const event = {
				schema_version: 1,
				event_id: id,
				event_type: 'crew.compliance.changed',
				occurred_at: new Date().toISOString(),
				partner_id: mainPartnerId(ctx),
				data: complianceData(ctx.sandbox.fixtures.compliant),
			};
			const answers = [];
			for (let i = 0; i < 2; i++) answers.push(await postSigned(url, event, webhookSecret));
			assert.deepEqual(
				answers.map((a) => a.status),
				[200, 200],
				JSON.stringify(answers),
			);
			assert.match(answers[1].body, /"duplicate"/);
			genuine.add(id);
		});

		test('an event type the trigger does not select is answered 200 and starts nothing', async () => {
			const r = await send({
				event_type: 'crew.profile.updated',
				data: {
					crew_unique_id: ctx.sandbox.fixtures.compliant,
					updated_at: new Date().toISOString(),
				},
			});
			assert.equal(r.deliveries[0].status_code, 200);
			expectedAnswers[200] += 1;
		});

		test('sandbox data changes delivered with duplicates (at-least-once) start one execution per compliance event', async () => {
			const partnerId = mainPartnerId(ctx);
			ctx.sandbox.webhooks.subscribe(partnerId, { url, events: null });
			ctx.sandbox.faults.set({ webhookDuplicates: 2 });
			const crewId = ctx.sandbox.fixtures.compliant;
			const crew = ctx.sandbox.crew(crewId);
			const doc = crew.documents.find((d) => d.verification_status === 'verified' && d.expiry_date);
			const res = ctx.sandbox.control.expireDocument(crewId, doc.document_id);
			assert.ok(await ctx.sandbox.webhooks.idle(30_000), 'sandbox deliveries settled');
			ctx.sandbox.faults.reset();
			const compliance = res.events.filter((e) => e.event_type === 'crew.compliance.changed');
			assert.ok(
				compliance.length >= 1,
				`expiring a certificate changes compliance: ${JSON.stringify(res.events.map((e) => e.event_type))}`,
			);
			for (const e of compliance) genuine.add(e.event_id);
			for (const e of res.events) {
				expectedAnswers[200] += 3;
				const attempts = ctx.sandbox.webhooks.deliveries({ event_id: e.event_id });
				assert.equal(attempts.length, 3, `3 copies of ${e.event_type}`);
				assert.ok(
					attempts.every((a) => a.status_code === 200 && a.outcome === 'delivered'),
					JSON.stringify(attempts),
				);
			}
			assert.equal(ctx.sandbox.webhooks.deadLetters().length, 0);
		});

		test('secret rotation: the previous secret verifies during its grace window, never after', async () => {
			const { credential } = ctx.demo;
			const base = credentialData(ctx.sandbox);
			const rotated = `whsec_rotated_${crypto.randomBytes(12).toString('hex')}`;
			ctx.extraSecrets = { ...(ctx.extraSecrets ?? {}), rotatedWebhookSecret: rotated };
			const save = (data) =>
				ctx.client.patch(`/rest/credentials/${credential.id}`, {
					name: credential.name,
					type: 'crewPassApi',
					data,
				});
			const deliver = async (secret) => {
				const r = await send({
					event_type: 'crew.compliance.changed',
					data: complianceData(ctx.sandbox.fixtures.expired),
					secret,
				});
				return r;
			};
			try {
				// The worst timing, every run: a forged delivery makes the trigger read its credential
				// just before the change is saved, so both deliveries below arrive well within a
				// second of that read. (The suite used to leave this to its own speed: on a fast n8n
				// the new secret arrived < 1 s after the last read and was answered 401.) The pause
				// makes an older trigger (one re-read per second at most) re-read on the forged one.
				await sleep(1_100);
				const forged = await send({
					event_type: 'crew.compliance.changed',
					data: complianceData(ctx.sandbox.fixtures.expired),
					bad_signature: true,
				});
				assert.equal(forged.deliveries[0].status_code, 401);
				expectedAnswers[401] += 1;
				await save({
					...base,
					webhookSecret: rotated,
					previousWebhookSecret: base.webhookSecret,
					rotationGraceEndsAt: new Date(Date.now() + 3_600_000).toISOString(),
				});
				for (const secret of [rotated, base.webhookSecret]) {
					const r = await deliver(secret);
					assert.equal(
						r.deliveries[0].status_code,
						200,
						`inside the grace window: ${r.deliveries[0].response_body}`,
					);
					genuine.add(r.event.event_id);
					expectedAnswers[200] += 1;
				}
				await save({
					...base,
					webhookSecret: rotated,
					previousWebhookSecret: base.webhookSecret,
					rotationGraceEndsAt: new Date(Date.now() - 60_000).toISOString(),
				});
				// The trigger reuses a credential read for up to 10 s (the stated bound on how long
				// an edited secret keeps working); a new secret is picked up at once on a mismatch.
				await sleep(10_500);
				const old = await deliver(base.webhookSecret);
				assert.equal(
					old.deliveries[0].status_code,
					401,
					`after the grace window: ${old.deliveries[0].response_body}`,
				);
				expectedAnswers[401] += 1;
				const current = await deliver(rotated);
				assert.equal(current.deliveries[0].status_code, 200);
				genuine.add(current.event.event_id);
				expectedAnswers[200] += 1;
			} finally {
				await save(base);
			}
		});

		test('n8n recorded exactly one successful execution per genuine event, and nothing else', async () => {
			await waitFor(async () => (await count()) >= genuine.size, {
				what: `${genuine.size} executions`,
			});
			await sleep(2000); // anything extra would have landed by now
			const list = await executions(ctx, wf.id);
			assert.equal(
				list.length,
				genuine.size,
				`executions: ${list.length}, genuine events: ${genuine.size}`,
			);
			const seen = [];
			for (const e of list) {
				assert.equal(e.status, 'success', `execution ${e.id} ${e.status}`);
				const full = await executionData(ctx, e.id);
				const items = nodeOutput(full, 'CrewPass Trigger');
				assert.equal(items.length, 1);
				seen.push(items[0].event_id);
				assert.equal(items[0].event_type, 'crew.compliance.changed');
			}
			assert.deepEqual([...seen].sort(), [...genuine].sort());
			ctx.timings.triggerExecutions = list.length;
		});

		test('the sandbox recorded the 200 / 400 / 401 answers expected', () => {
			const tally = { 200: 0, 400: 0, 401: 0, 413: 0 };
			for (const a of ctx.sandbox.webhooks.deliveries().filter((d) => d.url === url)) {
				tally[a.status_code] = (tally[a.status_code] ?? 0) + 1;
			}
			assert.deepEqual(tally, expectedAnswers);
			ctx.timings.triggerDeliveries = tally;
		});

		after(async () => {
			await unpublishWorkflow(ctx.client, wf.id).catch(() => {});
		});
	});
}

/**
 * POSTs a signed delivery directly, the X-CrewPass-Event-Id header as raw UTF-8 bytes (what a
 * sender writes for a non-ASCII id; Node.js hands it to n8n as latin1 text).
 */
function postSigned(url, event, secret) {
	const body = Buffer.from(JSON.stringify(event), 'utf8');
	const ts = String(Math.floor(Date.now() / 1000));
	const signature =
		'v1=' + crypto.createHmac('sha256', secret).update(`${ts}.`).update(body).digest('hex');
	const target = new URL(url);
	return new Promise((resolve, reject) => {
		const req = http.request(
			{
				host: target.hostname,
				port: target.port,
				path: target.pathname,
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					'Content-Length': String(body.length),
					'X-CrewPass-Event-Id': Buffer.from(event.event_id, 'utf8').toString('latin1'),
					'X-CrewPass-Event-Type': event.event_type,
					'X-CrewPass-Timestamp': ts,
					'X-CrewPass-Signature': signature,
					'X-CrewPass-Schema-Version': '1',
				},
			},
			(res) => {
				const chunks = [];
				res.on('data', (c) => chunks.push(c));
				res.on('end', () =>
					resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
				);
			},
		);
		req.on('error', reject);
		req.end(body);
	});
}

export function missingSecretSuite(ctx) {
	describe('CrewPass Trigger with no webhook secret in its credential', () => {
		let wf;
		let url;
		let credential;
		const WEBHOOK_ID = '6f1f3b0e-2d55-4a53-9e0c-7c1a0c0e2e03';

		before(async () => {
			const { webhookSecret, ...data } = credentialData(ctx.sandbox);
			assert.ok(webhookSecret);
			credential = await ctx.client.post('/rest/credentials', {
				name: 'CrewPass (no webhook secret yet)',
				type: 'crewPassApi',
				data,
			});
			const created = await ctx.client.post('/rest/workflows', {
				name: 'e2e: CrewPass Trigger without a webhook secret',
				nodes: [
					{
						id: 'c0a8012e-0000-4000-8000-000000000003',
						name: 'CrewPass Trigger',
						type: TRIGGER_TYPE,
						typeVersion: 1,
						position: [0, 0],
						webhookId: WEBHOOK_ID,
						parameters: { events: ['crew.compliance.changed'], options: {} },
						credentials: { crewPassApi: { id: credential.id, name: credential.name } },
					},
				],
				connections: {},
				settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
				active: false,
			});
			wf = await publishWorkflow(ctx.client, created.id);
			url = `${ctx.n8n.url}/webhook/${WEBHOOK_ID}/crewpass`;
			assert.equal(await waitForWebhook(url), 503, 'even an unsigned probe is answered 503');
		});

		test("a genuine delivery is answered 503 with a generic body (CrewPass retries it); the reason is in n8n's log", async () => {
			const r = await ctx.sandbox.webhooks.send({
				url,
				event_type: 'crew.compliance.changed',
				data: { crew_unique_id: ctx.sandbox.fixtures.compliant, overall_status: 'compliant' },
			});
			assert.equal(r.deliveries[0].status_code, 503, JSON.stringify(r.deliveries[0]));
			assert.deepEqual(JSON.parse(r.deliveries[0].response_body), {
				error: 'temporarily_unavailable',
			});
			assert.equal((await executions(ctx, wf.id)).length, 0);
			await waitFor(
				() => fs.readFileSync(ctx.logFile, 'utf8').includes('has no Webhook Signing Secret'),
				{ what: "the reason in n8n's log" },
			);
		});

		after(async () => {
			if (wf) await unpublishWorkflow(ctx.client, wf.id).catch(() => {});
		});
	});
}
