// Declarations of sandbox/server.cjs. The types live in types.d.cts, which the implementation is
// type-checked against (tsconfig.sandbox.json); the declarations below mirror server.cjs's exports
// (start.cjs checks that its exports are assignable to them), whose
// JSDoc (`@param {SandboxOptions}`, `@returns {Promise<Sandbox>}`) uses the same types.
import type {
	Sandbox,
	SandboxOptions,
	SendTestDeliveryOptions,
	TestDeliveryResult,
} from './types.cjs';

export type * from './types.cjs';
export declare const LINK_TTL_MS: number;
export declare function startSandbox(options?: SandboxOptions): Promise<Sandbox>;
/** one signed sample delivery to `url` through the sandbox on `port` (default 4010), else a temporary one */
export declare function sendTestDelivery(o: SendTestDeliveryOptions): Promise<{
	result: TestDeliveryResult;
	via: 'running' | 'temporary';
	ok: boolean;
}>;
