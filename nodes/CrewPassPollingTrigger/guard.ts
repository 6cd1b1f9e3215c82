/** The mass-leaver guard (after Microsoft Entra provisioning's accidental-deletion threshold). */
export interface LeaverGuard {
	/** Stop when more than this share of the previous roster rows would be reported as left. */
	maxPercent: number;
	/** ...and at least this many rows would: a small fleet is never stopped by one leaver. */
	minRows: number;
}

export const DEFAULT_LEAVER_GUARD: LeaverGuard = { maxPercent: 10, minRows: 10 };

/** Why a poll must stop before reporting `left` of `previousRows` rows as gone, or undefined. */
export function leaverGuardTripped(
	previousRows: number,
	left: number,
	guard: LeaverGuard,
): string | undefined {
	if (left < Math.max(1, guard.minRows) || previousRows === 0) return undefined;
	const percent = (left / previousRows) * 100;
	if (percent <= guard.maxPercent) return undefined;
	return `${left} of ${previousRows} roster rows (${percent.toFixed(1)}%) would be reported as left in one poll, more than the Mass-Leaver Guard allows (${guard.maxPercent}%, from ${guard.minRows} rows)`;
}
