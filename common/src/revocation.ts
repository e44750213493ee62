import type Redis from 'ioredis';

/**
 * The set of ended sessions whose access tokens may still be unexpired. Whoever verifies an
 * access token asks it, so logout, logoutAll and bans take effect within seconds instead of
 * waiting up to the access token's lifetime.
 */
export interface SessionRevocations {
  /** Marks sessions as ended for `ttlSeconds` (the access token lifetime is enough). */
  revoke(sessionIds: string[], ttlSeconds: number): Promise<void>;
  isRevoked(sessionId: string): Promise<boolean>;
}

/** The channel on which ended sessions are announced (a JSON array of session ids), so open sockets close at once. */
export function sessionRevokedChannel(prefix: string): string {
  return `${prefix}session-revoked`;
}

export class RedisSessionRevocations implements SessionRevocations {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** The key that marks a session as ended (whoever checks several things in one round trip reads it). */
  key(sessionId: string): string {
    return `${this.prefix}revoked-session:${sessionId}`;
  }

  async revoke(sessionIds: string[], ttlSeconds: number): Promise<void> {
    if (!sessionIds.length) return;
    const pipeline = this.redis.pipeline();
    for (const id of sessionIds) pipeline.set(this.key(id), '1', 'EX', ttlSeconds);
    // After the set: whoever hears the announcement and checks finds the session ended.
    pipeline.publish(sessionRevokedChannel(this.prefix), JSON.stringify(sessionIds));
    await pipeline.exec();
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    return (await this.redis.exists(this.key(sessionId))) === 1;
  }
}

/** One process only: for a single auth replica without Redis. */
export class MemorySessionRevocations implements SessionRevocations {
  private readonly until = new Map<string, number>();

  async revoke(sessionIds: string[], ttlSeconds: number): Promise<void> {
    const expiry = Date.now() + ttlSeconds * 1000;
    for (const id of sessionIds) this.until.set(id, expiry);
  }

  async isRevoked(sessionId: string): Promise<boolean> {
    const expiry = this.until.get(sessionId);
    if (expiry === undefined) return false;
    if (expiry < Date.now()) {
      this.until.delete(sessionId);
      return false;
    }
    return true;
  }
}
