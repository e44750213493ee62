import type { ApolloClient, Reference } from '@apollo/client';
import { addTypenameToDocument } from '@apollo/client/utilities';
import { print, type FormattedExecutionResult, type GraphQLFormattedError } from 'graphql';
import type { Client } from 'graphql-ws';
import { MarkReadMutation, MessageFields, RoomEventsSubscription } from '../operations';
import type { RoomEventsSubscription as RoomEventsResult } from '../gql/graphql';
import type { Session } from '../session';
import { appendMessage } from './history';

type RoomEvent = RoomEventsResult['roomEvents'];

interface Feed {
  roomId: string;
  /** The seq of the last event applied: the resume point after any reconnect. */
  lastSeq: number;
  dispose: () => void;
  retry?: ReturnType<typeof setTimeout>;
}

// With __typename on every object, as Apollo's own links send it, so the cache can normalise the events.
const ROOM_EVENTS = print(addTypenameToDocument(RoomEventsSubscription));
// The cache's own shapes (references, not the query results), for cache.modify.
type StoredRoom = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const CLOSE_UNAUTHORIZED = 4401;
const CLOSE_FORBIDDEN = 4403;

const isCloseEvent = (value: unknown): value is { code: number } =>
  typeof value === 'object' && value !== null && 'code' in value && typeof (value as { code: unknown }).code === 'number';

/**
 * Live events of every room the user is in, over the page's one graphql-ws socket, written into
 * the Apollo cache (no refetch): new messages appended to the room's history, edits, deletions
 * and reactions merged into the message, members added and removed, unread counts moved.
 *
 * Each feed resumes with `afterSeq` = the last seq it applied. graphql-ws re-sends a
 * subscription's payload itself when it reconnects; the payload's `variables` is a getter, so
 * what it re-sends is the resume point of that moment, not the one of the first subscribe.
 */
export class RoomFeeds {
  private readonly feeds = new Map<string, Feed>();
  private readonly marking = new Map<string, ReturnType<typeof setTimeout>>();
  /** Per room, the highest seq the reader saw since the last mark was sent. */
  private readonly seen = new Map<string, number>();
  /** The room on screen: its new messages count as read while the page is visible. */
  openRoomId: string | null = null;

  constructor(
    private readonly ws: Client,
    private readonly apollo: ApolloClient<unknown>,
    private readonly session: Session,
  ) {}

  /** Keeps exactly these rooms followed, each from the seq it was loaded at. */
  follow(rooms: readonly { id: string; lastSeq: number }[]): void {
    const wanted = new Set(rooms.map((r) => r.id));
    for (const [roomId, feed] of this.feeds) if (!wanted.has(roomId)) this.stop(feed);
    for (const room of rooms) if (!this.feeds.has(room.id)) this.start(room.id, room.lastSeq);
  }

  stopAll(): void {
    for (const feed of [...this.feeds.values()]) this.stop(feed);
  }

  private start(roomId: string, afterSeq: number): void {
    const feed: Feed = { roomId, lastSeq: afterSeq, dispose: () => undefined };
    this.feeds.set(roomId, feed);
    this.subscribe(feed);
  }

  private stop(feed: Feed): void {
    clearTimeout(feed.retry);
    feed.dispose();
    this.feeds.delete(feed.roomId);
  }

  private subscribe(feed: Feed): void {
    const payload = {
      query: ROOM_EVENTS,
      operationName: 'RoomEvents',
      get variables() {
        return { roomId: feed.roomId, afterSeq: feed.lastSeq };
      },
    };
    feed.dispose = this.ws.subscribe<RoomEventsResult>(payload, {
      next: (result) => this.receive(feed, result),
      error: (error) => this.failed(feed, error),
      complete: () => undefined,
    });
  }

  private failed(feed: Feed, error: unknown): void {
    if (this.feeds.get(feed.roomId) !== feed) return;
    if (isCloseEvent(error) && error.code === CLOSE_FORBIDDEN) {
      this.session.end();
      return;
    }
    if (Array.isArray(error)) {
      this.refused(feed, error);
      return;
    }
    // Unauthorized (token expired in a suspended tab), slow consumer, refused frame: resubscribe
    // from the last seq applied, after a fresh token where that was the reason.
    const renew = isCloseEvent(error) && error.code === CLOSE_UNAUTHORIZED ? this.session.refresh() : Promise.resolve('');
    renew.then(
      () => {
        feed.retry = setTimeout(() => this.feeds.get(feed.roomId) === feed && this.subscribe(feed), 500);
      },
      () => undefined,
    );
  }

  /** The gateway refused the subscription itself, with GraphQL errors and no data. */
  private refused(feed: Feed, errors: readonly GraphQLFormattedError[]): void {
    const code = errors[0]?.extensions?.code;
    if (code === 'FORBIDDEN' || code === 'NOT_FOUND') {
      this.leave(feed.roomId);
      return;
    }
    const retryAfter = Number(errors[0]?.extensions?.retryAfter ?? 5);
    feed.retry = setTimeout(() => this.feeds.get(feed.roomId) === feed && this.subscribe(feed), retryAfter * 1_000);
  }

  private receive(feed: Feed, result: FormattedExecutionResult<RoomEventsResult, unknown>): void {
    if (result.errors?.length && !result.data) {
      this.refused(feed, result.errors);
      return;
    }
    const event = result.data?.roomEvents;
    if (!event) return;
    // A replay may overlap what was already shown; seqs make that harmless.
    if (event.seq <= feed.lastSeq) return;
    feed.lastSeq = event.seq;
    this.apply(event);
  }

  private apply(event: RoomEvent): void {
    const cache = this.apollo.cache;
    const roomRef = cache.identify({ __typename: 'Room', id: event.roomId });
    const me = this.session.user?.id;
    cache.modify<StoredRoom>({ id: roomRef, fields: { lastSeq: (seq: number) => Math.max(seq, event.seq) } });
    switch (event.__typename) {
      case 'MessageAdded': {
        appendMessage(cache, event.message);
        const seen = event.message.author.id === me || (this.openRoomId === event.roomId && document.visibilityState === 'visible');
        if (!seen) cache.modify<StoredRoom>({ id: roomRef, fields: { unreadCount: (count: number) => count + 1 } });
        if (seen && event.message.author.id !== me) this.markRead(event.roomId, event.seq);
        break;
      }
      case 'MessageEdited':
      case 'MessageDeleted':
      case 'ReactionChanged':
        cache.writeFragment({ fragment: MessageFields, fragmentName: 'MessageFields', data: event.message });
        break;
      case 'MemberJoined':
        cache.modify<StoredRoom>({
          id: roomRef,
          fields: {
            members: (members: readonly { user: Reference }[], { readField, toReference }) =>
              members.some((m) => readField('id', m.user) === event.member.user.id)
                ? members
                : [...members, { __typename: 'RoomMember', role: event.member.role, user: toReference(event.member.user, true) }],
          },
        });
        break;
      case 'MemberLeft':
        if (event.member.user.id === me) {
          this.leave(event.roomId);
          break;
        }
        cache.modify<StoredRoom>({
          id: roomRef,
          fields: {
            members: (members: readonly { user: Reference }[], { readField }) =>
              members.filter((m) => readField('id', m.user) !== event.member.user.id),
          },
        });
        break;
    }
  }

  /** The user is no longer in the room (left here, elsewhere, or was removed). */
  leave(roomId: string): void {
    const feed = this.feeds.get(roomId);
    if (feed) this.stop(feed);
    this.apollo.cache.modify<StoredRoom>({
      fields: {
        myRooms: (rooms: readonly Reference[], { readField }) => rooms.filter((r) => readField('id', r) !== roomId),
      },
    });
  }

  /**
   * The reader has seen the room up to `seq` (it is open and visible): its badge goes to 0 now,
   * and the server hears of it at most once a second per room, with the highest seq seen. Only
   * seqs the reader saw are sent, never the feed's latest: a message that arrives after the
   * reader went back to the list stays unread, here and on the server. The answer's
   * `unreadCount` is not read back into the cache, since a live event may already have moved it.
   */
  markRead(roomId: string, seq: number): void {
    this.seen.set(roomId, Math.max(seq, this.seen.get(roomId) ?? 0));
    this.apollo.cache.modify<StoredRoom>({
      id: this.apollo.cache.identify({ __typename: 'Room', id: roomId }),
      fields: { unreadCount: () => 0 },
    });
    if (this.marking.has(roomId)) return;
    this.marking.set(
      roomId,
      setTimeout(() => {
        this.marking.delete(roomId);
        const upTo = this.seen.get(roomId) ?? seq;
        this.seen.delete(roomId);
        void this.apollo.mutate({ mutation: MarkReadMutation, variables: { roomId, seq: upTo } }).catch(() => undefined);
      }, 1_000),
    );
  }
}
