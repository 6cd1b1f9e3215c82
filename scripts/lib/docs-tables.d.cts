// Declarations of scripts/lib/docs-tables.cjs (the generated tables of README.md and docs/*.md).
export interface BuiltDescriptions {
	crewPass: unknown;
	trigger: unknown;
	polling: unknown;
	changeKinds: Record<string, { name: string; eventType: string; source: string }>;
}
export interface GeneratedBlock {
	name: string;
	content: string;
}
/** Every block scripts/lib/docs-tables.cjs generates, by name. */
export declare const NAMES: string[];
/** Blocks another generator fills (`npm run test:compat`). */
export declare const OTHER_GENERATORS: string[];
export declare function loadBuilt(root?: string): BuiltDescriptions;
export declare function renderBlocks(built?: BuiltDescriptions): Record<string, string>;
export declare function findBlocks(text: string): GeneratedBlock[];
export declare function fillBlocks(text: string, blocks: Record<string, string>): string;
/** README.md and docs/*.md, relative to the repository. */
export declare function markdownFiles(root?: string): string[];
