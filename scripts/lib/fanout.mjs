// @ts-check
// CrewPass registers ONE callback URL per partner. The demo has two trigger workflows (compliance
// alert, document archive), so `npm start` points the sandbox partner's callback at this local
// fan-out, which forwards every delivery unchanged (raw body bytes and the X-CrewPass-* headers,
// so signatures still verify) to each target URL and answers with the least favourable status
// (any 5xx/network error > 4xx > 2xx), so the sandbox retries exactly as it would against one
// receiver. Not used by the end-to-end tests: they point the sandbox straight at a trigger.
import http from 'node:http';

export async function startFanout({ port = 0, targets }) {
	const server = http.createServer(async (req, res) => {
		const chunks = [];
		for await (const c of req) chunks.push(c);
		const body = Buffer.concat(chunks);
		/** @type {Record<string, string>} */
		const headers = {};
		for (const [k, v] of Object.entries(req.headers)) {
			if (k.startsWith('x-crewpass-') || k === 'content-type' || k === 'user-agent')
				headers[k] = /** @type {string} */ (v);
		}
		const answers = await Promise.all(
			targets.map(async (url) => {
				try {
					const r = await fetch(url, {
						method: req.method,
						headers,
						body,
						signal: AbortSignal.timeout(10_000),
					});
					return { status: r.status, text: await r.text() };
				} catch (/** @type {any} */ e) {
					return { status: 502, text: JSON.stringify({ error: String(e.message) }) };
				}
			}),
		);
		const rank = (s) => (s >= 500 ? 3 : s >= 400 ? 2 : 1);
		const worst = answers.reduce(
			(a, b) => (rank(b.status) > rank(a.status) ? b : a),
			answers[0] ?? { status: 200, text: '' },
		);
		res.writeHead(worst.status, { 'content-type': 'application/json' });
		res.end(
			JSON.stringify({ forwarded: answers.map((a, i) => ({ url: targets[i], status: a.status })) }),
		);
	});
	await /** @type {Promise<void>} */ (
		new Promise((resolve, reject) => {
			server.once('error', reject);
			server.listen(port, '127.0.0.1', resolve);
		})
	);
	const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
	return {
		url: `http://127.0.0.1:${actual}/crewpass-webhooks`,
		stop: () => /** @type {Promise<void>} */ (new Promise((r) => server.close(() => r()))),
	};
}
