// What the CrewPass Trigger still recognises after n8n restarts (measured, not simulated). n8n
// 2.20+ does not save workflow static data written during a delivery that starts an execution;
// a delivery that starts none (here: a duplicate) saves it. So: A and B accepted, a copy of B
// answered duplicate (static data saved with A and B), C accepted last (its id only in memory);
// n8n restarted on the same data; A, B and C redelivered. Runs after the other suites (it
// restarts the n8n they share) and before secrets.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { log } from '../../scripts/lib/n8n.mjs';
import { waitForWebhook } from '../../scripts/lib/demo.mjs';
import {
	executionData,
	executions,
	nodeOutput,
	publishTriggerWorkflow,
	settledExecutions,
} from './context.mjs';

const WEBHOOK_ID = '6f1f3b0e-2d55-4a53-9e0c-7c1a0c0e2e02';
const NODE_NAME = 'CrewPass Trigger';
const STATIC_DATA_KEY = 'crewPassRecentEventIds';

export default function (ctx) {
	describe('CrewPass Trigger across an n8n restart', () => {
		let wf;
		let url;
		const events = {}; // name → the event as sent
		const measured = {}; // name → 'duplicate' | 'new execution'
		const timings = {};

		const deliver = async (event, what) => {
			const r = await ctx.sandbox.webhooks.send({ url, event });
			const d = r.deliveries[0];
			assert.equal(d.status_code, 200, `${what}: ${JSON.stringify(d)}`);
			return {
				event: r.event,
				duplicate: /"status"\s*:\s*"duplicate"/.test(d.response_body ?? ''),
				body: d.response_body,
			};
		};
		const newEvent = (crew) =>
			ctx.sandbox.webhooks.send({
				url,
				event_type: 'crew.compliance.changed',
				data: {
					crew_unique_id: crew,
					vessel_id: 'ves_restart',
					overall_status: 'compliant',
					requirements_met: 8,
					requirements_total: 8,
					requirements_expiring: 0,
					next_expiry_date: null,
				},
			});
		/** event ids of the workflow's executions, oldest first */
		const executedIds = async (count) => {
			const list = await settledExecutions(ctx, wf.id, count, 60_000);
			const ids = [];
			for (const e of [...list].sort((a, b) => Number(a.id) - Number(b.id))) {
				assert.equal(e.status, 'success', `execution ${e.id} ${e.status}`);
				ids.push(nodeOutput(await executionData(ctx, e.id), NODE_NAME)?.[0]?.event_id);
			}
			return ids;
		};
		/** the ids the trigger's static data holds, as n8n stored it */
		const savedIds = async () => {
			const stored = await ctx.client.get(`/rest/workflows/${wf.id}`);
			const entries = stored.staticData?.[`node:${NODE_NAME}`]?.[STATIC_DATA_KEY]?.entries ?? [];
			return entries.map((e) => e[0]);
		};
		const nameOf = (id) => Object.keys(events).find((k) => events[k].event_id === id) ?? id;

		before(async () => {
			assert.equal(typeof ctx.restartN8n, 'function', 'scripts/e2e.mjs provides restartN8n');
			({ wf, url } = await publishTriggerWorkflow(ctx, {
				name: 'e2e: CrewPass Trigger across a restart',
				nodeId: 'c0a8012e-0000-4000-8000-000000000002',
				webhookId: WEBHOOK_ID,
			}));
		});

		test('before the restart: A and B accepted, a copy of B is a duplicate, C accepted last', async () => {
			const crew = Object.values(ctx.sandbox.fixtures);
			const a = await newEvent(crew[0]);
			events.A = a.event;
			assert.deepEqual(await executedIds(1), [events.A.event_id]);
			const b = await newEvent(crew[1]);
			events.B = b.event;
			assert.deepEqual(await executedIds(2), [events.A.event_id, events.B.event_id]);
			const copyOfB = await deliver(events.B, 'copy of B');
			assert.equal(copyOfB.duplicate, true, `a copy of B is answered duplicate: ${copyOfB.body}`);
			const c = await newEvent(crew[2]);
			events.C = c.event;
			for (const r of [a, b, c])
				assert.equal(r.deliveries[0].status_code, 200, JSON.stringify(r.deliveries[0]));
			assert.deepEqual(await executedIds(3), [
				events.A.event_id,
				events.B.event_id,
				events.C.event_id,
			]);
			// what n8n saved: the duplicate's write (A, B); C's write, on a path that started an execution, was not saved
			const saved = (await savedIds()).map(nameOf);
			log('restart', `static data before the restart holds: ${JSON.stringify(saved)}`);
			assert.deepEqual(saved, ['A', 'B']);
		});

		test('an ignored event type and a refused delivery after C leave the saved ids as they are', async () => {
			const ignored = await ctx.sandbox.webhooks.send({
				url,
				event_type: 'crew.profile.updated',
				data: {
					crew_unique_id: ctx.sandbox.fixtures.compliant,
					updated_at: new Date().toISOString(),
				},
			});
			assert.match(
				ignored.deliveries[0].response_body,
				/"ignored"/,
				JSON.stringify(ignored.deliveries[0]),
			);
			const refused = await ctx.sandbox.webhooks.send({
				url,
				event: events.C,
				bad_signature: true,
			});
			assert.equal(refused.deliveries[0].status_code, 401, JSON.stringify(refused.deliveries[0]));
			// these paths never touch the remembered ids: only a duplicate writes them again
			const saved = (await savedIds()).map(nameOf);
			log(
				'restart',
				`static data after an ignored and a refused delivery: ${JSON.stringify(saved)}`,
			);
			assert.deepEqual(saved, ['A', 'B']);
		});

		test('n8n restarts on the same data and the production webhook is live again', async () => {
			assert.ok(await ctx.sandbox.webhooks.idle(30_000), 'no sandbox delivery in flight');
			const t = Date.now();
			const { stopMs, startMs } = await ctx.restartN8n();
			const t2 = Date.now();
			assert.equal(
				await waitForWebhook(url, 60_000),
				401,
				'the webhook answers again (unsigned probe refused)',
			);
			Object.assign(timings, {
				stopMs,
				startMs,
				webhookLiveAfterReadyMs: Date.now() - t2,
				restartTotalMs: Date.now() - t,
			});
			log('restart', `restart timings: ${JSON.stringify(timings)}`);
		});

		test('after the restart: A and B (saved by a duplicate) are recognised; C (only in memory) starts a second execution', async () => {
			for (const name of ['A', 'B', 'C']) {
				const r = await deliver(events[name], `redelivery of ${name}`);
				measured[name] = r.duplicate ? 'duplicate' : 'new execution';
			}
			const ids = await executedIds(
				3 + Object.values(measured).filter((m) => m === 'new execution').length,
			);
			const executedAfter = ids.slice(3).map(nameOf);
			log(
				'restart',
				`redelivered after the restart: ${JSON.stringify(measured)}; new executions for ${JSON.stringify(executedAfter)}`,
			);
			ctx.timings.restart = { ...timings, redelivered: measured };
			assert.deepEqual(
				executedAfter,
				Object.keys(measured).filter((k) => measured[k] === 'new execution'),
			);
			assert.deepEqual(measured, { A: 'duplicate', B: 'duplicate', C: 'new execution' });
		});

		test('the second copy of C after the restart is a duplicate again', async () => {
			const r = await deliver(events.C, 'second redelivery of C');
			assert.equal(r.duplicate, true, r.body);
		});

		after(async () => {
			if (wf) await ctx.client.post(`/rest/workflows/${wf.id}/deactivate`, {}).catch(() => {});
		});
	});
}
