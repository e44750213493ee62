import { UnauthenticatedError } from '@aether/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { channels, type RoomEventPayload, type TypingPayload } from './events/publisher';
import { EventQueue, OVERFLOW } from './events/queue';
import { requireMember, requireRoom, type MessagingDeps } from './rooms';
import type { MessageRecord, RoomEventRecord } from './store/store';

/**
 * Stored events read per page of a replay. graphql-ws sends each event only after the previous
 * one reached the socket, so the next page is read only as fast as the gateway takes them; the
 * gateway stops a subscription after a window of about this size and reopens it from where it
 * stopped, so a page is what a paused replay can waste.
 */
const REPLAY_BATCH = 50;

/** Subscribes `listener` to a channel; resolves once the subscription is live (for Redis: after SUBSCRIBE). */
async function listen<T>(pubsub: PubSubEngine, channel: string, listener: (payload: T) => void): Promise<() => void> {
  const id = await pubsub.subscribe(channel, listener, {});
  return () => pubsub.unsubscribe(id);
}

/** Stored events after `afterSeq` (up to `untilSeq`), with their messages, in seq order. */
async function* replayAfter(
  deps: MessagingDeps,
  roomId: string,
  afterSeq: number,
  untilSeq = Number.MAX_SAFE_INTEGER,
): AsyncGenerator<RoomEventPayload> {
  let cursor = afterSeq;
  for (;;) {
    const events = (await deps.store.eventsAfter(roomId, cursor, REPLAY_BATCH)).filter((e) => e.seq <= untilSeq);
    if (!events.length) return;
    const ids = [...new Set(events.flatMap((e) => (e.messageId ? [e.messageId] : [])))];
    const messages = new Map((await deps.store.getMessages(ids)).flatMap((m) => (m ? [[m.id, m] as const] : [])));
    for (const event of events) {
      yield { event, message: event.messageId ? (messages.get(event.messageId) ?? null) : null, replayed: true };
    }
    cursor = events.at(-1)!.seq;
    if (events.length < REPLAY_BATCH || cursor >= untilSeq) return;
  }
}

const leaves = (event: RoomEventRecord, viewerId: string | null) =>
  viewerId !== null && event.type === 'MEMBER_LEFT' && event.member?.userId === viewerId;

/**
 * How a subscription was opened by the gateway (`extensions.stream` on `subscribe`):
 * - `member`: one subscriber's own stream, under their identity (the default);
 * - `shared`: the gateway's one stream of a room for all its local subscribers, under the
 *   gateway's own identity; no membership check and no end on a MemberLeft, because the
 *   gateway admits each subscriber with `admit` and ends each at their own MemberLeft;
 * - `admit`: a subscriber's admission, under their own identity: the same checks as `member`
 *   (member of the room, valid arguments), then it completes; a subscriber's missed events are
 *   replayed through its own `member` stream.
 */
export type StreamMode = 'member' | 'shared' | 'admit';

/** A room's events for the mode a subscription was opened in (see StreamMode). */
export async function roomEventsFor(
  deps: MessagingDeps,
  mode: StreamMode,
  viewerId: string | undefined,
  roomId: unknown,
  afterSeq: number | null | undefined,
): Promise<AsyncIterable<RoomEventPayload>> {
  if (mode === 'shared') return roomEventStream(deps, null, roomId, afterSeq);
  if (!viewerId) throw new UnauthenticatedError();
  if (mode === 'member') return roomEventStream(deps, viewerId, roomId, afterSeq);
  await requireMember(deps.store, roomId, viewerId);
  return (async function* (): AsyncGenerator<RoomEventPayload> {})();
}

/**
 * A member's stream of room events: stored events after `afterSeq` first, then live ones, with
 * no gap and no duplicate at the seam. The order of steps is what makes that hold:
 * subscribe to the live channel FIRST, then read the store, then drop live events already
 * sent. A live event that arrives ahead of its predecessor (publishes race across replicas)
 * makes the stream read the missing ones from the store: they are committed by then, because
 * a room's seqs are taken under a row lock in commit order. The stream ends after the viewer's
 * own MEMBER_LEFT, so a removed member stops receiving; `viewerId` null is the gateway's shared
 * stream, which never ends on a MEMBER_LEFT (the gateway ends each subscriber at theirs).
 */
export async function roomEventStream(
  deps: MessagingDeps,
  viewerId: string | null,
  roomId: unknown,
  afterSeq: number | null | undefined,
): Promise<AsyncIterable<RoomEventPayload>> {
  // The gateway's shared stream (viewerId null) is checked per subscriber at the gateway.
  const id = viewerId === null ? (await requireRoom(deps.store, roomId)).id : (await requireMember(deps.store, roomId, viewerId)).roomId;
  const queue = new EventQueue<RoomEventPayload>();
  const stop = await listen<RoomEventPayload>(deps.events.pubsub, channels.room(deps.events.prefix, id), (p) => queue.push(p));
  const stopResync = deps.events.onResync(() => queue.push(OVERFLOW));
  const start = afterSeq ?? (await deps.store.getRoom(id))!.lastSeq;

  async function* stream(): AsyncGenerator<RoomEventPayload> {
    let last = start;
    try {
      for await (const payload of replayAfter(deps, id, last)) {
        last = payload.event.seq;
        yield payload;
        if (leaves(payload.event, viewerId)) return;
      }
      for await (const item of queue) {
        if (item === OVERFLOW) {
          // Fell behind, or pub/sub was down for a while: the store has everything.
          for await (const payload of replayAfter(deps, id, last)) {
            last = payload.event.seq;
            yield payload;
            if (leaves(payload.event, viewerId)) return;
          }
          continue;
        }
        if (item.event.seq <= last) continue;
        if (item.event.seq > last + 1) {
          for await (const payload of replayAfter(deps, id, last, item.event.seq - 1)) {
            last = payload.event.seq;
            yield payload;
            if (leaves(payload.event, viewerId)) return;
          }
        }
        last = item.event.seq;
        yield item;
        if (leaves(item.event, viewerId)) return;
      }
    } finally {
      stop();
      stopResync();
      queue.end();
    }
  }
  return stream();
}

/** A member's stream of typing indicators (their own excluded); ends when they leave the room. */
export async function typingStream(deps: MessagingDeps, viewerId: string, roomId: unknown): Promise<AsyncIterable<TypingPayload>> {
  const member = await requireMember(deps.store, roomId, viewerId);
  const queue = new EventQueue<TypingPayload | null>(1000);
  const stopTyping = await listen<TypingPayload>(deps.events.pubsub, channels.typing(deps.events.prefix, member.roomId), (p) => {
    if (p.userId !== viewerId) queue.push(p);
  });
  const stopRoom = await listen<RoomEventPayload>(deps.events.pubsub, channels.room(deps.events.prefix, member.roomId), (p) => {
    if (leaves(p.event, viewerId)) queue.push(null);
  });
  async function* stream(): AsyncGenerator<TypingPayload> {
    try {
      for await (const item of queue) {
        if (item === null) return;
        // Typing indicators are ephemeral: after an overflow there is nothing to catch up on.
        if (item === OVERFLOW) continue;
        yield item;
      }
    } finally {
      stopTyping();
      stopRoom();
      queue.end();
    }
  }
  return stream();
}

/**
 * The message of an event. A live MESSAGE_ADDED answers `reactions` without a query (a new
 * message has none), which keeps per-subscriber work off the hot path; replayed messages are
 * read as they are now.
 */
export function messageOf(payload: RoomEventPayload): (MessageRecord & { knownReactions?: [] }) | null {
  if (!payload.message) return null;
  return payload.event.type === 'MESSAGE_ADDED' && !payload.replayed ? { ...payload.message, knownReactions: [] } : payload.message;
}

