import { randomUUID } from 'crypto';

import { resetSetupCache } from './config';
import { PendingHandOffs } from './handOff';

/**
 * Remembers recent event ids so a redelivered event starts nothing.
 *
 * `checkAndRecord` is synchronous: inside one Node.js process no other request can run between
 * the check and the record, so concurrent copies of one event cannot both pass. The store is
 * bounded by count (least recently seen dropped first) and optionally by age (an id not seen for
 * `maxAgeMs` is forgotten). A Map finds an id; a linked list from least to most recently seen
 * makes refresh and eviction O(1). (Evicting from the head of a Map instead is O(n): V8 keeps
 * deleted slots at the front of the table until it rehashes, and every eviction walks them.)
 */
export interface DedupeLimits {
	/** How many ids to remember, at least 1. */
	maxEntries: number;
	/** Forget an id not seen for this long; 0 or undefined = no age limit. */
	maxAgeMs?: number;
}

/** [event id, last seen epoch ms], oldest first: the form kept in workflow static data. */
export type DedupeEntry = [string, number];

interface Entry {
	id: string;
	at: number;
	prev?: Entry;
	next?: Entry;
}

export class DedupeStore {
	/** id → entry; the entries also form a list from least (head) to most recently seen (tail). */
	private readonly seen = new Map<string, Entry>();

	private head?: Entry;

	private tail?: Entry;

	private limits: DedupeLimits;

	/** Bumped on every change, so a caller can tell whether a persisted copy is behind. */
	revision = 0;

	constructor(limits: DedupeLimits) {
		this.limits = DedupeStore.checkLimits(limits);
	}

	private static checkLimits(limits: DedupeLimits): DedupeLimits {
		const maxEntries = Math.max(1, Math.floor(Number(limits.maxEntries) || 0));
		const maxAgeMs = Math.max(0, Number(limits.maxAgeMs) || 0);
		return { maxEntries, maxAgeMs };
	}

	get size(): number {
		return this.seen.size;
	}

	/** Applies new limits (the node's options may change between requests) and trims. */
	configure(limits: DedupeLimits, nowMs: number): void {
		this.limits = DedupeStore.checkLimits(limits);
		this.trim(nowMs);
	}

	/**
	 * True when `id` is new (and now recorded); false when it was already remembered (its
	 * last-seen time is refreshed). Synchronous on purpose: this is the atomic step.
	 */
	checkAndRecord(id: string, nowMs: number): boolean {
		this.expire(nowMs);
		const known = this.seen.get(id);
		if (known) {
			this.unlink(known);
			known.at = nowMs;
			this.append(known);
		} else {
			const entry: Entry = { id, at: nowMs };
			this.seen.set(id, entry);
			this.append(entry);
			this.trim(nowMs);
		}
		this.revision++;
		return !known;
	}

	has(id: string, nowMs: number): boolean {
		this.expire(nowMs);
		return this.seen.has(id);
	}

	/** Forgets an id: used when an accepted delivery could not be handed to n8n after all. */
	forget(id: string): void {
		const entry = this.seen.get(id);
		if (!entry) return;
		this.remove(entry);
		this.revision++;
	}

	/**
	 * Adds remembered ids (from workflow static data after a restart) without disturbing newer
	 * ones: entries are merged by last-seen time, expired ones skipped, then the bound applied.
	 * Returns how many ids were added.
	 */
	seed(entries: unknown, nowMs: number): number {
		if (!Array.isArray(entries)) return 0;
		const merged = new Map<string, number>();
		for (const entry of entries) {
			if (!Array.isArray(entry) || typeof entry[0] !== 'string' || !Number.isFinite(entry[1])) {
				continue;
			}
			merged.set(entry[0], Math.max(Number(entry[1]), merged.get(entry[0]) ?? 0));
		}
		const before = this.seen.size;
		for (const entry of this.seen.values()) {
			merged.set(entry.id, Math.max(entry.at, merged.get(entry.id) ?? 0));
		}
		const ordered = [...merged].sort((a, b) => a[1] - b[1]);
		this.seen.clear();
		this.head = undefined;
		this.tail = undefined;
		for (const [id, at] of ordered) {
			const entry: Entry = { id, at };
			this.seen.set(id, entry);
			this.append(entry);
		}
		this.revision++;
		this.trim(nowMs);
		return Math.max(0, this.seen.size - before);
	}

	/**
	 * Adds the ids this store does not know yet (seen by another process, or before a restart)
	 * without reordering the ones it knows: cheap enough to run whenever the saved copy changed.
	 * Returns how many ids were added.
	 */
	mergeUnknown(entries: readonly DedupeEntry[], nowMs: number): number {
		let added = 0;
		const maxAgeMs = this.limits.maxAgeMs;
		for (const [id, at] of entries) {
			if (this.seen.has(id)) continue;
			if (maxAgeMs && nowMs - at > maxAgeMs) continue;
			const entry: Entry = { id, at };
			this.seen.set(id, entry);
			this.append(entry);
			added++;
		}
		if (added) {
			this.revision++;
			this.trim(nowMs);
		}
		return added;
	}

	/** The newest `limit` entries, oldest first. */
	snapshot(limit: number): DedupeEntry[] {
		const out: DedupeEntry[] = [];
		for (let entry = this.tail; entry && out.length < limit; entry = entry.prev) {
			out.push([entry.id, entry.at]);
		}
		return out.reverse();
	}

	private append(entry: Entry): void {
		entry.prev = this.tail;
		entry.next = undefined;
		if (this.tail) this.tail.next = entry;
		else this.head = entry;
		this.tail = entry;
	}

	private unlink(entry: Entry): void {
		if (entry.prev) entry.prev.next = entry.next;
		else this.head = entry.next;
		if (entry.next) entry.next.prev = entry.prev;
		else this.tail = entry.prev;
		entry.prev = undefined;
		entry.next = undefined;
	}

	private remove(entry: Entry): void {
		this.unlink(entry);
		this.seen.delete(entry.id);
	}

	private expire(nowMs: number): void {
		const maxAgeMs = this.limits.maxAgeMs;
		if (!maxAgeMs) return;
		while (this.head && nowMs - this.head.at > maxAgeMs) {
			this.remove(this.head);
			this.revision++;
		}
	}

	private trim(nowMs: number): void {
		this.expire(nowMs);
		while (this.seen.size > this.limits.maxEntries && this.head) {
			this.remove(this.head);
			this.revision++;
		}
	}
}

export interface RegisteredStore {
	store: DedupeStore;
	/** `savedAt` of the static-data copy last merged into the store (-1 = none yet). */
	mergedSavedAt: number;
	/** Accepted deliveries n8n has not answered yet, and executions still to come (handOff.ts). */
	handOffs: PendingHandOffs;
	/** When an execution in this process last saved this trigger's ids (ms; -1 = never). */
	savedHereAtMs: number;
}

/** One store per workflow + trigger node, for the life of the process. */
const stores = new Map<string, RegisteredStore>();

/**
 * The store for `key`, created (and seeded through `seed`) on first use in this process.
 * `seed` runs synchronously before the store is returned.
 */
export function dedupeStoreFor(
	key: string,
	limits: DedupeLimits,
	nowMs: number,
	seed: () => unknown,
): RegisteredStore {
	let registered = stores.get(key);
	if (!registered) {
		registered = {
			store: new DedupeStore(limits),
			mergedSavedAt: -1,
			handOffs: new PendingHandOffs(),
			savedHereAtMs: -1,
		};
		registered.store.seed(seed(), nowMs);
		stores.set(key, registered);
	} else {
		registered.store.configure(limits, nowMs);
	}
	return registered;
}

/** The store for `key` if this process has one (a queue-mode worker has none). */
export function existingDedupeStore(key: string): RegisteredStore | undefined {
	return stores.get(key);
}

/**
 * Names this process in what it saves: a saved copy this process wrote holds only ids its own
 * memory already has, so webhook() need not read it back.
 */
export const PROCESS_TOKEN = randomUUID();

/**
 * The key of one trigger's memory: workflow, node, and production vs test mode (a Test URL
 * delivery never touches the production memory, nor the other way round).
 */
export function dedupeKey(workflowId: string | undefined, nodeId: string, mode: string): string {
	return `${workflowId ?? ''}\u0000${nodeId}\u0000${mode === 'manual' ? 'test' : 'production'}`;
}

/** Drops every in-memory store and cached setup, as a process restart would. For tests. */
export function resetDedupeStores(): void {
	stores.clear();
	resetSetupCache();
}

/**
 * The remembered ids as kept in workflow static data: one plain string and the time it was
 * written. n8n reads a workflow's whole static data from its database row and parses it for every
 * webhook call, duplicates and refusals too, so its size is paid per delivery: 1,000 ids are about
 * 27 KB here (`<age> <id>` per entry, the age in ms before savedAt in base 36, entries joined by
 * ","), against 41 KB as a JSON-encoded array of pairs, which JSON escapes once more inside static
 * data and which takes three times as long to parse. One string, not an array: n8n wraps every
 * nested object of static data in a Proxy each time it loads the workflow.
 */
export interface SavedIds {
	version: 3;
	savedAt: number;
	/** PROCESS_TOKEN of the process that wrote it. */
	writer: string;
	entries: string;
}

/** An id as written: %XX for "%", the separators "," and " ", and what JSON would escape. */
function escapeId(id: string): string {
	if (/^[\w.:-]*$/.test(id)) return id;
	let out = '';
	for (const c of id) {
		const code = c.charCodeAt(0);
		out +=
			code < 0x20 || c === '%' || c === ',' || c === ' ' || c === '"' || c === '\\'
				? `%${code.toString(16).padStart(2, '0').toUpperCase()}`
				: c;
	}
	return out;
}

function unescapeId(text: string): string | undefined {
	if (!text.includes('%')) return text;
	try {
		return decodeURIComponent(text);
	} catch {
		return undefined;
	}
}

/** Reads this form's entries; a malformed entry is skipped. */
function decodeEntries(text: string, savedAt: number): DedupeEntry[] {
	const entries: DedupeEntry[] = [];
	if (!text) return entries;
	for (const part of text.split(',')) {
		const space = part.indexOf(' ');
		if (space <= 0) continue;
		const age = parseInt(part.slice(0, space), 36);
		const id = unescapeId(part.slice(space + 1));
		if (Number.isFinite(age) && id) entries.push([id, savedAt - age]);
	}
	return entries;
}

/**
 * Reads the saved ids, in this form or the older ones: `{ version: 2, entries: <JSON of [[id, at]]> }`
 * and `{ version: 1, entries: [[id, at]] }`.
 */
export function decodeSavedIds(saved: unknown): { savedAt: number; entries: DedupeEntry[] } {
	if (typeof saved !== 'object' || saved === null) return { savedAt: -1, entries: [] };
	const { savedAt } = savedIdsStamp(saved);
	const record = saved as { version?: unknown; entries?: unknown };
	let raw: unknown = record.entries;
	if (record.version === 3) {
		return { savedAt, entries: typeof raw === 'string' ? decodeEntries(raw, savedAt) : [] };
	}
	if (typeof raw === 'string') {
		try {
			raw = JSON.parse(raw) as unknown;
		} catch {
			raw = [];
		}
	}
	const entries: DedupeEntry[] = [];
	if (Array.isArray(raw)) {
		for (const entry of raw as unknown[]) {
			if (Array.isArray(entry) && typeof entry[0] === 'string' && Number.isFinite(entry[1])) {
				entries.push([entry[0], Number(entry[1])]);
			}
		}
	}
	return { savedAt, entries };
}

/**
 * The newest `limit` ids of all the given lists (an id's latest time wins), oldest first, as
 * static data keeps them. Pure.
 */
export function mergeSavedIds(
	lists: ReadonlyArray<readonly DedupeEntry[]>,
	limit: number,
	nowMs: number,
	maxAgeMs = 0,
): DedupeEntry[] {
	const latest = new Map<string, number>();
	for (const list of lists) {
		for (const [id, at] of list) {
			if (maxAgeMs && nowMs - at > maxAgeMs) continue;
			const known = latest.get(id);
			if (known === undefined || at > known) latest.set(id, at);
		}
	}
	const ordered = [...latest].sort((a, b) => a[1] - b[1]);
	return ordered.slice(Math.max(0, ordered.length - limit));
}

export function encodeSavedIds(
	entries: readonly DedupeEntry[],
	savedAt: number,
	writer = '',
): SavedIds {
	const parts: string[] = [];
	for (const [id, at] of entries) {
		if (id) parts.push(`${Math.round(savedAt - at).toString(36)} ${escapeId(id)}`);
	}
	return { version: 3, savedAt, writer, entries: parts.join(',') };
}

/** `savedAt` and `writer` of a saved copy, without parsing its entries. */
export function savedIdsStamp(saved: unknown): { savedAt: number; writer: string } {
	if (typeof saved !== 'object' || saved === null) return { savedAt: -1, writer: '' };
	const record = saved as { savedAt?: unknown; writer?: unknown };
	return {
		savedAt: Number.isFinite(record.savedAt) ? Number(record.savedAt) : 0,
		writer: typeof record.writer === 'string' ? record.writer : '',
	};
}
