import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INode, JsonObject } from 'n8n-workflow';

/** The CrewPass error envelope, after parsing: `{ "error": { "code", "message", ... } }`. */
export interface CrewPassErrorDetails {
	httpStatus: number;
	code: string;
	message: string;
	scope?: string;
	retryAfterSeconds?: number;
	requestId?: string;
}

/** What to do about each stable CrewPass error code (and FastAPI's 422). */
const FIX_HINTS: Record<string, (details: CrewPassErrorDetails) => string> = {
	invalid_api_key: () =>
		'Check the API Key in the CrewPass API credential: send the cpk_live_… key with Environment Production, or the cpk_test_… key with Sandbox. Widget keys (cppk_…) are not accepted.',
	invalid_signature: () =>
		'CrewPass v1 reads are not signed, so this comes from something between n8n and CrewPass or a wrong base URL. Check the Environment / Base URL of the credential.',
	api_not_enabled: () =>
		'Your CrewPass plan does not include Partner API access. Ask CrewPass to enable the Partner API for your account.',
	scope_not_granted: (d) =>
		`Your CrewPass plan does not grant the scope ${d.scope ?? '(not named)'}. Partner → Get lists the scopes you have; ask CrewPass to enable the missing one.`,
	scope_not_consented: (d) =>
		`The crew member has not consented to share ${d.scope ?? 'this data'} with you. Nothing to fix on your side: the data stays unavailable until they consent. Set the node's On Error setting to "Continue" to carry on with the other crew members.`,
	not_found: () =>
		'The crew member or vessel is not on your fleet, or does not exist. Check the ID against Crew Member → Get Many (your fleet roster).',
	partner_rate_limited: () =>
		'Your partner budget of 60 requests/s and 1,000 requests/min is used up, also by other workflows using the same key. Wait, or spread the workflows out in time.',
	partner_mode_mismatch: () =>
		'A cpk_test_ key only works with Environment Sandbox and a cpk_live_ key only with Production. Change the Environment or the key in the CrewPass API credential.',
	validation_error: () =>
		'CrewPass rejected a parameter value. Correct the parameter named above and run the node again.',
};

/** FastAPI's 422 body: `{"detail":[{"loc":["query","limit"],"msg":"...","type":"..."}]}`. */
function describeValidationError(body: unknown): string {
	const detail = (body as { detail?: unknown } | undefined)?.detail;
	if (Array.isArray(detail)) {
		const parts = detail.map((entry: { loc?: unknown; msg?: unknown }) => {
			const loc = Array.isArray(entry?.loc) ? entry.loc.join('.') : 'request';
			return `${loc}: ${typeof entry?.msg === 'string' ? entry.msg : 'invalid value'}`;
		});
		if (parts.length) return parts.join('; ');
	}
	if (typeof detail === 'string') return detail;
	return 'the request did not pass validation';
}

/** Reads the envelope from a failed response; tolerates non-JSON bodies from proxies. */
export function parseErrorResponse(
	httpStatus: number,
	body: unknown,
	requestId: string | undefined,
	secret?: string,
): CrewPassErrorDetails {
	let parsed = body;
	if (Buffer.isBuffer(parsed)) parsed = parsed.toString('utf8');
	if (typeof parsed === 'string') {
		const text = redact(parsed, secret);
		try {
			parsed = JSON.parse(text);
		} catch {
			parsed = { raw: text.slice(0, 200) };
		}
	}
	const envelope = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
	if (envelope && typeof envelope === 'object' && typeof envelope.code === 'string') {
		return {
			httpStatus,
			code: envelope.code,
			message: redact(
				typeof envelope.message === 'string' ? envelope.message : envelope.code,
				secret,
			),
			scope: typeof envelope.scope === 'string' ? redact(envelope.scope, secret) : undefined,
			retryAfterSeconds:
				typeof envelope.retry_after_seconds === 'number' ? envelope.retry_after_seconds : undefined,
			requestId,
		};
	}
	if (httpStatus === 422) {
		return {
			httpStatus,
			code: 'validation_error',
			message: redact(describeValidationError(parsed), secret),
			requestId,
		};
	}
	return {
		httpStatus,
		code: `http_${httpStatus}`,
		message:
			httpStatus === 404
				? 'HTTP 404 without a CrewPass error code: this address does not look like the CrewPass Partner API'
				: `CrewPass answered HTTP ${httpStatus} without an error code`,
		requestId,
	};
}

export function fixHintFor(details: CrewPassErrorDetails): string | undefined {
	return FIX_HINTS[details.code]?.(details);
}

/** The NodeApiError a user sees: code, message, missing scope, fix hint and X-Request-Id. */
export function crewPassApiError(
	node: INode,
	details: CrewPassErrorDetails,
	itemIndex?: number,
	extraDescription?: string,
): NodeApiError {
	const hint =
		fixHintFor(details) ??
		(details.code === 'http_404'
			? 'Only a CrewPass not_found error means "not found"; a bare 404 comes from something else at the address. Check the Environment, or the Base URL of a Custom environment (scheme, host and port only; a proxy must forward /api/v2/… unchanged).'
			: undefined) ??
		(details.httpStatus >= 500
			? 'CrewPass had a problem answering. Try again later; quote the request id to CrewPass support if it persists.'
			: 'Quote the request id to CrewPass support if this persists.');
	const description = [
		extraDescription,
		hint,
		details.scope ? `Missing scope: ${details.scope}.` : undefined,
		`Request id (X-Request-Id): ${details.requestId ?? 'none returned'}.`,
	]
		.filter(Boolean)
		.join(' ');
	const error = new NodeApiError(node, { ...details } as unknown as JsonObject, {
		message: `CrewPass error ${details.code}: ${details.message}`,
		description,
		httpCode: String(details.httpStatus),
		itemIndex,
	});
	error.context.crewPassCode = details.code;
	error.context.requestId = details.requestId;
	if (details.scope) error.context.scope = details.scope;
	return error;
}

/** A file link's token; not one already removed, so redacting twice changes nothing. */
const FILE_LINK_PATH = /(\/api\/v2\/files\/)(?!\[link token removed\])[^\s?#)"'<>]+/gi;
const URL_QUERY = /(https?:\/\/[^\s?#)"'<>]*|\/api\/v2\/[^\s?#)"'<>]*)[?#][^\s)"'<>]*/gi;
/** Secrets shorter than this are not searched for (they would match ordinary words). */
const MIN_SECRET_LENGTH = 8;

/**
 * Server or client text made safe for an error or an item: the API key (should a server echo
 * it) and download-link tokens (`/api/v2/files/<token>`) and query strings are cut out.
 */
export function redact(text: string, secret?: string): string {
	return withoutSecret(text, secret)
		.replace(URL_QUERY, '$1')
		.replace(FILE_LINK_PATH, '$1[link token removed]');
}

/** Text with the API key cut out, should a server echo it (answers that become items). */
export function withoutSecret(text: string, secret?: string): string {
	if (!secret || secret.length < MIN_SECRET_LENGTH || !text.includes(secret)) return text;
	return text.split(secret).join('[redacted]');
}

/** A caught value as the node error to throw: CrewPass errors as they are, anything else wrapped. */
export function asNodeError(
	ctx: Pick<INodeContext, 'getNode'>,
	caught: unknown,
	itemIndex?: number,
): NodeApiError | NodeOperationError {
	if (caught instanceof NodeApiError || caught instanceof NodeOperationError) return caught;
	return new NodeOperationError(ctx.getNode(), caught as Error, { itemIndex });
}

interface INodeContext {
	getNode(): INode;
}

/** True only for CrewPass's own `not_found` envelope; a bare 404 is an address problem. */
export function isNotFound(error: unknown): error is NodeApiError {
	return error instanceof NodeApiError && error.context.crewPassCode === 'not_found';
}

/**
 * The promise's value, or the CrewPass `not_found` error it failed with (for "If Not Found"
 * options); any other failure is thrown as a node error.
 */
export async function unlessNotFound<T>(
	ctx: Pick<INodeContext, 'getNode'>,
	promise: Promise<T>,
	itemIndex?: number,
): Promise<{ found: true; value: T } | { found: false; error: NodeApiError }> {
	try {
		return { found: true, value: await promise };
	} catch (error) {
		if (isNotFound(error)) return { found: false, error };
		throw asNodeError(ctx, error, itemIndex);
	}
}

/**
 * An error as item JSON, one shape everywhere (Continue On Fail items, the trigger's
 * latest_details_error, Check Fleet's compliance_error):
 * `{ error, description?, code?, scope?, requestId?, httpCode? }`. Never carries a secret: the
 * transport redacts server text before it reaches an error.
 */
export function errorToJson(error: unknown): IDataObject {
	if (!(error instanceof NodeApiError || error instanceof NodeOperationError)) {
		return { error: error instanceof Error ? error.message : 'Unknown error' };
	}
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	const { crewPassCode, scope, requestId } = error.context;
	if (typeof crewPassCode === 'string') json.code = crewPassCode;
	if (typeof scope === 'string') json.scope = scope;
	if (typeof requestId === 'string') json.requestId = requestId;
	if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
	return json;
}
