'use strict';
// Per-partner budgets for the "read" endpoint class: 60/s and 1,000/min by default.
// Each budget is a token bucket whose spent tokens come back one window after they were spent
// (a sliding window), so no 1-second span ever serves more than 60 requests and no 60-second span
// more than 1,000 — "61 requests inside one second" always meets a 429.
// Checked before authentication: the bucket key is the partner of a known key, else the presented
// key, else the remote address.

function createWindow(cap, windowMs) {
	return { cap, windowMs, times: new Float64Array(cap), head: 0, count: 0 };
}

/** ms until a token is free (0 = free now). */
function waitFor(w, now) {
	if (w.count < w.cap) return 0;
	const oldest = w.times[w.head];
	return Math.max(0, oldest + w.windowMs - now);
}

function spend(w, now) {
	w.times[w.head] = now;
	w.head = (w.head + 1) % w.cap;
	if (w.count < w.cap) w.count++;
}

function createRateLimiter(clock, options) {
	const cfg = { enabled: true, perSecond: 60, perMinute: 1000 };
	const buckets = new Map();

	function configure(opts) {
		if (opts === false) cfg.enabled = false;
		else if (opts === true) cfg.enabled = true;
		else if (opts && typeof opts === 'object') {
			if (opts.enabled !== undefined) cfg.enabled = Boolean(opts.enabled);
			if (opts.perSecond !== undefined) cfg.perSecond = positiveInt(opts.perSecond, 'perSecond');
			if (opts.perMinute !== undefined) cfg.perMinute = positiveInt(opts.perMinute, 'perMinute');
		}
		buckets.clear();
		return { ...cfg };
	}

	/** Take one token from both budgets. Returns null when allowed, else the seconds to wait (float). */
	function take(key) {
		if (!cfg.enabled) return null;
		const now = clock.now();
		let b = buckets.get(key);
		if (!b) {
			b = { sec: createWindow(cfg.perSecond, 1000), min: createWindow(cfg.perMinute, 60_000) };
			buckets.set(key, b);
			if (buckets.size > 50_000) buckets.delete(buckets.keys().next().value);
		}
		const wait = Math.max(waitFor(b.sec, now), waitFor(b.min, now));
		if (wait > 0) return Math.max(0.001, Math.ceil(wait) / 1000);
		spend(b.sec, now);
		spend(b.min, now);
		return null;
	}

	configure(options === undefined ? true : options);
	return {
		take,
		configure,
		reset: () => buckets.clear(),
		get config() {
			return { ...cfg };
		},
	};
}

function positiveInt(v, name) {
	const n = Number(v);
	if (!Number.isInteger(n) || n <= 0 || n > 1_000_000)
		throw new TypeError(`rate limit ${name} must be a positive integer`);
	return n;
}

module.exports = { createRateLimiter };
