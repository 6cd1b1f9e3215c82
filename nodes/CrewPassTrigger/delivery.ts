import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { CrewPassCredentials } from '../CrewPass/transport';
import { dedupeStoreFor } from './dedupe';
import type { DedupeLimits } from './dedupe';
import { eventToJson, headerOf, parseBody, validateEnvelope, type OutputMode } from './envelope';
import { parseGraceEnd, SIGNATURE_FAILURE_MESSAGES, verifyDelivery } from './signature';

/** The parts of n8n's (express) request the trigger reads. */
interface DeliveryRequest {
	headers: Record<string, string | string[] | undefined>;
	rawBody?: Buffer;
	readRawBody?: () => Promise<void>;
}

/** The parts of n8n's (express) response the trigger writes. */
interface DeliveryResponse {
	headersSent?: boolean;
	status(code: number): DeliveryResponse;
	json(body: unknown): unknown;
}

export interface TriggerOptions {
	output?: OutputMode;
	fetchLatestDetails?: boolean;
	timestampToleranceSeconds?: number;
	rememberedEventIds?: number;
	forgetAfterMinutes?: number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_REMEMBERED_IDS = 10_000;
/** At most this many remembered ids are copied into workflow static data (one JSON blob). */
export const PERSISTED_IDS_LIMIT = 1_000;
export const STATIC_DATA_KEY = 'crewPassRecentEventIds';

/** What a delivery came to; tests and logs read it, CrewPass only sees the HTTP answer. */
export type DeliveryOutcome =
	| 'accepted'
	| 'duplicate'
	| 'ignored'
	| 'unauthorized'
	| 'rejected'
	| 'error';

function answer(res: DeliveryResponse, status: number, body: IDataObject): IWebhookResponseData {
	if (!res.headersSent) res.status(status).json(body);
	return { noWebhookResponse: true };
}

function dedupeLimits(options: TriggerOptions): DedupeLimits {
	return {
		maxEntries: options.rememberedEventIds ?? DEFAULT_REMEMBERED_IDS,
		maxAgeMs: Math.max(0, options.forgetAfterMinutes ?? 0) * 60_000,
	};
}

/** Invalid option values are our configuration problem: answered 500 so CrewPass retries. */
function optionProblem(options: TriggerOptions): string | undefined {
	const tolerance = options.timestampToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (!Number.isFinite(tolerance) || tolerance < 1)
		return 'Timestamp Tolerance must be at least 1 second';
	const remembered = options.rememberedEventIds ?? DEFAULT_REMEMBERED_IDS;
	if (!Number.isInteger(remembered) || remembered < 1)
		return 'Remembered Event IDs must be a whole number of at least 1';
	const forget = options.forgetAfterMinutes ?? 0;
	if (!Number.isFinite(forget) || forget < 0)
		return 'Forget Event IDs After must be 0 or more minutes';
	return undefined;
}

/**
 * Handles one delivery. Every path answers deliberately: 401 (not genuine), 400 (genuine but
 * malformed), 200 duplicate / ignored (nothing starts), or the event as workflow data.
 */
export async function handleDelivery(
	ctx: IWebhookFunctions,
	nowMs: () => number = Date.now,
): Promise<{ result: IWebhookResponseData; outcome: DeliveryOutcome; reason?: string }> {
	const req = ctx.getRequestObject() as unknown as DeliveryRequest;
	const res = ctx.getResponseObject() as unknown as DeliveryResponse;
	const selectedEvents = ctx.getNodeParameter('events', []) as string[];
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;

	const problem = optionProblem(options);
	if (problem) {
		return {
			result: answer(res, 500, { error: 'receiver_misconfigured', message: problem }),
			outcome: 'error',
			reason: 'receiver_misconfigured',
		};
	}

	const credentials = await ctx.getCredentials<CrewPassCredentials>('crewPassApi');
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') {
		await req.readRawBody();
	}
	const rawBody = Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0);
	const headers = req.headers ?? {};

	// 1. Genuine? Verified on the exact bytes received.
	const verified = verifyDelivery({
		signature: headerOf(headers, 'x-crewpass-signature'),
		timestamp: headerOf(headers, 'x-crewpass-timestamp'),
		rawBody,
		secrets: {
			current: credentials.webhookSecret || undefined,
			previous: credentials.previousWebhookSecret || undefined,
			previousValidUntilMs: parseGraceEnd(credentials.rotationGraceEndsAt),
		},
		toleranceSeconds: options.timestampToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
		nowMs: nowMs(),
	});
	if (!verified.ok) {
		return {
			result: answer(res, 401, {
				error: verified.reason,
				message: SIGNATURE_FAILURE_MESSAGES[verified.reason],
			}),
			outcome: 'unauthorized',
			reason: verified.reason,
		};
	}

	// 2. Well-formed and consistent with its headers?
	const parsed = parseBody(rawBody);
	if (!parsed.ok) {
		return {
			result: answer(res, 400, { error: 'body_not_json', message: 'The body is not valid JSON' }),
			outcome: 'rejected',
			reason: 'body_not_json',
		};
	}
	const checked = validateEnvelope(parsed.body, {
		eventId: headerOf(headers, 'x-crewpass-event-id'),
		eventType: headerOf(headers, 'x-crewpass-event-type'),
		schemaVersion: headerOf(headers, 'x-crewpass-schema-version'),
	});
	if (!checked.ok) {
		return {
			result: answer(res, 400, { error: checked.reason, message: checked.message }),
			outcome: 'rejected',
			reason: checked.reason,
		};
	}
	const envelope = checked.envelope;

	// 3. Wanted?
	if (!selectedEvents.includes(envelope.event_type)) {
		return {
			result: answer(res, 200, { status: 'ignored', reason: 'event_type_not_selected' }),
			outcome: 'ignored',
			reason: 'event_type_not_selected',
		};
	}

	// 4. New? Check-and-record is synchronous: atomic within this process.
	const now = nowMs();
	const staticData = ctx.getWorkflowStaticData('node');
	const key = `${ctx.getWorkflow().id ?? ''}\u0000${ctx.getNode().id}\u0000${ctx.getMode()}`;
	const limits = dedupeLimits(options);
	const registered = dedupeStoreFor(key, limits, now, () => {
		const saved = staticData[STATIC_DATA_KEY] as IDataObject | undefined;
		return saved?.entries;
	});
	const { store } = registered;
	const persist = () => {
		staticData[STATIC_DATA_KEY] = {
			version: 1,
			entries: store.snapshot(Math.min(limits.maxEntries, PERSISTED_IDS_LIMIT)),
		};
	};
	const isNew = store.checkAndRecord(envelope.event_id, now);
	if (!isNew) {
		// No execution starts on this path, so n8n saves what is written here.
		if (registered.persistedRevision !== store.revision) {
			persist();
			registered.persistedRevision = store.revision;
		}
		return {
			result: answer(res, 200, { status: 'duplicate', event_id: envelope.event_id }),
			outcome: 'duplicate',
		};
	}

	try {
		const json = eventToJson(envelope, options.output ?? 'eventData', new Date(now).toISOString(), {
			timestamp: verified.timestamp,
			verifiedWith: verified.verifiedWith,
		});
		// Saved by n8n before 2.20; from 2.20 on n8n drops static data written on a path that
		// starts an execution, so these ids are saved by the next duplicate delivery (measured
		// in n8n 2.41.1: test/e2e/restart.e2e.mjs).
		persist();
		return {
			result: { workflowData: [[{ json, pairedItem: { item: 0 } }]] },
			outcome: 'accepted',
		};
	} catch (error) {
		// Not handed to n8n after all: forget it, so CrewPass's retry is accepted.
		store.forget(envelope.event_id);
		return {
			result: answer(res, 500, { error: 'internal_error' }),
			outcome: 'error',
			reason: error instanceof Error ? error.name : 'unknown',
		};
	}
}
