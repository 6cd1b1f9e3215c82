/**
 * Issue 9 item 3: no download-link token and no API key (echoed by a server) in any error or
 * item.
 */
import nock from 'nock';

import { transportSettings } from '../../../../nodes/CrewPass/transport';
import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../harness';
import { crewPass, guardRequests } from '../fixtures/http';

/** The opaque part of a file link (a made-up JWT-like value). */
const LINK_PART = ['eyJhbGciOiJIUzI1NiJ9', 'eyJkb2MiOiJkb2NfMSJ9', 'c2lnbmF0dXJl'].join('.');
const LINK_PATH = '/api/v2/employers/me/crew/crew_001/documents/doc_1/download';
const FILE_PATH = `/api/v2/files/${LINK_PART}`;
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

guardRequests();
const savedRetry = { ...transportSettings.retry };
beforeAll(
	() =>
		(transportSettings.retry = { ...savedRetry, maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 }),
);
afterAll(() => (transportSettings.retry = savedRetry));

/** Everything a user or a log could see of a run: items, the error and its enumerable parts. */
function visible(result: { items: unknown; error?: unknown }): string {
	const error = result.error as object | undefined;
	return (
		JSON.stringify(result.items) +
		JSON.stringify(error, error ? Object.getOwnPropertyNames(error) : undefined)
	);
}

function download(continueOnFail = false) {
	return runNode({
		parameters: {
			resource: 'document',
			operation: 'download',
			crewMember: crewById,
			documentId: 'doc_1',
		},
		continueOnFail,
	});
}

function link() {
	crewPass()
		.get(LINK_PATH)
		.reply(200, {
			document_id: 'doc_1',
			download_url: `${TEST_BASE_URL}${FILE_PATH}?X-Goog-Signature=abcdef`,
			expires_at: new Date(Date.now() + 15 * 60_000).toISOString(),
		});
}

describe('the download-link token never reaches an error', () => {
	it('a file link that keeps failing: the give-up error names the host, not the link', async () => {
		link();
		nock(TEST_BASE_URL).get(FILE_PATH).query(true).times(2).reply(503, 'busy');
		const result = await download();
		expect(result.error?.message).toBe(
			'CrewPass did not answer successfully after 2 attempts (GET download link on crewpass.test)',
		);
		expect(visible(result)).not.toContain(LINK_PART.slice(0, 12));
		expect(visible(result)).not.toContain('abcdef');
	});

	it('a file link that cannot be reached: no token in the message (Continue On Fail item too)', async () => {
		link();
		nock(TEST_BASE_URL)
			.get(FILE_PATH)
			.query(true)
			.replyWithError(
				`connect ECONNREFUSED while fetching ${TEST_BASE_URL}${FILE_PATH}?sig=abcdef`,
			);
		const result = await download(true);
		expect(result.items[0].json.error).toMatch(/Could not reach CrewPass/);
		expect(visible(result)).not.toContain(LINK_PART.slice(0, 12));
		expect(visible(result)).not.toContain('abcdef');
	});

	it('a server error message quoting the link is cut', async () => {
		link();
		nock(TEST_BASE_URL)
			.get(FILE_PATH)
			.query(true)
			.reply(410, {
				error: {
					code: 'link_expired',
					message: `link ${TEST_BASE_URL}${FILE_PATH}?sig=abcdef expired (GET ${FILE_PATH})`,
				},
			});
		crewPass()
			.get(LINK_PATH)
			.reply(200, { document_id: 'doc_1', download_url: `${TEST_BASE_URL}${FILE_PATH}` });
		nock(TEST_BASE_URL)
			.get(FILE_PATH)
			.reply(410, { error: { code: 'link_expired', message: `link ${FILE_PATH} expired` } });
		const result = await download();
		expect(result.error?.message).toContain('/api/v2/files/[link token removed]');
		expect(visible(result)).not.toContain(LINK_PART.slice(0, 12));
		expect(visible(result)).not.toContain('abcdef');
	});
});

describe('an API key echoed by a server never reaches an error or an item', () => {
	it('in an error envelope (message and scope)', async () => {
		crewPass()
			.get('/api/v2/partners/me')
			.reply(401, {
				error: {
					code: 'invalid_api_key',
					message: `key ${TEST_API_KEY} is unknown`,
					scope: TEST_API_KEY,
				},
			});
		const result = await runNode({
			parameters: { resource: 'partner', operation: 'get' },
			continueOnFail: true,
		});
		expect(result.items[0].json.error).toBe(
			'CrewPass error invalid_api_key: key [redacted] is unknown',
		);
		expect(visible(result)).not.toContain(TEST_API_KEY);
		expect(JSON.stringify(result.run)).not.toContain(TEST_API_KEY);
	});

	it('in a non-JSON error body (a proxy page) and a 422 detail', async () => {
		crewPass()
			.get('/api/v2/partners/me')
			.reply(400, `<h1>Bad request</h1>Authorization: Bearer ${TEST_API_KEY}`);
		crewPass()
			.get('/api/v2/partners/me')
			.reply(422, { detail: [{ loc: ['header', TEST_API_KEY], msg: `bad ${TEST_API_KEY}` }] });
		const result = await runNode({
			parameters: { resource: 'partner', operation: 'get' },
			continueOnFail: true,
			input: [{ json: {} }, { json: {} }],
		});
		expect(result.items).toHaveLength(2);
		expect(visible(result)).not.toContain(TEST_API_KEY);
		expect(JSON.stringify(result.run)).not.toContain(TEST_API_KEY);
	});

	it('in a successful answer that becomes an item', async () => {
		crewPass()
			.get('/api/v2/employers/me/crew/crew_001/profile')
			.reply(200, { crew_unique_id: 'crew_001', bio: `my key is ${TEST_API_KEY}`, name: 'A' });
		const result = await runNode({
			parameters: {
				resource: 'crewMember',
				operation: 'getProfile',
				crewMember: crewById,
				simplify: false,
			},
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.bio).toBe('my key is [redacted]');
		expect(visible(result)).not.toContain(TEST_API_KEY);
	});
});
