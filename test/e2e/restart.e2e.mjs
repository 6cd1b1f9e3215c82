// @ts-check
// What the CrewPass Trigger still recognises after n8n restarts (measured, not simulated). The
// trigger's execute() saves the ids of accepted events in workflow static data, which n8n writes
// when the execution ends; webhook() merges them into its memory. So: N events executed one by
// one, n8n stopped with SIGTERM and started again on the same data, all N redelivered → 0 new
// executions, and a new event still runs. Then the same with kill -9, measuring exactly what it
// loses. Runs after the other suites (it restarts the n8n they share) and before secrets.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { log } from '../../scripts/lib/n8n.mjs';
import { unpublishWorkflow, waitForWebhook } from '../../scripts/lib/demo.mjs';
import {
	executionData,
	executions,
	nodeOutput,
	publishTriggerWorkflow,
	settledExecutions,
	sleep,
	waitFor,
} from './context.mjs';

const WEBHOOK_ID = '6f1f3b0e-2d55-4a53-9e0c-7c1a0c0e2e02';
const NODE_NAME = 'CrewPass Trigger';
// where and how the trigger keeps its saved ids, from the built package the tarball was packed from
const requireBuilt = createRequire(import.meta.url);
const { STATIC_DATA_KEY } = requireBuilt('../../dist/nodes/CrewPassTrigger/delivery.js');
const { decodeSavedIds } = requireBuilt('../../dist/nodes/CrewPassTrigger/dedupe.js');
const N = Number(process.env.CREWPASS_RESTART_EVENTS || 5);

export default function (ctx) {
	describe('CrewPass Trigger across an n8n restart', () => {
		let wf;
		let url;
		const sent = []; // events in the order sent
		const timings = {};
		const figures = {};

		const deliver = async (event, what) => {
			const r = await ctx.sandbox.webhooks.send({ url, event });
			const d = r.deliveries[0];
			assert.equal(d.status_code, 200, `${what}: ${JSON.stringify(d)}`);
			return {
				duplicate: /"status"\s*:\s*"duplicate"/.test(d.response_body ?? ''),
				body: d.response_body,
			};
		};
		const newEvent = async (i) => {
			const crew = Object.values(ctx.sandbox.fixtures);
			const r = await ctx.sandbox.webhooks.send({
				url,
				event_type: 'crew.compliance.changed',
				data: {
					crew_unique_id: crew[i % crew.length],
					vessel_id: 'ves_restart',
					overall_status: 'compliant',
					requirements_met: 8,
					requirements_total: 8,
					requirements_expiring: 0,
					next_expiry_date: null,
				},
			});
			assert.equal(r.deliveries[0].status_code, 200, JSON.stringify(r.deliveries[0]));
			assert.doesNotMatch(r.deliveries[0].response_body ?? '', /duplicate/);
			sent.push(r.event);
			return r.event;
		};
		/** event ids of the workflow's finished executions, oldest first */
		const executedIds = async (count) => {
			const list = await settledExecutions(ctx, wf.id, count, 60_000);
			const ids = [];
			for (const e of [...list].sort((a, b) => Number(a.id) - Number(b.id))) {
				ids.push({
					status: e.status,
					id: nodeOutput(await executionData(ctx, e.id), NODE_NAME)?.[0]?.event_id,
				});
			}
			return ids;
		};
		const count = async () => (await executions(ctx, wf.id)).length;
		/** the ids the trigger's static data holds, as n8n stored it */
		const savedIds = async () => {
			const stored = await ctx.client.get(`/rest/workflows/${wf.id}`);
			const saved = stored.staticData?.[`node:${NODE_NAME}`]?.[STATIC_DATA_KEY];
			return decodeSavedIds(saved).entries.map((e) => e[0]);
		};
		const redeliverAll = async (events) => {
			const before = await count();
			const outcome = { duplicate: 0, accepted: 0 };
			for (const e of events) {
				const r = await deliver(e, `redelivery of ${e.event_id}`);
				outcome[r.duplicate ? 'duplicate' : 'accepted'] += 1;
			}
			await sleep(2000); // an execution started by a redelivery would be recorded by now
			return { ...outcome, newExecutions: (await count()) - before };
		};
		const liveAgain = async () => {
			assert.equal(await waitForWebhook(url, 60_000), 401, 'the webhook answers again');
		};

		before(async () => {
			assert.equal(typeof ctx.restartN8n, 'function', 'scripts/e2e.mjs provides restartN8n');
			({ wf, url } = await publishTriggerWorkflow(ctx, {
				name: 'e2e: CrewPass Trigger across a restart',
				nodeId: 'c0a8012e-0000-4000-8000-000000000002',
				webhookId: WEBHOOK_ID,
			}));
		});

		test(`${N} events executed one by one: every id is in the saved static data`, async () => {
			for (let i = 0; i < N; i++) {
				await newEvent(i);
				const ids = await executedIds(i + 1);
				assert.deepEqual(
					ids.map((x) => x.id),
					sent.map((e) => e.event_id),
				);
				assert.ok(
					ids.every((x) => x.status === 'success'),
					JSON.stringify(ids),
				);
			}
			const saved = await savedIds();
			log('restart', `static data holds ${saved.length} ids after ${N} executions`);
			assert.deepEqual([...saved].sort(), sent.map((e) => e.event_id).sort());
		});

		test('SIGTERM + start: all N redelivered → 0 new executions; a new event still runs', async () => {
			assert.ok(await ctx.sandbox.webhooks.idle(30_000), 'no sandbox delivery in flight');
			const t = Date.now();
			const { stopMs, startMs } = await ctx.restartN8n();
			await liveAgain();
			Object.assign(timings, { stopMs, startMs, restartTotalMs: Date.now() - t });
			const redelivered = await redeliverAll(sent.slice(0, N));
			figures.sigterm = redelivered;
			log(
				'restart',
				`after SIGTERM: ${JSON.stringify(redelivered)} (timings ${JSON.stringify(timings)})`,
			);
			assert.deepEqual(redelivered, { duplicate: N, accepted: 0, newExecutions: 0 });
			await newEvent(N);
			const ids = await executedIds(N + 1);
			assert.equal(/** @type {{ id: unknown }} */ (ids.at(-1)).id, sent.at(-1).event_id);
		});

		test('kill -9 after executions finished: nothing lost; an event whose execution had not finished runs again', async () => {
			// K more events, each waited for; then one more, killed right after its 200.
			const K = 3;
			const base = sent.length;
			for (let i = 0; i < K; i++) {
				await newEvent(base + i);
				await executedIds(base + i + 1);
			}
			const finished = sent.slice(base);
			const inFlight = await newEvent(base + K);
			const proc = ctx.n8n.proc;
			process.kill(-proc.pid, 'SIGKILL');
			await waitFor(() => proc.exitCode !== null || proc.signalCode !== null, {
				what: 'n8n to die',
			});
			const t = Date.now();
			await ctx.restartN8n();
			await liveAgain();
			timings.killRestartMs = Date.now() - t;

			const all = await executions(ctx, wf.id);
			// n8n marks an execution that was running when it died "crashed" (no run data)
			const crashed = all.filter((e) => e.status === 'crashed').length;
			const inFlightExecution = [];
			for (const e of all) {
				const out = nodeOutput(await executionData(ctx, e.id), NODE_NAME);
				if (out?.[0]?.event_id === inFlight.event_id) inFlightExecution.push(e.status);
			}
			// No other execution ran after the last event was accepted, so only its own execution's
			// end can have saved its id: n8n saves static data when a run ends, just before it records
			// the execution (a kill between the two leaves a "crashed" execution whose nodes all ran).
			const savedItsId = (await savedIds()).includes(inFlight.event_id);
			const earlier = await redeliverAll(sent.slice(0, base + K));
			const last = await redeliverAll([inFlight]);
			const hadFinished = inFlightExecution.includes('success');
			figures.kill9 = {
				finishedBeforeKill: earlier,
				killedRightAfterItsAnswer: {
					...last,
					finishedBeforeTheKill: hadFinished,
					savedItsId,
				},
				crashedExecutions: crashed,
			};
			log('restart', `after kill -9: ${JSON.stringify(figures.kill9)}`);
			assert.equal(finished.length, K);
			// every event whose execution had finished before the kill is still a duplicate
			assert.deepEqual(earlier, { duplicate: base + K, accepted: 0, newExecutions: 0 });
			// the last one: a duplicate exactly when its id was saved (always, once its execution
			// was recorded as finished); otherwise it runs again
			if (hadFinished) assert.ok(savedItsId, JSON.stringify(figures.kill9));
			assert.deepEqual(
				last,
				savedItsId
					? { duplicate: 1, accepted: 0, newExecutions: 0 }
					: { duplicate: 0, accepted: 1, newExecutions: 1 },
				JSON.stringify(figures.kill9),
			);
			ctx.timings.restart = { ...timings, ...figures };
		});

		after(async () => {
			if (wf) await unpublishWorkflow(ctx.client, wf.id).catch(() => {});
		});
	});
}
