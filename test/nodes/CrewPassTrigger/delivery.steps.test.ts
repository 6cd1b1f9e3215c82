import type { TriggerSetup } from '../../../nodes/CrewPassTrigger/config';
import { DedupeStore } from '../../../nodes/CrewPassTrigger/dedupe';
import {
	checkDuplicate,
	checkEnvelope,
	checkSetup,
	checkSignature,
	checkWanted,
} from '../../../nodes/CrewPassTrigger/delivery';
import { ALL_EVENTS, envelope, SECRET, signedDelivery } from './fixtures';

const NOW = Date.now();

function setup(overrides: Partial<TriggerSetup> = {}): TriggerSetup {
	return {
		events: new Set(ALL_EVENTS),
		output: 'eventData',
		toleranceSeconds: 300,
		lateRetrySeconds: 72 * 3600,
		startUnknown: false,
		limits: { maxEntries: 100, maxAgeMs: 0 },
		secrets: { current: SECRET },
		credentialName: 'CrewPass account',
		readAtMs: NOW,
		readOrder: 0,
		...overrides,
	};
}

/** A delivery as n8n hands it over: lower-case header names. */
function delivery(event = envelope(), options: Parameters<typeof signedDelivery>[1] = {}) {
	const d = signedDelivery(event, options);
	const headers = Object.fromEntries(
		Object.entries(d.headers).map(([name, value]) => [name.toLowerCase(), value]),
	);
	return { rawBody: d.body, headers };
}

describe('handleDelivery steps, each a small function returning an outcome', () => {
	it('checkSetup: no secret → 503 (retried), a bad option → 500, both with generic bodies and a warn line', () => {
		expect(checkSetup(setup())).toBeUndefined();
		expect(checkSetup(setup({ secrets: {} }))).toMatchObject({
			status: 503,
			body: { error: 'temporarily_unavailable' },
			reason: 'webhook_secret_missing',
			log: { level: 'warn' },
		});
		expect(checkSetup(setup({ problem: 'x' }))).toMatchObject({
			status: 500,
			body: { error: 'internal_error' },
			log: { level: 'warn' },
		});
	});

	it('checkSignature: fresh, late (inside the window) and refused', () => {
		expect(checkSignature(setup(), delivery(), NOW)).toMatchObject({ ok: true, late: false });
		const late = delivery(envelope(), { timestamp: String(Math.floor(NOW / 1000) - 7200) });
		expect(checkSignature(setup(), late, NOW)).toMatchObject({ ok: true, late: true });
		expect(checkSignature(setup({ lateRetrySeconds: 0 }), late, NOW)).toEqual({
			ok: false,
			reason: 'timestamp_outside_tolerance',
		});
		expect(checkSignature(setup(), delivery(envelope(), { secret: 'x' }), NOW)).toEqual({
			ok: false,
			reason: 'signature_mismatch',
		});
	});

	it('checkEnvelope: an envelope, a novelty, or a refusal', () => {
		expect(checkEnvelope(delivery())).toMatchObject({ ok: true, novelty: undefined });
		expect(checkEnvelope(delivery(envelope(undefined, { event_type: 'crew.x.y' })))).toMatchObject({
			ok: true,
			novelty: 'event_type_unknown',
		});
		expect(checkEnvelope(delivery(envelope(undefined, { event_id: 7 })))).toMatchObject({
			ok: false,
			refusal: { status: 400, reason: 'event_id_invalid' },
		});
		const deep = delivery(envelope(), { body: Buffer.from('['.repeat(100) + ']'.repeat(100)) });
		expect(checkEnvelope(deep)).toMatchObject({
			ok: false,
			refusal: { status: 400, reason: 'body_too_deep', log: { level: 'warn' } },
		});
	});

	it('checkWanted: unknown → ignored unless started; not selected → ignored', () => {
		const known = envelope('crew.status.changed') as never;
		expect(checkWanted(setup(), known, undefined)).toBeUndefined();
		expect(checkWanted(setup(), known, 'event_type_unknown')).toMatchObject({
			status: 200,
			body: { status: 'ignored', reason: 'event_type_unknown' },
			log: { level: 'info' },
		});
		expect(checkWanted(setup({ startUnknown: true }), known, 'event_type_unknown')).toBeUndefined();
		const documentsOnly = new Set(['crew.document.processed']);
		expect(checkWanted(setup({ events: documentsOnly }), known, undefined)).toMatchObject({
			status: 200,
			body: { reason: 'event_type_not_selected' },
		});
		// a new schema version of a known type is started only when that type is selected
		expect(
			checkWanted(
				setup({ events: documentsOnly, startUnknown: true }),
				known,
				'schema_version_unknown',
			),
		).toMatchObject({ body: { reason: 'event_type_not_selected' } });
	});

	it('checkDuplicate: the first sight passes, every later one is a 200 duplicate', () => {
		const store = new DedupeStore({ maxEntries: 10 });
		expect(checkDuplicate(store, 'evt_1', 1)).toBeUndefined();
		expect(checkDuplicate(store, 'evt_1', 2)).toMatchObject({
			status: 200,
			body: { status: 'duplicate', event_id: 'evt_1' },
			outcome: 'duplicate',
		});
	});
});
