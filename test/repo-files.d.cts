// Declarations of test/repo-files.cjs.
export declare function readRepoFile(relativePath: string): string;
export declare function repoPathExists(relativePath: string): boolean;
export declare function listRepoFolder(relativePath: string): string[];
/** The module's exports, to be cast by the caller to the shape it reads. */
export declare function requireBuilt(relativePath: string): Record<string, unknown>;
