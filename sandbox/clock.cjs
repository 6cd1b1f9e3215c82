// @ts-check
'use strict';
// A movable clock: real elapsed time plus an offset the tests can move.
// Used for data dates, download-link expiry and rate-limit refills.

const DAY_MS = 86_400_000;

function createClock(start) {
	const startMs = start === undefined ? Date.now() : new Date(start).getTime();
	if (!Number.isFinite(startMs)) throw new TypeError('invalid clock start: ' + String(start));
	const perf0 = performance.now();
	let offset = 0;
	let pausedAt = null;
	const clock = {
		now() {
			return pausedAt !== null ? pausedAt + offset : startMs + (performance.now() - perf0) + offset;
		},
		/** stop real time from moving the clock (advance/set still work) */
		pause() {
			if (pausedAt === null) pausedAt = startMs + (performance.now() - perf0);
		},
		resume() {
			if (pausedAt !== null) {
				offset -= startMs + (performance.now() - perf0) - pausedAt;
				pausedAt = null;
			}
		},
		get paused() {
			return pausedAt !== null;
		},
		date() {
			return new Date(clock.now());
		},
		advance(ms) {
			const n = Number(ms);
			if (!Number.isFinite(n)) throw new TypeError('advance(ms) needs a number');
			offset += n;
			return clock.now();
		},
		set(when) {
			const target = new Date(when).getTime();
			if (!Number.isFinite(target)) throw new TypeError('invalid date: ' + String(when));
			offset += target - clock.now();
			return clock.now();
		},
		/** today's date (UTC) as YYYY-MM-DD */
		today() {
			return isoDate(clock.now());
		},
		/** ISO timestamp without milliseconds, as in the contract's examples */
		iso(ms) {
			return isoSeconds(ms === undefined ? clock.now() : ms);
		},
		get offsetMs() {
			return offset;
		},
	};
	return clock;
}

function isoDate(ms) {
	return new Date(ms).toISOString().slice(0, 10);
}

function isoSeconds(ms) {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

// Day-number caches: generating 10,000+ crew calls these hundreds of thousands of times.
const dayOf = new Map();
const dateOf = new Map();
function dayNumber(date) {
	let d = dayOf.get(date);
	if (d === undefined) {
		d = Math.round(Date.parse(date + 'T00:00:00Z') / DAY_MS);
		if (!Number.isFinite(d)) throw new TypeError('invalid date: ' + date);
		if (dayOf.size < 100_000) dayOf.set(date, d);
	}
	return d;
}
function dateString(day) {
	let s = dateOf.get(day);
	if (s === undefined) {
		s = isoDate(day * DAY_MS);
		if (dateOf.size < 100_000) dateOf.set(day, s);
	}
	return s;
}

/** Whole days from date a (YYYY-MM-DD) to date b (YYYY-MM-DD). */
function daysBetween(a, b) {
	return dayNumber(b) - dayNumber(a);
}

/** YYYY-MM-DD shifted by n days. */
function addDays(date, n) {
	return dateString(dayNumber(date) + n);
}

module.exports = { createClock, isoDate, isoSeconds, daysBetween, addDays, DAY_MS };
