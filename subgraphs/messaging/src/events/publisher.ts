import { EventEmitter } from 'node:events';
import { inSpan, SpanKind, traceCarrier, type Logger, type TraceCarrier } from '@aether/common';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import type Redis from 'ioredis';
import type { MessageRecord, RoomEventRecord } from '../store/store';

/** What subscribers receive for a room event: the stored event with what it refers to. */
export interface RoomEventPayload {
  event: RoomEventRecord;
  message: MessageRecord | null;
  /** Read back from the store (resume), rather than received live. */
  replayed?: boolean;
  /** The trace context of the write that published it: deliveries link to it. */
  trace?: TraceCarrier;
  /** When it was published (ms since the epoch): gateways measure delivery lag from it. */
  publishedAt?: number;
}

/**
 * What travels with a live event's result to the gateway, in the graphql-ws `next` message's
 * `extensions`: the send's trace context (delivery spans link to it) and the publish time.
 * Replayed events have neither: they were not just sent.
 */
export interface LiveEventExtensions {
  traceContext?: TraceCarrier;
  publishedAt?: number;
}

export function liveEventExtensions(payload: { trace?: TraceCarrier; publishedAt?: number; replayed?: boolean }): LiveEventExtensions | undefined {
  if (payload.replayed || (!payload.trace && payload.publishedAt === undefined)) return undefined;
  return { ...(payload.trace ? { traceContext: payload.trace } : {}), ...(payload.publishedAt !== undefined ? { publishedAt: payload.publishedAt } : {}) };
}

export interface TypingPayload {
  roomId: string;
  userId: string;
  typing: boolean;
  expiresAt: Date;
  trace?: TraceCarrier;
}

/** Channel names, prefixed so several deployments can share one Redis. */
export const channels = {
  room: (prefix: string, roomId: string) => `${prefix}room:${roomId}`,
  typing: (prefix: string, roomId: string) => `${prefix}typing:${roomId}`,
};

/**
 * Publishes after the store has committed: a subscriber that receives an event can always
 * read it back, and an event that was never stored is never seen.
 */
export class RoomEvents {
  private readonly resync = new EventEmitter();

  constructor(
    readonly pubsub: PubSubEngine,
    readonly prefix: string,
    private readonly logger: Logger,
    /** The Redis connection subscriptions listen on, if any: after it drops, streams re-read the store. */
    subscriberConnection?: Redis,
  ) {
    this.resync.setMaxListeners(0);
    let lost = false;
    subscriberConnection?.on('close', () => (lost = true));
    subscriberConnection?.on('ready', () => {
      if (!lost) return;
      lost = false;
      // ioredis re-subscribes right after 'ready'; a PING queued behind those SUBSCRIBEs answers
      // once they are active, and only then is a catch-up read complete (nothing slips between).
      setImmediate(() => {
        void subscriberConnection
          .ping()
          .catch(() => undefined)
          .then(() => {
            this.logger.info('pub/sub reconnected: live streams catch up from the store');
            this.resync.emit('resync');
          });
      });
    });
  }

  /** Calls `listener` whenever live delivery may have missed events; returns the unsubscribe function. */
  onResync(listener: () => void): () => void {
    this.resync.on('resync', listener);
    return () => this.resync.off('resync', listener);
  }

  async published(event: RoomEventRecord | null, message: MessageRecord | null = null): Promise<void> {
    if (!event) return;
    try {
      await inSpan('room event publish', { kind: SpanKind.PRODUCER, attributes: publishAttributes(event.roomId, event.seq) }, () =>
        this.pubsub.publish(channels.room(this.prefix, event.roomId), { event, message, trace: traceCarrier(), publishedAt: Date.now() } satisfies RoomEventPayload),
      );
    } catch (error) {
      // The event is stored: subscribers that miss it get it on resume (afterSeq). Do not fail the write.
      this.logger.warn('publishing a room event failed', { roomId: event.roomId, seq: event.seq, reason: (error as Error).message });
    }
  }

  async typing(payload: TypingPayload): Promise<void> {
    await inSpan('typing publish', { kind: SpanKind.PRODUCER, attributes: publishAttributes(payload.roomId) }, () =>
      this.pubsub.publish(channels.typing(this.prefix, payload.roomId), { ...payload, trace: traceCarrier() }),
    );
  }
}

function publishAttributes(roomId: string, seq?: number): Record<string, string | number> {
  return { 'messaging.system': 'redis', 'messaging.operation.type': 'publish', 'aether.room.id': roomId, ...(seq !== undefined ? { 'aether.room.seq': seq } : {}) };
}

/** Redis pub/sub when REDIS_URL is set (every replica sees every event), in-process otherwise. */
export function createPubSub(redis: { publisher: Redis; subscriber: Redis } | undefined): PubSubEngine {
  if (!redis) return new PubSub();
  return new RedisPubSub({
    publisher: redis.publisher,
    subscriber: redis.subscriber,
    reviver: (key, value) =>
      typeof value === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value) && /At$/.test(key) ? new Date(value) : value,
  });
}
