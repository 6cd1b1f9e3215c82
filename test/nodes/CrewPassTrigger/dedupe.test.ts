import {
	decodeSavedIds,
	dedupeKey,
	DedupeStore,
	dedupeStoreFor,
	encodeSavedIds,
	mergeSavedIds,
	resetDedupeStores,
} from '../../../nodes/CrewPassTrigger/dedupe';

describe('DedupeStore', () => {
	it('records a new id once: the first check is true, every later one false', () => {
		const store = new DedupeStore({ maxEntries: 10 });
		expect(store.checkAndRecord('evt_1', 0)).toBe(true);
		expect(store.checkAndRecord('evt_1', 1)).toBe(false);
		expect(store.checkAndRecord('evt_1', 2)).toBe(false);
		expect(store.checkAndRecord('evt_2', 3)).toBe(true);
		expect(store.size).toBe(2);
	});

	it('holds its bound, dropping the least recently seen id first', () => {
		const store = new DedupeStore({ maxEntries: 3 });
		for (const id of ['a', 'b', 'c']) store.checkAndRecord(id, 0);
		store.checkAndRecord('a', 1); // seen again: now the most recent
		store.checkAndRecord('d', 2); // evicts b, the least recently seen
		expect(store.size).toBe(3);
		expect(store.has('b', 2)).toBe(false);
		expect(['a', 'c', 'd'].every((id) => store.has(id, 2))).toBe(true);
		expect(store.checkAndRecord('b', 3)).toBe(true); // forgotten, so new again
	});

	it('forgets ids not seen within the age limit', () => {
		const store = new DedupeStore({ maxEntries: 100, maxAgeMs: 1000 });
		store.checkAndRecord('old', 0);
		store.checkAndRecord('fresh', 900);
		expect(store.has('old', 1000)).toBe(true); // exactly at the limit: kept
		expect(store.has('old', 1001)).toBe(false);
		expect(store.has('fresh', 1001)).toBe(true);
		expect(store.checkAndRecord('old', 1002)).toBe(true);
	});

	it('a duplicate refreshes the age of its id', () => {
		const store = new DedupeStore({ maxEntries: 100, maxAgeMs: 1000 });
		store.checkAndRecord('evt', 0);
		expect(store.checkAndRecord('evt', 900)).toBe(false);
		expect(store.checkAndRecord('evt', 1800)).toBe(false);
	});

	it('no age limit when maxAgeMs is 0', () => {
		const store = new DedupeStore({ maxEntries: 10, maxAgeMs: 0 });
		store.checkAndRecord('evt', 0);
		expect(store.checkAndRecord('evt', 10 ** 12)).toBe(false);
	});

	it('configure shrinks to a new bound at once', () => {
		const store = new DedupeStore({ maxEntries: 10 });
		for (let i = 0; i < 10; i++) store.checkAndRecord(`e${i}`, i);
		store.configure({ maxEntries: 4 }, 10);
		expect(store.size).toBe(4);
		expect(store.snapshot(10).map(([id]) => id)).toEqual(['e6', 'e7', 'e8', 'e9']);
	});

	it('forget lets an id be accepted again', () => {
		const store = new DedupeStore({ maxEntries: 10 });
		store.checkAndRecord('evt', 0);
		store.forget('evt');
		expect(store.checkAndRecord('evt', 1)).toBe(true);
	});

	it('snapshot returns the newest entries, oldest first, with their last-seen times', () => {
		const store = new DedupeStore({ maxEntries: 10 });
		for (let i = 0; i < 5; i++) store.checkAndRecord(`e${i}`, i * 10);
		expect(store.snapshot(2)).toEqual([
			['e3', 30],
			['e4', 40],
		]);
		expect(store.snapshot(0)).toEqual([]);
	});

	it('seed merges saved entries by time, skips junk and expired ones, and keeps the bound', () => {
		const store = new DedupeStore({ maxEntries: 3, maxAgeMs: 1000 });
		store.checkAndRecord('live', 5000);
		store.seed(
			[['a', 4000], ['expired', 100], ['b', 4500], 'junk', [42, 1], ['c', 'x'], ['live', 10]],
			5000,
		);
		expect(store.snapshot(10)).toEqual([
			['a', 4000],
			['b', 4500],
			['live', 5000],
		]);
		expect(store.seed('not a list', 5000)).toBe(0);
	});

	it('the revision moves on every change, so a persisted copy can tell it is behind', () => {
		const store = new DedupeStore({ maxEntries: 10 });
		const r0 = store.revision;
		store.checkAndRecord('a', 0);
		const r1 = store.revision;
		expect(r1).toBeGreaterThan(r0);
		store.checkAndRecord('a', 1);
		expect(store.revision).toBeGreaterThan(r1);
	});
});

describe('dedupeStoreFor', () => {
	afterEach(() => resetDedupeStores());

	it('gives one store per key, seeded once per process', () => {
		const seed = jest.fn(() => [['evt_saved', 1]]);
		const first = dedupeStoreFor('wf\u0000node', { maxEntries: 10 }, 2, seed);
		const again = dedupeStoreFor('wf\u0000node', { maxEntries: 10 }, 3, seed);
		expect(again).toBe(first);
		expect(seed).toHaveBeenCalledTimes(1);
		expect(first.store.checkAndRecord('evt_saved', 4)).toBe(false);
		expect(first.mergedSavedAt).toBe(-1);
		const other = dedupeStoreFor('wf\u0000other', { maxEntries: 10 }, 2, () => undefined);
		expect(other.store.checkAndRecord('evt_saved', 4)).toBe(true);
	});

	it('applies changed limits to an existing store', () => {
		const registered = dedupeStoreFor('k', { maxEntries: 10 }, 0, () => undefined);
		for (let i = 0; i < 10; i++) registered.store.checkAndRecord(`e${i}`, i);
		dedupeStoreFor('k', { maxEntries: 2 }, 10, () => undefined);
		expect(registered.store.size).toBe(2);
	});

	it('resetDedupeStores forgets everything (a restart)', () => {
		dedupeStoreFor('k', { maxEntries: 10 }, 0, () => undefined).store.checkAndRecord('evt', 0);
		resetDedupeStores();
		expect(
			dedupeStoreFor('k', { maxEntries: 10 }, 0, () => undefined).store.checkAndRecord('evt', 1),
		).toBe(true);
	});
});

describe('saved ids (workflow static data)', () => {
	it('encode → decode round-trips as one plain string, and the older forms are read', () => {
		const entries: Array<[string, number]> = [
			['evt_a', 1],
			['evt_Zoë', 2],
			['evt_late', 9],
		];
		const saved = encodeSavedIds(entries, 5);
		expect(saved).toEqual({
			version: 3,
			savedAt: 5,
			writer: '',
			entries: '4 evt_a,3 evt_Zoë,-4 evt_late',
		});
		expect(decodeSavedIds(saved)).toEqual({ savedAt: 5, entries });
		// version 2: the pairs as a JSON string; version 1: the pairs themselves
		expect(decodeSavedIds({ version: 2, savedAt: 7, entries: JSON.stringify(entries) })).toEqual({
			savedAt: 7,
			entries,
		});
		expect(decodeSavedIds({ version: 1, entries })).toEqual({ savedAt: 0, entries });
		expect(decodeSavedIds({ entries: '{broken' })).toEqual({ savedAt: 0, entries: [] });
		expect(decodeSavedIds(undefined)).toEqual({ savedAt: -1, entries: [] });
	});

	it('an id with separators, quotes, backslashes, control characters or % round-trips', () => {
		const at = 1_765_000_000_000;
		const odd = [
			'a,b',
			'a b',
			'a%2Cb',
			'100%',
			'say "hi"',
			'back\\slash',
			'line\nbreak\u0000',
			'ünï',
		];
		const entries = odd.map((id, i): [string, number] => [id, at - i * 1_000]);
		const saved = encodeSavedIds(entries, at, 'writer-1');
		expect(saved.entries.split(',')).toHaveLength(odd.length);
		const jsonEscaped = [...saved.entries].filter(
			(c) => c.charCodeAt(0) < 0x20 || c === '"' || c === '\\',
		);
		expect(jsonEscaped).toEqual([]);
		expect(decodeSavedIds(saved)).toEqual({ savedAt: at, entries });
	});

	it('1,000 remembered ids take about 27 KB of static data, two thirds of the JSON-array form', () => {
		const at = 1_765_000_000_000;
		const entries = Array.from({ length: 1_000 }, (_, i): [string, number] => [
			`evt_${(0x1234_5678_9abc + i * 7919).toString(16).padStart(16, '0')}`,
			at - (1_000 - i) * 3_000,
		]);
		const compact = JSON.stringify(encodeSavedIds(entries, at)).length;
		const asJsonArray = JSON.stringify({ entries: JSON.stringify(entries) }).length;
		expect(compact).toBeLessThan(28_000);
		expect(compact).toBeLessThan(asJsonArray * 0.7);
	});

	it('a malformed entry of the plain string is skipped, the rest is read', () => {
		expect(
			decodeSavedIds({
				version: 3,
				savedAt: 10,
				entries: '1 evt_a,,nospace, evt_b,zz!,2 %E0%A4%A,3 evt_c',
			}),
		).toEqual({
			savedAt: 10,
			entries: [
				['evt_a', 9],
				['evt_c', 7],
			],
		});
		expect(decodeSavedIds({ version: 3, savedAt: 10, entries: 42 })).toEqual({
			savedAt: 10,
			entries: [],
		});
	});

	it('mergeSavedIds keeps the newest `limit`, an id at its latest time, oldest first, skipping expired', () => {
		const merged = mergeSavedIds(
			[
				[
					['a', 1],
					['b', 5],
				],
				[
					['a', 9],
					['c', 3],
					['old', 0],
				],
			],
			3,
			10,
			9.5,
		);
		expect(merged).toEqual([
			['c', 3],
			['b', 5],
			['a', 9],
		]);
	});

	it('mergeUnknown adds only ids the store does not know, within its bounds', () => {
		const store = new DedupeStore({ maxEntries: 3, maxAgeMs: 100 });
		store.checkAndRecord('a', 50);
		expect(
			store.mergeUnknown(
				[
					['a', 10],
					['b', 60],
					['expired', -100],
				],
				60,
			),
		).toBe(1);
		expect(store.has('b', 60)).toBe(true);
		expect(store.has('expired', 60)).toBe(false);
		expect(store.snapshot(10).map(([id]) => id)).toEqual(['a', 'b']);
	});

	it('dedupeKey separates production from test (manual) mode', () => {
		expect(dedupeKey('wf', 'n', 'webhook')).not.toBe(dedupeKey('wf', 'n', 'manual'));
		expect(dedupeKey('wf', 'n', 'webhook')).toBe(dedupeKey('wf', 'n', 'trigger'));
	});
});
