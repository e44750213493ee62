import { randomUUID } from 'node:crypto';
import mongoose, { type Aggregate, type ClientSession, type Connection, type Query, type Schema } from 'mongoose';
import {
  ClientMessageIdReusedError,
  type Appended,
  type KeysetPage,
  type MemberRecord,
  type MessagePage,
  type MessageRecord,
  type MessagingStore,
  type NewMessage,
  type NewRoom,
  type PageRequest,
  type ReactionCount,
  type RoomEventRecord,
  type RoomEventType,
  type RoomRecord,
  type RoomRole,
} from '../store';
import { models, type Models } from './models';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DUPLICATE_KEY = 11000;

const room = (d: Doc): RoomRecord => ({
  id: d._id,
  kind: d.kind,
  name: d.name ?? null,
  lastSeq: d.lastSeq,
  createdAt: d.createdAt,
  lastActivityAt: d.lastActivityAt,
});
const member = (d: Doc): MemberRecord => ({
  roomId: d.roomId,
  userId: d.userId,
  role: d.role,
  joinedAt: d.joinedAt,
  lastReadSeq: d.lastReadSeq,
});
const message = (d: Doc): MessageRecord => ({
  id: d._id,
  roomId: d.roomId,
  seq: d.seq,
  authorId: d.authorId,
  body: d.body,
  clientMessageId: d.clientMessageId ?? null,
  replyToId: d.replyToId ?? null,
  createdAt: d.createdAt,
  editedAt: d.editedAt ?? null,
  deletedAt: d.deletedAt ?? null,
});
const event = (d: Doc): RoomEventRecord => ({
  roomId: d.roomId,
  seq: d.seq,
  type: d.type,
  messageId: d.messageId ?? null,
  member: d.member?.userId ? { userId: d.member.userId, role: d.member.role, joinedAt: d.member.joinedAt } : null,
  createdAt: d.createdAt,
});

const QUERIES = /^(find|findOne|countDocuments|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|deleteOne|deleteMany)$/;

/** Every query and aggregation of a model gets `maxTimeMS`, as PostgreSQL's `statement_timeout` bounds each statement there. */
function boundQueryTime(schema: Schema, ms: number): void {
  schema.pre(QUERIES, function (this: Query<unknown, unknown>) {
    if (this.getOptions().maxTimeMS === undefined) this.maxTimeMS(ms);
  });
  schema.pre('aggregate', function (this: Aggregate<unknown>) {
    if (this.options.maxTimeMS === undefined) this.option({ maxTimeMS: ms });
  });
}

/**
 * The production message store on MongoDB. Every write that takes a seq runs in a
 * multi-document transaction (MongoDB must be a replica set; a single-node one is enough):
 * the `$inc` on the room document and the inserts commit together or not at all, so seqs
 * have no gaps, and concurrent writers to one room conflict and are retried by the driver.
 */
export class MongoMessagingStore implements MessagingStore {
  readonly kind = 'mongo' as const;
  private conn!: Connection;
  private m!: Models;

  constructor(
    private readonly url: string,
    private readonly options: {
      /** The database to use instead of the one named in the URL (tests use one per run). */
      dbName?: string;
      /** `maxTimeMS` of every query and aggregation: the server stops them past it. */
      statementTimeoutMs?: number;
    } = {},
  ) {}

  async init(): Promise<void> {
    const { dbName } = this.options;
    this.conn = await mongoose.createConnection(this.url, { serverSelectionTimeoutMS: 10_000, ...(dbName ? { dbName } : {}) }).asPromise();
    const hello = await this.conn.db!.admin().command({ hello: 1 });
    // A standalone server accepts every write but fails the first transaction: refuse to start instead.
    if (!hello.setName && hello.msg !== 'isdbgrid') {
      await this.conn.close();
      throw new Error('MONGO_URL must point at a replica set or mongos: the message store needs transactions (a single-node replica set is enough)');
    }
    const { statementTimeoutMs } = this.options;
    if (statementTimeoutMs) this.conn.plugin((schema) => boundQueryTime(schema, statementTimeoutMs));
    this.m = models(this.conn);
    await Promise.all(Object.values(this.m).map((model) => model.createIndexes()));
  }

  async close(): Promise<void> {
    await this.conn?.close();
  }

  async ping(): Promise<void> {
    await this.conn.db!.admin().ping();
  }

  private tx<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
    return this.conn.transaction(fn);
  }

  private async allocateSeq(session: ClientSession, roomId: string): Promise<number> {
    const updated = await this.m.Room.findOneAndUpdate(
      { _id: roomId },
      { $inc: { lastSeq: 1 }, $set: { lastActivityAt: new Date() } },
      { new: true, session, lean: true },
    );
    if (!updated) throw new Error(`room ${roomId} does not exist`);
    return (updated as Doc).lastSeq;
  }

  private async appendEvent(
    session: ClientSession,
    roomId: string,
    type: RoomEventType,
    ref: { messageId?: string; member?: MemberRecord },
  ): Promise<RoomEventRecord> {
    const seq = await this.allocateSeq(session, roomId);
    const doc = {
      roomId,
      seq,
      type,
      messageId: ref.messageId ?? null,
      member: ref.member ? { userId: ref.member.userId, role: ref.member.role, joinedAt: ref.member.joinedAt } : null,
      createdAt: new Date(),
    };
    await this.m.RoomEvent.create([doc], { session });
    return event(doc);
  }

  private async insertRoom(session: ClientSession, input: NewRoom, directKey?: string): Promise<RoomRecord> {
    const now = new Date();
    const doc = { _id: randomUUID(), kind: input.kind, name: input.name, lastSeq: 0, createdAt: now, lastActivityAt: now, ...(directKey ? { directKey } : {}) };
    await this.m.Room.create([doc], { session });
    const others = [...new Set(input.memberIds)].filter((id) => id !== input.ownerId);
    const ownerRole: RoomRole = input.kind === 'DIRECT' ? 'MEMBER' : 'OWNER';
    await this.m.Membership.insertMany(
      [input.ownerId, ...others].map((userId) => ({
        roomId: doc._id,
        userId,
        role: userId === input.ownerId ? ownerRole : 'MEMBER',
        joinedAt: now,
        lastReadSeq: 0,
      })),
      { session },
    );
    return room(doc);
  }

  createRoom(input: NewRoom): Promise<RoomRecord> {
    return this.tx((session) => this.insertRoom(session, input));
  }

  async openDirectRoom(userA: string, userB: string): Promise<RoomRecord> {
    const directKey = [userA, userB].sort().join(':');
    const existing = await this.m.Room.findOne({ directKey }).lean();
    if (existing) return room(existing);
    try {
      return await this.tx((session) =>
        this.insertRoom(session, { kind: 'DIRECT', name: null, ownerId: userA, memberIds: [userB] }, directKey),
      );
    } catch (error) {
      // The unique directKey decided a race: the other opener's room is the room.
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return room((await this.m.Room.findOne({ directKey }).lean())!);
    }
  }

  async getRoom(id: string): Promise<RoomRecord | null> {
    return (await this.getRooms([id]))[0];
  }

  async getRooms(ids: readonly string[]): Promise<(RoomRecord | null)[]> {
    const docs = await this.m.Room.find({ _id: { $in: ids } }).lean();
    const byId = new Map(docs.map((d) => [d._id as string, room(d)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async roomsByIds(ids: string[]): Promise<RoomRecord[]> {
    const docs = await this.m.Room.find({ _id: { $in: ids } }).sort({ lastActivityAt: -1, _id: 1 }).lean();
    return docs.map(room);
  }

  async roomsOf(userId: string): Promise<RoomRecord[]> {
    const memberships = await this.m.Membership.find({ userId }, { roomId: 1 }).lean();
    return this.roomsByIds(memberships.map((m) => m.roomId));
  }

  async sharedRooms(userId: string, viewerId: string): Promise<RoomRecord[]> {
    const mine = await this.m.Membership.find({ userId: viewerId }, { roomId: 1 }).lean();
    const theirs = await this.m.Membership.find({ userId, roomId: { $in: mine.map((m) => m.roomId) } }, { roomId: 1 }).lean();
    return this.roomsByIds(theirs.map((m) => m.roomId));
  }

  async roomPages(userIds: readonly string[], viewerId: string, page: KeysetPage): Promise<RoomRecord[][]> {
    const mine = await this.m.Membership.find({ userId: viewerId }, { roomId: 1 }).lean();
    const theirs = await this.m.Membership.find(
      { userId: { $in: [...userIds] }, roomId: { $in: mine.map((m) => m.roomId) } },
      { roomId: 1, userId: 1 },
    ).lean();
    const after = page.after;
    const filter: Doc = { _id: { $in: [...new Set(theirs.map((m) => m.roomId))] } };
    if (after) filter.$or = [{ lastActivityAt: { $lt: after.at } }, { lastActivityAt: after.at, _id: { $gt: after.id } }];
    const rooms = (await this.m.Room.find(filter).sort({ lastActivityAt: -1, _id: 1 }).lean()).map(room);
    const roomsOfUser = new Map<string, Set<string>>();
    for (const m of theirs) roomsOfUser.set(m.userId, (roomsOfUser.get(m.userId) ?? new Set()).add(m.roomId));
    return userIds.map((userId) => rooms.filter((r) => roomsOfUser.get(userId)?.has(r.id)).slice(0, page.limit));
  }

  async memberPages(roomIds: readonly string[], page: KeysetPage): Promise<MemberRecord[][]> {
    const after = page.after;
    const match: Doc = { roomId: { $in: [...roomIds] } };
    if (after) match.$or = [{ joinedAt: { $gt: after.at } }, { joinedAt: after.at, userId: { $gt: after.id } }];
    const groups = await this.m.Membership.aggregate<Doc>([
      { $match: match },
      { $sort: { joinedAt: 1, userId: 1 } },
      { $group: { _id: '$roomId', members: { $push: '$$ROOT' } } },
      { $project: { members: { $slice: ['$members', page.limit] } } },
    ]);
    const byRoom = new Map(groups.map((g) => [g._id as string, (g.members as Doc[]).map(member)]));
    return roomIds.map((id) => byRoom.get(id) ?? []);
  }

  async membershipsOf(userId: string, roomIds: readonly string[]): Promise<(MemberRecord | null)[]> {
    const docs = await this.m.Membership.find({ userId, roomId: { $in: [...roomIds] } }).lean();
    const byRoom = new Map(docs.map((d) => [d.roomId as string, member(d)]));
    return roomIds.map((id) => byRoom.get(id) ?? null);
  }

  async getMember(roomId: string, userId: string): Promise<MemberRecord | null> {
    const doc = await this.m.Membership.findOne({ roomId, userId }).lean();
    return doc ? member(doc) : null;
  }

  async listMembers(roomId: string): Promise<MemberRecord[]> {
    return (await this.m.Membership.find({ roomId }).sort({ joinedAt: 1, userId: 1 }).lean()).map(member);
  }

  async addMember(roomId: string, userId: string, role: RoomRole): Promise<Appended<MemberRecord>> {
    const existing = await this.getMember(roomId, userId);
    if (existing) return { value: existing, event: null };
    try {
      return await this.tx(async (session) => {
        const value: MemberRecord = { roomId, userId, role, joinedAt: new Date(), lastReadSeq: 0 };
        await this.m.Membership.create([value], { session });
        return { value, event: await this.appendEvent(session, roomId, 'MEMBER_JOINED', { member: value }) };
      });
    } catch (error) {
      if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      return { value: (await this.getMember(roomId, userId))!, event: null };
    }
  }

  async removeMember(roomId: string, userId: string): Promise<Appended<MemberRecord> | null> {
    return this.tx(async (session) => {
      const deleted = await this.m.Membership.findOneAndDelete({ roomId, userId }, { session, lean: true });
      if (!deleted) return null;
      const value = member(deleted as Doc);
      return { value, event: await this.appendEvent(session, roomId, 'MEMBER_LEFT', { member: value }) };
    });
  }

  async setMemberRole(roomId: string, userId: string, role: RoomRole): Promise<MemberRecord | null> {
    const doc = await this.m.Membership.findOneAndUpdate({ roomId, userId }, { $set: { role } }, { new: true, lean: true });
    return doc ? member(doc as Doc) : null;
  }

  async markRead(roomId: string, userId: string, seq: number): Promise<MemberRecord> {
    const r = await this.m.Room.findById(roomId, { lastSeq: 1 }).lean();
    const upTo = Math.min(seq, (r as Doc | null)?.lastSeq ?? 0);
    const doc = await this.m.Membership.findOneAndUpdate({ roomId, userId }, { $max: { lastReadSeq: upTo } }, { new: true, lean: true });
    return member(doc as Doc);
  }

  async unreadCount(roomId: string, userId: string, afterSeq: number): Promise<number> {
    return this.m.Message.countDocuments({ roomId, seq: { $gt: afterSeq }, authorId: { $ne: userId }, deletedAt: null });
  }

  async appendMessage(input: NewMessage): Promise<Appended<MessageRecord> & { created: boolean }> {
    if (input.clientMessageId) {
      const existing = await this.byClientId(input.authorId, input.clientMessageId, input.roomId);
      if (existing) return { value: existing, event: null, created: false };
    }
    try {
      return await this.tx(async (session) => {
        const seq = await this.allocateSeq(session, input.roomId);
        const doc = { _id: randomUUID(), ...input, seq, createdAt: new Date(), editedAt: null, deletedAt: null };
        await this.m.Message.create([doc], { session });
        const ev = { roomId: input.roomId, seq, type: 'MESSAGE_ADDED', messageId: doc._id, member: null, createdAt: doc.createdAt };
        await this.m.RoomEvent.create([ev], { session });
        return { value: message(doc), event: event(ev), created: true };
      });
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY && input.clientMessageId) {
        const existing = await this.byClientId(input.authorId, input.clientMessageId, input.roomId);
        if (existing) return { value: existing, event: null, created: false };
      }
      throw error;
    }
  }

  private async byClientId(authorId: string, clientMessageId: string, roomId: string): Promise<MessageRecord | null> {
    const doc = await this.m.Message.findOne({ authorId, clientMessageId }).lean();
    if (!doc) return null;
    if (doc.roomId !== roomId) throw new ClientMessageIdReusedError('clientMessageId was used for another room');
    return message(doc);
  }

  async getMessages(ids: readonly string[]): Promise<(MessageRecord | null)[]> {
    const docs = await this.m.Message.find({ _id: { $in: ids } }).lean();
    const byId = new Map(docs.map((d) => [d._id as string, message(d)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  private updateWithEvent(id: string, type: RoomEventType, update: Doc): Promise<Appended<MessageRecord>> {
    return this.tx(async (session) => {
      const doc = await this.m.Message.findOneAndUpdate({ _id: id }, update, { new: true, session, lean: true });
      const value = message(doc as Doc);
      return { value, event: await this.appendEvent(session, value.roomId, type, { messageId: id }) };
    });
  }

  editMessage(id: string, body: string): Promise<Appended<MessageRecord>> {
    return this.updateWithEvent(id, 'MESSAGE_EDITED', { $set: { body, editedAt: new Date() } });
  }

  deleteMessage(id: string): Promise<Appended<MessageRecord>> {
    return this.tx(async (session) => {
      // Only the delete that finds the message alive records an event: concurrent deletes make one.
      const doc = await this.m.Message.findOneAndUpdate(
        { _id: id, deletedAt: null },
        { $set: { body: '', deletedAt: new Date() } },
        { new: true, session, lean: true },
      );
      if (!doc) return { value: message((await this.m.Message.findById(id, null, { session, lean: true })) as Doc), event: null };
      const value = message(doc as Doc);
      return { value, event: await this.appendEvent(session, value.roomId, 'MESSAGE_DELETED', { messageId: id }) };
    });
  }

  async setReaction(messageId: string, userId: string, emoji: string, present: boolean): Promise<Appended<MessageRecord>> {
    return this.tx(async (session) => {
      let changed: boolean;
      if (present) {
        const res = await this.m.Reaction.updateOne(
          { messageId, userId, emoji },
          { $setOnInsert: { createdAt: new Date() } },
          { upsert: true, session },
        );
        changed = res.upsertedCount > 0;
      } else {
        changed = (await this.m.Reaction.deleteOne({ messageId, userId, emoji }, { session })).deletedCount > 0;
      }
      const value = message((await this.m.Message.findById(messageId, null, { session, lean: true })) as Doc);
      if (!changed) return { value, event: null };
      return { value, event: await this.appendEvent(session, value.roomId, 'REACTION_CHANGED', { messageId }) };
    });
  }

  async reactions(messageIds: readonly string[], viewerId: string | undefined, perMessage?: number): Promise<ReactionCount[]> {
    const rows = await this.m.Reaction.aggregate<Doc>([
      { $match: { messageId: { $in: messageIds } } },
      {
        $group: {
          _id: { messageId: '$messageId', emoji: '$emoji' },
          count: { $sum: 1 },
          mine: { $max: { $eq: ['$userId', viewerId ?? null] } },
          first: { $min: '$createdAt' },
        },
      },
      { $sort: { first: 1, '_id.emoji': 1 } },
    ]);
    const shown = new Map<string, number>();
    return rows
      .filter((r) => {
        const n = (shown.get(r._id.messageId) ?? 0) + 1;
        shown.set(r._id.messageId, n);
        return perMessage === undefined || n <= perMessage;
      })
      .map((r) => ({ messageId: r._id.messageId, emoji: r._id.emoji, count: r.count, reactedByMe: r.mine === true }));
  }

  async unreadCounts(userId: string, rooms: readonly { roomId: string; afterSeq: number }[]): Promise<number[]> {
    if (!rooms.length) return [];
    const groups = await this.m.Message.aggregate<Doc>([
      { $match: { $or: rooms.map((r) => ({ roomId: r.roomId, seq: { $gt: r.afterSeq } })), authorId: { $ne: userId }, deletedAt: null } },
      { $group: { _id: '$roomId', n: { $sum: 1 } } },
    ]);
    const byRoom = new Map(groups.map((g) => [g._id as string, g.n as number]));
    return rooms.map((r) => byRoom.get(r.roomId) ?? 0);
  }

  // Each room's page is its own indexed query, sent together: MongoDB has no LATERAL join.
  async pageMessagesOfRooms(roomIds: readonly string[], page: PageRequest): Promise<MessagePage[]> {
    return Promise.all(roomIds.map((id) => this.pageMessages(id, page)));
  }

  async pageMessages(roomId: string, page: PageRequest): Promise<MessagePage> {
    const forward = page.direction === 'forward';
    const seq: Doc = {};
    if (page.afterSeq !== undefined) seq.$gt = page.afterSeq;
    if (page.beforeSeq !== undefined) seq.$lt = page.beforeSeq;
    const filter: Doc = { roomId, ...(Object.keys(seq).length ? { seq } : {}) };
    const docs = await this.m.Message.find(filter)
      .sort({ seq: forward ? 1 : -1 })
      .limit(page.limit + 1)
      .lean();
    const more = docs.length > page.limit;
    const messages = docs.slice(0, page.limit).map(message);
    if (!forward) messages.reverse();
    const first = messages[0]?.seq ?? page.afterSeq ?? page.beforeSeq;
    const last = messages.at(-1)?.seq ?? page.beforeSeq ?? page.afterSeq;
    const exists = async (op: '$lt' | '$gt', s: number | undefined) =>
      s !== undefined && (await this.m.Message.exists({ roomId, seq: { [op]: s } })) !== null;
    return forward
      ? { messages, hasMoreAfter: more, hasMoreBefore: await exists('$lt', first) }
      : { messages, hasMoreBefore: more, hasMoreAfter: await exists('$gt', last) };
  }

  async eventsAfter(roomId: string, afterSeq: number, limit: number): Promise<RoomEventRecord[]> {
    return (await this.m.RoomEvent.find({ roomId, seq: { $gt: afterSeq } }).sort({ seq: 1 }).limit(limit).lean()).map(event);
  }
}
