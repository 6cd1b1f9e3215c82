'use strict';
// The floor of `npm run bench` (row "floor"): the cheapest a community webhook trigger can be in
// n8n. Copied to dist/ of a package generated at bench time (scripts/bench/floor.mjs), packed and
// installed beside n8n-nodes-crewpass into the same n8n user folder's .n8n/nodes.
//
// It reads no parameter and no credential, verifies nothing and remembers nothing. The load
// generator says which path a delivery takes in the X-Bench-Floor header (the only thing read):
//   duplicate -> 200 {"status":"duplicate"}, nothing starts (as a remembered event id)
//   forged    -> 401 {"error":"unauthorized"}, nothing starts (as a bad signature)
//   anything else, or none -> the workflow starts with the body n8n already parsed; n8n answers
//                             200 with an empty body (as an accepted delivery).
// With BENCH_FLOOR_CREDENTIAL set (npm run bench -- --floor-credential, --credential-tax) the node
// declares that credential type (optional), and the bench attaches ours to it on the nodes it
// names; it still never reads it.
// Version 2 like the CrewPass Trigger's current version: n8n evaluates no expression to parse
// the body of a version-2 webhook node (its version-1 binary-data option).

class BenchFloorTrigger {
	constructor() {
		this.description = {
			displayName: 'Bench Floor Trigger',
			name: 'benchFloorTrigger',
			group: ['trigger'],
			version: 2,
			description: 'npm run bench: a webhook trigger that reads nothing and answers at once',
			defaults: { name: 'Bench Floor Trigger' },
			inputs: [],
			outputs: ['main'],
			webhooks: [
				{
					name: 'default',
					httpMethod: 'POST',
					responseMode: 'onReceived',
					responseData: 'noData',
					path: 'floor',
				},
			],
			properties: [],
			...(process.env.BENCH_FLOOR_CREDENTIAL
				? { credentials: [{ name: process.env.BENCH_FLOOR_CREDENTIAL, required: false }] }
				: {}),
		};
		this.webhookMethods = {
			default: {
				async checkExists() {
					return true;
				},
				async create() {
					return true;
				},
				async delete() {
					return true;
				},
			},
		};
	}

	async webhook() {
		const req = this.getRequestObject();
		const path = req.headers['x-bench-floor'];
		if (path === 'forged') {
			this.getResponseObject().status(401).json({ error: 'unauthorized' });
			return { noWebhookResponse: true };
		}
		if (path === 'duplicate') {
			this.getResponseObject().status(200).json({ status: 'duplicate' });
			return { noWebhookResponse: true };
		}
		return { workflowData: [[{ json: req.body }]] };
	}
}

module.exports = { BenchFloorTrigger };
