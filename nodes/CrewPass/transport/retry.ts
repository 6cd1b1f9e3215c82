/** When and how long to retry a CrewPass request. Pure functions: the transport owns the loop. */
export interface RetryPolicy {
	/** Attempts in all, the first included. */
	maxAttempts: number;
	/** The most the retries of one request may wait in all, in milliseconds. */
	maxTotalWaitMs: number;
	/** First backoff for 502/503/504 and dropped connections; doubles each attempt. */
	baseDelayMs: number;
	/** Cap on a single backoff. */
	maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxAttempts: 6,
	maxTotalWaitMs: 60_000,
	baseDelayMs: 500,
	maxDelayMs: 8_000,
};

export const RETRYABLE_STATUS = new Set([502, 503, 504]);

export const RETRYABLE_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ETIMEDOUT',
	'EPIPE',
	'ECONNABORTED',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/** Exponential backoff with "equal jitter": half fixed, half random, capped. */
export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
	return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * The wait a 429 asks for: `retry_after_seconds` from the error body, else the `Retry-After`
 * header (seconds or an HTTP date), else one second. Never negative.
 */
export function retryAfterMs(body: unknown, retryAfterHeader: unknown, now = Date.now()): number {
	const fromBody = (body as { error?: { retry_after_seconds?: unknown } } | undefined)?.error
		?.retry_after_seconds;
	if (typeof fromBody === 'number' && Number.isFinite(fromBody)) {
		return Math.max(0, Math.ceil(fromBody * 1000));
	}
	if (typeof retryAfterHeader === 'string' || typeof retryAfterHeader === 'number') {
		const seconds = Number(retryAfterHeader);
		if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
		const date = Date.parse(String(retryAfterHeader));
		if (Number.isFinite(date)) return Math.max(0, date - now);
	}
	return 1_000;
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
