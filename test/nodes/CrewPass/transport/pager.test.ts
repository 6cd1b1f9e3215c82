/**
 * Issue 9 item 8: malformed list answers are clear errors with bounded work, on every list the
 * node reads (through the one pager); a zero or negative retry_after_seconds is not an
 * immediate retry.
 */
import nock from 'nock';
import { sleep } from 'n8n-workflow';
import type { INodeParameters } from 'n8n-workflow';

import { transportSettings } from '../../../../nodes/CrewPass/transport';
import { runNode, TEST_BASE_URL, testCredentials } from '../../../harness';
import { PROBE_NODE_TYPE, walkLog } from '../../../harness/probeNode';
import { loadOptionsContext } from '../../../harness/loadOptions';
import { searchCrewMembers, searchVessels } from '../../../../nodes/CrewPass/methods/listSearch';
import { crewPass, guardRequests } from '../fixtures/http';

guardRequests();
const crewById = { __rl: true, mode: 'id', value: 'crew_001' };

const LISTS: Array<[string, INodeParameters, string]> = [
	[
		'Crew Member → Get Many',
		{ resource: 'crewMember', operation: 'getAll', returnAll: true },
		'/api/v2/employers/me/fleet',
	],
	[
		'Vessel → Get Many',
		{ resource: 'vessel', operation: 'getAll', returnAll: true },
		'/api/v2/employers/me/vessels',
	],
	[
		'Document → Get Many',
		{ resource: 'document', operation: 'getAll', crewMember: crewById, returnAll: true },
		'/api/v2/employers/me/crew/crew_001/documents',
	],
	[
		'Compliance → Check Fleet',
		{ resource: 'compliance', operation: 'checkFleet' },
		'/api/v2/employers/me/fleet',
	],
];

const MALFORMED: Array<[string, unknown, RegExp]> = [
	['items an object', { items: { a: 1 } }, /"items" is an object, not a list/],
	['items a string', { items: 'crew_001' }, /"items" is a string, not a list/],
	[
		'items holding non-objects',
		{ items: [1, 'x', null] },
		/item 0 of the page is a number, not an object/,
	],
	[
		'items holding null after objects',
		{ items: [{ crew_unique_id: 'crew_001' }, null] },
		/item 1 of the page is null/,
	],
	['items holding a list', { items: [[{}]] }, /item 0 of the page is a list/],
	[
		'next_cursor a number',
		{ items: [], next_cursor: 42 },
		/"next_cursor" is a number, not a string or null/,
	],
	['next_cursor an object', { items: [], next_cursor: { c: 1 } }, /"next_cursor" is an object/],
	['an answer that is a list', [{ crew_unique_id: 'crew_001' }], /not a JSON object/],
	['an answer that is not JSON', 'oops<html>', /not a JSON object/],
];

describe('malformed list answers are clear errors', () => {
	it.each(
		LISTS.flatMap(([name, parameters, path]) =>
			MALFORMED.map(
				([what, answer, message]) => [name, what, parameters, path, answer, message] as const,
			),
		),
	)('%s: %s', async (_name, _what, parameters, path, answer, message) => {
		crewPass()
			.get(path)
			.query(true)
			.reply(200, answer as string);
		const { items, error } = await runNode({ parameters });
		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toMatch(message);
	});

	it.each(MALFORMED)('the crew member search (list search): %s', async (_what, answer, message) => {
		crewPass()
			.get('/api/v2/employers/me/fleet')
			.query(true)
			.reply(200, answer as string);
		await expect(searchCrewMembers.call(loadOptionsContext({}, 'crewMember'))).rejects.toThrow(
			message,
		);
	});

	it.each(MALFORMED)('the vessel search (list search): %s', async (_what, answer, message) => {
		crewPass()
			.get('/api/v2/employers/me/vessels')
			.reply(200, answer as string);
		await expect(searchVessels.call(loadOptionsContext({}, 'vessel'))).rejects.toThrow(message);
	});
});

describe('a server handing out new cursors for ever: bounded work', () => {
	const savedMaxPages = transportSettings.maxPages;
	beforeAll(() => (transportSettings.maxPages = 5));
	afterAll(() => (transportSettings.maxPages = savedMaxPages));

	it.each([
		['Crew Member → Get Many', LISTS[0][1], '/api/v2/employers/me/fleet'],
		['Vessel → Get Many', LISTS[1][1], '/api/v2/employers/me/vessels'],
	])('%s stops after the page cap with a clear error', async (_name, parameters, path) => {
		let calls = 0;
		nock(TEST_BASE_URL)
			.get(path)
			.query(true)
			.times(20)
			.reply(() => {
				calls++;
				return [
					200,
					{
						items: [{ crew_unique_id: `crew_${calls}`, vessel_id: `ves_${calls}` }],
						next_cursor: `c${calls}`,
					},
				];
			});
		const { items, error } = await runNode({ parameters });
		expect(items).toEqual([]);
		expect(error?.message).toMatch(/more than 5 pages/);
		expect(calls).toBe(5);
	});

	it('the crew member search stops after the page cap too', async () => {
		let calls = 0;
		nock(TEST_BASE_URL)
			.get('/api/v2/employers/me/fleet')
			.query(true)
			.times(20)
			.reply(() => [200, { items: [], next_cursor: `c${++calls}` }]);
		// With a filter the search reads on (up to its own few pages per call): bounded either way.
		const result = await searchCrewMembers.call(loadOptionsContext({}, 'crewMember'), 'nobody');
		expect(calls).toBeLessThanOrEqual(5);
		expect(result.results).toEqual([]);
	});
});

describe('retry_after_seconds of zero or less is not an immediate retry', () => {
	const saved = { ...transportSettings.retry };
	afterEach(() => (transportSettings.retry = { ...saved }));

	it.each([0, -5, -0.001])('retry_after_seconds %d: the retry waits a backoff', async (seconds) => {
		transportSettings.retry = { ...saved, baseDelayMs: 400, maxDelayMs: 400 };
		const seen: number[] = [];
		nock(TEST_BASE_URL)
			.get('/api/v2/partners/me')
			.reply(() => {
				seen.push(Date.now());
				return [
					429,
					{
						error: { code: 'partner_rate_limited', message: 'slow', retry_after_seconds: seconds },
					},
				];
			})
			.get('/api/v2/partners/me')
			.reply(() => {
				seen.push(Date.now());
				return [200, { partner_id: 'prt_1' }];
			});
		const { error } = await runNode({ parameters: { resource: 'partner', operation: 'get' } });
		expect(error).toBeUndefined();
		expect(seen).toHaveLength(2);
		// Equal-jitter backoff of 400 ms waits at least 200 ms.
		expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(190);
	});

	it('429s with retry_after_seconds 0 do not all happen within a moment', async () => {
		transportSettings.retry = { ...saved, baseDelayMs: 200, maxDelayMs: 200 };
		const seen: number[] = [];
		nock(TEST_BASE_URL)
			.get('/api/v2/partners/me')
			.times(3)
			.reply(() => {
				seen.push(Date.now());
				return [
					429,
					{ error: { code: 'partner_rate_limited', message: 'slow', retry_after_seconds: 0 } },
				];
			})
			.get('/api/v2/partners/me')
			.reply(200, { partner_id: 'prt_1' });
		const { error } = await runNode({ parameters: { resource: 'partner', operation: 'get' } });
		expect(error).toBeUndefined();
		expect(seen).toHaveLength(3);
		// two backoffs of at least 100 ms each (equal jitter of 200 ms)
		expect(seen[2] - seen[0]).toBeGreaterThanOrEqual(190);
	});
});

describe('reading ahead (the polling trigger\'s roster read)', () => {
	const FLEET = '/api/v2/employers/me/fleet';
	let key = 0;
	const walk = (parameters: INodeParameters) =>
		runNode({
			nodeType: PROBE_NODE_TYPE,
			parameters: { resource: 'probe', operation: 'walk', ...parameters },
			credentials: testCredentials({ apiKey: `cpk_test_read_ahead_${++key}` }),
		});
	/** Three pages of one row; every request the server sees goes into walkLog. */
	const threePages = (last: [number, unknown] = [200, { items: [{ n: 3 }], next_cursor: null }]) =>
		nock(TEST_BASE_URL)
			.get(FLEET)
			.query((q) => q.cursor === undefined)
			.reply(() => (walkLog.push('request page 1'), [200, { items: [{ n: 1 }], next_cursor: 'c2' }]))
			.get(FLEET)
			.query((q) => q.cursor === 'c2')
			.reply(() => (walkLog.push('request page 2'), [200, { items: [{ n: 2 }], next_cursor: 'c3' }]))
			.get(FLEET)
			.query((q) => q.cursor === 'c3')
			.reply(() => (walkLog.push('request page 3'), last));
	beforeEach(() => (walkLog.length = 0));

	it('requests the next page while the caller works on this one', async () => {
		threePages();
		const { items, error } = await walk({ readAhead: true });
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json)).toEqual([{ pages: 3 }]);
		expect(walkLog).toEqual([
			'request page 1',
			'took page 1 (1 rows)',
			'request page 2',
			'done with page 1',
			'took page 2 (1 rows)',
			'request page 3',
			'done with page 2',
			'took page 3 (1 rows)',
			'done with page 3',
		]);
	});

	it('without it, the next page is requested once the caller asks for it', async () => {
		threePages();
		const { items } = await walk({});
		expect(items.map((i) => i.json)).toEqual([{ pages: 3 }]);
		expect(walkLog).toEqual([
			'request page 1',
			'took page 1 (1 rows)',
			'done with page 1',
			'request page 2',
			'took page 2 (1 rows)',
			'done with page 2',
			'request page 3',
			'took page 3 (1 rows)',
			'done with page 3',
		]);
	});

	it('a page read ahead that fails fails the read where the caller reaches it', async () => {
		threePages([200, { items: { n: 3 } }]);
		const { items, error } = await walk({ readAhead: true });
		expect(items).toEqual([]);
		expect(error?.name).toBe('NodeApiError');
		expect(error?.message).toMatch(/"items" is an object, not a list/);
		expect(walkLog.slice(-2)).toEqual(['request page 3', 'done with page 2']);
	});

	it('a caller that stops early leaves the page read ahead settled, not an unhandled rejection', async () => {
		// Jest fails the test that is running when a rejection goes unhandled.
		nock(TEST_BASE_URL)
			.get(FLEET)
			.query((q) => q.cursor === undefined)
			.reply(200, { items: [{ n: 1 }], next_cursor: 'c2' })
			.get(FLEET)
			.query((q) => q.cursor === 'c2')
			.reply(() => (walkLog.push('request page 2'), [200, 'not json']));
		const { items, error } = await walk({ readAhead: true, stopAfter: 1 });
		expect(error).toBeUndefined();
		expect(items.map((i) => i.json)).toEqual([{ pages: 1 }]);
		expect(walkLog).toContain('request page 2');
		await sleep(100);
	});
});
