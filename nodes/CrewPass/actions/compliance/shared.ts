import { NodeApiError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { crewPassRequest } from '../../transport';
import { daysUntil } from '../document/shared';

/**
 * `POST employers/me/crew/{id}/compliance-checks` with an empty JSON body: the compliance
 * snapshot (role / STCW / medical). `vesselId` picks the position when the crew member is on
 * more than one of your vessels.
 */
export async function checkCompliance(
	ctx: IExecuteFunctions,
	crewMemberId: string,
	vesselId: string | undefined,
	itemIndex: number,
): Promise<IDataObject> {
	return await crewPassRequest(ctx, {
		method: 'POST',
		path: ['employers', 'me', 'crew', crewMemberId, 'compliance-checks'],
		qs: vesselId === undefined ? undefined : { vessel_id: vesselId },
		body: {},
		itemIndex,
	});
}

/**
 * The contract's "who needs attention": `non_compliant`, or `at_risk` with `next_expiry_date`
 * within `windowDays` days from today.
 */
export function needsAttention(snapshot: IDataObject, windowDays: number, now = Date.now()) {
	if (snapshot.overall_status === 'non_compliant') return true;
	if (snapshot.overall_status !== 'at_risk') return false;
	const days = daysUntil(snapshot.next_expiry_date, now);
	return days !== null && days <= windowDays;
}

/**
 * A CrewPass answer that concerns one crew member only — they have not consented to share
 * compliance with you (403 scope_not_consented), or are no longer on your fleet (404) — as
 * opposed to one that would fail for everybody (key, plan scope, rate limit, outage).
 */
export function isPerCrewMemberError(error: unknown): error is NodeApiError {
	if (!(error instanceof NodeApiError)) return false;
	const code = error.context.crewPassCode;
	return code === 'scope_not_consented' || code === 'not_found' || error.httpCode === '404';
}

/** What an output item says about a compliance snapshot it could not read. */
export function complianceErrorOf(error: NodeApiError): IDataObject {
	const details: IDataObject = {
		code: (error.context.crewPassCode as string | undefined) ?? `http_${error.httpCode ?? ''}`,
		message: error.message,
		http_status: error.httpCode ? Number(error.httpCode) : null,
	};
	if (error.context.scope) details.scope = error.context.scope as string;
	if (error.context.requestId) details.request_id = error.context.requestId as string;
	return details;
}
