// @ts-check
'use strict';
// Outbound webhooks as the contract describes them: the envelope, the signed headers, at-least-once
// delivery with exponential backoff (up to 8 attempts), 4xx other than 408/429 = permanent, then a
// dead-letter list. Every attempt is recorded.
// Knobs for what the contract leaves open: retries signed once (same timestamp and signature on
// every attempt), explicit retry delays (any length), event types and schema versions CrewPass
// may add, UTF-8 event ids, missing headers, zone-less occurred_at, oversize or deep bodies.

const http = require('node:http');
const https = require('node:https');
const crypto = require('node:crypto');

const EVENT_TYPES = [
	'crew.document.processed',
	'crew.document.updated',
	'crew.compliance.changed',
	'crew.status.changed',
	'crew.profile.updated',
];

/** Partner scope and crew consent an event needs (the same gate as the read surface). */
const EVENT_GATES = {
	'crew.document.processed': { scope: 'crew:documents:read', consent: 'crew:documents:read' },
	'crew.document.updated': { scope: 'crew:documents:read', consent: 'crew:documents:read' },
	'crew.compliance.changed': { scope: 'crew:compliance:read', consent: 'crew:compliance:read' },
	'crew.status.changed': { scope: 'crew:status:subscribe', consent: 'crew:status:read' },
	'crew.profile.updated': { scope: 'crew:profile:read', consent: 'crew:profile:read' },
};

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** @typedef {import('./types.cjs').EventOptions} EventOptions */
/** @typedef {import('./types.cjs').RawSendOptions} RawSendOptions */
/** @typedef {import('./types.cjs').WebhookEvent} WebhookEvent */
/** @typedef {import('./types.cjs').DeliveryAttempt} DeliveryAttempt */
/** @typedef {import('./types.cjs').DeadLetter} DeadLetter */
/** @typedef {import('./types.cjs').WebhookConfig} WebhookConfig */

/**
 * The contract's recipe: "v1=" + hex HMAC-SHA256(secret, "{timestamp}." + raw body).
 * @param {string} secret
 * @param {string} timestamp
 * @param {Buffer} rawBody
 */
function signDelivery(secret, timestamp, rawBody) {
	return (
		'v1=' +
		crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')
	);
}

function newEventId() {
	return 'evt_' + crypto.randomBytes(12).toString('hex');
}

/**
 * Header values go on the wire as UTF-8 bytes (Node writes a header string as latin1, so a
 * non-ASCII event id is passed as its UTF-8 bytes in a binary string).
 * @param {Record<string, string>} headers
 */
function wireHeaders(headers) {
	/** @type {Record<string, string>} */
	const out = {};
	for (const [k, v] of Object.entries(headers))
		out[k] = /^[\x00-\x7f]*$/.test(v) ? v : Buffer.from(v, 'utf8').toString('latin1');
	return out;
}

/**
 * The event body as sent: JSON of the envelope, with `pad_bytes` of padding in data and/or data
 * wrapped `nest_depth` levels deep (built as text: JSON.stringify would overflow the stack).
 * @param {WebhookEvent} event
 * @param {EventOptions} [opts]
 */
function eventBody(event, opts = {}) {
	const pad = Math.max(0, Math.floor(Number(opts.pad_bytes) || 0));
	const depth = Math.max(0, Math.floor(Number(opts.nest_depth) || 0));
	if (!pad && !depth) return Buffer.from(JSON.stringify(event));
	const data = pad ? { ...event.data, padding: 'x'.repeat(pad) } : event.data;
	const marker = '"__sandbox_data__"';
	const text = JSON.stringify({ ...event, data: '__sandbox_data__' });
	const inner = JSON.stringify(data);
	const nested = depth ? '{"nested":'.repeat(depth) + inner + '}'.repeat(depth) : inner;
	return Buffer.from(text.replace(marker, () => nested));
}

/**
 * @param {{ clock: import('./types.cjs').SandboxClock, store: any, options?: import('./types.cjs').SandboxOptions }} deps
 */
function createWebhooks({ clock, store, options = {} }) {
	/** @type {WebhookConfig} */
	const cfg = {
		baseDelayMs: options.webhookBaseDelayMs ?? 1000,
		maxDelayMs: options.webhookMaxDelayMs ?? 300_000,
		maxAttempts: options.webhookMaxAttempts ?? 8,
		timeoutMs: options.webhookTimeoutMs ?? 5000,
		allowExternal: Boolean(options.allowExternalWebhooks),
		// 'real': X-CrewPass-Timestamp from the machine's clock (receivers compare it with theirs);
		// 'sandbox': from the movable sandbox clock.
		timestampClock: options.webhookTimestampClock || 'real',
		// Sign each event once (first attempt) and send that timestamp + signature on every retry.
		signOnce: Boolean(options.webhookSignOnce),
		// Delay before attempt 2, 3, ... (ms) instead of the exponential backoff; the last entry repeats.
		retryDelaysMs: options.webhookRetryDelaysMs ? [...options.webhookRetryDelaysMs] : null,
	};
	const faults = { duplicates: 0, outOfOrder: false, outOfOrderWindowMs: 100 };
	/** @type {DeliveryAttempt[]} */
	const attempts = [];
	/** @type {DeadLetter[]} */
	const deadLetters = [];
	/** @type {{ event: WebhookEvent, delivered_to: string | null }[]} */
	const events = [];
	/** @type {Set<NodeJS.Timeout>} */
	const timers = new Set();
	let inFlight = 0;
	/** @type {Job[]} */
	let held = [];
	/** @type {NodeJS.Timeout | null} */
	let heldTimer = null;
	/** @type {((idle: boolean) => void)[]} */
	let idleWaiters = [];
	let stopped = false;
	const agents = {
		http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
		https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
	};

	/**
	 * @typedef {object} Job
	 * @property {WebhookEvent} event
	 * @property {Buffer} body
	 * @property {string} url
	 * @property {any} partner
	 * @property {number} copy
	 * @property {EventOptions} opts
	 * @property {{ ts: string, signature: string } | null} signed set on the first attempt with signOnce
	 */

	/** @param {string} url */
	function checkUrl(url) {
		let u;
		try {
			u = new URL(url);
		} catch {
			throw new TypeError('invalid webhook URL: ' + url);
		}
		if (u.protocol !== 'http:' && u.protocol !== 'https:')
			throw new TypeError('webhook URL must be http(s): ' + url);
		if (!cfg.allowExternal && !LOOPBACK.has(u.hostname))
			throw new TypeError(
				'webhook URL must be on loopback (start with allowExternalWebhooks to lift this): ' + url,
			);
		return u.toString();
	}

	/**
	 * @param {string} partnerId
	 * @param {import('./types.cjs').WebhookSubscription} sub
	 */
	function subscribe(partnerId, sub) {
		const partner = store.partners.get(partnerId);
		if (!partner) throw new TypeError('unknown partner: ' + partnerId);
		if (sub.url !== undefined) partner.webhook.url = sub.url === null ? null : checkUrl(sub.url);
		if (sub.secret !== undefined) {
			if (typeof sub.secret !== 'string' || !sub.secret)
				throw new TypeError('secret must be a non-empty string');
			partner.webhook.secret = sub.secret;
		}
		if (sub.events !== undefined) {
			if (
				sub.events !== null &&
				(!Array.isArray(sub.events) || sub.events.some((e) => !EVENT_TYPES.includes(e)))
			)
				throw new TypeError('events must be null (all) or a list of: ' + EVENT_TYPES.join(', '));
			partner.webhook.events = sub.events;
		}
		return { partner_id: partnerId, ...partner.webhook };
	}

	function timestampNow() {
		return Math.floor((cfg.timestampClock === 'sandbox' ? clock.now() : Date.now()) / 1000);
	}

	/**
	 * @param {string} partnerId
	 * @param {string} type
	 * @param {Record<string, unknown>} data
	 * @param {EventOptions} [opts] event_id, schema_version, occurred_at (any string, e.g. without a zone)
	 * @returns {WebhookEvent}
	 */
	function buildEvent(partnerId, type, data, opts = {}) {
		return {
			schema_version: opts.schema_version === undefined ? 1 : opts.schema_version,
			event_id: opts.event_id || newEventId(),
			event_type: type,
			occurred_at: opts.occurred_at === undefined ? clock.iso() : opts.occurred_at,
			partner_id: partnerId,
			data,
		};
	}

	/**
	 * Fire an event for a crew member's partner, if the partner holds the scope, the crew member's
	 * consent allows it, and the partner subscribed to it. Returns the event or null when gated out.
	 */
	/**
	 * @param {any} crew
	 * @param {string} type
	 * @param {Record<string, unknown>} data
	 */
	function emitForCrew(crew, type, data) {
		const gate = EVENT_GATES[type];
		if (!gate) throw new TypeError('unknown event type: ' + type);
		const partner = store.partners.get(crew.partner_id);
		if (!partner || !partner.api_enabled) return null;
		if (!partner.webhook_scopes.includes(gate.scope)) return null;
		if (!crew.consents.has(gate.consent)) return null;
		// only for a crew member on the fleet (one left is outside it, as for the read surface)
		if (!crew.placements.length) return null;
		return emit(partner.partner_id, type, data);
	}

	/**
	 * Queue an event for normal (retried) delivery to the partner's subscription. Any event type
	 * goes (the control route checks the known ones unless allow_unknown_type).
	 * @param {string} partnerId
	 * @param {string} type
	 * @param {Record<string, unknown>} data
	 * @param {EventOptions} [opts]
	 */
	function emit(partnerId, type, data, opts = {}) {
		const partner = store.partners.get(partnerId);
		if (!partner) throw new TypeError('unknown partner: ' + partnerId);
		if (typeof type !== 'string' || !type)
			throw new TypeError('event_type must be a non-empty string');
		const sub = partner.webhook;
		const event = buildEvent(partnerId, type, data, opts);
		const subscribed = Boolean(sub.url) && (!sub.events || sub.events.includes(type));
		events.push({ event, delivered_to: subscribed ? sub.url : null });
		if (events.length > 10_000) events.shift();
		if (!subscribed) return event;
		const body = eventBody(event, opts);
		const copies = 1 + Math.max(0, Math.floor(faults.duplicates || 0));
		/** @type {Job[]} */
		const jobs = [];
		for (let c = 0; c < copies; c++)
			jobs.push({ event, body, url: sub.url, partner, copy: c, opts, signed: null });
		if (faults.outOfOrder) {
			held.push(...jobs);
			if (!heldTimer) {
				heldTimer = setTimeout(flushHeld, faults.outOfOrderWindowMs);
				timers.add(heldTimer);
			}
		} else for (const job of jobs) schedule(job, 1, 0);
		return event;
	}

	function flushHeld() {
		if (heldTimer) timers.delete(heldTimer);
		heldTimer = null;
		const jobs = held.reverse();
		held = [];
		for (const job of jobs) schedule(job, 1, 0);
		checkIdle();
	}

	/**
	 * @param {Job} job
	 * @param {number} attempt
	 * @param {number} delay
	 */
	function schedule(job, attempt, delay) {
		if (stopped) return;
		if (delay <= 0) {
			void runAttempt(job, attempt);
			return;
		}
		const t = setTimeout(() => {
			timers.delete(t);
			void runAttempt(job, attempt);
		}, delay);
		timers.add(t);
	}

	/**
	 * @param {Job} job
	 * @param {number} attempt
	 */
	async function runAttempt(job, attempt) {
		inFlight++;
		try {
			let signed = job.signed;
			if (!signed) {
				const ts = String(timestampNow());
				signed = { ts, signature: signDelivery(job.partner.webhook.secret, ts, job.body) };
				if (cfg.signOnce) job.signed = signed;
			}
			const res = await post(
				job.url,
				job.body,
				deliveryHeaders(job.event, signed.ts, signed.signature, job.opts),
			);
			const permanent =
				res.status !== null &&
				res.status >= 400 &&
				res.status < 500 &&
				res.status !== 408 &&
				res.status !== 429;
			const ok = res.status !== null && res.status >= 200 && res.status < 300;
			const outcome = ok
				? 'delivered'
				: permanent
					? 'rejected'
					: attempt >= cfg.maxAttempts
						? 'dead_lettered'
						: 'retry_scheduled';
			/** @type {DeliveryAttempt} */
			const record = {
				event_id: job.event.event_id,
				event_type: job.event.event_type,
				partner_id: job.partner.partner_id,
				url: job.url,
				attempt,
				copy: job.copy,
				status_code: res.status,
				error: res.error,
				outcome,
				at: new Date().toISOString(),
				duration_ms: res.durationMs,
				timestamp: signed.ts,
			};
			if (outcome === 'retry_scheduled') record.next_attempt_in_ms = backoff(attempt);
			attempts.push(record);
			if (attempts.length > 100_000) attempts.shift();
			if (outcome === 'retry_scheduled') schedule(job, attempt + 1, backoff(attempt));
			else if (outcome === 'dead_lettered' || outcome === 'rejected') {
				if (outcome === 'dead_lettered') {
					deadLetters.push({
						event_id: job.event.event_id,
						event_type: job.event.event_type,
						partner_id: job.partner.partner_id,
						url: job.url,
						attempts: attempt,
						last_status_code: res.status,
						last_error: res.error,
						dead_lettered_at: new Date().toISOString(),
						event: job.event,
					});
				}
			}
		} finally {
			inFlight--;
			checkIdle();
		}
	}

	/** Delay before attempt `attempt + 1`, ms. @param {number} attempt */
	function backoff(attempt) {
		const list = cfg.retryDelaysMs;
		if (list && list.length) return list[Math.min(attempt - 1, list.length - 1)];
		return Math.min(cfg.maxDelayMs, cfg.baseDelayMs * 2 ** (attempt - 1));
	}

	/**
	 * @param {WebhookEvent} event
	 * @param {string} ts
	 * @param {string} signature
	 * @param {EventOptions} [opts] omit_headers (names, any case), headers (extra / overrides)
	 * @returns {Record<string, string>}
	 */
	function deliveryHeaders(event, ts, signature, opts = {}) {
		/** @type {Record<string, string>} */
		let headers = {
			'Content-Type': 'application/json',
			'User-Agent': 'CrewPass-Webhooks/1 (sandbox)',
			'X-CrewPass-Event-Id': String(event.event_id),
			'X-CrewPass-Event-Type': String(event.event_type),
			'X-CrewPass-Timestamp': ts,
			'X-CrewPass-Signature': signature,
			'X-CrewPass-Schema-Version': String(event.schema_version ?? 1),
		};
		if (opts.headers) headers = { ...headers, ...opts.headers };
		if (opts.omit_headers) {
			const omit = opts.omit_headers.map((h) => h.toLowerCase());
			for (const k of Object.keys(headers)) if (omit.includes(k.toLowerCase())) delete headers[k];
		}
		return headers;
	}

	/**
	 * @param {string} url
	 * @param {Buffer} body
	 * @param {Record<string, string>} headers
	 * @returns {Promise<{ status: number | null, error: string | null, body?: string, durationMs: number }>}
	 */
	function post(url, body, headers) {
		const started = performance.now();
		return new Promise((resolve) => {
			let done = false;
			/**
			 * @param {number | null} status
			 * @param {string | null} error
			 * @param {string} [text]
			 */
			const finish = (status, error, text) => {
				if (done) return;
				done = true;
				resolve({ status, error, body: text, durationMs: Math.round(performance.now() - started) });
			};
			let req;
			try {
				const u = new URL(url);
				const mod = u.protocol === 'https:' ? https : http;
				req = mod.request(u, {
					method: 'POST',
					headers: { ...wireHeaders(headers), 'Content-Length': body.length },
					agent: u.protocol === 'https:' ? agents.https : agents.http,
					timeout: cfg.timeoutMs,
				});
			} catch (err) {
				finish(null, String(err instanceof Error ? err.message : err));
				return;
			}
			req.on('response', (res) => {
				/** @type {Buffer[]} */
				const chunks = [];
				let size = 0;
				res.on('data', (c) => {
					if (size < 2048) chunks.push(c);
					size += c.length;
				});
				res.on('end', () =>
					finish(
						res.statusCode ?? null,
						null,
						Buffer.concat(chunks).toString('utf8').slice(0, 2048),
					),
				);
				res.on('error', (err) => finish(res.statusCode ?? null, String(err.message)));
			});
			req.on('timeout', () => req.destroy(new Error('timeout after ' + cfg.timeoutMs + ' ms')));
			req.on('error', (/** @type {NodeJS.ErrnoException} */ err) =>
				finish(null, String(err.code || err.message)),
			);
			req.end(body);
		});
	}

	/**
	 * Send deliveries directly, for receiver tests: duplicates, forged or missing signatures, stale
	 * timestamps, wrong secrets, tampered bodies, any event type. One attempt per copy, no retries.
	 */
	/** @param {RawSendOptions} [opts] */
	async function sendRaw(opts = {}) {
		const partner = store.partners.get(opts.partner_id || mainPartnerId());
		if (!partner) throw new TypeError('unknown partner: ' + opts.partner_id);
		const url = opts.url ? checkUrl(opts.url) : partner.webhook.url;
		if (!url) throw new TypeError('no url: pass url or subscribe the partner first');
		const type = opts.event_type || 'crew.profile.updated';
		const event = opts.event || buildEvent(partner.partner_id, type, opts.data || {}, opts);
		if (opts.schema_version !== undefined) event.schema_version = opts.schema_version;
		const body =
			opts.raw_body !== undefined ? Buffer.from(String(opts.raw_body)) : eventBody(event, opts);
		const copies = Math.max(1, Math.min(1000, Math.floor(opts.copies || 1)));
		const secret = opts.wrong_secret
			? typeof opts.wrong_secret === 'string'
				? opts.wrong_secret
				: 'whsec_wrong_' + crypto.randomBytes(8).toString('hex')
			: opts.secret || partner.webhook.secret;
		/** @param {number} copy */
		const one = async (copy) => {
			const ts = String(
				opts.timestamp !== undefined
					? opts.timestamp
					: timestampNow() - Math.floor(Number(opts.stale_seconds || 0)),
			);
			let signature = signDelivery(
				secret,
				ts,
				opts.tamper_body ? Buffer.concat([body, Buffer.from(' ')]) : body,
			);
			if (opts.bad_signature) signature = 'v1=' + crypto.randomBytes(32).toString('hex');
			if (opts.signature !== undefined) signature = String(opts.signature);
			const headers = deliveryHeaders(event, ts, signature, opts);
			if (opts.missing_signature) delete headers['X-CrewPass-Signature'];
			const res = await post(url, body, headers);
			/** @type {DeliveryAttempt} */
			const record = {
				event_id: event.event_id,
				event_type: event.event_type,
				partner_id: partner.partner_id,
				url,
				attempt: 1,
				copy,
				status_code: res.status,
				error: res.error,
				outcome: opts.outcome || 'sent_raw',
				at: new Date().toISOString(),
				duration_ms: res.durationMs,
				timestamp: ts,
			};
			attempts.push(record);
			return {
				copy,
				status_code: res.status,
				error: res.error,
				response_body: res.body ?? '',
				timestamp: ts,
				signature: headers['X-CrewPass-Signature'] ?? null,
			};
		};
		let results;
		if (opts.concurrent)
			results = await Promise.all(Array.from({ length: copies }, (_, i) => one(i)));
		else {
			results = [];
			for (let i = 0; i < copies; i++) results.push(await one(i));
		}
		return { event, raw_body: body.toString('utf8'), url, deliveries: results };
	}

	/**
	 * "Send a test delivery to my test URL": one genuine, signed delivery of a sample event to any
	 * URL (loopback unless allowExternalWebhooks), signed with the partner's secret, no retries.
	 * @param {{ url: string, event_type?: string, partner_id?: string, data?: Record<string, unknown> }} o
	 */
	async function testDelivery(o) {
		const r = await sendRaw({
			url: o.url,
			partner_id: o.partner_id,
			event_type: o.event_type || 'crew.document.processed',
			data: o.data || {},
			outcome: 'test_delivery',
		});
		const d = r.deliveries[0];
		return {
			event: r.event,
			url: r.url,
			status_code: d.status_code,
			error: d.error,
			response_body: d.response_body,
			timestamp: d.timestamp,
			signature: d.signature,
		};
	}

	function mainPartnerId() {
		for (const p of store.partners.values()) if (p.main) return p.partner_id;
		return store.partners.keys().next().value;
	}

	function busy() {
		return inFlight > 0 || timers.size > 0 || held.length > 0;
	}

	function checkIdle() {
		if (busy()) return;
		const w = idleWaiters;
		idleWaiters = [];
		for (const fn of w) fn(true);
	}

	/** Resolves true when no delivery is pending or in flight, false on timeout. */
	/** @returns {Promise<boolean>} */
	function idle(timeoutMs = 10_000) {
		if (!busy()) return Promise.resolve(true);
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				idleWaiters = idleWaiters.filter((w) => w !== done);
				resolve(false);
			}, timeoutMs);
			/** @param {boolean} v */
			const done = (v) => {
				clearTimeout(t);
				resolve(v);
			};
			idleWaiters.push(done);
		});
	}

	/** @param {{ duplicates?: number, outOfOrder?: boolean, outOfOrderWindowMs?: number }} [f] */
	function setFaults(f = {}) {
		if (f.duplicates !== undefined)
			faults.duplicates = Math.max(0, Math.min(100, Math.floor(Number(f.duplicates) || 0)));
		if (f.outOfOrder !== undefined) faults.outOfOrder = Boolean(f.outOfOrder);
		if (f.outOfOrderWindowMs !== undefined)
			faults.outOfOrderWindowMs = Math.max(1, Number(f.outOfOrderWindowMs) || 100);
		if (!faults.outOfOrder && held.length) {
			if (heldTimer) clearTimeout(heldTimer);
			flushHeld();
		}
		return { ...faults };
	}

	/** @param {Partial<WebhookConfig> & Record<string, unknown>} [c] */
	function configure(c = {}) {
		for (const k of /** @type {const} */ ([
			'baseDelayMs',
			'maxDelayMs',
			'maxAttempts',
			'timeoutMs',
		]))
			if (c[k] !== undefined) cfg[k] = Math.max(k === 'maxAttempts' ? 1 : 0, Number(c[k]));
		if (c.timestampClock !== undefined)
			cfg.timestampClock = c.timestampClock === 'sandbox' ? 'sandbox' : 'real';
		if (c.signOnce !== undefined) cfg.signOnce = Boolean(c.signOnce);
		if (c.retryDelaysMs !== undefined) {
			const list = c.retryDelaysMs;
			if (list !== null && (!Array.isArray(list) || list.some((n) => !Number.isFinite(n) || n < 0)))
				throw new TypeError('retryDelaysMs must be null or a list of delays in ms (>= 0)');
			cfg.retryDelaysMs = list === null ? null : list.map(Number);
		}
		return { ...cfg };
	}

	function clear() {
		attempts.length = 0;
		deadLetters.length = 0;
		events.length = 0;
	}

	function stop() {
		stopped = true;
		for (const t of timers) clearTimeout(t);
		timers.clear();
		held = [];
		agents.http.destroy();
		agents.https.destroy();
		checkIdle();
	}

	return {
		EVENT_TYPES,
		subscribe,
		emit,
		emitForCrew,
		sendRaw,
		testDelivery,
		idle,
		setFaults,
		configure,
		clear,
		stop,
		get faults() {
			return { ...faults };
		},
		get config() {
			return { ...cfg };
		},
		/** @param {{ event_id?: string | null, partner_id?: string | null, event_type?: string | null }} [filter] */
		deliveries: (filter = {}) =>
			attempts.filter(
				(a) =>
					(!filter.event_id || a.event_id === filter.event_id) &&
					(!filter.partner_id || a.partner_id === filter.partner_id) &&
					(!filter.event_type || a.event_type === filter.event_type),
			),
		deadLetters: () => deadLetters.slice(),
		events: () => events.map((e) => e.event),
	};
}

module.exports = { createWebhooks, signDelivery, EVENT_TYPES, EVENT_GATES };
