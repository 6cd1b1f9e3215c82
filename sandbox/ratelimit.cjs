// @ts-check
'use strict';
// Per-partner budgets for the "read" endpoint class: 60/s and 1,000/min by default, "using a token
// bucket" as the contract says. Each budget is a bucket of `cap` tokens, full at the start and
// refilled continuously at cap per window (60/s: one token every 16.7 ms; 1,000/min: one every
// 60 ms); a request takes one token from both. A burst of 60 passes at once, then 60/s; about
// 1,000 requests pass in the first ~16 s, then 1,000/min. A refused request takes nothing and is
// told, in retry_after_seconds (a float), when both buckets hold a whole token again.
// Checked before authentication: the bucket key is the partner of a known key, else the presented
// key, else the remote address.

function createBucket(cap, windowMs, now) {
	return { cap, rate: cap / windowMs, tokens: cap, at: now };
}

function refill(b, now) {
	if (now > b.at) {
		b.tokens = Math.min(b.cap, b.tokens + (now - b.at) * b.rate);
		b.at = now;
	}
}

/** ms until the bucket holds a whole token (0 = now). */
function waitFor(b) {
	return b.tokens >= 1 ? 0 : (1 - b.tokens) / b.rate;
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
			b = {
				sec: createBucket(cfg.perSecond, 1000, now),
				min: createBucket(cfg.perMinute, 60_000, now),
			};
			buckets.set(key, b);
			if (buckets.size > 50_000) buckets.delete(buckets.keys().next().value);
		}
		refill(b.sec, now);
		refill(b.min, now);
		const wait = Math.max(waitFor(b.sec), waitFor(b.min));
		// milliseconds, rounded up: a client that waits exactly this long finds a token
		if (wait > 0) return Math.max(0.001, Math.ceil(wait) / 1000);
		b.sec.tokens -= 1;
		b.min.tokens -= 1;
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
