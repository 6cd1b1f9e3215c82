// What a user sees in the n8n editor, checked in Chromium against the real n8n and the sandbox:
// the nodes panel, the node's parameters, the Crew Member list search, the credential form, an
// example run from the canvas and the trigger's Production URL. Each test starts from a URL of
// its own, so one failure does not cascade; a failing test leaves a screenshot in <dir>/failures.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

import { OWNER } from '../../scripts/lib/demo.mjs';
import { REPO, TRIGGER_TYPE } from '../../scripts/lib/n8n.mjs';
import { digestExpected, sandboxRoster } from '../e2e/context.mjs';

const require = createRequire(import.meta.url);

/** The node's own description from the built package: what the panel must offer. */
function nodeDescription() {
	const { CrewPass } = require(path.join(REPO, 'dist', 'nodes', 'CrewPass', 'CrewPass.node.js'));
	return new CrewPass().description;
}
function optionNames(description, name, resource) {
	const p = description.properties.find(
		(q) =>
			q.name === name &&
			(resource === undefined || q.displayOptions?.show?.resource?.includes(resource)),
	);
	return p.options.map((o) => o.name);
}

export default function (ctx) {
	const { page } = ctx;
	const url = (p) => ctx.n8n.url + p;
	const wf = (key) => ctx.demo.workflows.find((w) => w.key === key);
	const shot = async (name) => {
		const file = path.join(ctx.shotsDir, name);
		await page.screenshot({ path: file });
		return file;
	};
	const it = (name, fn) =>
		test(name, async (t) => {
			try {
				await fn(t);
			} catch (e) {
				const dir = path.join(ctx.dir, 'failures');
				fs.mkdirSync(dir, { recursive: true });
				const file = path.join(dir, name.replace(/[^a-z0-9]+/gi, '-').slice(0, 80) + '.png');
				await page.screenshot({ path: file }).catch(() => {});
				e.message += `\n(screenshot: ${file})`;
				throw e;
			}
		});

	/** Opens a workflow and waits until its canvas shows a node. */
	async function openWorkflow(id) {
		await page.goto(url(`/workflow/${id}`));
		await page.getByTestId('canvas-node').first().waitFor();
	}
	const canvasNode = (name) =>
		page.locator(`[data-test-id="canvas-node"][data-node-name="${name}"]`);
	async function openNode(name) {
		await canvasNode(name).dblclick();
		await page.getByTestId('ndv').waitFor();
	}
	/** The option labels of the dropdown that is open now. */
	async function openDropdownOptions() {
		const list = page.locator('.el-select-dropdown:visible .el-select-dropdown__item');
		await list.first().waitFor();
		// an option shows its name, then (smaller) its description: keep the name
		return (await list.allInnerTexts()).map((s) => s.trim().split('\n')[0].trim()).filter(Boolean);
	}
	/**
	 * A new workflow with only a Manual Trigger, so the nodes panel opens as "What happens next?"
	 * (one per test: n8n saves the canvas as it changes).
	 */
	let scratchCount = 0;
	async function scratchWorkflow() {
		const created = await ctx.client.post('/rest/workflows', {
			name: `CrewPass editor test ${++scratchCount}`,
			nodes: [
				{
					id: '0f9d5c1e-0000-4000-8000-00000000ui01',
					name: 'When clicking ‘Execute workflow’',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
			],
			connections: {},
			settings: { executionOrder: 'v1' },
			pinData: {},
			active: false,
		});
		return created.id;
	}
	async function openCrewPassActions() {
		await openWorkflow(await scratchWorkflow());
		await page.getByTestId('node-creator-plus-button').click();
		await page.getByTestId('node-creator-search-bar').fill('CrewPass');
		const item = page
			.getByTestId('node-creator')
			.getByTestId('node-creator-item-name')
			.getByText('CrewPass', { exact: true });
		await item.click();
		await page
			.getByTestId('node-creator')
			.getByText(/^Actions \(\d+\)$/)
			.waitFor();
	}
	async function addCrewPassAction(label) {
		await openCrewPassActions();
		await page.getByTestId('node-creator').getByText(label, { exact: true }).click();
		await page.getByTestId('ndv').waitFor();
		await page.getByTestId('parameter-input-resource').waitFor();
	}
	async function iconLoaded(img) {
		return await img.evaluate((el) => el.complete && el.naturalWidth > 0);
	}

	describe('the n8n editor', { concurrency: 1 }, () => {
		it('logs in as the owner on the sign-in page', async () => {
			const t = Date.now();
			await page.goto(url('/signin'));
			await page.getByTestId('emailOrLdapLoginId').locator('input').fill(OWNER.email);
			await page.getByTestId('password').locator('input').fill(OWNER.password);
			await page.getByTestId('form-submit-button').click();
			await page.waitForURL(/\/home\//);
			// the example workflows npm start imports are listed
			await page.getByText(wf('digest').name, { exact: true }).first().waitFor();
			ctx.timings.loginMs = Date.now() - t;
		});

		it('nodes panel: "CrewPass" finds the CrewPass node and the CrewPass Trigger, with their icons', async () => {
			await openWorkflow(await scratchWorkflow());
			await page.getByTestId('node-creator-plus-button').click();
			await page.getByTestId('node-creator-search-bar').fill('CrewPass');
			const creator = page.getByTestId('node-creator');
			// n8n lists an app's node and its trigger as one entry ("CrewPass"), opening onto the
			// node's actions and the trigger's events
			const entry = creator.getByTestId('item-iterator-item').filter({
				has: page.getByTestId('node-creator-item-name').getByText('CrewPass', { exact: true }),
			});
			await entry.waitFor();
			const entryIcon = entry.locator('img').first();
			assert.match(await entryIcon.getAttribute('src'), /n8n-nodes-crewpass\/.*crewpass\.svg$/);
			assert.ok(await iconLoaded(entryIcon), 'the CrewPass icon is served and rendered');

			await entry.click();
			const actionsHeader = creator.getByText(/^Actions \(\d+\)$/);
			await actionsHeader.waitFor();
			const description = nodeDescription();
			const operationCount = description.properties
				.filter((p) => p.name === 'operation')
				.reduce((n, p) => n + p.options.length, 0);
			assert.equal(await actionsHeader.innerText(), `Actions (${operationCount})`);
			for (const resource of optionNames(description, 'resource')) {
				await creator.getByText(`${resource} actions`, { exact: false }).first().waitFor();
			}
			await shot('node-panel.png');

			// the trigger's events, with the trigger's own icon
			const triggersHeader = creator.getByText(/^Triggers \(\d+\)$/);
			assert.equal(await triggersHeader.innerText(), 'Triggers (5)');
			await triggersHeader.click();
			const triggerIcon = creator.locator('img[src*="crewpassTrigger.svg"]').first();
			await triggerIcon.waitFor();
			assert.ok(await iconLoaded(triggerIcon), 'the CrewPass Trigger icon is served and rendered');
			ctx.triggerItems = await creator.innerText();
			await page.keyboard.press('Escape');
		});

		it('nodes panel: the CrewPass Polling Trigger is its own entry and says when to pick it', async () => {
			await openWorkflow(await scratchWorkflow());
			await page.getByTestId('node-creator-plus-button').click();
			await page.getByTestId('node-creator-search-bar').fill('CrewPass Polling');
			const creator = page.getByTestId('node-creator');
			// n8n drops " Trigger" from a trigger's name in the panel
			const entry = creator.getByTestId('item-iterator-item').filter({
				has: page
					.getByTestId('node-creator-item-name')
					.getByText('CrewPass Polling', { exact: true }),
			});
			await entry.waitFor();
			const icon = entry.locator('img').first();
			assert.match(await icon.getAttribute('src'), /crewpassPollingTrigger\.svg$/);
			assert.ok(await iconLoaded(icon), 'the Polling Trigger icon is served and rendered');
			// what tells the two triggers apart, as the panel shows it
			const text = await entry.innerText();
			assert.match(text, /on a schedule/);
			assert.match(text, /Needs no public URL/);
			assert.match(text, /CrewPass Trigger for instant webhooks/);
			await shot('node-panel-polling-trigger.png');
			await page.keyboard.press('Escape');
		});

		it("the CrewPass node's Resource and Operation choices", async () => {
			await addCrewPassAction('Get the profile of a crew member');
			const description = nodeDescription();
			await page.getByTestId('parameter-input-resource').click();
			const resources = await openDropdownOptions();
			await shot('node-resources.png');
			// n8n itself appends "Custom API Call" to nodes whose credential authenticates requests
			assert.deepEqual(
				resources.filter((r) => r !== 'Custom API Call'),
				optionNames(description, 'resource'),
			);
			assert.deepEqual(optionNames(description, 'resource'), [
				'Compliance',
				'Crew Member',
				'Document',
				'Partner',
				'Vessel',
			]);
			await page.keyboard.press('Escape');
			// the Resource list closes (with a transition) before the Operation list is read
			await page.locator('.el-select-dropdown:visible').first().waitFor({ state: 'hidden' });
			await page.getByTestId('parameter-input-operation').click();
			const operations = await openDropdownOptions();
			assert.deepEqual(
				operations.filter((o) => o !== 'Custom API Call'),
				optionNames(description, 'operation', 'crewMember'),
			);
			assert.ok(operations.includes('Get Profile'));
			await page.keyboard.press('Escape');
		});

		it('Crew Member → From List searches the sandbox roster', async () => {
			await addCrewPassAction('Get the profile of a crew member');
			const rows = await sandboxRoster(ctx);
			assert.ok(rows.length > 10, 'the sandbox fleet has a roster');
			// a surname that only some crew members share
			const target = rows.find((r) => r.name && r.role);
			const word = target.name.split(' ').at(-1);
			const matching = new Set(
				rows
					.filter((r) =>
						[r.name, r.crew_unique_id, r.role, r.vessel_name].some((v) =>
							String(v ?? '')
								.toLowerCase()
								.includes(word.toLowerCase()),
						),
					)
					.map((r) => r.crew_unique_id),
			);
			assert.ok(matching.size < rows.length, `"${word}" narrows the roster`);

			const locator = page.getByTestId('resource-locator-crewMember');
			await locator.getByTestId('rlc-input').click();
			const items = locator.getByTestId('rlc-item');
			// unfiltered: the roster's first rows, as CrewPass returns them
			await items.filter({ hasText: rows[0].name }).first().waitFor();
			// filtered by what the user types
			await locator.getByPlaceholder('Search...').fill(word);
			await items.filter({ hasText: target.name }).first().waitFor();
			await page.waitForFunction(
				(n) =>
					document.querySelectorAll(
						'[data-test-id="resource-locator-crewMember"] [data-test-id="rlc-item"]',
					).length === n,
				matching.size,
			);
			const shown = (await items.allInnerTexts()).map((s) => s.trim());
			assert.equal(shown.length, matching.size, `rows shown for "${word}": ${shown.join(' | ')}`);
			for (const s of shown) assert.ok(s.toLowerCase().includes(word.toLowerCase()), s);
			await shot('crew-member-from-list.png');
			await items.filter({ hasText: target.name }).first().click();
			await page.keyboard.press('Escape');
		});

		it('credential form: the mode-mismatch notice for a cpk_test_ key on Production, and Test succeeds for the sandbox key', async () => {
			await addCrewPassAction('Get partner identity and scopes');
			await page.getByTestId('node-credentials-select').click();
			await page.getByTestId('node-credentials-select-item-new').click();
			const modal = page.getByTestId('editCredential-modal');
			await modal.waitFor();
			const key = ctx.sandbox.keys.management;
			assert.match(key, /^cpk_test_/);
			await modal.getByTestId('parameter-input-apiKey').locator('input').fill(key);
			const notice = modal.getByText(
				'This looks like a cpk_test_ key, but the Environment is Production',
				{ exact: false },
			);
			await notice.waitFor();
			await shot('credential-form.png');

			// Custom environment pointing at the sandbox: the notice goes, the test passes
			await modal.getByTestId('parameter-input-environment').click();
			await page
				.locator('.el-select-dropdown:visible .el-select-dropdown__item')
				.filter({ hasText: /^Custom/ })
				.first()
				.click();
			await modal.getByTestId('parameter-input-baseUrl').locator('input').fill(ctx.sandbox.url);
			await notice.waitFor({ state: 'detached' });
			// n8n tests a credential when it is saved (POST /rest/credentials/test); from the node
			// panel, a credential that passes closes the form and is selected in the node
			const tested = page.waitForResponse(
				(r) => r.url().includes('/rest/credentials/test') && r.request().method() === 'POST',
			);
			await modal.getByTestId('credential-save-button').click();
			const result = await (await tested).json();
			assert.equal(result.data?.status, 'OK', JSON.stringify(result));
			await Promise.race([
				modal.getByTestId('credentials-config-container-test-success').waitFor(),
				modal.waitFor({ state: 'hidden' }),
			]);
			const select = page.getByTestId('node-credentials-select');
			const shown = `${await select.innerText()} ${await select
				.locator('input')
				.first()
				.inputValue()
				.catch(() => '')}`;
			assert.match(shown, /CrewPass account/, 'the new credential is selected in the node');
		});

		it('the digest example runs from the canvas and shows the expected item count', async () => {
			const expected = await digestExpected(ctx);
			assert.ok(expected.length >= 3, `crew needing attention in the sandbox: ${expected.length}`);
			ctx.sandbox.inbox(wf('digest').inbox).length = 0;
			await openWorkflow(wf('digest').id);
			const t = Date.now();
			await page.getByTestId('execute-workflow-button').click();
			// the canvas labels the connection out of Check Fleet Compliance with its item count
			const label = page
				.getByTestId('edge-label')
				.filter({ hasText: new RegExp(`^\\s*${expected.length} items?\\s*$`) });
			await page
				.getByText(/successfully/i)
				.first()
				.waitFor()
				.catch(() => {});
			await label.first().waitFor();
			ctx.timings.digestRunMs = Date.now() - t;
			await shot('example-workflow.png');
			// and the node's output panel says the same
			await openNode('Check Fleet Compliance');
			await page
				.getByTestId('output-panel')
				.getByText(new RegExp(`^${expected.length} items?$`))
				.first()
				.waitFor();
			const inbox = ctx.sandbox.inbox(wf('digest').inbox);
			assert.equal(inbox.length, 1, 'one digest posted');
			assert.equal(inbox[0].body.total, expected.length);
			await page.keyboard.press('Escape');
		});

		it('the trigger panel shows its Production URL and the setup notice', async () => {
			const alert = wf('complianceAlert');
			const stored = await ctx.client.get(`/rest/workflows/${alert.id}`);
			const node = stored.nodes.find((n) => n.type === TRIGGER_TYPE);
			await openWorkflow(alert.id);
			await openNode(node.name);
			const ndv = page.getByTestId('ndv');
			await ndv.getByText('Webhook URLs', { exact: true }).click();
			await ndv.getByTestId('radio-button-production').click();
			const production = `${ctx.n8n.url}/webhook/${node.webhookId}/crewpass`;
			assert.equal(production, alert.webhookUrl);
			await ndv.getByText(production, { exact: true }).waitFor();
			await ndv.getByText('CrewPass registers this URL for you', { exact: false }).waitFor();
			await shot('trigger-production-url.png');
			await page.keyboard.press('Escape');
		});
	});
}
