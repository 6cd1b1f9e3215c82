import {
	eventToJson,
	headerOf,
	parseBody,
	validateEnvelope,
} from '../../../nodes/CrewPassTrigger/envelope';
import { ALL_EVENTS, envelope } from './fixtures';

const headersFor = (body: Record<string, unknown>) => ({
	eventId: String(body.event_id),
	eventType: String(body.event_type),
	schemaVersion: '1',
});

describe('envelope validation', () => {
	it.each(ALL_EVENTS)('accepts a well-formed %s envelope', (type) => {
		const body = envelope(type);
		const result = validateEnvelope(body, headersFor(body));
		expect(result).toEqual({ ok: true, envelope: body });
	});

	it('accepts a missing X-CrewPass-Schema-Version header (the body carries it)', () => {
		const body = envelope();
		expect(validateEnvelope(body, { ...headersFor(body), schemaVersion: undefined }).ok).toBe(true);
	});

	it.each([
		['an array body', () => [envelope()], 'body_not_object'],
		['a string body', () => 'evt', 'body_not_object'],
		['null', () => null, 'body_not_object'],
		[
			'schema_version 2',
			() => envelope(undefined, { schema_version: 2 }),
			'schema_version_unsupported',
		],
		[
			'schema_version "1"',
			() => envelope(undefined, { schema_version: '1' }),
			'schema_version_unsupported',
		],
		[
			'no schema_version',
			() => envelope(undefined, { schema_version: undefined }),
			'schema_version_unsupported',
		],
		['no event_id', () => envelope(undefined, { event_id: undefined }), 'event_id_invalid'],
		['blank event_id', () => envelope(undefined, { event_id: '  ' }), 'event_id_invalid'],
		['numeric event_id', () => envelope(undefined, { event_id: 42 }), 'event_id_invalid'],
		[
			'a 257-character event_id',
			() => envelope(undefined, { event_id: 'e'.repeat(257) }),
			'event_id_invalid',
		],
		[
			'an unknown event_type',
			() => envelope(undefined, { event_type: 'crew.deleted' }),
			'event_type_unknown',
		],
		[
			'no occurred_at',
			() => envelope(undefined, { occurred_at: undefined }),
			'occurred_at_invalid',
		],
		[
			'occurred_at without zone',
			() => envelope(undefined, { occurred_at: '2026-06-08T10:00:00' }),
			'occurred_at_invalid',
		],
		[
			'occurred_at junk',
			() => envelope(undefined, { occurred_at: 'yesterday' }),
			'occurred_at_invalid',
		],
		[
			'occurred_at impossible date',
			() => envelope(undefined, { occurred_at: '2026-13-45T10:00:00Z' }),
			'occurred_at_invalid',
		],
		['no partner_id', () => envelope(undefined, { partner_id: undefined }), 'partner_id_invalid'],
		['data null', () => envelope(undefined, { data: null }), 'data_invalid'],
		['data an array', () => envelope(undefined, { data: [] }), 'data_invalid'],
	])('refuses %s', (_name, make, reason) => {
		const body = make() as Record<string, unknown>;
		const headers =
			body && typeof body === 'object' && !Array.isArray(body) ? headersFor(body) : {};
		expect(validateEnvelope(body, headers)).toMatchObject({ ok: false, reason });
	});

	it('refuses headers that name another event, or no event', () => {
		const body = envelope();
		expect(validateEnvelope(body, { ...headersFor(body), eventId: 'evt_other' })).toMatchObject({
			reason: 'event_id_header_mismatch',
		});
		expect(validateEnvelope(body, { ...headersFor(body), eventId: undefined })).toMatchObject({
			reason: 'event_id_header_mismatch',
		});
		expect(
			validateEnvelope(body, { ...headersFor(body), eventType: 'crew.profile.updated' }),
		).toMatchObject({ reason: 'event_type_header_mismatch' });
		expect(validateEnvelope(body, { ...headersFor(body), eventType: undefined })).toMatchObject({
			reason: 'event_type_header_mismatch',
		});
		expect(validateEnvelope(body, { ...headersFor(body), schemaVersion: '2' })).toMatchObject({
			reason: 'schema_version_header_mismatch',
		});
	});

	it('every refusal carries a message for the 400 body', () => {
		const result = validateEnvelope(envelope(undefined, { data: 1 }), {});
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toBe('data must be a JSON object');
	});
});

describe('parseBody and headers', () => {
	it('parses the verified bytes, UTF-8 included, and refuses non-JSON', () => {
		expect(parseBody(Buffer.from('{"a":"Åström"}'))).toEqual({ ok: true, body: { a: 'Åström' } });
		expect(parseBody(Buffer.from('{"a":'))).toEqual({ ok: false });
		expect(parseBody(Buffer.alloc(0))).toEqual({ ok: false });
	});

	it('headerOf reads lower-case names and joins repeated values', () => {
		expect(headerOf({ 'x-crewpass-event-id': 'evt_1' }, 'X-CrewPass-Event-Id')).toBe('evt_1');
		expect(headerOf({ 'x-a': ['1', '2'] }, 'x-a')).toBe('1, 2');
		expect(headerOf({}, 'x-a')).toBeUndefined();
	});
});

describe('output shapes', () => {
	const body = envelope('crew.compliance.changed', { event_id: 'evt_1' });
	const valid = validateEnvelope(body, headersFor(body));
	if (!valid.ok) throw new Error('fixture should be valid');
	const delivery = { timestamp: 1780912800, verifiedWith: 'current_secret' };

	it('Event Data: data flattened beside the envelope fields and received_at', () => {
		expect(eventToJson(valid.envelope, 'eventData', '2026-06-08T10:00:01.000Z', delivery)).toEqual({
			crew_unique_id: 'crew_001',
			vessel_id: 'ves_abc',
			overall_status: 'at_risk',
			requirements_met: 7,
			requirements_total: 8,
			requirements_expiring: 1,
			next_expiry_date: '2026-08-01',
			event_id: 'evt_1',
			event_type: 'crew.compliance.changed',
			occurred_at: '2026-06-08T10:00:00Z',
			partner_id: 'prt_123',
			received_at: '2026-06-08T10:00:01.000Z',
		});
	});

	it('Event Data: an envelope field wins a name clash with a data field', () => {
		const clash = { ...valid.envelope, data: { event_id: 'spoof', crew_unique_id: 'crew_9' } };
		expect(eventToJson(clash, 'eventData', 'now', delivery)).toMatchObject({
			event_id: 'evt_1',
			crew_unique_id: 'crew_9',
		});
	});

	it('Full Envelope: data nested, plus received_at and how it was verified', () => {
		expect(eventToJson(valid.envelope, 'fullEnvelope', 'now', delivery)).toEqual({
			schema_version: 1,
			event_id: 'evt_1',
			event_type: 'crew.compliance.changed',
			occurred_at: '2026-06-08T10:00:00Z',
			partner_id: 'prt_123',
			data: body.data,
			received_at: 'now',
			delivery: { timestamp: 1780912800, verified_with: 'current_secret' },
		});
	});
});
