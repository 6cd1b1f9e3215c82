// @ts-check
'use strict';
// Read faults: make one page of a roster read (GET /fleet page k), the vessel list, or one crew
// member's documents / compliance check fail in a chosen way, for the next N requests or the next
// N roster reads, so a test can prove a partial read never becomes a diff. Unlike the fault knobs
// (faults.cjs counters, before authentication), these answer after the request was authenticated
// and parsed, as CrewPass or a proxy in front of it would mid-walk.
//
// A roster read is one walk of GET /fleet: it starts with a request without `cursor` (page 1).
// Page k is the request whose cursor offset is (k - 1) * limit (page = floor(offset / limit) + 1).

const { SandboxError } = require('./control.cjs');
const { reply } = require('./http.cjs');

/** @typedef {'fleet' | 'vessels' | 'documents' | 'compliance'} ReadEndpoint */
/** @typedef {import('./types.cjs').ReadFaultRule} ReadFaultRule */
/** @typedef {import('./types.cjs').ReadFaultSpec} ReadFaultSpec */

const ENDPOINTS = ['fleet', 'vessels', 'documents', 'compliance'];
const LIST_ENDPOINTS = ['fleet', 'vessels', 'documents'];
/** fault kinds (besides 429 and 500..599) and the endpoints they apply to */
const KINDS = {
	items_missing: LIST_ENDPOINTS,
	items_not_list: LIST_ENDPOINTS,
	bad_row: LIST_ENDPOINTS,
	end_early: ['fleet'],
	cursor_repeat: ['fleet'],
	field_missing: ['compliance'],
	other_crew: ['documents', 'compliance'],
	invalid_json: ENDPOINTS,
	html: ENDPOINTS,
	empty_body: ENDPOINTS,
	hang: ENDPOINTS,
	drop: ENDPOINTS,
	slow: ENDPOINTS,
};
const ERROR_CODES = {
	500: 'internal_error',
	502: 'bad_gateway',
	503: 'service_unavailable',
	504: 'gateway_timeout',
};
const ID_FIELD = { fleet: 'crew_unique_id', vessels: 'vessel_id', documents: 'document_id' };
const MAX_HANG_MS = 10 * 60_000;
/** other_crew: the crew member a documents / compliance answer names instead of the one asked for */
const OTHER_CREW = 'crew_someone_else';

/** @param {string} message */
function invalid(message) {
	return new SandboxError(422, 'validation_error', message);
}

/**
 * @param {unknown} v
 * @param {string} name
 * @param {number} min
 * @param {number} max
 */
function intIn(v, name, min, max) {
	const n = Number(v);
	if (!Number.isInteger(n) || n < min || n > max)
		throw invalid(`${name} must be an integer ${min}..${max}`);
	return n;
}

function createReadFaults() {
	/** @type {Array<ReadFaultRule & { armed: boolean }>} */
	let rules = [];
	let nextId = 1;

	/**
	 * Validate and add a rule.
	 * @param {Record<string, any>} spec ReadFaultSpec
	 * @returns {ReadFaultRule}
	 */
	function add(spec) {
		if (!spec || typeof spec !== 'object') throw invalid('a read fault is an object');
		const known = [
			'endpoint',
			'page',
			'crew_unique_id',
			'partner_id',
			'fault',
			'times',
			'reads',
			'retry_after_seconds',
			'delay_ms',
		];
		for (const k of Object.keys(spec))
			if (!known.includes(k))
				throw invalid(`unknown read-fault field '${k}' (known: ${known.join(', ')})`);
		const endpoint = spec.endpoint ?? 'fleet';
		if (!ENDPOINTS.includes(endpoint))
			throw invalid('endpoint must be one of ' + ENDPOINTS.join(', '));
		const raw = spec.fault;
		/** @type {import('./types.cjs').ReadFaultKind} */
		let fault;
		if (typeof raw === 'number' || /^\d+$/.test(String(raw))) {
			fault = Number(raw);
			if (fault !== 429 && (fault < 500 || fault > 599))
				throw invalid('a status fault is 429 or 500..599');
		} else if (typeof raw === 'string' && Object.hasOwn(KINDS, raw)) {
			if (!KINDS[/** @type {keyof typeof KINDS} */ (raw)].includes(endpoint))
				throw invalid(`fault '${raw}' does not apply to ${endpoint}`);
			fault = /** @type {import('./types.cjs').ReadFaultKind} */ (raw);
		} else
			throw invalid(
				`fault must be 429, 500..599 or one of ${Object.keys(KINDS).join(', ')} (got ${JSON.stringify(raw)})`,
			);
		if (spec.page !== undefined && spec.page !== null && endpoint !== 'fleet')
			throw invalid('page applies to endpoint fleet only');
		if (spec.crew_unique_id != null && !['documents', 'compliance'].includes(endpoint))
			throw invalid('crew_unique_id applies to endpoints documents and compliance only');
		if (spec.times !== undefined && spec.reads !== undefined)
			throw invalid('give times (requests) or reads (roster reads), not both');
		if (spec.reads !== undefined && endpoint !== 'fleet')
			throw invalid('reads applies to endpoint fleet only (use times elsewhere)');
		/** @type {ReadFaultRule & { armed: boolean }} */
		const rule = {
			id: nextId++,
			endpoint,
			page: spec.page == null ? null : intIn(spec.page, 'page', 1, 1_000_000),
			crew_unique_id: spec.crew_unique_id == null ? null : String(spec.crew_unique_id),
			partner_id: spec.partner_id == null ? null : String(spec.partner_id),
			fault,
			times_left: spec.reads !== undefined ? null : intIn(spec.times ?? 1, 'times', 1, 1_000_000),
			reads_left: spec.reads === undefined ? null : intIn(spec.reads, 'reads', 1, 1_000_000),
			retry_after_seconds:
				spec.retry_after_seconds === undefined ? 1 : Number(spec.retry_after_seconds),
			delay_ms:
				fault !== 'slow' && fault !== 'hang'
					? null
					: spec.delay_ms === undefined
						? fault === 'slow'
							? 5000
							: MAX_HANG_MS
						: intIn(spec.delay_ms, 'delay_ms', 0, MAX_HANG_MS),
			hits: 0,
			armed: false,
		};
		if (!Number.isFinite(rule.retry_after_seconds) || rule.retry_after_seconds < 0)
			throw invalid('retry_after_seconds must be a number >= 0');
		rules.push(rule);
		return view(rule);
	}

	/** @param {ReadFaultRule & { armed: boolean }} r @returns {ReadFaultRule} */
	function view(r) {
		const { armed, ...rest } = r;
		return r.reads_left === null ? rest : { ...rest, armed };
	}

	/**
	 * A roster read of this partner starts (GET /fleet without cursor): arm each `reads` rule for
	 * this read, or drop it when its reads are used up.
	 * @param {string} partnerId
	 */
	function startRead(partnerId) {
		rules = rules.filter((r) => {
			if (r.reads_left === null || (r.partner_id && r.partner_id !== partnerId)) return true;
			if (r.reads_left > 0) {
				r.reads_left--;
				r.armed = true;
				return true;
			}
			return false;
		});
	}

	/**
	 * The rule that answers this request, if any (a `times` rule is used up by it).
	 * @param {ReadEndpoint} endpoint
	 * @param {{ partnerId: string, page?: number, crewId?: string }} where
	 * @returns {ReadFaultRule | null}
	 */
	function take(endpoint, { partnerId, page, crewId }) {
		for (let i = 0; i < rules.length; i++) {
			const r = rules[i];
			if (r.endpoint !== endpoint) continue;
			if (r.partner_id && r.partner_id !== partnerId) continue;
			if (r.page !== null && r.page !== page) continue;
			if (r.crew_unique_id !== null && r.crew_unique_id !== crewId) continue;
			if (r.reads_left !== null && !r.armed) continue;
			r.hits++;
			if (r.times_left !== null && --r.times_left <= 0) rules.splice(i, 1);
			return view(r);
		}
		return null;
	}

	/** @param {number} id */
	function remove(id) {
		const before = rules.length;
		rules = rules.filter((r) => r.id !== id);
		if (rules.length === before) throw new SandboxError(404, 'not_found', 'no read fault ' + id);
		return list();
	}
	function list() {
		return rules.map(view);
	}
	function clear() {
		rules = [];
		return list();
	}

	return { add, list, take, startRead, remove, clear };
}

/**
 * Answer a request with its read fault. `build` makes the normal body (a JSON object).
 * @param {ReadFaultRule} rule
 * @param {{ req: import('node:http').IncomingMessage, endpoint: ReadEndpoint, build: () => any, cursorHere?: string }} ctx
 *   cursorHere: the cursor that reads this same page again (cursor_repeat)
 */
async function answerReadFault(rule, { req, endpoint, build, cursorHere }) {
	const f = rule.fault;
	if (f === 429)
		throw new SandboxError(429, 'partner_rate_limited', 'rate limit exceeded', {
			retry_after_seconds: rule.retry_after_seconds,
		});
	if (typeof f === 'number')
		throw new SandboxError(
			f,
			ERROR_CODES[/** @type {keyof typeof ERROR_CODES} */ (f)] ?? 'server_error',
			'CrewPass could not answer this read; retry shortly',
			{ retry_after_seconds: rule.retry_after_seconds },
		);
	if (f === 'drop') {
		req.socket.destroy();
		return null;
	}
	if (f === 'hang' || f === 'slow') {
		const socket = req.socket;
		await new Promise((resolve) => {
			const done = () => {
				clearTimeout(t);
				socket.off('close', done);
				resolve(undefined);
			};
			const t = setTimeout(done, rule.delay_ms ?? 0);
			socket.on('close', done);
		});
		if (f === 'hang') {
			req.socket.destroy();
			return null;
		}
		return build();
	}
	const json = { 'Content-Type': 'application/json' };
	if (f === 'invalid_json')
		return reply(200, Buffer.from('{"items": [{"crew_unique_id": "crew_0'), json);
	if (f === 'empty_body') return reply(200, Buffer.alloc(0), json);
	if (f === 'html')
		return reply(
			200,
			Buffer.from(
				'<!doctype html><html><head><title>Service check</title></head><body><p>Please wait…</p></body></html>\n',
			),
			{ 'Content-Type': 'text/html; charset=utf-8' },
		);
	const body = build();
	if (f === 'items_missing') delete body.items;
	else if (f === 'items_not_list')
		body.items = Object.fromEntries(
			body.items.map((/** @type {unknown} */ it, /** @type {number} */ i) => [String(i), it]),
		);
	else if (f === 'bad_row') {
		if (body.items.length) delete body.items[0][ID_FIELD[/** @type {'fleet'} */ (endpoint)]];
		else body.items.push({});
	} else if (f === 'end_early') body.next_cursor = null;
	else if (f === 'cursor_repeat') body.next_cursor = cursorHere;
	else if (f === 'field_missing') delete body.overall_status;
	else if (f === 'other_crew') body.crew_unique_id = OTHER_CREW;
	return body;
}

module.exports = { createReadFaults, answerReadFault, READ_FAULT_KINDS: KINDS };
