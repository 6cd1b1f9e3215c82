'use strict';
// Outbound webhooks as the contract describes them: the envelope, the signed headers, at-least-once
// delivery with exponential backoff (up to 8 attempts), 4xx other than 408/429 = permanent, then a
// dead-letter list. Every attempt is recorded.

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

/** The contract's recipe: "v1=" + hex HMAC-SHA256(secret, "{timestamp}." + raw body). */
function signDelivery(secret, timestamp, rawBody) {
	return (
		'v1=' +
		crypto.createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex')
	);
}

function newEventId() {
	return 'evt_' + crypto.randomBytes(12).toString('hex');
}

function createWebhooks({ clock, store, options = {} }) {
	const cfg = {
		baseDelayMs: options.webhookBaseDelayMs ?? 1000,
		maxDelayMs: options.webhookMaxDelayMs ?? 300_000,
		maxAttempts: options.webhookMaxAttempts ?? 8,
		timeoutMs: options.webhookTimeoutMs ?? 5000,
		allowExternal: Boolean(options.allowExternalWebhooks),
		// 'real': X-CrewPass-Timestamp from the machine's clock (receivers compare it with theirs);
		// 'sandbox': from the movable sandbox clock.
		timestampClock: options.webhookTimestampClock || 'real',
	};
	const faults = { duplicates: 0, outOfOrder: false, outOfOrderWindowMs: 100 };
	const attempts = [];
	const deadLetters = [];
	const events = [];
	const timers = new Set();
	let inFlight = 0;
	let held = [];
	let heldTimer = null;
	let idleWaiters = [];
	let stopped = false;
	const agents = {
		http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
		https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
	};

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

	function buildEvent(partnerId, type, data, eventId) {
		return {
			schema_version: 1,
			event_id: eventId || newEventId(),
			event_type: type,
			occurred_at: clock.iso(),
			partner_id: partnerId,
			data,
		};
	}

	/**
	 * Fire an event for a crew member's partner, if the partner holds the scope, the crew member's
	 * consent allows it, and the partner subscribed to it. Returns the event or null when gated out.
	 */
	function emitForCrew(crew, type, data) {
		const gate = EVENT_GATES[type];
		if (!gate) throw new TypeError('unknown event type: ' + type);
		const partner = store.partners.get(crew.partner_id);
		if (!partner || !partner.api_enabled) return null;
		if (!partner.webhook_scopes.includes(gate.scope)) return null;
		if (!crew.consents.has(gate.consent)) return null;
		return emit(partner.partner_id, type, data);
	}

	function emit(partnerId, type, data) {
		const partner = store.partners.get(partnerId);
		if (!partner) throw new TypeError('unknown partner: ' + partnerId);
		const sub = partner.webhook;
		const event = buildEvent(partnerId, type, data);
		const subscribed = Boolean(sub.url) && (!sub.events || sub.events.includes(type));
		events.push({ event, delivered_to: subscribed ? sub.url : null });
		if (events.length > 10_000) events.shift();
		if (!subscribed) return event;
		const body = Buffer.from(JSON.stringify(event));
		const copies = 1 + Math.max(0, Math.floor(faults.duplicates || 0));
		const jobs = [];
		for (let c = 0; c < copies; c++) jobs.push({ event, body, url: sub.url, partner, copy: c });
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
		timers.delete(heldTimer);
		heldTimer = null;
		const jobs = held.reverse();
		held = [];
		for (const job of jobs) schedule(job, 1, 0);
		checkIdle();
	}

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

	async function runAttempt(job, attempt) {
		inFlight++;
		try {
			const secret = job.partner.webhook.secret;
			const ts = String(timestampNow());
			const res = await post(
				job.url,
				job.body,
				deliveryHeaders(job.event, ts, signDelivery(secret, ts, job.body)),
			);
			const permanent =
				res.status !== null &&
				res.status >= 400 &&
				res.status < 500 &&
				res.status !== 408 &&
				res.status !== 429;
			const ok = res.status !== null && res.status >= 200 && res.status < 300;
			let outcome = ok
				? 'delivered'
				: permanent
					? 'rejected'
					: attempt >= cfg.maxAttempts
						? 'dead_lettered'
						: 'retry_scheduled';
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
			};
			if (outcome === 'retry_scheduled') record.next_attempt_in_ms = backoff(attempt);
			attempts.push(record);
			if (attempts.length > 100_000) attempts.shift();
			if (outcome === 'retry_scheduled') schedule(job, attempt + 1, record.next_attempt_in_ms);
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

	function backoff(attempt) {
		return Math.min(cfg.maxDelayMs, cfg.baseDelayMs * 2 ** (attempt - 1));
	}

	function deliveryHeaders(event, ts, signature) {
		return {
			'Content-Type': 'application/json',
			'User-Agent': 'CrewPass-Webhooks/1 (sandbox)',
			'X-CrewPass-Event-Id': event.event_id,
			'X-CrewPass-Event-Type': event.event_type,
			'X-CrewPass-Timestamp': ts,
			'X-CrewPass-Signature': signature,
			'X-CrewPass-Schema-Version': '1',
		};
	}

	function post(url, body, headers) {
		const started = performance.now();
		return new Promise((resolve) => {
			let done = false;
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
					headers: { ...headers, 'Content-Length': body.length },
					agent: u.protocol === 'https:' ? agents.https : agents.http,
					timeout: cfg.timeoutMs,
				});
			} catch (err) {
				finish(null, String(err.message || err));
				return;
			}
			req.on('response', (res) => {
				const chunks = [];
				let size = 0;
				res.on('data', (c) => {
					if (size < 2048) chunks.push(c);
					size += c.length;
				});
				res.on('end', () =>
					finish(res.statusCode, null, Buffer.concat(chunks).toString('utf8').slice(0, 2048)),
				);
				res.on('error', (err) => finish(res.statusCode, String(err.message)));
			});
			req.on('timeout', () => req.destroy(new Error('timeout after ' + cfg.timeoutMs + ' ms')));
			req.on('error', (err) => finish(null, String(err.code || err.message)));
			req.end(body);
		});
	}

	/**
	 * Send deliveries directly, for receiver tests: duplicates, forged or missing signatures, stale
	 * timestamps, wrong secrets, tampered bodies, any event type. One attempt per copy, no retries.
	 */
	async function sendRaw(opts = {}) {
		const partner = store.partners.get(opts.partner_id || mainPartnerId());
		if (!partner) throw new TypeError('unknown partner: ' + opts.partner_id);
		const url = opts.url ? checkUrl(opts.url) : partner.webhook.url;
		if (!url) throw new TypeError('no url: pass url or subscribe the partner first');
		const type = opts.event_type || 'crew.profile.updated';
		const event =
			opts.event || buildEvent(partner.partner_id, type, opts.data || {}, opts.event_id);
		if (opts.schema_version !== undefined) event.schema_version = opts.schema_version;
		const body = Buffer.from(
			opts.raw_body !== undefined ? String(opts.raw_body) : JSON.stringify(event),
		);
		const copies = Math.max(1, Math.min(1000, Math.floor(opts.copies || 1)));
		const secret = opts.wrong_secret
			? typeof opts.wrong_secret === 'string'
				? opts.wrong_secret
				: 'whsec_wrong_' + crypto.randomBytes(8).toString('hex')
			: opts.secret || partner.webhook.secret;
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
			const headers = deliveryHeaders(event, ts, signature);
			if (opts.missing_signature) delete headers['X-CrewPass-Signature'];
			if (opts.headers) Object.assign(headers, opts.headers);
			const res = await post(url, body, headers);
			const record = {
				event_id: event.event_id,
				event_type: event.event_type,
				partner_id: partner.partner_id,
				url,
				attempt: 1,
				copy,
				status_code: res.status,
				error: res.error,
				outcome: 'sent_raw',
				at: new Date().toISOString(),
				duration_ms: res.durationMs,
			};
			attempts.push(record);
			return {
				copy,
				status_code: res.status,
				error: res.error,
				response_body: res.body,
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
	function idle(timeoutMs = 10_000) {
		if (!busy()) return Promise.resolve(true);
		return new Promise((resolve) => {
			const t = setTimeout(() => {
				idleWaiters = idleWaiters.filter((w) => w !== done);
				resolve(false);
			}, timeoutMs);
			const done = (v) => {
				clearTimeout(t);
				resolve(v);
			};
			idleWaiters.push(done);
		});
	}

	function setFaults(f = {}) {
		if (f.duplicates !== undefined)
			faults.duplicates = Math.max(0, Math.min(100, Math.floor(Number(f.duplicates) || 0)));
		if (f.outOfOrder !== undefined) faults.outOfOrder = Boolean(f.outOfOrder);
		if (f.outOfOrderWindowMs !== undefined)
			faults.outOfOrderWindowMs = Math.max(1, Number(f.outOfOrderWindowMs) || 100);
		if (!faults.outOfOrder && held.length) {
			clearTimeout(heldTimer);
			flushHeld();
		}
		return { ...faults };
	}

	function configure(c = {}) {
		for (const k of ['baseDelayMs', 'maxDelayMs', 'maxAttempts', 'timeoutMs'])
			if (c[k] !== undefined) cfg[k] = Math.max(k === 'maxAttempts' ? 1 : 0, Number(c[k]));
		if (c.timestampClock !== undefined)
			cfg.timestampClock = c.timestampClock === 'sandbox' ? 'sandbox' : 'real';
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
