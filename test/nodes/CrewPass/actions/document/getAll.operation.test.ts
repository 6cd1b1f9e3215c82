import nock from 'nock';

import { runNode, TEST_API_KEY, TEST_BASE_URL } from '../../../../harness';
import { documentsAnswer, FIXTURE_DAYS, SCOPE_NOT_CONSENTED } from './helpers';

const DOCUMENTS_PATH = '/api/v2/employers/me/crew/crew_001/documents';
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

function params(extra: Record<string, unknown> = {}) {
	return {
		resource: 'document',
		operation: 'getAll',
		crewMember: crewById,
		returnAll: true,
		...extra,
	};
}

function api() {
	return nock(TEST_BASE_URL, { reqheaders: { authorization: `Bearer ${TEST_API_KEY}` } });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

describe('Document → Get Many', () => {
	it('Simplify (default) keeps at most 10 fields per document: the listed ones, in order', async () => {
		const answer = documentsAnswer();
		api().get(DOCUMENTS_PATH).query({}).reply(200, answer);

		const { items, error } = await runNode({ parameters: params() });

		expect(error).toBeUndefined();
		expect(items).toHaveLength(5);
		items.forEach((item, i) => {
			const doc = answer.items[i];
			expect(Object.keys(item.json).length).toBeLessThanOrEqual(10);
			expect(item.json).toEqual({
				document_id: doc.document_id,
				crew_unique_id: 'crew_001',
				type: doc.type,
				category: doc.category,
				title: doc.title,
				issuer: doc.issuer,
				verification_status: doc.verification_status,
				issue_date: doc.issue_date,
				expiry_date: doc.expiry_date,
				days_until_expiry: FIXTURE_DAYS[doc.document_id as string],
			});
			expect(item.json).not.toHaveProperty('document_number');
		});
	});

	it('GETs the documents with the Bearer key and outputs one item per document with days_until_expiry', async () => {
		const answer = documentsAnswer();
		const scope = api().get(DOCUMENTS_PATH).query({}).reply(200, answer);

		const { items, error } = await runNode({ parameters: params({ simplify: false }) });

		expect(error).toBeUndefined();
		expect(scope.isDone()).toBe(true);
		expect(items).toHaveLength(5);
		items.forEach((item, i) => {
			const doc = answer.items[i];
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toEqual({
				crew_unique_id: 'crew_001',
				...doc,
				days_until_expiry: FIXTURE_DAYS[doc.document_id as string],
			});
		});
		// issuer null and a missing expiry date pass through untouched
		expect(items[2].json).toMatchObject({
			issuer: null,
			expiry_date: null,
			days_until_expiry: null,
		});
	});

	it('filters by type, verification status and expiry window', async () => {
		const cases: Array<[Record<string, unknown>, string[]]> = [
			[{ types: 'stcw' }, ['doc_1', 'doc_3']],
			[{ types: 'ENG1, coc' }, ['doc_2', 'doc_4']],
			[{ verificationStatuses: ['verified'] }, ['doc_1', 'doc_2']],
			[{ verificationStatuses: ['pending', 'rejected'] }, ['doc_3', 'doc_5']],
			// today to today + 20: doc_2 (20 days) and doc_5 (today); not the expired doc_4
			[{ expiringWithinDays: 20 }, ['doc_2', 'doc_5']],
			[{ expiringWithinDays: 0 }, ['doc_5']],
			[{ expiringWithinDays: 730 }, ['doc_1', 'doc_2', 'doc_5']],
			[{ types: 'STCW', expiringWithinDays: 730, verificationStatuses: ['verified'] }, ['doc_1']],
		];
		for (const [filters, expected] of cases) {
			const scope = api().get(DOCUMENTS_PATH).reply(200, documentsAnswer());
			const { items, error } = await runNode({ parameters: params({ filters }) });
			expect(error).toBeUndefined();
			expect(scope.isDone()).toBe(true);
			expect(items.map((item) => item.json.document_id)).toEqual(expected);
		}
	});

	it('applies the limit after the filters', async () => {
		api().get(DOCUMENTS_PATH).reply(200, documentsAnswer());
		const { items } = await runNode({
			parameters: params({ returnAll: false, limit: 2, filters: { types: 'STCW,ENG1' } }),
		});
		expect(items.map((item) => item.json.document_id)).toEqual(['doc_1', 'doc_2']);
	});

	it('resolves a crew member By Email first (POST lookup), then lists their documents', async () => {
		const lookup = api()
			.post('/api/v2/employers/me/crew/lookup', { email: 'alex@example.com' })
			.reply(200, { crew_unique_id: 'crew_001', status: 'verified' });
		const list = api().get(DOCUMENTS_PATH).reply(200, documentsAnswer());
		const { items, error } = await runNode({
			parameters: params({
				crewMember: { __rl: true, mode: 'email', value: 'alex@example.com' },
			}),
		});
		expect(error).toBeUndefined();
		expect(lookup.isDone() && list.isDone()).toBe(true);
		expect(items).toHaveLength(5);
	});

	it('surfaces 403 scope_not_consented as the CrewPass error with scope, fix and request id', async () => {
		api().get(DOCUMENTS_PATH).reply(403, SCOPE_NOT_CONSENTED, { 'X-Request-Id': 'req_consent_1' });
		const { items, error } = await runNode({ parameters: params() });
		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toContain('scope_not_consented');
		expect(error?.description).toContain('crew:documents:read');
		expect(error?.description).toContain('req_consent_1');
		expect(JSON.stringify(error)).not.toContain(TEST_API_KEY);
	});

	it('with Continue On Fail, outputs the consent error as an item paired to its input', async () => {
		api().get(DOCUMENTS_PATH).reply(403, SCOPE_NOT_CONSENTED, { 'X-Request-Id': 'req_2' });
		api()
			.get('/api/v2/employers/me/crew/crew_002/documents')
			.reply(200, { ...documentsAnswer(), crew_unique_id: 'crew_002' });
		const { items, error } = await runNode({
			parameters: params({ crewMember: { __rl: true, mode: 'id', value: '={{ $json.id }}' } }),
			input: [{ json: { id: 'crew_001' } }, { json: { id: 'crew_002' } }],
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(items[0]).toMatchObject({
			json: { code: 'scope_not_consented', scope: 'crew:documents:read', requestId: 'req_2' },
			pairedItem: { item: 0 },
		});
		expect(items.slice(1)).toHaveLength(5);
		expect(items.slice(1).every((item) => (item.pairedItem as { item: number }).item === 1)).toBe(
			true,
		);
	});

	it.each([
		[{ crewMember: { __rl: true, mode: 'id', value: '  ' } }, 'Crew Member: is empty [item 0]'],
		[
			{ crewMember: { __rl: true, mode: 'email', value: 'not-an-email' } },
			'Crew Member (By Email)',
		],
		[
			{ filters: { expiringWithinDays: 731 } },
			'Filters → Expiring Within Days: 731 is outside 0–730',
		],
		[{ filters: { expiringWithinDays: -1 } }, 'Filters → Expiring Within Days'],
		[{ returnAll: false, limit: 0 }, 'Limit: 0 is not a whole number of at least 1 [item 0]'],
	])('rejects bad parameters before any request: %j', async (extra, message) => {
		const { items, error } = await runNode({ parameters: params(extra) });
		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeOperationError');
		expect(error?.message).toContain(message);
		expect(nock.pendingMocks()).toEqual([]);
	});
});
