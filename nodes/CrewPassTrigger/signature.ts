import { createHmac, timingSafeEqual } from 'crypto';

/**
 * Why a delivery was refused as not genuine (answered 401 with a generic body; the reason goes
 * to n8n's log at debug level only, so a replayer learns nothing about which check failed).
 */
export type SignatureFailure =
	| 'signature_header_missing'
	| 'timestamp_header_missing'
	| 'signature_malformed'
	| 'timestamp_malformed'
	| 'signature_mismatch'
	| 'timestamp_outside_tolerance';

export const SIGNATURE_FAILURE_MESSAGES: Record<SignatureFailure, string> = {
	signature_header_missing: 'X-CrewPass-Signature header is missing',
	timestamp_header_missing: 'X-CrewPass-Timestamp header is missing',
	signature_malformed: 'X-CrewPass-Signature is not of the form v1=<64 hex digits>',
	timestamp_malformed: 'X-CrewPass-Timestamp is not Unix seconds',
	signature_mismatch: 'the signature does not match the body under any configured secret',
	timestamp_outside_tolerance:
		'X-CrewPass-Timestamp is further in the future than the tolerance, or older than the late-retry window',
};

export type VerifiedWith = 'current_secret' | 'previous_secret';

export type SignatureResult =
	| {
			ok: true;
			verifiedWith: VerifiedWith;
			timestamp: number;
			/** Older than the tolerance: a retry CrewPass signed earlier. */
			late: boolean;
			ageSeconds: number;
	  }
	| { ok: false; reason: SignatureFailure };

export interface SigningSecrets {
	/** The webhook signing secret from the credential. */
	current?: string;
	/** The secret being rotated out; accepted only while `previousValidUntilMs` lies ahead. */
	previous?: string;
	/** End of the rotation grace window (epoch ms); undefined = the previous secret is refused. */
	previousValidUntilMs?: number;
}

export interface VerifyInput {
	/** X-CrewPass-Signature as received. */
	signature: string | undefined;
	/** X-CrewPass-Timestamp as received. */
	timestamp: string | undefined;
	/** The exact bytes n8n received; never a re-serialised body. */
	rawBody: Buffer;
	secrets: SigningSecrets;
	/** How far a timestamp may lie from now (either direction) as a fresh delivery. */
	toleranceSeconds: number;
	/**
	 * How old a timestamp may be when the signature verifies: CrewPass signs a delivery once and
	 * retries it later with the same timestamp and signature (up to 8 attempts, exponential
	 * backoff). 0 = no late retries (only the tolerance).
	 */
	lateRetrySeconds?: number;
	nowMs: number;
}

const SIGNATURE_FORMAT = /^v1=[0-9a-f]{64}$/i;
const TIMESTAMP_FORMAT = /^\d{1,12}$/;

/** The contract's recipe: `"v1=" + hex(HMAC-SHA256(secret, "{timestamp}." + raw body bytes))`. */
export function computeSignature(secret: string, timestamp: string, rawBody: Buffer): string {
	return (
		'v1=' +
		createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest('hex')
	);
}

function digestOf(secret: string, timestamp: string, rawBody: Buffer): Buffer {
	return createHmac('sha256', secret).update(`${timestamp}.`, 'utf8').update(rawBody).digest();
}

/** Constant-time equality of two digests (length checked first: timingSafeEqual needs it). */
function sameDigest(a: Buffer, b: Buffer): boolean {
	return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The end of the rotation grace window as epoch ms, or undefined when it is empty or unreadable
 * (then the previous secret is not accepted at all). A date-time without a zone is read as UTC.
 */
export function parseGraceEnd(value: unknown): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	let text = String(value).trim();
	if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
	else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text))
		text = text.replace(' ', 'T') + 'Z';
	const ms = Date.parse(text);
	return Number.isFinite(ms) ? ms : undefined;
}

/** Whether the previous secret may still verify deliveries at `nowMs`. */
export function previousSecretActive(secrets: SigningSecrets, nowMs: number): boolean {
	return (
		Boolean(secrets.previous) &&
		secrets.previousValidUntilMs !== undefined &&
		nowMs < secrets.previousValidUntilMs
	);
}

/**
 * Whether a timestamp may be checked further: no more than `toleranceSeconds` ahead of now, and
 * no older than the larger of the tolerance and the late-retry window. Pure and cheap: runs
 * before any HMAC is computed.
 */
export function checkTimestamp(
	timestampSeconds: number,
	nowMs: number,
	window: { toleranceSeconds: number; lateRetrySeconds?: number },
): { ok: true; late: boolean; ageSeconds: number } | { ok: false } {
	const ageSeconds = nowMs / 1000 - timestampSeconds;
	const maxAge = Math.max(window.toleranceSeconds, window.lateRetrySeconds ?? 0);
	if (ageSeconds < -window.toleranceSeconds || ageSeconds > maxAge) return { ok: false };
	return { ok: true, late: ageSeconds > window.toleranceSeconds, ageSeconds };
}

/**
 * Verifies one delivery: both headers present and well-formed, the timestamp inside its window
 * (checked first: a stale or far-future delivery costs no HMAC), then the signature equal
 * (constant time) under the current secret or, inside the grace window, the previous one.
 * The caller has made sure a current secret exists.
 */
export function verifyDelivery(input: VerifyInput): SignatureResult {
	const { secrets, rawBody, nowMs } = input;
	const signature = input.signature?.trim();
	const timestamp = input.timestamp?.trim();
	if (!signature) return { ok: false, reason: 'signature_header_missing' };
	if (!timestamp) return { ok: false, reason: 'timestamp_header_missing' };
	if (!SIGNATURE_FORMAT.test(signature)) return { ok: false, reason: 'signature_malformed' };
	if (!TIMESTAMP_FORMAT.test(timestamp)) return { ok: false, reason: 'timestamp_malformed' };
	const seconds = Number(timestamp);
	const window = checkTimestamp(seconds, nowMs, input);
	if (!window.ok) return { ok: false, reason: 'timestamp_outside_tolerance' };
	if (!secrets.current) return { ok: false, reason: 'signature_mismatch' };

	const received = Buffer.from(signature.slice(3).toLowerCase(), 'hex');
	// Both candidates are always computed, so timing does not tell which secret matched.
	const matchesCurrent = sameDigest(digestOf(secrets.current, timestamp, rawBody), received);
	const previousActive = previousSecretActive(secrets, nowMs);
	const matchesPrevious = previousActive
		? sameDigest(digestOf(secrets.previous as string, timestamp, rawBody), received)
		: false;
	if (!matchesCurrent && !matchesPrevious) return { ok: false, reason: 'signature_mismatch' };
	return {
		ok: true,
		verifiedWith: matchesCurrent ? 'current_secret' : 'previous_secret',
		timestamp: seconds,
		late: window.late,
		ageSeconds: window.ageSeconds,
	};
}
