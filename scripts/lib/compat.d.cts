// Declarations of scripts/lib/compat.cjs (for test/compat.test.ts).
export type SchedulerMode = 'default' | 'durable' | 'cursors';

export interface VersionEntry {
	version: string;
	line?: string;
	modes?: SchedulerMode[];
	/** Why the version is not supported (short, shown in the README); absent for a supported one. */
	notSupported?: string;
	/** More about it (the resolver's words, the failing test), shown in docs/compatibility.md. */
	detail?: string;
}

export interface VersionList {
	about?: string;
	durablePollTimeoutSeconds?: number;
	/** The poll timeout of the durable modes' second run, polling-slices alone. */
	slicesPollTimeoutSeconds?: number;
	versions: VersionEntry[];
}

export interface SuiteCount {
	pass: number;
	fail: number;
	skip: number;
	errors?: number;
}

export interface RunRecord {
	version: string;
	mode: SchedulerMode;
	pollTimeoutSeconds?: number;
	slicesPollTimeoutSeconds?: number;
	date: string;
	commit: string;
	commitDirty?: boolean;
	contentHash: string;
	tests?: { total: number; pass: number; fail: number; skip: number };
	suites?: Record<string, SuiteCount>;
	failedTests?: string[];
	durationSeconds?: number;
	install?: Record<string, unknown>;
	pass: boolean;
	failure?: string;
	[key: string]: unknown;
}

export interface Results {
	records: RunRecord[];
	history: RunRecord[];
}

export declare const LIST_FILE: string;
export declare const RESULTS_FILE: string;
export declare const HASHED_FOLDERS: string[];
export declare const MODES: SchedulerMode[];
export declare const MODE_NAMES: Record<SchedulerMode, string>;
export declare const BEGIN: string;
export declare const END: string;
export declare const HISTORY_LENGTH: number;
export declare const GENERATED_FILES: Array<{ file: string; render: 'readme' | 'docs' }>;

export declare function readList(): VersionList;
export declare function readResults(): Results;
export declare function compareVersions(a: string, b: string): number;
export declare function supportedEntries(list: VersionList): VersionEntry[];
export declare function notSupportedEntries(list: VersionList): VersionEntry[];
export declare function modesOf(entry: VersionEntry): SchedulerMode[];
export declare function newestSupported(list: VersionList): VersionEntry | undefined;
export declare function oldestSupported(list: VersionList): VersionEntry | undefined;
export declare function listProblems(list: VersionList): string[];
export declare function contentHash(root?: string): string;
export declare function countEvents(ndjson: string): {
	suites: Record<string, SuiteCount>;
	tests: { total: number; pass: number; fail: number; skip: number };
	failed: string[];
	errors: string[];
};
export declare function withSuiteFrom(
	main: ReturnType<typeof countEvents>,
	alone: ReturnType<typeof countEvents>,
	suite: string,
): ReturnType<typeof countEvents>;
export declare function mergeRecord(results: Partial<Results>, record: RunRecord): Results;
export declare function recordOf(
	results: Partial<Results>,
	version: string,
	mode: SchedulerMode,
): RunRecord | undefined;
export declare function ruleProblems(
	list: VersionList,
	results: Partial<Results>,
	hash: string,
): string[];
export declare function day(iso: string): string;
export declare function renderDocs(list: VersionList, results: Partial<Results>): string;
export declare function renderReadme(list: VersionList, results: Partial<Results>): string;
export declare function extractBlock(text: string): string | undefined;
export declare function replaceBlock(text: string, body: string): string | undefined;
export declare function writeGenerated(
	list?: VersionList,
	results?: Partial<Results>,
): Record<string, 'updated' | 'unchanged' | 'no markers'>;
export declare function staleBlocks(
	list?: VersionList,
	results?: Partial<Results>,
): Array<{ file: string; problem: string }>;
/** The text of a repository file (UTF-8), '' when it does not exist. */
export declare function readRepoText(relativePath: string): string;
/** Why n8n did not run in `mode` (from its log and the poller_state row count), or undefined. */
export declare function schedulerEvidence(
	mode: SchedulerMode,
	logText: string,
	pollerStateRows?: number,
): string | undefined;
