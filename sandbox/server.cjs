'use strict';
// The CrewPass sandbox: a local stand-in for the CrewPass Partner API (v1 reads under /api/v2/)
// and its webhooks, plus /_sandbox/ control endpoints. Loopback only, Node built-ins only.

const http = require('node:http');
const crypto = require('node:crypto');
const { createClock, isoSeconds, addDays } = require('./clock.cjs');
const { generateStore, createRng, SCOPES_ALL } = require('./data.cjs');
const { evaluateCompliance, effectiveVerificationStatus } = require('./compliance.cjs');
const { crewPhotoPng, certificatePdf } = require('./assets.cjs');
const { createRateLimiter } = require('./ratelimit.cjs');
const { createWebhooks } = require('./webhooks.cjs');
const { createControl, SandboxError, documentPayload } = require('./control.cjs');

const LINK_TTL_MS = 15 * 60 * 1000;
const MAX_BODY = 1024 * 1024;
const KEY_SHAPE = /^cpk_(live|test)_[A-Za-z0-9]{8,64}$/;

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
	downloads503Target: 'file',
};

/** FastAPI / pydantic v2 style validation error item. */
function vErr(type, loc, msg, input, ctx) {
	const e = { type, loc, msg, input };
	if (ctx) e.ctx = ctx;
	return e;
}

function b64url(buf) {
	return Buffer.from(buf).toString('base64url');
}

/**
 * Start a sandbox.
 * @param {import('./server.d.cts').SandboxOptions} [options]
 * @returns {Promise<import('./server.d.cts').Sandbox>}
 */
async function startSandbox(options = {}) {
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

	const store = generateStore({
		seed,
		crew: crewCount,
		vessels: options.vessels,
		today: clock.today(),
	});
	const limiter = createRateLimiter(clock, options.rateLimit);
	const webhooks = createWebhooks({ clock, store, options });
	let control = createControl({ store, clock, webhooks });
	const faults = { ...DEFAULT_FAULTS };
	let faultRng = createRng((seed ^ 0x5eed) >>> 0);
	const inboxes = new Map();
	const photoCache = new Map();
	const sockets = new Set();

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
	applyWebhookOptions();

	function setFaults(f = {}) {
		for (const k of Object.keys(f)) {
			if (k.startsWith('webhook')) continue;
			if (!(k in DEFAULT_FAULTS))
				throw new SandboxError(
					422,
					'validation_error',
					`unknown fault '${k}' (known: ${[...Object.keys(DEFAULT_FAULTS), 'webhookDuplicates', 'webhookOutOfOrder', 'webhookOutOfOrderWindowMs'].join(', ')})`,
				);
			if (k === 'downloads503Target') {
				if (!['file', 'link', 'both'].includes(f[k]))
					throw new SandboxError(
						422,
						'validation_error',
						"downloads503Target must be 'file', 'link' or 'both'",
					);
				faults[k] = f[k];
				continue;
			}
			const n = Number(f[k]);
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
			faults[k] = n;
		}
		webhooks.setFaults({
			duplicates: f.webhookDuplicates,
			outOfOrder: f.webhookOutOfOrder,
			outOfOrderWindowMs: f.webhookOutOfOrderWindowMs,
		});
		return getFaults();
	}
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
	if (options.faults) setFaults(options.faults);
	if (options.latencyMs) faults.latencyMs = Number(options.latencyMs);

	// ---------- helpers ----------

	function send(res, status, body, headers = {}) {
		if (res.headersSent || res.destroyed) return;
		const payload = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
		res.writeHead(status, {
			'Content-Type': 'application/json',
			'Content-Length': payload.length,
			...headers,
		});
		res.end(payload);
	}
	function apiError(status, code, message, extra) {
		return new SandboxError(status, code, message, extra);
	}
	function errorBody(err) {
		return { error: { code: err.code, message: err.message, ...(err.extra || {}) } };
	}
	function origin(req) {
		const host =
			typeof req.headers.host === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers.host)
				? req.headers.host
				: `127.0.0.1:${port}`;
		return `http://${host}`;
	}
	async function readBody(req) {
		const chunks = [];
		let size = 0;
		for await (const c of req) {
			size += c.length;
			if (size > MAX_BODY)
				throw apiError(413, 'payload_too_large', 'request body larger than 1 MB');
			chunks.push(c);
		}
		return Buffer.concat(chunks);
	}
	/** Parse a JSON object body FastAPI-style: returns { value } or { errors }. */
	function parseJson(buf, { allowEmpty }) {
		const text = buf.toString('utf8');
		if (!text.trim())
			return allowEmpty
				? { value: {} }
				: { errors: [vErr('missing', ['body'], 'Field required', null)] };
		let value;
		try {
			value = JSON.parse(text);
		} catch (e) {
			return {
				errors: [
					vErr('json_invalid', ['body', 0], 'JSON decode error', {}, { error: String(e.message) }),
				],
			};
		}
		if (!value || typeof value !== 'object' || Array.isArray(value)) {
			const msg = 'Input should be a valid dictionary or object to extract fields from';
			return { errors: [vErr('model_attributes_type', ['body'], msg, value)] };
		}
		return { value };
	}
	function presentedKey(req) {
		const auth = req.headers.authorization;
		if (typeof auth === 'string') {
			const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
			return m ? m[1] : '';
		}
		const h = req.headers['x-partner-api-key'];
		return typeof h === 'string' ? h.trim() : null;
	}
	function authenticate(req) {
		const key = presentedKey(req);
		if (!key) throw apiError(401, 'invalid_api_key', 'invalid API key');
		if (!KEY_SHAPE.test(key))
			throw apiError(
				401,
				'invalid_api_key',
				key.startsWith('cppk_')
					? 'public widget keys (cppk_) are not accepted on this surface'
					: 'invalid API key',
			);
		const entry = store.keyIndex.get(key);
		if (!entry) throw apiError(401, 'invalid_api_key', 'invalid API key');
		if (entry.mode !== mode)
			throw apiError(
				403,
				'partner_mode_mismatch',
				`${entry.mode}-mode keys are not accepted on this environment`,
			);
		if (!entry.partner.api_enabled)
			throw apiError(403, 'api_not_enabled', "this partner's plan does not include API access");
		return entry.partner;
	}
	function requireScope(partner, scope) {
		if (scope && !partner.granted_scopes.includes(scope))
			throw apiError(403, 'scope_not_granted', `scope '${scope}' is not granted to this partner`, {
				scope,
			});
	}
	function crewOnFleet(partner, crewId) {
		const crew = store.crew.get(crewId);
		if (!crew || crew.partner_id !== partner.partner_id)
			throw apiError(404, 'not_found', 'no crew member with that id on your attached vessels');
		return crew;
	}
	function requireConsent(crew, scope) {
		if (!crew.consents.has(scope))
			throw apiError(
				403,
				'scope_not_consented',
				`scope '${scope}' is not consented for this crew member`,
				{ scope },
			);
	}
	function rateKey(req, pathname) {
		if (pathname.startsWith('/api/v2/files/')) {
			const t = decodeToken(pathname.slice('/api/v2/files/'.length), false);
			if (t && typeof t.p === 'string') return 'p:' + t.p;
		} else {
			const key = presentedKey(req);
			if (key && KEY_SHAPE.test(key)) {
				const entry = store.keyIndex.get(key);
				return entry ? 'p:' + entry.partner.partner_id : 'k:' + key;
			}
		}
		return 'a:' + (req.socket.remoteAddress || 'unknown');
	}
	function rateLimited(retryAfter, message = 'rate limit exceeded') {
		return apiError(429, 'partner_rate_limited', message, { retry_after_seconds: retryAfter });
	}

	// ---------- download links ----------

	function signToken(payload) {
		const body = b64url(JSON.stringify(payload));
		const mac = crypto.createHmac('sha256', instanceSecret).update(body).digest('base64url');
		return `${body}.${mac}`;
	}
	function decodeToken(token, verify = true) {
		const parts = String(token).split('.');
		if (parts.length !== 2) return null;
		if (verify) {
			const expected = crypto.createHmac('sha256', instanceSecret).update(parts[0]).digest();
			let got;
			try {
				got = Buffer.from(parts[1], 'base64url');
			} catch {
				return null;
			}
			if (got.length !== expected.length || !crypto.timingSafeEqual(got, expected)) return null;
		}
		try {
			const v = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
			return v && typeof v === 'object' ? v : null;
		} catch {
			return null;
		}
	}

	// ---------- API handlers ----------

	function fleetRow(partner, row, today, limit, asOf, showStatus) {
		const crew = row.crew;
		const item = {
			crew_unique_id: crew.crew_unique_id,
			name: `${crew.first_name.charAt(0)}. ${crew.last_name}`,
			vessel_id: row.vessel.vessel_id,
			vessel_name: row.vessel.vessel_name,
			role: row.role,
		};
		if (showStatus && crew.consents.has('crew:status:read')) {
			item.verification_status = crew.verification_status;
			item.background_check_status = crew.background_check_status;
		}
		let expiring = 0;
		for (const d of crew.docsByKind.values()) {
			if (d.verification_status === 'rejected' || !d.expiry_date) continue;
			if (d.expiry_date >= today && d.expiry_date <= limit) expiring++;
		}
		item.documents_expiring = expiring;
		item.as_of = asOf;
		return item;
	}

	function intParam(params, name, def, min, max, errors) {
		const raw = params.get(name);
		if (raw === null) return def;
		if (!/^\s*[+-]?\d+\s*$/.test(raw)) {
			errors.push(
				vErr(
					'int_parsing',
					['query', name],
					'Input should be a valid integer, unable to parse string as an integer',
					raw,
				),
			);
			return def;
		}
		const n = Number(raw);
		if (n < min)
			errors.push(
				vErr(
					'greater_than_equal',
					['query', name],
					`Input should be greater than or equal to ${min}`,
					raw,
					{ ge: min },
				),
			);
		else if (n > max)
			errors.push(
				vErr(
					'less_than_equal',
					['query', name],
					`Input should be less than or equal to ${max}`,
					raw,
					{ le: max },
				),
			);
		return n;
	}

	function cursorMac(partnerId, offset) {
		return crypto
			.createHmac('sha256', instanceSecret)
			.update(`cursor:${partnerId}:${offset}`)
			.digest('base64url')
			.slice(0, 12);
	}

	const routes = [
		{
			method: 'GET',
			re: /^\/api\/v2\/partners\/me$/,
			handler: ({ partner }) => ({
				partner_id: partner.partner_id,
				display_name: partner.display_name,
				partner_type: partner.partner_type,
				status: partner.status,
				mode,
				subscription_plan: partner.subscription_plan,
				granted_scopes: [...partner.granted_scopes],
			}),
		},
		{
			method: 'GET',
			re: /^\/api\/v2\/employers\/me\/vessels$/,
			scope: 'vessels:fleet:read',
			handler: ({ partner }) => ({
				items: store.vesselsByPartner.get(partner.partner_id).map((v) => ({
					vessel_id: v.vessel_id,
					vessel_name: v.vessel_name,
					imo: v.imo,
					mmsi: v.mmsi,
					flag_state: v.flag_state,
					vessel_type: v.vessel_type,
				})),
			}),
		},
		{
			method: 'GET',
			re: /^\/api\/v2\/employers\/me\/fleet$/,
			scope: 'vessels:fleet:read',
			handler: ({ partner, url }) => {
				const errors = [];
				const params = url.searchParams;
				const limit = intParam(params, 'limit', 50, 1, 200, errors);
				const windowDays = intParam(
					params,
					'include_documents_expiring_within_days',
					30,
					0,
					730,
					errors,
				);
				let offset = 0;
				const cursor = params.get('cursor');
				if (cursor) {
					const m = /^(\d{1,9})\.([A-Za-z0-9_-]{12})$/.exec(
						Buffer.from(cursor, 'base64url').toString('latin1'),
					);
					if (!m || cursorMac(partner.partner_id, Number(m[1])) !== m[2])
						errors.push(
							vErr('value_error', ['query', 'cursor'], 'Value error, invalid cursor', cursor, {
								error: {},
							}),
						);
					else offset = Number(m[1]);
				}
				if (errors.length) return { status: 422, body: { detail: errors } };
				const rows = store.rows.get(partner.partner_id);
				const today = clock.today();
				const until = addDays(today, windowDays);
				const asOf = clock.iso();
				const showStatus = partner.granted_scopes.includes('crew:status:read');
				const page = rows
					.slice(offset, offset + limit)
					.map((r) => fleetRow(partner, r, today, until, asOf, showStatus));
				const next =
					offset + limit < rows.length
						? b64url(`${offset + limit}.${cursorMac(partner.partner_id, offset + limit)}`)
						: null;
				return { items: page, next_cursor: next, expiring_within_days: windowDays };
			},
		},
		{
			method: 'POST',
			re: /^\/api\/v2\/employers\/me\/crew\/lookup$/,
			scope: 'crew:status:read',
			body: true,
			handler: ({ partner, body }) => {
				const parsed = parseJson(body, { allowEmpty: false });
				if (parsed.errors) return { status: 422, body: { detail: parsed.errors } };
				const v = parsed.value;
				if (!('email' in v))
					return {
						status: 422,
						body: { detail: [vErr('missing', ['body', 'email'], 'Field required', v)] },
					};
				if (typeof v.email !== 'string')
					return {
						status: 422,
						body: {
							detail: [
								vErr('string_type', ['body', 'email'], 'Input should be a valid string', v.email),
							],
						},
					};
				if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email.trim()))
					return {
						status: 422,
						body: {
							detail: [
								vErr(
									'value_error',
									['body', 'email'],
									'value is not a valid email address: The email address is not valid.',
									v.email,
									{ reason: 'The email address is not valid.' },
								),
							],
						},
					};
				const crew = store.crewByEmail.get(v.email.trim().toLowerCase());
				if (!crew || crew.partner_id !== partner.partner_id)
					throw apiError(
						404,
						'not_found',
						'no crew member with that email on your attached vessels',
					);
				const out = { crew_unique_id: crew.crew_unique_id };
				if (crew.consents.has('crew:status:read')) out.status = crew.verification_status;
				return out;
			},
		},
		{
			method: 'GET',
			re: /^\/api\/v2\/employers\/me\/crew\/([^/]+)\/profile$/,
			scope: 'crew:profile:read',
			handler: ({ partner, m, req }) => {
				const crew = crewOnFleet(partner, m[1]);
				requireConsent(crew, 'crew:profile:read');
				const out = {
					crew_unique_id: crew.crew_unique_id,
					name: crew.name,
					rank: crew.rank,
					nationality: crew.nationality,
					languages: crew.languages.map((l) => ({ ...l })),
					skills: [...crew.skills],
					years_experience: crew.years_experience,
					bio: crew.bio,
					email: crew.email,
					phone: crew.phone,
					profile_photo_url: crew.has_photo
						? `${origin(req)}/api/v2/employers/me/crew/${crew.crew_unique_id}/photo`
						: null,
				};
				const full =
					partner.granted_scopes.includes('crew:profile:full:read') &&
					crew.consents.has('crew:profile:full:read');
				if (full) {
					const id = crew.identity;
					out.employment_history = id.employment_history.map((e) => ({ ...e }));
					out.full_profile = true;
					out.date_of_birth = id.date_of_birth;
					out.address = { ...id.address };
					out.passport = { ...id.passport };
					out.visas = id.visas.map((v) => ({ ...v }));
				} else out.full_profile = false;
				return out;
			},
		},
		{
			method: 'GET',
			re: /^\/api\/v2\/employers\/me\/crew\/([^/]+)\/photo$/,
			scope: 'crew:profile:read',
			handler: ({ partner, m }) => {
				const crew = crewOnFleet(partner, m[1]);
				requireConsent(crew, 'crew:profile:read');
				if (!crew.has_photo) throw apiError(404, 'not_found', 'this crew member has no photo');
				let png = photoCache.get(crew.crew_unique_id);
				if (!png) {
					png = crewPhotoPng(`${seed}:${crew.crew_unique_id}`);
					if (photoCache.size > 2000) photoCache.clear();
					photoCache.set(crew.crew_unique_id, png);
				}
				return {
					status: 200,
					raw: png,
					headers: { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=300' },
				};
			},
		},
		{
			method: 'GET',
			re: /^\/api\/v2\/employers\/me\/crew\/([^/]+)\/documents$/,
			scope: 'crew:documents:read',
			handler: ({ partner, m }) => {
				const crew = crewOnFleet(partner, m[1]);
				requireConsent(crew, 'crew:documents:read');
				const today = clock.today();
				return {
					crew_unique_id: crew.crew_unique_id,
					items: [...crew.docsByKind.values()].map((d) => {
						const p = documentPayload(d, today);
						delete p.crew_unique_id;
						return p;
					}),
				};
			},
		},
		{
			method: 'GET',
			re: /^\/api\/v2\/employers\/me\/crew\/([^/]+)\/documents\/([^/]+)\/download$/,
			scope: 'crew:documents:download',
			handler: ({ partner, m, req }) => {
				const crew = crewOnFleet(partner, m[1]);
				requireConsent(crew, 'crew:documents:download');
				const doc = [...crew.docsByKind.values()].find((d) => d.document_id === m[2]);
				if (!doc) throw apiError(404, 'not_found', 'no document with that id for this crew member');
				if (faults.downloads503 > 0 && faults.downloads503Target !== 'file') {
					faults.downloads503--;
					throw apiError(
						503,
						'file_store_unavailable',
						'the file store is briefly unreachable; retry shortly',
						{ retry_after_seconds: 1 },
					);
				}
				const exp = clock.now() + LINK_TTL_MS;
				const token = signToken({
					d: doc.document_id,
					c: crew.crew_unique_id,
					p: partner.partner_id,
					e: Math.floor(exp),
				});
				return {
					document_id: doc.document_id,
					download_url: `${origin(req)}/api/v2/files/${token}`,
					expires_at: isoSeconds(exp),
					content_type: doc.content_type,
					file_name: doc.file_name,
				};
			},
		},
		{
			method: 'POST',
			re: /^\/api\/v2\/employers\/me\/crew\/([^/]+)\/compliance-checks$/,
			scope: 'crew:compliance:read',
			body: true,
			handler: ({ partner, m, body, url }) => {
				const parsed = parseJson(body, { allowEmpty: true });
				if (parsed.errors) return { status: 422, body: { detail: parsed.errors } };
				const crew = crewOnFleet(partner, m[1]);
				requireConsent(crew, 'crew:compliance:read');
				const vesselId = url.searchParams.get('vessel_id');
				let placement = crew.placements[0];
				if (vesselId) {
					placement = crew.placements.find((p) => p.vessel_id === vesselId);
					if (!placement)
						throw apiError(
							404,
							'not_found',
							'no vessel with that id on your account for this crew member',
						);
				}
				return evaluateCompliance(crew, placement.role, crew.docsByKind, clock.today());
			},
		},
		{
			method: 'GET',
			re: /^\/api\/v2\/files\/([^/]+)$/,
			auth: false,
			handler: ({ m }) => {
				const t = decodeToken(m[1]);
				if (!t || typeof t.d !== 'string' || typeof t.e !== 'number')
					throw apiError(403, 'invalid_download_link', 'this download link is not valid');
				if (clock.now() > t.e)
					throw apiError(
						410,
						'download_link_expired',
						'this download link has expired; request a new one',
					);
				const crew = store.crew.get(t.c);
				const doc =
					crew && crew.partner_id === t.p
						? [...crew.docsByKind.values(), ...crew.superseded].find((d) => d.document_id === t.d)
						: null;
				if (!crew || !doc || crew.partner_id !== t.p)
					throw apiError(404, 'not_found', 'no such file');
				if (faults.downloads503 > 0 && faults.downloads503Target !== 'link') {
					faults.downloads503--;
					throw apiError(
						503,
						'file_store_unavailable',
						'the file store is briefly unreachable; retry shortly',
						{ retry_after_seconds: 1 },
					);
				}
				const pdf = certificatePdf([
					doc.title,
					`Holder: ${crew.name}`,
					`Document number: ${doc.document_number}`,
					`Issuer: ${doc.issuer || 'n/a'}`,
					`Issued: ${doc.issue_date}`,
					`Expires: ${doc.expiry_date || 'does not expire'}`,
					`Status: ${effectiveVerificationStatus(doc, clock.today())}`,
					'CrewPass sandbox - not a real certificate',
				]);
				return {
					status: 200,
					raw: pdf,
					headers: {
						'Content-Type': doc.content_type,
						'Content-Disposition': `attachment; filename="${doc.file_name}"`,
						'Cache-Control': 'no-store',
					},
				};
			},
		},
	];

	function sleep(ms) {
		return new Promise((r) => setTimeout(r, ms));
	}

	async function handleApi(req, res, url) {
		// Fault knobs first: latency, dropped connections, injected 429/503.
		const delay =
			faults.latencyMs + (faults.latencyJitterMs ? faultRng.next() * faults.latencyJitterMs : 0);
		if (delay > 0) await sleep(Math.min(delay, 60_000));
		if (faults.nextDrop > 0 || (faults.dropRate > 0 && faultRng.next() < faults.dropRate)) {
			if (faults.nextDrop > 0) faults.nextDrop--;
			req.socket.destroy();
			return;
		}
		if (faults.next429 > 0 || (faults.rate429 > 0 && faultRng.next() < faults.rate429)) {
			if (faults.next429 > 0) faults.next429--;
			throw rateLimited(0.5);
		}
		if (faults.next503 > 0 || (faults.rate503 > 0 && faultRng.next() < faults.rate503)) {
			if (faults.next503 > 0) faults.next503--;
			throw apiError(503, 'service_unavailable', 'CrewPass is briefly unavailable; retry shortly', {
				retry_after_seconds: 1,
			});
		}
		// The limiter is checked before authentication.
		const wait = limiter.take(rateKey(req, url.pathname));
		if (wait !== null) throw rateLimited(wait);

		let route = null;
		let m = null;
		let pathMatched = false;
		for (const r of routes) {
			const mm = r.re.exec(url.pathname);
			if (!mm) continue;
			pathMatched = true;
			if (r.method === req.method) {
				route = r;
				m = mm;
				break;
			}
		}
		if (!route) {
			send(res, pathMatched ? 405 : 404, {
				detail: pathMatched ? 'Method Not Allowed' : 'Not Found',
			});
			return;
		}
		let partner = null;
		if (route.auth !== false) {
			partner = authenticate(req);
			requireScope(partner, route.scope);
		}
		const body = route.body ? await readBody(req) : null;
		const out = route.handler({
			req,
			url,
			m: m.map((s) => (s === undefined ? s : decodeURIComponent(s))),
			partner,
			body,
		});
		if (out && out.raw) {
			res.writeHead(out.status, { 'Content-Length': out.raw.length, ...out.headers });
			res.end(out.raw);
		} else if (out && out.status && out.body) send(res, out.status, out.body);
		else send(res, 200, out);
	}

	// ---------- control endpoints ----------

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
			placements: crew.placements.map((p) => ({ ...p })),
			documents: [...crew.docsByKind.values()].map((d) => ({ ...d })),
			superseded_documents: crew.superseded.map((d) => ({ ...d })),
			compliance: control
				.complianceByVessel(crew)
				.map((c) => ({ vessel_id: c.vessel_id, overall_status: c.snap.overall_status })),
		};
	}

	function state() {
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
			rate_limit: limiter.config,
			webhooks: webhooks.config,
		};
	}

	function num(v, name) {
		const n = Number(v);
		if (!Number.isFinite(n))
			throw new SandboxError(422, 'validation_error', name + ' must be a number');
		return n;
	}

	function reset() {
		const fresh = generateStore({
			seed,
			crew: crewCount,
			vessels: options.vessels,
			today: clock.today(),
		});
		Object.assign(store, fresh);
		control = createControl({ store, clock, webhooks });
		applyWebhookOptions();
		webhooks.clear();
		resetFaults();
		limiter.reset();
		photoCache.clear();
		inboxes.clear();
		faultRng = createRng((seed ^ 0x5eed) >>> 0);
	}

	function inbox(name) {
		let box = inboxes.get(name);
		if (!box) {
			box = { entries: [], status: 200, statuses: [] };
			inboxes.set(name, box);
		}
		return box;
	}

	async function handleControl(req, res, url) {
		const p = url.pathname.replace(/\/+$/, '');
		const seg = p.split('/').slice(2).map(decodeURIComponent); // after "/_sandbox"
		const method = req.method;
		const needJson = async () => {
			const buf = await readBody(req);
			if (!buf.length) return {};
			try {
				const v = JSON.parse(buf.toString('utf8'));
				if (!v || typeof v !== 'object') throw new Error('not an object');
				return v;
			} catch {
				throw new SandboxError(422, 'validation_error', 'body must be a JSON object');
			}
		};
		const ok = (body, status = 200) => send(res, status, body);

		// Inbox sink: a receiver for demo/e2e workflows and webhook tests.
		if (seg[0] === 'inbox' && seg[1]) {
			const box = inbox(seg[1]);
			if (seg[2] === 'config' && method === 'POST') {
				const b = await needJson();
				if (b.status !== undefined) box.status = num(b.status, 'status');
				if (b.statuses !== undefined)
					box.statuses = (Array.isArray(b.statuses) ? b.statuses : []).map((s) =>
						num(s, 'statuses[]'),
					);
				return ok({ name: seg[1], status: box.status, statuses: box.statuses });
			}
			if (seg.length !== 2) return ok({ detail: 'Not Found' }, 404);
			if (method === 'GET')
				return ok({ name: seg[1], count: box.entries.length, items: box.entries });
			if (method === 'DELETE') {
				inboxes.delete(seg[1]);
				return ok({ name: seg[1], cleared: true });
			}
			if (method === 'POST' || method === 'PUT') {
				const buf = await readBody(req);
				const raw = buf.toString('utf8');
				let body = raw;
				try {
					body = raw ? JSON.parse(raw) : null;
				} catch {
					/* keep the raw text */
				}
				const headers = {};
				for (const [k, v] of Object.entries(req.headers))
					if (k.startsWith('x-') || k === 'content-type') headers[k] = v;
				const status = url.searchParams.get('status')
					? num(url.searchParams.get('status'), 'status')
					: box.statuses.length
						? box.statuses.shift()
						: box.status;
				box.entries.push({
					received_at: new Date().toISOString(),
					headers,
					body,
					raw_body: raw,
					answered: status,
				});
				if (box.entries.length > 10_000) box.entries.shift();
				return ok({ received: true, count: box.entries.length }, status);
			}
			return ok({ detail: 'Method Not Allowed' }, 405);
		}

		const route = `${method} ${seg.map((s, i) => ((seg[0] === 'crew' && i === 1) || (seg[0] === 'crew' && seg[2] === 'documents' && i === 3) ? ':id' : s)).join('/')}`;
		const crewId = seg[0] === 'crew' ? seg[1] : null;
		switch (route) {
			case 'GET ':
				return ok({
					name: 'CrewPass sandbox control API',
					endpoints: [
						'GET /_sandbox/state',
						'GET /_sandbox/fixtures',
						'POST /_sandbox/reset',
						'GET /_sandbox/crew/{id}',
						'POST /_sandbox/crew/{id}/documents {requirement_key, verification_status?, expiry_date?|expires_in_days?}',
						'POST /_sandbox/crew/{id}/documents/{document_id}/verify|reject|expire',
						'POST /_sandbox/crew/{id}/status {verification_status?, background_check_status?}',
						'POST /_sandbox/crew/{id}/background-check {status}',
						'PATCH /_sandbox/crew/{id}/profile {...fields}',
						'POST /_sandbox/crew/{id}/consents {grant?, revoke?}',
						'GET /_sandbox/clock, POST /_sandbox/clock/advance {ms|seconds|minutes|hours|days}, POST /_sandbox/clock/set {now}, POST /_sandbox/clock/pause|resume',
						'GET|POST /_sandbox/faults, POST /_sandbox/faults/reset',
						'GET|POST /_sandbox/rate-limit {enabled?, perSecond?, perMinute?}, POST /_sandbox/rate-limit/reset',
						'GET|POST /_sandbox/webhooks {partner_id?, url?, secret?, events?, baseDelayMs?, maxAttempts?, timeoutMs?}',
						'POST /_sandbox/webhooks/send {event_type?, copies?, concurrent?, bad_signature?, wrong_secret?, stale_seconds?, missing_signature?, tamper_body?, ...}',
						'POST /_sandbox/webhooks/emit {event_type, crew_unique_id?, data?, partner_id?}',
						'GET /_sandbox/webhooks/idle?timeout_ms=',
						'GET|DELETE /_sandbox/deliveries?event_id=&partner_id=&event_type=',
						'GET /_sandbox/dead-letters',
						'GET /_sandbox/events',
						'POST|GET|DELETE /_sandbox/inbox/{name}, POST /_sandbox/inbox/{name}/config {status?, statuses?}',
					],
				});
			case 'GET state':
				return ok(state());
			case 'GET fixtures':
				return ok(fixturesView());
			case 'POST reset':
				reset();
				return ok(state());
			case 'GET crew/:id': {
				const c = store.crew.get(crewId);
				if (!c) throw new SandboxError(404, 'not_found', 'no crew member with id ' + crewId);
				return ok(crewView(c));
			}
			case 'POST crew/:id/documents':
				return ok(control.uploadDocument(crewId, await needJson()), 201);
			case 'POST crew/:id/documents/:id/verify':
				return ok(control.verifyDocument(crewId, seg[3]));
			case 'POST crew/:id/documents/:id/reject':
				return ok(control.rejectDocument(crewId, seg[3]));
			case 'POST crew/:id/documents/:id/expire':
				return ok(control.expireDocument(crewId, seg[3]));
			case 'POST crew/:id/status':
				return ok(control.setStatus(crewId, await needJson()));
			case 'POST crew/:id/background-check': {
				const b = await needJson();
				if (!('status' in b))
					throw new SandboxError(422, 'validation_error', 'status is required (null for no check)');
				return ok(control.setBackgroundCheck(crewId, b.status));
			}
			case 'PATCH crew/:id/profile':
			case 'POST crew/:id/profile':
				return ok(control.updateProfile(crewId, await needJson()));
			case 'POST crew/:id/consents':
				return ok(control.setConsents(crewId, await needJson()));
			case 'GET clock':
				return ok(state().clock);
			case 'POST clock/advance': {
				const b = await needJson();
				const ms =
					(Number(b.ms) || 0) +
					(Number(b.seconds) || 0) * 1e3 +
					(Number(b.minutes) || 0) * 6e4 +
					(Number(b.hours) || 0) * 3.6e6 +
					(Number(b.days) || 0) * 8.64e7;
				clock.advance(ms);
				return ok(state().clock);
			}
			case 'POST clock/pause':
				clock.pause();
				return ok(state().clock);
			case 'POST clock/resume':
				clock.resume();
				return ok(state().clock);
			case 'POST clock/set': {
				const b = await needJson();
				try {
					clock.set(b.now);
				} catch (e) {
					throw new SandboxError(422, 'validation_error', e.message);
				}
				return ok(state().clock);
			}
			case 'GET faults':
				return ok(getFaults());
			case 'POST faults':
				return ok(setFaults(await needJson()));
			case 'POST faults/reset':
				return ok(resetFaults());
			case 'GET rate-limit':
				return ok(limiter.config);
			case 'POST rate-limit': {
				const b = await needJson();
				try {
					return ok(limiter.configure(b));
				} catch (e) {
					throw new SandboxError(422, 'validation_error', e.message);
				}
			}
			case 'POST rate-limit/reset':
				limiter.reset();
				return ok(limiter.config);
			case 'GET webhooks':
				return ok({
					config: webhooks.config,
					faults: webhooks.faults,
					subscriptions: [...store.partners.values()].map((pp) => ({
						partner_id: pp.partner_id,
						...pp.webhook,
					})),
				});
			case 'POST webhooks': {
				const b = await needJson();
				try {
					const cfg = webhooks.configure(b);
					const sub =
						b.url !== undefined || b.secret !== undefined || b.events !== undefined
							? webhooks.subscribe(b.partner_id || mainPartner().partner_id, b)
							: null;
					return ok({ config: cfg, subscription: sub });
				} catch (e) {
					throw new SandboxError(422, 'validation_error', e.message);
				}
			}
			case 'POST webhooks/send': {
				const b = await needJson();
				if (!b.data && !b.event && b.raw_body === undefined) {
					const c = store.crew.get(
						b.crew_unique_id ||
							store.fixtures.compliant ||
							store.rows.get(mainPartner().partner_id)[0]?.crew.crew_unique_id,
					);
					b.data = c ? defaultEventData(b.event_type || 'crew.profile.updated', c) : {};
				}
				try {
					return ok(await webhooks.sendRaw(b));
				} catch (e) {
					throw new SandboxError(422, 'validation_error', e.message);
				}
			}
			case 'POST webhooks/emit': {
				const b = await needJson();
				if (!webhooks.EVENT_TYPES.includes(b.event_type))
					throw new SandboxError(
						422,
						'validation_error',
						'event_type must be one of ' + webhooks.EVENT_TYPES.join(', '),
					);
				const c = b.crew_unique_id ? store.crew.get(b.crew_unique_id) : null;
				if (b.crew_unique_id && !c)
					throw new SandboxError(404, 'not_found', 'no crew member with id ' + b.crew_unique_id);
				const partnerId = b.partner_id || (c ? c.partner_id : mainPartner().partner_id);
				const data = b.data || (c ? defaultEventData(b.event_type, c) : {});
				return ok({ event: webhooks.emit(partnerId, b.event_type, data) }, 202);
			}
			case 'GET webhooks/idle': {
				const t = Math.min(60_000, Number(url.searchParams.get('timeout_ms')) || 10_000);
				return ok({ idle: await webhooks.idle(t) });
			}
			case 'GET deliveries':
				return ok({
					items: webhooks.deliveries({
						event_id: url.searchParams.get('event_id'),
						partner_id: url.searchParams.get('partner_id'),
						event_type: url.searchParams.get('event_type'),
					}),
				});
			case 'DELETE deliveries':
				webhooks.clear();
				return ok({ cleared: true });
			case 'GET dead-letters':
				return ok({ items: webhooks.deadLetters() });
			case 'GET events':
				return ok({ items: webhooks.events() });
			default:
				return ok({ detail: 'Not Found' }, 404);
		}
	}

	function defaultEventData(type, crew) {
		const today = clock.today();
		const doc = crew.docsByKind.values().next().value;
		switch (type) {
			case 'crew.document.processed':
			case 'crew.document.updated':
				return doc ? documentPayload(doc, today) : { crew_unique_id: crew.crew_unique_id };
			case 'crew.compliance.changed': {
				const c = control.complianceByVessel(crew)[0];
				return {
					crew_unique_id: crew.crew_unique_id,
					vessel_id: c.vessel_id,
					overall_status: c.snap.overall_status,
					requirements_met: c.snap.requirements_met,
					requirements_total: c.snap.requirements_total,
					requirements_expiring: c.snap.requirements_expiring,
					next_expiry_date: c.snap.next_expiry_date,
				};
			}
			case 'crew.status.changed':
				return {
					crew_unique_id: crew.crew_unique_id,
					verification_status: crew.verification_status,
					background_check_status: crew.background_check_status,
				};
			default:
				return { crew_unique_id: crew.crew_unique_id, updated_at: clock.iso() };
		}
	}

	// ---------- server ----------

	async function handle(req, res) {
		res.setHeader('X-Request-Id', 'req_' + crypto.randomBytes(8).toString('hex'));
		let url;
		try {
			url = new URL(req.url, 'http://127.0.0.1');
		} catch {
			send(res, 400, { detail: 'Bad Request' });
			return;
		}
		try {
			if (url.pathname === '/_sandbox' || url.pathname.startsWith('/_sandbox/'))
				await handleControl(req, res, url);
			else if (url.pathname.startsWith('/api/v2/')) await handleApi(req, res, url);
			else if (url.pathname === '/' && req.method === 'GET')
				send(res, 200, { name: 'CrewPass sandbox', mode, api: '/api/v2/', control: '/_sandbox/' });
			else send(res, 404, { detail: 'Not Found' });
		} catch (err) {
			if (err instanceof SandboxError) {
				const headers = {};
				if (err.extra && err.extra.retry_after_seconds !== undefined)
					headers['Retry-After'] = String(Math.max(1, Math.ceil(err.extra.retry_after_seconds)));
				send(res, err.status, errorBody(err), headers);
			} else {
				send(res, 500, {
					error: { code: 'internal_error', message: String((err && err.message) || err) },
				});
			}
		}
	}

	const server = http.createServer((req, res) => {
		handle(req, res).catch(() => {
			if (!res.headersSent)
				send(res, 500, { error: { code: 'internal_error', message: 'internal error' } });
		});
	});
	server.keepAliveTimeout = 5000;
	server.on('connection', (s) => {
		sockets.add(s);
		s.on('close', () => sockets.delete(s));
	});
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port === undefined ? 0 : Number(options.port), '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = server.address().port;
	const baseUrl = `http://127.0.0.1:${port}`;

	let stopped = null;
	function stop() {
		if (!stopped) {
			webhooks.stop();
			stopped = new Promise((resolve) => {
				server.close(() => resolve());
				for (const s of sockets) s.destroy();
			});
		}
		return stopped;
	}

	const keysFor = (pid) => store.partners.get(pid).keys[mode];
	const otherMode = mode === 'test' ? 'live' : 'test';
	return {
		url: baseUrl,
		port,
		mode,
		seed,
		stop,
		clock,
		store,
		get fixtures() {
			return { ...store.fixtures };
		},
		keys: {
			management: keysFor('prt_harbourline'),
			other: keysFor('prt_meridian'),
			reduced: keysFor('prt_solent'),
			noApi: keysFor('prt_dormant'),
			wrongMode: store.partners.get('prt_harbourline').keys[otherMode],
		},
		partners: () => [...store.partners.values()].map(partnerView),
		state,
		crew: (id) => {
			const c = store.crew.get(id);
			return c ? crewView(c) : null;
		},
		get control() {
			return control;
		},
		webhooks: {
			subscribe: (partnerId, sub) => webhooks.subscribe(partnerId, sub),
			secret: (partnerId = 'prt_harbourline') => store.partners.get(partnerId).webhook.secret,
			configure: (c) => webhooks.configure(c),
			emit: (partnerId, type, data) => webhooks.emit(partnerId, type, data),
			send: (o) => webhooks.sendRaw(o),
			deliveries: (f) => webhooks.deliveries(f),
			deadLetters: () => webhooks.deadLetters(),
			events: () => webhooks.events(),
			idle: (ms) => webhooks.idle(ms),
			clear: () => webhooks.clear(),
		},
		faults: { set: setFaults, get: getFaults, reset: resetFaults },
		rateLimit: {
			configure: (o) => limiter.configure(o),
			reset: () => limiter.reset(),
			get config() {
				return limiter.config;
			},
		},
		inbox: (name) => inbox(name).entries.slice(),
		compliance: (crewId, vesselId) => {
			const c = store.crew.get(crewId);
			if (!c) return null;
			const p = vesselId ? c.placements.find((x) => x.vessel_id === vesselId) : c.placements[0];
			return p ? evaluateCompliance(c, p.role, c.docsByKind, clock.today()) : null;
		},
		reset,
		scopes: [...SCOPES_ALL],
	};
}

module.exports = { startSandbox, LINK_TTL_MS };
