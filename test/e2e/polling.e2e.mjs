// @ts-check
// The CrewPass Polling Trigger in a real, published n8n workflow polling every 5 s (12 custom
// crons), fed by the sandbox's roster controls and read faults, counted at a sink: an HTTP
// Request node that posts every item to a sandbox inbox. A poll is known to have happened from
// the sandbox's roster reads (`/_sandbox/roster/reads/wait`), never from a sleep: a change is made,
// the next complete read saw it, and the read after that one proves that poll has finished (an
// overlapping poll reads nothing, so a new read starts only once the previous poll returned).
//   1. every roster control, in three batches: exactly the expected items, each once;
//   2. the mass-leaver guard: an error naming the option, nothing emitted, the roster kept;
//   3. a partial read (page 2 of 2 failing: a 503 beyond the retries, a page without `items`;
//      other faults with CREWPASS_E2E_PAGE_FAULTS): an error execution without the key, nothing
//      emitted, then the pending change exactly once from the next clean poll, no one left;
//   4. n8n restarted between polls: a change emitted just before is not emitted again, a change
//      made while n8n was down arrives exactly once;
//   5. a document watch (its own workflow, once the roster one is unpublished): one crew member's
//      documents answered malformed (no `items`, an empty body, another crew member's; more with
//      CREWPASS_E2E_DOCUMENT_FAULTS): an error execution naming the request, nothing emitted,
//      then only the real document change from the next clean poll, none of theirs.
// Runs after the other suites and before restart.e2e.mjs (scripts/e2e.mjs): it restarts n8n.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';

import { log } from '../../scripts/lib/n8n.mjs';
import { everySeconds, publishWorkflow, unpublishWorkflow } from '../../scripts/lib/demo.mjs';
import {
	clearInbox,
	createPollingToSink,
	executionData,
	executions,
	mainPartnerId,
	nodeOutput,
	sandboxControl,
	settledExecutions,
	waitFor,
} from './context.mjs';

const INBOX = 'polling-e2e';
const NODE = 'CrewPass Polling Trigger';
const SINK = 'Post to Sink';
/** Roster rows before the trigger is published: more than one page of 200 (the node's page size). */
const ROSTER_ROWS = 230;
const PAGE_SIZE = 200;
/** Faults injected on page 2 (more: CREWPASS_E2E_PAGE_FAULTS=503,items_missing,drop,invalid_json). */
const PAGE_FAULTS = (process.env.CREWPASS_E2E_PAGE_FAULTS || '503,items_missing')
	.split(',')
	.map((f) => (/^\d+$/.test(f) ? Number(f) : f));
/** Faults for one crew member's documents read (sandbox read faults, endpoint documents). */
const DOCUMENT_FAULTS = (
	process.env.CREWPASS_E2E_DOCUMENT_FAULTS || 'items_missing,empty_body,other_crew'
).split(',');
/** What the error of each documents fault says was wrong. */
const DOCUMENT_PROBLEMS = {
	items_missing: /"items" is missing, not a list/,
	empty_body: /"items" is missing, not a list/,
	items_not_list: /"items" is an object, not a list/,
	bad_row: /item 0 of the page has no document_id/,
	other_crew: /is for crew member "crew_someone_else"/,
	invalid_json: /not a JSON object/,
	html: /not a JSON object/,
};

/** Every Trigger On value read from the roster or the vessel list (not the per-crew reads). */
function rosterAndVesselKinds() {
	// from the built package the tarball was packed from (read here: dist/ is built by setup)
	const { CHANGE_KINDS } = createRequire(import.meta.url)(
		'../../dist/nodes/CrewPassPollingTrigger/changes.js',
	);
	return Object.entries(CHANGE_KINDS)
		.filter(([, k]) => k.source === 'roster' || k.source === 'vessels')
		.map(([name]) => name);
}

/** @param {any} i */
const brief = (i) =>
	`${i.event_type} ${i.crew_unique_id ?? ''}/${i.vessel_id ?? ''} ${JSON.stringify(i.before)}→${JSON.stringify(i.after)}`;

/**
 * Each expected item exactly once among `items` (event_type, the key fields, before, after, and
 * any `check`), and no other item.
 * @param {any[]} items
 * @param {Array<{ event_type: string, key: Record<string, unknown>, before: unknown, after: unknown, check?: (item: any) => void }>} expected
 * @param {string} what
 */
function assertItems(items, expected, what) {
	const rest = [...items];
	const all = () => items.map(brief).join('\n  ');
	for (const e of expected) {
		const hits = rest.filter(
			(i) => i.event_type === e.event_type && Object.entries(e.key).every(([k, v]) => i[k] === v),
		);
		assert.equal(
			hits.length,
			1,
			`${what}: ${e.event_type} ${JSON.stringify(e.key)} at the sink ${hits.length} times; items:\n  ${all()}`,
		);
		const [item] = hits;
		assert.deepEqual(item.before, e.before, `${what}: ${brief(item)}: before`);
		assert.deepEqual(item.after, e.after, `${what}: ${brief(item)}: after`);
		assert.equal(item.source, 'poll');
		assert.match(item.event_id, /^poll_[0-9a-f]{32}$/);
		assert.ok(
			item.detected_at && item.previous_poll_at,
			`${brief(item)}: detected_at, previous_poll_at`,
		);
		e.check?.(item);
		rest.splice(rest.indexOf(item), 1);
	}
	assert.deepEqual(rest.map(brief), [], `${what}: no other item`);
}

export default function (ctx) {
	describe('CrewPass Polling Trigger in a real n8n (published, polling every 5 s)', () => {
		/** @type {any} */
		let wf;
		/** @type {string} */
		let partnerId;
		/** crew members a test changed: each test picks others */
		const used = new Set();
		const timings = {};
		const keys = () =>
			[...Object.values(ctx.sandbox.keys), ctx.sandbox.webhooks.secret()].filter(
				(k) => typeof k === 'string' && k.length >= 8,
			);

		const control = sandboxControl(ctx);
		/** The id of the last roster read begun (in progress ones included). */
		const lastRead = async () =>
			(await control('GET', `roster/reads?after=${Number.MAX_SAFE_INTEGER}`)).last_id ?? 0;
		/** The first read after `after` that reaches `outcome` (a poll's read of the roster). */
		const nextRead = async (after, what, outcome = 'complete') => {
			const t = Date.now();
			const r = await control(
				'GET',
				`roster/reads/wait?after=${after}&outcome=${outcome}&partner_id=${partnerId}&timeout_ms=120000`,
			);
			assert.ok(r.read, `no ${outcome} roster read after #${after} within 120 s: ${what}`);
			log('polling', `read #${r.read.id} ${outcome} after ${Date.now() - t} ms (${what})`);
			return r.read;
		};
		/**
		 * The roster was just changed: the next complete read saw it, and once the read after it
		 * is complete that poll has returned; then every execution it started has finished.
		 */
		const polled = async (what) => {
			const seen = await nextRead(await lastRead(), what);
			const next = await nextRead(seen.id, `${what} (the poll after)`);
			await settle();
			return { seen, next };
		};
		const settle = () => settledExecutions(ctx, wf.id, 0, 120_000);
		/** @returns {any[]} the items at the sink, in arrival order */
		const sink = () => ctx.sandbox.inbox(INBOX).map((e) => e.body);
		const sinkReaches = (n, what) =>
			waitFor(() => sink().length >= n, {
				timeoutMs: 90_000,
				intervalMs: 500,
				what: `${n} items at the sink (${what}); ${sink().length} so far`,
			});
		const byStatus = async () => {
			const list = await executions(ctx, wf.id);
			return {
				ids: new Set(list.map((e) => String(e.id))),
				success: list.filter((e) => e.status === 'success').length,
				error: list.filter((e) => e.status === 'error').length,
				list,
			};
		};
		/**
		 * The first execution that finished after `before` (a set of ids), oldest first: it must be
		 * the failed poll's error, with its data. (The next clean poll may start a successful one a
		 * moment later, e.g. when the failed poll's retries ran into the next tick.)
		 */
		const newError = async (before, what) => {
			const done = await waitFor(
				async () => {
					const fresh = (await executions(ctx, wf.id))
						.filter((e) => !before.has(String(e.id)))
						.sort((a, b) => Number(a.id) - Number(b.id));
					return fresh.length && !['new', 'running', 'waiting'].includes(fresh[0].status)
						? fresh
						: undefined;
				},
				{ timeoutMs: 120_000, intervalMs: 500, what: `an execution after the fault (${what})` },
			);
			const found = done[0];
			assert.equal(
				found.status,
				'error',
				`${what}: the first execution after the fault: ${done.map((e) => `#${e.id} ${e.status}`).join(', ')}`,
			);
			const exec = await executionData(ctx, found.id);
			const error = exec.data?.resultData?.error ?? {};
			const text = JSON.stringify(exec);
			for (const k of keys())
				assert.ok(!text.includes(k), `${what}: a key or secret in the error execution`);
			assert.equal(nodeOutput(exec, SINK), undefined, `${what}: the sink did not run`);
			return { exec, error, text };
		};
		/**
		 * Crew members on exactly one vessel (one roster row), not fixtures, not used yet, that
		 * `ok` accepts; `onPage` restricts to rows on that page of 200.
		 */
		const pick = async (n, ok = (_c) => true, onPage = 0) => {
			/** @type {{ items: Array<{ crew_unique_id: string, vessel_id: string, role: string | null }> }} */
			const view = await control('GET', 'roster');
			const rows = new Map();
			for (const r of view.items) rows.set(r.crew_unique_id, (rows.get(r.crew_unique_id) ?? 0) + 1);
			const fixtures = new Set(Object.values(ctx.sandbox.fixtures));
			const out = [];
			for (const [index, r] of view.items.entries()) {
				const id = r.crew_unique_id;
				if (out.length === n) break;
				if (onPage && Math.floor(index / PAGE_SIZE) + 1 !== onPage) continue;
				if (rows.get(id) !== 1 || fixtures.has(id) || used.has(id)) continue;
				if (!ok(ctx.sandbox.crew(id))) continue;
				used.add(id);
				out.push(id);
			}
			assert.equal(out.length, n, `${n} crew members to change`);
			return out;
		};
		const placement = (id) => {
			const c = /** @type {any} */ (ctx.sandbox.crew(id));
			assert.equal(c.placements.length, 1, `${id} on one vessel`);
			return c.placements[0];
		};
		const sharesStatus = (c) => c.consents.includes('crew:status:read');

		before(async () => {
			partnerId = mainPartnerId(ctx);
			await control('DELETE', 'read-faults');
			// more than one page: the partial-read test fails page 2
			const rows = (await control('GET', 'roster')).rows;
			if (rows < ROSTER_ROWS) {
				const grown = await control('POST', 'roster/churn', {
					seed: 17,
					joins: ROSTER_ROWS - rows,
				});
				log('polling', `roster grown from ${rows} to ${grown.rows} rows`);
			}
			await clearInbox(ctx, INBOX);
			const created = await createPollingToSink(ctx, {
				name: 'e2e: CrewPass Polling Trigger → sink',
				node: NODE,
				triggerId: 'c0a8012e-0000-4000-8000-000000000017',
				parameters: {
					pollTimes: everySeconds(5),
					events: rosterAndVesselKinds(),
					options: {},
				},
				sink: SINK,
				sinkId: 'c0a8012e-0000-4000-8000-000000000018',
				inboxName: INBOX,
				settings: { saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
			});
			const t = Date.now();
			const before = await lastRead();
			wf = await publishWorkflow(ctx.client, created.id);
			wf.id = created.id;
			// the activation's poll records the baseline and emits nothing
			const baseline = await nextRead(before, 'the baseline');
			assert.ok(baseline.pages >= 2, `the roster spans ${baseline.pages} pages`);
			await nextRead(baseline.id, 'the first poll after the baseline');
			await settle();
			timings.publishToSecondPollMs = Date.now() - t;
			assert.equal(sink().length, 0, 'the first poll only records the fleet');
			assert.equal((await executions(ctx, wf.id)).length, 0, 'no execution for the baseline');
		});

		after(async () => {
			await fetch(`${ctx.sandbox.url}/_sandbox/read-faults`, { method: 'DELETE' }).catch(() => {});
			if (wf) await unpublishWorkflow(ctx.client, wf.id).catch(() => {});
			ctx.timings.polling = timings;
			log('polling', `timings ${JSON.stringify(timings)}`);
		});

		test('every roster control between polls: exactly the expected items at the sink, each once', async () => {
			const t = Date.now();
			const start = sink().length;
			const exec0 = await byStatus();
			const vessels = (await control('GET', 'roster')).vessels.map((v) => v.vessel_id);
			const [L, M, R, St, C, B, P] = await pick(
				7,
				(c) => sharesStatus(c) && c.background_check_status !== null,
			);

			// Batch 1: join, leave the fleet, move, role, verification status, consent withdrawn, vessel added.
			const j = await control('POST', 'crew', {
				vessel_id: vessels[0],
				role: 'Deckhand',
				first_name: 'Polly',
				last_name: 'Joiner',
			});
			const J = j.crew_unique_id;
			used.add(J);
			const lp = placement(L);
			await control('DELETE', `crew/${L}`);
			const mp = placement(M);
			const to = vessels.find((v) => v !== mp.vessel_id);
			await control('POST', `crew/${M}/move`, { to_vessel_id: to });
			const rp = placement(R);
			const role = rp.role === 'Bosun' ? 'Chef' : 'Bosun';
			await control('POST', `crew/${R}/role`, { role });
			const sv = /** @type {any} */ (ctx.sandbox.crew(St)).verification_status;
			const nv = sv === 'pending' ? 'unverified' : 'pending';
			await control('POST', `crew/${St}/status`, { verification_status: nv });
			const cv = /** @type {any} */ (ctx.sandbox.crew(C));
			const cStatus = {
				verification_status: cv.verification_status,
				background_check_status: cv.background_check_status,
			};
			await control('POST', `crew/${C}/consents`, { revoke: ['crew:status:read'] });
			const vessel = await control('POST', 'vessels', { vessel_name: 'MV Polling E2E' });

			const vesselIds = (ids) => (item) =>
				assert.deepEqual(
					[...item.vessel_ids].sort(),
					[...ids].sort(),
					`${brief(item)}: vessel_ids`,
				);
			const batch1 = [
				{
					event_type: 'crew.vessel.joined',
					key: { crew_unique_id: J, vessel_id: vessels[0] },
					before: null,
					after: { vessel_id: vessels[0], role: 'Deckhand' },
					check: vesselIds([vessels[0]]),
				},
				{
					event_type: 'crew.vessel.left',
					key: { crew_unique_id: L, vessel_id: lp.vessel_id },
					before: { vessel_id: lp.vessel_id, role: lp.role },
					after: null,
					check: vesselIds([]),
				},
				{
					event_type: 'crew.fleet.left',
					key: { crew_unique_id: L },
					before: { vessel_ids: [lp.vessel_id] },
					after: null,
				},
				// a move is Left (the old vessel) + Joined (the new one), vessel_ids after the move on both
				{
					event_type: 'crew.vessel.left',
					key: { crew_unique_id: M, vessel_id: mp.vessel_id },
					before: { vessel_id: mp.vessel_id, role: mp.role },
					after: null,
					check: vesselIds([to]),
				},
				{
					event_type: 'crew.vessel.joined',
					key: { crew_unique_id: M, vessel_id: to },
					before: null,
					after: { vessel_id: to, role: mp.role },
					check: vesselIds([to]),
				},
				{
					event_type: 'crew.role.changed',
					key: { crew_unique_id: R, vessel_id: rp.vessel_id },
					before: { role: rp.role },
					after: { role },
				},
				{
					event_type: 'crew.status.changed',
					key: { crew_unique_id: St },
					before: { verification_status: sv },
					after: { verification_status: nv },
					check: (i) => assert.deepEqual(i.trigger_on, ['verificationStatusChanged']),
				},
				// its own kind, never "status changed to null"; the status fields are gone from the item
				{
					event_type: 'crew.status_sharing.withdrawn',
					key: { crew_unique_id: C },
					before: cStatus,
					after: null,
					check: (i) => {
						assert.ok(!('verification_status' in i) && !('background_check_status' in i), brief(i));
					},
				},
				{
					event_type: 'vessel.added',
					key: { vessel_id: vessel.vessel_id },
					before: null,
					after: { vessel_id: vessel.vessel_id },
					check: (i) => assert.equal(i.vessel_name, 'MV Polling E2E'),
				},
			];
			await polled('batch 1');
			await sinkReaches(start + batch1.length, 'batch 1');
			assertItems(sink().slice(start), batch1, 'batch 1');

			// Batch 2: consent granted, background-check status, the new vessel removed, a second vessel.
			const bv = /** @type {any} */ (ctx.sandbox.crew(B)).background_check_status;
			const nb = bv === 'declined' ? 'expired' : 'declined';
			await control('POST', `crew/${B}/status`, { background_check_status: nb });
			await control('POST', `crew/${C}/consents`, { grant: ['crew:status:read'] });
			await control('DELETE', `vessels/${vessel.vessel_id}`);
			const pp = placement(P);
			const second = vessels.find((v) => v !== pp.vessel_id);
			await control('POST', `crew/${P}/placements`, { vessel_id: second });
			const batch2 = [
				{
					event_type: 'crew.status.changed',
					key: { crew_unique_id: B },
					before: { background_check_status: bv },
					after: { background_check_status: nb },
					check: (i) => assert.deepEqual(i.trigger_on, ['backgroundCheckStatusChanged']),
				},
				{
					event_type: 'crew.status_sharing.granted',
					key: { crew_unique_id: C },
					before: null,
					after: cStatus,
					check: (i) => assert.equal(i.verification_status, cStatus.verification_status),
				},
				{
					event_type: 'vessel.removed',
					key: { vessel_id: vessel.vessel_id },
					before: { vessel_id: vessel.vessel_id },
					after: null,
				},
				{
					event_type: 'crew.vessel.joined',
					key: { crew_unique_id: P, vessel_id: second },
					before: null,
					after: { vessel_id: second, role: pp.role },
					check: vesselIds([pp.vessel_id, second]),
				},
			];
			await polled('batch 2');
			await sinkReaches(start + batch1.length + batch2.length, 'batch 2');
			assertItems(sink().slice(start), [...batch1, ...batch2], 'batches 1 and 2');

			// Batch 3: leaving one of two vessels is Left a Vessel only (still on the fleet).
			await control('DELETE', `crew/${P}/placements/${second}`);
			const batch3 = [
				{
					event_type: 'crew.vessel.left',
					key: { crew_unique_id: P, vessel_id: second },
					before: { vessel_id: second, role: pp.role },
					after: null,
					check: vesselIds([pp.vessel_id]),
				},
			];
			const expected = [...batch1, ...batch2, ...batch3];
			const { next } = await polled('batch 3');
			await sinkReaches(start + expected.length, 'batch 3');
			// one more poll, finished: nothing is emitted twice
			await nextRead(next.id, 'a quiet poll');
			await settle();
			const items = sink().slice(start);
			assertItems(items, expected, 'batches 1 to 3');
			assert.equal(new Set(items.map((i) => i.event_id)).size, items.length, 'event ids unique');

			// counted twice: the trigger's output in n8n's executions = the sink
			const exec1 = await byStatus();
			let emitted = 0;
			for (const e of exec1.list.filter((x) => !exec0.ids.has(String(x.id)))) {
				assert.equal(e.status, 'success', `execution ${e.id}: ${e.status}`);
				emitted += nodeOutput(await executionData(ctx, e.id), NODE)?.length ?? 0;
			}
			assert.equal(emitted, expected.length, 'items the trigger output in its executions');
			timings.controlsMs = Date.now() - t;
			timings.controlsExecutions = exec1.success - exec0.success;
		});

		test('mass-leaver guard: >10% of the roster gone in one poll fails with the option named, nothing emitted, the roster kept', async () => {
			const t = Date.now();
			const start = sink().length;
			const rows = (await control('GET', 'roster')).rows;
			// more than 10 % of the rows, and at least the 10-row minimum
			const n = Math.max(10, Math.floor(rows / 10) + 1);
			const leavers = (await pick(n)).map((id) => ({ id, ...placement(id) }));
			const exec0 = await byStatus();

			// All leave at once, right after a read (in process: one synchronous step, so no poll
			// can see half of them gone and report them as legitimate leavers).
			await nextRead(await lastRead(), 'a read before the leavers go');
			for (const l of leavers) ctx.sandbox.roster.removeCrew(l.id);
			const guarded = await nextRead(await lastRead(), 'the guarded poll');
			const { error, text } = await newError(exec0.ids, 'the guarded poll');
			log('polling', `guard error: ${error.message} | ${error.description}`);
			assert.match(error.message, /Mass-Leaver Guard/);
			assert.ok(
				error.message.includes(`${n} of ${rows} roster rows`),
				`says how many: ${error.message}`,
			);
			assert.ok(text.includes('Mass-Leaver Guard (%)'), 'names the option to change');
			assert.equal(sink().length, start, 'nothing emitted');

			// the next poll compares with the same roster (kept): fails the same way
			const exec1 = await byStatus();
			const again = await nextRead(guarded.id, 'the second guarded poll');
			const second = await newError(exec1.ids, 'the second guarded poll');
			assert.equal(second.error.message, error.message, 'the same comparison');

			// They come back (same vessel and role), all at once: nothing about them is emitted.
			for (const l of leavers)
				ctx.sandbox.roster.addPlacement(l.id, { vessel_id: l.vessel_id, role: l.role });
			const exec2 = await byStatus();
			const { seen } = await polled('the crew restored');
			assert.ok(seen.id > again.id);
			const exec3 = await byStatus();
			assert.deepEqual(
				exec3.list.filter((e) => !exec2.ids.has(String(e.id))).map((e) => e.status),
				[],
				'no execution once the crew is back: nothing to report',
			);
			assert.equal(exec3.success, exec0.success, 'no successful execution in the whole test');
			assert.deepEqual(sink().slice(start).map(brief), [], 'nothing at the sink');
			timings.guardMs = Date.now() - t;
		});

		for (const fault of PAGE_FAULTS) {
			test(`a partial read is never a diff: page 2 of 2 answers ${fault} → nothing, then the pending change once`, async () => {
				const t = Date.now();
				const start = sink().length;
				const [R] = await pick(1, () => true, 1);
				const rp = placement(R);
				const role = rp.role === 'Chef' ? 'Stewardess' : 'Chef';
				const exec0 = await byStatus();

				// Right after a read: the fault for every request of page 2 during the next read,
				// then a change on page 1 and a joiner at the end (page 2).
				await nextRead(await lastRead(), 'a read before the fault');
				await control('POST', 'read-faults', { page: 2, fault, reads: 1 });
				const from = await lastRead();
				await control('POST', `crew/${R}/role`, { role });
				const j = await control('POST', 'crew', { role: 'Deckhand', last_name: `Pending${fault}` });
				const J = j.crew_unique_id;
				used.add(J);
				const jv = placement(J).vessel_id;

				const { error, text } = await newError(exec0.ids, `page 2 ${fault}`);
				log('polling', `page 2 ${fault}: ${error.message} | ${error.description}`);
				assert.ok(error.message, 'the error says what happened');
				assert.match(text, /nothing was emitted/i, 'and that nothing was emitted');
				const [failed] = (
					await control('GET', `roster/reads?after=${from}&partner_id=${partnerId}`)
				).items;
				assert.ok(
					failed.failures.some((f) => f.page === 2) && failed.outcome !== 'complete',
					`the poll after the fault failed on page 2: ${JSON.stringify(failed)}`,
				);

				// the next clean poll reads the whole fleet again: the pending change, once
				const clean = await nextRead(failed.id, 'the clean poll');
				const next = await nextRead(clean.id, 'the poll after the clean one');
				await settle();
				await sinkReaches(start + 2, `after page 2 ${fault}`);
				await nextRead(next.id, 'a quiet poll');
				await settle();
				const items = sink().slice(start);
				assertItems(
					items,
					[
						{
							event_type: 'crew.role.changed',
							key: { crew_unique_id: R, vessel_id: rp.vessel_id },
							before: { role: rp.role },
							after: { role },
						},
						{
							event_type: 'crew.vessel.joined',
							key: { crew_unique_id: J, vessel_id: jv },
							before: null,
							after: { vessel_id: jv, role: 'Deckhand' },
						},
					],
					`after page 2 ${fault}`,
				);
				const exec1 = await byStatus();
				const since = exec1.list
					.filter((e) => !exec0.ids.has(String(e.id)))
					.sort((a, b) => Number(a.id) - Number(b.id));
				// the failed poll started no execution of its own: its error, then the clean poll's
				// one execution, which output exactly the two pending changes above
				assert.deepEqual(
					since.map((e) => e.status),
					['error', 'success'],
					'one error execution (the partial read), then one with the change',
				);
				timings[`partialRead${fault}Ms`] = Date.now() - t;
			});
		}

		test('n8n restarted between polls: a change emitted just before is not emitted again; one made while n8n was down arrives once', async () => {
			assert.equal(typeof ctx.restartN8n, 'function', 'scripts/e2e.mjs provides restartN8n');
			const t = Date.now();
			const start = sink().length;
			const [X] = await pick(1);
			const xp = placement(X);
			const role = xp.role === 'Chef' ? 'Stewardess' : 'Chef';
			const roleChanged = {
				event_type: 'crew.role.changed',
				key: { crew_unique_id: X, vessel_id: xp.vessel_id },
				before: { role: xp.role },
				after: { role },
			};

			// emitted, then n8n stops at once (SIGTERM)
			await control('POST', `crew/${X}/role`, { role });
			await polled('the change before the restart');
			await sinkReaches(start + 1, 'the change before the restart');
			assertItems(sink().slice(start), [roleChanged], 'before the restart');

			/** @type {any} */
			let joined;
			let downFrom = 0;
			const restart = await ctx.restartN8n({
				whileDown: async () => {
					downFrom = await lastRead();
					joined = await control('POST', 'crew', { role: 'Bosun', last_name: 'WhileDown' });
				},
			});
			const J = joined.crew_unique_id;
			used.add(J);
			const jv = placement(J).vessel_id;
			const first = await nextRead(downFrom, 'the first poll after the restart');
			const next = await nextRead(first.id, 'the poll after it');
			await settle();
			await sinkReaches(start + 2, 'the change made while n8n was down');
			await nextRead(next.id, 'a quiet poll');
			await settle();
			assertItems(
				sink().slice(start),
				[
					roleChanged,
					{
						event_type: 'crew.vessel.joined',
						key: { crew_unique_id: J, vessel_id: jv },
						before: null,
						after: { vessel_id: jv, role: 'Bosun' },
					},
				],
				'across the restart',
			);
			Object.assign(timings, {
				restartStopMs: restart.stopMs,
				restartStartMs: restart.startMs,
				restartTestMs: Date.now() - t,
			});
		});

		test(`a malformed documents answer is never a diff (${DOCUMENT_FAULTS.join(', ')}): an error, nothing emitted, then only the real change`, async () => {
			const t = Date.now();
			const main = wf;
			// Only the document watch reads the roster from here on: its polls are the reads waited for.
			await unpublishWorkflow(ctx.client, main.id);
			const created = await createPollingToSink(ctx, {
				name: 'e2e: CrewPass Polling Trigger (documents) → sink',
				node: NODE,
				triggerId: 'c0a8012e-0000-4000-8000-000000000019',
				parameters: {
					pollTimes: everySeconds(5),
					events: ['documentAdded', 'documentStatusChanged', 'documentExpired'],
					options: {},
				},
				sink: SINK,
				sinkId: 'c0a8012e-0000-4000-8000-00000000001a',
				inboxName: INBOX,
				settings: { saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
			});
			const readsDocuments = (c) =>
				c.consents.includes('crew:documents:read') && c.documents.length > 0;
			try {
				const before = await lastRead();
				wf = await publishWorkflow(ctx.client, created.id);
				wf.id = created.id;
				const baseline = await nextRead(before, 'the document watch: the baseline');
				await nextRead(baseline.id, 'the document watch: the poll after the baseline');
				await settle();
				const start = sink().length;
				assert.equal((await executions(ctx, wf.id)).length, 0, 'no execution for the baseline');

				for (const fault of DOCUMENT_FAULTS) {
					const [X, Y] = await pick(2, readsDocuments);
					const exec0 = await byStatus();
					const at = sink().length;
					// X's documents answered malformed once; Y uploads a new ENG1 (a real Document Added).
					await nextRead(await lastRead(), `documents ${fault}: a read before the fault`);
					await control('POST', 'read-faults', {
						endpoint: 'documents',
						crew_unique_id: X,
						fault,
						times: 1,
					});
					const upload = await control('POST', `crew/${Y}/documents`, { requirement_key: 'eng1' });
					const { error, text } = await newError(exec0.ids, `documents ${fault}`);
					log('polling', `documents ${fault}: ${error.message} | ${error.description}`);
					assert.ok(
						text.includes(`GET /api/v2/employers/me/crew/${X}/documents`),
						`documents ${fault}: the error names the request: ${error.message}`,
					);
					assert.match(
						error.message,
						DOCUMENT_PROBLEMS[fault] ?? /./,
						`documents ${fault}: what was wrong`,
					);
					assert.match(error.description, /Base URL/, `documents ${fault}: how to fix it`);
					assert.match(text, /nothing was emitted/i, `documents ${fault}: nothing was emitted`);
					assert.deepEqual((await control('GET', 'read-faults')).items, [], 'the fault was read');

					// the next clean poll (and a quiet one after it): Y's new document once, nothing of X's
					const { next } = await polled(`documents ${fault}: the clean poll`);
					await sinkReaches(at + 1, `documents ${fault}: Y's new document`);
					await nextRead(next.id, `documents ${fault}: a quiet poll`);
					await settle();
					assertItems(
						sink().slice(at),
						[
							{
								event_type: 'crew.document.added',
								key: { crew_unique_id: Y, document_id: upload.document.document_id },
								before: null,
								after: {
									verification_status: upload.document.verification_status,
									expiry_date: upload.document.expiry_date,
								},
							},
						],
						`after documents ${fault}`,
					);
					const since = (await byStatus()).list.filter((e) => !exec0.ids.has(String(e.id)));
					assert.deepEqual(
						since.map((e) => e.status).sort(),
						['error', 'success'],
						`documents ${fault}: one error execution, one with the real change`,
					);
				}
				assert.equal(
					sink().length - start,
					DOCUMENT_FAULTS.length,
					'one item per fault, all of them real',
				);
			} finally {
				await unpublishWorkflow(ctx.client, created.id).catch(() => {});
				wf = main;
			}
			timings.documentFaultsMs = Date.now() - t;
		});
	});
}
