/**
 * When and how long to retry a CrewPass request. Pure functions: `classify` looks at one attempt
 * (a response or a thrown error) and says what to do next; the transport owns the loop. Change a
 * retry rule here, nowhere else.
 */
export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	/** The most the retries of one request may wait in all, in milliseconds. */
	maxTotalWaitMs: number;
	/**
	 * The most one request may wait for CrewPass's rate limit (429s), in milliseconds. 429s count
	 * neither as attempts nor against `maxTotalWaitMs`: the limit is a queue, not a failure.
	 */
	maxRateLimitWaitMs: number;
	/** First backoff for 500/502/503/504 and dropped connections; doubles each attempt. */
	baseDelayMs: number;
	/** Cap on a single backoff. */
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 6,
	// the five backoffs of 0.5, 1, 2, 4 and 8 s at most (equal jitter): 15.5 s in all
	maxTotalWaitMs: 15_500,
	maxRateLimitWaitMs: 10 * 60_000,
	baseDelayMs: 500,
	maxDelayMs: 8_000,
};

/**
 * HTTP statuses resent with backoff, within the attempt and wait budget above. Every request
 * this package sends is a read: the GETs, the crew lookup and the compliance check (read-only
 * POSTs with a JSON body), and the keyless file link. The contract calls reads idempotent ("you
 * can simply resend"), so resending one after any server-side failure is safe: a 500 (an
 * unexpected error on CrewPass's side, often a passing fault of what stands behind it) is
 * resent like a 502/503/504, with the same budget. A 500 that persists costs the same as a 503
 * that persists (6 attempts, about 8 to 16 s of backoff) and then fails the item with the last
 * answer's request id. Other 5xx (501 Not Implemented, 505) say the request itself cannot
 * succeed and are not resent; neither are 4xx (the request is wrong or not allowed as sent).
 * Writes, when CrewPass ships them (v2, signed with a single-use nonce), need their own rule.
 */
export const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);

export const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'EPIPE',
	'ECONNABORTED',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** The wait after a 429 that gives no hint at all. */
export const DEFAULT_RATE_LIMIT_WAIT_MS = 1_000;

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The wait a 429 asks for: `retry_after_seconds` from the error body, else the `Retry-After`
 * header (seconds or an HTTP date). Undefined when there is no usable hint: absent, not a
 * number, zero or negative (a hint of "now" must not turn into immediate retries).
 */
export function retryAfterMs(
	body: unknown,
	retryAfterHeader: unknown,
	now = Date.now(),
): number | undefined {
	const positive = (ms: number) => (Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : undefined);
	const fromBody = (body as { error?: { retry_after_seconds?: unknown } } | undefined)?.error
		?.retry_after_seconds;
	if (typeof fromBody === 'number') return positive(fromBody * 1000);
	if (typeof retryAfterHeader === 'string' || typeof retryAfterHeader === 'number') {
		const text = String(retryAfterHeader).trim();
		if (/^-?\d+(\.\d+)?$/.test(text)) return positive(Number(text) * 1000);
		const date = Date.parse(text);
		if (Number.isFinite(date)) return positive(date - now);
	}
	return undefined;
}

/** The network error code of a failed request (n8n wraps axios errors; look one level down too). */
export function networkErrorCode(error: unknown): string | undefined {
	const candidates = [error, (error as { cause?: unknown })?.cause];
	for (const candidate of candidates) {
		const code = (candidate as { code?: unknown } | undefined)?.code;
		if (typeof code === 'string' && RETRYABLE_NETWORK_CODES.has(code)) return code;
	}
	const message = (error as { message?: unknown } | undefined)?.message;
	if (typeof message === 'string' && /socket hang up/i.test(message)) return 'ECONNRESET';
	return undefined;
}

/** What one attempt brought: a response whatever its status, or the error the client threw. */
export type Attempt<R extends { statusCode: number }> =
	| { ok: true; response: R }
	| { ok: false; error: unknown };

/** What to do after one attempt. */
export type Verdict<R> =
	/** A 2xx (or, where the caller follows redirects itself, a 3xx): hand it back. */
	| { kind: 'done'; response: R }
	/** Transient: wait `waitMs`, then try again (if the budget allows). */
	| { kind: 'retry'; waitMs: number; problem: string; rateLimited?: boolean }
	/** A 3xx where redirects are refused (every API request). */
	| { kind: 'redirect'; response: R }
	/** A 4xx/5xx CrewPass meant: becomes the CrewPass error. */
	| { kind: 'refused'; response: R }
	/** The request never got an answer and retrying will not help (DNS, TLS, invalid URL). */
	| { kind: 'unreachable'; error: unknown };

export interface ClassifyOptions {
	/** The caller follows 3xx answers itself (file links); otherwise a 3xx is refused. */
	returnRedirects?: boolean;
	/** Reads `retry_after_seconds` from a 429's body. */
	parseBody?: (body: unknown) => unknown;
}

/** The verdict for one attempt: the retry rules of the CrewPass transport, in one place. */
export function classify<
	R extends { statusCode: number; headers: Record<string, unknown>; body?: unknown },
>(
	attempt: Attempt<R>,
	attemptNumber: number,
	policy: RetryPolicy,
	options: ClassifyOptions = {},
): Verdict<R> {
	if (!attempt.ok) {
		const code = networkErrorCode(attempt.error);
		if (!code) return { kind: 'unreachable', error: attempt.error };
		return {
			kind: 'retry',
			waitMs: backoffMs(attemptNumber, policy),
			problem: `connection failed (${code})`,
		};
	}
	const { response } = attempt;
	const status = response.statusCode;
	if (status >= 200 && status < 300) return { kind: 'done', response };
	if (status >= 300 && status < 400) {
		return options.returnRedirects ? { kind: 'done', response } : { kind: 'redirect', response };
	}
	const requestId = response.headers['x-request-id'];
	const suffix = ` (request id ${typeof requestId === 'string' ? requestId : 'none'})`;
	if (status === 429) {
		const body = options.parseBody ? options.parseBody(response.body) : response.body;
		const header = response.headers['retry-after'];
		const waitMs =
			retryAfterMs(body, header) ??
			(hasRetryHint(body, header) ? backoffMs(attemptNumber, policy) : DEFAULT_RATE_LIMIT_WAIT_MS);
		return {
			kind: 'retry',
			waitMs,
			problem: `HTTP 429 partner_rate_limited${suffix}`,
			rateLimited: true,
		};
	}
	if (RETRYABLE_STATUS.has(status)) {
		return {
			kind: 'retry',
			waitMs: backoffMs(attemptNumber, policy),
			problem: `HTTP ${status}${suffix}`,
		};
	}
	return { kind: 'refused', response };
}

/** Whether a 429 carried a hint at all (a zero or negative one gets backoff, not the default). */
function hasRetryHint(body: unknown, header: unknown): boolean {
	const fromBody = (body as { error?: { retry_after_seconds?: unknown } } | undefined)?.error
		?.retry_after_seconds;
	return fromBody !== undefined || (header !== undefined && header !== null);
}
