import { RateLimitedError, RedisWithMemoryFallback } from '@aether/common';
import type Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface ThrottleLimits {
  /** Failures against one account from addresses it has not signed in from, per window, before those addresses are refused. */
  loginPerAccount: number;
  /** Attempts of any kind from one address per window. */
  loginPerIp: number;
  loginWindowSeconds: number;
  /** Failures of one account from one address before each further attempt waits (1 s, then doubling). */
  loginFreeFailures: number;
  /** The longest wait between attempts of one account from one address. */
  loginMaxDelaySeconds: number;
  refreshPerIp: number;
  refreshWindowSeconds: number;
}

/** How long an address an account signed in from stays familiar. */
const FAMILIAR_MS = 30 * 24 * 3600 * 1000;
/** At most this many familiar addresses per account are remembered. */
const MAX_FAMILIAR = 20;

/** A login attempt that may go ahead: it already counts as a failure until `succeeded` says otherwise. */
export interface LoginReservation {
  account: string;
  ip: string;
}

/** What deciding an attempt came to: allowed (and counted), or refused for `retryAfterMs`. */
type Decision = { allowed: true } | { allowed: false; retryAfterMs: number };

interface AttemptStore {
  reserve(account: string, ip: string, now: number, limits: ThrottleLimits): Promise<Decision>;
  succeeded(account: string, ip: string, now: number, limits: ThrottleLimits): Promise<void>;
}

/** The wait before the next attempt after `failures` failures of one account from one address. */
function delayMs(failures: number, limits: ThrottleLimits): number {
  if (failures < limits.loginFreeFailures) return 0;
  return Math.min(limits.loginMaxDelaySeconds * 1000, 1000 * 2 ** (failures - limits.loginFreeFailures));
}

// Check and count in one step, so parallel guesses cannot all pass the check before any is
// counted: every attempt is reserved (counted as a failure) before the password is hashed.
// KEYS: pair (hash f=failures, t=last attempt), account failures, ip attempts, familiar addresses (zset by last success).
const RESERVE_SCRIPT = `
local ip = ARGV[1]
local now = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local free = tonumber(ARGV[4])
local maxDelay = tonumber(ARGV[5])
local accountLimit = tonumber(ARGV[6])
local ipLimit = tonumber(ARGV[7])
local familiarSince = tonumber(ARGV[8])
local function wait(key)
  local ttl = redis.call('PTTL', key)
  if ttl < 1 then ttl = 1000 end
  return ttl
end
if tonumber(redis.call('GET', KEYS[3]) or '0') >= ipLimit then return wait(KEYS[3]) end
local familiar = redis.call('ZSCORE', KEYS[4], ip)
familiar = familiar and tonumber(familiar) >= familiarSince
if not familiar and tonumber(redis.call('GET', KEYS[2]) or '0') >= accountLimit then return wait(KEYS[2]) end
local failures = tonumber(redis.call('HGET', KEYS[1], 'f') or '0')
if failures >= free then
  local delay = math.min(maxDelay, 1000 * 2 ^ (failures - free))
  local last = tonumber(redis.call('HGET', KEYS[1], 't') or '0')
  if now < last + delay then return last + delay - now end
end
if redis.call('INCR', KEYS[3]) == 1 then redis.call('PEXPIRE', KEYS[3], window) end
redis.call('HSET', KEYS[1], 'f', failures + 1, 't', now)
redis.call('PEXPIRE', KEYS[1], window)
if not familiar then
  if redis.call('INCR', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], window) end
end
return 0
`;

// A success forgets the account's failures and makes the address familiar (the newest few are kept).
const SUCCEEDED_SCRIPT = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('ZADD', KEYS[3], tonumber(ARGV[2]), ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -(tonumber(ARGV[4]) + 1))
redis.call('PEXPIRE', KEYS[3], tonumber(ARGV[3]))
return 0
`;

type ScriptedRedis = Redis & {
  reserveLogin(numKeys: number, ...args: (string | number)[]): Promise<number>;
  loginSucceeded(numKeys: number, ...args: (string | number)[]): Promise<number>;
};

class RedisAttemptStore implements AttemptStore {
  private readonly redis: ScriptedRedis;

  constructor(redis: Redis, private readonly prefix: string) {
    redis.defineCommand('reserveLogin', { lua: RESERVE_SCRIPT });
    redis.defineCommand('loginSucceeded', { lua: SUCCEEDED_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  private keys(account: string, ip: string): string[] {
    const p = `${this.prefix}rl:login-`;
    return [`${p}pair:${account}:${ip}`, `${p}account:${account}`, `${p}ip:${ip}`, `${p}familiar:${account}`];
  }

  async reserve(account: string, ip: string, now: number, l: ThrottleLimits): Promise<Decision> {
    const wait = await this.redis.reserveLogin(
      4,
      ...this.keys(account, ip),
      ip,
      now,
      l.loginWindowSeconds * 1000,
      l.loginFreeFailures,
      l.loginMaxDelaySeconds * 1000,
      l.loginPerAccount,
      l.loginPerIp,
      now - FAMILIAR_MS,
    );
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  async succeeded(account: string, ip: string, now: number): Promise<void> {
    const [pair, accountKey, , familiar] = this.keys(account, ip);
    await this.redis.loginSucceeded(3, pair, accountKey, familiar, ip, now, FAMILIAR_MS, MAX_FAMILIAR);
  }
}

/** The same decisions in this process's memory, for a single auth replica without Redis. */
class MemoryAttemptStore implements AttemptStore {
  private readonly counters = new Map<string, { n: number; t: number; until: number }>();
  private readonly familiar = new Map<string, Map<string, number>>();

  private get(key: string, now: number): { n: number; t: number; until: number } | undefined {
    const entry = this.counters.get(key);
    if (entry && entry.until <= now) this.counters.delete(key);
    return entry && entry.until > now ? entry : undefined;
  }

  private bump(key: string, now: number, windowMs: number, refresh: boolean): number {
    const entry = this.get(key, now) ?? { n: 0, t: 0, until: now + windowMs };
    entry.n += 1;
    entry.t = now;
    if (refresh) entry.until = now + windowMs;
    this.counters.set(key, entry);
    return entry.n;
  }

  async reserve(account: string, ip: string, now: number, l: ThrottleLimits): Promise<Decision> {
    if (this.counters.size > 100_000) for (const key of this.counters.keys()) this.get(key, now);
    const windowMs = l.loginWindowSeconds * 1000;
    const ipEntry = this.get(`ip:${ip}`, now);
    if (ipEntry && ipEntry.n >= l.loginPerIp) return { allowed: false, retryAfterMs: ipEntry.until - now };
    const familiarAt = this.familiar.get(account)?.get(ip);
    const familiar = familiarAt !== undefined && familiarAt >= now - FAMILIAR_MS;
    const accountEntry = this.get(`account:${account}`, now);
    if (!familiar && accountEntry && accountEntry.n >= l.loginPerAccount) return { allowed: false, retryAfterMs: accountEntry.until - now };
    const pair = this.get(`pair:${account}:${ip}`, now);
    if (pair) {
      const readyAt = pair.t + delayMs(pair.n, l);
      if (now < readyAt) return { allowed: false, retryAfterMs: readyAt - now };
    }
    this.bump(`ip:${ip}`, now, windowMs, false);
    this.bump(`pair:${account}:${ip}`, now, windowMs, true);
    if (!familiar) this.bump(`account:${account}`, now, windowMs, false);
    return { allowed: true };
  }

  async succeeded(account: string, ip: string, now: number): Promise<void> {
    this.counters.delete(`pair:${account}:${ip}`);
    this.counters.delete(`account:${account}`);
    const addresses = this.familiar.get(account) ?? new Map<string, number>();
    addresses.delete(ip);
    addresses.set(ip, now);
    while (addresses.size > MAX_FAMILIAR) addresses.delete(addresses.keys().next().value!);
    this.familiar.set(account, addresses);
  }
}

function limiter(redis: Redis | undefined, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  // While Redis is away each replica counts on its own: refreshes keep working and stay throttled.
  return redis
    ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory, rejectIfRedisNotReady: true })
    : memory;
}

/**
 * Brute-force protection for password checks (login and changePassword), counted in Redis so
 * every replica shares the counters:
 * - per account and address, failures are free up to a few, then each attempt waits twice as
 *   long as the one before: a guesser from one place slows to a crawl;
 * - per account, failures from addresses it has not signed in from lock those addresses out
 *   for the window, while the owner still signs in from where they usually do;
 * - per address, every attempt counts, whichever account it is against.
 * Every attempt is counted (reserved) before the password is hashed, in one atomic step, so
 * parallel guesses cannot all slip through; a success forgets the account's failures.
 */
export class AuthThrottle {
  // While Redis is unreachable this replica decides alone: sign-ins keep working and stay throttled.
  private readonly attempts: RedisWithMemoryFallback<AttemptStore>;
  private readonly refreshIp: RateLimiterAbstract;

  constructor(
    redis: Redis | undefined,
    prefix: string,
    private readonly limits: ThrottleLimits,
  ) {
    this.attempts = new RedisWithMemoryFallback<AttemptStore>(redis, redis && new RedisAttemptStore(redis, prefix), new MemoryAttemptStore());
    this.refreshIp = limiter(redis, `${prefix}rl:refresh-ip`, limits.refreshPerIp, limits.refreshWindowSeconds);
  }

  /** Before checking a password: counts the attempt, or refuses it with RATE_LIMITED and when to retry. */
  async reservePasswordAttempt(account: string, ip: string): Promise<LoginReservation> {
    const decision = await this.attempts.run((store) => store.reserve(account, ip, Date.now(), this.limits));
    if (!decision.allowed) throw new RateLimitedError(decision.retryAfterMs / 1000);
    return { account, ip };
  }

  /** The password was right: the account's failures are forgotten and the address becomes familiar. */
  async passwordAccepted({ account, ip }: LoginReservation): Promise<void> {
    await this.attempts.run((store) => store.succeeded(account, ip, Date.now(), this.limits));
  }

  async beforeRefresh(ip: string): Promise<void> {
    try {
      await this.refreshIp.consume(ip);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw new RateLimitedError(res.msBeforeNext / 1000);
      throw res;
    }
  }
}
