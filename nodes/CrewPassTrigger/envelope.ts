import type { IDataObject } from 'n8n-workflow';

export const EVENT_TYPES = [
	'crew.document.processed',
	'crew.document.updated',
	'crew.compliance.changed',
	'crew.status.changed',
	'crew.profile.updated',
] as const;

export type CrewPassEventType = (typeof EVENT_TYPES)[number];

export interface CrewPassEnvelope {
	schema_version: 1;
	event_id: string;
	event_type: CrewPassEventType;
	occurred_at: string;
	partner_id: string;
	data: IDataObject;
}

/** Why a verified delivery was refused (answered 400: permanent for CrewPass). */
export type EnvelopeFailure =
	| 'body_not_json'
	| 'body_not_object'
	| 'schema_version_unsupported'
	| 'event_id_invalid'
	| 'event_type_unknown'
	| 'occurred_at_invalid'
	| 'partner_id_invalid'
	| 'data_invalid'
	| 'event_id_header_mismatch'
	| 'event_type_header_mismatch'
	| 'schema_version_header_mismatch';

export type EnvelopeResult =
	| { ok: true; envelope: CrewPassEnvelope }
	| { ok: false; reason: EnvelopeFailure; message: string };

/** The delivery headers that restate the body (lower-case names, as Node.js gives them). */
export interface EnvelopeHeaders {
	eventId?: string;
	eventType?: string;
	schemaVersion?: string;
}

/** Longest event id remembered; a longer one is refused rather than stored. */
export const MAX_EVENT_ID_LENGTH = 256;

function isPlainObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEventType(value: unknown): value is CrewPassEventType {
	return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** Parses the raw body as JSON (the bytes that were verified, not a re-serialised copy). */
export function parseBody(rawBody: Buffer): { ok: true; body: unknown } | { ok: false } {
	try {
		return { ok: true, body: JSON.parse(rawBody.toString('utf8')) as unknown };
	} catch {
		return { ok: false };
	}
}

/**
 * Checks the envelope: schema_version 1, event_id, event_type (one of five), occurred_at,
 * partner_id, data object, and that the headers name the same event as the body.
 */
export function validateEnvelope(body: unknown, headers: EnvelopeHeaders): EnvelopeResult {
	const fail = (reason: EnvelopeFailure, message: string): EnvelopeResult => ({
		ok: false,
		reason,
		message,
	});
	if (!isPlainObject(body)) return fail('body_not_object', 'The body must be a JSON object');
	if (body.schema_version !== 1) {
		return fail('schema_version_unsupported', 'schema_version must be 1');
	}
	const eventId = body.event_id;
	if (typeof eventId !== 'string' || !eventId.trim() || eventId.length > MAX_EVENT_ID_LENGTH) {
		return fail(
			'event_id_invalid',
			`event_id must be a non-empty string of at most ${MAX_EVENT_ID_LENGTH} characters`,
		);
	}
	if (!isEventType(body.event_type)) {
		return fail('event_type_unknown', `event_type must be one of ${EVENT_TYPES.join(', ')}`);
	}
	const occurredAt = body.occurred_at;
	if (
		typeof occurredAt !== 'string' ||
		!ISO_DATE_TIME.test(occurredAt) ||
		!Number.isFinite(Date.parse(occurredAt))
	) {
		return fail('occurred_at_invalid', 'occurred_at must be an ISO 8601 date-time with a zone');
	}
	if (typeof body.partner_id !== 'string' || !body.partner_id.trim()) {
		return fail('partner_id_invalid', 'partner_id must be a non-empty string');
	}
	if (!isPlainObject(body.data)) return fail('data_invalid', 'data must be a JSON object');

	if (headers.eventId?.trim() !== eventId) {
		return fail('event_id_header_mismatch', 'X-CrewPass-Event-Id must equal the body event_id');
	}
	if (headers.eventType?.trim() !== body.event_type) {
		return fail(
			'event_type_header_mismatch',
			'X-CrewPass-Event-Type must equal the body event_type',
		);
	}
	if (headers.schemaVersion !== undefined && headers.schemaVersion.trim() !== '1') {
		return fail('schema_version_header_mismatch', 'X-CrewPass-Schema-Version must be 1');
	}
	return {
		ok: true,
		envelope: {
			schema_version: 1,
			event_id: eventId,
			event_type: body.event_type,
			occurred_at: occurredAt,
			partner_id: body.partner_id,
			data: body.data,
		},
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
			schema_version: envelope.schema_version,
			event_id: envelope.event_id,
			event_type: envelope.event_type,
			occurred_at: envelope.occurred_at,
			partner_id: envelope.partner_id,
			data: envelope.data,
			received_at: receivedAt,
			delivery: { timestamp: delivery.timestamp, verified_with: delivery.verifiedWith },
		};
	}
	// Event data flattened next to the envelope fields; the envelope fields win a name clash.
	return {
		...envelope.data,
		event_id: envelope.event_id,
		event_type: envelope.event_type,
		occurred_at: envelope.occurred_at,
		partner_id: envelope.partner_id,
		received_at: receivedAt,
	};
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
