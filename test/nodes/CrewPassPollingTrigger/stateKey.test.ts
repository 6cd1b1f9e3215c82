import { stateKeyOf } from '../../../nodes/CrewPass/shared/stateKey';

describe('stateKeyOf', () => {
	it('is the same for the webhook event and the poll item describing the same state', () => {
		// The contract's crew.status.changed data, and a poll item with extra fields.
		const webhook = {
			crew_unique_id: 'crew_001',
			verification_status: 'verified',
			background_check_status: 'completed',
		};
		const poll = { ...webhook, name: 'A. Crew', vessel_ids: ['ves_abc'], before: {}, after: {} };
		expect(stateKeyOf('crew.status.changed', webhook)).toBe('status:crew_001:verified:completed');
		expect(stateKeyOf('crew.status.changed', poll)).toBe(
			stateKeyOf('crew.status.changed', webhook),
		);
		const compliance = {
			crew_unique_id: 'crew_001',
			vessel_id: 'ves_abc',
			overall_status: 'at_risk',
			requirements_met: 7,
			requirements_total: 8,
			requirements_expiring: 1,
			next_expiry_date: '2026-08-01',
		};
		expect(stateKeyOf('crew.compliance.changed', compliance)).toBe(
			'compliance:crew_001:ves_abc:at_risk:7/8:1:2026-08-01',
		);
		const document = {
			crew_unique_id: 'crew_001',
			document_id: 'doc_9',
			verification_status: 'verified',
		};
		expect(stateKeyOf('crew.document.processed', document)).toBe(
			stateKeyOf('crew.document.added', document),
		);
		expect(stateKeyOf('crew.document.updated', document)).toBe('document:crew_001:doc_9:verified');
	});

	it('tells no check (null) from not shared, and knows nothing of unknown event types', () => {
		expect(
			stateKeyOf('crew.status.changed', {
				crew_unique_id: 'c',
				verification_status: 'verified',
				background_check_status: null,
			}),
		).toBe('status:c:verified:none');
		expect(stateKeyOf('crew.status.changed', { crew_unique_id: 'c' })).toBe('status:c:-:-');
		expect(stateKeyOf('crew.vessel.renamed', {})).toBeUndefined();
	});
});
