import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import {
	arrivalMark,
	callNode,
	readAfter,
	REREAD_BURST,
	setupReadAfter,
	triggerSetup,
	type TriggerSetup,
} from './config';
import {
	decodeSavedIds,
	dedupeKey,
	dedupeStoreFor,
	PROCESS_TOKEN,
	savedIdsStamp,
	type DedupeStore,
	type RegisteredStore,
} from './dedupe';
import {
	checkBodyShape,
	eventToJson,
	headerOf,
	isKnownEventType,
	MAX_BODY_BYTES,
	parseBody,
	validateEnvelope,
	type CrewPassEnvelope,
} from './envelope';
import { watchHandOff, type HandOffResponse } from './handOff';
import { SIGNATURE_FAILURE_MESSAGES, verifyDelivery, type SignatureResult } from './signature';

export {
	DEFAULT_LATE_RETRY_HOURS,
	DEFAULT_REMEMBERED_IDS,
	DEFAULT_TOLERANCE_SECONDS,
	type TriggerOptions,
} from './config';

/** At most this many remembered ids are copied into workflow static data (one JSON string). */
export const PERSISTED_IDS_LIMIT = 1_000;
export const STATIC_DATA_KEY = 'crewPassRecentEventIds';

/** The parts of n8n's (express) request the trigger reads. */
interface DeliveryRequest {
	headers: Record<string, string | string[] | undefined>;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

/** The parts of n8n's (express) response the trigger writes and watches. */
interface DeliveryResponse extends HandOffResponse {
	headersSent?: boolean;
	status(code: number): DeliveryResponse;
	json(body: unknown): unknown;
}

/** What a delivery came to; tests and logs read it, CrewPass only sees the HTTP answer. */
export type DeliveryOutcome =
	| 'accepted'
	| 'duplicate'
	| 'ignored'
	| 'unauthorized'
	| 'rejected'
	| 'not_ready'
	| 'error';

type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A step that ends the delivery: the HTTP answer, and what n8n's log gets. */
export interface Refusal {
	status: number;
	body: IDataObject;
	outcome: Exclude<DeliveryOutcome, 'accepted'>;
	reason: string;
	log?: { level: LogLevel; message: string };
}

export interface Delivery {
	rawBody: Buffer;
	headers: Record<string, string | string[] | undefined>;
}

/** The generic bodies: none says which check failed. */
const UNAUTHORIZED = { error: 'unauthorized' };
const NOT_READY = { error: 'temporarily_unavailable' };
const INTERNAL = { error: 'internal_error' };

function refuse(
	status: number,
	body: IDataObject,
	outcome: Refusal['outcome'],
	reason: string,
	log?: Refusal['log'],
): Refusal {
	return { status, body, outcome, reason, log };
}

// ---- Step 1: read the delivery -------------------------------------------------------------

async function readDelivery(ctx: IWebhookFunctions): Promise<Delivery> {
	const req = ctx.getRequestObject() as unknown as DeliveryRequest;
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') {
		await req.readRawBody();
	}
	return {
		rawBody: Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0),
		headers: req.headers ?? {},
	};
}

// ---- Step 2: our own configuration ---------------------------------------------------------

/** Ours to fix, never CrewPass's: answered 5xx so CrewPass retries while it is fixed. */
export function checkSetup(setup: TriggerSetup): Refusal | undefined {
	if (!setup.secrets.current) {
		return refuse(503, NOT_READY, 'not_ready', 'webhook_secret_missing', {
			level: 'warn',
			message: `the credential "${setup.credentialName}" has no Webhook Signing Secret: put the secret CrewPass issued into it. Deliveries are answered 503 until then, so CrewPass retries them`,
		});
	}
	if (setup.problem) {
		return refuse(500, INTERNAL, 'error', 'receiver_misconfigured', {
			level: 'warn',
			message: `an option is invalid (${setup.problem}); deliveries are answered 500 until it is fixed, so CrewPass retries them`,
		});
	}
	return undefined;
}

// ---- Step 3: genuine? ----------------------------------------------------------------------

export function checkSignature(
	setup: TriggerSetup,
	delivery: Delivery,
	nowMs: number,
): SignatureResult {
	return verifyDelivery({
		signature: headerOf(delivery.headers, 'x-crewpass-signature'),
		timestamp: headerOf(delivery.headers, 'x-crewpass-timestamp'),
		rawBody: delivery.rawBody,
		secrets: setup.secrets,
		toleranceSeconds: setup.toleranceSeconds,
		lateRetrySeconds: setup.lateRetrySeconds,
		nowMs,
	});
}

function unauthorized(reason: keyof typeof SIGNATURE_FAILURE_MESSAGES): Refusal {
	return refuse(401, UNAUTHORIZED, 'unauthorized', reason, {
		level: 'debug',
		message: `refused a delivery as not genuine (401): ${SIGNATURE_FAILURE_MESSAGES[reason]}`,
	});
}

// ---- Step 4: a CrewPass event? -------------------------------------------------------------

export type EnvelopeStep =
	| { ok: true; envelope: CrewPassEnvelope; novelty?: string; log?: Refusal['log'] }
	| { ok: false; refusal: Refusal };

/** The verified bytes as an envelope: depth cap, JSON, envelope fields. Pure. */
export function checkEnvelope(delivery: Delivery): EnvelopeStep {
	const shape = checkBodyShape(delivery.rawBody);
	if (!shape.ok) {
		const status = shape.reason === 'body_too_large' ? 413 : 400;
		return {
			ok: false,
			refusal: refuse(status, { error: shape.reason }, 'rejected', shape.reason, {
				level: 'warn',
				message: `refused a signed delivery (${status}): ${shape.message}; no real CrewPass event comes close`,
			}),
		};
	}
	const parsed = parseBody(delivery.rawBody);
	if (!parsed.ok) {
		return {
			ok: false,
			refusal: refuse(400, { error: 'body_not_json' }, 'rejected', 'body_not_json', {
				level: 'warn',
				message: 'refused a signed delivery (400): the body is not JSON',
			}),
		};
	}
	const checked = validateEnvelope(parsed.body, {
		eventId: headerOf(delivery.headers, 'x-crewpass-event-id'),
		eventType: headerOf(delivery.headers, 'x-crewpass-event-type'),
		schemaVersion: headerOf(delivery.headers, 'x-crewpass-schema-version'),
	});
	if (!checked.ok) {
		return {
			ok: false,
			refusal: refuse(
				400,
				{ error: checked.reason, message: checked.message },
				'rejected',
				checked.reason,
				{ level: 'warn', message: `refused a signed delivery (400): ${checked.message}` },
			),
		};
	}
	const log = checked.disagreements.length
		? {
				level: 'warn' as const,
				message: `event ${checked.envelope.event_id}: the unsigned header(s) ${checked.disagreements.join(', ')} disagree with the signed body; the body was used`,
			}
		: undefined;
	return { ok: true, envelope: checked.envelope, novelty: checked.novelty, log };
}

// ---- Step 5: wanted? -----------------------------------------------------------------------

/**
 * Unknown types and versions, and types not selected: 200, nothing starts. A new schema version
 * of a known type still has to be selected. Pure.
 */
export function checkWanted(
	setup: TriggerSetup,
	envelope: CrewPassEnvelope,
	novelty: string | undefined,
): Refusal | undefined {
	const selected = setup.events.has(envelope.event_type);
	if (
		novelty &&
		!(novelty === 'schema_version_unknown' && isKnownEventType(envelope.event_type) && !selected)
	) {
		if (setup.startUnknown) return undefined;
		return refuse(200, { status: 'ignored', reason: novelty }, 'ignored', novelty, {
			level: 'info',
			message: `event ${envelope.event_id} (${envelope.event_type}, schema_version ${String(envelope.schema_version)}) is not one this node version knows: answered 200 and nothing started. Set Options → Unknown Event Types and Schema Versions to "Start the Workflow" to receive such events`,
		});
	}
	if (!selected) {
		return refuse(
			200,
			{ status: 'ignored', reason: 'event_type_not_selected' },
			'ignored',
			'event_type_not_selected',
		);
	}
	return undefined;
}

// ---- Step 6: new? --------------------------------------------------------------------------

/** Check-and-record, synchronous: atomic within this process. Pure over the store. */
export function checkDuplicate(
	store: DedupeStore,
	eventId: string,
	nowMs: number,
): Refusal | undefined {
	if (store.checkAndRecord(eventId, nowMs)) return undefined;
	return refuse(200, { status: 'duplicate', event_id: eventId }, 'duplicate', 'duplicate');
}

/**
 * checkDuplicate, and for a copy of an event whose first delivery n8n has not answered yet: wait
 * for that answer. Handed off = duplicate; not handed off = the id was forgotten, check again
 * (one waiting copy then records it and is handed off in its place).
 */
export async function checkNew(
	memory: RegisteredStore,
	eventId: string,
	nowMs: () => number,
): Promise<Refusal | undefined> {
	for (;;) {
		const duplicate = checkDuplicate(memory.store, eventId, nowMs());
		if (!duplicate) return undefined;
		const pending = memory.handOffs.get(eventId);
		if (!pending || (await pending)) return duplicate;
	}
}

/**
 * This trigger's memory in this process. Production deliveries also learn the ids that
 * executions saved in workflow static data (from execute(), before a restart or in another
 * process), merged whenever the saved copy changed; nothing is written here (n8n would drop a
 * write on a path that starts an execution, and a write per delivery costs a save per delivery).
 */
function memoryFor(ctx: IWebhookFunctions, setup: TriggerSetup, nowMs: number): RegisteredStore {
	const mode = ctx.getMode();
	const key = dedupeKey(ctx.getWorkflow().id, callNode(ctx).node.id, mode);
	if (mode === 'manual') return dedupeStoreFor(key, setup.limits, nowMs, () => []);
	const staticData = ctx.getWorkflowStaticData('node');
	const saved = staticData[STATIC_DATA_KEY];
	const registered = dedupeStoreFor(key, setup.limits, nowMs, () => decodeSavedIds(saved).entries);
	const { savedAt, writer } = savedIdsStamp(saved);
	if (registered.mergedSavedAt === -1 || writer === PROCESS_TOKEN) {
		// Just seeded from it, or written by this process from this memory: nothing new in it.
		registered.mergedSavedAt = savedAt;
	} else if (savedAt !== registered.mergedSavedAt) {
		registered.store.mergeUnknown(decodeSavedIds(saved).entries, nowMs);
		registered.mergedSavedAt = savedAt;
	}
	return registered;
}

// ---- The delivery, step by step ------------------------------------------------------------

function log(ctx: IWebhookFunctions, entry: Refusal['log']): void {
	if (!entry) return;
	const where = `CrewPass Trigger "${callNode(ctx).node.name}" (workflow ${ctx.getWorkflow().id ?? '?'})`;
	ctx.logger[entry.level](`${where}: ${entry.message}`);
}

function answer(ctx: IWebhookFunctions, refusal: Refusal): IWebhookResponseData {
	log(ctx, refusal.log);
	const res = ctx.getResponseObject() as unknown as DeliveryResponse;
	if (!res.headersSent) res.status(refusal.status).json(refusal.body);
	return { noWebhookResponse: true };
}

export interface DeliveryResult {
	result: IWebhookResponseData;
	outcome: DeliveryOutcome;
	reason?: string;
}

function ended(ctx: IWebhookFunctions, refusal: Refusal): DeliveryResult {
	return { result: answer(ctx, refusal), outcome: refusal.outcome, reason: refusal.reason };
}

/**
 * Handles one delivery as steps, each ending it with an answer or passing it on: our setup
 * (5xx: CrewPass retries), size cap (413), genuine (401), a CrewPass event (400 only for what
 * no genuine event can be), wanted (200, nothing starts), new (200 duplicate), accepted.
 */
export async function handleDelivery(
	ctx: IWebhookFunctions,
	nowMs: () => number = Date.now,
): Promise<DeliveryResult> {
	const arrival = arrivalMark();
	const delivery = await readDelivery(ctx);
	let now = nowMs();

	let setup: TriggerSetup;
	try {
		setup = await triggerSetup(ctx, now);
	} catch (error) {
		return ended(ctx, credentialUnreadable(error));
	}
	const notReady = checkSetup(setup);
	if (notReady) return ended(ctx, notReady);

	if (delivery.rawBody.length > MAX_BODY_BYTES) {
		// Before the HMAC: hashing a huge body is the cost a flood would aim at.
		return ended(ctx, tooLarge());
	}

	let verified = checkSignature(setup, delivery, now);
	if (!verified.ok && verified.reason === 'signature_mismatch' && !readAfter(setup, arrival)) {
		// The secrets were read before this delivery arrived, and the credential may have changed
		// since: only a read that began after it may refuse it (shared by simultaneous mismatches).
		let fresh: TriggerSetup | undefined;
		try {
			fresh = await setupReadAfter(ctx, now, arrival);
		} catch (error) {
			return ended(ctx, credentialUnreadable(error));
		}
		if (!fresh) return ended(ctx, unconfirmed());
		setup = fresh;
		const again = checkSetup(setup);
		if (again) return ended(ctx, again);
		now = nowMs();
		verified = checkSignature(setup, delivery, now);
	}
	if (!verified.ok) return ended(ctx, unauthorized(verified.reason));

	const read = checkEnvelope(delivery);
	if (!read.ok) return ended(ctx, read.refusal);
	log(ctx, read.log);
	const envelope = read.envelope;

	const unwanted = checkWanted(setup, envelope, read.novelty);
	if (unwanted) return ended(ctx, unwanted);

	now = nowMs();
	const memory = memoryFor(ctx, setup, now);
	const duplicate = await checkNew(memory, envelope.event_id, nowMs);
	if (duplicate) return ended(ctx, duplicate);

	try {
		if (verified.late) {
			log(ctx, {
				level: 'info',
				message: `event ${envelope.event_id}: accepted a retry signed ${Math.round(verified.ageSeconds)} s ago (CrewPass signs a delivery once)`,
			});
		}
		const json = eventToJson(envelope, setup.output, new Date(now).toISOString(), {
			timestamp: verified.timestamp,
			verifiedWith: verified.verifiedWith,
		});
		trackHandOff(ctx, memory, envelope.event_id);
		return {
			result: { workflowData: [[{ json, pairedItem: { item: 0 } }]] },
			outcome: 'accepted',
		};
	} catch (error) {
		// Not handed to n8n after all: forget it, so CrewPass's retry is accepted.
		memory.store.forget(envelope.event_id);
		return ended(
			ctx,
			refuse(500, INTERNAL, 'error', error instanceof Error ? error.name : 'unknown', {
				level: 'warn',
				message: `could not hand event ${envelope.event_id} to n8n; answered 500 so CrewPass retries`,
			}),
		);
	}
}

/**
 * Watches n8n's answer to an accepted delivery: when n8n could not create (or queue) the
 * execution, it answers CrewPass 500 and CrewPass retries, so the id is forgotten for the retry.
 */
function trackHandOff(ctx: IWebhookFunctions, memory: RegisteredStore, eventId: string): void {
	const res = ctx.getResponseObject() as unknown as DeliveryResponse;
	memory.handOffs.track(eventId, watchHandOff(res), () => {
		memory.store.forget(eventId);
		log(ctx, {
			level: 'warn',
			message: `n8n could not start the execution for event ${eventId} (it answered CrewPass ${res.statusCode ?? '?'}); the event id was forgotten, so CrewPass's retry starts it`,
		});
	});
}

/** A mismatch beyond the re-read allowance (a forged flood): not judged, so not 401. */
function unconfirmed(): Refusal {
	return refuse(503, NOT_READY, 'not_ready', 'signature_unconfirmed', {
		level: 'debug',
		message: `answered 503: the signature matches none of the secrets read before the delivery arrived, and the credential's re-reads are at their limit (${REREAD_BURST}, then one a second): a forged flood costs no reads, CrewPass retries a genuine delivery`,
	});
}

function credentialUnreadable(error: unknown): Refusal {
	return refuse(500, INTERNAL, 'error', 'credential_unreadable', {
		level: 'warn',
		message: `could not read the CrewPass credential (${error instanceof Error ? error.message : 'unknown error'}); answered 500 so CrewPass retries`,
	});
}

function tooLarge(): Refusal {
	return refuse(413, { error: 'body_too_large' }, 'rejected', 'body_too_large', {
		level: 'warn',
		message: `refused a delivery (413): the body is larger than ${MAX_BODY_BYTES} bytes; no real CrewPass event comes close`,
	});
}
