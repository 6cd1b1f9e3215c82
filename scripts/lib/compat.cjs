// @ts-check
// The compatibility table's data and rules, shared by `npm run test:compat` (scripts/compat.mjs,
// which runs the suites and writes the results) and `npm test` (test/compat.test.ts, which checks
// the rule against the recorded results). CommonJS with no dependencies, so a jest test in
// TypeScript can use it (TypeScript files may not use node:fs, node:path or node:crypto).
//
//   docs/compat/versions.json  the n8n versions: each supported one, or `notSupported` with why
//   docs/compat/results.json   the newest run per version and scheduler mode, plus a short history
//
// The rule: every supported version has, for each of its modes, a newest recorded run that
// passed completely on the current code of nodes/ and credentials/ (contentHash).
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const LIST_FILE = 'docs/compat/versions.json';
const RESULTS_FILE = 'docs/compat/results.json';
/** What the content hash covers: the package's code, not its documentation or tests. */
const HASHED_FOLDERS = ['nodes', 'credentials'];
const MODES = ['default', 'durable', 'cursors'];
/** Older records kept in results.json's `history` (newest first). */
const HISTORY_LENGTH = 20;
const BLOCK = 'compatibility';
/** The files carrying the generated block; the README's is shorter. */
const GENERATED_FILES = [
	{ file: 'README.md', render: 'readme' },
	{ file: 'docs/compatibility.md', render: 'docs' },
];

const MODE_NAMES = {
	default: 'default scheduler',
	durable: 'durable scheduler',
	cursors: 'durable poll cursors',
};

function readJson(relativePath, fallback) {
	const full = path.join(ROOT, relativePath);
	if (!fs.existsSync(full)) return fallback;
	return JSON.parse(fs.readFileSync(full, 'utf8'));
}

/** docs/compat/versions.json, parsed. */
function readList() {
	return readJson(LIST_FILE, undefined);
}

/** docs/compat/results.json, parsed ({ records: [], history: [] } when there is none yet). */
function readResults() {
	return readJson(RESULTS_FILE, { records: [], history: [] });
}

/** Compares two n8n versions (x.y.z, numerically). */
function compareVersions(a, b) {
	const pa = String(a).split('.').map(Number);
	const pb = String(b).split('.').map(Number);
	for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
		const d = (pa[i] ?? 0) - (pb[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/** The list's supported entries (no `notSupported`), newest first. */
function supportedEntries(list) {
	return list.versions
		.filter((e) => !e.notSupported)
		.sort((a, b) => compareVersions(b.version, a.version));
}

/** The scheduler modes a version is run in: its `modes`, else the default scheduler only. */
function modesOf(entry) {
	return entry.modes && entry.modes.length ? entry.modes : ['default'];
}

function newestSupported(list) {
	return supportedEntries(list)[0];
}

function oldestSupported(list) {
	const all = supportedEntries(list);
	return all[all.length - 1];
}

/**
 * What is wrong with the list itself: versions that are not x.y.z, duplicates, unknown modes, a
 * newest supported version without all three modes. [] when it is fine.
 */
function listProblems(list) {
	const problems = [];
	if (!list || !Array.isArray(list.versions)) return [`${LIST_FILE} has no "versions" list`];
	const seen = new Set();
	for (const e of list.versions) {
		if (!/^\d+\.\d+\.\d+$/.test(String(e.version))) {
			problems.push(`${LIST_FILE}: "${e.version}" is not an exact n8n version (x.y.z)`);
		}
		if (seen.has(e.version)) problems.push(`${LIST_FILE}: ${e.version} is listed twice`);
		seen.add(e.version);
		for (const m of e.modes ?? []) {
			if (!MODES.includes(m)) {
				problems.push(`${LIST_FILE}: ${e.version} has mode "${m}"; modes: ${MODES.join(', ')}`);
			}
		}
		if ('notSupported' in e && !(typeof e.notSupported === 'string' && e.notSupported.trim())) {
			problems.push(`${LIST_FILE}: ${e.version}: notSupported must say why`);
		}
	}
	const newest = newestSupported(list);
	if (!newest) problems.push(`${LIST_FILE} names no supported version`);
	else {
		const missing = MODES.filter((m) => !modesOf(newest).includes(m));
		if (missing.length) {
			problems.push(
				`${LIST_FILE}: the newest supported version ${newest.version} must be run in every scheduler mode; "modes" lacks ${missing.join(', ')}`,
			);
		}
	}
	return problems;
}

/**
 * sha256 over the files of nodes/ and credentials/: for each file, sorted by its path relative
 * to the repository (with /), the path, a NUL, its size, a NUL and its bytes. A change to any
 * byte, name, added or removed file changes it; documentation, tests and scripts do not.
 * Names starting with a dot are left out (editor and OS litter).
 */
function contentHash(root = ROOT) {
	const files = [];
	const walk = (rel) => {
		for (const name of fs.readdirSync(path.join(root, rel))) {
			if (name.startsWith('.')) continue;
			const child = rel ? `${rel}/${name}` : name;
			const st = fs.statSync(path.join(root, child));
			if (st.isDirectory()) walk(child);
			else if (st.isFile()) files.push(child);
		}
	};
	for (const folder of HASHED_FOLDERS) {
		if (fs.existsSync(path.join(root, folder))) walk(folder);
	}
	files.sort();
	const h = crypto.createHash('sha256');
	for (const f of files) {
		const bytes = fs.readFileSync(path.join(root, f));
		h.update(`${f}\0${bytes.length}\0`);
		h.update(bytes);
	}
	return h.digest('hex');
}

/**
 * Pass / fail counts per suite from the NDJSON events scripts/lib/compat-reporter.mjs writes
 * (one object per finished test or describe: type, name, file, suite, skip, todo, failureType,
 * error). A suite is the test file (test/e2e/<suite>.e2e.mjs). Only tests are counted; a
 * describe that failed by itself (a before/after hook, not just a failing test in it) is an
 * `error` of its suite: the run did not pass, even when every test did.
 */
function countEvents(ndjson) {
	/** @type {Record<string, { pass: number, fail: number, skip: number, errors?: number }>} */
	const suites = {};
	const tests = { total: 0, pass: 0, fail: 0, skip: 0 };
	const failed = [];
	const errors = [];
	for (const line of String(ndjson).split('\n')) {
		if (!line.trim()) continue;
		let e;
		try {
			e = JSON.parse(line);
		} catch {
			continue;
		}
		const m = /([^/\\]+)\.e2e\.mjs$/.exec(e.file ?? '');
		const suite = m ? m[1] : 'setup';
		const s = (suites[suite] ??= { pass: 0, fail: 0, skip: 0 });
		if (e.suite) {
			if (e.type === 'test:fail' && e.failureType !== 'subtestsFailed') {
				s.errors = (s.errors ?? 0) + 1;
				errors.push(`${suite}: ${e.name}: ${e.error || e.failureType || 'failed'}`);
			}
			continue;
		}
		tests.total++;
		if (e.type === 'test:fail') {
			s.fail++;
			tests.fail++;
			failed.push(`${suite}: ${e.name}${e.error ? `: ${e.error}` : ''}`);
		} else if (e.skip || e.todo) {
			s.skip++;
			tests.skip++;
		} else {
			s.pass++;
			tests.pass++;
		}
	}
	for (const [name, s] of Object.entries(suites)) {
		if (!s.pass && !s.fail && !s.skip && !s.errors) delete suites[name];
	}
	return { suites, tests, failed, errors };
}

/**
 * The counts of a run (countEvents) with one suite's counts taken from another run of that suite
 * alone (the durable modes run polling-slices again with a low poll timeout).
 * @param {ReturnType<typeof countEvents>} main
 * @param {ReturnType<typeof countEvents>} alone
 * @param {string} suite
 */
function withSuiteFrom(main, alone, suite) {
	const mine = (/** @type {string} */ line) => line.startsWith(`${suite}: `);
	const drop = main.suites[suite] ?? { pass: 0, fail: 0, skip: 0 };
	const add = alone.suites[suite] ?? { pass: 0, fail: 0, skip: 0 };
	const tests = { ...main.tests };
	for (const k of /** @type {const} */ (['pass', 'fail', 'skip'])) {
		tests[k] += add[k] - drop[k];
		tests.total += add[k] - drop[k];
	}
	const suites = { ...main.suites };
	delete suites[suite];
	if (alone.suites[suite]) suites[suite] = add;
	return {
		suites,
		tests,
		failed: [...main.failed.filter((l) => !mine(l)), ...alone.failed],
		errors: [
			...main.errors.filter((l) => !mine(l)),
			...alone.errors,
			...(alone.suites[suite] ? [] : [`${suite}: its own run reported no test`]),
		],
	};
}

/**
 * results with `record` in place of the previous record of its version and mode (which moves to
 * the front of the history, trimmed to HISTORY_LENGTH). Records sorted newest version first,
 * then by mode.
 */
function mergeRecord(results, record) {
	const records = [...(results.records ?? [])];
	const history = [...(results.history ?? [])];
	const i = records.findIndex((r) => r.version === record.version && r.mode === record.mode);
	if (i !== -1) history.unshift(records.splice(i, 1)[0]);
	records.push(record);
	records.sort(
		(a, b) =>
			compareVersions(b.version, a.version) || MODES.indexOf(a.mode) - MODES.indexOf(b.mode),
	);
	return { records, history: history.slice(0, HISTORY_LENGTH) };
}

function recordOf(results, version, mode) {
	return (results.records ?? []).find((r) => r.version === version && r.mode === mode);
}

/**
 * The rule `npm test` holds: each problem as a sentence telling what to run. [] when every
 * supported version, in each of its modes, has a newest run that passed on `hash`.
 */
function ruleProblems(list, results, hash) {
	const problems = listProblems(list);
	if (problems.length) return problems;
	for (const entry of supportedEntries(list)) {
		for (const mode of modesOf(entry)) {
			const r = recordOf(results, entry.version, mode);
			const run = `npm run test:compat -- ${entry.version}${mode === 'default' ? '' : ` --mode ${mode}`}`;
			const what = `n8n ${entry.version} (${MODE_NAMES[mode]}) is listed as supported in ${LIST_FILE}`;
			if (!r) problems.push(`${what} but has no recorded run: run \`${run}\``);
			else if (!r.pass) {
				problems.push(
					`${what} but its last run (${day(r.date)}) failed: ${r.failure || `${r.tests?.fail} failed test(s)`}. Fix it and run \`${run}\`, or give the version "notSupported" with the reason in ${LIST_FILE}`,
				);
			} else if (r.contentHash !== hash) {
				problems.push(
					`${what} but nodes/ or credentials/ changed since its last run (${day(r.date)}, code ${short(r.contentHash)}, now ${short(hash)}): run \`${run}\``,
				);
			} else if (mode !== 'default' && list.slicesPollTimeoutSeconds && !slicesRan(r, list)) {
				problems.push(
					`${what} but its last run (${day(r.date)}) did not pass the polling-slices suite with a ${list.slicesPollTimeoutSeconds} s poll timeout: run \`${run}\``,
				);
			}
		}
	}
	return problems;
}

/** Whether a durable-mode run passed polling-slices at the list's low poll timeout. */
function slicesRan(record, list) {
	const suite = record.suites?.['polling-slices'];
	return (
		record.slicesPollTimeoutSeconds === list.slicesPollTimeoutSeconds &&
		!!suite?.pass &&
		!suite.fail &&
		!suite.skip
	);
}

const short = (h) => String(h ?? '').slice(0, 12);

const MONTHS =
	'January February March April May June July August September October November December'.split(
		' ',
	);
/** "7 December 2026" (UTC) of an ISO date. */
function day(iso) {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime())) return String(iso);
	return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

function minutes(seconds) {
	if (typeof seconds !== 'number') return '-';
	const m = Math.floor(seconds / 60);
	const s = Math.round(seconds % 60);
	return m ? `${m} min ${String(s).padStart(2, '0')} s` : `${s} s`;
}

function modeLabel(record) {
	const name = MODE_NAMES[record.mode] ?? record.mode;
	return record.mode !== 'default' && record.pollTimeoutSeconds
		? `${name} (poll timeout ${record.pollTimeoutSeconds} s${record.slicesPollTimeoutSeconds ? `; polling-slices ${record.slicesPollTimeoutSeconds} s` : ''})`
		: name;
}

function resultText(r) {
	const t = r.tests ?? { pass: 0, total: 0, skip: 0 };
	const counted = `${t.pass} / ${t.total - (t.skip ?? 0)}${t.skip ? ` (${t.skip} skipped)` : ''}`;
	return r.pass ? `passed ${counted}` : `**failed** ${t.total ? counted : ''}`.trim();
}

function installText(r) {
	const i = r.install;
	if (!i || typeof i.totalSeconds !== 'number') return '-';
	const parts = [];
	if (i.sqliteBuildReusedFrom) parts.push('sqlite3 build reused');
	else if (typeof i.sqliteBuildSeconds === 'number')
		parts.push(`sqlite3 built in ${i.sqliteBuildSeconds} s`);
	if (i.overrides && Object.keys(i.overrides).length) {
		parts.push(
			`override ${Object.entries(i.overrides)
				.map(([k, v]) => `${k} ${v}`)
				.join(', ')}`,
		);
	}
	if (i.sizeMb) parts.push(`${(i.sizeMb / 1024).toFixed(1)} GB`);
	return `${minutes(i.totalSeconds)}${parts.length ? ` (${parts.join('; ')})` : ''}`;
}

const cell = (s) => String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The rows of the list in table order: supported newest first, then the others. */
function rows(list, results) {
	const out = [];
	for (const entry of supportedEntries(list)) {
		for (const mode of modesOf(entry)) {
			out.push({ entry, mode, record: recordOf(results, entry.version, mode) });
		}
	}
	return out;
}

function notSupportedEntries(list) {
	return list.versions
		.filter((e) => e.notSupported)
		.sort((a, b) => compareVersions(b.version, a.version));
}

/** The generated part of docs/compatibility.md. */
function renderDocs(list, results) {
	const lines = [];
	lines.push(
		'Written by `npm run test:compat` from [`docs/compat/versions.json`](compat/versions.json) (the list) and [`docs/compat/results.json`](compat/results.json) (the runs); do not edit by hand.',
		'',
		'| n8n | | Scheduler | End-to-end suite | Run | Commit | Code (`nodes/`, `credentials/`) | n8n install here | Suite time |',
		'|---|---|---|---|---|---|---|---|---|',
	);
	const all = rows(list, results);
	for (const { entry, mode, record: r } of all) {
		const label = mode === modesOf(entry)[0] ? `**${entry.version}**` : '';
		const line = mode === modesOf(entry)[0] ? cell(entry.line ?? '') : '';
		if (!r) {
			lines.push(`| ${label} | ${line} | ${MODE_NAMES[mode]} | not run | - | - | - | - | - |`);
			continue;
		}
		lines.push(
			`| ${label} | ${line} | ${cell(modeLabel(r))} | ${resultText(r)} | ${day(r.date)} | \`${String(r.commit).slice(0, 7)}\`${r.commitDirty ? ' + uncommitted' : ''} | \`${short(r.contentHash)}\` | ${cell(installText(r))} | ${minutes(r.durationSeconds)} |`,
		);
	}
	// per suite
	const suiteNames = [
		...new Set(all.flatMap(({ record }) => Object.keys(record?.suites ?? {}))),
	].sort();
	if (suiteNames.length) {
		lines.push(
			'',
			'Tests passed per suite (`test/e2e/<suite>.e2e.mjs`), passed / run:',
			'',
			`| n8n | Scheduler | ${suiteNames.join(' | ')} |`,
			`|---|---|${suiteNames.map(() => '---').join('|')}|`,
		);
		for (const { entry, mode, record: r } of all) {
			if (!r) continue;
			const counts = suiteNames.map((s) => {
				const c = r.suites?.[s];
				if (!c) return '-';
				const text = `${c.pass} / ${c.pass + c.fail}${c.skip ? ` (+${c.skip} skipped)` : ''}`;
				return c.fail ? `**${text}**` : text;
			});
			lines.push(`| ${entry.version} | ${MODE_NAMES[mode]} | ${counts.join(' | ')} |`);
		}
	}
	const failures = all.filter(({ record }) => record && !record.pass);
	if (failures.length) {
		lines.push('', 'Failed runs:', '');
		for (const { entry, mode, record: r } of failures) {
			const tests = (r.failedTests ?? []).slice(0, 8).map((t) => `\`${cell(t)}\``);
			lines.push(
				`- ${entry.version}, ${MODE_NAMES[mode]} (${day(r.date)}): ${cell(r.failure || 'tests failed')}${tests.length ? `; ${tests.join('; ')}` : ''}`,
			);
		}
	}
	const others = notSupportedEntries(list);
	if (others.length) {
		lines.push('', '**Not supported:**', '');
		for (const e of others) {
			const r = modesOf(e)
				.map((m) => recordOf(results, e.version, m))
				.find(Boolean);
			lines.push(
				`- n8n ${e.version}${e.line ? ` (${cell(e.line)})` : ''}: ${cell(e.notSupported)}${e.detail ? `: ${cell(e.detail)}` : ''}${r ? ` (last run ${day(r.date)}: ${resultText(r)})` : ''}`,
			);
		}
	}
	return lines.join('\n');
}

/** The generated part of README.md: which versions, in one short table. */
function renderReadme(list, results) {
	const lines = ['| n8n | Tested with | End-to-end suite in a real n8n |', '|---|---|---|'];
	for (const entry of supportedEntries(list)) {
		const recs = modesOf(entry).map((m) => ({ mode: m, r: recordOf(results, entry.version, m) }));
		const modes = modesOf(entry)
			.map((m) => MODE_NAMES[m])
			.join(', ');
		const texts = recs.map(({ r }) => (r ? `${resultText(r)}, ${day(r.date)}` : 'not run'));
		const outcome =
			recs.length > 1 && texts.every((t) => t === texts[0])
				? `${texts[0] === 'not run' ? '' : 'each mode: '}${texts[0]}`
				: recs
						.map(({ mode }, i) => `${recs.length > 1 ? `${MODE_NAMES[mode]}: ` : ''}${texts[i]}`)
						.join('; ');
		lines.push(
			`| **${entry.version}**${entry.line ? ` (${cell(entry.line)})` : ''} | ${modes} | ${outcome} |`,
		);
	}
	// versions not supported, grouped by reason (the details are in docs/compatibility.md)
	/** @type {Map<string, string[]>} */
	const byReason = new Map();
	for (const e of notSupportedEntries(list)) {
		byReason.set(e.notSupported, [...(byReason.get(e.notSupported) ?? []), e.version]);
	}
	if (byReason.size) {
		lines.push(
			'',
			`Not supported: ${[...byReason]
				.map(([reason, versions]) => `n8n ${versions.join(', ')} (${cell(reason)})`)
				.join('; ')}.`,
		);
	}
	return lines.join('\n');
}

function render(kind, list, results) {
	return kind === 'readme' ? renderReadme(list, results) : renderDocs(list, results);
}

const BEGIN = `<!-- BEGIN generated: ${BLOCK} -->`;
const END = `<!-- END generated: ${BLOCK} -->`;

/** The text between the markers (trimmed), or undefined when the file has no such block. */
function extractBlock(text) {
	const b = text.indexOf(BEGIN);
	const e = text.indexOf(END);
	if (b === -1 || e === -1 || e < b) return undefined;
	return text.slice(b + BEGIN.length, e).trim();
}

/** text with the block between the markers replaced by `body`; undefined without markers. */
function replaceBlock(text, body) {
	const b = text.indexOf(BEGIN);
	const e = text.indexOf(END);
	if (b === -1 || e === -1 || e < b) return undefined;
	return `${text.slice(0, b + BEGIN.length)}\n${body}\n${text.slice(e)}`;
}

/**
 * Rewrites the generated blocks of README.md and docs/compatibility.md from the list and the
 * results. Returns, per file, 'updated' | 'unchanged' | 'no markers'.
 */
function writeGenerated(list = readList(), results = readResults()) {
	/** @type {Record<string, string>} */
	const outcome = {};
	for (const { file, render: kind } of GENERATED_FILES) {
		const full = path.join(ROOT, file);
		const text = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
		const next = replaceBlock(text, render(kind, list, results));
		if (next === undefined) outcome[file] = 'no markers';
		else if (next === text) outcome[file] = 'unchanged';
		else {
			fs.writeFileSync(full, next);
			outcome[file] = 'updated';
		}
	}
	return outcome;
}

/**
 * The generated blocks that differ from what writeGenerated would write: [{ file, problem }].
 * A file without the markers is a problem too (the block belongs there).
 */
function staleBlocks(list = readList(), results = readResults()) {
	const out = [];
	for (const { file, render: kind } of GENERATED_FILES) {
		const full = path.join(ROOT, file);
		const text = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
		const block = extractBlock(text);
		if (block === undefined) out.push({ file, problem: `has no ${BEGIN} … ${END} block` });
		else if (block !== render(kind, list, results).trim()) {
			out.push({ file, problem: 'its generated compatibility block differs from the results' });
		}
	}
	return out;
}

/**
 * Whether n8n really ran in `mode`, from its log (debug level, as scripts/e2e.mjs starts it) and
 * its database: the durable scheduler logs "Provisioned scheduler jobs for poll trigger node"
 * for each polling trigger it takes over; durable cursors save rows in `poller_state`. Returns
 * the reason it did not, or undefined. Versions without a durable scheduler fail the check in a
 * durable mode (which is what their record should say).
 */
function schedulerEvidence(mode, logText, pollerStateRows) {
	const provisioned = logText.includes('Provisioned scheduler jobs for poll trigger node');
	const refused =
		/The durable scheduler cannot take over poll triggers|durable poll cursors stay disabled/.exec(
			logText,
		);
	if (refused) return `n8n refused the ${mode} mode: "${refused[0]}"`;
	if (mode === 'default') {
		return provisioned ? 'n8n ran polls on the durable scheduler in the default mode' : undefined;
	}
	if (!provisioned) {
		return `n8n's log never says "Provisioned scheduler jobs for poll trigger node": polls did not run on the durable scheduler`;
	}
	if (mode === 'cursors' && pollerStateRows === 0) {
		return 'no durable poll cursor was saved (poller_state is empty)';
	}
	return undefined;
}

/** The text of a repository file (UTF-8), '' when it does not exist. */
function readRepoText(relativePath) {
	const full = path.join(ROOT, relativePath);
	return fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : '';
}

module.exports = {
	ROOT,
	readRepoText,
	schedulerEvidence,
	LIST_FILE,
	RESULTS_FILE,
	HASHED_FOLDERS,
	MODES,
	MODE_NAMES,
	BEGIN,
	END,
	HISTORY_LENGTH,
	GENERATED_FILES,
	readList,
	readResults,
	compareVersions,
	supportedEntries,
	notSupportedEntries,
	modesOf,
	newestSupported,
	oldestSupported,
	listProblems,
	contentHash,
	countEvents,
	withSuiteFrom,
	mergeRecord,
	recordOf,
	ruleProblems,
	day,
	renderDocs,
	renderReadme,
	extractBlock,
	replaceBlock,
	writeGenerated,
	staleBlocks,
};
