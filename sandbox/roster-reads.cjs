// @ts-check
'use strict';
// Roster reads: each walk of GET /fleet a client makes, from its request without cursor (page 1)
// to the page whose next_cursor is null (complete), or until the next walk starts first
// (abandoned: a failed poll). A test changes the roster, then waits for the next complete read,
// instead of sleeping for a poll interval.

/** @typedef {import('./types.cjs').RosterRead} RosterRead */
/** @typedef {import('./types.cjs').RequestLogEntry} RequestLogEntry */

const MAX_READS = 10_000;
const MAX_WAIT_MS = 120_000;

function createRosterReads() {
	/** @type {RosterRead[]} */
	let reads = [];
	let lastId = 0;
	/** @type {Map<string, RosterRead & { _pages: Map<number, number> }>} */
	const current = new Map();
	/** @type {Set<() => void>} */
	const waiters = new Set();

	/**
	 * A walk begins (GET /fleet without cursor); the partner's walk in progress is abandoned.
	 * @param {string} partnerId
	 * @returns {number} the read's id
	 */
	function start(partnerId) {
		const prev = current.get(partnerId);
		if (prev) prev.outcome = 'abandoned';
		/** @type {RosterRead & { _pages: Map<number, number> }} */
		const read = {
			id: ++lastId,
			partner_id: partnerId,
			started_at: new Date().toISOString(),
			ended_at: null,
			outcome: 'in_progress',
			requests: 0,
			pages: 0,
			rows: 0,
			failures: [],
			_pages: new Map(),
		};
		Object.defineProperty(read, '_pages', { enumerable: false });
		reads.push(read);
		if (reads.length > MAX_READS) reads = reads.slice(-MAX_READS / 2);
		current.set(partnerId, read);
		notify();
		return read.id;
	}

	/**
	 * A fleet request of read `readId` was answered or dropped (from the request log entry).
	 * @param {number} readId
	 * @param {RequestLogEntry} e
	 */
	function finished(readId, e) {
		const read = reads.find((r) => r.id === readId);
		if (!read || read.outcome !== 'in_progress') return;
		const r = /** @type {RosterRead & { _pages: Map<number, number> }} */ (read);
		r.requests++;
		const page = e.page ?? 0;
		if (e.status === 200 && typeof e.rows === 'number') {
			r._pages.set(page, e.rows);
			r.pages = r._pages.size;
			r.rows = [...r._pages.values()].reduce((a, b) => a + b, 0);
			if (e.fault !== undefined) r.failures.push({ page, status: 200, fault: e.fault });
			if (e.last_page) {
				r.outcome = 'complete';
				r.ended_at = new Date().toISOString();
				if (current.get(r.partner_id) === r) current.delete(r.partner_id);
			}
		} else r.failures.push({ page, status: e.status, fault: e.fault ?? null });
		notify();
	}

	function notify() {
		for (const w of [...waiters]) w();
	}

	/**
	 * @param {{ after?: number | null, partner_id?: string | null }} [f]
	 * @returns {RosterRead[]}
	 */
	function list(f = {}) {
		return reads
			.filter(
				(r) => (!f.after || r.id > f.after) && (!f.partner_id || r.partner_id === f.partner_id),
			)
			.map((r) => ({ ...r, failures: r.failures.map((x) => ({ ...x })) }));
	}

	/**
	 * The first read after `after` that reaches `outcome` (default complete), or null on timeout.
	 * @param {{ after?: number | null, partner_id?: string | null, outcome?: RosterRead['outcome'], timeoutMs?: number }} o
	 * @returns {Promise<RosterRead | null>}
	 */
	function wait({ after = 0, partner_id = null, outcome = 'complete', timeoutMs = 30_000 }) {
		const find = () => list({ after, partner_id }).find((r) => r.outcome === outcome) ?? null;
		const found = find();
		if (found) return Promise.resolve(found);
		return new Promise((resolve) => {
			const check = () => {
				const r = find();
				if (r) done(r);
			};
			/** @param {RosterRead | null} r */
			const done = (r) => {
				clearTimeout(t);
				waiters.delete(check);
				resolve(r);
			};
			const t = setTimeout(() => done(null), Math.min(Math.max(0, timeoutMs), MAX_WAIT_MS));
			waiters.add(check);
		});
	}

	function clear() {
		reads = [];
		current.clear();
		notify();
	}

	/** @param {string} partnerId the partner's read in progress, if any */
	const currentId = (partnerId) => current.get(partnerId)?.id ?? null;

	return {
		start,
		currentId,
		finished,
		list,
		wait,
		clear,
		get lastId() {
			return lastId;
		},
	};
}

module.exports = { createRosterReads, MAX_WAIT_MS };
