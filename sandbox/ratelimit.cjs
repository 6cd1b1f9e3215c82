'use strict';
// Per-partner token buckets for the "read" endpoint class: 60/s and 1,000/min by default.
// Checked before authentication: the bucket key is the partner of a known key, else the presented
// key, else the remote address.

function createRateLimiter(clock, options) {
	const cfg = { enabled: true, perSecond: 60, perMinute: 1000 };
	const buckets = new Map();

	function configure(opts) {
		if (opts === false) cfg.enabled = false;
		else if (opts === true) cfg.enabled = true;
		else if (opts && typeof opts === 'object') {
			if (opts.enabled !== undefined) cfg.enabled = Boolean(opts.enabled);
			if (opts.perSecond !== undefined) cfg.perSecond = positive(opts.perSecond, 'perSecond');
			if (opts.perMinute !== undefined) cfg.perMinute = positive(opts.perMinute, 'perMinute');
		}
		buckets.clear();
		return { ...cfg };
	}

	/** Take one token. Returns null when allowed, else the seconds to wait (float). */
	function take(key) {
		if (!cfg.enabled) return null;
		const now = clock.now() / 1000;
		let b = buckets.get(key);
		if (!b) {
			b = { sec: cfg.perSecond, min: cfg.perMinute, at: now };
			buckets.set(key, b);
			if (buckets.size > 50_000) buckets.delete(buckets.keys().next().value);
		}
		const dt = Math.max(0, now - b.at);
		b.at = now;
		b.sec = Math.min(cfg.perSecond, b.sec + dt * cfg.perSecond);
		b.min = Math.min(cfg.perMinute, b.min + (dt * cfg.perMinute) / 60);
		if (b.sec >= 1 && b.min >= 1) {
			b.sec -= 1;
			b.min -= 1;
			return null;
		}
		const waitSec = b.sec >= 1 ? 0 : (1 - b.sec) / cfg.perSecond;
		const waitMin = b.min >= 1 ? 0 : ((1 - b.min) * 60) / cfg.perMinute;
		return Math.max(0.001, Math.round(Math.max(waitSec, waitMin) * 1000) / 1000);
	}

	configure(options === undefined ? true : options);
	return { take, configure, reset: () => buckets.clear(), get config() { return { ...cfg }; } };
}

function positive(v, name) {
	const n = Number(v);
	if (!Number.isFinite(n) || n <= 0) throw new TypeError(`rate limit ${name} must be a positive number`);
	return n;
}

module.exports = { createRateLimiter };
