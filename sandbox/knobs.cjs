// @ts-check
'use strict';
// Boundary knobs: answers the contract allows but our nodes must not take for granted.
// Off by default (nothing changes unless a knob is set). Set through startSandbox options,
// POST /_sandbox/knobs, or sb.knobs.set(); cleared by POST /_sandbox/knobs/reset and reset().
//
// - redirects:     any non-control path answers 301/302/303/307/308 to a Location
// - fileRedirects: the file behind a download link redirects N hops (same origin, other origins,
//                  finally a foreign URL)
// - linkOrigin:    download links point at this origin instead of the host the API was called on
// - notFound:      paths answer a bare 404 (`{"detail":"Not Found"}` or HTML), no CrewPass envelope
// - pathPrefix:    the API lives under a prefix (a proxy in front of CrewPass); other paths 404
// - fleetStatusField: where fleet rows carry the verification status: `verification_status`
//                  (crew guide, default), `status` (quickstart) or both

const { SandboxError } = require('./control.cjs');
const { STATUS_FIELDS } = require('./roster.cjs');

/** @typedef {import('./types.cjs').SandboxKnobs} SandboxKnobs */
/** @typedef {import('./types.cjs').RedirectRule} RedirectRule */
/** @typedef {import('./types.cjs').SandboxKnobsState} SandboxKnobsState */

const REDIRECT_STATUSES = [301, 302, 303, 307, 308];
const KNOB_KEYS = [
	'redirects',
	'fileRedirects',
	'linkOrigin',
	'notFound',
	'pathPrefix',
	'fleetStatusField',
];

/** @param {string} message */
function invalid(message) {
	return new SandboxError(422, 'validation_error', message);
}

/** @param {unknown} status */
function redirectStatus(status) {
	const s = status === undefined ? 302 : Number(status);
	if (!REDIRECT_STATUSES.includes(s))
		throw invalid(`redirect status must be one of ${REDIRECT_STATUSES.join(', ')}`);
	return s;
}

/**
 * @param {unknown} source
 * @param {string} name
 */
function regex(source, name) {
	if (source === undefined || source === null || source === '') return null;
	if (typeof source !== 'string') throw invalid(`${name} must be a regular expression (string)`);
	try {
		return new RegExp(source);
	} catch (e) {
		throw invalid(
			`${name} is not a valid regular expression: ${e instanceof Error ? e.message : e}`,
		);
	}
}

/**
 * @param {unknown} u
 * @param {string} name
 */
function origin(u, name) {
	if (typeof u !== 'string')
		throw invalid(`${name} must be an origin such as https://partners.crewpass.co.uk`);
	let parsed;
	try {
		parsed = new URL(u);
	} catch {
		throw invalid(`${name} must be an absolute http(s) URL: ${u}`);
	}
	if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
		throw invalid(`${name} must be http(s): ${u}`);
	return parsed.origin;
}

/** @param {any} r */
function redirectRule(r) {
	if (!r || typeof r !== 'object')
		throw invalid('each redirect is an object {path, status, location}');
	if (typeof r.location !== 'string' || !r.location)
		throw invalid('redirect.location is required (absolute URL or a path on this origin)');
	regex(r.path, 'redirect.path');
	/** @type {SandboxKnobsState['redirects'][number]} */
	const rule = { path: r.path ?? null, status: redirectStatus(r.status), location: r.location };
	if (r.method !== undefined) rule.method = String(r.method).toUpperCase();
	if (r.times !== undefined) {
		const t = Number(r.times);
		if (!Number.isInteger(t) || t < 1) throw invalid('redirect.times must be a positive integer');
		rule.times = t;
	}
	if (r.body !== undefined) rule.body = String(r.body);
	return rule;
}

/** @returns {SandboxKnobsState} */
function defaults() {
	return {
		redirects: [],
		fileRedirects: null,
		linkOrigin: null,
		notFound: null,
		pathPrefix: null,
		fleetStatusField: 'verification_status',
	};
}

function createKnobs() {
	const k = defaults();
	/** @type {(RegExp | null)[]} */
	let redirectRes = [];
	/** @type {RegExp | null} */
	let notFoundRe = null;

	/**
	 * Merge knobs. `strict`: unknown keys are an error (control API); else they are ignored
	 * (startSandbox options carry many other keys).
	 * @param {Record<string, any>} [given] SandboxKnobs (validated here)
	 * @param {boolean} [strict]
	 */
	function set(given = {}, strict = false) {
		if (strict)
			for (const key of Object.keys(given))
				if (!KNOB_KEYS.includes(key))
					throw invalid(`unknown knob '${key}' (known: ${KNOB_KEYS.join(', ')})`);
		const next = { ...k };
		if (given.redirects !== undefined) {
			const list = given.redirects === null ? [] : given.redirects;
			next.redirects = (Array.isArray(list) ? list : [list]).map(redirectRule);
		}
		if (given.fileRedirects !== undefined) {
			const f = given.fileRedirects;
			if (f === null || f === false) next.fileRedirects = null;
			else {
				if (typeof f !== 'object')
					throw invalid('fileRedirects must be an object {hops, status?, via?, location?}');
				const hops = f.hops === undefined ? 1 : Number(f.hops);
				if (!Number.isInteger(hops) || hops < 1 || hops > 50)
					throw invalid('fileRedirects.hops must be an integer 1..50');
				const via = f.via === undefined ? [] : Array.isArray(f.via) ? f.via : [f.via];
				next.fileRedirects = {
					hops,
					status: redirectStatus(f.status),
					via: via.map((/** @type {unknown} */ v) => origin(v, 'fileRedirects.via[]')),
					location: f.location === undefined || f.location === null ? null : String(f.location),
				};
			}
		}
		if (given.linkOrigin !== undefined)
			next.linkOrigin = given.linkOrigin === null ? null : origin(given.linkOrigin, 'linkOrigin');
		if (given.notFound !== undefined) {
			const n = given.notFound;
			if (n === null || n === false) next.notFound = null;
			else {
				const spec = n === true ? {} : n;
				if (typeof spec !== 'object') throw invalid('notFound must be true or {path?, format?}');
				regex(spec.path, 'notFound.path');
				const format = spec.format === undefined ? 'json' : spec.format;
				if (!['json', 'html', 'text'].includes(format))
					throw invalid("notFound.format must be 'json', 'html' or 'text'");
				next.notFound = { path: spec.path ?? null, format };
			}
		}
		if (given.pathPrefix !== undefined) {
			const p = given.pathPrefix;
			if (p === null || p === '') next.pathPrefix = null;
			else if (typeof p !== 'string' || !/^\/[A-Za-z0-9._~\-/]*[^/]$/.test(p))
				throw invalid("pathPrefix must be a path such as '/crewpass' (no trailing slash)");
			else next.pathPrefix = p;
		}
		if (given.fleetStatusField !== undefined) {
			const f = given.fleetStatusField ?? 'verification_status';
			if (!STATUS_FIELDS.includes(f))
				throw invalid(`fleetStatusField must be one of ${STATUS_FIELDS.join(', ')}`);
			next.fleetStatusField = f;
		}
		Object.assign(k, next);
		redirectRes = k.redirects.map((r) => regex(r.path, 'redirect.path'));
		notFoundRe = k.notFound ? regex(k.notFound.path, 'notFound.path') : null;
		return get();
	}

	/** @returns {SandboxKnobsState} */
	function get() {
		return {
			redirects: k.redirects.map((r) => ({ ...r })),
			fileRedirects: k.fileRedirects ? { ...k.fileRedirects, via: [...k.fileRedirects.via] } : null,
			linkOrigin: k.linkOrigin,
			notFound: k.notFound ? { ...k.notFound } : null,
			pathPrefix: k.pathPrefix,
			fleetStatusField: k.fleetStatusField,
		};
	}

	function reset() {
		Object.assign(k, defaults());
		redirectRes = [];
		notFoundRe = null;
		return get();
	}

	/**
	 * The redirect rule that answers this request, if any (a rule with `times` is used up).
	 * `{path}` in the location is the request's path and query, `{origin}` this origin.
	 * @param {string} method
	 * @param {string} pathAndQuery
	 * @param {string} pathname
	 * @param {string} requestOrigin
	 * @returns {{ status: number, location: string, body: string } | null}
	 */
	function redirectFor(method, pathname, pathAndQuery, requestOrigin) {
		for (let i = 0; i < k.redirects.length; i++) {
			const r = k.redirects[i];
			const re = redirectRes[i];
			if (r.method && r.method !== method) continue;
			if (re && !re.test(pathname)) continue;
			if (r.times !== undefined) {
				r.times--;
				if (r.times <= 0) {
					k.redirects.splice(i, 1);
					redirectRes.splice(i, 1);
				}
			}
			const location = r.location
				.replaceAll('{path}', pathAndQuery)
				.replaceAll('{origin}', requestOrigin);
			return { status: r.status, location, body: r.body ?? `Redirecting to ${location}` };
		}
		return null;
	}

	/** @param {string} pathname */
	function notFoundFor(pathname) {
		if (!k.notFound) return null;
		if (notFoundRe && !notFoundRe.test(pathname)) return null;
		return k.notFound.format;
	}

	return {
		set,
		get,
		reset,
		redirectFor,
		notFoundFor,
		get fileRedirects() {
			return k.fileRedirects;
		},
		get linkOrigin() {
			return k.linkOrigin;
		},
		get pathPrefix() {
			return k.pathPrefix;
		},
		get fleetStatusField() {
			return k.fleetStatusField;
		},
	};
}

/** A bare 404 as a framework or proxy answers it: no CrewPass error envelope. */
const NOT_FOUND_BODIES = {
	json: { type: 'application/json', body: '{"detail":"Not Found"}' },
	html: {
		type: 'text/html; charset=utf-8',
		body: '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>\n',
	},
	text: { type: 'text/plain; charset=utf-8', body: 'Not Found' },
};

module.exports = { createKnobs, KNOB_KEYS, REDIRECT_STATUSES, NOT_FOUND_BODIES };
