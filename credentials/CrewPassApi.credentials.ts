import type {
	IAuthenticateGeneric,
	IAuthenticateRuleResponseSuccessBody,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export const PRODUCTION_BASE_URL = 'https://partners.crewpass.co.uk';
export const SANDBOX_BASE_URL = 'https://crewpass-api-v2-dev-258178043395.europe-west4.run.app';
/** CrewPass's own origins (https only): where a download link may point besides the Base URL. */
export const CREWPASS_ORIGINS: readonly string[] = [PRODUCTION_BASE_URL, SANDBOX_BASE_URL];
/** The credential type's name, as nodes ask for it. */
export const CREDENTIAL_NAME = 'crewPassApi' as const;

/**
 * A Custom Base URL the credential test may use: scheme http(s), host, optional port, optional
 * trailing slashes; nothing else (no user info, path, query, fragment, whitespace). The nodes
 * (transport/request.ts checkCustomBaseUrl) and the credential test (an n8n expression) both
 * use it.
 */
export const CUSTOM_BASE_URL_PATTERN = /^https?:\/\/[A-Za-z0-9.\-[\]:]+\/*$/i;
/**
 * Where the credential test goes with a Base URL the nodes would refuse: a host under the
 * reserved `.invalid` domain (RFC 2606), which never resolves, so the test fails and says why
 * instead of sending the key anywhere.
 */
export const INVALID_BASE_URL_TARGET = 'https://base-url-must-be-scheme-host-and-port-only.invalid';

const modeMismatchNotice = (prefix: string, environment: string, fix: string): INodeProperties => ({
	displayName: `This looks like a ${prefix} key, but the Environment is ${environment}. CrewPass will answer partner_mode_mismatch: ${fix}`,
	name: `${environment.toLowerCase()}ModeMismatchNotice`,
	type: 'notice',
	default: '',
	displayOptions: {
		show: {
			environment: [environment.toLowerCase()],
			apiKey: [{ _cnd: { startsWith: prefix } }],
		},
	},
});

/** Matches a non-empty Base URL that CUSTOM_BASE_URL_PATTERN refuses (for the notice below). */
const REFUSED_BASE_URL = `^(?=[\\s\\S])(?!${CUSTOM_BASE_URL_PATTERN.source.replace('^https?', '[Hh][Tt][Tt][Pp][Ss]?')})`;

export class CrewPassApi implements ICredentialType {
	// A literal: n8n's lint reads it to check which credentials the package's nodes use.
	name = 'crewPassApi';

	displayName = 'CrewPass API';

	icon: Icon = {
		light: 'file:../nodes/CrewPass/crewpass.svg',
		dark: 'file:../nodes/CrewPass/crewpass.dark.svg',
	};

	documentationUrl = 'https://docs.crewpass.co.uk/partners/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: 'cpk_live_…',
			description:
				'Your partner API key, issued by CrewPass: cpk_live_… for Production, cpk_test_… for Sandbox. Widget keys (cppk_…) are not accepted.',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{
					name: 'Production',
					value: 'production',
					description: PRODUCTION_BASE_URL,
				},
				{
					name: 'Sandbox',
					value: 'sandbox',
					description: 'CrewPass dev / sandbox environment (cpk_test_ keys)',
				},
				{
					name: 'Custom',
					value: 'custom',
					description: 'A base URL of your own: a proxy, or the local CrewPass sandbox',
				},
			],
			default: 'production',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'http://127.0.0.1:4010',
			description: 'Scheme, host and port only; the node adds /api/v2/…',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName:
				'This Base URL will be refused: enter scheme, host and optional port only (e.g. https://crewpass-proxy.example.com), with no user info, path, query, fragment, spaces or line breaks. The credential test cannot reach it.',
			name: 'baseUrlNotice',
			type: 'notice',
			default: '',
			displayOptions: {
				show: { environment: ['custom'], baseUrl: [{ _cnd: { regex: REFUSED_BASE_URL } }] },
			},
		},
		modeMismatchNotice('cpk_test_', 'Production', 'choose Sandbox, or use your cpk_live_ key.'),
		modeMismatchNotice('cpk_live_', 'Sandbox', 'choose Production, or use your cpk_test_ key.'),
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The secret CrewPass issued for signing webhook deliveries. Only the CrewPass Trigger needs it.',
		},
		{
			displayName: 'Previous Webhook Signing Secret',
			name: 'previousWebhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'While rotating secrets: the old secret, still accepted until the date below. Leave empty when not rotating.',
		},
		{
			displayName: 'Accept Previous Secret Until',
			name: 'rotationGraceEndsAt',
			type: 'dateTime',
			default: '',
			description:
				'End of the rotation grace window. After it, deliveries signed with the previous secret are refused. Empty means the previous secret is not accepted.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: `={{ $credentials.environment === "custom" ? (typeof $credentials.baseUrl === "string" && /${CUSTOM_BASE_URL_PATTERN.source}/i.test($credentials.baseUrl) ? $credentials.baseUrl.replace(/\\/+$/, "") : "${INVALID_BASE_URL_TARGET}") : $credentials.environment === "sandbox" ? "${SANDBOX_BASE_URL}" : "${PRODUCTION_BASE_URL}" }}`,
			// The key goes to the Base URL only: a redirect is not followed.
			disableFollowRedirect: true,
			// Answers are read as bodies and matched on CrewPass's error code below: n8n before
			// 2.34 drops the HTTP status that responseCode rules need (docs/compatibility.md).
			ignoreHttpStatusErrors: true,
			url: '/api/v2/partners/me',
		},
		rules: [
			errorCodeRule(
				'invalid_api_key',
				'CrewPass answered invalid_api_key: the key is missing, malformed or unknown. Copy the key again from CrewPass (cpk_live_… for Production, cpk_test_… for Sandbox; widget keys cppk_… are not accepted).',
			),
			errorCodeRule(
				'partner_mode_mismatch',
				'CrewPass answered partner_mode_mismatch: a cpk_test_ key only works with Environment Sandbox and a cpk_live_ key only with Production. Change the Environment, or use the other key.',
			),
			errorCodeRule(
				'api_not_enabled',
				'CrewPass answered api_not_enabled: your plan does not include Partner API access. Ask CrewPass to enable it for your account.',
			),
			errorCodeRule(
				'partner_rate_limited',
				'CrewPass answered partner_rate_limited: your partner budget (60 requests/s, 1,000/min) is used up. Wait a few seconds and test again.',
			),
			{
				// Anything else without a partner account: not CrewPass (a 404 page, another API),
				// or CrewPass failing (5xx): both lack partner_id.
				type: 'responseSuccessBody',
				properties: {
					key: 'partner_id',
					value: undefined,
					message:
						'No CrewPass Partner API at this address: /api/v2/partners/me did not answer with your partner account. Check the Environment, or the Base URL of a Custom environment; if they are right, CrewPass may be down or refusing the key for another reason: test again in a minute, or run a CrewPass node with this credential to see the answer.',
				},
			},
		],
	};
}

/** A credential-test rule: CrewPass answered this error `code` (its error envelope). */
function errorCodeRule(code: string, message: string): IAuthenticateRuleResponseSuccessBody {
	return { type: 'responseSuccessBody', properties: { key: 'error.code', value: code, message } };
}
