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

// One round trip for every counter of a request, and atomic: two replicas charging one key at
// the same moment both see the sum. Keys past their limit still count (a refused caller keeps
// paying), which is what fixed-window limiters such as rate-limiter-flexible do too.
const CHARGE_SCRIPT = `
local window = tonumber(ARGV[1])
local retry = 0
local result = {0}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCRBY', key, tonumber(ARGV[2 * i]))
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('PEXPIRE', key, window)
    ttl = window
  end
  if n > tonumber(ARGV[2 * i + 1]) then
    result[#result + 1] = i - 1
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
    // defineCommand sends EVALSHA and falls back to EVAL once per connection.
    redis.defineCommand('chargeWindows', { lua: CHARGE_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  /** Whether the connection is up: while it is not, callers count elsewhere instead of waiting. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async charge(charges: readonly Charge[], windowMs: number): Promise<ChargeOutcome> {
    const args: (string | number)[] = [...charges.map((c) => c.key), windowMs];
    for (const c of charges) args.push(c.points, c.limit);
    const [retryAfterMs, ...over] = await this.redis.chargeWindows(charges.length, ...args);
    return { over, retryAfterMs };
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
