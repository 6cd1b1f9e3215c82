// @ts-check
'use strict';
// Everything a sandbox instance remembers: the data store, the clock, the limiter, webhooks,
// fault and boundary knobs, inboxes, signed tokens (download links, cursors), and the views the
// control API and the in-process helpers show. No HTTP here.

const crypto = require('node:crypto');
const { createClock } = require('./clock.cjs');
const { generateStore, createRng } = require('./data.cjs');
const { createRateLimiter } = require('./ratelimit.cjs');
const { createWebhooks } = require('./webhooks.cjs');
const { createControl, SandboxError } = require('./control.cjs');
const { createKnobs } = require('./knobs.cjs');
const { sampleEventData } = require('./samples.cjs');
const { createRoster } = require('./roster.cjs');
const { createReadFaults } = require('./read-faults.cjs');
const { createRosterReads } = require('./roster-reads.cjs');

/** @typedef {import('./types.cjs').SandboxOptions} SandboxOptions */
/** @typedef {import('./types.cjs').FaultOptions} FaultOptions */
/** @typedef {import('./types.cjs').PartnerView} PartnerView */
/** @typedef {import('./types.cjs').CrewView} CrewView */

const DEFAULT_FAULTS = {
	latencyMs: 0,
	latencyJitterMs: 0,
	rate429: 0,
	rate503: 0,
	dropRate: 0,
	next429: 0,
	next503: 0,
	nextDrop: 0,
	downloads503: 0,
	/** @type {'file' | 'link' | 'both'} */
	downloads503Target: 'file',
};
const WEBHOOK_FAULTS = ['webhookDuplicates', 'webhookOutOfOrder', 'webhookOutOfOrderWindowMs'];

/** @param {Buffer | string} buf */
function b64url(buf) {
	return Buffer.from(buf).toString('base64url');
}

/** @param {SandboxOptions} options */
function createState(options) {
	const mode = options.mode || 'test';
	if (mode !== 'test' && mode !== 'live') throw new TypeError("mode must be 'test' or 'live'");
	const seed = options.seed === undefined ? 1 : Number(options.seed);
	const crewCount = options.crew === undefined ? 40 : Number(options.crew);
	if (!Number.isInteger(seed) || !Number.isInteger(crewCount) || crewCount < 0)
		throw new TypeError('seed and crew must be integers (crew >= 0)');
	const clock = createClock(options.now);
	const instanceSecret = options.secret
		? Buffer.from(String(options.secret))
		: crypto.randomBytes(32);

	const generate = () =>
		generateStore({ seed, crew: crewCount, vessels: options.vessels, today: clock.today() });
	const store = generate();
	const limiter = createRateLimiter(clock, options.rateLimit);
	const webhooks = createWebhooks({ clock, store, options });
	let control = createControl({ store, clock, webhooks });
	let roster = createRoster({ store, clock, control });
	const readFaults = createReadFaults();
	const rosterReads = createRosterReads();
	/** @type {RequestLogEntry[]} */
	let requests = [];
	let requestSeq = 0;
	/** @type {WeakMap<object, Record<string, unknown>>} */
	let requestNotes = new WeakMap();
	const faults = { ...DEFAULT_FAULTS };
	const knobs = createKnobs();
	let faultRng = createRng((seed ^ 0x5eed) >>> 0);
	/** @type {Map<string, { entries: InboxEntry[], status: number, statuses: number[] }>} */
	const inboxes = new Map();
	/** @type {Map<string, Buffer>} */
	const photoCache = new Map();
	/** set by the server once it listens */
	let baseUrl = '';

	/** @typedef {import('./types.cjs').RequestLogEntry} RequestLogEntry */

	/**
	 * @typedef {object} InboxEntry
	 * @property {string} received_at
	 * @property {Record<string, string>} headers
	 * @property {unknown} body
	 * @property {string} raw_body
	 * @property {number} answered
	 */

	function mainPartner() {
		for (const p of store.partners.values()) if (p.main) return p;
		throw new Error('no main partner');
	}

	function applyWebhookOptions() {
		const main = mainPartner();
		if (
			options.webhookUrl !== undefined ||
			options.webhookSecret !== undefined ||
			options.webhookEvents !== undefined
		) {
			webhooks.subscribe(main.partner_id, {
				url: options.webhookUrl,
				secret: options.webhookSecret,
				events: options.webhookEvents,
			});
		}
		for (const [pid, sub] of Object.entries(options.webhooks || {})) webhooks.subscribe(pid, sub);
	}

	/**
	 * Sample `data` for an event type, from a crew member (default: the `compliant` fixture).
	 * @param {string} type
	 * @param {string} [crewId]
	 * @returns {Record<string, unknown>}
	 */
	function sampleData(type, crewId) {
		const c = store.crew.get(
			crewId ||
				store.fixtures.compliant ||
				store.rows.get(mainPartner().partner_id)[0]?.crew.crew_unique_id,
		);
		return c ? sampleEventData(type, c, { clock, control }) : {};
	}

	// ---------- faults ----------

	/**
	 * @param {FaultOptions} [f]
	 * @returns {Required<FaultOptions>}
	 */
	function setFaults(f = {}) {
		/** @type {Record<string, unknown>} */
		const given = { ...f };
		for (const k of Object.keys(given)) {
			if (WEBHOOK_FAULTS.includes(k)) continue;
			if (!(k in DEFAULT_FAULTS))
				throw new SandboxError(
					422,
					'validation_error',
					`unknown fault '${k}' (known: ${[...Object.keys(DEFAULT_FAULTS), ...WEBHOOK_FAULTS].join(', ')})`,
				);
			if (k === 'downloads503Target') {
				const target = given[k];
				if (target !== 'file' && target !== 'link' && target !== 'both')
					throw new SandboxError(
						422,
						'validation_error',
						"downloads503Target must be 'file', 'link' or 'both'",
					);
				faults.downloads503Target = target;
				continue;
			}
			const n = Number(given[k]);
			if (
				!Number.isFinite(n) ||
				n < 0 ||
				(k.startsWith('rate') && n > 1) ||
				(k === 'dropRate' && n > 1)
			)
				throw new SandboxError(
					422,
					'validation_error',
					`fault '${k}' must be a number >= 0 (shares: 0..1)`,
				);
			/** @type {Record<string, number | string>} */ (faults)[k] = n;
		}
		webhooks.setFaults({
			duplicates: f.webhookDuplicates,
			outOfOrder: f.webhookOutOfOrder,
			outOfOrderWindowMs: f.webhookOutOfOrderWindowMs,
		});
		return getFaults();
	}
	/** @returns {Required<FaultOptions>} */
	function getFaults() {
		const w = webhooks.faults;
		return {
			...faults,
			webhookDuplicates: w.duplicates,
			webhookOutOfOrder: w.outOfOrder,
			webhookOutOfOrderWindowMs: w.outOfOrderWindowMs,
		};
	}
	function resetFaults() {
		Object.assign(faults, DEFAULT_FAULTS);
		webhooks.setFaults({ duplicates: 0, outOfOrder: false, outOfOrderWindowMs: 100 });
		return getFaults();
	}

	// ---------- signed tokens: download links and cursors ----------

	/** @param {Record<string, unknown>} payload */
	function signToken(payload) {
		const body = b64url(JSON.stringify(payload));
		const mac = crypto.createHmac('sha256', instanceSecret).update(body).digest('base64url');
		return `${body}.${mac}`;
	}
	/**
	 * @param {string} token
	 * @param {boolean} [verify]
	 * @returns {Record<string, any> | null}
	 */
	function decodeToken(token, verify = true) {
		const parts = String(token).split('.');
		if (parts.length !== 2) return null;
		if (verify) {
			const expected = crypto.createHmac('sha256', instanceSecret).update(parts[0]).digest();
			const got = Buffer.from(parts[1], 'base64url');
			if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) return null;
		}
		try {
			const v = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
			return v && typeof v === 'object' ? v : null;
		} catch {
			return null;
		}
	}
	/**
	 * @param {string} partnerId
	 * @param {number} offset
	 */
	function cursorMac(partnerId, offset) {
		return crypto
			.createHmac('sha256', instanceSecret)
			.update(`cursor:${partnerId}:${offset}`)
			.digest('base64url')
			.slice(0, 12);
	}

	// ---------- request log (every /api/v2 request, for cost and retry assertions) ----------

	/**
	 * Add details to the log entry of a request being answered (page, fault, partner…).
	 * @param {object} req
	 * @param {Record<string, unknown>} extra
	 */
	function noteRequest(req, extra) {
		const entry = requestNotes.get(req);
		if (entry) Object.assign(entry, extra);
	}
	/**
	 * Log a request as it arrives (outcome 'pending'); the caller completes the entry when the
	 * request is answered or dropped. The log is in arrival order.
	 * @param {object} req
	 * @param {Omit<RequestLogEntry, 'seq'>} entry
	 * @returns {RequestLogEntry}
	 */
	function recordRequest(req, entry) {
		const logged = { seq: ++requestSeq, ...entry };
		requests.push(logged);
		requestNotes.set(req, logged);
		if (requests.length > 100_000) requests = requests.slice(-50_000);
		return logged;
	}
	/**
	 * @param {{ endpoint?: string | null, partner_id?: string | null, crew_unique_id?: string | null, after?: number | null }} [f]
	 */
	function requestLog(f = {}) {
		return requests.filter(
			(r) =>
				(!f.endpoint || r.endpoint === f.endpoint) &&
				(!f.partner_id || r.partner_id === f.partner_id) &&
				(!f.crew_unique_id || r.crew_unique_id === f.crew_unique_id) &&
				(!f.after || r.seq > f.after),
		);
	}
	function clearRequests() {
		requests = [];
		requestNotes = new WeakMap();
		return { cleared: true, last_seq: requestSeq };
	}

	// ---------- inboxes ----------

	/** @param {string} name */
	function inbox(name) {
		let box = inboxes.get(name);
		if (!box) {
			box = { entries: [], status: 200, statuses: [] };
			inboxes.set(name, box);
		}
		return box;
	}

	// ---------- views ----------

	/**
	 * @param {any} p a partner of the store
	 * @returns {PartnerView}
	 */
	function partnerView(p) {
		return {
			partner_id: p.partner_id,
			display_name: p.display_name,
			subscription_plan: p.subscription_plan,
			api_enabled: p.api_enabled,
			granted_scopes: [...p.granted_scopes],
			api_key: p.keys[mode],
			keys: { ...p.keys },
			webhook: { url: p.webhook.url, secret: p.webhook.secret, events: p.webhook.events },
			crew_count: new Set(store.rows.get(p.partner_id).map((r) => r.crew.crew_unique_id)).size,
			vessel_count: store.vesselsByPartner.get(p.partner_id).length,
		};
	}

	function fixturesView() {
		/** @type {Record<string, unknown>} */
		const out = {};
		for (const [k, id] of Object.entries(store.fixtures)) {
			const c = store.crew.get(id);
			out[k] = {
				crew_unique_id: id,
				email: c.email,
				partner_id: c.partner_id,
				vessel_ids: c.placements.map((p) => p.vessel_id),
				roles: c.placements.map((p) => p.role),
			};
		}
		return out;
	}

	/**
	 * @param {any} crew
	 * @returns {CrewView}
	 */
	function crewView(crew) {
		return {
			crew_unique_id: crew.crew_unique_id,
			partner_id: crew.partner_id,
			name: crew.name,
			email: crew.email,
			rank: crew.rank,
			has_photo: crew.has_photo,
			verification_status: crew.verification_status,
			background_check_status: crew.background_check_status,
			consents: [...crew.consents].sort(),
			placements: crew.placements.map((/** @type {any} */ p) => ({ ...p })),
			documents: [...crew.docsByKind.values()].map((d) => ({ ...d })),
			superseded_documents: crew.superseded.map((/** @type {any} */ d) => ({ ...d })),
			compliance: control
				.complianceByVessel(crew)
				.map((c) => ({ vessel_id: c.vessel_id, overall_status: c.snap.overall_status })),
		};
	}

	/**
	 * The roster as GET /fleet walks it (row order), compact: one entry per row.
	 * @param {string | null} [partnerId] default the main partner
	 */
	function rosterView(partnerId) {
		const pid = partnerId || mainPartner().partner_id;
		const rows = store.rows.get(pid);
		if (!rows) throw new SandboxError(404, 'not_found', 'no partner with id ' + pid);
		return {
			partner_id: pid,
			rows: rows.length,
			crew: new Set(rows.map((r) => r.crew)).size,
			vessels: store.vesselsByPartner.get(pid).map((v) => ({
				vessel_id: v.vessel_id,
				vessel_name: v.vessel_name,
			})),
			items: rows.map((r) => ({
				crew_unique_id: r.crew.crew_unique_id,
				vessel_id: r.vessel.vessel_id,
				role: r.role,
			})),
		};
	}

	function view() {
		return {
			mode,
			seed,
			crew: crewCount,
			url: baseUrl,
			clock: {
				now: new Date(clock.now()).toISOString(),
				today: clock.today(),
				offset_ms: clock.offsetMs,
				paused: clock.paused,
			},
			partners: [...store.partners.values()].map(partnerView),
			fixtures: fixturesView(),
			faults: getFaults(),
			knobs: knobs.get(),
			read_faults: readFaults.list(),
			rate_limit: limiter.config,
			webhooks: webhooks.config,
		};
	}

	/** Regenerate the data from the seed; clear deliveries, faults, knobs, buckets, inboxes. */
	function reset() {
		Object.assign(store, generate());
		control = createControl({ store, clock, webhooks });
		roster = createRoster({ store, clock, control });
		readFaults.clear();
		rosterReads.clear();
		clearRequests();
		applyWebhookOptions();
		webhooks.clear();
		resetFaults();
		knobs.reset();
		limiter.reset();
		photoCache.clear();
		inboxes.clear();
		faultRng = createRng((seed ^ 0x5eed) >>> 0);
	}

	applyWebhookOptions();
	if (options.faults) setFaults(options.faults);
	if (options.latencyMs) faults.latencyMs = Number(options.latencyMs);
	knobs.set(options);

	return {
		mode,
		seed,
		crewCount,
		clock,
		store,
		limiter,
		webhooks,
		faults,
		knobs,
		photoCache,
		inboxes,
		get control() {
			return control;
		},
		get roster() {
			return roster;
		},
		readFaults,
		rosterReads,
		noteRequest,
		recordRequest,
		requestLog,
		clearRequests,
		get lastRequestSeq() {
			return requestSeq;
		},
		get faultRng() {
			return faultRng;
		},
		get baseUrl() {
			return baseUrl;
		},
		set baseUrl(u) {
			baseUrl = u;
		},
		mainPartner,
		sampleData,
		setFaults,
		getFaults,
		resetFaults,
		signToken,
		decodeToken,
		cursorMac,
		b64url,
		inbox,
		partnerView,
		fixturesView,
		rosterView,
		crewView,
		view,
		reset,
	};
}

/** @typedef {ReturnType<typeof createState>} SandboxState */

module.exports = { createState, DEFAULT_FAULTS };
