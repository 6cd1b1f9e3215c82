// @ts-check
'use strict';
// The Partner API surface (/api/v2/): authentication, scopes and consent, the fault knobs that
// run before routing, and one route per endpoint of the contract.

const { isoSeconds, addDays } = require('./clock.cjs');
const { evaluateCompliance, effectiveVerificationStatus } = require('./compliance.cjs');
const { crewPhotoPng, certificatePdf } = require('./assets.cjs');
const { SandboxError, documentPayload } = require('./control.cjs');
const { reply, vErr, parseJson, requestOrigin } = require('./http.cjs');
const { fleetRow, vesselItem } = require('./roster.cjs');
const { answerReadFault } = require('./read-faults.cjs');

/** @typedef {import('./http.cjs').Route} Route */
/** @typedef {import('./state.cjs').SandboxState} SandboxState */

const LINK_TTL_MS = 15 * 60 * 1000;
const KEY_SHAPE = /^cpk_(live|test)_[A-Za-z0-9]{8,64}$/;
const FILES_PREFIX = '/api/v2/files/';

/**
 * @param {number} status
 * @param {string} code
 * @param {string} message
 * @param {Record<string, any>} [extra]
 */
function apiError(status, code, message, extra) {
	return new SandboxError(status, code, message, extra);
}

/**
 * @param {number} retryAfter
 * @param {string} [message]
 */
function rateLimited(retryAfter, message = 'rate limit exceeded') {
	return apiError(429, 'partner_rate_limited', message, { retry_after_seconds: retryAfter });
}

/** @param {import('node:http').IncomingMessage} req */
function presentedKey(req) {
	const auth = req.headers.authorization;
	if (typeof auth === 'string') {
		const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
		return m ? m[1] : '';
	}
	const h = req.headers['x-partner-api-key'];
	return typeof h === 'string' ? h.trim() : null;
}

/**
 * A query integer with FastAPI's errors.
 * @param {URLSearchParams} params
 * @param {string} name
 * @param {number} def
 * @param {number} min
 * @param {number} max
 * @param {ReturnType<typeof vErr>[]} errors
 */
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
				{
					ge: min,
				},
			),
		);
	else if (n > max)
		errors.push(
			vErr(
				'less_than_equal',
				['query', name],
				`Input should be less than or equal to ${max}`,
				raw,
				{
					le: max,
				},
			),
		);
	return n;
}

/** @param {ReturnType<typeof vErr>[]} errors */
function validationFailed(errors) {
	return reply(422, { detail: errors });
}

/**
 * @param {SandboxState} s
 * @param {() => number} port the listening port (for the Host-less origin)
 */
function createApi(s, port) {
	const { store, clock, faults, limiter, knobs, readFaults } = s;

	/** @param {import('node:http').IncomingMessage} req */
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
		if (entry.mode !== s.mode)
			throw apiError(
				403,
				'partner_mode_mismatch',
				`${entry.mode}-mode keys are not accepted on this environment`,
			);
		if (!entry.partner.api_enabled)
			throw apiError(403, 'api_not_enabled', "this partner's plan does not include API access");
		return entry.partner;
	}
	/**
	 * @param {any} partner
	 * @param {string | undefined} scope
	 */
	function requireScope(partner, scope) {
		if (scope && !partner.granted_scopes.includes(scope))
			throw apiError(403, 'scope_not_granted', `scope '${scope}' is not granted to this partner`, {
				scope,
			});
	}
	/**
	 * @param {any} partner
	 * @param {string} crewId
	 */
	function crewOnFleet(partner, crewId) {
		const crew = store.crew.get(crewId);
		// a crew member who left every vessel is outside the fleet, like anyone else
		if (!crew || crew.partner_id !== partner.partner_id || !crew.placements.length)
			throw apiError(404, 'not_found', 'no crew member with that id on your attached vessels');
		return crew;
	}
	/**
	 * @param {any} crew
	 * @param {string} scope
	 */
	function requireConsent(crew, scope) {
		if (!crew.consents.has(scope))
			throw apiError(
				403,
				'scope_not_consented',
				`scope '${scope}' is not consented for this crew member`,
				{
					scope,
				},
			);
	}
	/**
	 * The limiter's bucket: the partner of a known key (or of a file link), else the key, else the
	 * remote address.
	 * @param {import('node:http').IncomingMessage} req
	 * @param {string} pathname
	 */
	function rateKey(req, pathname) {
		if (pathname.startsWith(FILES_PREFIX)) {
			const t = s.decodeToken(pathname.slice(FILES_PREFIX.length), false);
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
	/** @param {import('node:http').IncomingMessage} req */
	function origin(req) {
		return requestOrigin(req, port());
	}
	function downloads503(/** @type {'file' | 'link'} */ where) {
		if (
			faults.downloads503 > 0 &&
			faults.downloads503Target !== (where === 'file' ? 'link' : 'file')
		) {
			faults.downloads503--;
			throw apiError(
				503,
				'file_store_unavailable',
				'the file store is briefly unreachable; retry shortly',
				{
					retry_after_seconds: 1,
				},
			);
		}
	}

	/**
	 * Fault knobs, then the limiter (before authentication). Returns false when the connection was
	 * dropped and nothing must be answered.
	 * @param {import('node:http').IncomingMessage} req
	 * @param {string} pathname
	 */
	async function beforeRoute(req, pathname) {
		const rng = s.faultRng;
		const delay =
			faults.latencyMs + (faults.latencyJitterMs ? rng.next() * faults.latencyJitterMs : 0);
		if (delay > 0) await new Promise((r) => setTimeout(r, Math.min(delay, 60_000)));
		if (faults.nextDrop > 0 || (faults.dropRate > 0 && rng.next() < faults.dropRate)) {
			if (faults.nextDrop > 0) faults.nextDrop--;
			req.socket.destroy();
			return false;
		}
		if (faults.next429 > 0 || (faults.rate429 > 0 && rng.next() < faults.rate429)) {
			if (faults.next429 > 0) faults.next429--;
			throw rateLimited(0.5);
		}
		if (faults.next503 > 0 || (faults.rate503 > 0 && rng.next() < faults.rate503)) {
			if (faults.next503 > 0) faults.next503--;
			throw apiError(503, 'service_unavailable', 'CrewPass is briefly unavailable; retry shortly', {
				retry_after_seconds: 1,
			});
		}
		const wait = limiter.take(rateKey(req, pathname));
		if (wait !== null) throw rateLimited(wait);
		return true;
	}

	/**
	 * The normal answer, or the read fault (read-faults.cjs) set for this request.
	 * @param {import('./read-faults.cjs').ReadEndpoint} endpoint
	 * @param {{ req: import('node:http').IncomingMessage, partner: any }} ctx
	 * @param {{ page?: number, crewId?: string, cursorHere?: string }} where
	 * @param {() => any} build
	 */
	function withReadFaults(endpoint, { req, partner }, where, build) {
		const rule = readFaults.take(endpoint, { partnerId: partner.partner_id, ...where });
		if (!rule) return build();
		s.noteRequest(req, { fault: rule.fault, read_fault_id: rule.id });
		return answerReadFault(rule, { req, endpoint, build, cursorHere: where.cursorHere });
	}

	/** @type {Route[]} */
	const routes = [
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/partners/me',
			name: 'partner',
			handler: ({ partner }) => ({
				partner_id: partner.partner_id,
				display_name: partner.display_name,
				partner_type: partner.partner_type,
				status: partner.status,
				mode: s.mode,
				subscription_plan: partner.subscription_plan,
				granted_scopes: [...partner.granted_scopes],
			}),
		},
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/employers/me/vessels',
			name: 'vessels',
			scope: 'vessels:fleet:read',
			handler: (ctx) =>
				withReadFaults('vessels', ctx, {}, () => ({
					items: store.vesselsByPartner.get(ctx.partner.partner_id).map(vesselItem),
				})),
		},
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/employers/me/fleet',
			name: 'fleet',
			scope: 'vessels:fleet:read',
			handler: async ({ partner, url, req }) => {
				/** @type {ReturnType<typeof vErr>[]} */
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
					if (!m || s.cursorMac(partner.partner_id, Number(m[1])) !== m[2])
						errors.push(
							vErr('value_error', ['query', 'cursor'], 'Value error, invalid cursor', cursor, {
								error: {},
							}),
						);
					else offset = Number(m[1]);
				}
				if (errors.length) return validationFailed(errors);
				if (!cursor) {
					readFaults.startRead(partner.partner_id);
					s.rosterReads.start(partner.partner_id);
				}
				const page = Math.floor(offset / limit) + 1;
				const readId = s.rosterReads.currentId(partner.partner_id);
				s.noteRequest(req, { page, offset, limit, ...(readId ? { read_id: readId } : {}) });
				const cursorFor = (/** @type {number} */ at) =>
					s.b64url(`${at}.${s.cursorMac(partner.partner_id, at)}`);
				const where = { page, cursorHere: cursorFor(offset) };
				const out = await withReadFaults('fleet', { req, partner }, where, () => {
					const rows = store.rows.get(partner.partner_id);
					const today = clock.today();
					const o = {
						today,
						until: addDays(today, windowDays),
						asOf: clock.iso(),
						showStatus: partner.granted_scopes.includes('crew:status:read'),
						statusField: knobs.fleetStatusField,
					};
					const items = rows.slice(offset, offset + limit).map((r) => fleetRow(r, o));
					const end = offset + limit;
					const next = end < rows.length ? cursorFor(end) : null;
					return { items, next_cursor: next, expiring_within_days: windowDays };
				});
				if (out && Array.isArray(out.items))
					s.noteRequest(req, { rows: out.items.length, last_page: out.next_cursor === null });
				return out;
			},
		},
		{
			kind: 'api',
			method: 'POST',
			path: '/api/v2/employers/me/crew/lookup',
			name: 'lookup',
			scope: 'crew:status:read',
			body: 'raw',
			handler: ({ partner, raw }) => {
				const parsed = parseJson(raw || Buffer.alloc(0), { allowEmpty: false });
				if (parsed.errors) return validationFailed(parsed.errors);
				const v = parsed.value;
				if (!('email' in v))
					return validationFailed([vErr('missing', ['body', 'email'], 'Field required', v)]);
				if (typeof v.email !== 'string')
					return validationFailed([
						vErr('string_type', ['body', 'email'], 'Input should be a valid string', v.email),
					]);
				if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v.email.trim()))
					return validationFailed([
						vErr(
							'value_error',
							['body', 'email'],
							'value is not a valid email address: The email address is not valid.',
							v.email,
							{ reason: 'The email address is not valid.' },
						),
					]);
				const crew = store.crewByEmail.get(v.email.trim().toLowerCase());
				if (!crew || crew.partner_id !== partner.partner_id || !crew.placements.length)
					throw apiError(
						404,
						'not_found',
						'no crew member with that email on your attached vessels',
					);
				/** @type {Record<string, unknown>} */
				const out = { crew_unique_id: crew.crew_unique_id };
				if (crew.consents.has('crew:status:read')) out.status = crew.verification_status;
				return out;
			},
		},
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/employers/me/crew/:crew/profile',
			name: 'profile',
			scope: 'crew:profile:read',
			handler: ({ partner, params, req }) => {
				const crew = crewOnFleet(partner, params.crew);
				requireConsent(crew, 'crew:profile:read');
				/** @type {Record<string, unknown>} */
				const out = {
					crew_unique_id: crew.crew_unique_id,
					name: crew.name,
					rank: crew.rank,
					nationality: crew.nationality,
					languages: crew.languages.map((/** @type {object} */ l) => ({ ...l })),
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
					out.employment_history = id.employment_history.map((/** @type {object} */ e) => ({
						...e,
					}));
					out.full_profile = true;
					out.date_of_birth = id.date_of_birth;
					out.address = { ...id.address };
					out.passport = { ...id.passport };
					out.visas = id.visas.map((/** @type {object} */ v) => ({ ...v }));
				} else out.full_profile = false;
				return out;
			},
		},
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/employers/me/crew/:crew/photo',
			name: 'photo',
			scope: 'crew:profile:read',
			handler: ({ partner, params }) => {
				const crew = crewOnFleet(partner, params.crew);
				requireConsent(crew, 'crew:profile:read');
				if (!crew.has_photo) throw apiError(404, 'not_found', 'this crew member has no photo');
				let png = s.photoCache.get(crew.crew_unique_id);
				if (!png) {
					png = crewPhotoPng(`${s.seed}:${crew.crew_unique_id}`);
					if (s.photoCache.size > 2000) s.photoCache.clear();
					s.photoCache.set(crew.crew_unique_id, png);
				}
				return reply(200, png, {
					'Content-Type': 'image/png',
					'Cache-Control': 'private, max-age=300',
				});
			},
		},
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/employers/me/crew/:crew/documents',
			name: 'documents',
			scope: 'crew:documents:read',
			handler: ({ partner, params, req }) => {
				const crew = crewOnFleet(partner, params.crew);
				requireConsent(crew, 'crew:documents:read');
				const today = clock.today();
				return withReadFaults(
					'documents',
					{ req, partner },
					{ crewId: crew.crew_unique_id },
					() => ({
						crew_unique_id: crew.crew_unique_id,
						items: [...crew.docsByKind.values()].map((d) => {
							/** @type {Partial<ReturnType<typeof documentPayload>>} */
							const p = documentPayload(d, today);
							delete p.crew_unique_id;
							return p;
						}),
					}),
				);
			},
		},
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/employers/me/crew/:crew/documents/:document/download',
			name: 'download',
			scope: 'crew:documents:download',
			handler: ({ partner, params, req }) => {
				const crew = crewOnFleet(partner, params.crew);
				requireConsent(crew, 'crew:documents:download');
				const doc = [...crew.docsByKind.values()].find((d) => d.document_id === params.document);
				if (!doc) throw apiError(404, 'not_found', 'no document with that id for this crew member');
				downloads503('link');
				const exp = clock.now() + LINK_TTL_MS;
				const token = s.signToken({
					d: doc.document_id,
					c: crew.crew_unique_id,
					p: partner.partner_id,
					e: Math.floor(exp),
				});
				const linkBase = knobs.linkOrigin ?? `${origin(req)}${knobs.pathPrefix ?? ''}`;
				return {
					document_id: doc.document_id,
					download_url: `${linkBase}${FILES_PREFIX}${token}`,
					expires_at: isoSeconds(exp),
					content_type: doc.content_type,
					file_name: doc.file_name,
				};
			},
		},
		{
			kind: 'api',
			method: 'POST',
			path: '/api/v2/employers/me/crew/:crew/compliance-checks',
			name: 'compliance',
			scope: 'crew:compliance:read',
			body: 'raw',
			handler: ({ partner, params, raw, url, req }) => {
				const parsed = parseJson(raw || Buffer.alloc(0), { allowEmpty: true });
				if (parsed.errors) return validationFailed(parsed.errors);
				const crew = crewOnFleet(partner, params.crew);
				requireConsent(crew, 'crew:compliance:read');
				const vesselId = url.searchParams.get('vessel_id');
				let placement = crew.placements[0];
				if (vesselId) {
					placement = crew.placements.find((/** @type {any} */ p) => p.vessel_id === vesselId);
					if (!placement)
						throw apiError(
							404,
							'not_found',
							'no vessel with that id on your account for this crew member',
						);
				}
				return withReadFaults('compliance', { req, partner }, { crewId: crew.crew_unique_id }, () =>
					evaluateCompliance(crew, placement.role, crew.docsByKind, clock.today()),
				);
			},
		},
		{
			kind: 'api',
			method: 'GET',
			path: '/api/v2/files/:token',
			name: 'file',
			auth: false,
			handler: ({ params, url, req }) => {
				const t = s.decodeToken(params.token);
				if (!t || typeof t.d !== 'string' || typeof t.e !== 'number')
					throw apiError(403, 'invalid_download_link', 'this download link is not valid');
				if (clock.now() > t.e)
					throw apiError(
						410,
						'download_link_expired',
						'this download link has expired; request a new one',
					);
				const hop = fileRedirect(params.token, url, req);
				if (hop) return hop;
				const crew = store.crew.get(t.c);
				const doc =
					crew && crew.partner_id === t.p
						? [...crew.docsByKind.values(), ...crew.superseded].find((d) => d.document_id === t.d)
						: null;
				if (!crew || !doc) throw apiError(404, 'not_found', 'no such file');
				downloads503('file');
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
				return reply(200, pdf, {
					'Content-Type': doc.content_type,
					'Content-Disposition': `attachment; filename="${doc.file_name}"`,
					'Cache-Control': 'no-store',
				});
			},
		},
	];

	/**
	 * The fileRedirects knob: hop k of N answers a redirect to hop k+1 (on the next `via` origin,
	 * else this one); with `location`, the last hop goes there instead (a foreign host).
	 * @param {string} token
	 * @param {URL} url
	 * @param {import('node:http').IncomingMessage} req
	 */
	function fileRedirect(token, url, req) {
		const f = knobs.fileRedirects;
		if (!f) return null;
		const hop = Number(url.searchParams.get('hop') || 0);
		if (!Number.isInteger(hop) || hop >= f.hops) return null;
		const next = hop + 1;
		let location;
		if (next === f.hops && f.location) location = f.location.replaceAll('{token}', token);
		else {
			const base = f.via.length
				? f.via[hop % f.via.length]
				: `${origin(req)}${knobs.pathPrefix ?? ''}`;
			location = `${base}${FILES_PREFIX}${token}?hop=${next}`;
		}
		return reply(f.status, Buffer.from(`Redirecting to ${location}`), {
			Location: location,
			'Content-Type': 'text/plain; charset=utf-8',
			'Cache-Control': 'no-store',
		});
	}

	return { routes, beforeRoute, authenticate, requireScope };
}

module.exports = { createApi, LINK_TTL_MS, KEY_SHAPE };
