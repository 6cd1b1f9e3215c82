/**
 * What one n8n process remembers about a polling trigger between polls, keyed by workflow id and
 * node name (never by the static-data object: n8n's durable scheduler hands every poll a new one).
 *
 * - A lease: one poll of a trigger at a time. n8n can start a poll while an earlier one still
 *   runs (a slow poll on the default scheduler; an abandoned one, which n8n cannot stop, on the
 *   durable scheduler); the later one skips. A lease expires, so a poll that never ends does not
 *   block the trigger for ever; a poll whose lease expired stores and reports nothing.
 * - Progress: the state the last poll reached, and the saved state it started from; the next poll
 *   that finds the same saved state continues from the progress instead. For a poll that
 *   reported nothing (returned null): n8n saves nothing for it on the durable scheduler without
 *   durable cursors, nor for an abandoned one, and moving on from it loses nothing, since it found
 *   no change to report. For a poll that reported, only when n8n takes its result (it returned
 *   within n8n's budget): n8n saves its state without waiting, and a poll that starts right after
 *   it (missed ticks caught up after a restart) may load the state before it. A reporting poll
 *   n8n drops (past its timeout) is not remembered: the next poll finds its changes again.
 */
import { randomUUID } from 'crypto';
import type { IPollFunctions } from 'n8n-workflow';

import type { SavedFleet } from './snapshot';

export interface Lease {
	id: string;
	expiresAt: number;
}

const leases = new Map<string, Lease>();

/** The trigger a poll belongs to: its workflow and its node name (n8n keeps static data by name). */
export function triggerKey(ctx: Pick<IPollFunctions, 'getWorkflow' | 'getNode'>): string {
	return `${String(ctx.getWorkflow().id ?? '')}\u0000${ctx.getNode().name}`;
}

/** The lease for a poll starting at `now`, or undefined when a live poll holds it. */
export function acquireLease(key: string, now: number, ttlMs: number): Lease | undefined {
	const held = leases.get(key);
	if (held && held.expiresAt > now) return undefined;
	const lease = { id: randomUUID(), expiresAt: now + ttlMs };
	leases.set(key, lease);
	return lease;
}

export function holdsLease(key: string, lease: Lease): boolean {
	return leases.get(key)?.id === lease.id;
}

export function releaseLease(key: string, lease: Lease): void {
	if (holdsLease(key, lease)) leases.delete(key);
}

/**
 * How long a lease lasts: the poll's budget and 15 minutes for the roster, which is read whole
 * whatever the budget (a very large fleet on a slow link). Only a poll that never ends needs the
 * expiry; a poll that loses its lease stores nothing, so the expiry must not cut real polls short.
 */
export function leaseTtlMs(budgetMs: number): number {
	return budgetMs + 15 * 60_000;
}

/** The name of a saved state ('' when there is none; older versions' state: its generation and read time). */
export function stateName(saved: SavedFleet | undefined): string {
	if (saved === undefined) return '';
	return typeof saved.id === 'string' && saved.id
		? saved.id
		: `g${String(saved.generation)}@${String(saved.readAt)}`;
}

interface Progress {
	/** The name of the saved state the polls that reached it started from. */
	from: string;
	state: SavedFleet;
}

/** Triggers remembered at most (the oldest is forgotten first): a bound on memory. */
export const MAX_REMEMBERED = 200;

const progress = new Map<string, Progress>();

/** The progress reached from saved state `from`, if this process has one. */
export function progressFrom(key: string, from: string): SavedFleet | undefined {
	const found = progress.get(key);
	return found && found.from === from ? found.state : undefined;
}

/** Remembers the state a poll that started from saved state `from` reached without reporting. */
export function rememberProgress(key: string, from: string, state: SavedFleet): void {
	progress.delete(key);
	progress.set(key, { from, state });
	while (progress.size > MAX_REMEMBERED) progress.delete(progress.keys().next().value as string);
}

/** Forgets everything (tests). */
export function forgetAll(): void {
	leases.clear();
	progress.clear();
}
