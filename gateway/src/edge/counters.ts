import type Redis from 'ioredis';

/** Points taken from one budget: whose counter, how many, and how many the window allows. */
export interface Charge {
  key: string;
  points: number;
  limit: number;
}

/** What a charge came to: which charges went over their limit, and when the latest of those windows ends. */
export interface ChargeOutcome {
  over: number[];
  retryAfterMs: number;
}

/** Fixed-window counters, every charge of one request taken at once. */
export interface WindowCounters {
  charge(charges: readonly Charge[], windowMs: number): Promise<ChargeOutcome>;
}

/** A charge that is refused outright while `refuseIfExists` is set (an ended session's mark), nothing charged. */
export interface GuardedOutcome extends ChargeOutcome {
  refused: boolean;
}

// One round trip for everything the edge asks Redis about a request, and atomic: first the
// key that refuses it (an ended session's mark, when the caller is signed in), then every
// counter; two replicas charging one key at the same moment both see the sum. A refused
// request charges nothing (as when the session was checked first on its own). Keys past their
// limit still count (a refused caller keeps paying), which is what fixed-window limiters such
// as rate-limiter-flexible do too. KEYS: [guard,] counters; ARGV: window, guards (0 or 1),
// then points and limit per counter.
const CHARGE_SCRIPT = `
local window = tonumber(ARGV[1])
local guards = tonumber(ARGV[2])
if guards == 1 and redis.call('EXISTS', KEYS[1]) == 1 then return {-1} end
local retry = 0
local result = {0}
for i = guards + 1, #KEYS do
  local c = i - guards
  local n = redis.call('INCRBY', KEYS[i], tonumber(ARGV[1 + 2 * c]))
  local ttl = redis.call('PTTL', KEYS[i])
  if ttl < 0 then
    redis.call('PEXPIRE', KEYS[i], window)
    ttl = window
  end
  if n > tonumber(ARGV[2 + 2 * c]) then
    result[#result + 1] = c - 1
    if ttl > retry then retry = ttl end
  end
end
result[1] = retry
return result
`;

type ScriptedRedis = Redis & { chargeWindows(numKeys: number, ...args: (string | number)[]): Promise<number[]> };

/** Counters in Redis, shared by every gateway replica. */
export class RedisWindowCounters implements WindowCounters {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis) {
    // defineCommand sends EVALSHA (the script is sent once, not per request) and, on NOSCRIPT
    // (a restarted or flushed Redis), EVAL once, which loads the script again.
    redis.defineCommand('chargeWindows', { lua: CHARGE_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  /** Whether the connection is up: while it is not, callers count elsewhere instead of waiting. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async charge(charges: readonly Charge[], windowMs: number): Promise<ChargeOutcome> {
    return this.chargeUnless(undefined, charges, windowMs);
  }

  /** Charges every counter in one round trip, unless `refuseIfExists` names a key that exists. */
  async chargeUnless(refuseIfExists: string | undefined, charges: readonly Charge[], windowMs: number): Promise<GuardedOutcome> {
    const guards = refuseIfExists === undefined ? 0 : 1;
    const args: (string | number)[] = guards ? [refuseIfExists!] : [];
    for (const c of charges) args.push(c.key);
    args.push(windowMs, guards);
    for (const c of charges) args.push(c.points, c.limit);
    const [retryAfterMs, ...over] = await this.redis.chargeWindows(guards + charges.length, ...args);
    if (retryAfterMs === -1) return { refused: true, over: [], retryAfterMs: 0 };
    return { refused: false, over, retryAfterMs };
  }
}

/** Counters of this process only: without Redis, and while Redis is unreachable. */
export class MemoryWindowCounters implements WindowCounters {
  private readonly windows = new Map<string, { count: number; endsAt: number }>();
  private sweptAt = 0;

  async charge(charges: readonly Charge[], windowMs: number, now = Date.now()): Promise<ChargeOutcome> {
    this.sweep(now, windowMs);
    const outcome: ChargeOutcome = { over: [], retryAfterMs: 0 };
    charges.forEach((c, i) => {
      let window = this.windows.get(c.key);
      if (!window || window.endsAt <= now) this.windows.set(c.key, (window = { count: 0, endsAt: now + windowMs }));
      window.count += c.points;
      if (window.count > c.limit) {
        outcome.over.push(i);
        outcome.retryAfterMs = Math.max(outcome.retryAfterMs, window.endsAt - now);
      }
    });
    return outcome;
  }

  private sweep(now: number, windowMs: number): void {
    if (now - this.sweptAt < windowMs) return;
    this.sweptAt = now;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}
