import {
	backoffMs,
	classify,
	DEFAULT_RETRY_POLICY,
	networkErrorCode,
	retryAfterMs,
} from '../../../../nodes/CrewPass/transport/retry';

describe('backoffMs', () => {
	it('doubles per attempt with half of it jittered, capped', () => {
		const low = () => 0;
		const high = () => 1;
		expect([1, 2, 3, 4].map((a) => backoffMs(a, DEFAULT_RETRY_POLICY, low))).toEqual([
			250, 500, 1_000, 2_000,
		]);
		expect([1, 2, 3, 4].map((a) => backoffMs(a, DEFAULT_RETRY_POLICY, high))).toEqual([
			500, 1_000, 2_000, 4_000,
		]);
		expect(backoffMs(10, DEFAULT_RETRY_POLICY, high)).toBe(DEFAULT_RETRY_POLICY.maxDelayMs);
	});
});

describe('retryAfterMs', () => {
	it('prefers retry_after_seconds from the CrewPass body', () => {
		expect(retryAfterMs({ error: { retry_after_seconds: 0.42 } }, '7')).toBe(420);
	});

	it('falls back to Retry-After in seconds or as an HTTP date', () => {
		expect(retryAfterMs(undefined, '3')).toBe(3_000);
		const now = Date.parse('2026-06-08T10:00:00Z');
		expect(retryAfterMs(undefined, 'Mon, 08 Jun 2026 10:00:05 GMT', now)).toBe(5_000);
	});

	it('gives no wait for no hint, or a zero, negative or non-numeric one (the caller backs off)', () => {
		expect(retryAfterMs({}, undefined)).toBeUndefined();
		expect(retryAfterMs({ error: { retry_after_seconds: -1 } }, undefined)).toBeUndefined();
		expect(retryAfterMs({ error: { retry_after_seconds: 0 } }, '5')).toBeUndefined();
		expect(retryAfterMs({ error: { retry_after_seconds: Number.NaN } }, undefined)).toBeUndefined();
		expect(retryAfterMs(undefined, '-3')).toBeUndefined();
		expect(retryAfterMs(undefined, '0')).toBeUndefined();
	});
});

describe('networkErrorCode', () => {
	it('recognises transient connection failures, also wrapped one level down', () => {
		expect(networkErrorCode({ code: 'ECONNRESET' })).toBe('ECONNRESET');
		expect(networkErrorCode({ cause: { code: 'ETIMEDOUT' } })).toBe('ETIMEDOUT');
		expect(networkErrorCode(new Error('socket hang up'))).toBe('ECONNRESET');
	});

	it('does not treat other failures as transient', () => {
		expect(networkErrorCode({ code: 'ENOTFOUND' })).toBeUndefined();
		expect(networkErrorCode(new Error('certificate has expired'))).toBeUndefined();
	});
});

describe('classify: which answers are resent', () => {
	const answer = (statusCode: number) => ({
		ok: true as const,
		response: { statusCode, headers: { 'x-request-id': 'req_1' }, body: '' },
	});

	it.each([500, 502, 503, 504])(
		'%i is resent with backoff: every request is an idempotent read',
		(status) => {
			const verdict = classify(answer(status), 1, DEFAULT_RETRY_POLICY);
			expect(verdict).toMatchObject({
				kind: 'retry',
				problem: `HTTP ${status} (request id req_1)`,
			});
			expect(verdict.kind === 'retry' && verdict.rateLimited).toBeFalsy();
			const waitMs = verdict.kind === 'retry' ? verdict.waitMs : -1;
			expect(waitMs).toBeGreaterThanOrEqual(DEFAULT_RETRY_POLICY.baseDelayMs / 2);
			expect(waitMs).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.baseDelayMs);
		},
	);

	it.each([400, 401, 403, 404, 409, 422, 501, 505])(
		'%i is final: the request cannot succeed as sent',
		(status) => {
			expect(classify(answer(status), 1, DEFAULT_RETRY_POLICY).kind).toBe('refused');
		},
	);
});
