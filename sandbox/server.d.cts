// Declarations of sandbox/server.cjs. The types live in types.d.cts, which the implementation is
// type-checked against (tsconfig.sandbox.json); these two lines mirror server.cjs's exports, whose
// JSDoc (`@param {SandboxOptions}`, `@returns {Promise<Sandbox>}`) uses the same types.
import type { Sandbox, SandboxOptions } from './types.cjs';

export type * from './types.cjs';
export declare const LINK_TTL_MS: number;
export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
