import type Redis from 'ioredis';

/**
 * A store kept in Redis (shared by every replica) with the same store in this process's memory
 * to fall back on: used without Redis, while the connection is not ready, and when a Redis call
 * fails, so an outage slows nothing down and nothing goes uncounted (each replica then decides
 * alone). `onFallback` hears of each failed call, for the log.
 */
export class RedisWithMemoryFallback<S> {
  constructor(
    private readonly redis: Redis | undefined,
    private readonly shared: S | undefined,
    readonly memory: S,
    private readonly onFallback: (error: Error) => void = () => {},
  ) {}

  /** Runs `operation` on the shared store when Redis is ready, on the memory store otherwise or when it fails. */
  async run<R>(operation: (store: S) => Promise<R>): Promise<R> {
    if (this.shared !== undefined && this.redis?.status === 'ready') {
      try {
        return await operation(this.shared);
      } catch (error) {
        this.onFallback(error as Error);
      }
    }
    return operation(this.memory);
  }
}
