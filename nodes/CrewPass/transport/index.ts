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
	PRODUCTION_BASE_URL,
	SANDBOX_BASE_URL,
} from '../../../credentials/CrewPassApi.credentials';
import { crewPassApiError, parseErrorResponse } from './errors';
import { pacerFor } from './pacing';
import {
	backoffMs,
	DEFAULT_RETRY_POLICY,
	networkErrorCode,
	RETRYABLE_STATUS,
	retryAfterMs,
	type RetryPolicy,
} from './retry';

export const CREDENTIAL_NAME = 'crewPassApi';
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
export const transportSettings: { retry: RetryPolicy; timeoutMs: number } = {
	retry: { ...DEFAULT_RETRY_POLICY },
	timeoutMs: 30_000,
};

export interface CrewPassRequestOptions {
	method?: IHttpRequestMethods;
	/** Path segments after `/api/v2/`; each one is percent-encoded on its own. */
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

/** The base URL (no trailing slash) for the credential's environment. */
export function baseUrlOf(credentials: CrewPassCredentials): string {
	if (credentials.environment === 'sandbox') return SANDBOX_BASE_URL;
	if (credentials.environment === 'custom')
		return String(credentials.baseUrl ?? '').replace(/\/+$/, '');
	return PRODUCTION_BASE_URL;
}

/** `/api/v2/a/b` with every segment encoded: an id can never add, leave or query a path. */
export function apiPath(segments: string[]): string {
	return '/api/v2/' + segments.map((segment) => encodeURIComponent(segment)).join('/');
}

/** A segment WHATWG URL parsing would treat as "." or "..", even percent-encoded. */
export function isDotSegment(value: string): boolean {
	return /^(\.|%2e){1,2}$/i.test(value);
}

async function loadCredentials(
	ctx: CrewPassContext,
	itemIndex?: number,
): Promise<{ credentials: CrewPassCredentials; baseUrl: string }> {
	const credentials = await ctx.getCredentials<CrewPassCredentials>(CREDENTIAL_NAME, itemIndex);
	const baseUrl = baseUrlOf(credentials);
	const fail = (message: string, description: string) =>
		new NodeOperationError(ctx.getNode(), message, { description, itemIndex });
	if (!/^https?:\/\/[^/?#]+$/i.test(baseUrl)) {
		throw fail(
			'The Base URL of the CrewPass API credential is not a valid http(s) address',
			'Enter scheme, host and optional port only, e.g. http://127.0.0.1:4010 for the local sandbox.',
		);
	}
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
	return { credentials, baseUrl };
}

function fingerprint(baseUrl: string, apiKey: string): string {
	return createHash('sha256').update(`${baseUrl}\n${apiKey}`).digest('hex').slice(0, 24);
}

/**
 * Sends one request with pacing and retries. `send` performs a single attempt and returns the
 * full response whatever its status; network failures throw.
 */
async function withRetries(
	ctx: CrewPassContext,
	pacerKey: string,
	what: string,
	send: () => Promise<IN8nHttpFullResponse>,
	itemIndex?: number,
): Promise<IN8nHttpFullResponse> {
	const policy = transportSettings.retry;
	const pacer = pacerFor(pacerKey);
	let waited = 0;
	for (let attempt = 1; ; attempt++) {
		// Admitted only when a slot is free at the moment of sending.
		for (let paceMs = pacer.acquire(Date.now()); paceMs > 0; paceMs = pacer.acquire(Date.now())) {
			await sleep(paceMs);
		}

		let response: IN8nHttpFullResponse | undefined;
		let lastProblem: string;
		let waitMs: number;
		try {
			response = await send();
		} catch (error) {
			const code = networkErrorCode(error);
			if (!code) {
				throw new NodeApiError(
					ctx.getNode(),
					{ message: `Could not reach CrewPass: ${(error as Error)?.message ?? 'unknown error'}` },
					{
						message: `Could not reach CrewPass (${what})`,
						description:
							'Check the Environment / Base URL of the CrewPass API credential and that n8n can reach it.',
						itemIndex,
					},
				);
			}
			lastProblem = `connection failed (${code})`;
			waitMs = backoffMs(attempt, policy);
		}

		if (response) {
			const status = response.statusCode;
			if (status < 400) return response;
			const requestId = headerValue(response.headers, 'x-request-id');
			if (status === 429) {
				lastProblem = 'HTTP 429 partner_rate_limited';
				waitMs = retryAfterMs(parseBodyForRetry(response.body), response.headers['retry-after']);
			} else if (RETRYABLE_STATUS.has(status)) {
				lastProblem = `HTTP ${status}`;
				waitMs = backoffMs(attempt, policy);
			} else {
				throw crewPassApiError(
					ctx.getNode(),
					parseErrorResponse(status, response.body, requestId),
					itemIndex,
				);
			}
			lastProblem += ` (request id ${requestId ?? 'none'})`;
		}

		if (attempt >= policy.maxAttempts || waited + waitMs! > policy.maxTotalWaitMs) {
			throw new NodeApiError(
				ctx.getNode(),
				{ message: `gave up after ${attempt} attempts; last: ${lastProblem!}` },
				{
					message: `CrewPass did not answer successfully after ${attempt} attempts (${what})`,
					description: `Last problem: ${lastProblem!}. Retried for ${(waited / 1000).toFixed(1)} s in all (at most ${policy.maxAttempts} attempts, ${policy.maxTotalWaitMs / 1000} s of waiting). CrewPass may be overloaded or unreachable: try again later, or use the node's Retry On Fail setting for a longer wait.`,
					itemIndex,
				},
			);
		}
		waited += waitMs!;
		await sleep(waitMs!);
	}
}

function headerValue(headers: IDataObject | undefined, name: string): string | undefined {
	const value = headers?.[name] ?? headers?.[name.toLowerCase()];
	if (Array.isArray(value)) return value.length ? String(value[0]) : undefined;
	return value === undefined || value === null ? undefined : String(value);
}

function parseBodyForRetry(body: unknown): unknown {
	if (Buffer.isBuffer(body)) body = body.toString('utf8');
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return undefined;
	}
}

/** One CrewPass API call with the credential's key, full response. */
export async function crewPassRequestFull<T = IDataObject>(
	ctx: CrewPassContext,
	options: CrewPassRequestOptions,
): Promise<CrewPassResponse<T>> {
	const { itemIndex } = options;
	const { credentials, baseUrl } = await loadCredentials(ctx, itemIndex);
	if (options.path.some((segment) => segment === '' || isDotSegment(segment))) {
		throw new NodeOperationError(ctx.getNode(), 'An ID in the request is empty or a dot segment', {
			description: 'IDs must be non-empty and cannot be "." or "..". Check the ID parameters.',
			itemIndex,
		});
	}
	const url = apiPath(options.path);
	const method = options.method ?? 'GET';
	const request: IHttpRequestOptions = {
		method,
		baseURL: baseUrl,
		url,
		qs: options.qs,
		headers: { Accept: options.binary ? '*/*' : 'application/json' },
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: transportSettings.timeoutMs,
		...(options.binary ? { encoding: 'arraybuffer' as const, json: false } : { json: true }),
	};
	if (options.body !== undefined && Object.keys(options.body).length === 0) {
		// n8n's HTTP client drops an empty object body; CrewPass wants a literal `{}` (compliance).
		request.body = '{}';
		request.headers = { ...request.headers, 'Content-Type': 'application/json' };
	} else if (options.body !== undefined) {
		request.body = options.body;
	}

	const response = await withRetries(
		ctx,
		fingerprint(baseUrl, credentials.apiKey),
		`${method} ${url}`,
		async () =>
			(await ctx.helpers.httpRequestWithAuthentication.call(
				ctx as never,
				CREDENTIAL_NAME,
				request,
			)) as IN8nHttpFullResponse,
		itemIndex,
	);
	return { body: response.body as T, headers: response.headers, statusCode: response.statusCode };
}

/** One CrewPass API call with the credential's key; the JSON body. */
export async function crewPassRequest<T = IDataObject>(
	ctx: CrewPassContext,
	options: CrewPassRequestOptions,
): Promise<T> {
	return (await crewPassRequestFull<T>(ctx, options)).body;
}

/**
 * Follows a CrewPass-hosted file link WITHOUT the API key (the link is the credential), only
 * on the credential's own origin, with the same pacing and retries. Returns the bytes.
 */
export async function crewPassFollowLink(
	ctx: CrewPassContext,
	link: string,
	itemIndex?: number,
): Promise<CrewPassResponse<Buffer>> {
	const { credentials, baseUrl } = await loadCredentials(ctx, itemIndex);
	const allowedOrigin = new URL(baseUrl).origin;
	let target: URL | undefined;
	try {
		target = new URL(link);
	} catch {
		target = undefined;
	}
	const wantsHttps = credentials.environment !== 'custom';
	if (
		!target ||
		target.origin !== allowedOrigin ||
		(wantsHttps && target.protocol !== 'https:') ||
		target.username ||
		target.password
	) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Refused to follow a download link that does not point to CrewPass',
			{
				description: `The link must start with ${allowedOrigin}/ (the origin of the credential's environment), but it points to ${target ? target.origin : 'an invalid address'}. Nothing was requested from it.`,
				itemIndex,
			},
		);
	}
	const response = await withRetries(
		ctx,
		fingerprint(baseUrl, credentials.apiKey),
		`GET ${target.pathname.slice(0, 40)}…`,
		async () =>
			(await ctx.helpers.httpRequest({
				method: 'GET',
				url: target.href,
				encoding: 'arraybuffer',
				json: false,
				returnFullResponse: true,
				ignoreHttpStatusErrors: true,
				disableFollowRedirect: true,
				timeout: transportSettings.timeoutMs,
			})) as IN8nHttpFullResponse,
		itemIndex,
	);
	return {
		body: Buffer.from(response.body as Buffer),
		headers: response.headers,
		statusCode: response.statusCode,
	};
}

export interface PaginateOptions {
	path: string[];
	qs?: IDataObject;
	/** Stop once this many items are collected; undefined = every page. */
	limit?: number;
	/** Items per page, 1..200. */
	pageSize?: number;
	itemIndex?: number;
	/**
	 * Keep only the items this returns true for (a client-side filter). The limit then counts kept
	 * items, so every page asks for the full page size and paging stops once the limit is met.
	 */
	keep?: (item: IDataObject) => boolean;
}

/**
 * Walks a cursor-paginated CrewPass list (`items`, `next_cursor`). Asks each page for no more
 * than the limit still needs, stops at `next_cursor: null`, and refuses a repeated cursor.
 */
export async function crewPassPaginate(
	ctx: CrewPassContext,
	options: PaginateOptions,
): Promise<{ items: IDataObject[]; lastPage: IDataObject }> {
	const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
	if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
		throw new NodeOperationError(ctx.getNode(), `Page size must be 1 to ${MAX_PAGE_SIZE}`, {
			itemIndex: options.itemIndex,
		});
	}
	const items: IDataObject[] = [];
	const seenCursors = new Set<string>();
	let cursor: string | undefined;
	let lastPage: IDataObject = {};
	for (;;) {
		const wanted =
			options.limit === undefined || options.keep
				? pageSize
				: Math.min(pageSize, options.limit - items.length);
		const qs: IDataObject = { ...options.qs, limit: wanted };
		if (cursor !== undefined) qs.cursor = cursor;
		lastPage = await crewPassRequest(ctx, { path: options.path, qs, itemIndex: options.itemIndex });
		const pageItems = Array.isArray(lastPage.items) ? (lastPage.items as IDataObject[]) : [];
		items.push(...(options.keep ? pageItems.filter(options.keep) : pageItems));
		const next = lastPage.next_cursor;
		if (options.limit !== undefined && items.length >= options.limit) {
			items.length = options.limit;
			break;
		}
		if (next === null || next === undefined || next === '') break;
		const nextCursor = String(next);
		if (seenCursors.has(nextCursor) || nextCursor === cursor) {
			throw new NodeOperationError(
				ctx.getNode(),
				'CrewPass returned a page cursor it had already returned: stopped paging to avoid an endless loop',
				{
					description: `Cursor "${nextCursor.slice(0, 40)}" came back after ${items.length} items. Run the node again; if it repeats, report it to CrewPass support.`,
					itemIndex: options.itemIndex,
				},
			);
		}
		seenCursors.add(nextCursor);
		cursor = nextCursor;
	}
	return { items, lastPage };
}
