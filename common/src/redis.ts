import Redis from 'ioredis';
import type { Logger } from './logger';

/**
 * A Redis connection that reconnects forever with capped backoff and fails commands fast
 * while it is down (callers decide what a missing answer means), instead of queueing them.
 *
 * `autoPipelining`: the commands issued in one turn of the event loop go out in one write (the
 * gateway's per-operation edge script: under load several operations share a write).
 */
export function createRedis(url: string, logger: Logger, name: string, options: { autoPipelining?: boolean } = {}): Redis {
  const redis = new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    enableAutoPipelining: options.autoPipelining ?? false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2000),
  });
  let down = false;
  redis.on('error', (error) => {
    if (!down) logger.warn('redis unavailable', { connection: name, reason: error.message });
    down = true;
  });
  redis.on('ready', () => {
    if (down) logger.info('redis reconnected', { connection: name });
    down = false;
  });
  return redis;
}
