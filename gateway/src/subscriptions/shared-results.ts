import type { FormattedExecutionResult } from 'graphql';

/**
 * The results of one subscription operation's events, shared by all its subscribers for an
 * event's short lifetime. When a room's event reaches a thousand subscribers with the same
 * viewer-independent selection, the entity fetches for it run once, not a thousand times.
 * Entries are keyed by what determines the result: the variables and the upstream event's data.
 */
export class SharedEventResults {
  private readonly entries = new Map<string, { result: Promise<FormattedExecutionResult>; expiresAt: number }>();
  private nextSweep = 0;

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
    this.sweep(now);
    const result = compute();
    this.entries.set(key, { result, expiresAt: now + this.ttlMs });
    // A failed execution is not remembered: the next subscriber tries again.
    result.catch(() => {
      if (this.entries.get(key)?.result === result) this.entries.delete(key);
    });
    return result;
  }

  private sweep(now: number): void {
    if (now < this.nextSweep && this.entries.size < this.maxEntries) return;
    this.nextSweep = now + this.ttlMs;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    // Insertion order is age order: past the cap, the oldest go first.
    for (const key of this.entries.keys()) {
      if (this.entries.size < this.maxEntries) break;
      this.entries.delete(key);
    }
  }
}
