/**
 * The README's tables, defaults, limits and samples against the built package (dist/, loaded the
 * way n8n loads it) and against the trigger's real answers: a change that makes a sentence of the
 * README untrue fails `npm test`. Each block names the README section it reads.
 */
import nock from 'nock';
import { PackageDirectoryLoader } from 'n8n-core';
import type {
	IDataObject,
	INodeParameters,
	INodeProperties,
	INodeTypeDescription,
} from 'n8n-workflow';

import { runNode, TEST_BASE_URL } from './harness';
import { resetDedupeStores } from '../nodes/CrewPassTrigger/dedupe';
import {
	anchors,
	codeBlocks,
	codeSpans,
	integer,
	linkTargets,
	onlyTable,
	plain,
	seconds,
	section,
	tables,
} from './readme/markdown';
import { deliveredItem, TRIGGER_CASES } from './readme/triggerAnswers';
import { listRepoFolder, readRepoFile, repoPathExists, requireBuilt } from './repo-files.cjs';

const README = readRepoFile('README.md');

/**
 * Pages the README links to that another change adds (issue 18 writes docs/compatibility.md).
 * Checked like every other link as soon as they exist.
 */
const PAGES_BEING_WRITTEN: string[] = [];

let crewPass: INodeTypeDescription;
let trigger: INodeTypeDescription;
let polling: INodeTypeDescription;
let credentialFields: INodeProperties[];

beforeAll(async () => {
	const root = require.resolve('../package.json').replace(/[\\/]package\.json$/, '');
	const loader = new PackageDirectoryLoader(root);
	await loader.loadAll();
	crewPass = loader.nodeTypes.crewPass.type.description as INodeTypeDescription;
	trigger = loader.nodeTypes.crewPassTrigger.type.description as INodeTypeDescription;
	polling = loader.nodeTypes.crewPassPollingTrigger.type.description as INodeTypeDescription;
	credentialFields = loader.credentialTypes.crewPassApi.type.properties;
});

describe('README "Credentials: CrewPass API" against the built credential', () => {
	it('every field of the credential has a row, and every row is a field', () => {
		const rows = onlyTable(section(README, 'Credentials: CrewPass API'));
		const documented = rows.flatMap((row) => row.Field.split(', '));
		const built = credentialFields.filter((p) => p.type !== 'notice').map((p) => p.displayName);
		expect(documented.sort()).toEqual(built.sort());
	});

	it('the environments, and the Production host the credential uses', () => {
		const { PRODUCTION_BASE_URL } = requireBuilt('credentials/CrewPassApi.credentials.js') as {
			PRODUCTION_BASE_URL: string;
		};
		const environment = credentialFields.find((p) => p.name === 'environment')!;
		expect(choices(environment).map((c) => c.name)).toEqual(['Production', 'Sandbox', 'Custom']);
		const row = onlyTable(section(README, 'Credentials: CrewPass API')).find(
			(r) => r.Field === 'Environment',
		)!;
		expect(row['What to enter']).toContain(`**Production** (\`${PRODUCTION_BASE_URL}\`)`);
	});
});

// ---- the node's description ------------------------------------------------------------------

interface Choice {
	name: string;
	value: unknown;
}

function choices(property: INodeProperties): Choice[] {
	return (property.options ?? []) as Choice[];
}

/** "Crew Member → Get Many" → the resource and operation values of the node. */
function operationOf(label: string): { resource: string; operation: string } {
	const [resourceName, operationName] = label.split('→').map((part) => part.trim());
	const resourceProperty = crewPass.properties.find((p) => p.name === 'resource')!;
	const resource = choices(resourceProperty).find((c) => c.name === resourceName)?.value;
	if (typeof resource !== 'string') throw new Error(`no resource "${resourceName}" (${label})`);
	const operationProperty = crewPass.properties.find(
		(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource),
	)!;
	const operation = choices(operationProperty).find((c) => c.name === operationName)?.value;
	if (typeof operation !== 'string') throw new Error(`no operation "${operationName}" (${label})`);
	return { resource, operation };
}

/** "Vessel → Get Many; Document → Get Many, Download All" → every operation it names. */
function operationsIn(cell: string): string[] {
	return cell.split(';').flatMap((part) => {
		const [resource, operations] = part.split('→').map((s) => s.trim());
		return operations.split(',').map((operation) => `${resource} → ${operation.trim()}`);
	});
}

/** Every operation of the node as "Resource → Operation". */
function allOperations(): string[] {
	const resourceProperty = crewPass.properties.find((p) => p.name === 'resource')!;
	return choices(resourceProperty).flatMap((resource) => {
		const operationProperty = crewPass.properties.find(
			(p) =>
				p.name === 'operation' &&
				p.displayOptions?.show?.resource?.includes(String(resource.value)),
		)!;
		return choices(operationProperty).map((op) => `${resource.name} → ${op.name}`);
	});
}

/** A parameter as the README names it: "Limit", or "Filters → Type" for a collection's option. */
interface NamedParameter {
	name: string;
	property: INodeProperties;
}

/** What the parameters table lists: all but locators, notices and inputs without a default. */
function documentedParameters(properties: INodeProperties[]): NamedParameter[] {
	const out: NamedParameter[] = [];
	for (const property of properties) {
		if (['resource', 'operation'].includes(property.name)) continue;
		if (['resourceLocator', 'notice'].includes(property.type)) continue;
		if (property.type === 'collection') {
			for (const option of (property.options ?? []) as INodeProperties[]) {
				out.push({ name: `${property.displayName} → ${option.displayName}`, property: option });
			}
			continue;
		}
		if (property.type === 'string' && property.default === '') continue;
		out.push({ name: property.displayName, property });
	}
	return out;
}

function parametersOf(label: string): NamedParameter[] {
	const { resource, operation } = operationOf(label);
	return documentedParameters(
		crewPass.properties.filter(
			(p) =>
				p.displayOptions?.show?.resource?.includes(resource) &&
				p.displayOptions?.show?.operation?.includes(operation),
		),
	);
}

/** The Default column as the README writes a property's default. */
function defaultText(property: INodeProperties): string {
	const value = property.default;
	switch (property.type) {
		case 'boolean':
			return value ? 'on' : 'off';
		case 'number':
			return (value as number).toLocaleString('en-US');
		case 'options':
			return choices(property).find((c) => c.value === value)?.name ?? `? ${String(value)}`;
		case 'multiOptions': {
			const values = value as unknown[];
			if (!values.length) return 'none';
			const all = choices(property).map((c) => c.value);
			if (all.length && all.every((v) => values.includes(v))) return 'all';
			return choices(property)
				.filter((c) => values.includes(c.value))
				.map((c) => c.name)
				.join(', ');
		}
		default:
			return value === '' ? 'empty' : String(value);
	}
}

/** Checks the Range or choices column against a property. */
function expectRange(cell: string, property: INodeProperties, where: string): void {
	const min = property.typeOptions?.minValue;
	const max = property.typeOptions?.maxValue;
	if (property.type === 'number') {
		const expected =
			min !== undefined && max !== undefined
				? `${min}–${max}`
				: min !== undefined
					? `${min} or more`
					: '-';
		expect({ where, range: cell }).toEqual({ where, range: expected });
	} else if (property.typeOptions?.loadOptionsMethod) {
		expect({ where, range: cell }).toEqual({ where, range: 'your vessels' });
	} else if (property.type === 'options' || property.type === 'multiOptions') {
		const names = choices(property).map((c) => c.name);
		expect({ where, range: cell.split(', ').sort() }).toEqual({ where, range: names.sort() });
	} else {
		expect({ where, range: cell }).toEqual({ where, range: '-' });
	}
}

// ---- the CrewPass node ---------------------------------------------------------------------

describe('README "The CrewPass node" against the built node', () => {
	it('Operations: every operation of the node, no other', () => {
		const rows = onlyTable(section(README, 'Operations'));
		const documented = rows.map((row) => `${row.Resource} → ${row.Operation}`);
		expect(documented.sort()).toEqual(allOperations().sort());
	});

	it('Operations: every endpoint path is one the client calls, and each one is there', () => {
		const { ENDPOINTS } = requireBuilt('nodes/CrewPass/client/index.js') as {
			ENDPOINTS: Record<string, (...ids: string[]) => string[]>;
		};
		const called = Object.values(ENDPOINTS).map(
			(segments) => `/api/v2/${segments('{id}', '{document_id}').join('/')}`,
		);
		const rows = onlyTable(section(README, 'Operations'));
		const documented = rows.flatMap((row) =>
			codeSpans(row.Endpoint)
				.map((span) => /^(?:GET|POST) (\/api\/v2\/\S+)$/.exec(span)?.[1])
				.filter((path): path is string => path !== undefined),
		);
		expect([...new Set(documented)].sort()).toEqual([...new Set(called)].sort());
	});

	describe('Operations: the Output column lists exactly the fields the operation outputs', () => {
		/** The fields the Output cell lists: its code spans up to the first sentence's end. */
		function fieldsOf(operation: string): string[] {
			const row = onlyTable(section(README, 'Operations')).find(
				(r) => `${r.Resource} → ${r.Operation}` === operation,
			)!;
			const cell = row.Output.includes('JSON:') ? row.Output.split('JSON:')[1] : row.Output;
			return codeSpans(cell.split(/\.\s|;\s/)[0]);
		}

		beforeAll(() => nock.disableNetConnect());
		afterEach(() => nock.cleanAll());
		afterAll(() => nock.enableNetConnect());

		// The contract's example answers (Quickstart).
		const cases: Array<{
			operation: string;
			parameters: INodeParameters;
			mock: () => void;
		}> = [
			{
				operation: 'Partner → Get',
				parameters: { resource: 'partner', operation: 'get' },
				mock: () =>
					nock(TEST_BASE_URL)
						.get('/api/v2/partners/me')
						.reply(200, {
							partner_id: 'prt_123',
							display_name: 'Example Fleet Management',
							partner_type: 'customer',
							status: 'active',
							mode: 'test',
							subscription_plan: 'management',
							granted_scopes: ['vessels:fleet:read'],
						}),
			},
			{
				operation: 'Vessel → Get Many',
				parameters: { resource: 'vessel', operation: 'getAll', returnAll: true },
				mock: () =>
					nock(TEST_BASE_URL)
						.get('/api/v2/employers/me/vessels')
						.reply(200, {
							items: [
								{
									vessel_id: 'ves_abc',
									vessel_name: 'M/Y Example',
									imo: '9780987',
									mmsi: '232003200',
									flag_state: 'Cayman Islands',
									vessel_type: 'M/Y',
								},
							],
						}),
			},
			{
				operation: 'Crew Member → Find by Email',
				parameters: { resource: 'crewMember', operation: 'findByEmail', email: 'crew@example.com' },
				mock: () =>
					nock(TEST_BASE_URL)
						.post('/api/v2/employers/me/crew/lookup')
						.reply(200, { crew_unique_id: 'crew_001', status: 'verified' }),
			},
			{
				operation: 'Document → Get Download Link',
				parameters: {
					resource: 'document',
					operation: 'getDownloadLink',
					crewMember: { __rl: true, mode: 'id', value: 'crew_001' },
					documentId: 'doc_1',
				},
				mock: () =>
					nock(TEST_BASE_URL)
						.get('/api/v2/employers/me/crew/crew_001/documents/doc_1/download')
						.reply(200, {
							document_id: 'doc_1',
							download_url: `${TEST_BASE_URL}/api/v2/files/eyJ0b2tlbiJ9`,
							expires_at: '2099-06-08T10:15:00Z',
							content_type: 'application/pdf',
							file_name: 'PST_certificate.pdf',
						}),
			},
			{
				operation: 'Document → Download',
				parameters: {
					resource: 'document',
					operation: 'download',
					crewMember: { __rl: true, mode: 'id', value: 'crew_001' },
					documentId: 'doc_1',
				},
				mock: () => {
					nock(TEST_BASE_URL)
						.get('/api/v2/employers/me/crew/crew_001/documents/doc_1/download')
						.reply(200, {
							document_id: 'doc_1',
							download_url: `${TEST_BASE_URL}/api/v2/files/eyJ0b2tlbiJ9`,
							expires_at: '2099-06-08T10:15:00Z',
							content_type: 'application/pdf',
							file_name: 'PST_certificate.pdf',
						});
					nock(TEST_BASE_URL)
						.get('/api/v2/files/eyJ0b2tlbiJ9')
						.reply(200, Buffer.from('%PDF-1.4 test'), { 'Content-Type': 'application/pdf' });
				},
			},
		];

		it.each(cases)('$operation', async ({ operation, parameters, mock }) => {
			mock();
			const { items, error } = await runNode({ parameters });
			expect(error).toBeUndefined();
			const output = [...new Set(items.flatMap((item) => Object.keys(item.json)))];
			expect(output.sort()).toEqual(fieldsOf(operation).sort());
		});
	});

	describe('Consent, and crew members off your fleet: Get Photo with Pass Item Through Without File', () => {
		const OFF_FLEET = { error: { code: 'not_found', message: 'crew member not found' } };
		const text = () =>
			section(README, 'Consent, and crew members off your fleet').replace(/\s+/g, ' ');

		beforeAll(() => nock.disableNetConnect());
		afterEach(() => nock.cleanAll());
		afterAll(() => nock.enableNetConnect());

		it('By ID: a crew member off the fleet passes the item through', async () => {
			expect(text()).toContain(
				'**Pass Item Through Without File** applies to them when the Crew Member is given **From List** or **By ID**',
			);
			nock(TEST_BASE_URL).get('/api/v2/employers/me/crew/crew_999/photo').reply(404, OFF_FLEET);
			const { items, error } = await runNode({
				parameters: {
					resource: 'crewMember',
					operation: 'getPhoto',
					crewMember: { __rl: true, mode: 'id', value: 'crew_999' },
					ifNoPhoto: 'passThrough',
				},
				input: [{ json: { keep: 'me' } }],
			});
			expect(error).toBeUndefined();
			expect(items.map((item) => item.json)).toEqual([{ keep: 'me' }]);
		});

		it("By Email: the lookup's not_found fails the item before the photo is asked for", async () => {
			expect(text()).toContain(
				'**By Email**, the email lookup comes first and its `not_found` fails the item before the photo is asked for',
			);
			nock(TEST_BASE_URL).post('/api/v2/employers/me/crew/lookup').reply(404, OFF_FLEET);
			const { error } = await runNode({
				parameters: {
					resource: 'crewMember',
					operation: 'getPhoto',
					crewMember: { __rl: true, mode: 'email', value: 'someone@elsewhere.example' },
					ifNoPhoto: 'passThrough',
				},
			});
			expect(error?.message).toContain('not_found');
			expect(nock.pendingMocks()).toEqual([]);
		});
	});

	it('Simplify: each operation with Simplify, and the fields it keeps, in order', () => {
		const built = (file: string) => requireBuilt(`nodes/CrewPass/actions/${file}.js`);
		const profile = built('crewMember/getProfile.operation') as {
			SIMPLE_FIELDS: string[];
			identitySummary: (profile: IDataObject) => IDataObject;
		};
		const documents = built('document/shared') as {
			SIMPLE_DOCUMENT_FIELDS: string[];
			SIMPLE_DOWNLOAD_FIELDS: string[];
		};
		const compliance = built('compliance/check.operation') as {
			SIMPLE_SNAPSHOT_FIELDS: string[];
			SIMPLE_REQUIREMENT_FIELDS: string[];
		};
		// The contract's full profile example: every identity field present.
		const identity = Object.keys(
			profile.identitySummary({
				date_of_birth: '1990-04-12',
				address: { line1: '…', city: '…', country: 'United Kingdom', postcode: '…' },
				passport: { nationality: 'British', number: '123456789', expiry: '2030-04-01' },
				visas: [{ type: 'B1/B2', country: 'USA', expiry: '2029-01-01' }],
				employment_history: [{ vessel_name: 'M/Y Example' }],
			}),
		);
		const expected: Record<string, string[]> = {
			'Crew Member → Get Profile': [...profile.SIMPLE_FIELDS, 'identity', ...identity],
			'Document → Get Many': documents.SIMPLE_DOCUMENT_FIELDS,
			'Document → Download All': documents.SIMPLE_DOWNLOAD_FIELDS,
			'Compliance → Check, Output Snapshot': compliance.SIMPLE_SNAPSHOT_FIELDS,
			'Compliance → Check, Output One Item per Requirement': compliance.SIMPLE_REQUIREMENT_FIELDS,
		};
		const rows = onlyTable(section(README, 'Simplify'));
		const documented = Object.fromEntries(
			rows.map((row) => [
				row.Operation,
				// The identity summary's visas are "(type, country, expiry)": not separate fields.
				codeSpans(row['Simplify keeps']),
			]),
		);
		expect(documented).toEqual(expected);

		// Every operation that offers Simplify has a row.
		const withSimplify = allOperations().filter((label) =>
			parametersOf(label).some((p) => p.property.name === 'simplify'),
		);
		const rowOperations = rows.map((row) => row.Operation.split(',')[0]);
		expect([...new Set(rowOperations)].sort()).toEqual(withSimplify.sort());
	});

	it('Parameters and their defaults: every parameter, its default and its range', () => {
		const rows = onlyTable(section(README, 'Parameters and their defaults'));
		const covered = new Set<string>();
		for (const row of rows) {
			for (const label of operationsIn(row.Operation)) {
				const where = `${label} / ${row.Parameter}`;
				const matching = parametersOf(label).filter((p) => p.name === row.Parameter);
				expect({ where, found: matching.length > 0 }).toEqual({ where, found: true });
				for (const { property } of matching) {
					expect({ where, default: plain(row.Default) }).toEqual({
						where,
						default: defaultText(property),
					});
					expectRange(row['Range or choices'], property, where);
				}
				covered.add(where);
			}
		}
		const missing = allOperations().flatMap((label) =>
			parametersOf(label)
				.map((p) => `${label} / ${p.name}`)
				.filter((where) => !covered.has(where)),
		);
		expect(missing).toEqual([]);
	});
});

// ---- the CrewPass Trigger -----------------------------------------------------------------

describe('README "CrewPass Trigger" against the built trigger', () => {
	// Deliveries go to a real HTTP server on 127.0.0.1, nowhere else.
	beforeAll(() => {
		nock.disableNetConnect();
		nock.enableNetConnect('127.0.0.1');
	});
	afterAll(() => nock.enableNetConnect());

	const samples = () =>
		requireBuilt('nodes/CrewPassTrigger/samples.js') as {
			SAMPLE_TYPES: readonly string[];
			SAMPLE_DATA: Record<string, IDataObject>;
			sampleItem: (type: string) => IDataObject;
		};

	it('Sample events: one per event type, each exactly the item a delivery of it produces', () => {
		const { SAMPLE_TYPES, sampleItem } = samples();
		const blocks = codeBlocks(section(README, 'Test URL vs Production URL'), 'json').map(
			(block) => JSON.parse(block) as IDataObject[],
		);
		expect(blocks.map((items) => items[0].event_type)).toEqual([...SAMPLE_TYPES]);
		for (const items of blocks) expect(items).toEqual([sampleItem(String(items[0].event_type))]);
	});

	it('Sample events: a signed delivery of each sample outputs the README item (but received_at)', async () => {
		const { sampleEnvelope } = requireBuilt('nodes/CrewPassTrigger/samples.js') as {
			sampleEnvelope: (type: string) => IDataObject;
		};
		const blocks = codeBlocks(section(README, 'Test URL vs Production URL'), 'json').map(
			(block) => JSON.parse(block) as IDataObject[],
		);
		for (const [documented] of blocks) {
			resetDedupeStores();
			const delivered = await deliveredItem(sampleEnvelope(String(documented.event_type)));
			expect({ ...delivered, received_at: 'when it arrived' }).toEqual({
				...documented,
				received_at: 'when it arrived',
			});
		}
	});

	it('Events and their payloads: every event type, its data fields, and the node offers them all', () => {
		const { SAMPLE_TYPES, SAMPLE_DATA } = samples();
		const rows = onlyTable(section(README, 'Events and their payloads'));
		const documented = Object.fromEntries(
			rows.map((row) => [codeSpans(row.Event)[0], codeSpans(row['`data`'])]),
		);
		const built = Object.fromEntries(
			SAMPLE_TYPES.map((type) => [type, Object.keys(SAMPLE_DATA[type])]),
		);
		expect(documented).toEqual(built);
		const events = trigger.properties.find((p) => p.name === 'events')!;
		expect(choices(events).map((c) => c.value)).toEqual(
			expect.arrayContaining(Object.keys(documented)),
		);
		expect(choices(events)).toHaveLength(rows.length);
	});

	it('Trigger parameters and their defaults: every parameter, its default and its range', () => {
		const rows = onlyTable(section(README, 'Trigger parameters and their defaults'));
		const built = documentedParameters(trigger.properties);
		expect(rows.map((row) => row.Parameter).sort()).toEqual(built.map((p) => p.name).sort());
		for (const row of rows) {
			const { property } = built.find((p) => p.name === row.Parameter)!;
			expect({ where: row.Parameter, default: plain(row.Default) }).toEqual({
				where: row.Parameter,
				default: defaultText(property),
			});
			expectRange(row['Range or choices'], property, row.Parameter);
		}
	});

	describe('What the trigger answers: each case sent to the trigger, answer and log level as the table says', () => {
		const rows = onlyTable(
			section(README, 'What the trigger answers, and which answers CrewPass retries'),
		);

		beforeEach(() => resetDedupeStores());

		it('every row has a case, every case a row', () => {
			expect(rows.map((row) => row.Case).sort()).toEqual(Object.keys(TRIGGER_CASES).sort());
		});

		it.each(rows.map((row) => [row.Case, row] as const))('%s', async (caseName, row) => {
			const run = TRIGGER_CASES[caseName];
			expect(run).toBeDefined();
			const observed = await run();

			const answer = codeSpans(row.Answer)
				.map((span) => /^(\d{3})(?: (\{.*\}))?$/.exec(span))
				.find((match) => match !== null);
			expect(answer).toBeDefined();
			const status = Number(answer![1]);
			const body = answer![2] ? (JSON.parse(answer![2]) as IDataObject) : undefined;
			for (const got of observed.answers) {
				expect({ case: caseName, status: got.status }).toEqual({ case: caseName, status });
				if (body) {
					expect(Object.keys(got.json ?? {}).sort()).toEqual(Object.keys(body).sort());
					for (const [key, value] of Object.entries(body)) {
						if (typeof value === 'string' && /^<.+>$/.test(value)) {
							expect(typeof got.json?.[key]).toBe('string');
							expect(String(got.json?.[key]).length).toBeGreaterThan(0);
						} else expect(got.json?.[key]).toEqual(value);
					}
				} else if (row.Answer.includes('empty body')) {
					expect({ case: caseName, body: got.text }).toEqual({ case: caseName, body: '' });
				}
			}

			const level = row['n8n log'].split(/[\s:]/)[0];
			expect({ case: caseName, log: observed.logLevels }).toEqual({
				case: caseName,
				log: level === '-' ? [] : [level],
			});
		});
	});
});

// ---- errors, retries and limits -------------------------------------------------------------

describe('README "Errors, retries and limits" against the built transport', () => {
	const pacing = () =>
		requireBuilt('nodes/CrewPass/transport/pacing.js') as {
			TokenBucketPacer: new () => { acquire: (now: number) => number };
			ADMISSION_MARGIN_MS: number;
			CREWPASS_READ_BUDGET: Array<{ limit: number; windowMs: number }>;
		};

	it('Rate limits: each row is when the last Check Fleet request may start, by the node pacer', () => {
		const { TokenBucketPacer, ADMISSION_MARGIN_MS } = pacing();
		const text = section(README, 'Rate limits and how long a Check Fleet takes');
		// The formula above the table: max(0, (R − 60) / 60 s, (R − 1,000) × 0.06 s) + margin.
		const formula =
			/\*\*T\(R\) = max\(0, \(R − 60\) \/ 60 s, \(R − 1,000\) × 0\.06 s\) \+ ([\d.]+) s\*\*/.exec(
				text,
			);
		expect(Number(formula?.[1])).toBe(ADMISSION_MARGIN_MS / 1000);
		const rows = onlyTable(text);
		expect(rows.length).toBeGreaterThan(0);
		for (const row of rows) {
			const crew = integer(row.crew);
			const requests = Math.ceil(crew / 200) + crew;
			expect({ crew, requests: integer(row.requests) }).toEqual({ crew, requests });
			// A fresh key, requests sent as soon as the pacer admits them.
			const pacer = new TokenBucketPacer();
			let now = 0;
			for (let i = 0; i < requests; i++) {
				for (let wait = pacer.acquire(now); wait > 0; wait = pacer.acquire(now)) now += wait;
			}
			// The table rounds to 0.1 s.
			const off = Math.abs(seconds(row['at least']) - now / 1000);
			expect({ crew, lastStartsAt: now / 1000, roundedWithin: off <= 0.05 + 1e-9 }).toEqual({
				crew,
				lastStartsAt: now / 1000,
				roundedWithin: true,
			});
		}
	});

	it('Limits: every value is the one the built package uses', () => {
		const built = (file: string) => requireBuilt(`nodes/${file}.js`);
		const request = built('CrewPass/transport/request') as {
			MAX_PAGE_SIZE: number;
			ID_PATTERN: RegExp;
			transportSettings: { timeoutMs: number; maxPages: number; maxLinkHops: number };
		};
		const retry = built('CrewPass/transport/retry') as {
			RETRYABLE_STATUS: Set<number>;
			DEFAULT_RETRY_POLICY: {
				maxAttempts: number;
				maxTotalWaitMs: number;
				maxRateLimitWaitMs: number;
			};
		};
		const { ADMISSION_MARGIN_MS, CREWPASS_READ_BUDGET } = pacing();
		const { MAX_EXPIRY_WINDOW_DAYS } = built('CrewPass/shared/dates') as {
			MAX_EXPIRY_WINDOW_DAYS: number;
		};
		const { FLEET_CONCURRENCY } = built('CrewPass/actions/compliance/checkFleet.operation') as {
			FLEET_CONCURRENCY: number;
		};
		const { DOWNLOAD_CONCURRENCY } = built('CrewPass/actions/document/downloadAll.operation') as {
			DOWNLOAD_CONCURRENCY: number;
		};
		const envelope = built('CrewPassTrigger/envelope') as {
			MAX_BODY_BYTES: number;
			MAX_NESTING_DEPTH: number;
			MAX_EVENT_ID_LENGTH: number;
		};
		const { PERSISTED_IDS_LIMIT } = built('CrewPassTrigger/delivery') as {
			PERSISTED_IDS_LIMIT: number;
		};
		const { SETUP_CACHE_MS } = built('CrewPassTrigger/config') as { SETUP_CACHE_MS: number };

		const idLength = Number(/\{1,(\d+)\}/.exec(request.ID_PATTERN.source)?.[1]);
		const budget = CREWPASS_READ_BUDGET.map(
			(w) => `${w.limit.toLocaleString('en-US')} per ${w.windowMs === 1000 ? 'second' : 'minute'}`,
		).join(', ');
		const expected: Record<string, string> = {
			'ID length (crew member, vessel, document; letters, digits, `_`, `-`)': `${idLength} characters`,
			'Page size of a list': String(request.MAX_PAGE_SIZE),
			'Pages one list may take': request.transportSettings.maxPages.toLocaleString('en-US'),
			'Day windows (Expiring Within Days, Renewal Window)': `0–${MAX_EXPIRY_WINDOW_DAYS}`,
			'Timeout of one request': `${request.transportSettings.timeoutMs / 1000} s`,
			'HTTP statuses retried with backoff': [...retry.RETRYABLE_STATUS].sort().join(', '),
			'Attempts for a transient failure': String(retry.DEFAULT_RETRY_POLICY.maxAttempts),
			'Waiting between those attempts, in all': `${retry.DEFAULT_RETRY_POLICY.maxTotalWaitMs / 1000} s`,
			'Waiting for the rate limit, per request': `${retry.DEFAULT_RETRY_POLICY.maxRateLimitWaitMs / 60_000} min`,
			"CrewPass's read budget per API key": budget,
			'Pacer margin (refill credited late)': `${ADMISSION_MARGIN_MS / 1000} s`,
			'Compliance checks in flight (Check Fleet)': String(FLEET_CONCURRENCY),
			'Files fetched at once (Download All)': String(DOWNLOAD_CONCURRENCY),
			'Redirects of one download link': String(request.transportSettings.maxLinkHops),
			'Webhook body': `${envelope.MAX_BODY_BYTES / 1024 / 1024} MiB`,
			'Webhook body nesting': `${envelope.MAX_NESTING_DEPTH} levels`,
			'`event_id` length': `${envelope.MAX_EVENT_ID_LENGTH} characters`,
			'Event ids saved across restarts': PERSISTED_IDS_LIMIT.toLocaleString('en-US'),
			"Trigger's reuse of its credential and parameters": `${SETUP_CACHE_MS / 1000} s`,
		};
		const rows = onlyTable(section(README, 'Limits'));
		expect(Object.fromEntries(rows.map((row) => [row.Limit, row.Value]))).toEqual(expected);
	});
});

// ---- examples, links -------------------------------------------------------------------------

describe('README "Example workflows" against examples/ and npm start', () => {
	it('every example file has a row; the rows marked imported are what npm start imports', () => {
		const rows = onlyTable(section(README, 'Example workflows (`examples/`)')).filter((row) =>
			/\.json`$/.test(row.File),
		);
		const files = rows.map((row) => codeSpans(row.File)[0]);
		expect(files.sort()).toEqual(listRepoFolder('examples').filter((f) => f.endsWith('.json')));

		// scripts/lib/demo.mjs: EXAMPLES = [{ key, file: '…json', … }, …]
		const demo = readRepoFile('scripts/lib/demo.mjs');
		const list = /export const EXAMPLES = \[([\s\S]*?)\n\];/.exec(demo)?.[1] ?? '';
		const imported = [...list.matchAll(/file: '([^']+)'/g)].map((m) => m[1]);
		expect(imported.length).toBeGreaterThan(0);
		const marked = rows
			.filter((row) => row['`npm start`'].startsWith('imported'))
			.map((row) => codeSpans(row.File)[0]);
		expect(marked.sort()).toEqual(imported.sort());
	});
});

describe('docs/queue-mode.md "Both gates" against the gate examples', () => {
	it("the claim node's Retry On Fail: Max Tries and the wait between tries", () => {
		const text = section(readRepoFile('docs/queue-mode.md'), 'Both gates');
		const tries = Number(/\*\*Max Tries (\d+)\*\*/.exec(text)?.[1]);
		const waitSeconds = Number(/(\d+) s\s+between tries/.exec(text)?.[1]);
		for (const file of ['exactly-once-redis.json', 'exactly-once-postgres.json']) {
			const workflow = JSON.parse(readRepoFile(`examples/${file}`)) as {
				nodes: Array<{
					name: string;
					retryOnFail?: boolean;
					maxTries?: number;
					waitBetweenTries?: number;
				}>;
			};
			const claim = workflow.nodes.find((node) => node.name === 'Claim Event');
			expect({
				file,
				retryOnFail: claim?.retryOnFail,
				tries: claim?.maxTries,
				waitMs: claim?.waitBetweenTries,
			}).toEqual({
				file,
				retryOnFail: true,
				tries,
				waitMs: waitSeconds * 1000,
			});
		}
	});
});

describe('README "CrewPass Polling Trigger" against the built polling trigger', () => {
	type Kind = { name: string; eventType: string; source: string };
	const kinds = () =>
		Object.values(
			(
				requireBuilt('nodes/CrewPassPollingTrigger/changes.js') as {
					CHANGE_KINDS: Record<string, Kind>;
				}
			).CHANGE_KINDS,
		);
	/** The "Read each poll" column as the README writes each change source. */
	const READ_CELL: Record<string, string> = {
		roster: 'roster',
		vessels: '+ vessels',
		compliance: '+ compliance per roster row',
		documents: '+ documents per crew member',
	};
	const events = () => polling.properties.find((p) => p.name === 'events')!;
	const options = () =>
		(polling.properties.find((p) => p.name === 'options')!.options ?? []) as INodeProperties[];

	it('Trigger On: one row per change (or pair), its event type and its read, and the node offers them all', () => {
		const rows = onlyTable(section(README, 'Trigger On'));
		const documented = rows.flatMap((row) => {
			const names = row['Trigger On'].split(' / ');
			const matched = names.map((n) => kinds().find((k) => k.name === n));
			expect({ row: row['Trigger On'], unknown: names.filter((_, i) => !matched[i]) }).toEqual({
				row: row['Trigger On'],
				unknown: [],
			});
			const found = matched as Kind[];
			expect({ row: row['Trigger On'], types: codeSpans(row['`event_type`']) }).toEqual({
				row: row['Trigger On'],
				types: [...new Set(found.map((k) => k.eventType))],
			});
			expect({ row: row['Trigger On'], read: row['Read each poll'] }).toEqual({
				row: row['Trigger On'],
				read: READ_CELL[found[0].source],
			});
			return names;
		});
		const all = kinds()
			.map((k) => k.name)
			.sort();
		expect(documented.sort()).toEqual(all);
		expect(
			choices(events())
				.map((c) => c.name)
				.sort(),
		).toEqual(all);
	});

	it("Trigger On: the Default sentence is the node's default", () => {
		const sentence = /\sDefault: ([^.]+)\./.exec(
			section(README, 'Trigger On').replace(/\s+/g, ' '),
		);
		expect(sentence?.[1].split(', ').sort()).toEqual(defaultText(events()).split(', ').sort());
	});

	it('Options and their defaults: every option and its default', () => {
		const rows = onlyTable(section(README, 'Options and their defaults'));
		expect(rows.map((row) => row.Option)).toEqual([
			events().displayName,
			...options().map((o) => o.displayName),
		]);
		for (const option of options()) {
			const row = rows.find((r) => r.Option === option.displayName)!;
			expect({ where: row.Option, default: plain(row.Default) }).toEqual({
				where: row.Option,
				default: defaultText(option),
			});
		}
		const window = options().find((o) => o.name === 'expiringWithinDays')!;
		const windowRow = rows.find((r) => r.Option === window.displayName)!;
		expect(windowRow['What it does']).toContain(
			`${window.typeOptions?.minValue}–${window.typeOptions?.maxValue}`,
		);
	});

	it("What one poll costs: the page size in the formula is the client's, in the README and in the node's notice", () => {
		const { MAX_PAGE_SIZE } = requireBuilt('nodes/CrewPass/transport/request.js') as {
			MAX_PAGE_SIZE: number;
		};
		const formula = `ceil(roster rows / ${MAX_PAGE_SIZE})`;
		expect(section(README, 'What one poll costs')).toContain(`\`${formula}\``);
		const notice = polling.properties.find((p) => p.name === 'costNotice')!;
		expect(notice.displayName).toContain(formula);
	});
});

describe('links in the README and the docs pages', () => {
	const pages = [
		'README.md',
		'CONTRIBUTING.md',
		...listRepoFolder('docs')
			.filter((f) => f.endsWith('.md'))
			.map((f) => `docs/${f}`),
	];

	it.each(pages)('%s: every in-page anchor and every repository link resolves', (page) => {
		const text = readRepoFile(page);
		const folder = page.includes('/') ? page.replace(/\/[^/]*$/, '/') : '';
		const broken: string[] = [];
		for (const target of linkTargets(text)) {
			if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
			const [file, anchor] = target.split('#');
			const path = file ? normalise(folder + file) : page;
			if (PAGES_BEING_WRITTEN.includes(path) && !repoPathExists(path)) continue;
			if (!repoPathExists(path)) {
				broken.push(`${target}: no file ${path}`);
				continue;
			}
			if (anchor && path.endsWith('.md') && !anchors(readRepoFile(path)).has(anchor)) {
				broken.push(`${target}: no heading with anchor #${anchor} in ${path}`);
			}
		}
		expect(broken).toEqual([]);
	});

	it('the README has the tables this test reads, each once', () => {
		for (const title of [
			'Operations',
			'Simplify',
			'Parameters and their defaults',
			'Trigger parameters and their defaults',
			'Limits',
		]) {
			expect({ title, tables: tables(section(README, title)).length }).toEqual({
				title,
				tables: 1,
			});
		}
	});
});

/** "docs/../README.md" → "README.md". */
function normalise(path: string): string {
	const parts: string[] = [];
	for (const part of path.split('/')) {
		if (part === '..') parts.pop();
		else if (part !== '.' && part !== '') parts.push(part);
	}
	return parts.join('/');
}
