import { RateLimitedError } from '@aether/common';
import type Redis from 'ioredis';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';

export interface ThrottleLimits {
  loginPerAccount: number;
  loginPerIp: number;
  loginWindowSeconds: number;
  refreshPerIp: number;
  refreshWindowSeconds: number;
}

function limiter(redis: Redis | undefined, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  // While Redis is away each replica counts on its own: logins keep working and stay throttled.
  return redis
    ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory, rejectIfRedisNotReady: true })
    : memory;
}

function retryAfter(res: RateLimiterRes): RateLimitedError {
  return new RateLimitedError(res.msBeforeNext / 1000);
}

/**
 * Brute-force protection for login and refresh, counted in Redis so every replica shares the
 * counters. Per account only failures count (a user who types their password right is not
 * slowed down); per IP every attempt counts.
 */
export class AuthThrottle {
  private readonly loginAccount: RateLimiterAbstract;
  private readonly loginIp: RateLimiterAbstract;
  private readonly refreshIp: RateLimiterAbstract;

  constructor(redis: Redis | undefined, prefix: string, limits: ThrottleLimits) {
    this.loginAccount = limiter(redis, `${prefix}rl:login-account`, limits.loginPerAccount, limits.loginWindowSeconds);
    this.loginIp = limiter(redis, `${prefix}rl:login-ip`, limits.loginPerIp, limits.loginWindowSeconds);
    this.refreshIp = limiter(redis, `${prefix}rl:refresh-ip`, limits.refreshPerIp, limits.refreshWindowSeconds);
  }

  /** Before checking a password: refuses when the account or the IP is over its limit. */
  async beforeLogin(account: string, ip: string): Promise<void> {
    const failures = await this.loginAccount.get(account);
    if (failures && failures.remainingPoints <= 0) throw retryAfter(failures);
    try {
      await this.loginIp.consume(ip);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw retryAfter(res);
      throw res;
    }
  }

  async loginFailed(account: string): Promise<void> {
    await this.loginAccount.penalty(account, 1);
  }

  async loginSucceeded(account: string): Promise<void> {
    await this.loginAccount.delete(account);
  }

  async beforeRefresh(ip: string): Promise<void> {
    try {
      await this.refreshIp.consume(ip);
    } catch (res) {
      if (res instanceof RateLimiterRes) throw retryAfter(res);
      throw res;
    }
  }
}
