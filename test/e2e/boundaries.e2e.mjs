// @ts-check
// Where the contract leaves room (issue 9), through the built tarball in a real n8n: an API
// answer that redirects to another host is refused and nothing (above all no API key) reaches
// that host; a download link whose file redirects is followed only while it stays on CrewPass
// origins, and a hop to another host is an error with no file; a bare 404 without the CrewPass
// envelope is not "not found". The sandbox's boundary knobs produce each answer; a foreign
// server on loopback records what reaches it.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { NODE_TYPE } from '../../scripts/lib/n8n.mjs';
import { nodeOutput, runManually, sandboxApi } from './context.mjs';

/** A host that is not CrewPass: records every request, answers 200 with bytes that are not the file. */
async function startForeignHost() {
	const requests = [];
	const server = http.createServer((req, res) => {
		req.resume();
		req.on('end', () => {
			requests.push({ method: req.method, url: req.url, headers: req.headers });
			res.writeHead(200, { 'content-type': 'image/png' });
			res.end('NOT THE CREWPASS FILE');
		});
	});
	await /** @type {Promise<void>} */ (
		new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
	);
	return {
		origin: `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`,
		requests,
		stop: () => new Promise((resolve) => server.close(resolve)),
	};
}

/** @returns {Promise<any>} */
/** Manual Trigger → one CrewPass node (Continue On Fail, so the error is an item) with `parameters`. */
async function createWorkflow(ctx, name, parameters) {
	return await ctx.client.post('/rest/workflows', {
		name,
		nodes: [
			{
				id: 'b0000000-0000-4000-8000-000000000001',
				name: 'Start',
				type: 'n8n-nodes-base.manualTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: {},
			},
			{
				id: 'b0000000-0000-4000-8000-000000000002',
				name: 'CrewPass',
				type: NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				onError: 'continueRegularOutput',
				parameters,
				credentials: {
					crewPassApi: { id: ctx.demo.credential.id, name: ctx.demo.credential.name },
				},
			},
		],
		connections: { Start: { main: [[{ node: 'CrewPass', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all' },
		active: false,
	});
}

/** Runs the workflow; returns the CrewPass node's output items (json) and their binary fields. */
async function run(ctx, workflowId) {
	const exec = await runManually(ctx, workflowId);
	const runs = exec.data?.resultData?.runData?.CrewPass;
	assert.ok(runs?.length, `the CrewPass node ran: ${JSON.stringify(exec.data?.resultData?.error)}`);
	const items = runs[0].data?.main?.[0] ?? [];
	return { json: nodeOutput(exec, 'CrewPass'), binaries: items.map((i) => i.binary ?? {}) };
}

export default function (ctx) {
	describe('boundaries: redirects, foreign hosts, bare 404s', () => {
		let foreign;
		let crewId;
		let documentId;
		let photo;
		let download;
		let lookup;

		before(async () => {
			foreign = await startForeignHost();
			crewId = ctx.sandbox.fixtures.compliant;
			const docs = await sandboxApi(ctx, `employers/me/crew/${crewId}/documents`);
			documentId = (docs.items ?? docs)[0].document_id;
			const locator = { __rl: true, mode: 'id', value: crewId };
			photo = await createWorkflow(ctx, 'Boundaries: Get Photo', {
				resource: 'crewMember',
				operation: 'getPhoto',
				crewMember: locator,
			});
			download = await createWorkflow(ctx, 'Boundaries: Download', {
				resource: 'document',
				operation: 'download',
				crewMember: locator,
				documentId,
			});
			lookup = await createWorkflow(ctx, 'Boundaries: Find by Email', {
				resource: 'crewMember',
				operation: 'findByEmail',
				email: 'nobody-here@example.com',
				ifNotFound: 'nothing',
			});
		});

		after(async () => {
			ctx.sandbox.knobs.reset();
			await foreign?.stop();
		});

		test('an API redirect to another host is an error naming status and host; the host gets nothing', async () => {
			for (const status of [302, 307]) {
				ctx.sandbox.knobs.set({
					redirects: [{ path: '/photo$', status, location: `${foreign.origin}/x{path}` }],
				});
				const { json, binaries } = await run(ctx, photo.id);
				assert.equal(json.length, 1);
				assert.ok(json[0].error, `an error item: ${JSON.stringify(json[0])}`);
				assert.match(`${json[0].error} ${json[0].description ?? ''}`, new RegExp(String(status)));
				assert.match(`${json[0].error} ${json[0].description ?? ''}`, /127\.0\.0\.1/);
				assert.deepEqual(Object.keys(binaries[0]), [], 'no binary from the redirect');
			}
			ctx.sandbox.knobs.set({
				redirects: [{ path: '/crew/lookup$', status: 307, location: `${foreign.origin}/steal` }],
			});
			const { json } = await run(ctx, lookup.id);
			assert.ok(json[0]?.error, `Find by Email refuses the 307: ${JSON.stringify(json)}`);
			assert.equal(foreign.requests.length, 0, 'nothing reached the foreign host');
			ctx.sandbox.knobs.reset();
		});

		test('a file link redirecting within CrewPass gives the real file; a hop to another host is an error', async () => {
			ctx.sandbox.knobs.reset();
			const direct = await run(ctx, download.id);
			const size = direct.json[0].file_size;
			assert.ok(size > 100, `the file: ${JSON.stringify(direct.json[0])}`);

			ctx.sandbox.knobs.set({ fileRedirects: { hops: 2, status: 302 } });
			const hopped = await run(ctx, download.id);
			assert.equal(hopped.json[0].error, undefined, JSON.stringify(hopped.json[0]));
			assert.equal(hopped.json[0].file_size, size, 'the same file after two same-origin hops');
			assert.ok(hopped.binaries[0].data, 'the file as binary data');

			ctx.sandbox.knobs.set({
				fileRedirects: { hops: 1, status: 302, location: `${foreign.origin}/file?t={token}` },
			});
			const refused = await run(ctx, download.id);
			assert.ok(refused.json[0].error, `an error item: ${JSON.stringify(refused.json[0])}`);
			assert.deepEqual(Object.keys(refused.binaries[0]), [], 'no binary that is not the file');
			assert.equal(foreign.requests.length, 0, 'the foreign host was never asked');
			assert.doesNotMatch(JSON.stringify(refused.json), /\/api\/v2\/files\/|t=|[?&]token/i);
			ctx.sandbox.knobs.reset();
		});

		test('a bare 404 (wrong base URL or proxy prefix) is an error, not "not found"', async () => {
			ctx.sandbox.knobs.set({ notFound: { path: '/crew/lookup$', format: 'json' } });
			const { json } = await run(ctx, lookup.id);
			ctx.sandbox.knobs.reset();
			assert.equal(json.length, 1, 'Output Nothing does not swallow it');
			assert.ok(json[0].error, JSON.stringify(json[0]));
			assert.match(`${json[0].error} ${json[0].description ?? ''}`, /address|base url|proxy/i);
		});
	});
}
