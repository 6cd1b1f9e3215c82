/**
 * The changes the polling trigger can report (its Trigger On options), the event type of the
 * item each produces, and the read each one needs.
 */
import type { IDataObject } from 'n8n-workflow';

/** Where a change is seen: the read it needs (compliance and documents: a slice per poll). */
export type ChangeSource = 'roster' | 'vessels' | 'compliance' | 'documents';

export const CHANGE_KINDS = {
	crewJoinedVessel: {
		name: 'Crew Member Joined a Vessel',
		eventType: 'crew.vessel.joined',
		source: 'roster',
		description:
			'A crew member appears on a vessel (a new roster row): a new joiner, or a move or second placement',
	},
	crewLeftVessel: {
		name: 'Crew Member Left a Vessel',
		eventType: 'crew.vessel.left',
		source: 'roster',
		description:
			'A crew member is no longer on a vessel (a roster row is gone); a move to another vessel is Left + Joined',
	},
	crewLeftFleet: {
		name: 'Crew Member Left the Fleet',
		eventType: 'crew.fleet.left',
		source: 'roster',
		description: 'A crew member is on none of your vessels any more',
	},
	roleChanged: {
		name: 'Role Changed',
		eventType: 'crew.role.changed',
		source: 'roster',
		description: "A crew member's role on a vessel changes",
	},
	verificationStatusChanged: {
		name: 'Verification Status Changed',
		eventType: 'crew.status.changed',
		source: 'roster',
		description:
			'Verification status changes (the same item shape as the webhook event crew.status.changed)',
	},
	backgroundCheckStatusChanged: {
		name: 'Background-Check Status Changed',
		eventType: 'crew.status.changed',
		source: 'roster',
		description:
			'Background-check status changes (the same item shape as the webhook event crew.status.changed)',
	},
	documentsExpiringIncreased: {
		name: 'Documents Expiring Went Up',
		eventType: 'crew.documents_expiring.changed',
		source: 'roster',
		description: "The number of a crew member's documents expiring within the window goes up",
	},
	documentsExpiringDecreased: {
		name: 'Documents Expiring Went Down',
		eventType: 'crew.documents_expiring.changed',
		source: 'roster',
		description:
			"The number of a crew member's documents expiring within the window goes down (renewed, or expired)",
	},
	statusSharingWithdrawn: {
		name: 'Status Sharing Withdrawn',
		eventType: 'crew.status_sharing.withdrawn',
		source: 'roster',
		description:
			'A crew member stops sharing their verification and background-check status with you (the fields vanish)',
	},
	statusSharingGranted: {
		name: 'Status Sharing Granted',
		eventType: 'crew.status_sharing.granted',
		source: 'roster',
		description: 'A crew member starts sharing their status with you again',
	},
	vesselAdded: {
		name: 'Vessel Added',
		eventType: 'vessel.added',
		source: 'vessels',
		description: 'A vessel appears on your CrewPass account (one more request per poll)',
	},
	vesselRemoved: {
		name: 'Vessel Removed',
		eventType: 'vessel.removed',
		source: 'vessels',
		description: 'A vessel leaves your CrewPass account (one more request per poll)',
	},
	complianceChanged: {
		name: 'Compliance Changed',
		eventType: 'crew.compliance.changed',
		source: 'compliance',
		description:
			'Compliance of a crew member on a vessel changes (the webhook event’s item shape). Costs one request per roster row per pass over the fleet (read within Max Seconds per Poll, continued by the next poll).',
	},
	documentAdded: {
		name: 'Document Added',
		eventType: 'crew.document.added',
		source: 'documents',
		description:
			'A crew member has a new document. Costs one request per crew member per pass over the fleet (shared with the two other document changes).',
	},
	documentStatusChanged: {
		name: 'Document Verification Status Changed',
		eventType: 'crew.document.updated',
		source: 'documents',
		description:
			"A document's verification status changes (the webhook event crew.document.updated's item shape). Costs one request per crew member per pass over the fleet.",
	},
	documentExpired: {
		name: 'Document Expired',
		eventType: 'crew.document.expired',
		source: 'documents',
		description:
			"A document's expiry date passes. Costs one request per crew member per pass over the fleet.",
	},
} as const satisfies Record<
	string,
	{ name: string; eventType: string; source: ChangeSource; description: string }
>;

export type ChangeKind = keyof typeof CHANGE_KINDS;

export const ALL_CHANGE_KINDS = Object.keys(CHANGE_KINDS) as ChangeKind[];

/** The Trigger On options, sorted by name as n8n lists them. */
export const CHANGE_OPTIONS = ALL_CHANGE_KINDS.map((value) => ({
	name: CHANGE_KINDS[value].name,
	value,
	description: `${CHANGE_KINDS[value].description} (${CHANGE_KINDS[value].eventType})`,
})).sort((a, b) => a.name.localeCompare(b.name));

/** The reads a selection of changes needs (the roster is always read: every row is a key). */
export function sourcesFor(kinds: readonly ChangeKind[]): Set<ChangeSource> {
	return new Set<ChangeSource>(['roster', ...kinds.map((kind) => CHANGE_KINDS[kind].source)]);
}

/** One detected change, before it becomes an output item. */
export interface Change {
	/** The Trigger On values this change satisfies (a status change can satisfy two). */
	kinds: ChangeKind[];
	eventType: string;
	/** What changed: crew, crew on a vessel, document or vessel (part of the event id). */
	subject: string;
	/** The item's top-level fields: what the thing is now (or was, when it is gone). */
	fields: IDataObject;
	/** The changed fields' values before the change; null when the thing did not exist. */
	before: IDataObject | null;
	/** The changed fields' values after the change; null when the thing is gone. */
	after: IDataObject | null;
}
