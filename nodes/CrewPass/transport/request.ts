import { createHash } from 'crypto';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IAllExecuteFunctions,
	IDataObject,
	IHttpRequestMethods,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';

import {
	CREDENTIAL_NAME,
	CREWPASS_ORIGINS,
	CUSTOM_BASE_URL_PATTERN,
	PRODUCTION_BASE_URL,
	SANDBOX_BASE_URL,
} from '../../../credentials/CrewPassApi.credentials';
import { crewPassApiError, parseErrorResponse, redact, withoutSecret } from './errors';
import { pacerFor } from './pacing';
import { classify, DEFAULT_RETRY_POLICY, type RetryPolicy, type Verdict } from './retry';

export { CREDENTIAL_NAME };
export const MAX_PAGE_SIZE = 200;

/** The context of any node function that may call CrewPass (execute, load options, webhook). */
export type CrewPassContext = Pick<IAllExecuteFunctions, 'getNode' | 'getCredentials' | 'helpers'>;

export interface CrewPassCredentials {
	apiKey: string;
	environment: 'production' | 'sandbox' | 'custom';
	baseUrl?: string;
	webhookSecret?: string;
	previousWebhookSecret?: string;
	rotationGraceEndsAt?: string;
}

/** Tunable by tests and benchmarks; the defaults suit production. */
export const transportSettings: {
	retry: RetryPolicy;
	timeoutMs: number;
	/** Pages one list walk may read before it is refused as endless. */
	maxPages: number;
	/** Redirects one file link may take (each to an allowed CrewPass origin). */
	maxLinkHops: number;
} = {
	retry: { ...DEFAULT_RETRY_POLICY },
	timeoutMs: 30_000,
	maxPages: 1_000,
	maxLinkHops: 5,
};

export interface CrewPassRequestOptions {
	method?: IHttpRequestMethods;
	/** Path segments after `/api/v2/`; each one is checked and percent-encoded on its own. */
	path: string[];
	qs?: IDataObject;
	body?: IDataObject;
	/** Expect bytes (a photo, a file) instead of JSON. */
	binary?: boolean;
	itemIndex?: number;
}

export interface CrewPassResponse<T> {
	body: T;
	headers: IDataObject;
	statusCode: number;
}

/**
 * What a CrewPass id (crew_001, ves_abc, doc_1, prt_123) can be: ASCII letters, digits, `_` and
 * `-`, at most 128. Anything else is refused before a request, so no id depends on how a server
 * or proxy normalises percent-encoding, dots or Unicode.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/** Whether a value can be a CrewPass id (see ID_PATTERN). */
export function isValidId(value: string): boolean {
	return ID_PATTERN.test(value);
}

/** A segment WHATWG URL parsing would treat as "." or "..", even percent-encoded. */
export function isDotSegment(value: string): boolean {
	return /^(\.|%2e){1,2}$/i.test(value);
}

/** `/api/v2/a/b` with every segment encoded: an id can never add, leave or query a path. */
export function apiPath(segments: string[]): string {
	return '/api/v2/' + segments.map((segment) => encodeURIComponent(segment)).join('/');
}

/**
 * The base URL of a Custom environment as an origin, or a reason it is refused: scheme http(s),
 * host and optional port only (trailing slashes allowed); no user info, path, query, fragment,
 * whitespace or backslash.
 */
export function checkCustomBaseUrl(raw: unknown): { origin: string } | { problem: string } {
	const text = typeof raw === 'string' ? raw : '';
	if (!text) return { problem: 'it is empty' };
	if (/[\s\\]/.test(text))
		return { problem: 'it contains whitespace, a line break or a backslash' };
	if (!/^https?:\/\//i.test(text)) return { problem: 'it does not start with http:// or https://' };
	let url: URL;
	try {
		url = new URL(text.replace(/\/+$/, ''));
	} catch {
		return { problem: 'it is not a valid address' };
	}
	const authority = text.replace(/^https?:\/\//i, '').split('/')[0];
	if (url.username || url.password || authority.includes('@')) {
		return { problem: 'it contains user info (user:password@)' };
	}
	if (url.search || url.hash || text.includes('?') || text.includes('#')) {
		return { problem: 'it contains a query (?…) or fragment (#…)' };
	}
	if (url.pathname !== '/' || !/^https?:\/\/[^/]+\/*$/i.test(text)) {
		return { problem: 'it contains a path; the node adds /api/v2/… itself' };
	}
	if (!CUSTOM_BASE_URL_PATTERN.test(text)) {
		return { problem: 'the host has characters other than letters, digits, ".", "-" and ":"' };
	}
	return { origin: url.origin };
}

/** The base URL (an origin, no trailing slash) for a valid credential's environment. */
export function baseUrlOf(credentials: CrewPassCredentials): string {
	if (credentials.environment === 'sandbox') return SANDBOX_BASE_URL;
	if (credentials.environment === 'custom') {
		const checked = checkCustomBaseUrl(credentials.baseUrl);
		return 'origin' in checked ? checked.origin : '';
	}
	return PRODUCTION_BASE_URL;
}

/** The checked credential of a run of requests: its base URL and pacing key. */
export interface CrewPassSession {
	credentials: CrewPassCredentials;
	baseUrl: string;
	pacerKey: string;
}

/**
 * The session of each node run (`ctx`) and item: the credential is read, checked and
 * fingerprinted once, not once per request or page. (In n8n every getCredentials() call resolves
 * the credential through the expression runtime, a measurable cost per page of a long list.)
 * A run's credential cannot change while it runs; a new run has a new context, so an edited
 * credential takes effect with the next execution.
 */
const sessions = new WeakMap<object, Map<number, Promise<CrewPassSession>>>();

export function openSession(ctx: CrewPassContext, itemIndex?: number): Promise<CrewPassSession> {
	let byItem = sessions.get(ctx);
	if (!byItem) {
		byItem = new Map();
		sessions.set(ctx, byItem);
	}
	const key = itemIndex ?? -1;
	let session = byItem.get(key);
	if (!session) {
		session = readSession(ctx, itemIndex);
		byItem.set(key, session);
		// A failed read (a bad Base URL, a key in the wrong mode) is not kept: it is reported each time.
		session.catch(() => byItem.delete(key));
	}
	return session;
}

async function readSession(ctx: CrewPassContext, itemIndex?: number): Promise<CrewPassSession> {
	const credentials = await ctx.getCredentials<CrewPassCredentials>(CREDENTIAL_NAME, itemIndex);
	const fail = (message: string, description: string) =>
		new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
	if (credentials.environment === 'custom') {
		const checked = checkCustomBaseUrl(credentials.baseUrl);
		if ('problem' in checked) {
			throw fail(
				`The Base URL of the CrewPass API credential is not a valid http(s) address: ${checked.problem}`,
				'Enter scheme, host and optional port only, e.g. https://crewpass-proxy.example.com or http://127.0.0.1:4010 for the local sandbox. Nothing was sent.',
			);
		}
	}
	const baseUrl = baseUrlOf(credentials);
	const key = String(credentials.apiKey ?? '');
	if (credentials.environment === 'production' && key.startsWith('cpk_test_')) {
		throw fail(
			'A test key (cpk_test_…) cannot be used with the Production environment',
			'CrewPass would answer partner_mode_mismatch. In the CrewPass API credential choose Environment Sandbox, or enter your cpk_live_ key.',
		);
	}
	if (credentials.environment === 'sandbox' && key.startsWith('cpk_live_')) {
		throw fail(
			'A live key (cpk_live_…) cannot be used with the Sandbox environment',
			'CrewPass would answer partner_mode_mismatch. In the CrewPass API credential choose Environment Production, or enter your cpk_test_ key.',
		);
	}
	const pacerKey = createHash('sha256').update(`${baseUrl}\n${key}`).digest('hex').slice(0, 24);
	return { credentials, baseUrl, pacerKey };
}

function headerValue(headers: IDataObject | undefined, name: string): string | undefined {
	const value = headers?.[name] ?? headers?.[name.toLowerCase()];
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

function bodyText(body: unknown): string {
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
	if (typeof body === 'string') return body;
	return body === undefined || body === null ? '' : JSON.stringify(body);
}

function parseJsonQuietly(body: unknown): unknown {
	try {
		return JSON.parse(bodyText(body));
	} catch {
		return undefined;
	}
}

/** The host a redirect points at (never the full URL: it may carry a token). */
function redirectHost(location: string | undefined, from: string): string {
	if (!location) return 'no Location given';
	try {
		return new URL(location, from).host || 'an address without a host';
	} catch {
		return 'an invalid address';
	}
}

interface SendPlan {
	session: CrewPassSession;
	/** How the request is named in errors: method, path, never a token or a query string. */
	what: string;
	itemIndex?: number;
	returnRedirects?: boolean;
}

/**
 * Sends one request with pacing and retries. `send` performs a single attempt and returns the
 * full response whatever its status; `classify` (retry.ts) decides what each attempt means.
 */
async function withRetries(
	ctx: CrewPassContext,
	plan: SendPlan,
	send: () => Promise<IN8nHttpFullResponse>,
): Promise<IN8nHttpFullResponse> {
	const policy = transportSettings.retry;
	const pacer = pacerFor(plan.session.pacerKey);
	const secret = plan.session.credentials.apiKey;
	// Transient failures (5xx, dropped connections) spend the attempt and wait budgets; waiting
	// for CrewPass's rate limit (429) spends only its own, longer budget.
	let failures = 0;
	let waited = 0;
	let rateLimitWaited = 0;
	for (let attempt = 1; ; attempt++) {
		// Admitted only when the key's token buckets hold a token at the moment of sending.
		for (let paceMs = pacer.acquire(Date.now()); paceMs > 0; paceMs = pacer.acquire(Date.now())) {
			await sleep(paceMs);
		}
		const admittedAt = Date.now();
		let verdict: Verdict<IN8nHttpFullResponse>;
		try {
			verdict = classify({ ok: true, response: await send() }, failures + 1, policy, {
				returnRedirects: plan.returnRedirects,
				parseBody: parseJsonQuietly,
			});
		} catch (error) {
			verdict = classify({ ok: false, error }, failures + 1, policy);
		}
		if (verdict.kind === 'done') return verdict.response;
		if (verdict.kind !== 'retry') throw failureFor(ctx, plan, verdict, secret);
		if (verdict.rateLimited) {
			if (rateLimitWaited + verdict.waitMs > policy.maxRateLimitWaitMs) {
				throw giveUp(ctx, plan, attempt, verdict.problem, rateLimitWaited, [
					`at most ${policy.maxRateLimitWaitMs / 1000} s of waiting for the rate limit`,
					'Other workflows or tools are using the same API key heavily: run this one at another time, or give it its own key.',
				]);
			}
			// Another user of the key drained CrewPass's buckets: every request of this key waits.
			pacer.penalize(verdict.waitMs, Date.now(), admittedAt);
			rateLimitWaited += verdict.waitMs;
			await sleep(verdict.waitMs);
			continue;
		}
		failures++;
		if (failures >= policy.maxAttempts || waited + verdict.waitMs > policy.maxTotalWaitMs) {
			throw giveUp(ctx, plan, attempt, verdict.problem, waited, [
				`at most ${policy.maxAttempts} attempts, ${policy.maxTotalWaitMs / 1000} s of waiting`,
				"CrewPass may be overloaded or unreachable: try again later, or use the node's Retry On Fail setting for a longer wait.",
			]);
		}
		waited += verdict.waitMs;
		await sleep(verdict.waitMs);
	}
}

/** The error for a request whose retries ran out of budget. */
function giveUp(
	ctx: CrewPassContext,
	plan: SendPlan,
	attempts: number,
	problem: string,
	waitedMs: number,
	[budget, advice]: [string, string],
): NodeApiError {
	return new NodeApiError(
		ctx.getNode(),
		{ message: `gave up after ${attempts} attempts; last: ${problem}` },
		{
			message: `CrewPass did not answer successfully after ${attempts} attempts (${plan.what})`,
			description: `Last problem: ${problem}. Retried for ${(waitedMs / 1000).toFixed(1)} s in all (${budget}). ${advice}`,
			itemIndex: plan.itemIndex,
		},
	);
}

/** The error a final (not retried) verdict becomes. */
function failureFor(
	ctx: CrewPassContext,
	plan: SendPlan,
	verdict: Exclude<Verdict<IN8nHttpFullResponse>, { kind: 'done' | 'retry' }>,
	secret: string,
): NodeApiError {
	const { itemIndex, what } = plan;
	if (verdict.kind === 'unreachable') {
		const reason = redact(String((verdict.error as Error)?.message ?? 'unknown error'), secret);
		return new NodeApiError(
			ctx.getNode(),
			{ message: `Could not reach CrewPass: ${reason}` },
			{
				message: `Could not reach CrewPass (${what})`,
				description: `${reason}. Check the Environment / Base URL of the CrewPass API credential and that n8n can reach it.`,
				itemIndex,
			},
		);
	}
	const { response } = verdict;
	const requestId = headerValue(response.headers, 'x-request-id');
	if (verdict.kind === 'redirect') {
		const host = redirectHost(headerValue(response.headers, 'location'), plan.session.baseUrl);
		const error = new NodeApiError(
			ctx.getNode(),
			{ message: `HTTP ${response.statusCode} redirect to ${host}` },
			{
				message: `CrewPass answered HTTP ${response.statusCode}, a redirect to ${host}: API requests never follow redirects (${what})`,
				description: `The API key is only ever sent to ${plan.session.baseUrl}, so the redirect was not followed and nothing was sent to ${host}. A redirect usually means the Environment or Base URL is not quite right (http instead of https, a proxy in between): enter the address CrewPass answers on directly. Request id (X-Request-Id): ${requestId ?? 'none returned'}.`,
				httpCode: String(response.statusCode),
				itemIndex,
			},
		);
		error.context.requestId = requestId;
		return error;
	}
	return crewPassApiError(
		ctx.getNode(),
		parseErrorResponse(response.statusCode, response.body, requestId, secret),
		itemIndex,
		response.statusCode === 404 ? `The address used: ${plan.session.baseUrl}.` : undefined,
	);
}

/** `GET /api/v2/crew/x` → how the request is named in errors (no query, no file token). */
function describeRequest(method: string, url: string): string {
	return redact(`${method} ${url}`);
}

/** A successful JSON answer: the API key cut out should a server echo it, then parsed. */
function jsonBody<T>(ctx: CrewPassContext, response: IN8nHttpFullResponse, plan: SendPlan): T {
	const text = withoutSecret(bodyText(response.body), plan.session.credentials.apiKey);
	if (text.trim() === '') return {} as T;
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		parsed = undefined;
	}
	if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
		throw new NodeApiError(
			ctx.getNode(),
			{ message: 'not a JSON object' },
			{
				message: `CrewPass answered HTTP ${response.statusCode} with something that is not a JSON object (${plan.what})`,
				description:
					'Check the Environment / Base URL of the CrewPass API credential: something other than the CrewPass Partner API (a proxy, a web page) may be answering.',
				httpCode: String(response.statusCode),
				itemIndex: plan.itemIndex,
			},
		);
	}
	return parsed as T;
}

/** One CrewPass API call with the credential's key, full response. */
export async function crewPassRequestFull<T = IDataObject>(
	ctx: CrewPassContext,
	options: CrewPassRequestOptions,
): Promise<CrewPassResponse<T>> {
	const { itemIndex } = options;
	const session = await openSession(ctx, itemIndex);
	const badSegment = options.path.find((segment) => !isValidId(segment));
	if (badSegment !== undefined) {
		throw new NodeOperationError(
			ctx.getNode(),
			badSegment === '' || isDotSegment(badSegment)
				? 'An ID in the request is empty or a dot segment'
				: `"${badSegment.slice(0, 40)}" is not a valid CrewPass ID`,
			{
				description:
					'CrewPass IDs (crew_…, ves_…, doc_…) are letters, digits, "_" and "-" only. Check the ID parameters. Nothing was sent.',
				itemIndex,
			},
		);
	}
	const url = apiPath(options.path);
	const method = options.method ?? 'GET';
	const request: IHttpRequestOptions = {
		method,
		baseURL: session.baseUrl,
		url,
		qs: options.qs,
		headers: {
			Accept: options.binary ? '*/*' : 'application/json',
			// The credential's own authentication (Bearer key), from the session's one read:
			// n8n's authenticated helper would read and resolve the credential again per request.
			Authorization: `Bearer ${session.credentials.apiKey}`,
		},
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// The key goes to the credential's origin only: a 3xx is an error, never followed.
		disableFollowRedirect: true,
		sendCredentialsOnCrossOriginRedirect: false,
		timeout: transportSettings.timeoutMs,
		encoding: 'arraybuffer',
		json: false,
	};
	if (options.body !== undefined) {
		// Serialised here: n8n's client would drop an empty object, and CrewPass wants `{}`.
		request.body = JSON.stringify(options.body);
		request.headers = { ...request.headers, 'Content-Type': 'application/json' };
	}
	const plan: SendPlan = { session, what: describeRequest(method, url), itemIndex };
	const response = await withRetries(
		ctx,
		plan,
		async () => (await ctx.helpers.httpRequest(request)) as IN8nHttpFullResponse,
	);
	const body = options.binary
		? (Buffer.from(response.body as Buffer) as T)
		: jsonBody<T>(ctx, response, plan);
	return { body, headers: response.headers, statusCode: response.statusCode };
}

/** One CrewPass API call with the credential's key; the JSON body. */
export async function crewPassRequest<T = IDataObject>(
	ctx: CrewPassContext,
	options: CrewPassRequestOptions,
): Promise<T> {
	return (await crewPassRequestFull<T>(ctx, options)).body;
}

/**
 * The origins a file link (and each redirect hop of it) may point at: CrewPass's own https
 * origins (production, sandbox) and the credential's own origin (a proxy, the local sandbox).
 */
export function allowedLinkOrigins(baseUrl: string): Set<string> {
	return new Set([...CREWPASS_ORIGINS, new URL(baseUrl).origin]);
}

function linkRefused(
	ctx: CrewPassContext,
	allowed: Set<string>,
	target: URL | undefined,
	hop: number,
	itemIndex?: number,
): NodeOperationError {
	// The origin only: the path of a link is its token.
	const where = !target
		? 'an invalid address'
		: target.origin !== 'null'
			? target.origin
			: `${target.protocol}//${target.host}`;
	return new NodeOperationError(
		ctx.getNode(),
		hop === 0
			? 'Refused to follow a download link that does not point to CrewPass'
			: 'Refused to follow a download link that redirects away from CrewPass',
		{
			description: `A file link${hop ? ' redirect' : ''} may only lead to ${[...allowed].join(', ')}, but it points to ${where}${target?.username || target?.password ? ' (with user info)' : ''}. Nothing was requested from it.`,
			itemIndex,
		},
	);
}

function parseLink(link: string, base?: string): URL | undefined {
	try {
		return new URL(link, base);
	} catch {
		return undefined;
	}
}

/**
 * Follows a CrewPass-hosted file link WITHOUT the API key (the link is the credential), with
 * the same pacing and retries. Redirects are followed by hand, each hop only to an allowed
 * origin (allowedLinkOrigins), at most `transportSettings.maxLinkHops`; the final answer must be
 * a 2xx, else it is an error. Returns the bytes.
 */
export async function crewPassFollowLink(
	ctx: CrewPassContext,
	link: string,
	itemIndex?: number,
): Promise<CrewPassResponse<Buffer>> {
	const session = await openSession(ctx, itemIndex);
	const allowed = allowedLinkOrigins(session.baseUrl);
	const isAllowed = (url: URL | undefined): url is URL =>
		!!url && !url.username && !url.password && allowed.has(url.origin);
	let target = parseLink(link);
	for (let hop = 0; ; hop++) {
		if (!isAllowed(target)) throw linkRefused(ctx, allowed, target, hop, itemIndex);
		const href = target.href;
		const plan: SendPlan = {
			session,
			what: `GET download link on ${target.host}`,
			itemIndex,
			returnRedirects: true,
		};
		const response = await withRetries(
			ctx,
			plan,
			async () =>
				(await ctx.helpers.httpRequest({
					method: 'GET',
					url: href,
					encoding: 'arraybuffer',
					json: false,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					disableFollowRedirect: true,
					sendCredentialsOnCrossOriginRedirect: false,
					timeout: transportSettings.timeoutMs,
				})) as IN8nHttpFullResponse,
		);
		if (response.statusCode >= 200 && response.statusCode < 300) {
			return {
				body: Buffer.from(response.body as Buffer),
				headers: response.headers,
				statusCode: response.statusCode,
			};
		}
		// withRetries returns only 2xx and (here) 3xx answers.
		const location = headerValue(response.headers, 'location');
		if (!location || hop + 1 > transportSettings.maxLinkHops) {
			throw new NodeApiError(
				ctx.getNode(),
				{ message: `HTTP ${response.statusCode} on the download link` },
				{
					message: location
						? `The download link redirected more than ${transportSettings.maxLinkHops} times`
						: `The download link answered HTTP ${response.statusCode} without a Location`,
					description:
						'The file was not saved: what came back is not the file. Run the node again; if it repeats, report it to CrewPass support.',
					httpCode: String(response.statusCode),
					itemIndex,
				},
			);
		}
		target = parseLink(location, href);
	}
}
