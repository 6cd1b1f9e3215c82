// @ts-check
// Both CrewPass triggers on one CrewPass account, set up the safe way: each trigger in its own
// workflow, both handing their items to one shared sub-workflow (Execute Workflow) that drops
// states it has seen (Remove Duplicates on `state_key`) and posts the rest to a sink.
//
// Why two workflows: n8n keeps one static-data blob per workflow and saves it whole from the
// copy the saving execution or poll holds. A polling trigger's copy is the one loaded when the
// workflow was activated, so in ONE workflow every poll that emits writes back the webhook
// trigger's remembered event ids as they were at activation, and after a restart redelivered
// events run again. In separate workflows each trigger's saves hold only its own state.
//
//   1. 5 webhook events, each executed once; a fleet change polled: 1 execution; the sink has 6;
//   2. n8n restarted; the 5 events redelivered, the fleet unchanged: 0 new executions of either
//      trigger workflow, all 5 answered 200 as duplicates, the sink still has 6;
//   3. the same state from the other trigger (a webhook crew.status.changed matching the polled
//      change): its trigger runs, the shared sub-workflow drops it: the sink still has 6.
// Restarts n8n: scripts/e2e.mjs runs it after the suites that do not.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { log } from '../../scripts/lib/n8n.mjs';
import {
	calledByWorkflowNode,
	callWorkflowNode,
	connectInOrder,
	createWorkflow,
	crewPassTriggerNode,
	dropSeenStatesNode,
	everySeconds,
	pollingTriggerNode,
	postItemsNode,
	publishWorkflow,
	unpublishWorkflow,
	waitForWebhook,
} from '../../scripts/lib/demo.mjs';
import {
	clearInbox,
	executionData,
	executions,
	mainPartnerId,
	nodeOutput,
	sandboxControl,
	settledExecutions,
	sleep,
	waitFor,
} from './context.mjs';

const INBOX = 'both-triggers-e2e';
const WEBHOOK_ID = '6f1f3b0e-2d55-4a53-9e0c-7c1a0c0e2e23';
const TRIGGER = 'CrewPass Trigger';
const POLLER = 'CrewPass Polling Trigger';
const CALL = 'Run Shared Steps';
const N = 5;

export default function (ctx) {
	describe('Both CrewPass triggers, each in its own workflow, across an n8n restart', () => {
		/** @type {{ webhook: any, polling: any, shared: any }} */
		const wf = /** @type {any} */ ({});
		let url = '';
		let partnerId = '';
		/** @type {any[]} events in the order sent */
		const sent = [];
		/** the crew member whose verification status the poll reports */
		let crewId = '';
		/** @type {Record<string, unknown>} */
		const figures = {};

		const control = sandboxControl(ctx);
		const lastRead = async () =>
			(await control('GET', `roster/reads?after=${Number.MAX_SAFE_INTEGER}`)).last_id ?? 0;
		/** The first complete roster read after `after` (a poll's read of the fleet). */
		const nextRead = async (after, what) => {
			const r = await control(
				'GET',
				`roster/reads/wait?after=${after}&outcome=complete&partner_id=${partnerId}&timeout_ms=120000`,
			);
			assert.ok(r.read, `no complete roster read after #${after} within 120 s: ${what}`);
			return r.read;
		};
		/** Two complete reads from now: the first poll saw the fleet as it is, the second proves it returned. */
		const twoPolls = async (what) => {
			const first = await nextRead(await lastRead(), what);
			return await nextRead(first.id, `${what} (the poll after)`);
		};
		/** @returns {any[]} the items at the sink, in arrival order */
		const sink = () => ctx.sandbox.inbox(INBOX).map((e) => e.body);
		const count = async (w) => (await executions(ctx, w.id)).length;
		const counts = async () => ({
			webhook: await count(wf.webhook),
			polling: await count(wf.polling),
			sink: sink().length,
		});
		/** Every execution of the three workflows has finished. */
		const settle = async () => {
			for (const w of [wf.webhook, wf.polling, wf.shared])
				await settledExecutions(ctx, w.id, 0, 120_000);
		};

		/**
		 * One event to the trigger's Production URL, sent again (as CrewPass retries) while n8n
		 * answers 5xx: on a loaded machine n8n's own credential read can time out, which the
		 * trigger answers 500. Returns the event and whether the 200 said "duplicate".
		 * @param {Record<string, unknown>} options sandbox send options: { event } or { event_type, data }
		 */
		const deliver = async (options) => {
			for (let attempt = 1; ; attempt++) {
				const r = await ctx.sandbox.webhooks.send({ url, ...options });
				const d = r.deliveries[0];
				if (d.status_code >= 500 && attempt < 5) {
					figures.retried5xx = Number(figures.retried5xx ?? 0) + 1;
					options = { event: r.event };
					await sleep(1000);
					continue;
				}
				assert.equal(d.status_code, 200, `delivery of ${r.event.event_id}: ${JSON.stringify(d)}`);
				return {
					event: r.event,
					duplicate: /"status"\s*:\s*"duplicate"/.test(d.response_body ?? ''),
				};
			}
		};
		/** Until an unsigned probe is answered 401 (refused, nothing started): the webhook is live. */
		const live = () =>
			waitFor(async () => (await waitForWebhook(url, 60_000)) === 401, {
				timeoutMs: 60_000,
				intervalMs: 1000,
				what: 'the webhook to refuse an unsigned probe with 401',
			});
		/** A new compliance event (a state of its own: its vessel id is unique). */
		const newEvent = async (i) => {
			const crew = Object.values(ctx.sandbox.fixtures);
			const { event, duplicate } = await deliver({
				event_type: 'crew.compliance.changed',
				data: {
					crew_unique_id: crew[i % crew.length],
					vessel_id: `ves_both_${i}`,
					overall_status: 'compliant',
					requirements_met: 8,
					requirements_total: 8,
					requirements_expiring: 0,
					next_expiry_date: null,
				},
			});
			assert.equal(duplicate, false, `${event.event_id} is new`);
			sent.push(event);
			return event;
		};
		/** The event ids the webhook workflow's executions output, oldest first. */
		const executedIds = async (n) => {
			const list = await settledExecutions(ctx, wf.webhook.id, n, 60_000);
			const ids = [];
			for (const e of [...list].sort((a, b) => Number(a.id) - Number(b.id))) {
				assert.equal(e.status, 'success', `execution ${e.id}: ${e.status}`);
				ids.push(nodeOutput(await executionData(ctx, e.id), TRIGGER)?.[0]?.event_id);
			}
			return ids;
		};

		before(async () => {
			assert.equal(typeof ctx.restartN8n, 'function', 'scripts/e2e.mjs provides restartN8n');
			partnerId = mainPartnerId(ctx);
			await clearInbox(ctx, INBOX);
			const credential = ctx.demo.credential;

			// a crew member on one vessel who shares their status, not a fixture other suites use
			/** @type {{ items: Array<{ crew_unique_id: string }> }} */
			const view = await control('GET', 'roster');
			const rows = new Map();
			for (const r of view.items) rows.set(r.crew_unique_id, (rows.get(r.crew_unique_id) ?? 0) + 1);
			const fixtures = new Set(Object.values(ctx.sandbox.fixtures));
			crewId = /** @type {string} */ (
				[...rows.keys()].reverse().find((id) => {
					const c = /** @type {any} */ (ctx.sandbox.crew(id));
					return (
						rows.get(id) === 1 &&
						!fixtures.has(id) &&
						c.consents.includes('crew:status:read') &&
						c.background_check_status !== null
					);
				})
			);
			assert.ok(crewId, 'a crew member whose status change the poll can report');

			const shared = await createWorkflow(ctx.client, {
				name: 'e2e: both triggers: shared steps',
				nodes: [
					calledByWorkflowNode({ id: 'c0a8012e-0000-4000-8000-000000000231' }),
					dropSeenStatesNode({ id: 'c0a8012e-0000-4000-8000-000000000232' }),
					postItemsNode({
						id: 'c0a8012e-0000-4000-8000-000000000233',
						url: `${ctx.sandbox.url}/_sandbox/inbox/${INBOX}`,
					}),
				],
				connections: connectInOrder(
					'When Called by a Trigger Workflow',
					'Drop Seen States',
					'Post to Sink',
				),
			});
			wf.shared = shared;
			const webhook = await createWorkflow(ctx.client, {
				name: 'e2e: both triggers: CrewPass Trigger',
				nodes: [
					crewPassTriggerNode({
						id: 'c0a8012e-0000-4000-8000-000000000234',
						webhookId: WEBHOOK_ID,
						credential,
						events: ['crew.compliance.changed', 'crew.status.changed'],
					}),
					callWorkflowNode({ id: 'c0a8012e-0000-4000-8000-000000000235', workflowId: shared.id }),
				],
				connections: connectInOrder(TRIGGER, CALL),
			});
			const polling = await createWorkflow(ctx.client, {
				name: 'e2e: both triggers: CrewPass Polling Trigger',
				nodes: [
					pollingTriggerNode({
						id: 'c0a8012e-0000-4000-8000-000000000236',
						credential,
						events: ['verificationStatusChanged'],
						pollTimes: everySeconds(5),
					}),
					callWorkflowNode({ id: 'c0a8012e-0000-4000-8000-000000000237', workflowId: shared.id }),
				],
				connections: connectInOrder(POLLER, CALL),
			});

			// n8n 2.x runs only published sub-workflows (and publishes a caller only after them);
			// n8n 1.x runs the saved one and refuses to activate a workflow whose only trigger is
			// "When Called by Another Workflow"
			await publishWorkflow(ctx.client, shared.id).catch((e) => {
				if (!/has no node to start the workflow/.test(String(e?.message))) throw e;
			});
			wf.webhook = await publishWorkflow(ctx.client, webhook.id);
			wf.webhook.id = webhook.id;
			url = `${ctx.n8n.url}/webhook/${WEBHOOK_ID}/crewpass`;
			await live();
			const from = await lastRead();
			wf.polling = await publishWorkflow(ctx.client, polling.id);
			wf.polling.id = polling.id;
			// the activation's poll records the fleet and emits nothing
			const baseline = await nextRead(from, 'the baseline');
			await nextRead(baseline.id, 'the first poll after the baseline');
			await settle();
			assert.deepEqual(await counts(), { webhook: 0, polling: 0, sink: 0 });
		});

		after(async () => {
			for (const w of [wf.webhook, wf.polling, wf.shared])
				if (w) await unpublishWorkflow(ctx.client, w.id).catch(() => {});
			ctx.timings.bothTriggers = figures;
			log('both-triggers', JSON.stringify(figures));
		});

		test(`${N} webhook events executed once each; a polled change executed once`, async () => {
			for (let i = 0; i < N; i++) {
				await newEvent(i);
				assert.deepEqual(
					await executedIds(i + 1),
					sent.map((e) => e.event_id),
				);
			}

			const c = /** @type {any} */ (ctx.sandbox.crew(crewId));
			const status = c.verification_status === 'pending' ? 'unverified' : 'pending';
			await control('POST', `crew/${crewId}/status`, { verification_status: status });
			await settledExecutions(ctx, wf.polling.id, 1, 120_000);
			await twoPolls('a quiet poll after the change');
			await settle();
			const polled = sink().filter((i) => i.source === 'poll');
			assert.deepEqual(
				polled.map((i) => [i.event_type, i.crew_unique_id, i.verification_status]),
				[['crew.status.changed', crewId, status]],
			);
			const before = await counts();
			figures.beforeRestart = before;
			assert.deepEqual(before, { webhook: N, polling: 1, sink: N + 1 });
		});

		test(`n8n restarted: the ${N} events redelivered and the fleet unchanged → nothing runs again`, async () => {
			assert.ok(await ctx.sandbox.webhooks.idle(30_000), 'no sandbox delivery in flight');
			const from = await lastRead();
			const restart = await ctx.restartN8n();
			await live();
			// the poller is active again: its activation poll, then one more, both emit nothing
			const first = await nextRead(from, 'the first poll after the restart');
			await nextRead(first.id, 'the poll after it');
			await settle();

			const outcome = { duplicate: 0, accepted: 0 };
			for (const event of sent)
				outcome[(await deliver({ event })).duplicate ? 'duplicate' : 'accepted'] += 1;
			await twoPolls('two polls after the redeliveries');
			await sleep(2000); // an execution started by a redelivery would be recorded by now
			await settle();
			const afterRestart = await counts();
			figures.restart = { stopMs: restart.stopMs, startMs: restart.startMs };
			figures.redelivered = outcome;
			figures.afterRestart = afterRestart;
			log('both-triggers', `after the restart: ${JSON.stringify({ outcome, afterRestart })}`);
			assert.deepEqual(
				{ outcome, executions: afterRestart },
				{
					outcome: { duplicate: N, accepted: 0 },
					executions: { webhook: N, polling: 1, sink: N + 1 },
				},
			);
		});

		test('the polled state delivered by the webhook too: its trigger runs, the shared steps drop it', async () => {
			const [polled] = sink().filter((i) => i.source === 'poll');
			const before = await counts();
			const { event, duplicate } = await deliver({
				event_type: 'crew.status.changed',
				data: {
					crew_unique_id: crewId,
					verification_status: polled.verification_status,
					background_check_status: polled.background_check_status,
				},
			});
			assert.equal(duplicate, false);
			const list = await settledExecutions(ctx, wf.webhook.id, before.webhook + 1, 60_000);
			const newest = list.reduce((a, b) => (Number(b.id) > Number(a.id) ? b : a));
			const [item] = nodeOutput(await executionData(ctx, newest.id), TRIGGER) ?? [];
			assert.equal(item?.event_id, event.event_id);
			assert.equal(item?.state_key, polled.state_key, 'the same state from either trigger');
			await sleep(1000);
			await settle();
			assert.deepEqual(await counts(), { ...before, webhook: before.webhook + 1 });
		});
	});
}
