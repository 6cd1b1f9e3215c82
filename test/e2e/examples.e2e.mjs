// @ts-check
// The four example workflows (examples/*.json), imported into the real n8n by the same code as
// `npm start`, each producing its expected result in its sink: the sandbox inbox, the HR Data
// Table, the archive folder. Expected values come from the sandbox's own data.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { archiveDir, publishWorkflow, unpublishWorkflow } from '../../scripts/lib/demo.mjs';
import {
	clearInbox,
	executions,
	runManually,
	nodeOutput,
	sleep,
	digestExpected,
	sandboxApi,
	sandboxRoster,
	subscribeTo,
	waitFor,
} from './context.mjs';

async function rows(ctx) {
	const { project, dataTable } = ctx.demo;
	const res = await ctx.client.request(
		'GET',
		`/rest/projects/${project.id}/data-tables/${dataTable.id}/rows?take=1000&skip=0`,
		undefined,
		{ raw: true },
	);
	assert.equal(res.status, 200, res.text);
	return res.json.data?.data ?? res.json.data;
}

export default function (ctx) {
	describe('example: expiring-certificates digest', () => {
		test('one digest, grouped by vessel, listing exactly the crew needing attention', async () => {
			const wf = ctx.workflows.digest;
			await clearInbox(ctx, wf.inbox);
			const t = Date.now();
			const exec = await runManually(ctx, wf.id);
			ctx.timings.digestRunMs = Date.now() - t;
			assert.equal(
				exec.status,
				'success',
				JSON.stringify(exec.data?.resultData?.error ?? exec.status),
			);

			// expected: every roster row (crew × vessel) whose compliance is non_compliant, or
			// at_risk with the next expiry within the 90-day window; crew without compliance consent skipped
			const expected = (await digestExpected(ctx)).map(
				({ row, snap }) => `${row.vessel_id}/${row.crew_unique_id}/${snap.overall_status}`,
			);
			assert.ok(
				expected.length >= 3,
				`the sandbox fleet has crew needing attention: ${expected.length}`,
			);

			const inbox = ctx.sandbox.inbox(wf.inbox);
			assert.equal(inbox.length, 1, 'exactly one digest message');
			const digest = inbox[0].body;
			const got = digest.vessels.flatMap((v) =>
				v.crew.map((m) => `${v.vessel_id}/${m.crew_unique_id}/${m.overall_status}`),
			);
			assert.deepEqual([...got].sort(), [...expected].sort());
			assert.equal(digest.total, expected.length);
			assert.equal(digest.vessel_count, new Set(expected.map((e) => e.split('/')[0])).size);
			assert.match(
				digest.subject,
				new RegExp(`^CrewPass: ${expected.length} crew members? needs? attention`),
			);
			for (const v of digest.vessels)
				assert.ok(digest.text.includes(`${v.vessel_name} (${v.crew.length})`));
			const fleetItems = nodeOutput(exec, 'Check Fleet Compliance');
			assert.equal(
				fleetItems.length,
				expected.length,
				'Check Fleet output = the crew needing attention',
			);
			ctx.timings.digestCrewNeedingAttention = expected.length;
		});
	});

	// the HR sync writes to an n8n Data Table: skipped (and said so) on an n8n without them
	/** @returns {string | undefined} why the HR sync cannot run on this n8n */
	const noTables = () =>
		ctx.workflows.hrSync?.skipped
			? `n8n ${ctx.n8nVersion}: ${ctx.workflows.hrSync.skipped}`
			: undefined;
	describe('example: HR sync (polling trigger, no code)', () => {
		test('the first poll loads one HR row per placement; a role change and a leaver follow', async (t) => {
			if (noTables()) return t.skip(noTables());
			const wf = ctx.workflows.hrSync;
			const fleet = await sandboxRoster(ctx);
			await publishWorkflow(ctx.client, wf.id);
			try {
				const table = await waitFor(
					async () => {
						const r = await rows(ctx);
						return r.length >= fleet.length ? r : undefined;
					},
					{ timeoutMs: 90_000, intervalMs: 1_000, what: `${fleet.length} HR rows` },
				);
				const placements = (list) => list.map((r) => `${r.crew_unique_id}/${r.vessel_id}`).sort();
				assert.deepEqual(placements(table), placements(fleet), 'one row per placement');
				const fx = ctx.sandbox.fixtures;
				assert.equal(
					table.filter((r) => r.crew_unique_id === fx.multiVessel).length,
					2,
					'a crew member on two vessels is two rows',
				);
				const hidden = table.find((r) => r.crew_unique_id === fx.noStatusConsent);
				assert.equal(hidden.verification_status, 'not_shared');
				const sample = fleet.find((r) => r.crew_unique_id === fx.compliant);
				const rec = table.find((r) => r.crew_unique_id === fx.compliant);
				assert.equal(rec.full_name, sample.name);
				assert.equal(rec.role, sample.role);
				assert.equal(rec.employment_status, 'active');

				// Between polls: a role change, and the two-vessel crew member leaves one vessel.
				const control = async (method, p, body) => {
					const r = await fetch(`${ctx.sandbox.url}/_sandbox/${p}`, {
						method,
						headers: { 'content-type': 'application/json' },
						body: body ? JSON.stringify(body) : undefined,
					});
					assert.ok(r.ok, `${method} ${p}: ${r.status} ${await r.text()}`);
				};
				const left = table.filter((r) => r.crew_unique_id === fx.multiVessel)[1];
				await control('POST', `crew/${fx.compliant}/role`, { role: 'Captain' });
				await control('DELETE', `crew/${fx.multiVessel}/placements/${left.vessel_id}`);
				const after = await waitFor(
					async () => {
						const r = await rows(ctx);
						const leaver = r.find(
							(x) => x.crew_unique_id === fx.multiVessel && x.vessel_id === left.vessel_id,
						);
						const captain = r.find((x) => x.crew_unique_id === fx.compliant);
						return leaver?.employment_status === 'left' && captain?.role === 'Captain'
							? r
							: undefined;
					},
					{ timeoutMs: 90_000, intervalMs: 1_000, what: 'the role change and the leaver' },
				);
				assert.equal(after.length, table.length, 'nothing added: upserts and updates in place');
				assert.ok(
					after.find((x) => x.vessel_id === left.vessel_id && x.crew_unique_id === fx.multiVessel)
						.left_at,
				);
				assert.equal(
					after.filter((x) => x.employment_status === 'left').length,
					1,
					'only the placement that ended is a leaver',
				);
			} finally {
				await unpublishWorkflow(ctx.client, wf.id);
			}
		});
	});

	describe('example: compliance alert (published trigger)', () => {
		test('an at-risk change alerts once; a change back to compliant does not', async () => {
			const wf = ctx.workflows.complianceAlert;
			subscribeTo(ctx, wf.webhookUrl);
			await clearInbox(ctx, wf.inbox);
			const before = (await executions(ctx, wf.id)).length;
			const crewId = ctx.sandbox.fixtures.compliant;
			const up = ctx.sandbox.control.uploadDocument(crewId, {
				requirement_key: 'eng1',
				expires_in_days: 20,
			});
			const c1 = up.events.filter((e) => e.event_type === 'crew.compliance.changed');
			assert.ok(
				c1.length >= 1 && c1.every((e) => e.data.overall_status === 'at_risk'),
				JSON.stringify(up.events),
			);
			assert.ok(await ctx.sandbox.webhooks.idle(30_000));
			await waitFor(() => ctx.sandbox.inbox(wf.inbox).length >= c1.length, {
				what: 'the alert in the inbox',
			});
			const back = ctx.sandbox.control.uploadDocument(crewId, {
				requirement_key: 'eng1',
				expires_in_days: 700,
			});
			const c2 = back.events.filter((e) => e.event_type === 'crew.compliance.changed');
			assert.ok(c2.length >= 1 && c2.every((e) => e.data.overall_status === 'compliant'));
			assert.ok(await ctx.sandbox.webhooks.idle(30_000));
			// one execution per compliance event (the document events are not selected)
			await waitFor(
				async () => (await executions(ctx, wf.id)).length >= before + c1.length + c2.length,
				{ what: 'alert executions' },
			);
			await sleep(1500);
			assert.equal((await executions(ctx, wf.id)).length, before + c1.length + c2.length);
			const inbox = ctx.sandbox.inbox(wf.inbox);
			assert.equal(inbox.length, c1.length, 'alerts only for at_risk / non_compliant');
			const alert = inbox[0].body;
			const crew = ctx.sandbox.crew(crewId);
			assert.equal(alert.crew_unique_id, crewId);
			assert.equal(alert.overall_status, 'at_risk');
			assert.equal(alert.vessel_id, c1[0].data.vessel_id);
			assert.ok(
				alert.name && crew.name.includes(alert.name.split(' ').pop()),
				`${alert.name} / ${crew.name}`,
			);
			assert.match(alert.text, /AT RISK/);
		});
	});

	describe('example: document archive (published trigger)', () => {
		test('a processed certificate is downloaded and stored in the archive folder', async () => {
			const wf = ctx.workflows.documentArchive;
			subscribeTo(ctx, wf.webhookUrl);
			await clearInbox(ctx, wf.inbox);
			const crewId = ctx.sandbox.fixtures.atRisk;
			const up = ctx.sandbox.control.uploadDocument(crewId, {
				requirement_key: 'eng1',
				expires_in_days: 500,
			});
			const processed = up.events.filter((e) => e.event_type === 'crew.document.processed');
			assert.equal(processed.length, 1);
			const docId = up.document.document_id;
			assert.ok(await ctx.sandbox.webhooks.idle(30_000));
			const [entry] = await waitFor(
				() => (ctx.sandbox.inbox(wf.inbox).length ? ctx.sandbox.inbox(wf.inbox) : undefined),
				{
					what: 'the archive notification',
				},
			);
			assert.equal(entry.body.document_id, docId);
			const file = path.join(
				archiveDir(ctx.userFolder),
				`${crewId}_${docId}_${entry.body.file_name}`,
			);
			assert.equal(entry.body.path, file);
			assert.ok(fs.existsSync(file), `${file} written`);
			const link = await sandboxApi(ctx, `employers/me/crew/${crewId}/documents/${docId}/download`);
			const original = Buffer.from(await (await fetch(link.download_url)).arrayBuffer());
			assert.ok(original.subarray(0, 5).toString() === '%PDF-', 'the sandbox serves a PDF');
			assert.ok(fs.readFileSync(file).equals(original), 'archived bytes = the document file');
			assert.equal(entry.body.mime_type, 'application/pdf');
			await sleep(1500);
			assert.equal(ctx.sandbox.inbox(wf.inbox).length, 1);
			// other events of the same change (compliance) are not selected: one execution in all
			const runs = await executions(ctx, wf.id);
			assert.equal(runs.length, 1, `archive executions: ${runs.length}`);
			assert.equal(runs[0].status, 'success');
		});
	});

	describe('example: compliance alert without webhooks (polling trigger)', () => {
		test('a compliance change is found by polling and alerts once', async () => {
			const wf = ctx.workflows.complianceAlertPolling;
			await clearInbox(ctx, wf.inbox);
			const fx = ctx.sandbox.fixtures;
			const reads = async () => {
				/** @type {any} */
				const answer = await (await fetch(`${ctx.sandbox.url}/_sandbox/roster/reads`)).json();
				return answer.last_id ?? 0;
			};
			const before = await reads();
			await publishWorkflow(ctx.client, wf.id);
			try {
				// The first poll records the baseline (a complete roster read), then the change.
				await waitFor(async () => ((await reads()) > before ? true : undefined), {
					timeoutMs: 60_000,
					intervalMs: 500,
					what: 'the first poll',
				});
				await sleep(3_000);
				const r = await fetch(`${ctx.sandbox.url}/_sandbox/crew/${fx.compliant}/compliance`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ overall_status: 'non_compliant' }),
				});
				assert.ok(r.ok, await r.text());
				const inbox = await waitFor(
					async () => {
						const got = ctx.sandbox.inbox(wf.inbox);
						return got.length ? got : undefined;
					},
					{ timeoutMs: 90_000, intervalMs: 1_000, what: 'the polling alert' },
				);
				assert.equal(inbox.length, 1);
				assert.equal(inbox[0].body.crew_unique_id, fx.compliant);
			} finally {
				await unpublishWorkflow(ctx.client, wf.id);
				await fetch(`${ctx.sandbox.url}/_sandbox/crew/${fx.compliant}/compliance`, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ overall_status: 'compliant' }),
				});
			}
		});
	});
}
