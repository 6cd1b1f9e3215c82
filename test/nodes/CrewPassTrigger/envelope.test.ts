import {
	checkBodyShape,
	decodeHeader,
	eventToJson,
	headerOf,
	MAX_BODY_BYTES,
	MAX_NESTING_DEPTH,
	nestingDepth,
	parseBody,
	validateEnvelope,
} from '../../../nodes/CrewPassTrigger/envelope';
import { ALL_EVENTS, envelope } from './fixtures';

const headersFor = (body: Record<string, unknown>) => ({
	eventId: String(body.event_id),
	eventType: String(body.event_type),
	schemaVersion: '1',
});

describe("envelope validation (checkEnvelope's pure core)", () => {
	it.each(ALL_EVENTS)('accepts a well-formed %s envelope', (type) => {
		const body = envelope(type);
		const result = validateEnvelope(body, headersFor(body));
		expect(result).toEqual({ ok: true, envelope: body, novelty: undefined, disagreements: [] });
	});

	it('accepts a missing X-CrewPass-Schema-Version header (the body carries it)', () => {
		const body = envelope();
		expect(validateEnvelope(body, { ...headersFor(body), schemaVersion: undefined }).ok).toBe(true);
	});

	// Refused (400): nothing a genuine delivery can be; no event id to de-duplicate on, no type.
	it.each([
		['an array body', () => [envelope()], 'body_not_object'],
		['a string body', () => 'evt', 'body_not_object'],
		['null', () => null, 'body_not_object'],
		['no event_id', () => envelope(undefined, { event_id: undefined }), 'event_id_invalid'],
		['blank event_id', () => envelope(undefined, { event_id: '  ' }), 'event_id_invalid'],
		['numeric event_id', () => envelope(undefined, { event_id: 42 }), 'event_id_invalid'],
		[
			'a 257-character event_id',
			() => envelope(undefined, { event_id: 'e'.repeat(257) }),
			'event_id_invalid',
		],
		['no event_type', () => envelope(undefined, { event_type: undefined }), 'event_type_invalid'],
		[
			'event_type not a dotted name',
			() => envelope(undefined, { event_type: 'x y' }),
			'event_type_invalid',
		],
		['data null', () => envelope(undefined, { data: null }), 'data_invalid'],
		['data an array', () => envelope(undefined, { data: [] }), 'data_invalid'],
	])('refuses %s', (_name, make, reason) => {
		const body = make() as Record<string, unknown>;
		const headers =
			body && typeof body === 'object' && !Array.isArray(body) ? headersFor(body) : {};
		expect(validateEnvelope(body, headers)).toMatchObject({ ok: false, reason });
	});

	// Accepted: genuine (signed) and readable; passed through as sent.
	it.each([
		['occurred_at without a zone', { occurred_at: '2026-06-08T10:00:00' }],
		['occurred_at junk', { occurred_at: 'yesterday' }],
		['no occurred_at', { occurred_at: undefined }],
		['no partner_id', { partner_id: undefined }],
		['no data (read as {})', { data: undefined }],
	])('accepts %s, passing it through', (_name, overrides) => {
		const body = envelope(undefined, overrides);
		const result = validateEnvelope(body, headersFor(body));
		expect(result).toMatchObject({ ok: true, novelty: undefined });
		if (result.ok) {
			expect(result.envelope.occurred_at).toEqual(body.occurred_at);
			expect(result.envelope.partner_id).toEqual(body.partner_id);
		}
	});

	it.each([
		[
			'an event type this version does not know',
			{ event_type: 'crew.placement.created' },
			'event_type_unknown',
		],
		['schema_version 2', { schema_version: 2 }, 'schema_version_unknown'],
		['schema_version "1" (a string)', { schema_version: '1' }, 'schema_version_unknown'],
	])('reports %s as a novelty, not a failure', (_name, overrides, novelty) => {
		const body = envelope(undefined, overrides);
		expect(validateEnvelope(body, headersFor(body))).toMatchObject({ ok: true, novelty });
	});

	it('no schema_version in the body: the header says 1, so it is a v1 envelope', () => {
		const body = envelope(undefined, { schema_version: undefined });
		expect(validateEnvelope(body, headersFor(body))).toMatchObject({
			ok: true,
			novelty: undefined,
		});
		expect(validateEnvelope(body, { ...headersFor(body), schemaVersion: undefined })).toMatchObject(
			{
				ok: true,
				novelty: 'schema_version_unknown',
			},
		);
	});

	it('missing event headers are fine (the signed body says it); disagreeing ones are reported, the body wins', () => {
		const body = envelope();
		expect(
			validateEnvelope(body, {
				eventId: undefined,
				eventType: undefined,
				schemaVersion: undefined,
			}),
		).toMatchObject({ ok: true, disagreements: [] });
		const result = validateEnvelope(body, {
			eventId: 'evt_other',
			eventType: 'crew.profile.updated',
			schemaVersion: '2',
		});
		expect(result).toMatchObject({
			ok: true,
			disagreements: ['event_id', 'event_type', 'schema_version'],
		});
		if (result.ok) expect(result.envelope.event_id).toBe(body.event_id);
	});

	it('a non-ASCII event_id: the header as Node.js reads it (latin1 of the UTF-8 bytes) agrees', () => {
		const id = 'evt_Zoë_船员_⚓';
		const body = envelope(undefined, { event_id: id });
		const asNodeReadsIt = Buffer.from(id, 'utf8').toString('latin1');
		expect(asNodeReadsIt).not.toBe(id);
		expect(decodeHeader(asNodeReadsIt)).toBe(id);
		expect(validateEnvelope(body, { ...headersFor(body), eventId: asNodeReadsIt })).toMatchObject({
			ok: true,
			disagreements: [],
		});
		// latin1 text that is not UTF-8 stays as it is
		expect(decodeHeader('caf\u00e9')).toBe('caf\u00e9');
		expect(decodeHeader('plain')).toBe('plain');
	});

	it('every refusal carries a message for the 400 body', () => {
		const result = validateEnvelope(envelope(undefined, { data: 1 }), {});
		expect(result.ok).toBe(false);
		if (!result.ok) expect(result.message).toBe('data must be a JSON object');
	});
});

describe('body caps (checkBodyShape, before any parse)', () => {
	it('nestingDepth counts brackets outside strings, without recursion', () => {
		expect(nestingDepth(Buffer.from('{"a":{"b":[1,{"c":2}]}}'))).toBe(4);
		expect(nestingDepth(Buffer.from('{"a":"[[[[{{{{\\"]]"}'))).toBe(1);
		const deep = Buffer.from('['.repeat(200_000) + ']'.repeat(200_000));
		expect(nestingDepth(deep, 32)).toBe(33); // stops counting past the limit
	});

	it(`refuses more than ${MAX_NESTING_DEPTH} levels and more than ${MAX_BODY_BYTES} bytes; real events pass`, () => {
		const ok = Buffer.from(JSON.stringify(envelope()));
		expect(checkBodyShape(ok)).toEqual({ ok: true });
		const nested = (levels: number) =>
			Buffer.from('{"data":' + '{"x":'.repeat(levels - 1) + '1' + '}'.repeat(levels - 1) + '}');
		expect(checkBodyShape(nested(MAX_NESTING_DEPTH))).toEqual({ ok: true });
		expect(checkBodyShape(nested(MAX_NESTING_DEPTH + 1))).toMatchObject({
			ok: false,
			reason: 'body_too_deep',
		});
		expect(checkBodyShape(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20))).toMatchObject({
			ok: false,
			reason: 'body_too_large',
		});
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

	it('Event Data: data flattened beside the envelope fields, received_at and state_key', () => {
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
			state_key: 'compliance:crew_001:ves_abc:at_risk:7/8:1:2026-08-01',
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
