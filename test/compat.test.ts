/**
 * The compatibility claim is proven, not promised: every n8n version docs/compat/versions.json
 * names as supported (the list README.md and docs/compatibility.md are generated from) has a
 * newest recorded run of `npm run test:compat` that passed completely on the current nodes/ and
 * credentials/ (the newest version in each scheduler mode), and the generated blocks equal what
 * the generator makes from the recorded results. A node change that is not re-run turns this red.
 * The rules themselves are tested on made-up lists and results below.
 */
import {
	BEGIN,
	END,
	LIST_FILE,
	compareVersions,
	contentHash,
	countEvents,
	extractBlock,
	listProblems,
	mergeRecord,
	notSupportedEntries,
	oldestSupported,
	newestSupported,
	readList,
	readRepoText,
	readResults,
	renderDocs,
	renderReadme,
	replaceBlock,
	ruleProblems,
	schedulerEvidence,
	staleBlocks,
	type RunRecord,
	withSuiteFrom,
	type VersionList,
} from '../scripts/lib/compat.cjs';
import { removeTree, renameTreeFile, tempTree, writeTreeFile } from './compat-fixtures.cjs';

describe('compatibility: the versions the README names are proven on the current code', () => {
	test(`${LIST_FILE} is well formed (exact versions, known modes, the newest in all three)`, () => {
		expect(listProblems(readList())).toEqual([]);
	});

	test('every supported version has a newest run that passed on the current nodes/ and credentials/', () => {
		const problems = ruleProblems(readList(), readResults(), contentHash());
		if (problems.length) {
			throw new Error(
				`The compatibility table is not proven for the current code:\n- ${problems.join('\n- ')}\n` +
					'(`npm run test:compat -- <version>` runs the end-to-end suite on that n8n and records it.)',
			);
		}
	});

	test('the generated blocks of README.md and docs/compatibility.md equal the recorded results', () => {
		const stale = staleBlocks();
		if (stale.length) {
			throw new Error(
				`${stale.map((s) => `${s.file} ${s.problem}`).join('\n')}\n` +
					'Run `npm run test:compat -- --docs` to write them from docs/compat/results.json ' +
					'(or `npm run test:compat -- <version>` to run a version again).',
			);
		}
	});

	test('README.md names a version that is not supported only inside the generated block', () => {
		const readme = readRepoText('README.md');
		const block = extractBlock(readme) ?? '';
		const outside = readme.replace(block, '');
		for (const e of notSupportedEntries(readList())) {
			const pattern = new RegExp(`(^|[^\\d.])${e.version.replace(/\./g, '\\.')}(?![\\d.]*\\d)`);
			expect({ version: e.version, namedOutsideTheBlock: pattern.test(outside) }).toEqual({
				version: e.version,
				namedOutsideTheBlock: false,
			});
		}
	});
});

const HASH = 'a'.repeat(64);
const OTHER = 'b'.repeat(64);

function record(overrides: Partial<RunRecord>): RunRecord {
	return {
		version: '2.41.1',
		mode: 'default',
		date: '2026-12-07T16:00:00.000Z',
		commit: '0123456789abcdef',
		contentHash: HASH,
		tests: { total: 42, pass: 42, fail: 0, skip: 0 },
		suites: { nodes: { pass: 9, fail: 0, skip: 0 } },
		durationSeconds: 300,
		pass: true,
		...overrides,
	};
}

const LIST: VersionList = {
	durablePollTimeoutSeconds: 30,
	versions: [
		{ version: '1.123.81', line: 'newest 1.x' },
		{ version: '2.41.1', line: 'newest tested', modes: ['default', 'durable', 'cursors'] },
		{ version: '2.10.0', notSupported: 'does not install' },
	],
};

const ALL_PASSED = {
	records: [
		record({}),
		record({ mode: 'durable', pollTimeoutSeconds: 30 }),
		record({ mode: 'cursors', pollTimeoutSeconds: 30 }),
		record({ version: '1.123.81' }),
	],
	history: [],
};

describe('the rule (ruleProblems) on made-up lists and results', () => {
	test('every supported version in each of its modes passed on this hash: no problem', () => {
		expect(ruleProblems(LIST, ALL_PASSED, HASH)).toEqual([]);
	});

	test('nodes/ or credentials/ changed since the runs: each run named, with the command to run', () => {
		const problems = ruleProblems(LIST, ALL_PASSED, OTHER);
		expect(problems).toHaveLength(4);
		expect(problems.join('\n')).toContain('`npm run test:compat -- 2.41.1`');
		expect(problems.join('\n')).toContain('`npm run test:compat -- 2.41.1 --mode durable`');
		expect(problems.join('\n')).toContain('`npm run test:compat -- 1.123.81`');
		expect(problems[0]).toContain('changed since its last run');
	});

	test('with slicesPollTimeoutSeconds, a durable-mode run must have passed polling-slices at it', () => {
		const list = { ...LIST, slicesPollTimeoutSeconds: 10 };
		const slices = { 'polling-slices': { pass: 5, fail: 0, skip: 0 } };
		const ran = {
			records: ALL_PASSED.records.map((r) =>
				r.mode === 'default' ? r : { ...r, slicesPollTimeoutSeconds: 10, suites: slices },
			),
		};
		expect(ruleProblems(list, ran, HASH)).toEqual([]);
		const skipped = {
			records: ran.records.map((r) =>
				r.mode === 'cursors'
					? { ...r, suites: { 'polling-slices': { pass: 0, fail: 0, skip: 5 } } }
					: r,
			),
		};
		expect(ruleProblems(list, skipped, HASH)).toEqual([
			expect.stringContaining('did not pass the polling-slices suite with a 10 s poll timeout'),
		]);
		expect(ruleProblems(list, ALL_PASSED, HASH)).toHaveLength(2);
	});

	test('a mode of the newest version without a run fails, naming the mode', () => {
		const results = { records: ALL_PASSED.records.filter((r) => r.mode !== 'cursors') };
		expect(ruleProblems(LIST, results, HASH)).toEqual([
			expect.stringContaining(
				'n8n 2.41.1 (durable poll cursors) is listed as supported in docs/compat/versions.json but has no recorded run: run `npm run test:compat -- 2.41.1 --mode cursors`',
			),
		]);
	});

	test('a failed newest run fails the rule even when an older one passed on this hash', () => {
		const results = mergeRecord(
			ALL_PASSED,
			record({
				version: '1.123.81',
				pass: false,
				failure: '2 of 42 tests failed',
				date: '2026-12-08T10:00:00.000Z',
			}),
		);
		const problems = ruleProblems(LIST, results, HASH);
		expect(problems).toHaveLength(1);
		expect(problems[0]).toContain('its last run (8 December 2026) failed: 2 of 42 tests failed');
		expect(problems[0]).toContain('notSupported');
	});

	test('a version marked notSupported needs no run; the newest supported one needs all three modes', () => {
		expect(
			ruleProblems({ versions: [{ version: '2.4.8', notSupported: 'x' }] }, { records: [] }, HASH),
		).toEqual([`${LIST_FILE} names no supported version`]);
		expect(listProblems({ versions: [{ version: '2.41.1' }] })).toEqual([
			expect.stringContaining('lacks durable, cursors'),
		]);
	});

	test('the list refuses a version that is not exact, an unknown mode, a duplicate, an empty reason', () => {
		const problems = listProblems({
			versions: [
				{ version: '2.41.1', modes: ['default', 'durable', 'cursors'] },
				{ version: '2.36.x' },
				{ version: '2.20.12', modes: ['fast' as never] },
				{ version: '2.20.12' },
				{ version: '2.4.8', notSupported: ' ' },
			],
		});
		expect(problems).toEqual([
			expect.stringContaining('"2.36.x" is not an exact n8n version'),
			expect.stringContaining('has mode "fast"'),
			expect.stringContaining('2.20.12 is listed twice'),
			expect.stringContaining('2.4.8: notSupported must say why'),
		]);
	});

	test('newest and oldest supported versions compare numerically (.ci/run reads the oldest)', () => {
		expect(compareVersions('2.4.8', '2.20.12')).toBeLessThan(0);
		expect(compareVersions('1.123.81', '2.4.8')).toBeLessThan(0);
		expect(newestSupported(LIST)?.version).toBe('2.41.1');
		expect(oldestSupported(LIST)?.version).toBe('1.123.81');
	});
});

describe('the records (mergeRecord) and the suite counts (countEvents)', () => {
	test('the newest record per version and mode is kept; the one it replaces goes to the history', () => {
		const older = record({ date: '2026-12-01T00:00:00.000Z' });
		const newer = record({ date: '2026-12-07T00:00:00.000Z' });
		const merged = mergeRecord(mergeRecord({ records: [], history: [] }, older), newer);
		expect(merged.records).toEqual([newer]);
		expect(merged.history).toEqual([older]);
		const other = mergeRecord(merged, record({ mode: 'durable' }));
		expect(other.records.map((r) => r.mode)).toEqual(['default', 'durable']);
	});

	test('node:test events: tests counted per test/e2e file; skips apart; a failing hook is an error', () => {
		const events = [
			{ type: 'test:pass', name: 'a1', file: '/r/test/e2e/nodes.e2e.mjs', suite: false },
			{
				type: 'test:fail',
				name: 'a2',
				file: '/r/test/e2e/nodes.e2e.mjs',
				suite: false,
				error: 'boom',
			},
			{
				type: 'test:pass',
				name: 'b1',
				file: '/r/test/e2e/polling.e2e.mjs',
				suite: false,
				skip: true,
			},
			{ type: 'test:pass', name: 'b2', file: '/r/test/e2e/polling.e2e.mjs', suite: false },
			{
				type: 'test:fail',
				name: 'polling',
				file: '/r/test/e2e/polling.e2e.mjs',
				suite: true,
				failureType: 'hookFailed',
				error: 'after hook',
			},
			{
				type: 'test:fail',
				name: 'nodes',
				file: '/r/test/e2e/nodes.e2e.mjs',
				suite: true,
				failureType: 'subtestsFailed',
			},
			{
				type: 'test:fail',
				name: 'top',
				file: '/r/scripts/e2e.mjs',
				suite: true,
				failureType: 'subtestsFailed',
			},
		]
			.map((e) => JSON.stringify(e))
			.join('\n');
		expect(countEvents(`${events}\nnot json\n`)).toEqual({
			suites: {
				nodes: { pass: 1, fail: 1, skip: 0 },
				polling: { pass: 1, fail: 0, skip: 1, errors: 1 },
			},
			tests: { total: 4, pass: 2, fail: 1, skip: 1 },
			failed: ['nodes: a2: boom'],
			errors: ['polling: polling: after hook'],
		});
	});

	test('withSuiteFrom: one suite counted from its own run, the rest from the main run', () => {
		const main = {
			suites: {
				nodes: { pass: 9, fail: 0, skip: 0 },
				'polling-slices': { pass: 0, fail: 0, skip: 5 },
			},
			tests: { total: 14, pass: 9, fail: 0, skip: 5 },
			failed: [],
			errors: [],
		};
		const alone = {
			suites: { 'polling-slices': { pass: 4, fail: 1, skip: 0 } },
			tests: { total: 5, pass: 4, fail: 1, skip: 0 },
			failed: ['polling-slices: restart: boom'],
			errors: [],
		};
		expect(withSuiteFrom(main, alone, 'polling-slices')).toEqual({
			suites: {
				nodes: { pass: 9, fail: 0, skip: 0 },
				'polling-slices': { pass: 4, fail: 1, skip: 0 },
			},
			tests: { total: 14, pass: 13, fail: 1, skip: 0 },
			failed: ['polling-slices: restart: boom'],
			errors: [],
		});
		const none = {
			suites: {},
			tests: { total: 0, pass: 0, fail: 0, skip: 0 },
			failed: [],
			errors: [],
		};
		expect(withSuiteFrom(main, none, 'polling-slices').errors).toEqual([
			'polling-slices: its own run reported no test',
		]);
	});
});

describe('the content hash of nodes/ and credentials/', () => {
	const files = {
		'nodes/A/A.node.ts': 'export const a = 1;\n',
		'nodes/A/a.svg': '<svg/>',
		'credentials/Api.credentials.ts': 'export const c = 1;\n',
		'docs/a.md': 'about a',
		'README.md': '# readme',
	};
	let root = '';
	beforeEach(() => {
		root = tempTree(files);
	});
	afterEach(() => removeTree(root));

	test('documentation, README and other folders do not change it', () => {
		const before = contentHash(root);
		writeTreeFile(root, 'docs/a.md', 'rewritten');
		writeTreeFile(root, 'README.md', 'rewritten');
		writeTreeFile(root, 'test/x.test.ts', 'new test');
		writeTreeFile(root, 'nodes/.DS_Store', 'litter');
		expect(contentHash(root)).toBe(before);
		expect(before).toMatch(/^[0-9a-f]{64}$/);
	});

	test.each([
		[
			'one byte of a node',
			(r: string) => writeTreeFile(r, 'nodes/A/A.node.ts', 'export const a = 2;\n'),
		],
		['a credential', (r: string) => writeTreeFile(r, 'credentials/Api.credentials.ts', '')],
		['an icon', (r: string) => writeTreeFile(r, 'nodes/A/a.svg', '<svg />')],
		['a new file', (r: string) => writeTreeFile(r, 'nodes/A/extra.ts', '')],
		['a renamed file', (r: string) => renameTreeFile(r, 'nodes/A/a.svg', 'nodes/A/b.svg')],
	])('%s changes it', (_what, change) => {
		const before = contentHash(root);
		change(root);
		expect(contentHash(root)).not.toBe(before);
	});
});

describe('the generated blocks', () => {
	const results = mergeRecord(
		ALL_PASSED,
		record({
			version: '1.123.81',
			pass: false,
			failure: '1 of 42 tests failed',
			tests: { total: 42, pass: 41, fail: 1, skip: 0 },
		}),
	);

	test('the README block names each supported version with its modes and last result; the others as not supported', () => {
		const text = renderReadme(LIST, results);
		expect(text).toContain(
			'| **2.41.1** (newest tested) | default scheduler, durable scheduler, durable poll cursors | each mode: passed 42 / 42, 7 December 2026 |',
		);
		expect(text).toContain(
			'| **1.123.81** (newest 1.x) | default scheduler | **failed** 41 / 42, 7 December 2026 |',
		);
		expect(text).toContain('Not supported: n8n 2.10.0 (does not install).');
		// a not-supported version never appears in the table of supported ones
		expect(text.split('\n').filter((l) => l.startsWith('| **2.10.0'))).toEqual([]);
	});

	test('the README block gives each mode its own result when they differ', () => {
		const failedCursors = mergeRecord(
			results,
			record({
				mode: 'cursors',
				pass: false,
				tests: { total: 42, pass: 40, fail: 2, skip: 0 },
			}),
		);
		expect(renderReadme(LIST, failedCursors)).toContain(
			'| default scheduler: passed 42 / 42, 7 December 2026; durable scheduler: passed 42 / 42, 7 December 2026; durable poll cursors: **failed** 40 / 42, 7 December 2026 |',
		);
	});

	test('the docs block shows each run: date, commit, code hash, counts per suite, the failure', () => {
		const text = renderDocs(LIST, results);
		expect(text).toContain(
			'| **2.41.1** | newest tested | default scheduler | passed 42 / 42 | 7 December 2026 | `0123456` | `aaaaaaaaaaaa` |',
		);
		expect(text).toContain('| durable scheduler (poll timeout 30 s) | passed 42 / 42 |');
		expect(text).toContain('| 2.41.1 | durable poll cursors | 9 / 9 |');
		expect(text).toContain('- 1.123.81, default scheduler (7 December 2026): 1 of 42 tests failed');
		expect(text).toContain('- n8n 2.10.0: does not install');
	});

	test('replaceBlock writes between the markers only, and refuses a file without them', () => {
		const doc = `# Title\n\n${BEGIN}\nold\n${END}\n\nhand-written\n`;
		const next = replaceBlock(doc, 'new');
		expect(next).toBe(`# Title\n\n${BEGIN}\nnew\n${END}\n\nhand-written\n`);
		expect(extractBlock(next ?? '')).toBe('new');
		expect(replaceBlock('# no markers', 'new')).toBeUndefined();
		expect(extractBlock('# no markers')).toBeUndefined();
	});
});

describe('whether n8n ran in the mode asked for (schedulerEvidence)', () => {
	const provisioned =
		'debug | Provisioned scheduler jobs for poll trigger node {"scopes":["scheduler"]}\n';
	test('default: no durable job; durable and cursors: n8n provisioned the polls on the scheduler', () => {
		expect(schedulerEvidence('default', 'info | n8n ready\n')).toBeUndefined();
		expect(schedulerEvidence('default', provisioned)).toContain('default mode');
		expect(schedulerEvidence('durable', provisioned)).toBeUndefined();
		expect(schedulerEvidence('durable', 'info | n8n ready\n')).toContain(
			'polls did not run on the durable scheduler',
		);
		expect(schedulerEvidence('cursors', provisioned, 3)).toBeUndefined();
		expect(schedulerEvidence('cursors', provisioned, 0)).toContain('poller_state is empty');
	});

	test("n8n's own refusal of a mode is the reason", () => {
		const refused =
			'warn | N8N_SCHEDULER_ENABLED is set but the workflow publication service is disabled. The durable scheduler cannot take over poll triggers, which keep using the legacy in-memory engine.\n';
		expect(schedulerEvidence('durable', refused)).toContain(
			'The durable scheduler cannot take over poll triggers',
		);
	});
});
