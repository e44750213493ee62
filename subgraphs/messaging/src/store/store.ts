/**
 * The message store: one interface, two implementations (PostgreSQL via TypeORM, MongoDB via
 * mongoose), one contract test suite. Everything that must be atomic (sequence numbers,
 * idempotent sends, direct-room uniqueness) is the store's job, so both stores guarantee it.
 */

export type RoomKind = 'DIRECT' | 'GROUP';
export type RoomRole = 'OWNER' | 'ADMIN' | 'MEMBER';
export type RoomEventType =
  | 'MESSAGE_ADDED'
  | 'MESSAGE_EDITED'
  | 'MESSAGE_DELETED'
  | 'REACTION_CHANGED'
  | 'MEMBER_JOINED'
  | 'MEMBER_LEFT';

export interface RoomRecord {
  id: string;
  kind: RoomKind;
  name: string | null;
  lastSeq: number;
  createdAt: Date;
  /** When the last event happened: `myRooms` sorts by it. */
  lastActivityAt: Date;
}

export interface MemberRecord {
  roomId: string;
  userId: string;
  role: RoomRole;
  joinedAt: Date;
  lastReadSeq: number;
}

export interface MessageRecord {
  id: string;
  roomId: string;
  seq: number;
  authorId: string;
  body: string;
  clientMessageId: string | null;
  replyToId: string | null;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
}

/** A stored room event: what happened, at which seq. Messages are referenced, not copied. */
export interface RoomEventRecord {
  roomId: string;
  seq: number;
  type: RoomEventType;
  messageId: string | null;
  /** For MEMBER_JOINED / MEMBER_LEFT: the member as they were at that moment. */
  member: { userId: string; role: RoomRole; joinedAt: Date } | null;
  createdAt: Date;
}

export interface ReactionCount {
  messageId: string;
  emoji: string;
  count: number;
  reactedByMe: boolean;
}

export interface NewRoom {
  kind: RoomKind;
  name: string | null;
  ownerId: string;
  /** Other members (MEMBER role in groups; the second user of a direct room). */
  memberIds: string[];
}

export interface NewMessage {
  roomId: string;
  authorId: string;
  body: string;
  clientMessageId: string | null;
  replyToId: string | null;
}

export interface MessagePage {
  messages: MessageRecord[];
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
}

export interface PageRequest {
  /** Forward from after this seq (exclusive), oldest first. */
  afterSeq?: number;
  /** Backward from before this seq (exclusive): the newest `limit` older messages. */
  beforeSeq?: number;
  limit: number;
  direction: 'forward' | 'backward';
}

/** Where a page of a list ordered by a time and an id starts: after this entry (times to the millisecond). */
export interface KeysetCursor {
  at: Date;
  id: string;
}

/** One page of a list, for each of many parents at once. */
export interface KeysetPage {
  limit: number;
  after?: KeysetCursor;
}

/** What a mutation stored: the event appended for it, when one was. */
export interface Appended<T> {
  value: T;
  event: RoomEventRecord | null;
}

export interface MessagingStore {
  readonly kind: 'postgres' | 'mongo';
  init(): Promise<void>;
  close(): Promise<void>;
  ping(): Promise<void>;

  createRoom(room: NewRoom): Promise<RoomRecord>;
  /** The direct room of a pair, created once; concurrent calls for one pair get the same room. */
  openDirectRoom(userA: string, userB: string): Promise<RoomRecord>;
  getRoom(id: string): Promise<RoomRecord | null>;
  getRooms(ids: readonly string[]): Promise<(RoomRecord | null)[]>;
  roomsOf(userId: string): Promise<RoomRecord[]>;
  /** Rooms both users are members of. */
  sharedRooms(userId: string, viewerId: string): Promise<RoomRecord[]>;
  /**
   * For each user, one page of the rooms it shares with `viewerId` (all its rooms when it is
   * the viewer), most recently active first, ordered by (lastActivityAt to the ms, id): one
   * round trip for all of them.
   */
  roomPages(userIds: readonly string[], viewerId: string, page: KeysetPage): Promise<RoomRecord[][]>;

  getMember(roomId: string, userId: string): Promise<MemberRecord | null>;
  listMembers(roomId: string): Promise<MemberRecord[]>;
  /** For each room, one page of its members ordered by (joinedAt to the ms, userId): one round trip for all. */
  memberPages(roomIds: readonly string[], page: KeysetPage): Promise<MemberRecord[][]>;
  /** One user's membership in each of many rooms (null where they are not a member): one round trip. */
  membershipsOf(userId: string, roomIds: readonly string[]): Promise<(MemberRecord | null)[]>;
  /** Adds a member and appends MEMBER_JOINED; null event when they were already a member. */
  addMember(roomId: string, userId: string, role: RoomRole): Promise<Appended<MemberRecord>>;
  /** Removes a member and appends MEMBER_LEFT; null when they were not a member. */
  removeMember(roomId: string, userId: string): Promise<Appended<MemberRecord> | null>;
  /** Changes a member's role; null when they are not a member. */
  setMemberRole(roomId: string, userId: string, role: RoomRole): Promise<MemberRecord | null>;
  /** Moves the read marker forward only; returns the member as stored. */
  markRead(roomId: string, userId: string, seq: number): Promise<MemberRecord>;
  /** Messages by others, not deleted, after `afterSeq`. */
  unreadCount(roomId: string, userId: string, afterSeq: number): Promise<number>;
  /** `unreadCount` of one user in many rooms, each after its own seq: one round trip. */
  unreadCounts(userId: string, rooms: readonly { roomId: string; afterSeq: number }[]): Promise<number[]>;

  /**
   * Stores a message with the room's next seq and appends MESSAGE_ADDED. With a
   * clientMessageId this author already used, returns the first message and appends nothing.
   */
  appendMessage(message: NewMessage): Promise<Appended<MessageRecord> & { created: boolean }>;
  getMessages(ids: readonly string[]): Promise<(MessageRecord | null)[]>;
  editMessage(id: string, body: string): Promise<Appended<MessageRecord>>;
  /** Empties the body and sets deletedAt; appends MESSAGE_DELETED only when it was not deleted yet. */
  deleteMessage(id: string): Promise<Appended<MessageRecord>>;
  /** Adds or removes one user's emoji; appends REACTION_CHANGED only when something changed. */
  setReaction(messageId: string, userId: string, emoji: string, present: boolean): Promise<Appended<MessageRecord>>;
  /** Reaction counts of many messages, each message's emojis in the order first used, at most `perMessage` of them. */
  reactions(messageIds: readonly string[], viewerId: string | undefined, perMessage?: number): Promise<ReactionCount[]>;
  pageMessages(roomId: string, page: PageRequest): Promise<MessagePage>;
  /** The same page of each of many rooms (`Room.messages` under a list of rooms): a fixed number of round trips. */
  pageMessagesOfRooms(roomIds: readonly string[], page: PageRequest): Promise<MessagePage[]>;

  /** Stored events after `afterSeq`, oldest first: what a resuming subscriber missed. */
  eventsAfter(roomId: string, afterSeq: number, limit: number): Promise<RoomEventRecord[]>;
}

/** Thrown by stores for a reused clientMessageId that belongs to another room. */
export class ClientMessageIdReusedError extends Error {}
