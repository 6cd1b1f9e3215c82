import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

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
): CrewPassErrorDetails {
	let parsed = body;
	if (Buffer.isBuffer(parsed)) parsed = parsed.toString('utf8');
	if (typeof parsed === 'string') {
		const text = parsed;
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
			message: typeof envelope.message === 'string' ? envelope.message : envelope.code,
			scope: typeof envelope.scope === 'string' ? envelope.scope : undefined,
			retryAfterSeconds:
				typeof envelope.retry_after_seconds === 'number' ? envelope.retry_after_seconds : undefined,
			requestId,
		};
	}
	if (httpStatus === 422) {
		return {
			httpStatus,
			code: 'validation_error',
			message: describeValidationError(parsed),
			requestId,
		};
	}
	return {
		httpStatus,
		code: `http_${httpStatus}`,
		message: `CrewPass answered HTTP ${httpStatus} without an error code`,
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
