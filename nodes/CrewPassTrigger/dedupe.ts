/**
 * Remembers recent event ids so a redelivered event starts nothing.
 *
 * `checkAndRecord` is synchronous: inside one Node.js process no other request can run between
 * the check and the record, so concurrent copies of one event cannot both pass. The store is
 * bounded by count (least recently seen dropped first) and optionally by age (an id not seen for
 * `maxAgeMs` is forgotten). A JS Map keeps insertion order, so the least recently seen id is
 * always the first key: eviction is O(1).
 */
export interface DedupeLimits {
	/** How many ids to remember, at least 1. */
	maxEntries: number;
	/** Forget an id not seen for this long; 0 or undefined = no age limit. */
	maxAgeMs?: number;
}

/** [event id, last seen epoch ms], oldest first: the form kept in workflow static data. */
export type DedupeEntry = [string, number];

export class DedupeStore {
	private readonly seen = new Map<string, number>();

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
		const known = this.seen.has(id);
		if (known) this.seen.delete(id);
		this.seen.set(id, nowMs);
		this.revision++;
		if (!known) this.trim(nowMs);
		return !known;
	}

	has(id: string, nowMs: number): boolean {
		this.expire(nowMs);
		return this.seen.has(id);
	}

	/** Forgets an id: used when an accepted delivery could not be handed to n8n after all. */
	forget(id: string): void {
		if (this.seen.delete(id)) this.revision++;
	}

	/**
	 * Adds remembered ids (from workflow static data after a restart) without disturbing newer
	 * ones: entries are merged by last-seen time, expired ones skipped, then the bound applied.
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
		let added = 0;
		for (const [id, at] of this.seen) merged.set(id, Math.max(at, merged.get(id) ?? 0));
		const ordered = [...merged].sort((a, b) => a[1] - b[1]);
		added = ordered.length - this.seen.size;
		this.seen.clear();
		for (const [id, at] of ordered) this.seen.set(id, at);
		this.revision++;
		this.trim(nowMs);
		return Math.max(0, added);
	}

	/** The newest `limit` entries, oldest first. */
	snapshot(limit: number): DedupeEntry[] {
		const skip = Math.max(0, this.seen.size - Math.max(0, limit));
		const out: DedupeEntry[] = [];
		let index = 0;
		for (const entry of this.seen) {
			if (index++ >= skip) out.push(entry);
		}
		return out;
	}

	private expire(nowMs: number): void {
		const maxAgeMs = this.limits.maxAgeMs;
		if (!maxAgeMs) return;
		for (const [id, at] of this.seen) {
			if (nowMs - at <= maxAgeMs) break;
			this.seen.delete(id);
			this.revision++;
		}
	}

	private trim(nowMs: number): void {
		this.expire(nowMs);
		while (this.seen.size > this.limits.maxEntries) {
			const oldest = this.seen.keys().next().value as string;
			this.seen.delete(oldest);
			this.revision++;
		}
	}
}

interface RegisteredStore {
	store: DedupeStore;
	/** The revision last written to workflow static data. */
	persistedRevision: number;
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
		registered = { store: new DedupeStore(limits), persistedRevision: -1 };
		registered.store.seed(seed(), nowMs);
		registered.persistedRevision = registered.store.revision;
		stores.set(key, registered);
	} else {
		registered.store.configure(limits, nowMs);
	}
	return registered;
}

/** Drops every in-memory store, as a process restart would. For tests. */
export function resetDedupeStores(): void {
	stores.clear();
}
