/**
 * A CrewPass fleet the tests can change between polls, served by nock on the harness base URL:
 * the roster (cursor pages, limit 1..200), vessels, compliance snapshots and documents, shaped
 * like the contract's examples. Failures can be scheduled for page k of the next roster read, and
 * any read (one crew member's, for compliance and documents) can be given a bad answer instead.
 */
import nock from 'nock';
import { sleep } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { TEST_API_KEY, TEST_BASE_URL } from '../../harness';

const API = '/api/v2/employers/me';

export interface Failure {
	/** 1-based page of a roster read; every request to that page fails while `times` lasts. */
	page: number;
	/** An answer, or 'hang': the answer comes after `hangMs` (longer than the client waits). */
	reply: [number, unknown] | 'hang';
	times?: number;
}

/** The reads a poll makes: the roster pages, the vessels, and per crew member compliance, documents. */
export type Read = 'roster' | 'vessels' | 'compliance' | 'documents';

/** An answer CrewPass (or something in its place) sends: status, body (raw text or JSON), headers. */
export type Answer = [number, string | IDataObject, Record<string, string>?];

/** A bad answer for the next `times` requests of one read (of one crew member's, with `crew`). */
export interface BadAnswer {
	read: Read;
	crew?: string;
	answer: Answer;
	times?: number;
}

export function crewRow(i: number, vessel = 'ves_abc'): IDataObject {
	return {
		crew_unique_id: `crew_${String(i).padStart(5, '0')}`,
		name: `Crew ${i}`,
		vessel_id: vessel,
		vessel_name: `M/Y ${vessel}`,
		role: i % 2 ? 'Deckhand' : 'Chief Engineer',
		verification_status: 'verified',
		background_check_status: 'completed',
		documents_expiring: 0,
		as_of: '2026-06-08T10:00:00Z',
	};
}

export function complianceOf(crew: string, vessel: string, overall = 'compliant'): IDataObject {
	return {
		crew_unique_id: crew,
		vessel_id: vessel,
		overall_status: overall,
		requirements_total: 8,
		requirements_met: overall === 'non_compliant' ? 7 : 8,
		requirements_expiring: overall === 'at_risk' ? 1 : 0,
		requirements_expired: 0,
		requirements_missing: overall === 'non_compliant' ? 1 : 0,
		next_expiry_date: '2027-08-01',
		requirements: [],
	};
}

export function documentOf(
	crew: string,
	id: string,
	status = 'verified',
	expiry = '2028-06-01',
): IDataObject {
	return {
		document_id: id,
		type: 'ENG1',
		category: 'Medical Certificate',
		title: 'ENG1 Medical',
		issuer: 'Approved Authority',
		verification_status: status,
		issue_date: '2026-06-01',
		expiry_date: expiry,
		document_number: `E1-${crew}`,
	};
}

export class Fleet {
	roster: IDataObject[];
	vessels: IDataObject[] = [
		{
			vessel_id: 'ves_abc',
			vessel_name: 'M/Y ves_abc',
			imo: '9780987',
			flag_state: 'Cayman Islands',
			vessel_type: 'M/Y',
		},
		{
			vessel_id: 'ves_def',
			vessel_name: 'M/Y ves_def',
			imo: '9780988',
			flag_state: 'Malta',
			vessel_type: 'M/Y',
		},
	];
	/** By `crew/vessel`; absent: a compliant snapshot. `403`: scope_not_consented. */
	compliance = new Map<string, IDataObject | 403>();
	/** By crew; absent: one verified ENG1. */
	documents = new Map<string, IDataObject[]>();
	failures: Failure[] = [];
	/** Answers given instead of the fleet's own (any page of a roster read). */
	badAnswers: BadAnswer[] = [];
	/** Every request, as `METHOD path?query`. */
	requests: string[] = [];
	/** Every roster page is answered this much later (a slow CrewPass). */
	pageDelayMs = 0;
	hangMs = 2_000;
	/** The contract's read buckets (60/s, 1,000/min), enforced with 429s when set. */
	rateLimited = false;
	/** Requests answered 429 by the buckets. */
	refused = 0;
	/**
	 * Called as each roster page arrives and as each per-crew answer is sent (a test's injected
	 * clock moves on here: one step per request is the key's rate).
	 */
	onRequest?: (kind: 'roster' | 'vessels' | 'compliance' | 'documents', crew?: string) => void;
	/** The API key the fleet answers (a key of its own gives a test its own pacer). */
	apiKey = TEST_API_KEY;
	/** A per-crew answer comes this much later (real time), by crew. */
	perCrewDelayMs = new Map<string, number>();
	private buckets = [
		{ capacity: 60, perMs: 60 / 1_000, tokens: 60, at: Date.now() },
		{ capacity: 1_000, perMs: 1_000 / 60_000, tokens: 1_000, at: Date.now() },
	];

	constructor(size: number, vessels = ['ves_abc']) {
		this.roster = Array.from({ length: size }, (_, i) =>
			crewRow(i + 1, vessels[i % vessels.length]),
		);
	}

	row(crew: string, vessel?: string): IDataObject {
		const row = this.roster.find(
			(r) => r.crew_unique_id === crew && (!vessel || r.vessel_id === vessel),
		);
		if (!row) throw new Error(`no row ${crew}/${vessel}`);
		return row;
	}

	remove(crew: string, vessel?: string): void {
		this.roster = this.roster.filter(
			(r) => !(r.crew_unique_id === crew && (!vessel || r.vessel_id === vessel)),
		);
	}

	count(prefix: string): number {
		return this.requests.filter((r) => r.startsWith(prefix)).length;
	}

	/** The bad answer due for this request, if any (used up by it). */
	private badAnswer(read: Read, crew?: string): Answer | undefined {
		const bad = this.badAnswers.find(
			(b) => b.read === read && (b.crew === undefined || b.crew === crew) && (b.times ?? 1) > 0,
		);
		if (!bad) return undefined;
		bad.times = (bad.times ?? 1) - 1;
		return bad.answer;
	}

	/** A 429 answer when the contract's buckets are empty (and enforced), else undefined. */
	private limit(): [number, unknown] | undefined {
		if (!this.rateLimited) return undefined;
		const now = Date.now();
		for (const b of this.buckets) {
			b.tokens = Math.min(b.capacity, b.tokens + (now - b.at) * b.perMs);
			b.at = now;
		}
		if (this.buckets.every((b) => b.tokens >= 1)) {
			for (const b of this.buckets) b.tokens -= 1;
			return undefined;
		}
		this.refused++;
		return [
			429,
			{
				error: {
					code: 'partner_rate_limited',
					message: 'rate limit exceeded',
					retry_after_seconds: 0.5,
				},
			},
		];
	}

	private rosterAnswer(uri: string): [number, unknown, number] {
		this.requests.push(`GET ${uri}`);
		this.onRequest?.('roster');
		const limited = this.limit();
		if (limited) return [...limited, 0];
		const query = new URL(uri, TEST_BASE_URL).searchParams;
		const limit = Number(query.get('limit') ?? 50);
		const offset = Number(query.get('cursor')?.replace('cur_', '') ?? 0);
		const page = Math.floor(offset / limit) + 1;
		const failure = this.failures.find((f) => f.page === page && (f.times ?? 1) > 0);
		if (failure) {
			failure.times = (failure.times ?? 1) - 1;
			if (failure.reply === 'hang') return [200, { items: [], next_cursor: null }, this.hangMs];
			return [...failure.reply, this.pageDelayMs];
		}
		if (!Number.isInteger(limit) || limit < 1 || limit > 200) return [422, { detail: 'limit' }, 0];
		const items = this.roster.slice(offset, offset + limit);
		const end = offset + items.length;
		return [
			200,
			{
				items,
				next_cursor: end < this.roster.length ? `cur_${end}` : null,
				expiring_within_days: Number(query.get('include_documents_expiring_within_days') ?? 30),
			},
			this.pageDelayMs,
		];
	}

	/** Starts serving (persistently) until nock.cleanAll(). */
	serve(): this {
		const scope = nock(TEST_BASE_URL, {
			reqheaders: { authorization: `Bearer ${this.apiKey}` },
		}).persist();
		scope
			.get(`${API}/fleet`)
			.query(true)
			.reply((uri, _body, callback) => {
				const bad = this.badAnswer('roster');
				if (bad) {
					this.requests.push(`GET ${uri}`);
					callback(null, bad as [number, nock.Body, Record<string, string>]);
					return;
				}
				const [status, answer, delayMs] = this.rosterAnswer(uri);
				void sleep(delayMs).then(() => callback(null, [status, answer as nock.Body]));
			});
		scope.get(`${API}/vessels`).reply((uri) => {
			this.requests.push(`GET ${uri}`);
			this.onRequest?.('vessels');
			return this.badAnswer('vessels') ?? [200, { items: this.vessels }];
		});
		scope
			.post(/\/api\/v2\/employers\/me\/crew\/[^/]+\/compliance-checks/)
			.query(true)
			.reply((uri, _body, callback) => {
				this.requests.push(`POST ${uri}`);
				const crew = new URL(uri, TEST_BASE_URL).pathname.split('/')[6];
				const answer = this.complianceAnswer(uri);
				void sleep(this.perCrewDelayMs.get(crew) ?? 0).then(() => {
					this.onRequest?.('compliance', crew);
					callback(null, answer as [number, nock.Body]);
				});
			});
		scope.get(/\/api\/v2\/employers\/me\/crew\/[^/]+\/documents$/).reply((uri, _body, callback) => {
			this.requests.push(`GET ${uri}`);
			const crew = uri.split('/')[6];
			const answer = this.badAnswer('documents', crew) ?? [
				200,
				{
					crew_unique_id: crew,
					items: this.documents.get(crew) ?? [documentOf(crew, `doc_${crew}`)],
				},
			];
			void sleep(this.perCrewDelayMs.get(crew) ?? 0).then(() => {
				this.onRequest?.('documents', crew);
				callback(null, answer as [number, nock.Body]);
			});
		});
		return this;
	}

	private complianceAnswer(uri: string): [number, unknown, Record<string, string>?] {
		const limited = this.limit();
		if (limited) return limited;
		const url = new URL(uri, TEST_BASE_URL);
		const crew = url.pathname.split('/')[6];
		const vessel = url.searchParams.get('vessel_id') ?? '';
		const bad = this.badAnswer('compliance', crew);
		if (bad) return bad;
		const answer = this.compliance.get(`${crew}/${vessel}`) ?? complianceOf(crew, vessel);
		if (answer === 403) {
			return [
				403,
				{
					error: {
						code: 'scope_not_consented',
						message: 'not consented',
						scope: 'crew:compliance:read',
					},
				},
			];
		}
		return [200, answer];
	}
}
