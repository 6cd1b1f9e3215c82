// Declarations of test/compat-fixtures.cjs.
export declare function tempTree(files: Record<string, string>): string;
export declare function writeTreeFile(root: string, relativePath: string, text: string): void;
export declare function renameTreeFile(root: string, from: string, to: string): void;
export declare function removeTree(root: string): void;
