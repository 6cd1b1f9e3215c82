import type { IDataObject } from 'n8n-workflow';

const part = (value: unknown): string =>
	value === undefined ? '-' : value === null ? 'none' : String(value);

/**
 * The state an event describes, as one string that does not depend on which trigger saw it: the
 * CrewPass Trigger's webhook event and the CrewPass Polling Trigger's item for the same change
 * have the same `state_key` (e.g. `status:crew_001:verified:completed`), so one Remove Duplicates
 * on it serves a workflow fed by both. Undefined for an event type it does not know.
 */
export function stateKeyOf(eventType: string, fields: IDataObject): string | undefined {
	const crew = part(fields.crew_unique_id);
	switch (eventType) {
		case 'crew.status.changed':
		case 'crew.status_sharing.granted':
			return `status:${crew}:${part(fields.verification_status ?? fields.status)}:${part(fields.background_check_status)}`;
		case 'crew.status_sharing.withdrawn':
			return `status:${crew}:not_shared`;
		case 'crew.compliance.changed':
			return [
				'compliance',
				crew,
				part(fields.vessel_id),
				part(fields.overall_status),
				`${part(fields.requirements_met)}/${part(fields.requirements_total)}`,
				part(fields.requirements_expiring),
				part(fields.next_expiry_date),
			].join(':');
		case 'crew.document.processed':
		case 'crew.document.updated':
		case 'crew.document.added':
			return `document:${crew}:${part(fields.document_id)}:${part(fields.verification_status)}`;
		case 'crew.document.expired':
			return `document_expired:${crew}:${part(fields.document_id)}:${part(fields.expiry_date)}`;
		case 'crew.profile.updated':
			return `profile:${crew}:${part(fields.updated_at)}`;
		case 'crew.vessel.joined':
			return `placement:${crew}:${part(fields.vessel_id)}:on`;
		case 'crew.vessel.left':
			return `placement:${crew}:${part(fields.vessel_id)}:off`;
		case 'crew.fleet.left':
			return `fleet:${crew}:off`;
		case 'crew.role.changed':
			return `role:${crew}:${part(fields.vessel_id)}:${part(fields.role)}`;
		case 'crew.documents_expiring.changed':
			return `documents_expiring:${crew}:${part(fields.documents_expiring)}:${part(fields.expiring_within_days)}`;
		case 'vessel.added':
			return `vessel:${part(fields.vessel_id)}:on`;
		case 'vessel.removed':
			return `vessel:${part(fields.vessel_id)}:off`;
		default:
			return undefined;
	}
}
