// Runs last: after every other suite has driven n8n, the CrewPass API key and the webhook signing
// secrets appear nowhere in what n8n recorded: execution data (through the REST API), the raw
// SQLite database (execution data is stored there in clear; credentials are encrypted), and
// n8n's log at debug level.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';

import { credentialData } from '../../scripts/lib/demo.mjs';
import { executionData, executions } from './context.mjs';

export default function (ctx) {
	describe('no secret in n8n execution data or logs', () => {
		const secrets = () => {
			const d = credentialData(ctx.sandbox);
			return { apiKey: d.apiKey, webhookSecret: d.webhookSecret, ...(ctx.extraSecrets ?? {}) };
		};

		test('every execution of every workflow is free of the API key and the webhook secret', async () => {
			const list = await executions(ctx);
			assert.ok(list.length > 5, `executions to inspect: ${list.length}`);
			let bytes = 0;
			for (const e of list) {
				const full = await executionData(ctx, e.id);
				const text = JSON.stringify(full);
				bytes += text.length;
				for (const [name, value] of Object.entries(secrets())) {
					assert.equal(text.includes(value), false, `${name} found in execution ${e.id}`);
				}
			}
			ctx.timings.secretsScannedExecutions = list.length;
			ctx.timings.secretsScannedExecutionBytes = bytes;
		});

		test('the SQLite database (execution data in clear, credentials encrypted) does not contain them', () => {
			for (const file of [ctx.dbFile, `${ctx.dbFile}-wal`]) {
				if (!fs.existsSync(file)) continue;
				const buf = fs.readFileSync(file);
				for (const [name, value] of Object.entries(secrets())) {
					assert.equal(buf.includes(Buffer.from(value)), false, `${name} found in ${file}`);
				}
			}
		});

		test("n8n's debug log of the whole run does not contain them", () => {
			const text = fs.readFileSync(ctx.logFile, 'utf8');
			assert.ok(text.length > 1000, 'the log has content');
			for (const [name, value] of Object.entries(secrets())) {
				assert.equal(text.includes(value), false, `${name} found in ${ctx.logFile}`);
			}
		});

		test("the trigger's refusal reasons are in n8n's log (401 at debug level), the answers are generic (checked in trigger.e2e)", () => {
			const text = fs.readFileSync(ctx.logFile, 'utf8');
			assert.match(text, /refused a delivery as not genuine \(401\): the signature does not match/);
			assert.match(text, /refused a delivery as not genuine \(401\): X-CrewPass-Timestamp is/);
		});
	});
}
