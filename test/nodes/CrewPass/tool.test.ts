/**
 * Issue 19 points 1–3: the CrewPass node as an AI agent tool, run the way n8n 2.41 runs it for an
 * AI Agent (test/harness/tool.ts: an agent node asks n8n-core for its tools, which builds them with
 * createNodeAsTool and runs the node in a SupplyDataContext), with nock for HTTP.
 *
 * Every operation the node describes has a scenario here (a new one fails the first test until it
 * gets one). Each scenario answers with more than an agent should get and with links, tokens and
 * keys hidden everywhere a server could put them; the agent must get neither a link, a token nor
 * file bytes, in a success, a Continue On Fail error item or a thrown error, must get a bounded
 * output with a note saying how to narrow the request, and must be told the bound by the tool
 * description n8n builds by default (Set Automatically).
 */
import nock from 'nock';
import type { IDataObject, INodeParameters, INodePropertyOptions } from 'n8n-workflow';
import { NodeHelpers, nodeNameToToolName } from 'n8n-workflow';

import {
	TOOL_MAX_CHARS,
	TOOL_MAX_ITEMS,
	TOOL_MAX_TEXT,
} from '../../../nodes/CrewPass/actions/common/tool';
import { FLEET_CONCURRENCY } from '../../../nodes/CrewPass/actions/compliance/checkFleet.operation';
import { resources } from '../../../nodes/CrewPass/actions/resources';
import { TOOL_DESCRIPTION } from '../../../nodes/CrewPass/actions/toolDescription';
import { CrewPass } from '../../../nodes/CrewPass/CrewPass.node';
import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../harness';
import { editorToolDescription, runAsAgentTool } from '../../harness/tool';
import type { AgentRunResult } from '../../harness/tool';
import { crewPass, guardRequests } from './fixtures/http';
import { fleetServer, makeCrew } from './fixtures/roster';
import profileFull from './fixtures/profile-full.json';
import { documentsAnswer } from './actions/document/helpers';

const unexpected = guardRequests();

// Leaks a server could make: a download link with its token, signed query strings, bearer values,
// API keys (the real one and another), JWT-like tokens. Every marker contains "SECRET" but the
// real key, which is checked by value.
const TOKEN = 'SECRET_tok_9f8e';
const FILE_LINK = `${TEST_BASE_URL}/api/v2/files/${TOKEN}`;
const leak = (text: string) =>
	`${text} ${FILE_LINK}?X-Signature=${TOKEN} Bearer ${TOKEN} cpk_live_SECRETKEY ${TEST_API_KEY} eyJhbGciSECRET.eyJzdWIiOiJ4In0.c2ln`;
const LEAKY_FIELDS: IDataObject = {
	download_url: FILE_LINK,
	file_url: FILE_LINK,
	signed_url: FILE_LINK,
	link: FILE_LINK,
	token: TOKEN,
	access_token: TOKEN,
	api_key: 'cpk_live_SECRETKEY',
	remark: leak('see'),
};
const FILE_BYTES = Buffer.alloc(300_000, 7);
const CREW_PATH = '/api/v2/employers/me/crew/crew_001';
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

/** Files fetched from a download link (an agent's run must fetch none). */
const fileRequests: string[] = [];
beforeEach(() => {
	fileRequests.length = 0;
	nock(TEST_BASE_URL)
		.persist()
		.get(/^\/api\/v2\/files\//)
		.reply((uri) => {
			fileRequests.push(uri);
			return [200, FILE_BYTES, { 'Content-Type': 'application/pdf' }];
		});
});

function documents(count: number): IDataObject[] {
	const [template] = documentsAnswer().items;
	return Array.from({ length: count }, (_, i) => ({
		...template,
		...LEAKY_FIELDS,
		document_id: `doc_${i}`,
		title: leak(`Certificate ${i}`),
	}));
}

function serveDocuments(count: number) {
	crewPass()
		.get(`${CREW_PATH}/documents`)
		.reply(200, { crew_unique_id: 'crew_001', items: documents(count) });
}

/** Download links for any document; returns the ids asked for. */
function serveLinks(): string[] {
	const asked: string[] = [];
	crewPass()
		.persist()
		.get(/\/documents\/doc_\d+\/download$/)
		.reply((uri) => {
			const id = /doc_\d+/.exec(uri)![0];
			asked.push(id);
			return [
				200,
				{
					...LEAKY_FIELDS,
					document_id: id,
					download_url: `${FILE_LINK}_${id}?X-Goog-Signature=${TOKEN}`,
					expires_at: new Date(Date.now() + 900_000).toISOString(),
					content_type: 'application/pdf',
					file_name: `${id}.pdf`,
				},
			];
		});
	return asked;
}

interface Scenario {
	parameters: INodeParameters;
	/** Answers more than an agent should get, with leaks. */
	serve(): void;
	/** What the default tool description must say of the output's bound. */
	stated: string;
	/** Checks on what the scenario's requests were (cost bounds). */
	after?(result: AgentRunResult): void;
}

const MORE = TOOL_MAX_ITEMS + 10;
const UP_TO = `up to ${TOOL_MAX_ITEMS}`;
let roster: ReturnType<typeof fleetServer> | undefined;
let linksAsked: string[] = [];
let checks: string[] = [];

/** A fleet of `count` crew and their compliance; every 7th has not consented (leaky refusal). */
function serveFleetChecks(count: number) {
	roster = fleetServer(makeCrew(count).map((row) => ({ ...row, name: leak(String(row.name)) })));
	checks = [];
	crewPass()
		.persist()
		.post(/\/compliance-checks/)
		.query(true)
		.reply((uri) => {
			const crewId = /crew\/([^/]+)\//.exec(uri)![1];
			checks.push(crewId);
			if (Number(crewId.slice(5)) % 7 === 0) {
				return [
					403,
					{
						error: {
							code: 'scope_not_consented',
							message: leak('not consented'),
							scope: 'crew:compliance:read',
						},
					},
				];
			}
			return [200, { crew_unique_id: crewId, overall_status: 'compliant', ...LEAKY_FIELDS }];
		});
}

/** One scenario per operation the node describes, by `resource.operation`. */
const SCENARIOS: Record<string, Scenario> = {
	'partner.get': {
		parameters: {},
		serve: () =>
			crewPass()
				.get('/api/v2/partners/me')
				.reply(200, { partner_id: 'ptn_1', name: leak('Acme'), scopes: ['a'], ...LEAKY_FIELDS }),
		stated: 'identity',
	},
	'vessel.getAll': {
		parameters: { returnAll: true },
		serve: () =>
			crewPass()
				.get('/api/v2/employers/me/vessels')
				.reply(200, {
					items: Array.from({ length: MORE }, (_, i) => ({
						vessel_id: `ves_${i}`,
						vessel_name: leak(`M/Y ${i}`),
						...LEAKY_FIELDS,
					})),
					next_cursor: null,
				}),
		stated: UP_TO,
	},
	'crewMember.getAll': {
		parameters: { returnAll: true },
		serve: () => {
			// 10,000 crew: as a tool, Return All reads one page of TOOL_MAX_ITEMS + 1
			roster = fleetServer(
				makeCrew(10_000).map((row) => ({ ...row, ...LEAKY_FIELDS, name: leak(String(row.name)) })),
			);
		},
		stated: UP_TO,
		after: () => {
			expect(roster!.requests.map((request) => request.query.limit)).toEqual([
				String(TOOL_MAX_ITEMS + 1),
			]);
		},
	},
	'crewMember.findByEmail': {
		parameters: { email: 'crew@example.com' },
		serve: () =>
			crewPass()
				.post('/api/v2/employers/me/crew/lookup')
				.reply(200, { crew_unique_id: 'crew_001', status: leak('active'), ...LEAKY_FIELDS }),
		stated: 'a crew member',
	},
	'crewMember.getProfile': {
		parameters: { crewMember: crewById, simplify: false },
		serve: () =>
			crewPass()
				.get(`${CREW_PATH}/profile`)
				.reply(200, { ...profileFull, ...LEAKY_FIELDS, bio: leak('x'.repeat(200_000)) }),
		stated: 'the profile of a crew member',
	},
	'crewMember.getPhoto': {
		parameters: { crewMember: crewById },
		serve: () =>
			crewPass().get(`${CREW_PATH}/photo`).reply(200, FILE_BYTES, { 'Content-Type': 'image/png' }),
		stated: 'details only',
	},
	'document.getAll': {
		parameters: { crewMember: crewById, returnAll: true, simplify: false },
		serve: () => serveDocuments(MORE),
		stated: UP_TO,
	},
	'document.getDownloadLink': {
		parameters: { crewMember: crewById, documentId: 'doc_1' },
		serve: () => {
			linksAsked = serveLinks();
		},
		stated: 'hidden from AI',
	},
	'document.download': {
		parameters: { crewMember: crewById, documentId: 'doc_1' },
		serve: () => {
			linksAsked = serveLinks();
		},
		stated: 'details only',
		after: () => expect(linksAsked).toEqual(['doc_1']),
	},
	'document.downloadAll': {
		parameters: { crewMember: crewById, simplify: false },
		serve: () => {
			serveDocuments(MORE);
			linksAsked = serveLinks();
		},
		stated: UP_TO,
		after: () => expect(linksAsked).toHaveLength(TOOL_MAX_ITEMS),
	},
	'compliance.check': {
		parameters: { crewMember: crewById, output: 'requirements', simplify: false },
		serve: () =>
			crewPass()
				.post(`${CREW_PATH}/compliance-checks`)
				.reply(200, {
					crew_unique_id: 'crew_001',
					overall_status: 'at_risk',
					...LEAKY_FIELDS,
					requirements: Array.from({ length: MORE }, (_, i) => ({
						requirement_key: `req_${i}`,
						title: leak(`Requirement ${i}`),
						status: 'met',
						...LEAKY_FIELDS,
					})),
				}),
		stated: UP_TO,
	},
	'compliance.checkFleet': {
		parameters: {},
		// 500 crew: as a tool, checks stop once more than TOOL_MAX_ITEMS are found
		serve: () => serveFleetChecks(500),
		stated: UP_TO,
		after: () => {
			const pools = Math.ceil((TOOL_MAX_ITEMS + 1) / FLEET_CONCURRENCY);
			expect(checks).toHaveLength(pools * FLEET_CONCURRENCY);
			// the first crew members of the roster, whatever order the pool sent them in
			expect([...checks].sort()).toEqual(makeCrew(checks.length).map((row) => row.crew_unique_id));
		},
	},
};

/** Every operation the node's description offers, as `resource.operation`. */
function describedOperations(): string[] {
	return new CrewPass().description.properties
		.filter((property) => property.name === 'operation')
		.flatMap((property) =>
			(property.options as INodePropertyOptions[]).map(
				(option) =>
					`${property.displayOptions!.show!.resource![0] as string}.${option.value as string}`,
			),
		)
		.sort();
}

function parametersOf(key: string, extra: INodeParameters = {}): INodeParameters {
	const [resource, operation] = key.split('.');
	return { resource, operation, ...SCENARIOS[key].parameters, ...extra };
}

function actionOf(key: string): string {
	const [resource, operation] = key.split('.');
	const selector = new CrewPass().description.properties.find(
		(property) =>
			property.name === 'operation' && property.displayOptions?.show?.resource?.[0] === resource,
	)!;
	return (selector.options as INodePropertyOptions[]).find((option) => option.value === operation)!
		.action!;
}

/** No link token, signed query, bearer value, API key, JWT or file bytes in `text`. */
function expectNothingSecret(text: string) {
	expect(text).not.toContain('SECRET');
	expect(text).not.toContain(TEST_API_KEY);
	expect(text).not.toMatch(/\/api\/v2\/files\/(?!\[link token removed\])/);
	expect(text).not.toContain(FILE_BYTES.toString('base64').slice(0, 40));
	expect(text).not.toContain(FILE_BYTES.toString('utf8').slice(0, 40));
}

/** The agent's run: nothing secret anywhere, no binary data in what the tool node output. */
function expectSafe(result: AgentRunResult) {
	expect(result.error).toBeUndefined();
	expectNothingSecret(JSON.stringify(result.call));
	for (const item of result.toolItems) expect(item.binary).toBeUndefined();
}

const operations = describedOperations();

describe('CrewPass as an AI agent tool: every operation', () => {
	it('has a scenario for every operation the node describes and the router runs', () => {
		const routed = Object.entries(resources)
			.flatMap(([resource, { operations: ops }]) =>
				Object.keys(ops).map((op) => `${resource}.${op}`),
			)
			.sort();
		expect(routed).toEqual(operations);
		expect(Object.keys(SCENARIOS).sort()).toEqual(operations);
	});

	describe.each(operations)('%s', (key) => {
		it('gives the agent a bounded output with no link, token or file, and says how to narrow it', async () => {
			const scenario = SCENARIOS[key];
			scenario.serve();
			const result = await runAsAgentTool({ parameters: parametersOf(key) });
			expectSafe(result);
			expect(result.call.result).toEqual(expect.any(String));
			expect(unexpected.requests).toEqual([]);
			expect(fileRequests).toEqual([]);

			const items = JSON.parse(result.call.result!) as IDataObject[];
			expect(items.length).toBeGreaterThan(0);
			expect(items.length).toBeLessThanOrEqual(TOOL_MAX_ITEMS + 1);
			const last = items[items.length - 1];
			const data = last.truncated === true ? items.slice(0, -1) : items;
			expect(JSON.stringify(data).length).toBeLessThanOrEqual(TOOL_MAX_CHARS);
			for (const item of data) {
				for (const value of Object.values(item)) {
					if (typeof value === 'string') expect(value.length).toBeLessThan(TOOL_MAX_TEXT + 100);
				}
			}
			if (last.truncated === true) {
				const [resource, operation] = key.split('.');
				const { narrow } = resources[resource].operations[operation].toolBound;
				expect(String(last.note)).toContain(`Narrow the request (${narrow})`);
				expect(last.items_returned).toBe(data.length);
			}
			scenario.after?.(result);

			// what n8n tells the agent by default (Set Automatically): the action, with the bound
			expect(result.call.description).toBe(`${actionOf(key)} in CrewPass`);
			expect(result.call.description).toContain(scenario.stated);
			if (items.length > 1) expect(result.call.description).toContain(UP_TO);
		});

		it('gives neither link nor token in a Continue On Fail error item or a thrown error', async () => {
			const envelope = {
				error: {
					code: 'scope_not_granted',
					message: leak('denied for'),
					scope: `crew:documents:download ${FILE_LINK}`,
				},
			};
			for (const continueOnFail of [true, false]) {
				nock(TEST_BASE_URL)
					.persist()
					.get(/.*/)
					.reply(403, envelope)
					.post(/.*/)
					.reply(403, envelope);
				const result = await runAsAgentTool({ parameters: parametersOf(key), continueOnFail });
				nock.cleanAll();
				expectSafe(result);
				if (continueOnFail) {
					const items = JSON.parse(result.call.result!) as IDataObject[];
					expect(items).toEqual([expect.objectContaining({ code: 'scope_not_granted' })]);
					expect(String(items[0].error)).toContain('denied for');
				} else {
					expect(result.call.result).toBeUndefined();
					expect(result.call.error).toContain('scope_not_granted');
					expect(result.call.error).toContain('Details: ');
				}
			}
		});
	});
});

describe('CrewPass as an AI agent tool: what the agent is told', () => {
	it("the default names fit a tool name (64 characters) with room for n8n's copy number", () => {
		const tool = editorToolDescription();
		for (const key of operations) {
			const name = `${NodeHelpers.makeNodeName(parametersOf(key), tool)}1`;
			expect(nodeNameToToolName(name)).toBe(name.replace(/[^a-zA-Z0-9_-]+/g, '_'));
		}
	});

	it('Set Manually starts from the tool description, which states every bound and the link rule', async () => {
		const editor = editorToolDescription();
		const toolDescription = editor.properties.find((p) => p.name === 'toolDescription')!;
		expect(toolDescription.default).toBe(TOOL_DESCRIPTION);
		for (const phrase of [
			`at most ${TOOL_MAX_ITEMS} items plus a note`,
			'how to narrow the request',
			'never a download link or token unless the workflow allows links',
			'never the file itself',
			'no image is returned',
			'1 request per crew member',
		])
			expect(TOOL_DESCRIPTION).toContain(phrase);

		SCENARIOS['partner.get'].serve();
		const { call } = await runAsAgentTool({
			parameters: parametersOf('partner.get', {
				descriptionType: 'manual',
				toolDescription: TOOL_DESCRIPTION,
			}),
		});
		expect(call.description).toBe(TOOL_DESCRIPTION);
	});
});

describe('Get Download Link: the link only when the workflow author allows it', () => {
	const option = () =>
		editorToolDescription().properties.find((property) => property.name === 'giveLinkToAgent')!;

	it('is an option of the tool only, off by default, that says what it exposes', () => {
		expect(option().default).toBe(false);
		expect(option().description).toMatch(/anyone who holds it .* can download the file/);
		const shown = (description: ReturnType<typeof editorToolDescription>) =>
			NodeHelpers.displayParameter(
				{ resource: 'document', operation: 'getDownloadLink' },
				option(),
				null,
				description,
			);
		expect(shown(editorToolDescription())).toBe(true);
		expect(shown(new CrewPass().description)).toBe(false);
	});

	it('off: file name, content type and expiry, and a note saying why there is no link', async () => {
		serveLinks();
		const { call } = await runAsAgentTool({ parameters: parametersOf('document.getDownloadLink') });
		const [item] = JSON.parse(call.result!) as IDataObject[];
		expect(item).toMatchObject({
			crew_unique_id: 'crew_001',
			document_id: 'doc_1',
			file_name: 'doc_1.pdf',
			content_type: 'application/pdf',
			expires_at: expect.any(String),
		});
		expect(item.download_url).toBeUndefined();
		expect(String(item.note)).toContain('Give the Link to the AI Agent');
	});

	it('on: the agent gets the download_url (and still no other token or key)', async () => {
		serveLinks();
		const { call } = await runAsAgentTool({
			parameters: parametersOf('document.getDownloadLink', { giveLinkToAgent: true }),
		});
		const [item] = JSON.parse(call.result!) as IDataObject[];
		expect(item.download_url).toBe(`${FILE_LINK}_doc_1?X-Goog-Signature=${TOKEN}`);
		const rest = { ...item };
		delete rest.download_url;
		expectNothingSecret(JSON.stringify(rest));
		expect(fileRequests).toEqual([]);
	});
});

describe('outside tool mode nothing changes (the same node in a workflow)', () => {
	it('Get Many with Return All outputs the whole roster', async () => {
		const server = fleetServer(makeCrew(450));
		const { items, error } = await runNode({
			parameters: { resource: 'crewMember', operation: 'getAll', returnAll: true },
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(450);
		expect(server.requests).toHaveLength(3);
	});

	it('Get Download Link outputs the link', async () => {
		serveLinks();
		const { items, error } = await runNode({
			parameters: { ...parametersOf('document.getDownloadLink'), resource: 'document' },
		});
		expect(error).toBeUndefined();
		expect(items[0].json.download_url).toBe(`${FILE_LINK}_doc_1?X-Goog-Signature=${TOKEN}`);
	});

	it('Check Fleet checks and outputs every crew member', async () => {
		serveFleetChecks(MORE);
		const { items, error } = await runNode({
			parameters: { resource: 'compliance', operation: 'checkFleet' },
		});
		expect(error).toBeUndefined();
		expect(items).toHaveLength(MORE);
		expect(checks).toHaveLength(MORE);
	});
});
