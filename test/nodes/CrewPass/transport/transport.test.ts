import nock from 'nock';
import { sleep } from 'n8n-workflow';
import type { NodeApiError } from 'n8n-workflow';

import { transportSettings } from '../../../../nodes/CrewPass/transport';
import { TokenBucketPacer } from '../../../../nodes/CrewPass/transport/pacing';
import { runNode, testCredentials, TEST_API_KEY, TEST_BASE_URL } from '../../../harness';
import { PROBE_NODE_TYPE } from '../../../harness/probeNode';

const FLEET = '/api/v2/employers/me/fleet';
const ME = '/api/v2/partners/me';

// Each test uses its own key, so the process-wide pacer of one test never slows another.
let keyCounter = 0;
const freshCredentials = () => testCredentials({ apiKey: `cpk_test_transport_${++keyCounter}` });

function request(path: string[], extra: Partial<Parameters<typeof runNode>[0]> = {}) {
	return runNode({
		nodeType: PROBE_NODE_TYPE,
		parameters: { resource: 'probe', operation: 'request', path },
		credentials: freshCredentials(),
		...extra,
	});
}

function paginate(limit: number, pageSize = 200) {
	return runNode({
		nodeType: PROBE_NODE_TYPE,
		parameters: { resource: 'probe', operation: 'paginate', limit, pageSize },
		credentials: freshCredentials(),
	});
}

const crew = (from: number, count: number) =>
	Array.from({ length: count }, (_, i) => ({
		crew_unique_id: `crew_${String(from + i).padStart(3, '0')}`,
		name: `Crew ${from + i}`,
	}));

const savedRetry = { ...transportSettings.retry };

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
	nock.cleanAll();
	transportSettings.retry = { ...savedRetry };
});

describe('authentication and URLs', () => {
	it('sends Authorization: Bearer <key> from the credential', async () => {
		const scope = nock(TEST_BASE_URL, {
			reqheaders: { authorization: `Bearer ${TEST_API_KEY}` },
		})
			.get(ME)
			.reply(200, { partner_id: 'prt_123' });
		const { items, error } = await request(['partners', 'me'], { credentials: testCredentials() });
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items[0].json).toEqual({ partner_id: 'prt_123' });
	});

	it.each([
		['a slash', 'crew/../../partners'],
		['a question mark', 'crew_1?x=1'],
		['a hash', 'crew_1#frag'],
		['a fullwidth dot', 'crew_1\uff0e'],
		['a percent sign', 'crew%2F1'],
	])(
		'refuses an id containing %s before any request (ids are [A-Za-z0-9_-])',
		async (_what, id) => {
			const { error } = await request(['employers', 'me', 'crew', id, 'profile']);
			expect(error?.message).toMatch(/is not a valid CrewPass ID/);
			expect(nock.pendingMocks()).toEqual([]);
		},
	);

	it.each(['..', '.', '%2e%2E'])('refuses the dot segment "%s" before any request', async (id) => {
		const { error } = await request(['employers', 'me', 'crew', id, 'profile']);
		expect(error?.message).toMatch(/empty or a dot segment/);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it.each([
		['cpk_test_abc', 'production', /test key .* Production/],
		['cpk_live_abc', 'sandbox', /live key .* Sandbox/],
	])('explains a %s key on %s before sending anything', async (apiKey, environment, message) => {
		// No interceptor: with net connect disabled any request would fail differently.
		const { error } = await request(['partners', 'me'], {
			credentials: { apiKey, environment },
		});
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/partner_mode_mismatch/);
	});

	it('refuses a Custom base URL that is not http(s)', async () => {
		const { error } = await request(['partners', 'me'], {
			credentials: testCredentials({ baseUrl: 'ftp://crewpass.test' }),
		});
		expect(error?.message).toMatch(/Base URL .* not a valid http\(s\) address/);
	});
});

describe('CrewPass errors become NodeApiError with code, hint, scope and request id', () => {
	const cases: Array<[string, number, Record<string, unknown>, RegExp]> = [
		['invalid_api_key', 401, { message: 'invalid API key' }, /cpk_live_/],
		['invalid_signature', 401, { message: 'signature mismatch' }, /not signed/],
		['api_not_enabled', 403, { message: 'no API access' }, /Partner API/],
		[
			'scope_not_granted',
			403,
			{ message: "scope 'vessels:fleet:read' is not granted", scope: 'vessels:fleet:read' },
			/does not grant the scope vessels:fleet:read/,
		],
		[
			'scope_not_consented',
			403,
			{ message: 'not consented', scope: 'crew:documents:read' },
			/has not consented to share crew:documents:read/,
		],
		['not_found', 404, { message: 'no crew member with that id' }, /not on your fleet/],
		['partner_mode_mismatch', 403, { message: 'test-mode keys' }, /cpk_test_ key only works/],
	];

	it.each(cases)('%s (%i)', async (code, status, fields, hint) => {
		const scope = nock(TEST_BASE_URL)
			.get(ME)
			.reply(status, { error: { code, ...fields } }, { 'X-Request-Id': `req_${code}` });
		const { error } = await request(['partners', 'me']);
		expect(scope.isDone()).toBe(true);
		const apiError = error as NodeApiError;
		expect(apiError.name).toBe('NodeApiError');
		expect(apiError.message).toBe(`CrewPass error ${code}: ${String(fields.message)}`);
		expect(apiError.httpCode).toBe(String(status));
		expect(apiError.description).toMatch(hint);
		expect(apiError.description).toContain(`Request id (X-Request-Id): req_${code}`);
		expect(apiError.context.crewPassCode).toBe(code);
		expect(apiError.context.requestId).toBe(`req_${code}`);
		if (fields.scope) {
			expect(apiError.context.scope).toBe(fields.scope);
			expect(apiError.description).toContain(`Missing scope: ${String(fields.scope)}`);
		}
	});

	it('partner_rate_limited (429) that never clears ends in a clear give-up error', async () => {
		// 10 ms per 429: the third one would take the wait past its 25 ms budget
		transportSettings.retry = { ...savedRetry, maxRateLimitWaitMs: 25 };
		const scope = nock(TEST_BASE_URL)
			.get(ME)
			.times(3)
			.reply(
				429,
				{
					error: {
						code: 'partner_rate_limited',
						message: 'rate limit exceeded',
						retry_after_seconds: 0.01,
					},
				},
				{ 'X-Request-Id': 'req_429' },
			);
		const { error } = await request(['partners', 'me']);
		expect(scope.isDone()).toBe(true);
		expect(error?.message).toMatch(/did not answer successfully after 3 attempts/);
		expect(error?.description).toMatch(/HTTP 429 partner_rate_limited \(request id req_429\)/);
	});

	it('429s are not failed attempts: a request queued behind the rate limit still succeeds', async () => {
		transportSettings.retry = { ...savedRetry, maxAttempts: 2 };
		const limited = {
			error: { code: 'partner_rate_limited', message: 'slow down', retry_after_seconds: 0.01 },
		};
		const scope = nock(TEST_BASE_URL)
			.get(ME)
			.times(4)
			.reply(429, limited)
			.get(ME)
			.reply(200, { partner_id: 'prt_123' });
		const { items, error } = await request(['partners', 'me']);
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items[0].json).toEqual({ partner_id: 'prt_123' });
	});

	it("FastAPI's 422 names the field and the problem", async () => {
		nock(TEST_BASE_URL)
			.get(ME)
			.reply(
				422,
				{
					detail: [
						{
							loc: ['query', 'limit'],
							msg: 'ensure this value is less than or equal to 200',
							type: 'value_error',
						},
					],
				},
				{ 'X-Request-Id': 'req_422' },
			);
		const { error } = await request(['partners', 'me']);
		const apiError = error as NodeApiError;
		expect(apiError.message).toBe(
			'CrewPass error validation_error: query.limit: ensure this value is less than or equal to 200',
		);
		expect(apiError.httpCode).toBe('422');
		expect(apiError.context.requestId).toBe('req_422');
	});

	it('never puts the API key into the error', async () => {
		nock(TEST_BASE_URL)
			.get(ME)
			.reply(401, { error: { code: 'invalid_api_key', message: 'invalid API key' } });
		const credentials = freshCredentials();
		const { error, run } = await request(['partners', 'me'], { credentials });
		expect(error).toBeDefined();
		expect(JSON.stringify(run)).not.toContain(String(credentials.apiKey));
		expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(
			String(credentials.apiKey),
		);
	});
});

describe('retries', () => {
	it('waits retry_after_seconds after a 429, then succeeds', async () => {
		const seen: number[] = [];
		nock(TEST_BASE_URL)
			.get(ME)
			.reply(() => {
				seen.push(Date.now());
				return [
					429,
					{
						error: {
							code: 'partner_rate_limited',
							message: 'rate limit exceeded',
							retry_after_seconds: 0.2,
						},
					},
				];
			})
			.get(ME)
			.reply(() => {
				seen.push(Date.now());
				return [200, { partner_id: 'prt_123' }];
			});
		const { items, error } = await request(['partners', 'me']);
		expect(error).toBeUndefined();
		expect(items[0].json).toEqual({ partner_id: 'prt_123' });
		expect(seen).toHaveLength(2);
		expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(200);
	});

	it('falls back to the Retry-After header when the body has no hint', async () => {
		const seen: number[] = [];
		nock(TEST_BASE_URL)
			.get(ME)
			.reply(() => {
				seen.push(Date.now());
				return [429, 'Too Many Requests', { 'Retry-After': '1' }];
			})
			.get(ME)
			.reply(() => {
				seen.push(Date.now());
				return [200, { partner_id: 'prt_123' }];
			});
		const { error } = await request(['partners', 'me']);
		expect(error).toBeUndefined();
		expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(1000);
	});

	it('retries a 503 twice, then succeeds', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(ME)
			.twice()
			.reply(503, 'unavailable')
			.get(ME)
			.reply(200, { partner_id: 'prt_123' });
		const { items, error } = await request(['partners', 'me']);
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toHaveLength(1);
	});

	it("a 429 re-synchronises the key's pacer: a concurrent request of the key waits retry_after too", async () => {
		const credentials = freshCredentials();
		const VESSELS = '/api/v2/employers/me/vessels';
		let refusedAt = 0;
		const arrivals: Array<[string, number]> = [];
		// The moment the transport has taken A's 429 in (penalize); without a penalize (the old
		// code) 500 ms after the 429, well inside its retry_after_seconds.
		const original = TokenBucketPacer.prototype.penalize;
		let signalPenalized: () => void = () => {};
		const penalized = new Promise<void>((resolve) => (signalPenalized = resolve));
		const spy = jest.spyOn(TokenBucketPacer.prototype, 'penalize').mockImplementation(function (
			this: TokenBucketPacer,
			...args
		) {
			original.apply(this, args);
			signalPenalized();
		});
		nock(TEST_BASE_URL)
			.get(ME)
			.reply(() => {
				refusedAt = Date.now();
				arrivals.push(['A 429', refusedAt]);
				void sleep(500).then(signalPenalized);
				return [
					429,
					{
						error: {
							code: 'partner_rate_limited',
							message: 'rate limit exceeded',
							retry_after_seconds: 1,
						},
					},
				];
			})
			.get(ME)
			.reply(() => {
				arrivals.push(['A retry', Date.now()]);
				return [200, { partner_id: 'prt_123' }];
			})
			.get(VESSELS)
			.reply(() => {
				arrivals.push(['B', Date.now()]);
				return [200, { items: [] }];
			});

		const first = request(['partners', 'me'], { credentials });
		await penalized;
		spy.mockRestore();
		// B is another execution with the same key, started once A's 429 is taken in.
		const second = request(['employers', 'me', 'vessels'], { credentials });
		const [a, b] = await Promise.all([first, second]);

		expect(a.error).toBeUndefined();
		expect(b.error).toBeUndefined();
		const bAt = arrivals.find(([what]) => what === 'B')![1];
		// Nothing of the key starts before the 429's retry_after_seconds has passed.
		expect(bAt - refusedAt).toBeGreaterThanOrEqual(990);
		expect(arrivals.map(([what]) => what)).toContain('A retry');
	});

	it('retries a dropped connection (ECONNRESET)', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(ME)
			.replyWithError('socket hang up')
			.get(ME)
			.reply(200, { partner_id: 'prt_123' });
		const { error } = await request(['partners', 'me']);
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
	});

	it.each([500, 502, 504])(
		'retries a %i on a GET (reads are idempotent), then succeeds',
		async (status) => {
			transportSettings.retry = { ...savedRetry, baseDelayMs: 5, maxDelayMs: 10 };
			const answers: number[] = [];
			nock(TEST_BASE_URL)
				.get(ME)
				.times(2)
				.reply(() => {
					answers.push(answers.length ? 200 : status);
					return answers.length === 1
						? [status, { detail: 'Internal Server Error' }, { 'X-Request-Id': 'req_5xx' }]
						: [200, { partner_id: 'prt_123' }];
				});
			const { items, error } = await request(['partners', 'me']);
			expect(error).toBeUndefined();
			expect(answers).toEqual([status, 200]);
			expect(items[0].json).toEqual({ partner_id: 'prt_123' });
		},
	);

	it.each([
		[
			'Compliance → Check (the read-only POST {})',
			'/api/v2/employers/me/crew/crew_001/compliance-checks',
			{ resource: 'compliance', operation: 'check', simplify: false },
			{ crew_unique_id: 'crew_001', overall_status: 'compliant' },
		],
		[
			'Crew Member → Find by Email (the read-only lookup POST)',
			'/api/v2/employers/me/crew/lookup',
			{ resource: 'crewMember', operation: 'findByEmail', email: 'crew@example.com' },
			{ crew_unique_id: 'crew_001', status: 'verified' },
		],
	])('retries a plain 500 on %s, then succeeds', async (_what, path, parameters, answer) => {
		transportSettings.retry = { ...savedRetry, baseDelayMs: 5, maxDelayMs: 10 };
		const bodies: unknown[] = [];
		const scope = nock(TEST_BASE_URL)
			.post(path)
			.reply(500, (_uri, body) => {
				bodies.push(body);
				return { detail: 'Internal Server Error' };
			})
			.post(path)
			.reply(200, (_uri, body) => {
				bodies.push(body);
				return answer;
			});
		const { items, error } = await runNode({
			parameters: {
				...parameters,
				crewMember: { __rl: true, mode: 'id', value: 'crew_001' },
			},
			credentials: freshCredentials(),
		});
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		// The same request again: the same body both times.
		expect(bodies).toHaveLength(2);
		expect(bodies[1]).toEqual(bodies[0]);
		expect(items[0].json).toMatchObject(answer);
	});

	it('a 500 that persists spends the same budget as a 503, then fails with its request id', async () => {
		transportSettings.retry = { ...savedRetry, maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 10 };
		const scope = nock(TEST_BASE_URL)
			.get(ME)
			.times(4)
			.reply(500, { detail: 'Internal Server Error' }, { 'X-Request-Id': 'req_500' });
		const { error } = await request(['partners', 'me']);
		expect(scope.isDone()).toBe(true);
		expect(error?.message).toBe(
			'CrewPass did not answer successfully after 4 attempts (GET /api/v2/partners/me)',
		);
		expect(error?.description).toMatch(/Last problem: HTTP 500 \(request id req_500\)/);
	});

	it.each([400, 401, 403, 404, 422, 501, 505])('never retries %i', async (status) => {
		let calls = 0;
		nock(TEST_BASE_URL)
			.get(ME)
			.times(2)
			.reply(() => {
				calls++;
				return [status, { error: { code: 'whatever', message: 'no' } }];
			});
		const { error } = await request(['partners', 'me']);
		expect(error).toBeDefined();
		expect(calls).toBe(1);
	});

	it('gives up after the attempt limit with an error that says so', async () => {
		transportSettings.retry = { ...savedRetry, maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 10 };
		const scope = nock(TEST_BASE_URL).get(ME).times(4).reply(502, 'bad gateway');
		const { error } = await request(['partners', 'me']);
		expect(scope.isDone()).toBe(true);
		expect(error?.message).toBe(
			'CrewPass did not answer successfully after 4 attempts (GET /api/v2/partners/me)',
		);
		expect(error?.description).toMatch(/Last problem: HTTP 502/);
	});

	it('gives up when the next wait would pass the rate-limit wait budget', async () => {
		transportSettings.retry = { ...savedRetry, maxRateLimitWaitMs: 1_000 };
		const scope = nock(TEST_BASE_URL)
			.get(ME)
			.reply(429, {
				error: { code: 'partner_rate_limited', message: 'slow down', retry_after_seconds: 30 },
			});
		const { error } = await request(['partners', 'me']);
		expect(scope.isDone()).toBe(true);
		expect(error?.message).toMatch(/after 1 attempts/);
		// gave up before sleeping: no retry wait was spent
		expect(error?.description).toMatch(/Retried for 0\.0 s in all/);
	});
});

describe('cursor pagination helper', () => {
	it('walks three pages until next_cursor is null', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(FLEET)
			.query({ limit: '2' })
			.reply(200, { items: crew(1, 2), next_cursor: 'c2' })
			.get(FLEET)
			.query({ limit: '2', cursor: 'c2' })
			.reply(200, { items: crew(3, 2), next_cursor: 'c3' })
			.get(FLEET)
			.query({ limit: '2', cursor: 'c3' })
			.reply(200, { items: crew(5, 1), next_cursor: null });
		const { items, error } = await paginate(0, 2);
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items.map((item) => item.json.crew_unique_id)).toEqual([
			'crew_001',
			'crew_002',
			'crew_003',
			'crew_004',
			'crew_005',
		]);
	});

	it('asks only for what the limit needs and stops mid-page without another request', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(FLEET)
			.query({ limit: '200' })
			.reply(200, { items: crew(1, 200), next_cursor: 'c2' })
			.get(FLEET)
			.query({ limit: '50', cursor: 'c2' })
			.reply(200, { items: crew(201, 50), next_cursor: 'c3' });
		const { items, error } = await paginate(250);
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toHaveLength(250);
		expect(nock.pendingMocks()).toEqual([]);
	});

	it('cuts a page that is longer than asked for at the limit', async () => {
		nock(TEST_BASE_URL)
			.get(FLEET)
			.query({ limit: '3' })
			.reply(200, { items: crew(1, 10), next_cursor: 'c2' });
		const { items } = await paginate(3);
		expect(items.map((item) => item.json.crew_unique_id)).toEqual([
			'crew_001',
			'crew_002',
			'crew_003',
		]);
	});

	it('stops with a clear error when the API repeats a cursor', async () => {
		const scope = nock(TEST_BASE_URL)
			.get(FLEET)
			.query({ limit: '2' })
			.reply(200, { items: crew(1, 2), next_cursor: 'c2' })
			.get(FLEET)
			.query({ limit: '2', cursor: 'c2' })
			.reply(200, { items: crew(3, 2), next_cursor: 'c2' });
		const { error } = await paginate(0, 2);
		expect(scope.isDone()).toBe(true);
		expect(error?.message).toMatch(/cursor it had already returned/);
	});

	it.each([0, 201])('refuses a page size of %i', async (pageSize) => {
		const { error } = await paginate(0, pageSize);
		expect(error?.message).toMatch(/Page size must be 1 to 200/);
	});
});
