/**
 * The CrewPass node as an AI agent tool (`crewPassTool`, built from the node as n8n builds it):
 * what an agent is told, and bounded output for the fan-out and binary operations, through real
 * n8n-core execution with nock.
 */
import nock from 'nock';
import type { INodeExecutionData, INodePropertyOptions } from 'n8n-workflow';

import { TOOL_MAX_ITEMS } from '../../../nodes/CrewPass/actions/common/tool';
import { runNode, testCredentials, TEST_BASE_URL } from '../../harness';
import { CREWPASS_TOOL_NODE_TYPE, registerCrewPassTool } from '../../harness/tool';

const tool = registerCrewPassTool();
const FLEET_PATH = '/api/v2/employers/me/fleet';
const CREW_PATH = '/api/v2/employers/me/crew/crew_001';
const CHECK_RE = /^\/api\/v2\/employers\/me\/crew\/([^/?]+)\/compliance-checks(\?.*)?$/;

// A key of its own per test: the process-wide pacer of one test never slows another.
let keys = 0;
const credentials = () => testCredentials({ apiKey: `cpk_test_tool_${++keys}` });

function runTool(parameters: Record<string, unknown>, nodeType = CREWPASS_TOOL_NODE_TYPE) {
	return runNode({
		nodeType,
		parameters: parameters as never,
		credentials: credentials(),
		// what n8n hands a tool: one item with the agent's arguments
		input: [{ json: { query: 'from the agent' } }],
	});
}

const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

function mockFleet(count: number) {
	const rows = Array.from({ length: count }, (_, i) => ({
		crew_unique_id: `crew_${String(i).padStart(3, '0')}`,
		name: `Crew ${i}`,
		vessel_id: 'ves_a',
		vessel_name: 'M/Y A',
		role: 'Deckhand',
	}));
	nock(TEST_BASE_URL)
		.get(FLEET_PATH)
		.query({ limit: '200' })
		.reply(200, { items: rows, next_cursor: null });
	nock(TEST_BASE_URL)
		.post(CHECK_RE)
		.times(count)
		.reply((uri) => [
			200,
			{ crew_unique_id: CHECK_RE.exec(uri)![1], overall_status: 'compliant', requirements: [] },
		]);
}

function mockDocuments(count: number) {
	const items = Array.from({ length: count }, (_, i) => ({
		document_id: `doc_${i}`,
		type: 'STCW',
		title: `Certificate ${i}`,
		verification_status: 'verified',
		expiry_date: null,
	}));
	nock(TEST_BASE_URL)
		.get(`${CREW_PATH}/documents`)
		.reply(200, { crew_unique_id: 'crew_001', items });
	const links: string[] = [];
	nock(TEST_BASE_URL)
		.get(/\/documents\/doc_\d+\/download$/)
		.times(count)
		.reply((uri) => {
			const id = /doc_\d+/.exec(uri)![0];
			links.push(id);
			return [
				200,
				{
					document_id: id,
					download_url: `${TEST_BASE_URL}/api/v2/files/secret_token_${id}`,
					expires_at: new Date(Date.now() + 900_000).toISOString(),
					content_type: 'application/pdf',
					file_name: `${id}.pdf`,
				},
			];
		});
	return links;
}

const fileRequests: string[] = [];
beforeAll(() => nock.disableNetConnect());
beforeEach(() => {
	fileRequests.length = 0;
	nock(TEST_BASE_URL)
		.persist()
		.get(/\/api\/v2\/files\//)
		.reply((uri) => {
			fileRequests.push(uri);
			return [200, Buffer.from('%PDF-1.4 file bytes')];
		});
});
afterEach(() => nock.cleanAll());

function noBinaryAnywhere(items: INodeExecutionData[]) {
	expect(items.every((item) => item.binary === undefined)).toBe(true);
	const text = JSON.stringify(items.map((item) => item.json));
	expect(text).not.toContain(Buffer.from('%PDF-1.4 file bytes').toString('base64'));
	expect(text).not.toContain('secret_token');
}

describe('CrewPass as an AI agent tool (crewPassTool)', () => {
	it('is the tool variant n8n builds, and tells the agent what each operation returns and costs', () => {
		expect(tool.description.name).toBe('crewPassTool');
		expect(tool.description.outputs).toEqual(['ai_tool']);
		const text = tool.description.description;
		for (const phrase of [
			'Check Fleet',
			'1 request per crew member',
			'60/s',
			'at most 50',
			'never the file itself',
			'no image is returned',
		])
			expect(text).toContain(phrase);
		// n8n's automatic tool description is the operation's action: every operation has one
		const operations = tool.description.properties.filter((p) => p.name === 'operation');
		expect(operations.length).toBe(5);
		for (const property of operations)
			for (const option of property.options as INodePropertyOptions[])
				expect(option.action).toEqual(expect.any(String));
	});

	it(`Check Fleet gives an agent at most ${TOOL_MAX_ITEMS} items and a note that says it was cut`, async () => {
		mockFleet(60);
		const { items, error } = await runTool({ resource: 'compliance', operation: 'checkFleet' });
		expect(error).toBeUndefined();
		expect(items).toHaveLength(TOOL_MAX_ITEMS + 1);
		expect(items[TOOL_MAX_ITEMS].json).toMatchObject({
			truncated: true,
			items_returned: TOOL_MAX_ITEMS,
			items_total: 60,
		});
		expect(String(items[TOOL_MAX_ITEMS].json.note)).toMatch(/AI agent tool/);
	});

	it('the same Check Fleet in a workflow (not a tool) outputs all 60', async () => {
		mockFleet(60);
		const { items, error } = await runTool(
			{ resource: 'compliance', operation: 'checkFleet' },
			'n8n-nodes-crewpass.crewPass',
		);
		expect(error).toBeUndefined();
		expect(items).toHaveLength(60);
	});

	it('Download All gives file details of at most 50 documents, never a file or a link', async () => {
		const links = mockDocuments(60);
		const { items, error } = await runTool({
			resource: 'document',
			operation: 'downloadAll',
			crewMember: crewById,
		});
		expect(error).toBeUndefined();
		expect(links).toHaveLength(TOOL_MAX_ITEMS);
		expect(fileRequests).toEqual([]);
		expect(items).toHaveLength(TOOL_MAX_ITEMS + 1);
		expect(items[0].json).toMatchObject({
			document_id: 'doc_0',
			file_name: 'doc_0.pdf',
			content_type: 'application/pdf',
		});
		expect(Object.keys(items[0].json).length).toBeLessThanOrEqual(11);
		expect(items[TOOL_MAX_ITEMS].json).toMatchObject({ truncated: true, items_total: 60 });
		noBinaryAnywhere(items);
	});

	it('Download gives the file details in one request, without fetching the file', async () => {
		const links = mockDocuments(1);
		nock.removeInterceptor({ hostname: 'crewpass.test', path: `${CREW_PATH}/documents` });
		const { items, error } = await runTool({
			resource: 'document',
			operation: 'download',
			crewMember: crewById,
			documentId: 'doc_0',
		});
		expect(error).toBeUndefined();
		expect(links).toEqual(['doc_0']);
		expect(fileRequests).toEqual([]);
		expect(items).toHaveLength(1);
		expect(items[0].json).toMatchObject({ document_id: 'doc_0', file_name: 'doc_0.pdf' });
		noBinaryAnywhere(items);
	});

	it('Get Photo tells the agent what the photo is, without its bytes', async () => {
		nock(TEST_BASE_URL)
			.get(`${CREW_PATH}/photo`)
			.reply(200, Buffer.from('%PDF-1.4 file bytes'), { 'Content-Type': 'image/png' });
		const { items, error } = await runTool({
			resource: 'crewMember',
			operation: 'getPhoto',
			crewMember: crewById,
		});
		expect(error).toBeUndefined();
		expect(items).toEqual([
			{
				json: expect.objectContaining({
					crew_unique_id: 'crew_001',
					has_photo: true,
					mime_type: 'image/png',
					file_name: 'crew_001.png',
					file_size: 19,
				}),
				pairedItem: { item: 0 },
			},
		]);
		noBinaryAnywhere(items);
	});
});
