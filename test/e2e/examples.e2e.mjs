// @ts-check
// The four example workflows (examples/*.json), imported into the real n8n by the same code as
// `npm start`, each producing its expected result in its sink: the sandbox inbox, the HR Data
// Table, the archive folder. Expected values come from the sandbox's own data.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { archiveDir } from '../../scripts/lib/demo.mjs';
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
	describe('example: HR sync', () => {
		test('first run adds one HR record per crew member of the roster', async (t) => {
			if (noTables()) return t.skip(noTables());
			const exec = await runManually(ctx, ctx.workflows.hrSync.id);
			assert.equal(
				exec.status,
				'success',
				JSON.stringify(exec.data?.resultData?.error ?? exec.status),
			);
			const fleet = await sandboxRoster(ctx);
			const crewIds = [...new Set(fleet.map((r) => r.crew_unique_id))];
			const diff = nodeOutput(exec, 'Diff Against HR Records');
			assert.equal(diff.filter((d) => d.action === 'add').length, crewIds.length);
			const table = await rows(ctx);
			assert.equal(table.length, crewIds.length, 'one row per crew member');
			assert.deepEqual(table.map((r) => r.crew_unique_id).sort(), crewIds.sort());
			const fx = ctx.sandbox.fixtures;
			const multi = table.find((r) => r.crew_unique_id === fx.multiVessel);
			assert.equal(
				multi.vessel_ids.split(', ').length,
				2,
				'a crew member on two vessels is one record with both vessels',
			);
			const hidden = table.find((r) => r.crew_unique_id === fx.noStatusConsent);
			assert.equal(hidden.verification_status, 'not_shared');
			const sample = fleet.find((r) => r.crew_unique_id === fx.compliant);
			const rec = table.find((r) => r.crew_unique_id === fx.compliant);
			assert.equal(rec.full_name, sample.name);
			assert.equal(rec.verification_status, sample.verification_status);
			assert.equal(rec.employment_status, 'active');
		});

		test('second run: one change and one leaver, nothing added', async (t) => {
			if (noTables()) return t.skip(noTables());
			const fx = ctx.sandbox.fixtures;
			ctx.sandbox.control.setStatus(fx.pending, { verification_status: 'verified' });
			const { project, dataTable } = ctx.demo;
			await ctx.client.post(`/rest/projects/${project.id}/data-tables/${dataTable.id}/insert`, {
				// required by n8n 1.123 (2.x defaults it to 'count')
				returnType: 'count',
				data: [
					{
						crew_unique_id: 'crew_former_bosun',
						full_name: 'R. Former',
						roles: 'Bosun',
						vessel_ids: 'ves_x',
						vessel_names: 'Gone',
						verification_status: 'verified',
						background_check_status: 'completed',
						documents_expiring: 0,
						employment_status: 'active',
						record_hash: 'old',
						synced_at: '2026-01-01T00:00:00Z',
						left_at: '',
					},
				],
			});
			const before = (await rows(ctx)).length;
			const exec = await runManually(ctx, ctx.workflows.hrSync.id);
			assert.equal(
				exec.status,
				'success',
				JSON.stringify(exec.data?.resultData?.error ?? exec.status),
			);
			const diff = nodeOutput(exec, 'Diff Against HR Records');
			const by = (a) => diff.filter((d) => d.action === a).map((d) => d.crew_unique_id);
			assert.deepEqual(by('add'), []);
			assert.deepEqual(by('change'), [fx.pending]);
			assert.deepEqual(by('leave'), ['crew_former_bosun']);
			const table = await rows(ctx);
			assert.equal(table.length, before, 'upserts update in place');
			assert.equal(
				table.find((r) => r.crew_unique_id === fx.pending).verification_status,
				'verified',
			);
			const leaver = table.find((r) => r.crew_unique_id === 'crew_former_bosun');
			assert.equal(leaver.employment_status, 'left');
			assert.ok(leaver.left_at);
		});

		test('third run with nothing changed writes nothing', async (t) => {
			if (noTables()) return t.skip(noTables());
			const exec = await runManually(ctx, ctx.workflows.hrSync.id);
			assert.equal(exec.status, 'success');
			assert.deepEqual(nodeOutput(exec, 'Diff Against HR Records') ?? [], []);
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
}
