import type { IWebhookFunctions } from 'n8n-workflow';

import type { CrewPassCredentials } from '../CrewPass/transport';
import type { OutputMode } from './envelope';
import { parseGraceEnd, type SigningSecrets } from './signature';

export interface TriggerOptions {
	output?: OutputMode;
	fetchLatestDetails?: boolean;
	timestampToleranceSeconds?: number;
	lateRetryHours?: number;
	rememberedEventIds?: number;
	forgetAfterMinutes?: number;
	unknownEvents?: 'ignore' | 'start';
}

export const DEFAULT_TOLERANCE_SECONDS = 300;
/**
 * CrewPass signs a delivery once and retries it with the same timestamp (up to 8 attempts with
 * exponential backoff; the contract gives no schedule). 72 hours covers the 7 waits of a
 * doubling schedule whose first wait is up to 34 minutes (34 min x 127 = 72 h).
 */
export const DEFAULT_LATE_RETRY_HOURS = 72;
export const DEFAULT_REMEMBERED_IDS = 10_000;

/** How long the credential's secrets and the node's parameters are reused without a re-read. */
export const SETUP_CACHE_MS = 10_000;
/**
 * A signature that does not verify under cached secrets re-reads the credential (the secret may
 * just have been changed), at most this often per trigger: a forged flood costs one read per second.
 */
export const MISMATCH_REREAD_MS = 1_000;

/** What one trigger needs for every delivery, read once and reused for SETUP_CACHE_MS. */
export interface TriggerSetup {
	events: ReadonlySet<string>;
	output: OutputMode;
	toleranceSeconds: number;
	lateRetrySeconds: number;
	startUnknown: boolean;
	limits: { maxEntries: number; maxAgeMs: number };
	/** Set when an option value is unusable: our configuration problem (answered 500). */
	problem?: string;
	secrets: SigningSecrets;
	/** The credential's name, for log lines. */
	credentialName: string;
	readAtMs: number;
}

/** Invalid option values are our configuration problem: answered 500 so CrewPass retries. */
export function optionProblem(options: TriggerOptions): string | undefined {
	const tolerance = options.timestampToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
	if (!Number.isFinite(tolerance) || tolerance < 1)
		return 'Timestamp Tolerance must be at least 1 second';
	const late = options.lateRetryHours ?? DEFAULT_LATE_RETRY_HOURS;
	if (!Number.isFinite(late) || late < 0) return 'Accept Late Retries For must be 0 or more hours';
	const remembered = options.rememberedEventIds ?? DEFAULT_REMEMBERED_IDS;
	if (!Number.isInteger(remembered) || remembered < 1)
		return 'Remembered Event IDs must be a whole number of at least 1';
	const forget = options.forgetAfterMinutes ?? 0;
	if (!Number.isFinite(forget) || forget < 0)
		return 'Forget Event IDs After must be 0 or more minutes';
	return undefined;
}

interface CacheEntry {
	fingerprint: string;
	setup: TriggerSetup;
}

const cache = new Map<string, CacheEntry>();

/** Forgets every cached setup (tests; a restart does it too). */
export function resetSetupCache(): void {
	cache.clear();
}

function cacheKey(ctx: IWebhookFunctions): string {
	const node = ctx.getNode();
	const credentialId = node.credentials?.crewPassApi?.id ?? '';
	return `${ctx.getWorkflow().id ?? ''}\u0000${node.id}\u0000${credentialId}`;
}

async function readSetup(ctx: IWebhookFunctions, nowMs: number): Promise<TriggerSetup> {
	const events = ctx.getNodeParameter('events', []) as string[];
	const options = ctx.getNodeParameter('options', {}) as TriggerOptions;
	const credentials = await ctx.getCredentials<CrewPassCredentials>('crewPassApi');
	return {
		events: new Set(events),
		output: options.output ?? 'eventData',
		toleranceSeconds: options.timestampToleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS,
		lateRetrySeconds: (options.lateRetryHours ?? DEFAULT_LATE_RETRY_HOURS) * 3600,
		startUnknown: options.unknownEvents === 'start',
		limits: {
			maxEntries: options.rememberedEventIds ?? DEFAULT_REMEMBERED_IDS,
			maxAgeMs: Math.max(0, options.forgetAfterMinutes ?? 0) * 60_000,
		},
		problem: optionProblem(options),
		secrets: {
			current: credentials.webhookSecret || undefined,
			previous: credentials.previousWebhookSecret || undefined,
			previousValidUntilMs: parseGraceEnd(credentials.rotationGraceEndsAt),
		},
		credentialName: ctx.getNode().credentials?.crewPassApi?.name ?? 'crewPassApi',
		readAtMs: nowMs,
	};
}

/**
 * The trigger's parameters and secrets. n8n's credentials helper starts an expression isolate on
 * every credential read in webhook() (about half of n8n's CPU per delivery), so the result is
 * reused for SETUP_CACHE_MS per workflow + node + credential, and re-read at once when the
 * node's parameters change. `fresh` forces a re-read. A setup without a webhook secret is never
 * cached: adding the secret takes effect on the next delivery.
 */
export async function triggerSetup(
	ctx: IWebhookFunctions,
	nowMs: number,
	fresh = false,
): Promise<TriggerSetup> {
	const key = cacheKey(ctx);
	const fingerprint = JSON.stringify(ctx.getNode().parameters);
	const cached = cache.get(key);
	if (
		!fresh &&
		cached &&
		cached.fingerprint === fingerprint &&
		nowMs - cached.setup.readAtMs < SETUP_CACHE_MS &&
		nowMs >= cached.setup.readAtMs
	) {
		return cached.setup;
	}
	const setup = await readSetup(ctx, nowMs);
	if (setup.secrets.current) cache.set(key, { fingerprint, setup });
	else cache.delete(key);
	return setup;
}
