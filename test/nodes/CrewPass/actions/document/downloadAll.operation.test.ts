import nock from 'nock';
import type { INodeExecutionData } from 'n8n-workflow';

import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../../harness';
import { documentsAnswer, SCOPE_NOT_CONSENTED } from './helpers';

const CREW_PATH = '/api/v2/employers/me/crew/crew_001';
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

function fileOf(documentId: string): Buffer {
	return Buffer.from(`%PDF-1.4 file of ${documentId} %%EOF`);
}

function params(extra: Record<string, unknown> = {}) {
	return { resource: 'document', operation: 'downloadAll', crewMember: crewById, ...extra };
}

function api() {
	return nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${TEST_API_KEY}` } });
}

/** Link + file interceptors for each document; returns the headers seen on the file host. */
function mockDownloads(documentIds: string[]) {
	const fileHeaders: Array<Record<string, unknown>> = [];
	for (const id of documentIds) {
		api()
			.get(`${CREW_PATH}/documents/${id}/download`)
			.reply(200, {
				document_id: id,
				download_url: `${TEST_BASE_URL}/api/v2/files/token_${id}`,
				expires_at: new Date(Date.now() + 900_000).toISOString(),
				content_type: 'application/pdf',
				file_name: `${id}.pdf`,
			});
		nock(TEST_BASE_URL)
			.get(`/api/v2/files/token_${id}`)
			.reply(function () {
				fileHeaders.push({ ...this.req.headers });
				return [200, fileOf(id)];
			});
	}
	return fileHeaders;
}

function bytes(item: INodeExecutionData): Buffer {
	return Buffer.from(item.binary!.data.data, 'base64');
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Document → Download All', () => {
	it('downloads every current document: one item per document, in list order, with binary data', async () => {
		const ids = ['doc_1', 'doc_2', 'doc_3', 'doc_4', 'doc_5'];
		api().get(`${CREW_PATH}/documents`).reply(200, documentsAnswer());
		const fileHeaders = mockDownloads(ids);
		const input: INodeExecutionData[] = [
			{ json: {}, binary: { cv: { data: 'Y3Y=', mimeType: 'text/plain', fileName: 'cv.txt' } } },
		];

		const { items, error } = await runNode({ parameters: params(), input });

		expect(error).toBeUndefined();
		expect(nock.pendingMocks()).toEqual([]);
		expect(items.map((item) => item.json.document_id)).toEqual(ids);
		items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(bytes(item).equals(fileOf(ids[i]))).toBe(true);
			expect(item.binary!.data).toMatchObject({
				fileName: `${ids[i]}.pdf`,
				mimeType: 'application/pdf',
			});
			expect(item.binary!.cv).toEqual(input[0].binary!.cv);
			expect(item.json).toMatchObject({
				crew_unique_id: 'crew_001',
				file_name: `${ids[i]}.pdf`,
				content_type: 'application/pdf',
				file_size: fileOf(ids[i]).length,
			});
			expect(item.json).toHaveProperty('days_until_expiry');
			expect(item.json).toHaveProperty('title');
		});
		expect(fileHeaders).toHaveLength(5);
		expect(fileHeaders.every((headers) => headers.authorization === undefined)).toBe(true);
	});

	it('Simplify (default) keeps the 10 listed fields; off keeps every document field', async () => {
		api().get(`${CREW_PATH}/documents`).reply(200, documentsAnswer());
		api().get(`${CREW_PATH}/documents`).reply(200, documentsAnswer());
		mockDownloads(['doc_1']);
		mockDownloads(['doc_1']);
		const filters = { types: 'STCW', verificationStatuses: ['verified'] };
		const simple = await runNode({ parameters: params({ filters }) });
		const raw = await runNode({ parameters: params({ filters, simplify: false }) });
		expect(simple.error).toBeUndefined();
		expect(raw.error).toBeUndefined();
		expect(Object.keys(simple.items[0].json)).toEqual([
			'document_id',
			'crew_unique_id',
			'type',
			'title',
			'verification_status',
			'expiry_date',
			'days_until_expiry',
			'file_name',
			'content_type',
			'file_size',
		]);
		expect(raw.items[0].json).toMatchObject({
			document_number: 'PST-12345',
			issuer: expect.any(String),
		});
		expect(simple.items[0].binary!.data).toBeDefined();
	});

	it('downloads only the documents the filters keep', async () => {
		api().get(`${CREW_PATH}/documents`).reply(200, documentsAnswer());
		mockDownloads(['doc_1', 'doc_3']);
		const { items, error } = await runNode({
			parameters: params({ binaryPropertyName: 'file', filters: { types: 'STCW' } }),
		});
		expect(error).toBeUndefined();
		expect(nock.pendingMocks()).toEqual([]);
		expect(items.map((item) => item.json.document_id)).toEqual(['doc_1', 'doc_3']);
		expect(Object.keys(items[0].binary!)).toEqual(['file']);
	});

	it('outputs nothing for a crew member without documents', async () => {
		api().get(`${CREW_PATH}/documents`).reply(200, { crew_unique_id: 'crew_001', items: [] });
		const { items, error } = await runNode({ parameters: params() });
		expect(error).toBeUndefined();
		expect(items).toEqual([]);
	});

	it('fails the item (no partial output) when a download is refused, and continues on fail', async () => {
		api().get(`${CREW_PATH}/documents`).reply(200, documentsAnswer());
		mockDownloads(['doc_1', 'doc_2', 'doc_3', 'doc_4']);
		api()
			.get(`${CREW_PATH}/documents/doc_5/download`)
			.reply(403, {
				error: { code: 'scope_not_consented', message: 'no', scope: 'crew:documents:download' },
			});
		const { items, error } = await runNode({ parameters: params(), continueOnFail: true });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({
			json: { code: 'scope_not_consented', scope: 'crew:documents:download' },
			pairedItem: { item: 0 },
		});
	});

	it('surfaces scope_not_consented on the document list', async () => {
		api().get(`${CREW_PATH}/documents`).reply(403, SCOPE_NOT_CONSENTED);
		const { error } = await runNode({ parameters: params() });
		expect(error?.message).toContain('scope_not_consented');
	});
});
