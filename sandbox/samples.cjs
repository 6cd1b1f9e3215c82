// @ts-check
'use strict';
// Sample `data` for each event type, built from a crew member as the contract's examples show
// them. Used when a control call gives no `data`, and by the test delivery.

const { documentPayload } = require('./control.cjs');

/**
 * @param {string} type any event type; unknown ones get a generic payload
 * @param {any} crew a crew member of the store
 * @param {{ clock: import('./types.cjs').SandboxClock, control: { complianceByVessel(crew: any): any[] } }} ctx
 * @returns {Record<string, unknown>}
 */
function sampleEventData(type, crew, { clock, control }) {
	const today = clock.today();
	const doc = crew.docsByKind.values().next().value;
	switch (type) {
		case 'crew.document.processed':
		case 'crew.document.updated':
			return doc ? documentPayload(doc, today) : { crew_unique_id: crew.crew_unique_id };
		case 'crew.compliance.changed': {
			const c = control.complianceByVessel(crew)[0];
			if (!c) return { crew_unique_id: crew.crew_unique_id };
			return {
				crew_unique_id: crew.crew_unique_id,
				vessel_id: c.vessel_id,
				overall_status: c.snap.overall_status,
				requirements_met: c.snap.requirements_met,
				requirements_total: c.snap.requirements_total,
				requirements_expiring: c.snap.requirements_expiring,
				next_expiry_date: c.snap.next_expiry_date,
			};
		}
		case 'crew.status.changed':
			return {
				crew_unique_id: crew.crew_unique_id,
				verification_status: crew.verification_status,
				background_check_status: crew.background_check_status,
			};
		default:
			return { crew_unique_id: crew.crew_unique_id, updated_at: clock.iso() };
	}
}

module.exports = { sampleEventData };
