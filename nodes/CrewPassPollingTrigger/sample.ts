/**
 * The manual run ("Fetch Test Event"): one sample item per selected change, made from the
 * current roster (and, for compliance and document changes, that crew member's real snapshot
 * and documents). Writes no state.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import {
	checkCompliance,
	firstRosterPage,
	listDocuments,
	readAllVessels,
} from '../CrewPass/client';
import { CHANGE_KINDS, type Change, type ChangeKind } from './changes';
import { statusFields } from './diff';
import { changeItem } from './items';
import { asSent } from './read';
import { COMPLIANCE_FIELDS, rosterEntryOf } from './snapshot';

/** Stands for a value the sample cannot know: what it was before the change. */
export const SAMPLE_BEFORE = '(value before the change)';

export async function sampleChanges(
	ctx: IPollFunctions,
	kinds: ChangeKind[],
	expiringWithinDays: number,
): Promise<IDataObject[]> {
	const rows = await firstRosterPage(ctx, expiringWithinDays, 1);
	const row = rows[0];
	const entry = row && rosterEntryOf(row);
	if (!entry) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Your CrewPass fleet roster is empty: there is no crew member to make a sample from',
			{
				description:
					'The roster (GET /api/v2/employers/me/fleet) returned no crew. Check that the credential is for the right account and environment; the trigger works with an empty fleet, it just has nothing to show yet.',
			},
		);
	}
	const crew = entry.crew;
	const person = { crew_unique_id: crew, name: entry.name, vessel_ids: [entry.vessel] };
	const status = statusFields(entry);
	// Read once however many selected changes use them (e.g. the three document changes).
	const vessels = once(async () => await readAllVessels(ctx));
	const documents = once(async () => await listDocuments(ctx, crew));
	const changed = (fields: IDataObject) => ({
		before: Object.fromEntries(Object.keys(fields).map((k) => [k, SAMPLE_BEFORE])),
		after: fields,
	});
	const make = async (kind: ChangeKind): Promise<Change> => {
		const base = {
			kinds: [kind],
			eventType: CHANGE_KINDS[kind].eventType,
			subject: `sample/${crew}`,
		};
		switch (kind) {
			case 'crewJoinedVessel':
				return {
					...base,
					fields: { ...row, vessel_ids: [entry.vessel] },
					before: null,
					after: { vessel_id: entry.vessel, role: entry.role },
				};
			case 'crewLeftVessel':
				return {
					...base,
					fields: { ...row, vessel_ids: [] },
					before: { vessel_id: entry.vessel, role: entry.role },
					after: null,
				};
			case 'crewLeftFleet':
				return {
					...base,
					fields: { ...person, vessel_ids: [] },
					before: { vessel_ids: [entry.vessel] },
					after: null,
				};
			case 'roleChanged':
				return {
					...base,
					fields: { ...row, vessel_ids: [entry.vessel] },
					...changed({ role: entry.role }),
				};
			case 'verificationStatusChanged':
			case 'backgroundCheckStatusChanged':
				return { ...base, fields: { ...person, ...status }, ...changed(status) };
			case 'documentsExpiringIncreased':
			case 'documentsExpiringDecreased':
				return {
					...base,
					fields: {
						...person,
						documents_expiring: entry.expiring,
						expiring_within_days: expiringWithinDays,
					},
					...changed({ documents_expiring: entry.expiring }),
				};
			case 'statusSharingWithdrawn':
				return { ...base, fields: person, before: status, after: null };
			case 'statusSharingGranted':
				return { ...base, fields: { ...person, ...status }, before: null, after: status };
			case 'vesselAdded':
			case 'vesselRemoved': {
				const vessel = (await vessels())[0] ?? {
					vessel_id: entry.vessel,
					vessel_name: row.vessel_name,
				};
				const id = { vessel_id: vessel.vessel_id };
				return {
					...base,
					fields: { ...vessel },
					before: kind === 'vesselAdded' ? null : id,
					after: kind === 'vesselAdded' ? id : null,
				};
			}
			case 'complianceChanged': {
				const snapshot = await checkCompliance(ctx, crew, entry.vessel || undefined);
				const fields: IDataObject = {
					crew_unique_id: crew,
					vessel_id: entry.vessel,
					name: entry.name,
				};
				for (const field of COMPLIANCE_FIELDS) fields[field] = snapshot[field] ?? null;
				return { ...base, fields, ...changed({ overall_status: fields.overall_status }) };
			}
			default: {
				const [first] = await documents();
				const document = first ? asSent(first) : {};
				const fields = { crew_unique_id: crew, ...document };
				if (kind === 'documentAdded') {
					return {
						...base,
						fields,
						before: null,
						after: {
							verification_status: document.verification_status,
							expiry_date: document.expiry_date,
						},
					};
				}
				if (kind === 'documentExpired') {
					return {
						...base,
						fields,
						before: { expiry_date: document.expiry_date, expired: false },
						after: { expiry_date: document.expiry_date, expired: true },
					};
				}
				return {
					...base,
					fields,
					...changed({ verification_status: document.verification_status }),
				};
			}
		}
	};
	const now = new Date().toISOString();
	const items: IDataObject[] = [];
	// A status change satisfies both status options: one sample for the pair.
	const seen = new Set<string>();
	for (const kind of kinds) {
		const change = await make(kind);
		const id = `${change.eventType}/${JSON.stringify(change.after)}`;
		if (seen.has(id)) continue;
		seen.add(id);
		items.push({
			...changeItem(change, { generation: 0, detectedAt: now, previousPollAt: now }),
			sample: true,
		});
	}
	return items;
}

/** `read` on the first call, its promise on every later one. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
	let result: Promise<T> | undefined;
	return () => (result ??= read());
}
