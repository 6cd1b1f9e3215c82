// Types of the CrewPass sandbox (sandbox/*.cjs), for TypeScript tests, e2e and bench scripts.
// Not free-standing: every sandbox .cjs file is `// @ts-check`ed against these types by
// `npm run typecheck` (tsconfig.sandbox.json): startSandbox() must return a `Sandbox`, the
// webhooks module must produce `DeliveryAttempt`s, and so on, or the typecheck fails.
// Import them through server.cjs: `import { startSandbox, type Sandbox } from '../../sandbox/server.cjs'`.

export type SandboxMode = 'test' | 'live';
export type CrewPassEventType =
	| 'crew.document.processed'
	| 'crew.document.updated'
	| 'crew.compliance.changed'
	| 'crew.status.changed'
	| 'crew.profile.updated';

export interface RateLimitOptions {
	enabled?: boolean;
	/** tokens per second (bucket size too); default 60 */
	perSecond?: number;
	/** tokens per minute (bucket size too); default 1000 */
	perMinute?: number;
}

export interface FaultOptions {
	/** added latency on every /api/v2 response, ms */
	latencyMs?: number;
	/** extra random latency 0..N ms (seeded) */
	latencyJitterMs?: number;
	/** share (0..1) of /api/v2 requests answered 429 partner_rate_limited */
	rate429?: number;
	/** share (0..1) of /api/v2 requests answered 503 service_unavailable */
	rate503?: number;
	/** share (0..1) of /api/v2 requests whose socket is destroyed without an answer */
	dropRate?: number;
	/** the next N /api/v2 requests get a 429 / 503 / dropped connection */
	next429?: number;
	next503?: number;
	nextDrop?: number;
	/** the next N downloads fail with 503 file_store_unavailable */
	downloads503?: number;
	/** where downloads503 applies: the file behind the link (default), the link request, or both */
	downloads503Target?: 'file' | 'link' | 'both';
	/** each webhook event is delivered 1 + N times (same event_id) */
	webhookDuplicates?: number;
	/** hold events for webhookOutOfOrderWindowMs and deliver each batch in reverse order */
	webhookOutOfOrder?: boolean;
	webhookOutOfOrderWindowMs?: number;
}

/** A redirect answered instead of the API (a proxy, CDN or moved host in front of CrewPass). */
export interface RedirectRule {
	/** regular expression (source) matched against the request path; null/omitted = every path */
	path?: string | null;
	/** only this method (default: any) */
	method?: string;
	/** 301 | 302 | 303 | 307 | 308 (default 302) */
	status?: number;
	/** absolute URL or a path on this origin; `{path}` = the request's path and query, `{origin}` = this origin */
	location: string;
	/** answer only the next N matching requests, then drop the rule */
	times?: number;
	/** response body (default `Redirecting to <location>`, text/plain) */
	body?: string;
}

export interface FileRedirects {
	/** redirects before the file (1..50); default 1 */
	hops: number;
	/** default 302 */
	status: number;
	/** origins the hops go through, in turn (another CrewPass host: a second sandbox with the same `secret`); default this origin */
	via: string[];
	/** the last hop goes here instead (a foreign host); `{token}` = the link's token */
	location: string | null;
}

/** Boundary knobs (off by default). */
export interface SandboxKnobs {
	redirects?: RedirectRule[];
	fileRedirects?: (Partial<FileRedirects> & { via?: string | string[] }) | null;
	/** download links point at this origin, e.g. https://partners.crewpass.co.uk or a second sandbox */
	linkOrigin?: string | null;
	/** answer a bare 404 without the CrewPass envelope: true = every non-control path, or only paths matching `path` */
	notFound?: boolean | { path?: string | null; format?: 'json' | 'html' | 'text' } | null;
	/** serve the API under this prefix only (a proxy in front of CrewPass); other paths get a bare 404 */
	pathPrefix?: string | null;
	/** where fleet rows carry the verification status: crew guide (default), quickstart, or both; null = default */
	fleetStatusField?: FleetStatusField | null;
}

/** `verification_status` (crew guide), `status` (quickstart, same value), or `both`. */
export type FleetStatusField = 'verification_status' | 'status' | 'both';

/** Knobs as they are in force (normalised). */
export interface SandboxKnobsState {
	redirects: Array<Required<Pick<RedirectRule, 'status' | 'location'>> & RedirectRule>;
	fileRedirects: FileRedirects | null;
	linkOrigin: string | null;
	notFound: { path: string | null; format: 'json' | 'html' | 'text' } | null;
	pathPrefix: string | null;
	fleetStatusField: FleetStatusField;
}

export interface WebhookConfig {
	baseDelayMs: number;
	maxDelayMs: number;
	maxAttempts: number;
	timeoutMs: number;
	allowExternal: boolean;
	timestampClock: 'real' | 'sandbox';
	/** sign each event once; every retry carries the first attempt's timestamp and signature */
	signOnce: boolean;
	/** delays before attempt 2, 3, ... in ms (the last repeats) instead of the exponential backoff */
	retryDelaysMs: number[] | null;
}

/** Per-event knobs for emit (retried) and send (raw). */
export interface EventOptions {
	/** any string, including non-ASCII (sent as UTF-8 header bytes) */
	event_id?: string;
	/** any number (CrewPass may raise it); also sent as X-CrewPass-Schema-Version */
	schema_version?: number;
	/** any string, e.g. without a zone: '2026-06-01T10:00:00' */
	occurred_at?: string;
	/** header names to leave out, e.g. ['X-CrewPass-Event-Id', 'X-CrewPass-Event-Type'] */
	omit_headers?: string[];
	/** extra or replaced headers */
	headers?: Record<string, string>;
	/** add a `padding` string of N bytes to data (oversize, still signed) */
	pad_bytes?: number;
	/** wrap data N levels deep ({"nested":{"nested":...}}, still signed) */
	nest_depth?: number;
}

export interface WebhookSubscription {
	url?: string | null;
	secret?: string;
	/** null = every event type */
	events?: CrewPassEventType[] | null;
}

export interface SandboxOptions {
	/** port on 127.0.0.1; 0 or omitted = a free port */
	port?: number;
	/** size of the main partner's fleet (crew members); default 40 */
	crew?: number;
	/** number of vessels of the main partner; default 4 up to 60 crew, else crew/14 */
	vessels?: number;
	/** PRNG seed for the data; default 1 */
	seed?: number;
	/** which keys this instance accepts; the other prefix gets 403 partner_mode_mismatch. default 'test' */
	mode?: SandboxMode;
	/** initial sandbox clock (default: the machine's now) */
	now?: string | number | Date;
	/** secret for signing download links and cursors (default: random per instance) */
	secret?: string;
	/** false = off; or custom bucket sizes */
	rateLimit?: boolean | RateLimitOptions;
	/** webhook subscription of the main partner (prt_harbourline) */
	webhookUrl?: string;
	webhookSecret?: string;
	webhookEvents?: CrewPassEventType[] | null;
	/** subscriptions by partner id */
	webhooks?: Record<string, WebhookSubscription>;
	/** first retry delay; attempt n waits base * 2^(n-1). default 1000 */
	webhookBaseDelayMs?: number;
	webhookMaxDelayMs?: number;
	/** default 8 */
	webhookMaxAttempts?: number;
	/** per-attempt timeout, default 5000 */
	webhookTimeoutMs?: number;
	/** X-CrewPass-Timestamp from the machine clock ('real', default) or the sandbox clock */
	webhookTimestampClock?: 'real' | 'sandbox';
	/** allow webhook URLs off loopback (default false) */
	allowExternalWebhooks?: boolean;
	/** sign each event once: every retry carries the same X-CrewPass-Timestamp and signature */
	webhookSignOnce?: boolean;
	/** delays before attempt 2, 3, ... (ms; the last repeats), e.g. [310_000] for a retry > 300 s later */
	webhookRetryDelaysMs?: number[];
	faults?: FaultOptions;
	redirects?: SandboxKnobs['redirects'];
	fileRedirects?: SandboxKnobs['fileRedirects'];
	linkOrigin?: SandboxKnobs['linkOrigin'];
	notFound?: SandboxKnobs['notFound'];
	pathPrefix?: SandboxKnobs['pathPrefix'];
	fleetStatusField?: SandboxKnobs['fleetStatusField'];
	/** shorthand for faults.latencyMs */
	latencyMs?: number;
}

export interface SandboxClock {
	now(): number;
	date(): Date;
	advance(ms: number): number;
	set(when: string | number | Date): number;
	/** YYYY-MM-DD (UTC) */
	today(): string;
	iso(ms?: number): string;
	readonly offsetMs: number;
	/** stop real time from moving the clock (advance/set still work) */
	pause(): void;
	resume(): void;
	readonly paused: boolean;
}

export interface PartnerView {
	partner_id: string;
	display_name: string;
	subscription_plan: string;
	api_enabled: boolean;
	granted_scopes: string[];
	/** the key for this instance's mode */
	api_key: string;
	keys: { live: string; test: string };
	webhook: { url: string | null; secret: string; events: CrewPassEventType[] | null };
	crew_count: number;
	vessel_count: number;
}

export interface SandboxDocument {
	document_id: string;
	crew_unique_id: string;
	kind: string;
	type: string;
	category: string;
	title: string;
	issuer: string | null;
	verification_status: 'verified' | 'pending' | 'rejected' | 'expired';
	issue_date: string | null;
	expiry_date: string | null;
	document_number: string;
	file_name: string;
	content_type: string;
	superseded: boolean;
	fit_category?: string;
}

export interface CrewView {
	crew_unique_id: string;
	partner_id: string;
	name: string;
	email: string;
	rank: string;
	has_photo: boolean;
	verification_status: string;
	background_check_status: string | null;
	consents: string[];
	placements: Array<{ vessel_id: string; role: string | null }>;
	documents: SandboxDocument[];
	superseded_documents: SandboxDocument[];
	compliance: Array<{ vessel_id: string; overall_status: string }>;
}

/** Named crew members with known states (main partner unless noted). */
export interface SandboxFixtures {
	compliant: string;
	atRisk: string;
	expiring30: string;
	expired: string;
	missing: string;
	pending: string;
	rejected: string;
	noRole: string;
	noPhoto: string;
	noStatusConsent: string;
	noDocumentsConsent: string;
	noComplianceConsent: string;
	noBackgroundCheck: string;
	multiVessel: string;
	superseded: string;
	/** crew of prt_meridian (another management partner) */
	otherPartner: string;
	/** crew of prt_solent (reduced plan) */
	reducedPlanCrew: string;
	/** crew of prt_dormant (no API access) */
	noApiCrew: string;
	[key: string]: string;
}

export interface WebhookEvent<T = Record<string, unknown>> {
	schema_version: number;
	event_id: string;
	event_type: string;
	occurred_at: string;
	partner_id: string;
	data: T;
}

export interface DeliveryAttempt {
	event_id: string;
	event_type: string;
	partner_id: string;
	url: string;
	attempt: number;
	copy: number;
	status_code: number | null;
	error: string | null;
	outcome:
		| 'delivered'
		| 'retry_scheduled'
		| 'rejected'
		| 'dead_lettered'
		| 'sent_raw'
		| 'test_delivery';
	/** ISO time (machine clock) */
	at: string;
	duration_ms: number;
	next_attempt_in_ms?: number;
	/** the X-CrewPass-Timestamp this attempt carried */
	timestamp?: string;
}

export interface DeadLetter {
	event_id: string;
	event_type: string;
	partner_id: string;
	url: string;
	attempts: number;
	last_status_code: number | null;
	last_error: string | null;
	dead_lettered_at: string;
	event: WebhookEvent;
}

export interface RawSendOptions extends EventOptions {
	partner_id?: string;
	/** default: the partner's subscribed URL */
	url?: string;
	/** any string, including types the receiver did not select */
	event_type?: string;
	data?: Record<string, unknown>;
	event?: WebhookEvent;
	/** body sent instead of the JSON envelope */
	raw_body?: string;
	/** identical deliveries (same event_id, body); default 1 */
	copies?: number;
	/** send the copies at once instead of one after the other */
	concurrent?: boolean;
	bad_signature?: boolean;
	missing_signature?: boolean;
	/** sign with another secret (true = a random one) */
	wrong_secret?: boolean | string;
	secret?: string;
	/** move X-CrewPass-Timestamp this many seconds into the past */
	stale_seconds?: number;
	timestamp?: number | string;
	signature?: string;
	/** sign a different body than the one sent */
	tamper_body?: boolean;
	crew_unique_id?: string;
	/** outcome recorded in the delivery log (default 'sent_raw') */
	outcome?: 'sent_raw' | 'test_delivery';
}

export interface TestDeliveryOptions {
	/** where to send it, e.g. the n8n trigger's Test URL (loopback unless allowExternalWebhooks) */
	url: string;
	/** any type; default crew.document.processed */
	event_type?: string;
	partner_id?: string;
	/** default: a sample for the type */
	data?: Record<string, unknown>;
}

export interface SendTestDeliveryOptions {
	url: string;
	event_type?: string;
	/** port of a running sandbox (default 4010) */
	port?: number;
	/** options of the temporary sandbox used when none runs on `port` */
	options?: SandboxOptions;
}

export interface TestDeliveryResult {
	event: WebhookEvent;
	url: string;
	status_code: number | null;
	error: string | null;
	response_body: string;
	timestamp: string;
	signature: string | null;
}

export interface RawSendResult {
	event: WebhookEvent;
	raw_body: string;
	url: string;
	deliveries: Array<{
		copy: number;
		status_code: number | null;
		error: string | null;
		response_body: string;
		timestamp: string;
		signature: string | null;
	}>;
}

export interface ControlResult {
	events: WebhookEvent[];
	[key: string]: unknown;
}

export interface SandboxControl {
	uploadDocument(
		crewId: string,
		body: {
			requirement_key: string;
			verification_status?: 'verified' | 'pending' | 'rejected' | 'expired';
			expiry_date?: string | null;
			expires_in_days?: number;
			issue_date?: string;
			document_number?: string;
			issuer?: string | null;
			fit_category?: string;
			title?: string;
		},
	): ControlResult & { document: Record<string, unknown>; superseded_document_id: string | null };
	verifyDocument(crewId: string, documentId: string): ControlResult;
	rejectDocument(crewId: string, documentId: string): ControlResult;
	expireDocument(crewId: string, documentId: string): ControlResult;
	setStatus(
		crewId: string,
		body: { verification_status?: string; background_check_status?: string | null },
	): ControlResult;
	setBackgroundCheck(crewId: string, status: string | null): ControlResult;
	updateProfile(
		crewId: string,
		patch: Record<string, unknown>,
	): ControlResult & { updated_at: string };
	setConsents(
		crewId: string,
		body: { grant?: string[]; revoke?: string[] },
	): { crew_unique_id: string; consents: string[] };
}

/** A status fault (429, 500..599) or a malformed / slow / missing answer. */
export type ReadFaultKind =
	| number
	/** list endpoints: the page has no `items` */
	| 'items_missing'
	/** list endpoints: `items` is an object keyed "0", "1", … instead of a list */
	| 'items_not_list'
	/** list endpoints: the first item has no id (crew_unique_id / vessel_id / document_id) */
	| 'bad_row'
	/** fleet: `next_cursor` is null although rows remain (a short roster) */
	| 'end_early'
	/** fleet: `next_cursor` points at this same page again */
	| 'cursor_repeat'
	/** compliance: no `overall_status` */
	| 'field_missing'
	/** documents, compliance: the answer names another crew member (`crew_someone_else`) */
	| 'other_crew'
	/** 200 with a truncated JSON body */
	| 'invalid_json'
	/** 200 text/html (a proxy or captive page) */
	| 'html'
	/** 200 with an empty body */
	| 'empty_body'
	/** no answer: the socket is held open (until the client gives up or delay_ms), then destroyed */
	| 'hang'
	/** the socket is destroyed at once */
	| 'drop'
	/** the normal answer after delay_ms (default 5000) */
	| 'slow';

export interface ReadFaultSpec {
	/** default 'fleet' */
	endpoint?: 'fleet' | 'vessels' | 'documents' | 'compliance';
	/** fleet: page k (1-based) of a roster read; omitted = any page */
	page?: number | null;
	/** documents / compliance: only this crew member; omitted = any */
	crew_unique_id?: string | null;
	/** omitted = any partner */
	partner_id?: string | null;
	fault: ReadFaultKind;
	/** the next N matching requests (each retry counts); default 1 */
	times?: number;
	/** fleet: every request for the page during the next N roster reads (a read starts with a request without cursor) */
	reads?: number;
	/** 429 / 5xx: retry_after_seconds in the body (and Retry-After); default 1 */
	retry_after_seconds?: number;
	/** slow: delay before the answer (default 5000); hang: how long before the socket is destroyed (default 10 min) */
	delay_ms?: number;
}

export interface ReadFaultRule {
	id: number;
	endpoint: 'fleet' | 'vessels' | 'documents' | 'compliance';
	page: number | null;
	crew_unique_id: string | null;
	partner_id: string | null;
	fault: ReadFaultKind;
	times_left: number | null;
	reads_left: number | null;
	/** reads rules: armed for the roster read in progress */
	armed?: boolean;
	retry_after_seconds: number;
	/** slow / hang only (else null) */
	delay_ms: number | null;
	/** requests answered with this fault so far */
	hits: number;
}

/** One /api/v2 request as the sandbox answered it. */
export interface RequestLogEntry {
	seq: number;
	/** machine clock, when the request arrived */
	at: string;
	method: string;
	/** partner, vessels, fleet, lookup, profile, photo, documents, download, compliance, file; null = no route */
	endpoint: string | null;
	path: string;
	query: string;
	crew_unique_id: string | null;
	vessel_id: string | null;
	/** null: not answered yet, or dropped / hung up without an answer */
	status: number | null;
	/** pending: still in flight (e.g. a hang fault the client has not given up on) */
	outcome: 'pending' | 'answered' | 'dropped';
	/** null while pending */
	duration_ms: number | null;
	partner_id?: string;
	/** fleet: page (1-based), cursor offset and limit */
	page?: number;
	offset?: number;
	limit?: number;
	/** the read fault that answered it */
	fault?: ReadFaultKind;
	read_fault_id?: number;
	/** fleet: the roster read (walk) it belongs to, rows answered, and whether next_cursor was null */
	read_id?: number;
	rows?: number;
	last_page?: boolean;
}

/** One walk of GET /fleet: from a request without cursor to the page with next_cursor null. */
export interface RosterRead {
	id: number;
	partner_id: string;
	started_at: string;
	ended_at: string | null;
	/** abandoned: the next walk started before this one reached its last page (a failed poll) */
	outcome: 'in_progress' | 'complete' | 'abandoned';
	/** fleet requests of the walk answered or dropped so far (retries included) */
	requests: number;
	/** distinct pages answered with rows, and their rows */
	pages: number;
	rows: number;
	/** requests that failed or were malformed (status null: dropped / hung) */
	failures: Array<{ page: number; status: number | null; fault: ReadFaultKind | null }>;
}

export interface RequestFilter {
	endpoint?: string | null;
	partner_id?: string | null;
	crew_unique_id?: string | null;
	/** only entries with seq > after */
	after?: number | null;
}

export type CrewRole =
	| 'Captain'
	| 'Chief Officer'
	| 'Second Officer'
	| 'Bosun'
	| 'Deckhand'
	| 'Chief Engineer'
	| 'Second Engineer'
	| 'ETO'
	| 'Chief Stewardess'
	| 'Stewardess'
	| 'Chef';

/** A crew member's place on the roster after a change, with their fleet rows as GET /fleet shows them (30-day window). */
export interface RosterCrewResult {
	crew_unique_id: string;
	partner_id: string;
	on_fleet: boolean;
	placements: Array<{ vessel_id: string; role: string | null }>;
	rows: Array<Record<string, unknown>>;
	[key: string]: unknown;
}

export interface VesselView {
	vessel_id: string;
	vessel_name: string;
	imo: string;
	mmsi: string;
	flag_state: string;
	vessel_type: string;
	partner_id: string;
}

export interface AddCrewOptions {
	/** default the main partner */
	partner_id?: string;
	/** default the partner's first vessel */
	vessel_id?: string;
	/** default 'Deckhand'; null = no role */
	role?: CrewRole | null;
	/** default 'verified' */
	verification_status?: 'verified' | 'pending' | 'unverified';
	/** default 'completed'; null = no check on record */
	background_check_status?: string | null;
	/** false = status not shared (no status fields on the fleet row) */
	status_consent?: boolean;
	documents_consent?: boolean;
	compliance_consent?: boolean;
	identity_consent?: boolean;
	has_photo?: boolean;
	/** requirement_key -> 'valid' (default for each) | 'missing' | 'expired' | 'pending' | 'rejected' | 'exp30' | 'exp90' | days until expiry */
	documents?: Record<string, string | number>;
	first_name?: string;
	last_name?: string;
	email?: string;
	/** row index in the roster (0 = first row of page 1); default the end */
	position?: number;
}

export interface ChurnOptions {
	partner_id?: string;
	seed?: number;
	joins?: number;
	leaves?: number;
	moves?: number;
	second_vessels?: number;
	role_changes?: number;
	status_changes?: number;
	background_changes?: number;
	consent_withdrawals?: number;
	consent_grants?: number;
}

export interface SandboxRoster {
	addCrew(o?: AddCrewOptions): RosterCrewResult;
	/** off one vessel (`vessel_id`) or off every vessel (leaves the fleet: the API then answers 404) */
	removeCrew(
		crewId: string,
		o?: { vessel_id?: string },
	): RosterCrewResult & { removed: Array<{ vessel_id: string; role: string | null }> };
	moveCrew(
		crewId: string,
		o: { to_vessel_id: string; from_vessel_id?: string; role?: CrewRole | null },
	): RosterCrewResult & {
		from: { vessel_id: string; role: string | null };
		to: { vessel_id: string; role: string | null };
	};
	/** one more vessel (a second row), or back on the fleet after leaving */
	addPlacement(
		crewId: string,
		o: { vessel_id: string; role?: CrewRole | null; position?: number },
	): RosterCrewResult;
	setRole(
		crewId: string,
		o: { role: CrewRole | null; vessel_id?: string },
	): RosterCrewResult & {
		vessel_id: string;
		before: string | null;
		after: string | null;
		events: WebhookEvent[];
	};
	setCompliance(
		crewId: string,
		o: { overall_status: 'compliant' | 'at_risk' | 'non_compliant'; vessel_id?: string },
	): {
		crew_unique_id: string;
		vessel_id: string;
		before: string;
		after: string;
		events: WebhookEvent[];
	};
	addVessel(o?: Partial<Omit<VesselView, 'vessel_id'>>): VesselView;
	updateVessel(
		vesselId: string,
		o: Partial<Omit<VesselView, 'vessel_id' | 'partner_id'>>,
	): VesselView;
	removeVessel(vesselId: string): {
		vessel: VesselView;
		removed_rows: Array<{ crew_unique_id: string; role: string | null; left_fleet: boolean }>;
	};
	/** seeded random changes on distinct crew members; returns each change as applied */
	churn(o: ChurnOptions): {
		changes: Array<Record<string, unknown> & { op: string; crew_unique_id: string }>;
		rows: number;
	};
	summary(crewId: string): RosterCrewResult;
}

export interface Sandbox {
	/** http://127.0.0.1:<port> */
	url: string;
	port: number;
	mode: SandboxMode;
	seed: number;
	stop(): Promise<void>;
	clock: SandboxClock;
	/** raw in-memory data (advanced use) */
	store: unknown;
	readonly fixtures: SandboxFixtures;
	/** API keys for this instance's mode */
	keys: {
		/** prt_harbourline: management plan, all scopes, the main fleet */
		management: string;
		/** prt_meridian: management plan, its own fleet (isolation) */
		other: string;
		/** prt_solent: reduced plan (fleet, status, profile only) */
		reduced: string;
		/** prt_dormant: no API access (api_not_enabled) */
		noApi: string;
		/** prt_harbourline's key of the other mode (partner_mode_mismatch) */
		wrongMode: string;
	};
	partners(): PartnerView[];
	state(): Record<string, unknown>;
	crew(id: string): CrewView | null;
	readonly control: SandboxControl;
	/** roster changes between polls (join, leave, move, second vessel, role, compliance, vessels) */
	readonly roster: SandboxRoster;
	/** fail page k of a roster read, the vessel list, or one crew member's documents / compliance */
	readFaults: {
		add(f: ReadFaultSpec): ReadFaultRule;
		list(): ReadFaultRule[];
		remove(id: number): ReadFaultRule[];
		clear(): ReadFaultRule[];
	};
	/** every /api/v2 request answered (or dropped), oldest first */
	requests(filter?: RequestFilter): RequestLogEntry[];
	clearRequests(): void;
	/** the walks of GET /fleet clients made (after: only reads with a larger id) */
	rosterReads(filter?: { after?: number | null; partner_id?: string | null }): RosterRead[];
	/** the first read after `after` that reaches `outcome` (default complete); null on timeout (default 30 s, max 120 s) */
	waitForRosterRead(o?: {
		after?: number | null;
		partner_id?: string | null;
		outcome?: RosterRead['outcome'];
		timeoutMs?: number;
	}): Promise<RosterRead | null>;
	webhooks: {
		subscribe(partnerId: string, sub: WebhookSubscription): unknown;
		secret(partnerId?: string): string;
		configure(c: Partial<Omit<WebhookConfig, 'allowExternal'>>): WebhookConfig;
		/** any type (CrewPassEventType or one CrewPass may add), with per-event knobs */
		emit(
			partnerId: string,
			type: CrewPassEventType | (string & {}),
			data: Record<string, unknown>,
			opts?: EventOptions,
		): WebhookEvent;
		send(o: RawSendOptions): Promise<RawSendResult>;
		/** one signed sample delivery to a URL (e.g. an n8n Test URL), no retries */
		testDelivery(o: TestDeliveryOptions): Promise<TestDeliveryResult>;
		deliveries(filter?: {
			event_id?: string;
			partner_id?: string;
			event_type?: string;
		}): DeliveryAttempt[];
		deadLetters(): DeadLetter[];
		events(): WebhookEvent[];
		/** resolves true when nothing is pending or in flight, false on timeout */
		idle(timeoutMs?: number): Promise<boolean>;
		clear(): void;
	};
	faults: {
		set(f: FaultOptions): FaultOptions;
		get(): Required<FaultOptions>;
		reset(): FaultOptions;
	};
	/** boundary knobs (redirects, links on other origins, bare 404s); unknown keys throw */
	knobs: {
		set(k: SandboxKnobs): SandboxKnobsState;
		get(): SandboxKnobsState;
		reset(): SandboxKnobsState;
	};
	rateLimit: {
		configure(o: boolean | RateLimitOptions): RateLimitOptions;
		reset(): void;
		readonly config: Required<RateLimitOptions>;
	};
	/** entries POSTed to /_sandbox/inbox/{name} */
	inbox(name: string): Array<{
		received_at: string;
		headers: Record<string, string>;
		body: unknown;
		raw_body: string;
		answered: number;
	}>;
	/** compliance snapshot as the API would answer it (null if unknown crew / vessel) */
	compliance(crewId: string, vesselId?: string): Record<string, unknown> | null;
	/** regenerate the data from the seed; clear deliveries, faults, buckets, inboxes */
	reset(): void;
	scopes: string[];
}
