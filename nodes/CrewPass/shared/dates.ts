const DAY_MS = 86_400_000;

/** The widest expiry window CrewPass accepts (`include_documents_expiring_within_days`), in days. */
export const MAX_EXPIRY_WINDOW_DAYS = 730;

/**
 * Whole days from today (UTC) to a `YYYY-MM-DD` date (a full ISO timestamp is read by its date):
 * 0 = expires today, negative = already expired, null = no (readable) date.
 */
export function daysUntil(date: unknown, now = Date.now()): number | null {
	if (typeof date !== 'string') return null;
	const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(date);
	if (!match) return null;
	const target = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
	if (!Number.isFinite(target)) return null;
	const today = new Date(now);
	const todayUtc = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
	return Math.round((target - todayUtc) / DAY_MS);
}
