import {
	DEFAULT_LEAVER_GUARD,
	leaverGuardTripped,
} from '../../../nodes/CrewPassPollingTrigger/guard';

describe('leaverGuardTripped', () => {
	it('stops more than the share, from the minimum row count on', () => {
		expect(leaverGuardTripped(100, 11, DEFAULT_LEAVER_GUARD)).toContain(
			'11 of 100 roster rows (11.0%)',
		);
		expect(leaverGuardTripped(100, 10, DEFAULT_LEAVER_GUARD)).toBeUndefined();
		expect(leaverGuardTripped(20, 9, DEFAULT_LEAVER_GUARD)).toBeUndefined(); // 45%, but 9 < 10 rows
		expect(leaverGuardTripped(20, 10, DEFAULT_LEAVER_GUARD)).toContain('50.0%');
	});

	it('100% turns it off; an empty previous roster never trips', () => {
		expect(leaverGuardTripped(100, 100, { maxPercent: 100, minRows: 10 })).toBeUndefined();
		expect(leaverGuardTripped(0, 0, DEFAULT_LEAVER_GUARD)).toBeUndefined();
		expect(leaverGuardTripped(5, 5, { maxPercent: 10, minRows: 0 })).toContain('5 of 5');
	});
});
