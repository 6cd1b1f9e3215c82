// @ts-check
// The CrewPass Polling Trigger's compliance and document watches read a slice per poll. Under
// n8n's durable scheduler with a low poll timeout (CREWPASS_N8N_SCHEDULER=durable or cursors,
// CREWPASS_N8N_POLL_TIMEOUT=10: n8n gives each poll 8 s) n8n's budget bounds a poll; under n8n's
// default scheduler (no timeout) the node's Max Seconds per Poll does (set to 3 s here). Either way
// a fleet of a few hundred rows takes several polls per pass. Counted at the sandbox (its request
// log: every compliance and documents read, every roster read) and at a sink (an HTTP Request node
// posting every item to an inbox):
//   1. a pass takes several polls, each within its budget, and no poll is abandoned;
//   2. a roster change, compliance changes and a document change: each reported once;
//   3. n8n restarted in the middle of a pass: the change the pass has not reached yet, once;
//   4. a compliance read slower than the poll's budget, in the middle of a slice: the poll ends
//      within its budget and the read is made again; the change once;
//   5. (durable scheduler) a poll past n8n's timeout (a roster page slower than it): n8n abandons
//      it, and the change it found is reported once by a later poll.
// Skipped (with the reason) under the durable scheduler without a low poll timeout (test:compat
// runs it again alone with one).
// A larger probe, e.g. the compliance watch of issue 24 on 1,500 crew with n8n's default 45 s
// timeout and Poll Times every minute (only tests 1 and 2):
//   CREWPASS_N8N_SCHEDULER=durable CREWPASS_E2E_SLICES_ROWS=1500 CREWPASS_E2E_SLICES_POLL_SECONDS=60 \
//   CREWPASS_E2E_SLICES_EVENTS=complianceChanged CREWPASS_E2E_SLICES_TESTS=pass,changes \
//   npm run test:e2e -- polling-slices
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, test } from 'node:test';

import { log } from '../../scripts/lib/n8n.mjs';
import { everySeconds, publishWorkflow, unpublishWorkflow } from '../../scripts/lib/demo.mjs';
import {
	clearInbox,
	createPollingToSink,
	mainPartnerId,
	sandboxControl,
	settledExecutions,
	sleep,
	waitFor,
} from './context.mjs';

const INBOX = 'polling-slices-e2e';
const NODE = 'CrewPass Polling Trigger';
const SINK = 'Post to Sink';
const TAG = 'polling-slices';
/** Roster rows: with one compliance and one documents read each, several polls per pass. */
const env = process.env;
const ROWS = Number(env.CREWPASS_E2E_SLICES_ROWS || 150);
const EVENTS = (
	env.CREWPASS_E2E_SLICES_EVENTS ||
	'crewJoinedVessel,roleChanged,complianceChanged,documentStatusChanged'
).split(',');
/** Poll Times: every this many seconds (60: every minute, n8n's default). */
const POLL_SECONDS = Number(env.CREWPASS_E2E_SLICES_POLL_SECONDS || 5);
/** Which tests run (pass, changes, restart, slow, abandoned); all by default. */
const TESTS = env.CREWPASS_E2E_SLICES_TESTS?.split(',');
const only = (key) => (TESTS && !TESTS.includes(key) ? `not in CREWPASS_E2E_SLICES_TESTS` : false);
const WATCH_COMPLIANCE = EVENTS.includes('complianceChanged');
const WATCH_DOCUMENTS = EVENTS.some((e) => e.startsWith('document'));
const ABANDONED = 'Poll exceeded its timeout and was abandoned';

/** Max Seconds per Poll under n8n's default scheduler (which has no timeout of its own). */
const MAX_SECONDS_PER_POLL = 3;

/** @param {any} ctx */
const durable = (ctx) => ['durable', 'cursors'].includes(ctx.scheduler);

/** @param {any} ctx */
function skipReason(ctx) {
	if (!durable(ctx)) return undefined;
	if ((!ctx.pollTimeoutSeconds || ctx.pollTimeoutSeconds > 15) && !env.CREWPASS_E2E_SLICES_ROWS)
		return `needs a low poll timeout so a small fleet exceeds one poll (CREWPASS_N8N_POLL_TIMEOUT=10), or a larger fleet (CREWPASS_E2E_SLICES_ROWS); this run: ${ctx.pollTimeoutSeconds ?? 45} s, ${ROWS} rows`;
	return undefined;
}

export default function (ctx) {
	const skip = skipReason(ctx);
	if (skip) log(TAG, `skipped: ${skip}`);
	describe(
		`CrewPass Polling Trigger: compliance and documents a slice per poll (${durable(ctx) ? "durable scheduler, n8n's low poll timeout" : `default scheduler, Max Seconds per Poll ${MAX_SECONDS_PER_POLL} s`})`,
		{ skip },
		() => {
			/** @type {any} */
			let wf;
			/** @type {string} */
			let partnerId;
			/** n8n's log from where this suite began. */
			let logStart = 0;
			const timeoutMs = () => (ctx.pollTimeoutSeconds ?? 45) * 1_000;
			/** What bounds a poll: n8n's poll timeout, or (default scheduler) Max Seconds per Poll. */
			const limitMs = () => (durable(ctx) ? timeoutMs() : MAX_SECONDS_PER_POLL * 1_000);
			const figures = /** @type {Record<string, unknown>} */ ({});
			const used = new Set();

			const control = sandboxControl(ctx);
			/** @returns {Promise<number>} the sequence number of the last API request so far */
			const lastSeq = async () => (await control('GET', 'requests/summary')).last_seq ?? 0;
			/** @returns {Promise<any[]>} the main partner's API requests after `seq` */
			const requestsAfter = async (seq, endpoint = '') =>
				(
					await control(
						'GET',
						`requests?after=${seq}&partner_id=${partnerId}${endpoint ? `&endpoint=${endpoint}` : ''}`,
					)
				).items;
			/** n8n's log lines saying a poll was abandoned, since the suite began. */
			const abandonedPolls = () =>
				fs
					.readFileSync(ctx.logFile, 'utf8')
					.slice(logStart)
					.split('\n')
					.filter((l) => l.includes(ABANDONED)).length;
			/** @returns {any[]} the items at the sink, in arrival order */
			const sink = () => ctx.sandbox.inbox(INBOX).map((e) => e.body);
			const settle = () => settledExecutions(ctx, wf.id, 0, 120_000);
			/** The per-crew reads of a whole pass: one compliance read per row, one documents read per crew member. */
			const passTasks = async () => {
				const view = await control('GET', 'roster');
				return {
					rows: new Set(
						WATCH_COMPLIANCE ? view.items.map((r) => `${r.crew_unique_id}/${r.vessel_id}`) : [],
					),
					crews: new Set(WATCH_DOCUMENTS ? view.items.map((r) => r.crew_unique_id) : []),
				};
			};
			/**
			 * Waits until every row's compliance and every crew member's documents were read (answered)
			 * after `seq`: a whole pass. Returns the reads.
			 */
			const passAfter = async (seq, what) => {
				const t = Date.now();
				const { rows, crews } = await passTasks();
				const reads = await waitFor(
					async () => {
						const items = (await requestsAfter(seq)).filter(
							(r) => ['compliance', 'documents'].includes(r.endpoint) && r.outcome === 'answered',
						);
						const seenRows = new Set(
							items
								.filter((r) => r.endpoint === 'compliance')
								.map((r) => `${r.crew_unique_id}/${r.vessel_id}`),
						);
						const seenCrews = new Set(
							items.filter((r) => r.endpoint === 'documents').map((r) => r.crew_unique_id),
						);
						return [...rows].every((r) => seenRows.has(r)) &&
							[...crews].every((c) => seenCrews.has(c))
							? items
							: undefined;
					},
					{ timeoutMs: 600_000, intervalMs: 2_000, what: `a whole pass (${what})` },
				);
				log(TAG, `a pass (${what}) in ${Date.now() - t} ms, ${reads.length} per-crew reads`);
				return reads;
			};
			/** Compliance `overall` (by default compliant), with a verified ENG1 and the watches' consents. */
			const complianceOf =
				(overall = 'compliant') =>
				(/** @type {any} */ c) =>
					['crew:compliance:read', 'crew:documents:read'].every((s) => c.consents.includes(s)) &&
					c.compliance?.[0]?.overall_status === overall &&
					c.documents.some((d) => d.kind === 'eng1' && d.verification_status === 'verified');
			/**
			 * Crew members on one vessel, not fixtures, not used yet, that `ok` accepts; the last ones
			 * in the pass order when `late`.
			 */
			const pick = async (n, ok = complianceOf(), { late = false } = {}) => {
				const view = await control('GET', 'roster');
				const counts = new Map();
				for (const r of view.items)
					counts.set(r.crew_unique_id, (counts.get(r.crew_unique_id) ?? 0) + 1);
				const ids = [...counts.keys()].sort();
				if (late) ids.reverse();
				const fixtures = new Set(Object.values(ctx.sandbox.fixtures));
				const out = [];
				for (const id of ids) {
					if (out.length === n) break;
					if (counts.get(id) !== 1 || fixtures.has(id) || used.has(id)) continue;
					if (!ok(ctx.sandbox.crew(id))) continue;
					used.add(id);
					out.push(id);
				}
				assert.equal(out.length, n, `${n} crew members to change`);
				return out;
			};
			const anyone = () => true;
			/** A verified document other than the ENG1, and consent to read documents. */
			const verifiedDocument = (/** @type {any} */ c) =>
				c.consents.includes('crew:documents:read') &&
				c.documents.some((d) => d.verification_status === 'verified' && d.kind !== 'eng1');
			/** Items at the sink after `from`, by "event_type subject", each counted. */
			const counted = (from) => {
				const counts = new Map();
				for (const i of sink().slice(from)) {
					const subject = `${i.event_type} ${i.crew_unique_id ?? ''}${i.document_id ? `/${i.document_id}` : ''}`;
					counts.set(subject, (counts.get(subject) ?? 0) + 1);
				}
				return counts;
			};
			/**
			 * Waits until every `expected` "event_type crew" is at the sink after `from`, then one more
			 * pass; then each item there is once, concerns only `crews`, and every event_id is unique.
			 */
			const reportedOnce = async (from, expected, crews, what) => {
				const t = Date.now();
				await waitFor(
					() => {
						const seen = [...counted(from).keys()];
						return expected.every((e) => seen.some((s) => s.startsWith(e)));
					},
					{
						timeoutMs: 300_000,
						intervalMs: 1_000,
						what: `${expected.join(', ')} at the sink (${what}); so far ${[...counted(from).keys()].join(', ')}`,
					},
				);
				figures[`${what}: reported within ms`] = Date.now() - t;
				await passAfter(await lastSeq(), `${what}: one more pass, for any duplicate`);
				await settle();
				const items = sink().slice(from);
				for (const [subject, n] of counted(from)) {
					assert.equal(n, 1, `${what}: ${subject} at the sink ${n} times`);
					assert.ok(
						crews.some((c) => subject.includes(c)),
						`${what}: ${subject} concerns none of the crew members changed`,
					);
				}
				assert.equal(new Set(items.map((i) => i.event_id)).size, items.length, 'event ids');
				for (const i of items.filter((i) => /compliance|document/.test(i.event_type))) {
					assert.ok(i.cycle_started_at, `${i.event_type}: cycle_started_at`);
				}
				return items;
			};

			before(async () => {
				partnerId = mainPartnerId(ctx);
				logStart = fs.statSync(ctx.logFile).size;
				await control('DELETE', 'read-faults');
				const rows = (await control('GET', 'roster')).rows;
				if (rows < ROWS) {
					const grown = await control('POST', 'roster/churn', { seed: 24, joins: ROWS - rows });
					log(TAG, `roster grown from ${rows} to ${grown.rows} rows`);
				}
				await clearInbox(ctx, INBOX);
				const created = await createPollingToSink(ctx, {
					name: 'e2e: CrewPass Polling Trigger slices → sink',
					node: NODE,
					triggerId: 'c0a8012e-0000-4000-8000-000000000024',
					parameters: {
						pollTimes: everySeconds(POLL_SECONDS),
						events: EVENTS,
						options: durable(ctx) ? {} : { maxSecondsPerPoll: MAX_SECONDS_PER_POLL },
					},
					sink: SINK,
					sinkId: 'c0a8012e-0000-4000-8000-000000000025',
					inboxName: INBOX,
					settings: { saveDataSuccessExecution: 'all' },
				});
				const seq = await lastSeq();
				const t = Date.now();
				wf = await publishWorkflow(ctx.client, created.id);
				wf.id = created.id;
				// The baseline: the first pass records every value and reports nothing.
				await passAfter(seq, 'the baseline');
				figures.baselinePassMs = Date.now() - t;
				await settle();
				assert.equal(sink().length, 0, 'the first pass only records');
			});

			after(async () => {
				await fetch(`${ctx.sandbox.url}/_sandbox/read-faults`, { method: 'DELETE' }).catch(
					() => {},
				);
				if (wf) await unpublishWorkflow(ctx.client, wf.id).catch(() => {});
				ctx.timings.pollingSlices = figures;
				log(TAG, `figures ${JSON.stringify(figures)}`);
			});

			test(
				'a pass takes several polls, each within its budget; no poll abandoned',
				{ skip: only('pass') },
				async () => {
					const seq = await lastSeq();
					const t = Date.now();
					await passAfter(seq, 'measured');
					const passMs = Date.now() - t;
					// Each poll: one roster read (a first page, without cursor), then its slice.
					const items = await requestsAfter(seq);
					const polls = [];
					for (const r of items) {
						if (r.endpoint === 'fleet' && !/[?&]cursor=/.test(r.query ?? ''))
							polls.push({ at: Date.parse(r.at), reads: 0, last: Date.parse(r.at) });
						else if (['compliance', 'documents'].includes(r.endpoint) && polls.length) {
							const p = polls[polls.length - 1];
							p.reads++;
							p.last = Date.parse(r.at) + (r.duration_ms ?? 0);
						}
					}
					const slices = polls.filter((p) => p.reads > 0);
					const { rows, crews } = await passTasks();
					figures.pass = {
						rows: rows.size,
						perCrewReads: rows.size + crews.size,
						polls: slices.length,
						readsPerPoll: slices.map((p) => p.reads),
						pollReadMs: slices.map((p) => p.last - p.at),
						longestPollMs: Math.max(...slices.map((p) => p.last - p.at)),
						passMs,
					};
					log(TAG, `pass ${JSON.stringify(figures.pass)}`);
					assert.ok(slices.length >= 2, `a pass took ${slices.length} polls`);
					for (const p of slices)
						assert.ok(p.last - p.at < limitMs(), `a poll read for ${p.last - p.at} ms`);
					assert.equal(abandonedPolls(), 0, "n8n's log: no poll abandoned");
				},
			);

			test(
				'a roster change, compliance changes and a document change: each reported once',
				{ skip: only('changes') },
				async () => {
					const from = sink().length;
					const [early] = await pick(1);
					const [late] = await pick(1, complianceOf(), { late: true });
					const [documents] = await pick(1, verifiedDocument);
					const [role] = await pick(1, anyone);
					await control('POST', `crew/${early}/compliance`, { overall_status: 'non_compliant' });
					await control('POST', `crew/${late}/compliance`, { overall_status: 'non_compliant' });
					const doc = /** @type {any} */ (ctx.sandbox.crew(documents)).documents.find(
						(d) => d.verification_status === 'verified' && d.kind !== 'eng1',
					);
					await control('POST', `crew/${documents}/documents/${doc.document_id}/reject`);
					const placement = /** @type {any} */ (ctx.sandbox.crew(role)).placements[0];
					await control('POST', `crew/${role}/role`, {
						role: placement.role === 'Bosun' ? 'Chef' : 'Bosun',
					});
					const joined = await control('POST', 'crew', { role: 'Deckhand' });
					used.add(joined.crew_unique_id);
					/** @type {Array<[string, string]>} the changes made, with the Trigger On value of each */
					const made = [
						['complianceChanged', `crew.compliance.changed ${early}`],
						['complianceChanged', `crew.compliance.changed ${late}`],
						['documentStatusChanged', `crew.document.updated ${documents}/${doc.document_id}`],
						['roleChanged', `crew.role.changed ${role}`],
						['crewJoinedVessel', `crew.vessel.joined ${joined.crew_unique_id}`],
					];
					const items = await reportedOnce(
						from,
						made.filter(([kind]) => EVENTS.includes(kind)).map(([, item]) => item),
						[early, late, documents, role, joined.crew_unique_id],
						'changes',
					);
					figures.changes = items.map((i) => `${i.event_type} ${i.crew_unique_id}`);
					assert.equal(abandonedPolls(), 0, "n8n's log: no poll abandoned");
				},
			);

			test(
				'n8n restarted in the middle of a pass: the change the pass had not reached, once',
				{ skip: only('restart') },
				async () => {
					const from = sink().length;
					const [late] = await pick(1, complianceOf(), { late: true });
					// A pass begins after the current one: wait for its first poll, then restart.
					const seq = await lastSeq();
					await control('POST', `crew/${late}/compliance`, { overall_status: 'non_compliant' });
					await waitFor(
						async () =>
							(await requestsAfter(seq, 'compliance')).some(
								(r) => r.outcome === 'answered' && r.crew_unique_id < late,
							),
						{ timeoutMs: 120_000, intervalMs: 200, what: 'a slice after the change' },
					);
					const readBefore = (await requestsAfter(seq, 'compliance')).some(
						(r) => r.crew_unique_id === late,
					);
					const { stopMs, startMs } = await ctx.restartN8n();
					figures.restart = { stopMs, startMs, changeReadBeforeRestart: readBefore };
					await reportedOnce(from, [`crew.compliance.changed ${late}`], [late], 'restart');
				},
			);

			test(
				'a compliance read slower than the budget, mid-slice: the poll ends in time, the read is made again, the change once',
				{ skip: only('slow') },
				async () => {
					const from = sink().length;
					const abandonedBefore = abandonedPolls();
					const [slow] = await pick(1);
					const seq = await lastSeq();
					await control('POST', 'read-faults', {
						endpoint: 'compliance',
						crew_unique_id: slow,
						fault: 'slow',
						delay_ms: limitMs() + 5_000,
						times: 1,
					});
					await control('POST', `crew/${slow}/compliance`, { overall_status: 'non_compliant' });
					await reportedOnce(from, [`crew.compliance.changed ${slow}`], [slow], 'slow read');
					const reads = (await requestsAfter(seq, 'compliance')).filter(
						(r) => r.crew_unique_id === slow,
					);
					figures.slowRead = { readsOfThatRow: reads.length };
					assert.ok(reads.length >= 2, `the slow row was read ${reads.length} times`);
					assert.equal(abandonedPolls(), abandonedBefore, "n8n's log: no poll abandoned");
				},
			);

			test(
				"a poll past n8n's timeout (a slow roster page) is abandoned; its change is reported once, later",
				{
					skip:
						only('abandoned') ||
						(durable(ctx)
							? false
							: "n8n's default scheduler has no poll timeout: it abandons no poll"),
				},
				async () => {
					const from = sink().length;
					const abandonedBefore = abandonedPolls();
					const [role] = await pick(1, anyone);
					await control('POST', 'read-faults', {
						endpoint: 'fleet',
						page: 1,
						fault: 'slow',
						delay_ms: timeoutMs() + 4_000,
						times: 1,
					});
					const placement = /** @type {any} */ (ctx.sandbox.crew(role)).placements[0];
					await control('POST', `crew/${role}/role`, {
						role: placement.role === 'Bosun' ? 'Chef' : 'Bosun',
					});
					await waitFor(() => abandonedPolls() > abandonedBefore, {
						timeoutMs: 120_000,
						intervalMs: 500,
						what: `"${ABANDONED}" in n8n's log`,
					});
					await reportedOnce(from, [`crew.role.changed ${role}`], [role], 'abandoned poll');
					figures.abandoned = abandonedPolls() - abandonedBefore;
					await sleep(0);
				},
			);
		},
	);
}
