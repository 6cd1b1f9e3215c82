import { NodeOperationError, sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { checkCompliance, getProfile, listDocuments, rosterPages } from '../CrewPass/client';
import type { RosterRow } from '../CrewPass/client';
import { openSession } from '../CrewPass/transport';
import { errorToJson } from '../CrewPass/transport/errors';
import { firstRowsOf, SharedRoster } from './sharedRoster';

function crewIdOf(ctx: IExecuteFunctions, data: IDataObject, itemIndex: number): string {
	const id = data.crew_unique_id;
	if (typeof id !== 'string' || !id) {
		throw new NodeOperationError(
			ctx.getNode(),
			'The event has no data.crew_unique_id, so its latest details cannot be read',
			{ itemIndex },
		);
	}
	return id;
}

/** The crew member's current document with the event's document_id. */
async function latestDocument(
	ctx: IExecuteFunctions,
	data: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	const crewId = crewIdOf(ctx, data, itemIndex);
	const documentId = data.document_id;
	const documents = await listDocuments(ctx, crewId, itemIndex);
	const found = documents.find((doc) => doc.document_id === documentId);
	if (!found) {
		throw new NodeOperationError(
			ctx.getNode(),
			`Document ${String(documentId)} is not among the crew member's current documents`,
			{
				description:
					'CrewPass lists only the current version of each document; this one may have been superseded or removed since the event.',
				itemIndex,
			},
		);
	}
	return found;
}

/** The full compliance snapshot, for the event's vessel when it names one. */
async function latestCompliance(
	ctx: IExecuteFunctions,
	data: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	const crewId = crewIdOf(ctx, data, itemIndex);
	const vesselId =
		typeof data.vessel_id === 'string' && data.vessel_id ? data.vessel_id : undefined;
	return await checkCompliance(ctx, crewId, vesselId, itemIndex);
}

/** The walks of each API key in this process, by the transport's key fingerprint (never the key). */
const rosters = new Map<string, SharedRoster<RosterRow>>();
const clock = { now: () => Date.now(), sleep };

/** Forgets every key's walks (tests). */
export function resetSharedRosters(): void {
	rosters.clear();
}

/**
 * The crew member's fleet row, from the roster walk this status event shares with the other
 * status events of the same API key that arrive meanwhile (sharedRoster.ts).
 */
async function latestFleetRow(
	ctx: IExecuteFunctions,
	data: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	const crewId = crewIdOf(ctx, data, itemIndex);
	const { pacerKey } = await openSession(ctx, itemIndex);
	let roster = rosters.get(pacerKey);
	if (!roster) {
		roster = new SharedRoster<RosterRow>(clock);
		rosters.set(pacerKey, roster);
	}
	const row = await roster.find(
		crewId,
		async (wanted) => await firstRowsOf(rosterPages(ctx), wanted),
	);
	if (row) return row;
	throw new NodeOperationError(ctx.getNode(), `Crew member ${crewId} is not on your fleet roster`, {
		description:
			'The crew member may have left your vessels, or withdrawn consent, since the event was sent.',
		itemIndex,
	});
}

async function latestProfile(
	ctx: IExecuteFunctions,
	data: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	return await getProfile(ctx, crewIdOf(ctx, data, itemIndex), itemIndex);
}

/** Reads the current state behind an event through the shared transport. */
export async function fetchLatestDetails(
	ctx: IExecuteFunctions,
	eventType: string,
	data: IDataObject,
	itemIndex: number,
): Promise<IDataObject> {
	switch (eventType) {
		case 'crew.document.processed':
		case 'crew.document.updated':
			return await latestDocument(ctx, data, itemIndex);
		case 'crew.compliance.changed':
			return await latestCompliance(ctx, data, itemIndex);
		case 'crew.status.changed':
			return await latestFleetRow(ctx, data, itemIndex);
		case 'crew.profile.updated':
			return await latestProfile(ctx, data, itemIndex);
		default:
			throw new NodeOperationError(ctx.getNode(), `Unknown event type ${eventType}`, { itemIndex });
	}
}

/**
 * What a failed lookup leaves on the item (latest_details_error): the package's one error shape,
 * `{ error, description?, code?, scope?, requestId?, httpCode? }`, never a secret.
 */
export function describeLatestDetailsError(error: unknown): IDataObject {
	return errorToJson(error);
}
