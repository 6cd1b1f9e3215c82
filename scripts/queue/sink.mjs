// @ts-check
// Local HTTP servers for `npm run test:queue`.
//  - the sink: the workflow's downstream step POSTs each event here; it counts hits per
//    setup and event id (what "exactly once" is measured on, outside n8n) and keeps the first
//    body of each event id (what the polling check compares: event type and crew member);
//  - a counting proxy in front of the CrewPass sandbox: every answer's status and the request
//    start times, to report 429s and the peak rate the key saw.
import http from 'node:http';

function listen(server) {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve(server.address().port));
	});
}

function closer(server) {
	const sockets = new Set();
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	return () =>
		/** @type {Promise<void>} */ (
			new Promise((r) => {
				server.close(() => r());
				for (const s of sockets) s.destroy();
			})
		);
}

/** POST /sink/<setup> with a JSON body holding event_id. */
export async function startSink() {
	const hits = new Map(); // setup -> Map(eventId -> count)
	const firstBodies = new Map(); // setup -> Map(eventId -> the first body, parsed)
	let lastHitAt = 0;
	const server = http.createServer(async (req, res) => {
		const chunks = [];
		for await (const c of req) chunks.push(c);
		const m = /^\/sink\/([\w-]+)/.exec(req.url ?? '');
		if (req.method !== 'POST' || !m) {
			res.writeHead(404).end();
			return;
		}
		let eventId = 'unparsed';
		let body;
		try {
			body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
			eventId = String(body.event_id);
		} catch {}
		const setup = m[1];
		if (!hits.has(setup)) {
			hits.set(setup, new Map());
			firstBodies.set(setup, new Map());
		}
		const perSetup = hits.get(setup);
		perSetup.set(eventId, (perSetup.get(eventId) ?? 0) + 1);
		if (!firstBodies.get(setup).has(eventId)) firstBodies.get(setup).set(eventId, body);
		lastHitAt = Date.now();
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end('{"ok":true}');
	});
	const stop = closer(server);
	const port = await listen(server);
	return {
		url: `http://127.0.0.1:${port}`,
		urlFor: (setup) => `http://127.0.0.1:${port}/sink/${setup}`,
		/** { total, distinct, duplicates (hits beyond the first per id), perEvent } */
		count(setup) {
			const perEvent = hits.get(setup) ?? new Map();
			let total = 0;
			for (const n of perEvent.values()) total += n;
			return { total, distinct: perEvent.size, duplicates: total - perEvent.size, perEvent };
		},
		/** The first body received for each event id of `setup` (Map eventId -> parsed JSON). */
		bodies(setup) {
			return new Map(firstBodies.get(setup) ?? []);
		},
		get lastHitAt() {
			return lastHitAt;
		},
		stop,
	};
}

/** Forwards everything to `target` unchanged and counts answers by status. */
export async function startCountingProxy(target) {
	const statuses = {};
	const starts = [];
	const server = http.createServer((req, res) => {
		starts.push(Date.now());
		const up = http.request(
			target + req.url,
			{ method: req.method, headers: { ...req.headers, host: new URL(target).host } },
			(upRes) => {
				const status = /** @type {number} */ (upRes.statusCode);
				statuses[status] = (statuses[status] ?? 0) + 1;
				res.writeHead(status, upRes.headers);
				upRes.pipe(res);
			},
		);
		up.on('error', () => {
			statuses.error = (statuses.error ?? 0) + 1;
			if (!res.headersSent) res.writeHead(502);
			res.end();
		});
		req.pipe(up);
	});
	const stop = closer(server);
	const port = await listen(server);
	return {
		url: `http://127.0.0.1:${port}`,
		reset() {
			for (const k of Object.keys(statuses)) delete statuses[k];
			starts.length = 0;
		},
		stats() {
			// the most requests that started within any 1,000 ms
			let peak = 0;
			let j = 0;
			for (let i = 0; i < starts.length; i++) {
				while (starts[i] - starts[j] >= 1000) j++;
				peak = Math.max(peak, i - j + 1);
			}
			return { requests: starts.length, statuses: { ...statuses }, peakPerSecond: peak };
		},
		stop,
	};
}
