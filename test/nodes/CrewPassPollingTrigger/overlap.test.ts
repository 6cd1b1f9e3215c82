/** The overlap guard (a lease per trigger) and the progress a process remembers between polls. */
import {
	acquireLease,
	forgetAll,
	holdsLease,
	leaseTtlMs,
	MAX_REMEMBERED,
	progressFrom,
	releaseLease,
	rememberProgress,
	stateName,
	triggerKey,
} from '../../../nodes/CrewPassPollingTrigger/overlap';
import type { SavedFleet } from '../../../nodes/CrewPassPollingTrigger/snapshot';

afterEach(() => forgetAll());

const state = (id: string) => ({ id, generation: 1, readAt: 'T' }) as unknown as SavedFleet;

describe('lease', () => {
	it('one poll per trigger at a time, whatever static-data object each poll has', () => {
		const key = triggerKey({
			getWorkflow: () => ({ id: 'wf1', active: true }) as never,
			getNode: () => ({ name: 'CrewPass Polling Trigger' }) as never,
		});
		const first = acquireLease(key, 0, 1_000)!;
		expect(first).toBeDefined();
		expect(acquireLease(key, 500, 1_000)).toBeUndefined();
		expect(acquireLease('wf2\u0000CrewPass Polling Trigger', 500, 1_000)).toBeDefined();
		releaseLease(key, first);
		expect(acquireLease(key, 600, 1_000)).toBeDefined();
	});

	it('expires: a later poll takes over, and the earlier one knows it lost it', () => {
		const first = acquireLease('k', 0, 1_000)!;
		expect(acquireLease('k', 999, 1_000)).toBeUndefined();
		const second = acquireLease('k', 1_000, 1_000)!;
		expect(holdsLease('k', first)).toBe(false);
		expect(holdsLease('k', second)).toBe(true);
		releaseLease('k', first); // the late poll ends: the new lease stays
		expect(holdsLease('k', second)).toBe(true);
	});

	it('lasts the budget and 15 minutes (a whole roster, however large)', () => {
		expect(leaseTtlMs(30_000)).toBe(930_000);
	});
});

describe('progress', () => {
	it('is used only by a poll that finds the same saved state', () => {
		rememberProgress('k', 'saved-1', state('progress-1'));
		expect(progressFrom('k', 'saved-1')?.id).toBe('progress-1');
		expect(progressFrom('k', 'saved-2')).toBeUndefined();
		expect(progressFrom('other', 'saved-1')).toBeUndefined();
	});

	it('names states without an id (older versions) by generation and read time', () => {
		expect(stateName(undefined)).toBe('');
		expect(stateName(state('abc'))).toBe('abc');
		expect(stateName({ generation: 4, readAt: 'T' } as unknown as SavedFleet)).toBe('g4@T');
	});

	it(`remembers at most ${MAX_REMEMBERED} triggers, forgetting the oldest`, () => {
		for (let i = 0; i <= MAX_REMEMBERED; i++) rememberProgress(`k${i}`, '', state(`s${i}`));
		expect(progressFrom('k0', '')).toBeUndefined();
		expect(progressFrom(`k${MAX_REMEMBERED}`, '')?.id).toBe(`s${MAX_REMEMBERED}`);
	});
});
