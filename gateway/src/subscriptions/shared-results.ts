import type { FormattedExecutionResult } from 'graphql';

/**
 * The results of one subscription operation's events, shared by all its subscribers for an
 * event's short lifetime. When a room's event reaches a thousand subscribers with the same
 * viewer-independent selection, the entity fetches for it run once, not a thousand times.
 * Entries are keyed by what determines the result: the variables and the upstream event's data.
 */
export class SharedEventResults {
  private readonly entries = new Map<string, { result: Promise<FormattedExecutionResult>; expiresAt: number }>();

  constructor(
    /** How long a result is reused: long enough for every subscriber's copy of the event to arrive. */
    private readonly ttlMs = 10_000,
    /** A hard cap, whatever the traffic. */
    private readonly maxEntries = 5_000,
  ) {}

  get(key: string, compute: () => Promise<FormattedExecutionResult>): Promise<FormattedExecutionResult> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.result;
    // Re-added at the end, so that insertion order stays age order (see sweep).
    if (hit) this.entries.delete(key);
    this.sweep(now);
    const result = compute();
    this.entries.set(key, { result, expiresAt: now + this.ttlMs });
    // A failed execution is not remembered: the next subscriber tries again.
    result.catch(() => {
      if (this.entries.get(key)?.result === result) this.entries.delete(key);
    });
    return result;
  }

  /**
   * Drops the expired entries and, past the cap, the oldest. Every entry lives as long, so the
   * Map's insertion order is expiry order: the walk stops at the first entry it keeps, and an
   * insert costs O(1) amortized however many entries are held.
   */
  private sweep(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < this.maxEntries) return;
      this.entries.delete(key);
    }
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.entries.size;
  }
}
