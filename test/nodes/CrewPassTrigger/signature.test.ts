import crypto from 'crypto';

import {
	checkTimestamp,
	computeSignature,
	parseGraceEnd,
	previousSecretActive,
	verifyDelivery,
} from '../../../nodes/CrewPassTrigger/signature';

/**
 * Fixed test vector, computed with the contract's own Python recipe
 * (docs.crewpass.co.uk/partners/webhooks, "Verifying a delivery"):
 *
 *   expected = "v1=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + raw_body,
 *                               hashlib.sha256).hexdigest()
 *
 * run with python3 on the secret, timestamp and body bytes below (verify() returned True).
 * The body holds non-ASCII characters (UTF-8) and insignificant whitespace and newlines.
 */
const VECTOR = {
	secret: 'whsec_example_test_vector_0001',
	timestamp: '1780912800',
	body: Buffer.from(
		'7b2022736368656d615f76657273696f6e223a20312c0a2020226576656e745f6964223a20226576745f7665635f303031222c20226576656e745f74797065223a2022637265772e70726f66696c652e75706461746564222c0a2020226f636375727265645f6174223a2022323032362d30362d30385431303a30303a30305a222c2022706172746e65725f6964223a20227072745f313233222c0a20202264617461223a207b2022637265775f756e697175655f6964223a2022637265775f303031222c20226e616d65223a20225a6fc3ab20c385737472c3b66d20e2809320e888b9e59198222c2022757064617465645f6174223a2022323032362d30362d30385431323a30303a30305a22207d207d0a',
		'hex',
	),
	expected: 'v1=8bd0b11e0cdbd0e67d04fd96bfe75f19109dd1814681655553b80debccbeb8a9',
};
const VECTOR_NOW_MS = 1780912800 * 1000 + 30_000;

const base = {
	signature: VECTOR.expected,
	timestamp: VECTOR.timestamp,
	rawBody: VECTOR.body,
	secrets: { current: VECTOR.secret },
	toleranceSeconds: 300,
	nowMs: VECTOR_NOW_MS,
};

describe('signature: the contract test vector', () => {
	it('the body bytes are the documented text (275 bytes, UTF-8, with whitespace)', () => {
		expect(VECTOR.body.length).toBe(275);
		expect(VECTOR.body.toString('utf8')).toContain('"name": "Zoë Åström – 船员"');
		expect(VECTOR.body.toString('utf8')).toMatch(/^\{ "schema_version": 1,\n {2}"event_id"/);
	});

	it('computeSignature reproduces the Python recipe byte for byte', () => {
		expect(computeSignature(VECTOR.secret, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.expected);
	});

	it('verifyDelivery accepts the vector with the current secret', () => {
		expect(verifyDelivery(base)).toEqual({
			ok: true,
			verifiedWith: 'current_secret',
			timestamp: 1780912800,
			late: false,
			ageSeconds: 30,
		});
	});

	it('a re-serialised body (same JSON, whitespace dropped) does not verify', () => {
		const reserialised = Buffer.from(JSON.stringify(JSON.parse(VECTOR.body.toString('utf8'))));
		expect(reserialised.equals(VECTOR.body)).toBe(false);
		expect(verifyDelivery({ ...base, rawBody: reserialised })).toEqual({
			ok: false,
			reason: 'signature_mismatch',
		});
	});

	it('one changed byte, another timestamp or another secret does not verify', () => {
		const tampered = Buffer.from(VECTOR.body);
		tampered[tampered.length - 2] = 0x20;
		expect(verifyDelivery({ ...base, rawBody: tampered })).toMatchObject({
			reason: 'signature_mismatch',
		});
		expect(verifyDelivery({ ...base, timestamp: '1780912801' })).toMatchObject({
			reason: 'signature_mismatch',
		});
		expect(verifyDelivery({ ...base, secrets: { current: 'whsec_other' } })).toMatchObject({
			reason: 'signature_mismatch',
		});
	});

	it('upper-case hex in the header is the same signature', () => {
		expect(
			verifyDelivery({ ...base, signature: 'v1=' + VECTOR.expected.slice(3).toUpperCase() }).ok,
		).toBe(true);
	});
});

describe('signature: each refusal reason', () => {
	it.each([
		// The caller answers a missing secret 503 before verifying; alone, nothing verifies.
		['no secret', { secrets: {} }, 'signature_mismatch'],
		['empty secret', { secrets: { current: '' } }, 'signature_mismatch'],
		['no signature header', { signature: undefined }, 'signature_header_missing'],
		['empty signature header', { signature: '  ' }, 'signature_header_missing'],
		['no timestamp header', { timestamp: undefined }, 'timestamp_header_missing'],
		['no v1= prefix', { signature: VECTOR.expected.slice(3) }, 'signature_malformed'],
		['v0 scheme', { signature: 'v0=' + VECTOR.expected.slice(3) }, 'signature_malformed'],
		['short hex', { signature: VECTOR.expected.slice(0, -2) }, 'signature_malformed'],
		['not hex', { signature: 'v1=' + 'z'.repeat(64) }, 'signature_malformed'],
		[
			'two signatures',
			{ signature: `${VECTOR.expected},${VECTOR.expected}` },
			'signature_malformed',
		],
		['milliseconds-like junk timestamp', { timestamp: '1780912800.5' }, 'timestamp_malformed'],
		['ISO timestamp', { timestamp: '2026-06-08T10:00:00Z' }, 'timestamp_malformed'],
	])('%s is refused', (_name, overrides, reason) => {
		expect(verifyDelivery({ ...base, ...(overrides as object) })).toEqual({ ok: false, reason });
	});
});

describe('signature: timestamp tolerance', () => {
	const at = (offsetSeconds: number, toleranceSeconds = 300) =>
		verifyDelivery({ ...base, nowMs: (1780912800 + offsetSeconds) * 1000, toleranceSeconds });

	it('accepts up to the tolerance on both sides', () => {
		expect(at(300).ok).toBe(true);
		expect(at(-300).ok).toBe(true);
		expect(at(0).ok).toBe(true);
	});

	it('refuses one second past it, in the past (replay) or the future', () => {
		expect(at(301)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
		expect(at(-301)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
	});

	it('follows a configured tolerance', () => {
		expect(at(59, 60).ok).toBe(true);
		expect(at(61, 60)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
		expect(at(3000, 3600).ok).toBe(true);
	});

	it('the timestamp is checked before any HMAC is computed (a stale forgery costs no hash)', () => {
		const spy = jest.spyOn(crypto, 'createHmac');
		try {
			const forged = 'v1=' + 'a'.repeat(64);
			expect(verifyDelivery({ ...base, signature: forged, nowMs: 0 })).toEqual({
				ok: false,
				reason: 'timestamp_outside_tolerance',
			});
			expect(spy).not.toHaveBeenCalled();
			verifyDelivery(base);
			expect(spy).toHaveBeenCalled();
		} finally {
			spy.mockRestore();
		}
	});
});

describe('signature: late retries (CrewPass signs once and retries with the same timestamp)', () => {
	const lateAt = (ageSeconds: number, lateRetrySeconds: number | undefined) =>
		verifyDelivery({
			...base,
			nowMs: (1780912800 + ageSeconds) * 1000,
			lateRetrySeconds,
		});

	it('a correctly signed delivery older than the tolerance is accepted as late inside the window', () => {
		expect(lateAt(6 * 3600, 72 * 3600)).toMatchObject({ ok: true, late: true, ageSeconds: 21600 });
		expect(lateAt(72 * 3600, 72 * 3600)).toMatchObject({ ok: true, late: true });
	});

	it('older than the window, or with no window (0), it is refused as outside the tolerance', () => {
		expect(lateAt(72 * 3600 + 1, 72 * 3600)).toEqual({
			ok: false,
			reason: 'timestamp_outside_tolerance',
		});
		expect(lateAt(301, 0)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
		expect(lateAt(301, undefined)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
	});

	it('the window never widens the future side: a timestamp ahead by more than the tolerance is refused', () => {
		expect(lateAt(-301, 72 * 3600)).toEqual({ ok: false, reason: 'timestamp_outside_tolerance' });
	});

	it('a forged late delivery is still a mismatch', () => {
		expect(
			verifyDelivery({
				...base,
				signature: 'v1=' + 'b'.repeat(64),
				nowMs: (1780912800 + 3600) * 1000,
				lateRetrySeconds: 72 * 3600,
			}),
		).toEqual({ ok: false, reason: 'signature_mismatch' });
	});

	it('checkTimestamp is pure arithmetic over the window', () => {
		const w = { toleranceSeconds: 300, lateRetrySeconds: 3600 };
		expect(checkTimestamp(1000, 1000_000, w)).toEqual({ ok: true, late: false, ageSeconds: 0 });
		expect(checkTimestamp(1000, (1000 + 301) * 1000, w)).toEqual({
			ok: true,
			late: true,
			ageSeconds: 301,
		});
		expect(checkTimestamp(1000, (1000 + 3601) * 1000, w)).toEqual({ ok: false });
		expect(checkTimestamp(1000, (1000 - 301) * 1000, w)).toEqual({ ok: false });
	});
});

describe('signature: rotation window', () => {
	const graceEnd = Date.parse('2026-06-08T12:00:00Z');
	const signedWithPrevious = {
		...base,
		secrets: { current: 'whsec_new', previous: VECTOR.secret, previousValidUntilMs: graceEnd },
	};

	it('the previous secret verifies while the grace window lasts', () => {
		expect(verifyDelivery(signedWithPrevious)).toMatchObject({
			ok: true,
			verifiedWith: 'previous_secret',
			timestamp: 1780912800,
		});
	});

	it('and never after it (nor at its exact end)', () => {
		const after = { ...signedWithPrevious, toleranceSeconds: 10 ** 9 };
		expect(verifyDelivery({ ...after, nowMs: graceEnd })).toMatchObject({
			reason: 'signature_mismatch',
		});
		expect(verifyDelivery({ ...after, nowMs: graceEnd + 1 })).toMatchObject({
			reason: 'signature_mismatch',
		});
		expect(verifyDelivery({ ...after, nowMs: graceEnd - 1 }).ok).toBe(true);
	});

	it('is refused when no grace end is set', () => {
		expect(
			verifyDelivery({ ...base, secrets: { current: 'whsec_new', previous: VECTOR.secret } }),
		).toMatchObject({ reason: 'signature_mismatch' });
	});

	it('the current secret keeps working during the window', () => {
		const both = {
			...base,
			secrets: { current: VECTOR.secret, previous: 'whsec_old', previousValidUntilMs: graceEnd },
		};
		expect(verifyDelivery(both)).toMatchObject({ ok: true, verifiedWith: 'current_secret' });
	});

	it('previousSecretActive needs both a previous secret and a future grace end', () => {
		expect(previousSecretActive({ previous: 'x', previousValidUntilMs: 10 }, 9)).toBe(true);
		expect(previousSecretActive({ previous: 'x', previousValidUntilMs: 10 }, 10)).toBe(false);
		expect(previousSecretActive({ previous: '', previousValidUntilMs: 10 }, 9)).toBe(false);
		expect(previousSecretActive({ previous: 'x' }, 9)).toBe(false);
	});

	it('parseGraceEnd reads ISO date-times, zone-less ones as UTC, and refuses junk', () => {
		expect(parseGraceEnd('2026-06-08T12:00:00Z')).toBe(graceEnd);
		expect(parseGraceEnd('2026-06-08T14:00:00+02:00')).toBe(graceEnd);
		expect(parseGraceEnd('2026-06-08T12:00:00')).toBe(graceEnd);
		expect(parseGraceEnd('2026-06-08 12:00')).toBe(graceEnd);
		expect(parseGraceEnd('2026-06-08')).toBe(Date.parse('2026-06-08T00:00:00Z'));
		expect(parseGraceEnd('')).toBeUndefined();
		expect(parseGraceEnd(undefined)).toBeUndefined();
		expect(parseGraceEnd('next tuesday')).toBeUndefined();
	});
});
