// @ts-check
'use strict';
// The /_sandbox/ control surface (no API key): state, data changes, clock, faults, boundary
// knobs, rate limit, webhooks (subscriptions, raw sends, test deliveries, delivery log) and the
// inbox sink. Same route table format as the API.

const { SandboxError } = require('./control.cjs');
const { reply } = require('./http.cjs');

/** @typedef {import('./http.cjs').Route} Route */
/** @typedef {import('./state.cjs').SandboxState} SandboxState */

/**
 * @param {unknown} v
 * @param {string} name
 */
function num(v, name) {
	const n = Number(v);
	if (!Number.isFinite(n))
		throw new SandboxError(422, 'validation_error', name + ' must be a number');
	return n;
}

/**
 * Run fn; a TypeError/Error from a lower layer becomes 422 validation_error.
 * @template T
 * @param {() => T} fn
 * @returns {T}
 */
function validated(fn) {
	try {
		return fn();
	} catch (e) {
		if (e instanceof SandboxError) throw e;
		throw new SandboxError(422, 'validation_error', e instanceof Error ? e.message : String(e));
	}
}

/** @param {SandboxState} s */
function createControlRoutes(s) {
	const { store, clock, webhooks, limiter } = s;

	/** @param {string} id */
	function crewOr404(id) {
		const c = store.crew.get(id);
		if (!c) throw new SandboxError(404, 'not_found', 'no crew member with id ' + id);
		return c;
	}

	/**
	 * @param {string} method
	 * @param {string} path
	 * @param {Route['handler']} handler
	 * @param {Partial<Route>} [extra]
	 * @returns {Route}
	 */
	const route = (method, path, handler, extra = {}) => ({
		kind: 'control',
		method,
		path,
		handler,
		...extra,
	});
	/** @param {string} method @param {string} path @param {Route['handler']} handler */
	const withJson = (method, path, handler) => route(method, path, handler, { body: 'json' });

	/** @type {Route[]} */
	const routes = [
		route('GET', '/_sandbox', () => ({
			name: 'CrewPass sandbox control API',
			endpoints: routes.map((r) => `${r.method} ${r.path}`),
		})),
		route('GET', '/_sandbox/state', () => s.view()),
		route('GET', '/_sandbox/fixtures', () => s.fixturesView()),
		route('POST', '/_sandbox/reset', () => {
			s.reset();
			return s.view();
		}),

		// ---- data changes (each fires the webhooks the change implies) ----
		route('GET', '/_sandbox/crew/:crew', ({ params }) => s.crewView(crewOr404(params.crew))),
		withJson('POST', '/_sandbox/crew/:crew/documents', ({ params, json }) =>
			reply(201, s.control.uploadDocument(params.crew, json)),
		),
		route('POST', '/_sandbox/crew/:crew/documents/:document/verify', ({ params }) =>
			s.control.verifyDocument(params.crew, params.document),
		),
		route('POST', '/_sandbox/crew/:crew/documents/:document/reject', ({ params }) =>
			s.control.rejectDocument(params.crew, params.document),
		),
		route('POST', '/_sandbox/crew/:crew/documents/:document/expire', ({ params }) =>
			s.control.expireDocument(params.crew, params.document),
		),
		withJson('POST', '/_sandbox/crew/:crew/status', ({ params, json }) =>
			s.control.setStatus(params.crew, json),
		),
		withJson('POST', '/_sandbox/crew/:crew/background-check', ({ params, json }) => {
			if (!('status' in json))
				throw new SandboxError(422, 'validation_error', 'status is required (null for no check)');
			return s.control.setBackgroundCheck(params.crew, json.status);
		}),
		withJson('PATCH', '/_sandbox/crew/:crew/profile', ({ params, json }) =>
			s.control.updateProfile(params.crew, json),
		),
		withJson('POST', '/_sandbox/crew/:crew/profile', ({ params, json }) =>
			s.control.updateProfile(params.crew, json),
		),
		withJson('POST', '/_sandbox/crew/:crew/consents', ({ params, json }) =>
			s.control.setConsents(params.crew, json),
		),

		// ---- roster changes between polls (roster.cjs) ----
		route('GET', '/_sandbox/roster', ({ url }) => s.rosterView(url.searchParams.get('partner_id'))),
		withJson('POST', '/_sandbox/crew', ({ json }) => reply(201, s.roster.addCrew(json))),
		route('DELETE', '/_sandbox/crew/:crew', ({ params }) => s.roster.removeCrew(params.crew)),
		withJson('POST', '/_sandbox/crew/:crew/placements', ({ params, json }) =>
			reply(201, s.roster.addPlacement(params.crew, json)),
		),
		route('DELETE', '/_sandbox/crew/:crew/placements/:vessel', ({ params }) =>
			s.roster.removeCrew(params.crew, { vessel_id: params.vessel }),
		),
		withJson('POST', '/_sandbox/crew/:crew/move', ({ params, json }) =>
			s.roster.moveCrew(params.crew, json),
		),
		withJson('POST', '/_sandbox/crew/:crew/role', ({ params, json }) =>
			s.roster.setRole(params.crew, json),
		),
		withJson('POST', '/_sandbox/crew/:crew/compliance', ({ params, json }) =>
			s.roster.setCompliance(params.crew, json),
		),
		withJson('POST', '/_sandbox/vessels', ({ json }) => reply(201, s.roster.addVessel(json))),
		withJson('PATCH', '/_sandbox/vessels/:vessel', ({ params, json }) =>
			s.roster.updateVessel(params.vessel, json),
		),
		route('DELETE', '/_sandbox/vessels/:vessel', ({ params }) =>
			s.roster.removeVessel(params.vessel),
		),
		withJson('POST', '/_sandbox/roster/churn', ({ json }) => s.roster.churn(json)),
		route('GET', '/_sandbox/roster/reads', ({ url }) => ({
			last_id: s.rosterReads.lastId,
			items: s.rosterReads.list(readFilter(url)),
		})),
		route('GET', '/_sandbox/roster/reads/wait', async ({ url }) => {
			const outcome = url.searchParams.get('outcome') ?? 'complete';
			if (!['complete', 'abandoned', 'in_progress'].includes(outcome))
				throw new SandboxError(
					422,
					'validation_error',
					'outcome must be complete, abandoned or in_progress',
				);
			const t = url.searchParams.get('timeout_ms');
			const read = await s.rosterReads.wait({
				...readFilter(url),
				outcome: /** @type {'complete'} */ (outcome),
				timeoutMs: t === null ? 30_000 : num(t, 'timeout_ms'),
			});
			return { read, timed_out: read === null };
		}),

		// ---- read faults (read-faults.cjs) and the request log ----
		route('GET', '/_sandbox/read-faults', () => ({ items: s.readFaults.list() })),
		withJson('POST', '/_sandbox/read-faults', ({ json }) => {
			const list = Array.isArray(json.faults) ? json.faults : [json];
			return reply(201, {
				added: list.map((f) => s.readFaults.add(f)),
				items: s.readFaults.list(),
			});
		}),
		route('DELETE', '/_sandbox/read-faults', () => ({ items: s.readFaults.clear() })),
		route('DELETE', '/_sandbox/read-faults/:id', ({ params }) => ({
			items: s.readFaults.remove(num(params.id, 'id')),
		})),
		route('GET', '/_sandbox/requests', ({ url }) => {
			const items = s.requestLog(requestFilter(url));
			return { count: items.length, last_seq: s.lastRequestSeq, items };
		}),
		route('GET', '/_sandbox/requests/summary', ({ url }) =>
			summarise(s.requestLog(requestFilter(url)), s.lastRequestSeq),
		),
		route('DELETE', '/_sandbox/requests', () => s.clearRequests()),

		// ---- clock ----
		route('GET', '/_sandbox/clock', () => s.view().clock),
		withJson('POST', '/_sandbox/clock/advance', ({ json }) => {
			const ms =
				(Number(json.ms) || 0) +
				(Number(json.seconds) || 0) * 1e3 +
				(Number(json.minutes) || 0) * 6e4 +
				(Number(json.hours) || 0) * 3.6e6 +
				(Number(json.days) || 0) * 8.64e7;
			clock.advance(ms);
			return s.view().clock;
		}),
		route('POST', '/_sandbox/clock/pause', () => {
			clock.pause();
			return s.view().clock;
		}),
		route('POST', '/_sandbox/clock/resume', () => {
			clock.resume();
			return s.view().clock;
		}),
		withJson('POST', '/_sandbox/clock/set', ({ json }) => {
			validated(() => clock.set(json.now));
			return s.view().clock;
		}),

		// ---- faults, boundary knobs, rate limit ----
		route('GET', '/_sandbox/faults', () => s.getFaults()),
		withJson('POST', '/_sandbox/faults', ({ json }) => s.setFaults(json)),
		route('POST', '/_sandbox/faults/reset', () => s.resetFaults()),
		route('GET', '/_sandbox/knobs', () => s.knobs.get()),
		withJson('POST', '/_sandbox/knobs', ({ json }) => s.knobs.set(json, true)),
		route('POST', '/_sandbox/knobs/reset', () => s.knobs.reset()),
		route('GET', '/_sandbox/rate-limit', () => limiter.config),
		withJson('POST', '/_sandbox/rate-limit', ({ json }) =>
			validated(() => limiter.configure(json)),
		),
		route('POST', '/_sandbox/rate-limit/reset', () => {
			limiter.reset();
			return limiter.config;
		}),

		// ---- webhooks ----
		route('GET', '/_sandbox/webhooks', () => ({
			config: webhooks.config,
			faults: webhooks.faults,
			subscriptions: [...store.partners.values()].map((pp) => ({
				partner_id: pp.partner_id,
				...pp.webhook,
			})),
		})),
		withJson('POST', '/_sandbox/webhooks', ({ json }) =>
			validated(() => {
				const cfg = webhooks.configure(json);
				const sub =
					json.url !== undefined || json.secret !== undefined || json.events !== undefined
						? webhooks.subscribe(json.partner_id || s.mainPartner().partner_id, json)
						: null;
				return { config: cfg, subscription: sub };
			}),
		),
		withJson('POST', '/_sandbox/webhooks/send', async ({ json }) => {
			if (!json.data && !json.event && json.raw_body === undefined)
				json.data = s.sampleData(json.event_type || 'crew.profile.updated', json.crew_unique_id);
			try {
				return await webhooks.sendRaw(json);
			} catch (e) {
				throw new SandboxError(422, 'validation_error', e instanceof Error ? e.message : String(e));
			}
		}),
		withJson('POST', '/_sandbox/webhooks/test-delivery', async ({ json }) => {
			if (typeof json.url !== 'string' || !json.url)
				throw new SandboxError(
					422,
					'validation_error',
					'url is required (your workflow’s Test URL)',
				);
			const type = json.event_type || 'crew.document.processed';
			try {
				return await webhooks.testDelivery({
					url: json.url,
					event_type: type,
					partner_id: json.partner_id,
					data: json.data || s.sampleData(type, json.crew_unique_id),
				});
			} catch (e) {
				throw new SandboxError(422, 'validation_error', e instanceof Error ? e.message : String(e));
			}
		}),
		withJson('POST', '/_sandbox/webhooks/emit', ({ json }) => {
			const known = webhooks.EVENT_TYPES.includes(json.event_type);
			if (
				!known &&
				!(json.allow_unknown_type && typeof json.event_type === 'string' && json.event_type)
			)
				throw new SandboxError(
					422,
					'validation_error',
					'event_type must be one of ' +
						webhooks.EVENT_TYPES.join(', ') +
						' (or pass allow_unknown_type: true for a type CrewPass may add later)',
				);
			const c = json.crew_unique_id ? store.crew.get(json.crew_unique_id) : null;
			if (json.crew_unique_id && !c)
				throw new SandboxError(404, 'not_found', 'no crew member with id ' + json.crew_unique_id);
			const partnerId = json.partner_id || (c ? c.partner_id : s.mainPartner().partner_id);
			const data = json.data || (c ? s.sampleData(json.event_type, c.crew_unique_id) : {});
			const event = validated(() => webhooks.emit(partnerId, json.event_type, data, json));
			return reply(202, { event });
		}),
		route('GET', '/_sandbox/webhooks/idle', async ({ url }) => {
			const t = Math.min(60_000, Number(url.searchParams.get('timeout_ms')) || 10_000);
			return { idle: await webhooks.idle(t) };
		}),
		route('GET', '/_sandbox/deliveries', ({ url }) => ({
			items: webhooks.deliveries({
				event_id: url.searchParams.get('event_id'),
				partner_id: url.searchParams.get('partner_id'),
				event_type: url.searchParams.get('event_type'),
			}),
		})),
		route('DELETE', '/_sandbox/deliveries', () => {
			webhooks.clear();
			return { cleared: true };
		}),
		route('GET', '/_sandbox/dead-letters', () => ({ items: webhooks.deadLetters() })),
		route('GET', '/_sandbox/events', () => ({ items: webhooks.events() })),

		// ---- inbox sink: a receiver for demo/e2e workflows and webhook tests ----
		withJson('POST', '/_sandbox/inbox/:name/config', ({ params, json }) => {
			const box = s.inbox(params.name);
			if (json.status !== undefined) box.status = num(json.status, 'status');
			if (json.statuses !== undefined)
				box.statuses = (Array.isArray(json.statuses) ? json.statuses : []).map(
					(/** @type {unknown} */ v) => num(v, 'statuses[]'),
				);
			return { name: params.name, status: box.status, statuses: box.statuses };
		}),
		route('GET', '/_sandbox/inbox/:name', ({ params }) => {
			const box = s.inbox(params.name);
			return { name: params.name, count: box.entries.length, items: box.entries };
		}),
		route('DELETE', '/_sandbox/inbox/:name', ({ params }) => {
			s.inboxes.delete(params.name);
			return { name: params.name, cleared: true };
		}),
		route('POST', '/_sandbox/inbox/:name', receive, { body: 'raw' }),
		route('PUT', '/_sandbox/inbox/:name', receive, { body: 'raw' }),
	];

	/** @param {URL} url */
	function requestFilter(url) {
		const q = url.searchParams;
		const after = q.get('after');
		return {
			endpoint: q.get('endpoint'),
			partner_id: q.get('partner_id'),
			crew_unique_id: q.get('crew_unique_id'),
			after: after === null ? null : num(after, 'after'),
		};
	}

	/** @param {URL} url */
	function readFilter(url) {
		const after = url.searchParams.get('after');
		return {
			after: after === null ? null : num(after, 'after'),
			partner_id: url.searchParams.get('partner_id'),
		};
	}

	/** @type {Route['handler']} */
	function receive({ params, raw: buf, req, url }) {
		const box = s.inbox(params.name);
		const raw = (buf || Buffer.alloc(0)).toString('utf8');
		/** @type {unknown} */
		let body = raw;
		try {
			body = raw ? JSON.parse(raw) : null;
		} catch {
			/* keep the raw text */
		}
		/** @type {Record<string, string>} */
		const headers = {};
		for (const [k, v] of Object.entries(req.headers))
			if ((k.startsWith('x-') || k === 'content-type') && typeof v === 'string') headers[k] = v;
		const q = url.searchParams.get('status');
		const status = q
			? num(q, 'status')
			: box.statuses.length
				? /** @type {number} */ (box.statuses.shift())
				: box.status;
		box.entries.push({
			received_at: new Date().toISOString(),
			headers,
			body,
			raw_body: raw,
			answered: status,
		});
		if (box.entries.length > 10_000) box.entries.shift();
		return reply(status, { received: true, count: box.entries.length });
	}

	return { routes };
}

/**
 * Counts of logged requests by endpoint and by status (null = dropped / no answer).
 * @param {import('./types.cjs').RequestLogEntry[]} items
 * @param {number} lastSeq
 */
function summarise(items, lastSeq) {
	/** @type {Record<string, { requests: number, by_status: Record<string, number> }>} */
	const by = {};
	for (const r of items) {
		const e = (by[r.endpoint ?? 'unknown'] ??= { requests: 0, by_status: {} });
		e.requests++;
		const k = String(r.status);
		e.by_status[k] = (e.by_status[k] ?? 0) + 1;
	}
	return { requests: items.length, last_seq: lastSeq, by_endpoint: by };
}

module.exports = { createControlRoutes };
