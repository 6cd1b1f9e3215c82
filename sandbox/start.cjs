// @ts-check
'use strict';
// The CrewPass sandbox: a local stand-in for the CrewPass Partner API (v1 reads under /api/v2/)
// and its webhooks, plus /_sandbox/ control endpoints. Loopback only, Node built-ins only.
//
//   state.cjs           what an instance remembers (data, clock, limiter, webhooks, faults, knobs)
//   api-routes.cjs      the Partner API routes, auth, fault knobs before routing
//   control-routes.cjs  the /_sandbox/ routes
//   http.cjs            the route table, bodies, answers, the listening server
//   knobs.cjs           boundary knobs (redirects, links on other origins, bare 404s)
// Entry point for users: server.cjs (re-exports this file; its declarations, server.d.cts, are
// checked against this file below). Types: types.d.cts.

const { evaluateCompliance } = require('./compliance.cjs');
const { SCOPES_ALL } = require('./data.cjs');
const { SandboxError } = require('./control.cjs');
const { createState } = require('./state.cjs');
const { createApi, LINK_TTL_MS } = require('./api-routes.cjs');
const { createControlRoutes } = require('./control-routes.cjs');
const { NOT_FOUND_BODIES } = require('./knobs.cjs');
const {
	createRouter,
	readBody,
	parseJson,
	send,
	sendResult,
	sendError,
	requestOrigin,
	listen,
} = require('./http.cjs');

/**
 * Start a sandbox.
 * @param {import('./types.cjs').SandboxOptions} [options]
 * @returns {Promise<import('./types.cjs').Sandbox>}
 */
async function startSandbox(options = {}) {
	const s = createState(options);
	let port = 0;
	const api = createApi(s, () => port);
	const router = createRouter([...api.routes, ...createControlRoutes(s).routes]);

	/**
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
	 */
	async function handle(req, res) {
		let url;
		try {
			url = new URL(req.url || '/', 'http://127.0.0.1');
		} catch {
			send(res, 400, { detail: 'Bad Request' });
			return;
		}
		try {
			await dispatch(req, res, url);
		} catch (err) {
			sendError(res, err);
		}
	}

	/**
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
	 * @param {URL} url
	 */
	async function dispatch(req, res, url) {
		const method = req.method || 'GET';
		const control = url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/');
		let pathname = control ? url.pathname.replace(/\/+$/, '') || '/' : url.pathname;
		if (!control) {
			// Boundary knobs first: a proxy or CDN in front of CrewPass answers before CrewPass does.
			const origin = requestOrigin(req, port);
			const redirect = s.knobs.redirectFor(method, pathname, pathname + url.search, origin);
			if (redirect) {
				send(res, redirect.status, Buffer.from(redirect.body), {
					Location: redirect.location,
					'Content-Type': 'text/plain; charset=utf-8',
				});
				return;
			}
			const prefix = s.knobs.pathPrefix;
			if (prefix) {
				if (pathname.startsWith(prefix + '/')) pathname = pathname.slice(prefix.length);
				else if (pathname !== '/' || method !== 'GET') return bareNotFound(res, 'json');
			}
			const bare = s.knobs.notFoundFor(pathname);
			if (bare) return bareNotFound(res, bare);
			if (pathname === '/' && method === 'GET') {
				send(res, 200, {
					name: 'CrewPass sandbox',
					mode: s.mode,
					api: '/api/v2/',
					control: '/_sandbox/',
				});
				return;
			}
			if (!pathname.startsWith('/api/v2/')) return bareNotFound(res, 'json');
			logRequest(req, res, url, method, pathname);
			if (!(await api.beforeRoute(req, pathname))) return;
		}
		const found = router.match(method, pathname);
		if (!found.route) {
			send(res, found.pathMatched ? 405 : 404, {
				detail: found.pathMatched ? 'Method Not Allowed' : 'Not Found',
			});
			return;
		}
		const { route, params } = found;
		let partner = null;
		if (route.kind === 'api' && route.auth !== false) {
			partner = api.authenticate(req);
			s.noteRequest(req, { partner_id: partner.partner_id });
			api.requireScope(partner, route.scope);
		}
		const raw = route.body ? await readBody(req) : null;
		let json = null;
		if (route.body === 'json') {
			const parsed = parseJson(raw || Buffer.alloc(0), { allowEmpty: true });
			if (parsed.errors)
				throw new SandboxError(422, 'validation_error', 'body must be a JSON object', {
					detail: parsed.errors,
				});
			json = parsed.value;
		}
		sendResult(res, await route.handler({ req, res, url, params, partner, raw, json }));
	}

	/**
	 * Record an API request in the request log once it is answered (or dropped).
	 * @param {import('node:http').IncomingMessage} req
	 * @param {import('node:http').ServerResponse} res
	 * @param {URL} url
	 * @param {string} method
	 * @param {string} pathname
	 */
	function logRequest(req, res, url, method, pathname) {
		const t0 = performance.now();
		const found = router.match(method, pathname);
		const params = found.route ? found.params : {};
		const entry = s.recordRequest(req, {
			at: new Date().toISOString(),
			method,
			endpoint: (found.route && found.route.name) || null,
			path: pathname,
			query: url.search,
			crew_unique_id: params.crew ?? null,
			vessel_id: url.searchParams.get('vessel_id'),
			status: null,
			outcome: 'pending',
			duration_ms: null,
		});
		res.once('close', () => {
			const answered = res.writableFinished;
			entry.status = answered ? res.statusCode : null;
			entry.outcome = answered ? 'answered' : 'dropped';
			entry.duration_ms = Math.round(performance.now() - t0);
			if (entry.read_id) s.rosterReads.finished(entry.read_id, entry);
		});
	}

	/**
	 * @param {import('node:http').ServerResponse} res
	 * @param {'json' | 'html' | 'text'} format
	 */
	function bareNotFound(res, format) {
		const b = NOT_FOUND_BODIES[format];
		send(res, 404, Buffer.from(b.body), { 'Content-Type': b.type });
	}

	const server = await listen(options.port === undefined ? 0 : Number(options.port), handle);
	port = server.port;
	s.baseUrl = `http://127.0.0.1:${port}`;

	/** @type {Promise<void> | null} */
	let stopped = null;
	function stop() {
		if (!stopped) {
			s.webhooks.stop();
			stopped = server.close();
		}
		return stopped;
	}

	const { store, clock, webhooks, limiter, mode } = s;
	/** @param {string} pid */
	const keysFor = (pid) => store.partners.get(pid).keys[mode];
	const otherMode = mode === 'test' ? 'live' : 'test';
	return {
		url: s.baseUrl,
		port,
		mode,
		seed: s.seed,
		stop,
		clock,
		store,
		get fixtures() {
			// the named fixtures are set by generateStore (data.cjs FIXTURES)
			return /** @type {import('./types.cjs').SandboxFixtures} */ ({ ...store.fixtures });
		},
		keys: {
			management: keysFor('prt_harbourline'),
			other: keysFor('prt_meridian'),
			reduced: keysFor('prt_solent'),
			noApi: keysFor('prt_dormant'),
			wrongMode: store.partners.get('prt_harbourline').keys[otherMode],
		},
		partners: () => [...store.partners.values()].map(s.partnerView),
		state: s.view,
		crew: (id) => {
			const c = store.crew.get(id);
			return c ? s.crewView(c) : null;
		},
		get control() {
			return s.control;
		},
		get roster() {
			return s.roster;
		},
		readFaults: {
			add: (f) => s.readFaults.add(f),
			list: () => s.readFaults.list(),
			remove: (id) => s.readFaults.remove(id),
			clear: () => s.readFaults.clear(),
		},
		requests: (f) => s.requestLog(f),
		rosterReads: (f) => s.rosterReads.list(f),
		waitForRosterRead: (o = {}) => s.rosterReads.wait(o),
		clearRequests: () => {
			s.clearRequests();
		},
		webhooks: {
			subscribe: (partnerId, sub) => webhooks.subscribe(partnerId, sub),
			secret: (partnerId = 'prt_harbourline') => store.partners.get(partnerId).webhook.secret,
			configure: (c) => webhooks.configure(c),
			emit: (partnerId, type, data, opts) => webhooks.emit(partnerId, type, data, opts),
			send: (o) => webhooks.sendRaw(o),
			testDelivery: (o) =>
				webhooks.testDelivery({
					...o,
					data: o.data || s.sampleData(o.event_type || 'crew.document.processed'),
				}),
			deliveries: (f) => webhooks.deliveries(f),
			deadLetters: () => webhooks.deadLetters(),
			events: () => webhooks.events(),
			idle: (ms) => webhooks.idle(ms),
			clear: () => webhooks.clear(),
		},
		faults: { set: s.setFaults, get: s.getFaults, reset: s.resetFaults },
		knobs: {
			set: (k) => s.knobs.set(k, true),
			get: () => s.knobs.get(),
			reset: () => s.knobs.reset(),
		},
		rateLimit: {
			configure: (o) => limiter.configure(o),
			reset: () => limiter.reset(),
			get config() {
				return limiter.config;
			},
		},
		inbox: (name) => s.inbox(name).entries.slice(),
		compliance: (crewId, vesselId) => {
			const c = store.crew.get(crewId);
			if (!c) return null;
			const p = vesselId
				? c.placements.find((/** @type {any} */ x) => x.vessel_id === vesselId)
				: c.placements[0];
			return p ? evaluateCompliance(c, p.role, c.docsByKind, clock.today()) : null;
		},
		reset: s.reset,
		scopes: [...SCOPES_ALL],
	};
}

/**
 * "Send a test delivery to my test URL" from outside a sandbox (the CLI): through the sandbox
 * listening on `port` (its data and secrets), else through a temporary one started with `options`
 * (the same fixed secrets). Throws when the sandbox refuses (e.g. a URL off loopback).
 * @param {import('./types.cjs').SendTestDeliveryOptions} o
 * @returns {Promise<{ result: import('./types.cjs').TestDeliveryResult, via: 'running' | 'temporary', ok: boolean }>}
 */
async function sendTestDelivery({ url, event_type, port = 4010, options = {} }) {
	/** @type {import('./types.cjs').TestDeliveryResult} */
	let result;
	/** @type {'running' | 'temporary'} */
	let via = 'running';
	let res = null;
	try {
		res = await fetch(`http://127.0.0.1:${port}/_sandbox/webhooks/test-delivery`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ url, event_type }),
		});
	} catch {
		res = null;
	}
	if (res) {
		/** @type {any} */
		const body = await res.json();
		if (!res.ok)
			throw new Error(
				`the sandbox refused the test delivery: ${body?.error?.message ?? res.status}`,
			);
		result = body;
	} else {
		via = 'temporary';
		const sb = await startSandbox({ ...options, port: 0 });
		try {
			result = await sb.webhooks.testDelivery({ url, event_type });
		} finally {
			await sb.stop();
		}
	}
	const ok = result.status_code !== null && result.status_code >= 200 && result.status_code < 300;
	return { result, via, ok };
}

/** The declared exports (server.d.cts) must accept these: `npm run typecheck` fails otherwise. */
/** @type {typeof import('./server.cjs')} */
const exported = { startSandbox, sendTestDelivery, LINK_TTL_MS };
module.exports = exported;
