import type { INode, IWebhookFunctions } from 'n8n-workflow';

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
 * Reads of the credential that signature mismatches may start, per trigger: this many at once,
 * then one more each REREAD_REFILL_MS. A forged flood costs a read a second at most; a mismatch
 * beyond the allowance is answered 503 (CrewPass retries), never 401.
 */
export const REREAD_BURST = 5;
export const REREAD_REFILL_MS = 1_000;

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
	/** Where the read began in this process's order of arrivals and reads (see arrivalMark). */
	readOrder: number;
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

/**
 * Orders the deliveries and credential reads of this process: a read that began after a delivery
 * arrived saw every credential change saved before the delivery was sent. Only such a read may
 * refuse a signature as not matching any configured secret.
 */
let sequence = 0;

/** Marks a delivery's arrival (call it first): reads that begin later carry a higher mark. */
export function arrivalMark(): number {
	return ++sequence;
}

/** Whether a setup was read after the delivery that arrived at `arrival` (so it can refuse it). */
export function readAfter(setup: Pick<TriggerSetup, 'readOrder'>, arrival: number): boolean {
	return setup.readOrder > arrival;
}

interface SetupRead {
	fingerprint: string;
	startedAt: number;
	promise: Promise<TriggerSetup>;
}

/** A read that starts when the one in flight has settled, shared by every delivery that joins it. */
interface QueuedRead {
	fingerprint: string;
	/** The context and clock of the delivery that joined last (any joiner's would do). */
	ctx: IWebhookFunctions;
	nowMs: number;
	promise: Promise<TriggerSetup>;
}

/** The re-reads mismatches may still start (REREAD_BURST, refilled one per REREAD_REFILL_MS). */
export interface RereadAllowance {
	tokens: number;
	atMs: number;
}

interface TriggerState {
	/** The last completed read that has a webhook secret (a setup without one is never reused). */
	cached?: { fingerprint: string; setup: TriggerSetup };
	reading?: SetupRead;
	queued?: QueuedRead;
	rereads: RereadAllowance;
}

const states = new Map<string, TriggerState>();

/** Forgets every cached setup (tests; a restart does it too). */
export function resetSetupCache(): void {
	states.clear();
}

/** A webhook call's node and its parameters' fingerprint, read once per call (per context). */
interface CallNode {
	node: INode;
	fingerprint: string;
}

const callNodes = new WeakMap<object, CallNode>();

/**
 * The node of this webhook call. n8n deep-copies the node on every getNode(), so a delivery reads
 * it once; its parameters' fingerprint (JSON) tells a cached setup from a changed node.
 */
export function callNode(ctx: Pick<IWebhookFunctions, 'getNode'>): CallNode {
	let call = callNodes.get(ctx);
	if (!call) {
		const node = ctx.getNode();
		call = { node, fingerprint: JSON.stringify(node.parameters) };
		callNodes.set(ctx, call);
	}
	return call;
}

function cacheKey(ctx: IWebhookFunctions): string {
	const { node } = callNode(ctx);
	const credentialId = node.credentials?.crewPassApi?.id ?? '';
	return `${ctx.getWorkflow().id ?? ''}\u0000${node.id}\u0000${credentialId}`;
}

async function readSetup(
	ctx: IWebhookFunctions,
	nowMs: number,
	readOrder: number,
): Promise<TriggerSetup> {
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
		credentialName: callNode(ctx).node.credentials?.crewPassApi?.name ?? 'crewPassApi',
		readAtMs: nowMs,
		readOrder,
	};
}

function stateOf(ctx: IWebhookFunctions): TriggerState {
	const key = cacheKey(ctx);
	let state = states.get(key);
	if (!state) {
		state = { rereads: { tokens: REREAD_BURST, atMs: Number.NEGATIVE_INFINITY } };
		states.set(key, state);
	}
	return state;
}

/** Takes one re-read from the allowance, refilled up to `nowMs`; false when none is left. */
export function takeReread(allowance: RereadAllowance, nowMs: number): boolean {
	const refill = Math.max(0, nowMs - allowance.atMs) / REREAD_REFILL_MS;
	allowance.tokens = Math.min(REREAD_BURST, allowance.tokens + refill);
	allowance.atMs = Math.max(allowance.atMs, nowMs);
	if (allowance.tokens < 1) return false;
	allowance.tokens -= 1;
	return true;
}

/** Starts a read now; its result becomes the cached setup unless a later read already did. */
function startRead(
	state: TriggerState,
	ctx: IWebhookFunctions,
	fingerprint: string,
	nowMs: number,
): SetupRead {
	const startedAt = ++sequence;
	const read: SetupRead = { fingerprint, startedAt, promise: readSetup(ctx, nowMs, startedAt) };
	state.reading = read;
	const settled = () => {
		if (state.reading === read) state.reading = undefined;
	};
	read.promise.then((setup) => {
		settled();
		if (state.cached && state.cached.setup.readOrder > startedAt) return;
		state.cached = setup.secrets.current ? { fingerprint, setup } : undefined;
	}, settled);
	return read;
}

/**
 * The trigger's parameters and secrets. n8n's credentials helper starts an expression isolate on
 * every credential read in webhook() (about half of n8n's CPU per delivery), so the result is
 * reused for SETUP_CACHE_MS per workflow + node + credential, and re-read at once when the
 * node's parameters change. Deliveries arriving while a read is in flight share it. A setup
 * without a webhook secret is never reused: adding the secret takes effect on the next delivery.
 */
export async function triggerSetup(ctx: IWebhookFunctions, nowMs: number): Promise<TriggerSetup> {
	const state = stateOf(ctx);
	const { fingerprint } = callNode(ctx);
	const cached = state.cached;
	if (
		cached &&
		cached.fingerprint === fingerprint &&
		nowMs - cached.setup.readAtMs < SETUP_CACHE_MS &&
		nowMs >= cached.setup.readAtMs
	) {
		return cached.setup;
	}
	if (state.reading?.fingerprint === fingerprint) return await state.reading.promise;
	return await startRead(state, ctx, fingerprint, nowMs).promise;
}

/**
 * A setup read after the delivery that arrived at `arrival`: the one to judge a signature that
 * matches none of the secrets read earlier (the credential may have changed in between). Reuses
 * a read that already began after the arrival, or joins the one read queued behind the read in
 * flight, so simultaneous mismatches share one read between them. A new read takes one from the
 * re-read allowance; with none left the answer is undefined: the delivery cannot be judged now.
 */
export async function setupReadAfter(
	ctx: IWebhookFunctions,
	nowMs: number,
	arrival: number,
): Promise<TriggerSetup | undefined> {
	const state = stateOf(ctx);
	const { fingerprint } = callNode(ctx);
	const cached = state.cached;
	if (cached && cached.fingerprint === fingerprint && readAfter(cached.setup, arrival)) {
		return cached.setup;
	}
	const reading = state.reading;
	if (reading && reading.fingerprint === fingerprint && reading.startedAt > arrival) {
		return await reading.promise;
	}
	const queued = state.queued;
	if (reading && queued && queued.fingerprint === fingerprint) {
		queued.ctx = ctx;
		queued.nowMs = nowMs;
		return await queued.promise;
	}
	if (!takeReread(state.rereads, nowMs)) return undefined;
	if (!reading) return await startRead(state, ctx, fingerprint, nowMs).promise;
	const next: QueuedRead = {
		fingerprint,
		ctx,
		nowMs,
		promise: reading.promise
			.then(
				() => undefined,
				() => undefined,
			)
			.then(async () => {
				if (state.queued === next) state.queued = undefined;
				return await startRead(state, next.ctx, fingerprint, next.nowMs).promise;
			}),
	};
	state.queued = next;
	return await next.promise;
}
