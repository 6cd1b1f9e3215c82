import type { IDataObject } from 'n8n-workflow';

import documentsFixture from '../../fixtures/documents.json';

/** `YYYY-MM-DD`, `days` from today (UTC). */
export function isoDate(days: number): string {
	const now = new Date();
	return new Date(
		Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + days * 86_400_000,
	)
		.toISOString()
		.slice(0, 10);
}

/** The documents fixture with its relative dates ("+20d", "-3d") made real. */
export function documentsAnswer(): { crew_unique_id: string; items: IDataObject[] } {
	const answer = JSON.parse(JSON.stringify(documentsFixture)) as {
		crew_unique_id: string;
		items: IDataObject[];
	};
	for (const item of answer.items) {
		const relative = /^([+-]\d+)d$/.exec(String(item.expiry_date));
		if (relative) item.expiry_date = isoDate(Number(relative[1]));
	}
	return answer;
}

/** Days until expiry the fixture documents should get, by document_id. */
export const FIXTURE_DAYS: Record<string, number | null> = {
	doc_1: 400,
	doc_2: 20,
	doc_3: null,
	doc_4: -3,
	doc_5: 0,
};

export const SCOPE_NOT_CONSENTED = {
	error: {
		code: 'scope_not_consented',
		message: "scope 'crew:documents:read' is not consented for this crew member",
		scope: 'crew:documents:read',
	},
};
