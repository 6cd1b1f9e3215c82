/* eslint-disable @n8n/community-nodes/no-restricted-globals */
// A small HTTP client for the sandbox contract tests (fetch over loopback).
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Parsed JSON of unknown shape: the tests assert on it field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Reply<T = Json> {
	status: number;
	headers: Headers;
	body: T;
	text: string;
	bytes: Buffer;
}

export interface CallOptions {
	key?: string | null;
	/** present the key in X-Partner-API-Key instead of Authorization: Bearer */
	keyHeader?: boolean;
	method?: string;
	json?: unknown;
	rawBody?: string;
	headers?: Record<string, string>;
}

export async function call<T = Json>(
	base: string,
	path: string,
	opts: CallOptions = {},
): Promise<Reply<T>> {
	const headers: Record<string, string> = { ...(opts.headers ?? {}) };
	if (opts.key) {
		if (opts.keyHeader) headers['X-Partner-API-Key'] = opts.key;
		else headers.Authorization = `Bearer ${opts.key}`;
	}
	let body: string | undefined;
	if (opts.json !== undefined) {
		body = JSON.stringify(opts.json);
		headers['Content-Type'] = 'application/json';
	} else if (opts.rawBody !== undefined) {
		body = opts.rawBody;
		headers['Content-Type'] = headers['Content-Type'] ?? 'application/json';
	}
	const res = await fetch(base + path, {
		method: opts.method ?? (body !== undefined ? 'POST' : 'GET'),
		headers,
		body,
	});
	const bytes = Buffer.from(await res.arrayBuffer());
	const text = bytes.toString('utf8');
	let parsed: unknown = undefined;
	if ((res.headers.get('content-type') ?? '').includes('application/json'))
		parsed = JSON.parse(text);
	return { status: res.status, headers: res.headers, body: parsed as T, text, bytes };
}

/** The contract's verification recipe, re-implemented: "v1=" + hex HMAC-SHA256(secret, "{timestamp}." + raw body). */
export function verifyCrewPassSignature(
	secret: string,
	timestamp: string,
	signature: string,
	rawBody: string,
): boolean {
	const expected =
		'v1=' +
		createHmac('sha256', secret)
			.update(`${timestamp}.` + rawBody)
			.digest('hex');
	const a = Buffer.from(expected);
	const b = Buffer.from(signature);
	return a.length === b.length && timingSafeEqual(a, b);
}

export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
export const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function expectErrorEnvelope(reply: Reply, status: number, code: string): void {
	expect(reply.status).toBe(status);
	expect(reply.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{16}$/);
	expect(reply.body).toEqual({
		error: expect.objectContaining({ code, message: expect.any(String) }),
	});
}

export function wait(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A /_sandbox/ control call (no key): GET without `json`, POST with it unless `method` says otherwise. */
export function control<T = Json>(
	base: string,
	path: string,
	opts: { method?: string; json?: unknown } = {},
): Promise<Reply<T>> {
	return call<T>(base, `/_sandbox${path}`, opts);
}

export interface FleetWalk {
	rows: Json[];
	pages: number;
	statuses: number[];
}

/**
 * Walk GET /fleet by cursor to the end (or the first non-200 page), as a polling trigger does.
 * `query` is added to every page (e.g. `include_documents_expiring_within_days=60`).
 */
export async function walkFleet(
	base: string,
	key: string,
	{ limit = 200, query = '' }: { limit?: number; query?: string } = {},
): Promise<FleetWalk> {
	const rows: Json[] = [];
	const statuses: number[] = [];
	let cursor: string | null = null;
	do {
		const q: string =
			`limit=${limit}` +
			(cursor ? `&cursor=${encodeURIComponent(cursor)}` : '') +
			(query ? `&${query}` : '');
		const r = await call(base, `/api/v2/employers/me/fleet?${q}`, { key });
		statuses.push(r.status);
		if (r.status !== 200) break;
		rows.push(...r.body.items);
		cursor = r.body.next_cursor;
	} while (cursor && statuses.length < 10_000);
	return { rows, pages: statuses.length, statuses };
}

/** Fleet rows by `crew_unique_id@vessel_id` (a crew member on two vessels has two rows). */
export function byRowKey(rows: Json[]): Map<string, Json> {
	return new Map(rows.map((r) => [`${r.crew_unique_id}@${r.vessel_id}`, r]));
}
