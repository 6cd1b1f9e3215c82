// @ts-check
// The package as n8n sees it after a user-style install of the `npm pack` tarball: both nodes and
// the credential are listed with their light/dark icons, and the credential test works against
// the sandbox (and fails with the credential's own message for a bad key).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, test } from 'node:test';

import { CREDENTIAL_NAME, credentialData } from '../../scripts/lib/demo.mjs';
import {
	NODE_TYPE,
	TRIGGER_TYPE,
	POLLING_TRIGGER_TYPE,
	PACKAGE_NAME,
} from '../../scripts/lib/n8n.mjs';

export default function (ctx) {
	describe('package install and listing', () => {
		test('the tarball is installed as a real copy (no symlink) with only dist/ and package files', () => {
			assert.equal(fs.lstatSync(ctx.installedDir).isSymbolicLink(), false);
			const entries = fs.readdirSync(ctx.installedDir).sort();
			assert.ok(entries.includes('dist'), 'dist/ installed');
			assert.ok(entries.includes('package.json'));
			for (const e of entries) {
				assert.ok(
					['dist', 'package.json', 'README.md', 'LICENSE', 'LICENSE.md', 'node_modules'].includes(
						e,
					),
					`unexpected ${e} in the tarball`,
				);
			}
			assert.equal(
				fs.existsSync(path.join(ctx.installedDir, 'sandbox')),
				false,
				'sandbox not shipped',
			);
		});

		test('n8n lists both nodes with light and dark icons that it serves', async () => {
			const types = await ctx.client.get('/types/nodes.json');
			for (const name of [NODE_TYPE, TRIGGER_TYPE, POLLING_TRIGGER_TYPE]) {
				const t = types.find((n) => n.name === name);
				assert.ok(t, `${name} listed by n8n`);
				assert.ok(
					t.iconUrl?.light && t.iconUrl?.dark,
					`${name} has themed icons: ${JSON.stringify(t.iconUrl ?? t.icon)}`,
				);
				for (const url of [t.iconUrl.light, t.iconUrl.dark]) {
					const r = await fetch(`${ctx.n8n.url}/${url.replace(/^\//, '')}`, {
						headers: { cookie: ctx.client.cookie },
					});
					assert.equal(r.status, 200, `${url} served`);
					assert.match(await r.text(), /<svg/);
				}
			}
			const trigger = types.find((n) => n.name === TRIGGER_TYPE);
			assert.equal(trigger.webhooks?.[0]?.httpMethod, 'POST');
			const node = types.find((n) => n.name === NODE_TYPE);
			assert.ok(node.credentials.some((c) => c.name === 'crewPassApi'));
		});

		test('n8n lists the CrewPass API credential with its icons', async () => {
			const creds = await ctx.client.get('/types/credentials.json');
			const c = creds.find((x) => x.name === 'crewPassApi');
			assert.ok(c, 'crewPassApi listed');
			assert.ok(
				c.iconUrl?.light && c.iconUrl?.dark,
				`credential icons: ${JSON.stringify(c.iconUrl ?? c.icon)}`,
			);
			const r = await fetch(`${ctx.n8n.url}/${c.iconUrl.light.replace(/^\//, '')}`, {
				headers: { cookie: ctx.client.cookie },
			});
			assert.equal(r.status, 200);
			assert.ok(c.supportedNodes?.length === undefined || c.supportedNodes.includes(NODE_TYPE));
		});

		test('the package is loaded under its npm name; the node (not the trigger) is also an AI tool', async () => {
			const types = await ctx.client.get('/types/nodes.json');
			const ours = [
				...new Set(types.filter((n) => n.name.startsWith(`${PACKAGE_NAME}.`)).map((n) => n.name)),
			].sort();
			// usableAsTool: n8n derives "<node>Tool" for AI agents; triggers are never tools
			assert.deepEqual(
				ours,
				[NODE_TYPE, `${NODE_TYPE}Tool`, TRIGGER_TYPE, POLLING_TRIGGER_TYPE].sort(),
			);
		});
	});

	describe('credential test against the sandbox', () => {
		const post = async (data, id) =>
			await ctx.client.request(
				'POST',
				'/rest/credentials/test',
				{ credentials: { id, name: CREDENTIAL_NAME, type: 'crewPassApi', data } },
				{ raw: true },
			);
		/**
		 * Tests `data` as the editor does: n8n 2.x tests an unsaved credential (id ''); n8n 1.x
		 * refuses that (403) and tests edited data against a saved credential's id, which is then
		 * used for the rest of the run.
		 */
		const testCredential = async (data, id = '') => {
			let res = await post(
				data,
				id || (ctx.features.credentialTestNeedsId ? ctx.demo.credential.id : ''),
			);
			if (res.status === 403 && !id && ctx.features.credentialTestNeedsId === undefined) {
				ctx.features.credentialTestNeedsId = true;
				res = await post(data, ctx.demo.credential.id);
			}
			assert.equal(res.status, 200, `/rest/credentials/test: ${res.status} ${res.text}`);
			return res.json?.data ?? res.json;
		};

		test('the saved demo credential tests OK', async () => {
			const res = await testCredential(credentialData(ctx.sandbox), ctx.demo.credential.id);
			assert.equal(res.status, 'OK', JSON.stringify(res));
		});

		test('a bad key fails with the invalid_api_key message', async () => {
			const data = { ...credentialData(ctx.sandbox), apiKey: 'cpk_test_' + 'x'.repeat(32) };
			const res = await testCredential(data);
			assert.equal(res.status, 'Error', JSON.stringify(res));
			assert.match(res.message, /invalid_api_key/);
			assert.match(res.message, /Copy the key again/);
		});

		test('a live key on the test-mode sandbox fails with the mode mismatch message', async () => {
			const data = { ...credentialData(ctx.sandbox), apiKey: ctx.sandbox.keys.wrongMode };
			const res = await testCredential(data);
			assert.equal(res.status, 'Error');
			assert.match(res.message, /partner_mode_mismatch/);
		});

		test('a base URL with no CrewPass API fails with the 404 message', async () => {
			// the sandbox answering a bare 404 (no CrewPass envelope) on every path, as any other
			// web server at a wrong address would
			ctx.sandbox.knobs.set({ notFound: true });
			try {
				const res = await testCredential(credentialData(ctx.sandbox));
				assert.equal(res.status, 'Error');
				assert.match(res.message, /No CrewPass Partner API at this address/);
			} finally {
				ctx.sandbox.knobs.reset();
			}
		});

		test('a base URL with a path, user info or a line break never reaches that host', async () => {
			const seen = [];
			const server = http.createServer((req, res) => {
				seen.push(req.url);
				res.writeHead(200, { 'content-type': 'application/json' });
				res.end('{}');
			});
			await /** @type {Promise<void>} */ (
				new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
			);
			const origin = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
			try {
				for (const baseUrl of [
					`${origin}/nothing-here`,
					origin.replace('//', '//user:pass@'),
					`${origin}\n`,
				]) {
					const res = await testCredential({ ...credentialData(ctx.sandbox), baseUrl });
					assert.equal(res.status, 'Error', `${JSON.stringify(baseUrl)}: ${JSON.stringify(res)}`);
				}
				assert.deepEqual(seen, [], 'no request reached the host of a refused Base URL');
			} finally {
				await new Promise((resolve) => server.close(resolve));
			}
		});
	});
}
