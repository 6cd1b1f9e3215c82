/**
 * The CrewPass Partner API shapes the node reads (contract: docs.crewpass.co.uk/partners).
 * Every answer may carry more fields than listed (additive changes are non-breaking), and
 * fields gated by consent or scope may be absent: hence the index signature and the optionals.
 */
import type { IDataObject } from 'n8n-workflow';

/** `GET /partners/me`. */
export interface Partner extends IDataObject {
	partner_id?: string;
	display_name?: string;
	partner_type?: string;
	status?: string;
	mode?: string;
	subscription_plan?: string;
	granted_scopes?: string[];
}

/** One entry of `GET /employers/me/vessels`. */
export interface Vessel extends IDataObject {
	vessel_id?: string;
	vessel_name?: string;
	imo?: string;
	mmsi?: string;
	flag_state?: string;
	vessel_type?: string;
}

/** One row of the fleet roster, `GET /employers/me/fleet`. */
export interface RosterRow extends IDataObject {
	crew_unique_id?: string;
	name?: string;
	vessel_id?: string;
	vessel_name?: string;
	role?: string;
	/** Quickstart shape; the crew guide has `verification_status`. Absent without consent. */
	status?: string;
	verification_status?: string;
	/** null: no check on record; absent: not shared. */
	background_check_status?: string | null;
	documents_expiring?: number;
	as_of?: string;
}

/** `POST /employers/me/crew/lookup`. */
export interface CrewLookup extends IDataObject {
	crew_unique_id?: string;
	status?: string;
}

/** `GET /employers/me/crew/{id}/profile`; identity fields only with `full_profile: true`. */
export interface Profile extends IDataObject {
	crew_unique_id?: string;
	name?: string;
	full_profile?: boolean;
}

/** One entry of `GET /employers/me/crew/{id}/documents`, with the node's `days_until_expiry`. */
export interface CrewDocument extends IDataObject {
	crew_unique_id?: string;
	document_id?: string;
	type?: string;
	category?: string;
	title?: string;
	issuer?: string | null;
	verification_status?: string;
	issue_date?: string;
	expiry_date?: string;
	document_number?: string;
	/** Added by the node: whole days from today (UTC) to expiry_date; null without a date. */
	days_until_expiry?: number | null;
}

/** `GET .../documents/{document_id}/download`: a short-lived, CrewPass-hosted link. */
export interface DownloadLink extends IDataObject {
	document_id?: string;
	download_url?: string;
	expires_at?: string;
	content_type?: string;
	file_name?: string;
}

/** `POST /employers/me/crew/{id}/compliance-checks`. */
export interface ComplianceSnapshot extends IDataObject {
	crew_unique_id?: string;
	overall_status?: string;
	next_expiry_date?: string | null;
	requirements?: IDataObject[];
}
