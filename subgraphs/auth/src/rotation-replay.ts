import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

/** What a rotation handed out, as the same refresh token presented again within the grace gets it back. */
export interface RotatedPair {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
}

/** Where sealed pairs wait out the grace: Redis (every replica), or memory (one replica without Redis). */
interface SealedStore {
  put(key: string, sealed: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | null>;
}

class RedisSealedStore implements SealedStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}
  async put(key: string, sealed: string, ttlMs: number): Promise<void> {
    await this.redis.set(`${this.prefix}refresh-replay:${key}`, sealed, 'PX', ttlMs);
  }
  get(key: string): Promise<string | null> {
    return this.redis.get(`${this.prefix}refresh-replay:${key}`);
  }
}

class MemorySealedStore implements SealedStore {
  private readonly entries = new Map<string, { sealed: string; until: number }>();
  async put(key: string, sealed: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    if (this.entries.size > 10_000) for (const [k, e] of this.entries) if (e.until <= now) this.entries.delete(k);
    this.entries.set(key, { sealed, until: now + ttlMs });
  }
  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    return entry && entry.until > Date.now() ? entry.sealed : null;
  }
}

/** The AES-256-GCM key for one refresh token's replay: derived from the token itself, which is never stored. */
function keyOf(refreshToken: string): Buffer {
  return Buffer.from(hkdfSync('sha256', refreshToken, Buffer.alloc(0), 'aether refresh replay v1', 32));
}

/**
 * The reuse interval of refresh tokens: for `graceMs` after a rotation, presenting the rotated
 * token again returns the same new pair instead of ending the session, so two tabs refreshing
 * at once both carry on. The pair waits encrypted with a key derived from the old refresh
 * token, under the token's hash: what is at rest (Redis, memory) is useless without the old
 * token, which only its holder has, and it is gone when the grace ends.
 */
export class RotationReplay {
  private readonly store: SealedStore;

  constructor(
    redis: Redis | undefined,
    prefix: string,
    readonly graceMs: number,
  ) {
    this.store = redis ? new RedisSealedStore(redis, prefix) : new MemorySealedStore();
  }

  async remember(oldToken: string, oldTokenHash: string, pair: RotatedPair): Promise<void> {
    if (this.graceMs <= 0) return;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keyOf(oldToken), iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(pair), 'utf8'), cipher.final()]);
    await this.store.put(oldTokenHash, Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64'), this.graceMs);
  }

  /** The pair `oldToken` was rotated to, if that was within the grace; null otherwise. */
  async recall(oldToken: string, oldTokenHash: string): Promise<RotatedPair | null> {
    if (this.graceMs <= 0) return null;
    const sealed = await this.store.get(oldTokenHash);
    if (!sealed) return null;
    const raw = Buffer.from(sealed, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', keyOf(oldToken), raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      const pair = JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8'));
      return { ...pair, accessTokenExpiresAt: new Date(pair.accessTokenExpiresAt) };
    } catch {
      return null;
    }
  }
}
