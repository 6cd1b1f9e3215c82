/**
 * What an AI agent is told about the CrewPass tool (`usableAsTool.replacements.description`):
 * what each operation returns and how many CrewPass requests it costs. Every request of an API
 * key is paced to CrewPass's read budget (60/s, 1,000/min, shared with every other user of the
 * key).
 */
export const TOOL_DESCRIPTION = [
	'Reads the CrewPass Partner API (maritime crew: vessels, crew members, documents, compliance). Requests are paced at 60/s and 1,000/min per API key.',
	'Partner → Get: your partner identity, plan and scopes (1 request).',
	'Vessel → Get Many: your vessels (1 request).',
	'Crew Member → Get Many: the fleet roster, one item per crew member (1 request per 200 crew). Find by Email: the crew_unique_id for an email (1 request). Get Profile: rank, nationality, skills, contact details and an identity summary when shared (1 request). Get Photo: whether a photo exists, its type and size; no image is returned to the agent (1 request).',
	'Document → Get Many: the current documents of a crew member with verification status and days until expiry (1 request). Get Download Link: file name and content type (1 request). Download / Download All: file details only, never the file itself (1 request per document, plus 1 for the list); Download All returns at most 50 documents.',
	'Compliance → Check: overall status, requirement counts and next expiry of one crew member (1 request). Check Fleet: the same for every crew member on the fleet (1 request per 200 crew plus 1 request per crew member, paced at 60/s: about N/60 s for N crew, longer above 1,000 crew); returns at most 50 items plus a note when there are more, so prefer Only Those Needing Attention.',
].join(' ');
