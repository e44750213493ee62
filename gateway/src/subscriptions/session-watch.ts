import { sessionRevokedChannel, type Logger } from '@aether/common';
import type Redis from 'ioredis';

/**
 * Hears auth announce ended sessions (logout, logoutAll, ban, a role taken back) on Redis and
 * tells the sockets of those sessions at once. One subscription per gateway and one map
 * lookup per ended session: nothing runs per socket or per event. Without Redis there is
 * nothing to hear, and sockets learn on their periodic recheck (WS_SESSION_RECHECK_MS).
 */
export class SessionWatch {
  private readonly watchers = new Map<string, Set<() => void>>();
  private readonly subscriber?: Redis;

  constructor(redis: Redis | undefined, prefix: string, logger: Logger) {
    if (!redis) return;
    const channel = sessionRevokedChannel(prefix);
    this.subscriber = redis.duplicate();
    this.subscriber.on('error', () => undefined);
    this.subscriber.subscribe(channel).catch((error) => logger.warn('cannot hear ended sessions', { reason: (error as Error).message }));
    this.subscriber.on('message', (from, message) => {
      if (from !== channel) return;
      let ids: unknown;
      try {
        ids = JSON.parse(message);
      } catch {
        return;
      }
      if (!Array.isArray(ids)) return;
      for (const id of ids) for (const ended of this.watchers.get(String(id)) ?? []) ended();
    });
  }

  /** Calls `ended` when the session is announced ended; returns the function that stops watching. */
  watch(sessionId: string, ended: () => void): () => void {
    let set = this.watchers.get(sessionId);
    if (!set) this.watchers.set(sessionId, (set = new Set()));
    set.add(ended);
    return () => {
      set.delete(ended);
      if (!set.size && this.watchers.get(sessionId) === set) this.watchers.delete(sessionId);
    };
  }

  close(): void {
    this.subscriber?.disconnect();
  }
}
