import type { IDataObject } from 'n8n-workflow';

import { EVENT_TYPES, eventToJson, type CrewPassEventType } from './envelope';

/**
 * One documented sample per event type, with the data of the contract's event catalogue. A
 * workflow can be built on them before CrewPass sends anything: pin `sampleItem(type)` on the
 * trigger (it is exactly what a delivery of the sample produces with Output "Event Data").
 */
/** The document of both document events' samples (the contract's catalogue example). */
const SAMPLE_DOCUMENT: IDataObject = {
	crew_unique_id: 'crew_001',
	document_id: 'doc_9',
	type: 'ENG1',
	category: 'Medical Certificate',
	title: 'ENG1 Medical',
	issuer: 'Approved Authority',
	verification_status: 'verified',
	issue_date: '2026-06-01',
	expiry_date: '2028-06-01',
	document_number: 'E1-998',
};

export const SAMPLE_DATA: Record<CrewPassEventType, IDataObject> = {
	'crew.document.processed': { ...SAMPLE_DOCUMENT },
	'crew.document.updated': { ...SAMPLE_DOCUMENT, verification_status: 'expired' },
	'crew.compliance.changed': {
		crew_unique_id: 'crew_001',
		vessel_id: 'ves_abc',
		overall_status: 'at_risk',
		requirements_met: 7,
		requirements_total: 8,
		requirements_expiring: 1,
		next_expiry_date: '2026-08-01',
	},
	'crew.status.changed': {
		crew_unique_id: 'crew_001',
		verification_status: 'verified',
		background_check_status: 'completed',
	},
	'crew.profile.updated': { crew_unique_id: 'crew_001', updated_at: '2026-06-08T12:00:00Z' },
};

/** The envelope CrewPass would send for the sample of `type`. */
export function sampleEnvelope(type: CrewPassEventType): IDataObject {
	return {
		schema_version: 1,
		event_id: `evt_sample_${type.replace(/\./g, '_')}`,
		event_type: type,
		occurred_at: '2026-06-08T10:00:00Z',
		partner_id: 'prt_123',
		data: SAMPLE_DATA[type],
	};
}

/** The trigger's output item for the sample of `type` (Output "Event Data"). */
export function sampleItem(type: CrewPassEventType): IDataObject {
	const envelope = sampleEnvelope(type);
	return eventToJson(
		{
			schema_version: 1,
			event_id: String(envelope.event_id),
			event_type: type,
			occurred_at: envelope.occurred_at,
			partner_id: envelope.partner_id,
			data: SAMPLE_DATA[type],
		},
		'eventData',
		'2026-06-08T10:00:01.000Z',
		{ timestamp: 0, verifiedWith: 'current_secret' },
	);
}

export const SAMPLE_TYPES = EVENT_TYPES;
