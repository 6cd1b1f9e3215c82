import { createHmac, randomBytes } from 'crypto';

export const SECRET = 'whsec_current_for_tests';
export const PREVIOUS_SECRET = 'whsec_previous_for_tests';

export const ALL_EVENTS = [
	'crew.document.processed',
	'crew.document.updated',
	'crew.compliance.changed',
	'crew.status.changed',
	'crew.profile.updated',
];

export const SAMPLE_DATA: Record<string, Record<string, unknown>> = {
	'crew.document.processed': {
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
	},
	'crew.document.updated': {
		crew_unique_id: 'crew_001',
		document_id: 'doc_9',
		verification_status: 'rejected',
	},
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

export function newEventId(): string {
	return 'evt_' + randomBytes(8).toString('hex');
}

export function envelope(
	eventType = 'crew.document.processed',
	overrides: Record<string, unknown> = {},
): Record<string, unknown> {
	return {
		schema_version: 1,
		event_id: newEventId(),
		event_type: eventType,
		occurred_at: '2026-06-08T10:00:00Z',
		partner_id: 'prt_123',
		data: SAMPLE_DATA[eventType] ?? {},
		...overrides,
	};
}

export function sign(secret: string, timestamp: string, body: Buffer): string {
	return 'v1=' + createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

export function nowSeconds(): string {
	return String(Math.floor(Date.now() / 1000));
}

/** Body bytes and the headers CrewPass sends with them, signed with `secret`. */
export function signedDelivery(
	event: Record<string, unknown>,
	options: { secret?: string; timestamp?: string; body?: Buffer } = {},
): { body: Buffer; headers: Record<string, string> } {
	const body = options.body ?? Buffer.from(JSON.stringify(event), 'utf8');
	const timestamp = options.timestamp ?? nowSeconds();
	return {
		body,
		headers: {
			'Content-Type': 'application/json',
			'X-CrewPass-Event-Id': String(event.event_id),
			'X-CrewPass-Event-Type': String(event.event_type),
			'X-CrewPass-Timestamp': timestamp,
			'X-CrewPass-Signature': sign(options.secret ?? SECRET, timestamp, body),
			'X-CrewPass-Schema-Version': '1',
		},
	};
}
