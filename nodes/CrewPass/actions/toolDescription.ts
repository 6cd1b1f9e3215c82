/**
 * What an AI agent is told about the CrewPass tool when its workflow's author sets the tool
 * description by hand from the default (`usableAsTool.replacements.description`): what each
 * operation returns, its bound and how many CrewPass requests it costs. With n8n's "Set
 * Automatically" (the default) the agent reads the operation's `action` instead ("… in
 * CrewPass"), which states the same bounds in brief. Every request of an API key is paced to
 * CrewPass's read budget (60/s, 1,000/min, shared with every other user of the key).
 */
export const TOOL_DESCRIPTION = [
	'Reads the CrewPass Partner API (maritime crew: vessels, crew members, documents, compliance). Requests are paced at 60/s and 1,000/min per API key.',
	'Every call returns at most 50 items plus a note when there are more (the note says how to narrow the request with filters or a smaller limit), and at most 60,000 characters. It never returns a file, and never a download link or token unless the workflow allows links.',
	'Partner → Get: your partner identity, plan and scopes (1 request).',
	'Vessel → Get Many: your vessels, up to 50 (1 request).',
	'Crew Member → Get Many: the fleet roster, up to 50 crew members (1 request; more with filters, 1 per 200 crew). Find by Email: the crew_unique_id for an email (1 request). Get Profile: rank, nationality, skills, contact details and an identity summary when shared (1 request). Get Photo: whether a photo exists, its type and size; no image is returned to the agent (1 request).',
	'Document → Get Many: up to 50 current documents of a crew member with verification status and days until expiry (1 request). Get Download Link: file name, content type and expiry; the link itself only when the workflow allows it (1 request). Download / Download All: file details only, never the file itself (1 request per document, plus 1 for the list); Download All returns at most 50 documents.',
	'Compliance → Check: overall status, requirement counts and next expiry of one crew member, or up to 50 requirements (1 request). Check Fleet: the same for the crew members of the fleet in roster order, at most 50 plus a note when there are more (1 request per 200 crew for the roster, plus 1 request per crew member checked, paced at 60/s; checking stops once more than 50 are found, so about 64 checks, or up to 1 per crew member with Only Those Needing Attention: about N/60 s for N crew, longer above 1,000 crew).',
].join(' ');
