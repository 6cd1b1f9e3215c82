import nock from 'nock';
import type { INodeExecutionData } from 'n8n-workflow';

import { transportSettings } from '../../../../../nodes/CrewPass/transport';
import { runNode, TEST_API_KEY, TEST_BASE_URL, testCredentials } from '../../../../harness';

const LINK_PATH = '/api/v2/employers/me/crew/crew_001/documents/doc_1/download';
const FILE_PATH = '/api/v2/files/eyJkIjoiZG9jXzEifQ.sig';
const PDF = Buffer.from('%PDF-1.4\nPST certificate of A. Crew\n%%EOF\n');
/** Production wants a cpk_live_ key (not a real one). */
const PRODUCTION_TEST_KEY = `cpk_live_${'harness'}`;
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

function linkAnswer(overrides: Record<string, unknown> = {}) {
	return {
		document_id: 'doc_1',
		download_url: `${TEST_BASE_URL}${FILE_PATH}`,
		expires_at: new Date(Date.now() + 15 * 60_000).toISOString(),
		content_type: 'application/pdf',
		file_name: 'PST_certificate.pdf',
		...overrides,
	};
}

function params(extra: Record<string, unknown> = {}) {
	return {
		resource: 'document',
		operation: 'download',
		crewMember: crewById,
		documentId: 'doc_1',
		...extra,
	};
}

function api() {
	return nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${TEST_API_KEY}` } });
}

/** The file host: records every request's headers. */
function fileHost(replies: Array<[number, unknown, Record<string, string>?]>) {
	const seen: Array<Record<string, unknown>> = [];
	let scope = nock(TEST_BASE_URL);
	for (const [status, body, headers] of replies) {
		scope = scope.get(FILE_PATH).reply(function () {
			seen.push({ ...this.req.headers });
			return [status, body as string, headers ?? {}];
		});
	}
	return { scope, seen };
}

function binaryBytes(item: INodeExecutionData, property = 'data'): Buffer {
	return Buffer.from(item.binary![property].data, 'base64');
}

const savedRetry = { ...transportSettings.retry };
beforeAll(() => {
	nock.disableNetConnect();
	transportSettings.retry = { ...savedRetry, baseDelayMs: 5, maxDelayMs: 20 };
});
afterAll(() => {
	transportSettings.retry = savedRetry;
});
afterEach(() => nock.cleanAll());

describe('Document → Download', () => {
	it('asks for the link with the key, follows it WITHOUT the key, outputs the file as binary', async () => {
		const link = api().get(LINK_PATH).reply(200, linkAnswer());
		const file = fileHost([[200, PDF, { 'Content-Type': 'application/pdf' }]]);

		const { items, error } = await runNode({ parameters: params() });

		expect(error).toBeUndefined();
		expect(link.isDone() && file.scope.isDone()).toBe(true);
		expect(file.seen).toHaveLength(1);
		expect(file.seen[0].authorization).toBeUndefined();
		expect(JSON.stringify(file.seen[0])).not.toContain(TEST_API_KEY);
		expect(items).toHaveLength(1);
		expect(items[0].json).toEqual({
			crew_unique_id: 'crew_001',
			document_id: 'doc_1',
			file_name: 'PST_certificate.pdf',
			content_type: 'application/pdf',
			file_size: PDF.length,
		});
		// the link itself is a credential: not in the output
		expect(JSON.stringify(items[0].json)).not.toContain('/api/v2/files/');
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(binaryBytes(items[0]).equals(PDF)).toBe(true);
		expect(items[0].binary!.data).toMatchObject({
			fileName: 'PST_certificate.pdf',
			mimeType: 'application/pdf',
		});
	});

	it("uses the configured binary field, keeps the input item's other binary fields, never mutates the input", async () => {
		api().get(LINK_PATH).reply(200, linkAnswer());
		fileHost([[200, PDF]]);
		const existing = {
			data: Buffer.from('earlier file').toString('base64'),
			mimeType: 'text/plain',
			fileName: 'earlier.txt',
		};
		const input: INodeExecutionData[] = [
			{ json: { note: 'keep me' }, binary: { earlier: existing } },
		];
		const before = JSON.stringify(input);

		const { items, error } = await runNode({
			parameters: params({ binaryPropertyName: 'certificate' }),
			input,
		});

		expect(error).toBeUndefined();
		expect(Object.keys(items[0].binary!).sort()).toEqual(['certificate', 'earlier']);
		expect(items[0].binary!.earlier).toEqual(existing);
		expect(binaryBytes(items[0], 'certificate').equals(PDF)).toBe(true);
		expect(JSON.stringify(input)).toBe(before);
	});

	it('refuses a link on a foreign host: nothing is requested there', async () => {
		api()
			.get(LINK_PATH)
			.reply(200, linkAnswer({ download_url: 'https://files.evil.example/steal?x=1' }));
		const foreign = nock('https://files.evil.example').get(/.*/).reply(200, 'stolen');

		const { items, error } = await runNode({ parameters: params() });

		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe(
			'Refused to follow a download link that does not point to CrewPass',
		);
		expect(error?.description).toContain('https://files.evil.example');
		expect(foreign.isDone()).toBe(false);
	});

	it.each([
		['another port of the same host', 'https://crewpass.test:8443/api/v2/files/x'],
		['plain http instead of https', 'http://crewpass.test/api/v2/files/x'],
		['user info in the link', 'https://user:pw@crewpass.test/api/v2/files/x'],
		['not a URL', 'files/x'],
	])('refuses %s', async (_label, url) => {
		api()
			.get(LINK_PATH)
			.reply(200, linkAnswer({ download_url: url }));
		const { error } = await runNode({ parameters: params() });
		expect(error?.message).toBe(
			'Refused to follow a download link that does not point to CrewPass',
		);
	});

	it('Production requires https on the production origin', async () => {
		const production = 'https://partners.crewpass.co.uk';
		nock(production)
			.get(LINK_PATH)
			.reply(200, linkAnswer({ download_url: `${production}${FILE_PATH}` }));
		const file = nock(production).get(FILE_PATH).reply(200, PDF);
		const { items, error } = await runNode({
			parameters: params(),
			credentials: testCredentials({ environment: 'production', apiKey: PRODUCTION_TEST_KEY }),
		});
		expect(error).toBeUndefined();
		expect(file.isDone()).toBe(true);
		expect(binaryBytes(items[0]).equals(PDF)).toBe(true);
	});

	it('accepts the exact origin of a Custom http base URL (the local sandbox)', async () => {
		const local = 'http://127.0.0.1:4010';
		nock(local)
			.get(LINK_PATH)
			.reply(200, linkAnswer({ download_url: `${local}${FILE_PATH}` }));
		const file = nock(local).get(FILE_PATH).reply(200, PDF);
		const { error } = await runNode({
			parameters: params(),
			credentials: testCredentials({ baseUrl: local }),
		});
		expect(error).toBeUndefined();
		expect(file.isDone()).toBe(true);
	});

	it('retries a 503 from the file store, then outputs the file', async () => {
		api().get(LINK_PATH).reply(200, linkAnswer());
		const file = fileHost([
			[503, { error: { code: 'file_store_unavailable', message: 'retry shortly' } }],
			[200, PDF],
		]);
		const { items, error } = await runNode({ parameters: params() });
		expect(error).toBeUndefined();
		expect(file.seen).toHaveLength(2);
		expect(binaryBytes(items[0]).equals(PDF)).toBe(true);
	});

	it('requests a fresh link once when the file URL answers 410 (expired link)', async () => {
		const links = api().get(LINK_PATH).times(2).reply(200, linkAnswer());
		const file = fileHost([
			[410, { error: { code: 'download_link_expired', message: 'expired' } }],
			[200, PDF],
		]);
		const { items, error } = await runNode({ parameters: params() });
		expect(error).toBeUndefined();
		expect(links.isDone()).toBe(true);
		expect(file.seen).toHaveLength(2);
		expect(binaryBytes(items[0]).equals(PDF)).toBe(true);
	});

	it('requests a fresh link before following one whose expires_at is already past', async () => {
		const stale = `${TEST_BASE_URL}/api/v2/files/stale`;
		api()
			.get(LINK_PATH)
			.reply(200, linkAnswer({ download_url: stale, expires_at: '2020-01-01T00:00:00Z' }));
		api().get(LINK_PATH).reply(200, linkAnswer());
		const staleFile = nock(TEST_BASE_URL).get('/api/v2/files/stale').reply(200, 'old');
		const file = fileHost([[200, PDF]]);
		const { items, error } = await runNode({ parameters: params() });
		expect(error).toBeUndefined();
		expect(staleFile.isDone()).toBe(false);
		expect(file.seen).toHaveLength(1);
		expect(binaryBytes(items[0]).equals(PDF)).toBe(true);
	});

	it('asks for a fresh link only once: a second refusal is an error', async () => {
		const links = api().get(LINK_PATH).times(3).reply(200, linkAnswer());
		const file = fileHost([
			[403, { error: { code: 'invalid_download_link', message: 'not valid' } }],
			[403, { error: { code: 'invalid_download_link', message: 'not valid' } }],
			[200, PDF],
		]);
		const { error } = await runNode({ parameters: params() });
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain('invalid_download_link');
		expect(error?.description).toContain('even after asking CrewPass for a fresh one');
		expect(file.seen).toHaveLength(2);
		expect(links.pendingMocks()).toHaveLength(1);
	});

	it('fails on a 404 from the link request without following anything', async () => {
		api()
			.get(LINK_PATH)
			.reply(404, { error: { code: 'not_found', message: 'no document with that id' } });
		const { error } = await runNode({ parameters: params() });
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain('not_found');
	});

	it('strips folders from the file name CrewPass gives', async () => {
		api()
			.get(LINK_PATH)
			.reply(200, linkAnswer({ file_name: '../../etc/passwd', content_type: undefined }));
		fileHost([[200, PDF, { 'Content-Type': 'application/pdf; charset=binary' }]]);
		const { items } = await runNode({ parameters: params() });
		expect(items[0].binary!.data).toMatchObject({
			fileName: 'passwd',
			mimeType: 'application/pdf',
		});
	});

	it.each([
		[{ documentId: ' ' }, 'Document ID: is empty [item 0]'],
		[{ documentId: '..' }, 'Document ID: ".." is not a valid ID [item 0]'],
		[
			{ binaryPropertyName: '={{ $json.missing ?? "" }}' },
			'Put Output File in Field: is empty [item 0]',
		],
	])('rejects bad parameters before any request: %j', async (extra, message) => {
		const { error } = await runNode({ parameters: params(extra) });
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toBe(message);
	});
});

describe('Document → Get Download Link', () => {
	it('GETs the link with the Bearer key and outputs it as one item', async () => {
		const answer = linkAnswer();
		const scope = api().get(LINK_PATH).reply(200, answer);
		const { items, error } = await runNode({
			parameters: { ...params(), operation: 'getDownloadLink' },
		});
		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toEqual([
			{ json: { crew_unique_id: 'crew_001', ...answer }, pairedItem: { item: 0 } },
		]);
	});

	it('rejects an empty Document ID (from an expression) before any request', async () => {
		const { error } = await runNode({
			parameters: {
				...params(),
				operation: 'getDownloadLink',
				documentId: '={{ $json.document_id ?? "" }}',
			},
		});
		expect(error?.message).toBe('Document ID: is empty [item 0]');
	});
});
