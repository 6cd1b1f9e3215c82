import type { IDataObject } from 'n8n-workflow';

import { stateKeyOf } from '../CrewPass/shared/stateKey';

export const EVENT_TYPES = [
	'crew.document.processed',
	'crew.document.updated',
	'crew.compliance.changed',
	'crew.status.changed',
	'crew.profile.updated',
] as const;

export type CrewPassEventType = (typeof EVENT_TYPES)[number];

/** The schema version this node reads; the contract's only one. */
export const SCHEMA_VERSION = 1;

export interface CrewPassEnvelope {
	/** 1 for an envelope this node knows; another value only when unknown ones are started. */
	schema_version: unknown;
	event_id: string;
	/** One of EVENT_TYPES, or (when unknown ones are started) whatever CrewPass sent. */
	event_type: string;
	/** As sent: passed through even without a zone, never refused for its form. */
	occurred_at: unknown;
	partner_id: unknown;
	data: IDataObject;
}

/**
 * Why a verified delivery cannot be read as a CrewPass event at all (answered 400: permanent
 * for CrewPass). Only what no genuine v1 delivery can be: everything else is accepted.
 */
export type EnvelopeFailure =
	| 'body_not_json'
	| 'body_not_object'
	| 'event_id_invalid'
	| 'event_type_invalid'
	| 'data_invalid';

/** Genuine and well-formed, but not something this node version knows (answered 200). */
export type EnvelopeNovelty = 'event_type_unknown' | 'schema_version_unknown';

/** Headers that disagree with the signed body: noted in the log, the body wins. */
export type HeaderDisagreement = 'event_id' | 'event_type' | 'schema_version';

export type EnvelopeResult =
	| {
			ok: true;
			envelope: CrewPassEnvelope;
			/** Set when the event type or schema version is not one this node knows. */
			novelty?: EnvelopeNovelty;
			/** Unsigned headers that name something else than the signed body. */
			disagreements: HeaderDisagreement[];
	  }
	| { ok: false; reason: EnvelopeFailure; message: string };

/** The delivery headers that restate the body (lower-case names, as Node.js gives them). */
export interface EnvelopeHeaders {
	eventId?: string;
	eventType?: string;
	schemaVersion?: string;
}

/** Longest event id remembered; a longer one is not a CrewPass id and is refused. */
export const MAX_EVENT_ID_LENGTH = 256;

/**
 * Caps on a signed body, checked before it is parsed. Real deliveries are under 2 KB with data
 * objects one or two levels deep; n8n copies every item recursively, so a body far beyond these
 * would be answered 2xx and then fail (or exhaust memory) inside n8n: refused up front instead.
 */
export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_NESTING_DEPTH = 32;

const EVENT_TYPE_FORMAT = /^[a-z0-9_]+(\.[a-z0-9_]+)+$/i;

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isKnownEventType(value: unknown): value is CrewPassEventType {
	return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/**
 * Deepest bracket nesting of a JSON text, scanned without recursion (strings skipped).
 * Stops counting once `limit` is passed.
 */
export function nestingDepth(raw: Buffer, limit = Number.MAX_SAFE_INTEGER): number {
	let depth = 0;
	let max = 0;
	let inString = false;
	for (let i = 0; i < raw.length; i++) {
		const c = raw[i];
		if (inString) {
			if (c === 0x5c)
				i++; // backslash: skip the escaped byte
			else if (c === 0x22) inString = false;
			continue;
		}
		if (c === 0x22) inString = true;
		else if (c === 0x7b || c === 0x5b) {
			depth++;
			if (depth > max) {
				max = depth;
				if (max > limit) return max;
			}
		} else if (c === 0x7d || c === 0x5d) depth--;
	}
	return max;
}

export type BodyShapeFailure = 'body_too_large' | 'body_too_deep';

/** The size and depth caps, before any parse. Pure. */
export function checkBodyShape(
	raw: Buffer,
	caps: { maxBytes?: number; maxDepth?: number } = {},
): { ok: true } | { ok: false; reason: BodyShapeFailure; message: string } {
	const maxBytes = caps.maxBytes ?? MAX_BODY_BYTES;
	const maxDepth = caps.maxDepth ?? MAX_NESTING_DEPTH;
	if (raw.length > maxBytes) {
		return {
			ok: false,
			reason: 'body_too_large',
			message: `the body is ${raw.length} bytes; the cap is ${maxBytes}`,
		};
	}
	const depth = nestingDepth(raw, maxDepth);
	if (depth > maxDepth) {
		return {
			ok: false,
			reason: 'body_too_deep',
			message: `the body nests deeper than ${maxDepth} levels`,
		};
	}
	return { ok: true };
}

/** Parses the raw body as JSON (the bytes that were verified, not a re-serialised copy). */
export function parseBody(rawBody: Buffer): { ok: true; body: unknown } | { ok: false } {
	try {
		return { ok: true, body: JSON.parse(rawBody.toString('utf8')) as unknown };
	} catch {
		return { ok: false };
	}
}

/**
 * A header value as the sender wrote it. Node.js reads header bytes as latin1, so a UTF-8
 * value (a non-ASCII event id) arrives as mojibake; decoded back when it is valid UTF-8.
 */
export function decodeHeader(value: string | undefined): string | undefined {
	if (value === undefined) return undefined;
	let highBytes = false;
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code > 0xff) return value; // not a byte string: already decoded
		if (code > 0x7f) highBytes = true;
	}
	if (!highBytes) return value;
	const decoded = Buffer.from(value, 'latin1').toString('utf8');
	return decoded.includes('\ufffd') ? value : decoded;
}

/** Whether an (unsigned) header names the same thing as the signed body value. */
function headerAgrees(header: string | undefined, bodyValue: string): boolean {
	if (header === undefined || header.trim() === '') return true; // absent: the body says it
	const raw = header.trim();
	return raw === bodyValue || decodeHeader(raw) === bodyValue;
}

/**
 * Reads a verified body as a CrewPass envelope. Refuses only what no genuine delivery can be
 * (no usable event_id or event_type, data that is not an object); an unknown event type or
 * schema version is reported as a novelty; occurred_at and partner_id pass through as sent;
 * headers (unsigned) that disagree with the body are reported, and the body wins. Pure.
 */
export function validateEnvelope(body: unknown, headers: EnvelopeHeaders): EnvelopeResult {
	const fail = (reason: EnvelopeFailure, message: string): EnvelopeResult => ({
		ok: false,
		reason,
		message,
	});
	if (!isPlainObject(body)) return fail('body_not_object', 'The body must be a JSON object');
	const eventId = body.event_id;
	if (typeof eventId !== 'string' || !eventId.trim() || eventId.length > MAX_EVENT_ID_LENGTH) {
		return fail(
			'event_id_invalid',
			`event_id must be a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters`,
		);
	}
	const eventType = body.event_type;
	if (typeof eventType !== 'string' || !EVENT_TYPE_FORMAT.test(eventType)) {
		return fail('event_type_invalid', 'event_type must be a dotted name such as crew.x.y');
	}
	const data = body.data === undefined ? {} : body.data;
	if (!isPlainObject(data)) return fail('data_invalid', 'data must be a JSON object');

	const schemaVersion =
		body.schema_version !== undefined
			? body.schema_version
			: headers.schemaVersion !== undefined
				? Number(headers.schemaVersion.trim())
				: undefined;
	let novelty: EnvelopeNovelty | undefined;
	if (schemaVersion !== SCHEMA_VERSION) novelty = 'schema_version_unknown';
	else if (!isKnownEventType(eventType)) novelty = 'event_type_unknown';

	const disagreements: HeaderDisagreement[] = [];
	if (!headerAgrees(headers.eventId, eventId)) disagreements.push('event_id');
	if (!headerAgrees(headers.eventType, eventType)) disagreements.push('event_type');
	if (
		headers.schemaVersion !== undefined &&
		headers.schemaVersion.trim() !== '' &&
		body.schema_version !== undefined &&
		headers.schemaVersion.trim() !== String(body.schema_version)
	) {
		disagreements.push('schema_version');
	}
	return {
		ok: true,
		envelope: {
			schema_version: schemaVersion,
			event_id: eventId,
			event_type: eventType,
			occurred_at: body.occurred_at,
			partner_id: body.partner_id,
			data,
		},
		novelty,
		disagreements,
	};
}

export type OutputMode = 'eventData' | 'fullEnvelope';

/** The item an accepted event becomes. */
export function eventToJson(
	envelope: CrewPassEnvelope,
	mode: OutputMode,
	receivedAt: string,
	delivery: { timestamp: number; verifiedWith: string },
): IDataObject {
	if (mode === 'fullEnvelope') {
		return {
			schema_version: envelope.schema_version as IDataObject[string],
			event_id: envelope.event_id,
			event_type: envelope.event_type,
			occurred_at: envelope.occurred_at as IDataObject[string],
			partner_id: envelope.partner_id as IDataObject[string],
			data: envelope.data,
			received_at: receivedAt,
			delivery: { timestamp: delivery.timestamp, verified_with: delivery.verifiedWith },
		};
	}
	// Event data flattened next to the envelope fields; the envelope fields win a name clash.
	const json: IDataObject = {
		...envelope.data,
		event_id: envelope.event_id,
		event_type: envelope.event_type,
		occurred_at: envelope.occurred_at as IDataObject[string],
		partner_id: envelope.partner_id as IDataObject[string],
		received_at: receivedAt,
	};
	// The state the event describes, as the CrewPass Polling Trigger names it for the same change.
	const stateKey = stateKeyOf(envelope.event_type, envelope.data);
	if (stateKey !== undefined) json.state_key = stateKey;
	return json;
}

/** Header value as one string (Node.js joins repeated custom headers with ", "). */
export function headerOf(
	headers: Record<string, string | string[] | undefined>,
	name: string,
): string | undefined {
	const value = headers[name.toLowerCase()];
	if (Array.isArray(value)) return value.length ? value.join(', ') : undefined;
	return value;
}
