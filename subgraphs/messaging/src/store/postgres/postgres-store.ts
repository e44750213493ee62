import { randomUUID } from 'node:crypto';
import { runMigrationsLocked } from '@aether/common';
import { DataSource, type EntityManager } from 'typeorm';
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
import { CreateMessaging1764000000001 } from './migrations';

type Row = Record<string, unknown>;
type Runner = Pick<EntityManager, 'query'>;

const UNIQUE_VIOLATION = '23505';

const room = (r: Row): RoomRecord => ({
  id: r.id as string,
  kind: r.kind as RoomRecord['kind'],
  name: (r.name as string | null) ?? null,
  lastSeq: Number(r.last_seq),
  createdAt: r.created_at as Date,
  lastActivityAt: r.last_activity_at as Date,
});

const member = (r: Row): MemberRecord => ({
  roomId: r.room_id as string,
  userId: r.user_id as string,
  role: r.role as RoomRole,
  joinedAt: r.joined_at as Date,
  lastReadSeq: Number(r.last_read_seq),
});

const message = (r: Row): MessageRecord => ({
  id: r.id as string,
  roomId: r.room_id as string,
  seq: Number(r.seq),
  authorId: r.author_id as string,
  body: r.body as string,
  clientMessageId: (r.client_message_id as string | null) ?? null,
  replyToId: (r.reply_to_id as string | null) ?? null,
  createdAt: r.created_at as Date,
  editedAt: (r.edited_at as Date | null) ?? null,
  deletedAt: (r.deleted_at as Date | null) ?? null,
});

const event = (r: Row): RoomEventRecord => ({
  roomId: r.room_id as string,
  seq: Number(r.seq),
  type: r.type as RoomEventType,
  messageId: (r.message_id as string | null) ?? null,
  member: r.member_user_id
    ? { userId: r.member_user_id as string, role: r.member_role as RoomRole, joinedAt: r.member_joined_at as Date }
    : null,
  createdAt: r.created_at as Date,
});

/** Rows of one statement for many parents, split back into one list per parent in the order asked. */
function groupBy<T>(keys: readonly string[], rows: Row[], keyOf: (r: Row) => string, map: (r: Row) => T): T[][] {
  const lists = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const r of rows) lists.get(keyOf(r))?.push(map(r));
  return keys.map((k) => lists.get(k)!);
}

/** The message store on PostgreSQL (the default when MONGO_URL is unset). */
export class PostgresMessagingStore implements MessagingStore {
  readonly kind = 'postgres' as const;
  private readonly db: DataSource;

  constructor(url: string, options: { statementTimeoutMs?: number } = {}) {
    this.db = new DataSource({
      type: 'postgres',
      url,
      migrations: [CreateMessaging1764000000001],
      migrationsTableName: 'messaging_migrations',
      synchronize: false,
      logging: false,
      extra: {
        max: 20,
        application_name: 'aether-messaging',
        ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      },
    });
  }

  async init(): Promise<void> {
    await this.db.initialize();
    await runMigrationsLocked(this.db, 'aether-messaging-migrations');
  }

  async close(): Promise<void> {
    if (this.db.isInitialized) await this.db.destroy();
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  /**
   * The room's next seq. The row lock this UPDATE takes is held until the surrounding
   * transaction ends, so concurrent appends to one room are serialised, and a rolled-back
   * append gives its seq back: no gaps, no duplicates.
   */
  private async allocateSeq(tx: Runner, roomId: string): Promise<number> {
    // The statement timeout is for runaway reads; a burst of sends to one room queues here on
    // the row lock (at most a pool's worth of writers), and killing them would fail good sends.
    await tx.query(`SET LOCAL statement_timeout = 0`);
    const [rows] = await tx.query(
      `UPDATE rooms SET last_seq = last_seq + 1, last_activity_at = now() WHERE id = $1 RETURNING last_seq`,
      [roomId],
    );
    if (!rows?.length) throw new Error(`room ${roomId} does not exist`);
    return Number(rows[0].last_seq);
  }

  private async appendEvent(
    tx: Runner,
    roomId: string,
    type: RoomEventType,
    ref: { messageId?: string; member?: MemberRecord },
  ): Promise<RoomEventRecord> {
    const seq = await this.allocateSeq(tx, roomId);
    const rows: Row[] = await tx.query(
      `INSERT INTO room_events (room_id, seq, type, message_id, member_user_id, member_role, member_joined_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [roomId, seq, type, ref.messageId ?? null, ref.member?.userId ?? null, ref.member?.role ?? null, ref.member?.joinedAt ?? null],
    );
    return event(rows[0]);
  }

  async createRoom(input: NewRoom): Promise<RoomRecord> {
    return this.db.transaction(async (tx) => {
      const [created] = await tx.query(`INSERT INTO rooms (id, kind, name) VALUES ($1, $2, $3) RETURNING *`, [
        randomUUID(),
        input.kind,
        input.name,
      ]);
      await this.insertMembers(tx, created.id, input);
      return room(created);
    });
  }

  private async insertMembers(tx: Runner, roomId: string, input: NewRoom): Promise<void> {
    const others = [...new Set(input.memberIds)].filter((id) => id !== input.ownerId);
    const ownerRole = input.kind === 'DIRECT' ? 'MEMBER' : 'OWNER';
    await tx.query(
      `INSERT INTO memberships (room_id, user_id, role)
       SELECT $1, u.id, CASE WHEN u.id = $2 THEN $3 ELSE 'MEMBER' END FROM unnest($4::text[]) AS u(id)`,
      [roomId, input.ownerId, ownerRole, [input.ownerId, ...others]],
    );
  }

  async openDirectRoom(userA: string, userB: string): Promise<RoomRecord> {
    const key = [userA, userB].sort().join(':');
    return this.db.transaction(async (tx) => {
      // The unique direct_key decides races: the loser's insert does nothing and it reads the winner's room.
      const inserted: Row[] = await tx.query(
        `INSERT INTO rooms (id, kind, direct_key) VALUES ($1, 'DIRECT', $2) ON CONFLICT (direct_key) DO NOTHING RETURNING *`,
        [randomUUID(), key],
      );
      if (inserted.length) {
        await this.insertMembers(tx, inserted[0].id as string, { kind: 'DIRECT', name: null, ownerId: userA, memberIds: [userB] });
        return room(inserted[0]);
      }
      const [existing] = await tx.query(`SELECT * FROM rooms WHERE direct_key = $1`, [key]);
      return room(existing);
    });
  }

  async getRoom(id: string): Promise<RoomRecord | null> {
    return (await this.getRooms([id]))[0];
  }

  async getRooms(ids: readonly string[]): Promise<(RoomRecord | null)[]> {
    const rows: Row[] = await this.db.query(`SELECT * FROM rooms WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id as string, room(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async roomsOf(userId: string): Promise<RoomRecord[]> {
    const rows: Row[] = await this.db.query(
      `SELECT r.* FROM rooms r JOIN memberships m ON m.room_id = r.id WHERE m.user_id = $1
       ORDER BY r.last_activity_at DESC, r.id`,
      [userId],
    );
    return rows.map(room);
  }

  async sharedRooms(userId: string, viewerId: string): Promise<RoomRecord[]> {
    const rows: Row[] = await this.db.query(
      `SELECT r.* FROM rooms r
       JOIN memberships a ON a.room_id = r.id AND a.user_id = $1
       JOIN memberships b ON b.room_id = r.id AND b.user_id = $2
       ORDER BY r.last_activity_at DESC, r.id`,
      [userId, viewerId],
    );
    return rows.map(room);
  }

  async roomPages(userIds: readonly string[], viewerId: string, page: KeysetPage): Promise<RoomRecord[][]> {
    const activity = `date_trunc('milliseconds', r.last_activity_at)`;
    const rows: Row[] = await this.db.query(
      `SELECT p.*, u.id AS page_of FROM unnest($1::text[]) AS u(id) CROSS JOIN LATERAL (
         SELECT r.* FROM memberships a
         JOIN memberships b ON b.room_id = a.room_id AND b.user_id = $2
         JOIN rooms r ON r.id = a.room_id
         WHERE a.user_id = u.id
           AND ($3::timestamptz IS NULL OR ${activity} < $3 OR (${activity} = $3 AND r.id > $4::uuid))
         ORDER BY ${activity} DESC, r.id LIMIT $5) p`,
      [userIds, viewerId, page.after?.at ?? null, page.after?.id ?? null, page.limit],
    );
    return groupBy(userIds, rows, (r) => r.page_of as string, room);
  }

  async memberPages(roomIds: readonly string[], page: KeysetPage): Promise<MemberRecord[][]> {
    const joined = `date_trunc('milliseconds', m.joined_at)`;
    const rows: Row[] = await this.db.query(
      `SELECT p.* FROM unnest($1::uuid[]) AS x(id) CROSS JOIN LATERAL (
         SELECT m.* FROM memberships m
         WHERE m.room_id = x.id AND ($2::timestamptz IS NULL OR ${joined} > $2 OR (${joined} = $2 AND m.user_id > $3))
         ORDER BY ${joined}, m.user_id LIMIT $4) p`,
      [roomIds, page.after?.at ?? null, page.after?.id ?? null, page.limit],
    );
    return groupBy(roomIds, rows, (r) => r.room_id as string, member);
  }

  async membershipsOf(userId: string, roomIds: readonly string[]): Promise<(MemberRecord | null)[]> {
    const rows: Row[] = await this.db.query(`SELECT * FROM memberships WHERE user_id = $1 AND room_id = ANY($2::uuid[])`, [userId, roomIds]);
    const byRoom = new Map(rows.map((r) => [r.room_id as string, member(r)]));
    return roomIds.map((id) => byRoom.get(id) ?? null);
  }

  async getMember(roomId: string, userId: string): Promise<MemberRecord | null> {
    const rows: Row[] = await this.db.query(`SELECT * FROM memberships WHERE room_id = $1 AND user_id = $2`, [roomId, userId]);
    return rows.length ? member(rows[0]) : null;
  }

  async listMembers(roomId: string): Promise<MemberRecord[]> {
    const rows: Row[] = await this.db.query(`SELECT * FROM memberships WHERE room_id = $1 ORDER BY joined_at, user_id`, [roomId]);
    return rows.map(member);
  }

  async addMember(roomId: string, userId: string, role: RoomRole): Promise<Appended<MemberRecord>> {
    return this.db.transaction(async (tx) => {
      const inserted: Row[] = await tx.query(
        `INSERT INTO memberships (room_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING *`,
        [roomId, userId, role],
      );
      if (!inserted.length) {
        const [existing] = await tx.query(`SELECT * FROM memberships WHERE room_id = $1 AND user_id = $2`, [roomId, userId]);
        return { value: member(existing), event: null };
      }
      const value = member(inserted[0]);
      return { value, event: await this.appendEvent(tx, roomId, 'MEMBER_JOINED', { member: value }) };
    });
  }

  async removeMember(roomId: string, userId: string): Promise<Appended<MemberRecord> | null> {
    return this.db.transaction(async (tx) => {
      const [deleted] = await tx.query(`DELETE FROM memberships WHERE room_id = $1 AND user_id = $2 RETURNING *`, [roomId, userId]);
      if (!deleted?.length) return null;
      const value = member(deleted[0]);
      return { value, event: await this.appendEvent(tx, roomId, 'MEMBER_LEFT', { member: value }) };
    });
  }

  async setMemberRole(roomId: string, userId: string, role: RoomRole): Promise<MemberRecord | null> {
    const [rows] = await this.db.query(`UPDATE memberships SET role = $3 WHERE room_id = $1 AND user_id = $2 RETURNING *`, [
      roomId,
      userId,
      role,
    ]);
    return rows.length ? member(rows[0]) : null;
  }

  async markRead(roomId: string, userId: string, seq: number): Promise<MemberRecord> {
    const [rows] = await this.db.query(
      `UPDATE memberships SET last_read_seq = GREATEST(last_read_seq, LEAST($3, (SELECT last_seq FROM rooms WHERE id = $1)))
       WHERE room_id = $1 AND user_id = $2 RETURNING *`,
      [roomId, userId, seq],
    );
    return member(rows[0]);
  }

  async unreadCount(roomId: string, userId: string, afterSeq: number): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM messages
       WHERE room_id = $1 AND seq > $3 AND author_id <> $2 AND deleted_at IS NULL`,
      [roomId, userId, afterSeq],
    );
    return Number(row.n);
  }

  async unreadCounts(userId: string, rooms: readonly { roomId: string; afterSeq: number }[]): Promise<number[]> {
    const rows: Row[] = await this.db.query(
      `SELECT (SELECT count(*)::int FROM messages m
               WHERE m.room_id = x.room_id AND m.seq > x.after_seq AND m.author_id <> $1 AND m.deleted_at IS NULL) AS n
       FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS x(room_id, after_seq, i) ORDER BY x.i`,
      [userId, rooms.map((r) => r.roomId), rooms.map((r) => r.afterSeq)],
    );
    return rows.map((r) => Number(r.n));
  }

  async appendMessage(input: NewMessage): Promise<Appended<MessageRecord> & { created: boolean }> {
    if (input.clientMessageId) {
      const existing = await this.byClientId(this.db, input.authorId, input.clientMessageId, input.roomId);
      if (existing) return { value: existing, event: null, created: false };
    }
    try {
      return await this.db.transaction(async (tx) => {
        const seq = await this.allocateSeq(tx, input.roomId);
        const [row] = await tx.query(
          `INSERT INTO messages (id, room_id, seq, author_id, body, client_message_id, reply_to_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
          [randomUUID(), input.roomId, seq, input.authorId, input.body, input.clientMessageId, input.replyToId],
        );
        const value = message(row);
        const [ev] = await tx.query(
          `INSERT INTO room_events (room_id, seq, type, message_id) VALUES ($1, $2, 'MESSAGE_ADDED', $3) RETURNING *`,
          [input.roomId, seq, value.id],
        );
        return { value, event: event(ev), created: true };
      });
    } catch (error) {
      // A concurrent retry with the same clientMessageId won; its transaction rolled ours back, seq included.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && input.clientMessageId) {
        const existing = await this.byClientId(this.db, input.authorId, input.clientMessageId, input.roomId);
        if (existing) return { value: existing, event: null, created: false };
      }
      throw error;
    }
  }

  private async byClientId(tx: Runner, authorId: string, clientMessageId: string, roomId: string): Promise<MessageRecord | null> {
    const rows: Row[] = await tx.query(`SELECT * FROM messages WHERE author_id = $1 AND client_message_id = $2`, [
      authorId,
      clientMessageId,
    ]);
    if (!rows.length) return null;
    const found = message(rows[0]);
    if (found.roomId !== roomId) throw new ClientMessageIdReusedError('clientMessageId was used for another room');
    return found;
  }

  async getMessages(ids: readonly string[]): Promise<(MessageRecord | null)[]> {
    const rows: Row[] = await this.db.query(`SELECT * FROM messages WHERE id = ANY($1::uuid[])`, [ids]);
    const byId = new Map(rows.map((r) => [r.id as string, message(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  private async updateWithEvent(id: string, type: RoomEventType, set: string, params: unknown[]): Promise<Appended<MessageRecord>> {
    return this.db.transaction(async (tx) => {
      const [rows] = await tx.query(`UPDATE messages SET ${set} WHERE id = $1 RETURNING *`, [id, ...params]);
      const value = message(rows[0]);
      return { value, event: await this.appendEvent(tx, value.roomId, type, { messageId: id }) };
    });
  }

  editMessage(id: string, body: string): Promise<Appended<MessageRecord>> {
    return this.updateWithEvent(id, 'MESSAGE_EDITED', `body = $2, edited_at = now()`, [body]);
  }

  async deleteMessage(id: string): Promise<Appended<MessageRecord>> {
    return this.db.transaction(async (tx) => {
      // Only the delete that finds the message alive records an event: concurrent deletes make one.
      const [rows] = await tx.query(`UPDATE messages SET body = '', deleted_at = now() WHERE id = $1 AND deleted_at IS NULL RETURNING *`, [id]);
      if (!rows.length) return { value: message((await tx.query(`SELECT * FROM messages WHERE id = $1`, [id]))[0]), event: null };
      const value = message(rows[0]);
      return { value, event: await this.appendEvent(tx, value.roomId, 'MESSAGE_DELETED', { messageId: id }) };
    });
  }

  async setReaction(messageId: string, userId: string, emoji: string, present: boolean): Promise<Appended<MessageRecord>> {
    return this.db.transaction(async (tx) => {
      const changed: Row[] = present
        ? await tx.query(
            `INSERT INTO reactions (message_id, user_id, emoji) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
            [messageId, userId, emoji],
          )
        : (await tx.query(`DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3 RETURNING 1`, [
            messageId,
            userId,
            emoji,
          ]))[0];
      const [row] = await tx.query(`SELECT * FROM messages WHERE id = $1`, [messageId]);
      const value = message(row);
      if (!changed.length) return { value, event: null };
      return { value, event: await this.appendEvent(tx, value.roomId, 'REACTION_CHANGED', { messageId }) };
    });
  }

  async reactions(messageIds: readonly string[], viewerId: string | undefined, perMessage?: number): Promise<ReactionCount[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM (
         SELECT message_id, emoji, count(*)::int AS count, bool_or(user_id = $2) AS mine, min(created_at) AS first,
                row_number() OVER (PARTITION BY message_id ORDER BY min(created_at), emoji) AS n
         FROM reactions WHERE message_id = ANY($1::uuid[]) GROUP BY message_id, emoji
       ) t WHERE $3::int IS NULL OR n <= $3 ORDER BY first, emoji`,
      [messageIds, viewerId ?? '', perMessage ?? null],
    );
    return rows.map((r) => ({
      messageId: r.message_id as string,
      emoji: r.emoji as string,
      count: Number(r.count),
      reactedByMe: r.mine === true,
    }));
  }

  async pageMessages(roomId: string, page: PageRequest): Promise<MessagePage> {
    const forward = page.direction === 'forward';
    const params: unknown[] = [roomId, page.limit + 1];
    let where = 'room_id = $1';
    if (page.afterSeq !== undefined) where += ` AND seq > $${params.push(page.afterSeq)}`;
    if (page.beforeSeq !== undefined) where += ` AND seq < $${params.push(page.beforeSeq)}`;
    const rows: Row[] = await this.db.query(
      `SELECT * FROM messages WHERE ${where} ORDER BY seq ${forward ? 'ASC' : 'DESC'} LIMIT $2`,
      params,
    );
    const more = rows.length > page.limit;
    const messages = rows.slice(0, page.limit).map(message);
    if (!forward) messages.reverse();
    const first = messages[0]?.seq ?? page.afterSeq ?? page.beforeSeq;
    const last = messages.at(-1)?.seq ?? page.beforeSeq ?? page.afterSeq;
    const exists = async (cond: string, seq: number | undefined) => {
      if (seq === undefined) return false;
      const r: Row[] = await this.db.query(`SELECT 1 FROM messages WHERE room_id = $1 AND seq ${cond} $2 LIMIT 1`, [roomId, seq]);
      return r.length > 0;
    };
    return forward
      ? { messages, hasMoreAfter: more, hasMoreBefore: await exists('<', first) }
      : { messages, hasMoreBefore: more, hasMoreAfter: await exists('>', last) };
  }

  async pageMessagesOfRooms(roomIds: readonly string[], page: PageRequest): Promise<MessagePage[]> {
    const forward = page.direction === 'forward';
    const params: unknown[] = [roomIds, page.limit + 1];
    let where = 'm.room_id = x.id';
    if (page.afterSeq !== undefined) where += ` AND m.seq > $${params.push(page.afterSeq)}`;
    if (page.beforeSeq !== undefined) where += ` AND m.seq < $${params.push(page.beforeSeq)}`;
    const rows: Row[] = await this.db.query(
      `SELECT p.* FROM unnest($1::uuid[]) AS x(id) CROSS JOIN LATERAL (
         SELECT * FROM messages m WHERE ${where} ORDER BY m.seq ${forward ? 'ASC' : 'DESC'} LIMIT $2) p`,
      params,
    );
    const byRoom = groupBy(roomIds, rows, (r) => r.room_id as string, message);
    const pages = byRoom.map((found) => {
      const messages = found.slice(0, page.limit);
      if (!forward) messages.reverse();
      return { messages, more: found.length > page.limit };
    });
    // Whether messages exist on the other side of each page: one statement for all rooms.
    const edges = pages.map(({ messages }) =>
      forward ? (messages[0]?.seq ?? page.afterSeq ?? page.beforeSeq) : (messages.at(-1)?.seq ?? page.beforeSeq ?? page.afterSeq),
    );
    const beyond: Row[] = await this.db.query(
      `SELECT x.seq IS NOT NULL AND EXISTS (SELECT 1 FROM messages m WHERE m.room_id = x.id AND m.seq ${forward ? '<' : '>'} x.seq) AS found
       FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS x(id, seq, i) ORDER BY x.i`,
      [roomIds, edges.map((seq) => seq ?? null)],
    );
    return pages.map(({ messages, more }, i) =>
      forward
        ? { messages, hasMoreAfter: more, hasMoreBefore: beyond[i].found === true }
        : { messages, hasMoreBefore: more, hasMoreAfter: beyond[i].found === true },
    );
  }

  async eventsAfter(roomId: string, afterSeq: number, limit: number): Promise<RoomEventRecord[]> {
    const rows: Row[] = await this.db.query(
      `SELECT * FROM room_events WHERE room_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [roomId, afterSeq, limit],
    );
    return rows.map(event);
  }
}
