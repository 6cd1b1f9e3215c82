import { NodeApiError } from 'n8n-workflow';

import type { ComplianceSnapshot } from '../../client';
import { daysUntil } from '../../shared/dates';

/**
 * The contract's "who needs attention": `non_compliant`, or `at_risk` with `next_expiry_date`
 * within `windowDays` days from today.
 */
export function needsAttention(
	snapshot: ComplianceSnapshot,
	windowDays: number,
	now = Date.now(),
): boolean {
	if (snapshot.overall_status === 'non_compliant') return true;
	if (snapshot.overall_status !== 'at_risk') return false;
	const days = daysUntil(snapshot.next_expiry_date, now);
	return days !== null && days <= windowDays;
}

/**
 * A CrewPass answer that concerns one crew member only — they have not consented to share
 * compliance with you (scope_not_consented), or are no longer on your fleet (not_found) — as
 * opposed to one that would fail for everybody (key, plan scope, rate limit, outage, a wrong
 * address answering a bare 404).
 */
export function isPerCrewMemberError(error: unknown): error is NodeApiError {
	if (!(error instanceof NodeApiError)) return false;
	const code = error.context.crewPassCode;
	return code === 'scope_not_consented' || code === 'not_found';
}
