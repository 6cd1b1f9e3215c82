/* eslint-disable no-console, @n8n/community-nodes/no-restricted-globals -- the issue asks for entries and heap used in the test output; process.memoryUsage() and global.gc are the only way to read them */
import { DedupeStore } from '../../../nodes/CrewPassTrigger/dedupe';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function heapUsed(): number {
	(global as { gc?: () => void }).gc?.();
	return process.memoryUsage().heapUsed;
}

describe('DedupeStore bound under load', () => {
	it('holds 10,000 entries (the default bound) after 100,000 distinct ids', () => {
		const before = heapUsed();
		const store = new DedupeStore({ maxEntries: 10_000 });
		const started = Date.now();
		let accepted = 0;
		let maxSize = 0;
		for (let i = 0; i < 100_000; i++) {
			if (store.checkAndRecord(`evt_${i.toString(36).padStart(12, '0')}_${'x'.repeat(8)}`, i))
				accepted++;
			if (store.size > maxSize) maxSize = store.size;
		}
		const elapsedMs = Date.now() - started;
		const after = heapUsed();

		expect(accepted).toBe(100_000);
		expect(store.size).toBe(10_000);
		expect(maxSize).toBe(10_000);
		// The newest 10,000 are remembered, the 90,000 older ones forgotten.
		expect(
			store.has(`evt_${(99_999).toString(36).padStart(12, '0')}_${'x'.repeat(8)}`, 100_000),
		).toBe(true);
		expect(
			store.has(`evt_${(89_999).toString(36).padStart(12, '0')}_${'x'.repeat(8)}`, 100_000),
		).toBe(false);

		console.log(
			`dedupe store after 100,000 distinct ids: ${store.size} entries (bound 10,000, never above ${maxSize}); ` +
				`heap used ${mb(before)} before, ${mb(after)} after (${mb(after - before)} difference` +
				`${(global as { gc?: unknown }).gc ? '' : ', measured without --expose-gc'}); ${elapsedMs} ms`,
		);
	});

	it('holds a bound of 100,000 after 1,000,000 distinct ids, with an age limit on top', () => {
		const store = new DedupeStore({ maxEntries: 100_000, maxAgeMs: 500_000 });
		const started = Date.now();
		for (let i = 0; i < 1_000_000; i++) store.checkAndRecord(`evt_${i}`, i);
		const elapsedMs = Date.now() - started;
		// Count bound first (100,000), age bound applies too: ids last seen > 500,000 ms ago are gone.
		expect(store.size).toBe(100_000);
		const bounded = store.size;
		store.configure({ maxEntries: 100_000, maxAgeMs: 50_000 }, 1_000_000);
		expect(store.size).toBe(50_000);
		console.log(
			`dedupe store bound 100,000: ${bounded} entries after 1,000,000 ids in ${elapsedMs} ms ` +
				`(evictions stay O(1)), ${store.size} after an age limit of 50 s; heap used ${mb(heapUsed())}`,
		);
	});
});
