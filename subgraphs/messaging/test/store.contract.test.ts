import { randomBytes, randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import { createTestDatabase } from '../../../test/harness';
import { MongoMessagingStore } from '../src/store/mongo/mongo-store';
import { PostgresMessagingStore } from '../src/store/postgres/postgres-store';
import { ClientMessageIdReusedError, type MessageRecord, type MessagingStore } from '../src/store/store';

/** A store on a database of its own, and how to throw both away. */
export interface StoreFixture {
  store: MessagingStore;
  destroy(): Promise<void>;
}

/**
 * What every MessagingStore guarantees, whatever it runs on. The GraphQL tests prove the
 * behaviour through the gateway on PostgreSQL; this suite proves the MongoDB store keeps the
 * same promises, so switching MONGO_URL on changes nothing a client sees.
 */
export function messagingStoreContract(name: string, open: () => Promise<StoreFixture>): void {
  describe(`${name} message store contract`, () => {
    let fixture: StoreFixture;
    let store: MessagingStore;

    beforeAll(async () => {
      fixture = await open();
      store = fixture.store;
    });
    afterAll(() => fixture?.destroy());

    const newUser = () => randomUUID();
    const groupRoom = async (members: string[] = []) => store.createRoom({ kind: 'GROUP', name: 'room', ownerId: newUser(), memberIds: members });
    const append = (roomId: string, authorId: string, body = 'hi', clientMessageId: string | null = null) =>
      store.appendMessage({ roomId, authorId, body, clientMessageId, replyToId: null });
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

    it('creates rooms and finds them by id, by member and by shared membership', async () => {
      const [a, b, c] = [newUser(), newUser(), newUser()];
      const first = await store.createRoom({ kind: 'GROUP', name: 'first', ownerId: a, memberIds: [b, a, b] });
      const second = await store.createRoom({ kind: 'GROUP', name: 'second', ownerId: a, memberIds: [c] });
      expect(first).toMatchObject({ kind: 'GROUP', name: 'first', lastSeq: 0 });
      expect(first.createdAt).toBeInstanceOf(Date);

      expect((await store.getRooms([second.id, randomUUID(), first.id])).map((r) => r?.name ?? null)).toEqual(['second', null, 'first']);
      expect(await store.getRoom(randomUUID())).toBeNull();
      const members = await store.listMembers(first.id);
      expect(members.map((m) => [m.userId, m.role]).sort()).toEqual([[a, 'OWNER'], [b, 'MEMBER']].sort());
      expect(members.every((m) => m.lastReadSeq === 0 && m.joinedAt instanceof Date)).toBe(true);

      // Most recently active first: an event in `first` moves it ahead of the newer `second`.
      expect((await store.roomsOf(a)).map((r) => r.id)).toEqual([second.id, first.id]);
      await append(first.id, a);
      expect((await store.roomsOf(a)).map((r) => r.id)).toEqual([first.id, second.id]);
      expect((await store.roomsOf(b)).map((r) => r.id)).toEqual([first.id]);
      expect((await store.sharedRooms(c, a)).map((r) => r.id)).toEqual([second.id]);
      expect(await store.sharedRooms(c, b)).toEqual([]);
    });

    it('reads pages of rooms, members and memberships for many parents in one call', async () => {
      const [a, b, c] = [newUser(), newUser(), newUser()];
      const rooms = [];
      for (let i = 0; i < 5; i++) rooms.push(await store.createRoom({ kind: 'GROUP', name: `r${i}`, ownerId: a, memberIds: i < 3 ? [b, c] : [b] }));
      for (const room of rooms) await append(room.id, a);
      const newestFirst = [...rooms].reverse().map((r) => r.id);

      // Per user: a's rooms for a itself, the rooms b and c share with a.
      const [ofA, ofB, ofC, ofStranger] = await store.roomPages([a, b, c, newUser()], a, { limit: 4 });
      expect(ofA.map((r) => r.id)).toEqual(newestFirst.slice(0, 4));
      expect(ofB.map((r) => r.id)).toEqual(newestFirst.slice(0, 4));
      expect(ofC.map((r) => r.id)).toEqual(rooms.slice(0, 3).reverse().map((r) => r.id));
      expect(ofStranger).toEqual([]);
      // The next page starts after the last room of this one.
      const last = ofA[1];
      const [next] = await store.roomPages([a], a, { limit: 10, after: { at: last.lastActivityAt, id: last.id } });
      expect(next.map((r) => r.id)).toEqual(newestFirst.slice(2));

      const [m0, m4] = await store.memberPages([rooms[0].id, rooms[4].id], { limit: 2 });
      expect(m0).toHaveLength(2);
      expect(m4.map((m) => m.userId).sort()).toEqual([a, b].sort());
      const [rest] = await store.memberPages([rooms[0].id], { limit: 10, after: { at: m0[1].joinedAt, id: m0[1].userId } });
      expect([...m0, ...rest].map((m) => m.userId).sort()).toEqual([a, b, c].sort());

      const memberships = await store.membershipsOf(c, [rooms[0].id, rooms[4].id, randomUUID()]);
      expect(memberships.map((m) => m?.roomId ?? null)).toEqual([rooms[0].id, null, null]);
    });

    it('pages the messages and counts the unread of many rooms at once, as it does one room', async () => {
      const [a, b] = [newUser(), newUser()];
      const busy = await groupRoom([a, b]);
      const quiet = await groupRoom([a, b]);
      const empty = await groupRoom([a]);
      for (let i = 0; i < 5; i++) await append(busy.id, i % 2 ? a : b, `busy ${i}`);
      await append(quiet.id, b, 'quiet');
      const ids = [busy.id, quiet.id, empty.id];
      for (const page of [
        { limit: 2, direction: 'backward' as const },
        { limit: 2, direction: 'forward' as const, afterSeq: 1 },
        { limit: 3, direction: 'backward' as const, beforeSeq: 4 },
      ]) {
        const batched = await store.pageMessagesOfRooms(ids, page);
        const single = await Promise.all(ids.map((id) => store.pageMessages(id, page)));
        expect(batched).toEqual(single);
      }
      expect(await store.unreadCounts(a, [{ roomId: busy.id, afterSeq: 0 }, { roomId: quiet.id, afterSeq: 1 }, { roomId: empty.id, afterSeq: 0 }])).toEqual([
        await store.unreadCount(busy.id, a, 0),
        0,
        0,
      ]);
      expect(await store.unreadCount(busy.id, a, 0)).toBe(3);
    });

    it('opens exactly one direct room per pair, whichever side opens and however many open at once', async () => {
      const [a, b, c] = [newUser(), newUser(), newUser()];
      const opened = await Promise.all(range(1, 24).map((i) => (i % 2 ? store.openDirectRoom(a, b) : store.openDirectRoom(b, a))));
      expect(new Set(opened.map((r) => r.id)).size).toBe(1);
      expect(opened[0]).toMatchObject({ kind: 'DIRECT', name: null, lastSeq: 0 });
      const members = await store.listMembers(opened[0].id);
      expect(members.map((m) => m.userId).sort()).toEqual([a, b].sort());
      expect(members.map((m) => m.role)).toEqual(['MEMBER', 'MEMBER']);
      expect((await store.roomsOf(a)).map((r) => r.id)).toEqual([opened[0].id]);
      const other = await store.openDirectRoom(a, c);
      expect(other.id).not.toBe(opened[0].id);
      expect((await store.openDirectRoom(b, a)).id).toBe(opened[0].id);
    });

    it('allocates every seq once, without gaps, under concurrent appends and room events', async () => {
      const author = newUser();
      const room = await store.createRoom({ kind: 'GROUP', name: 'busy', ownerId: author, memberIds: [] });
      const first = await append(room.id, author);
      const appends = Promise.all(range(1, 60).map((i) => append(room.id, author, `m${i}`)));
      const joins = Promise.all(range(1, 10).map(() => store.addMember(room.id, newUser(), 'MEMBER')));
      const reactions = Promise.all(['👍', '🎉', '❤️'].map((e) => store.setReaction(first.value.id, author, e, true)));
      const [messages, joined, reacted] = await Promise.all([appends, joins, reactions]);

      const seqs = [first, ...messages, ...joined, ...reacted].map((r) => r.event!.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(range(1, 74));
      expect(messages.map((m) => m.value.seq).sort((x, y) => x - y)).toEqual(messages.map((m) => m.event!.seq).sort((x, y) => x - y));
      expect((await store.getRoom(room.id))!.lastSeq).toBe(74);
      const events = await store.eventsAfter(room.id, 0, 1000);
      expect(events.map((e) => e.seq)).toEqual(range(1, 74));
      const bySeq = new Map(messages.map((m) => [m.value.seq, m.value.id]));
      for (const e of events.filter((e) => e.type === 'MESSAGE_ADDED' && e.seq > 1)) expect(e.messageId).toBe(bySeq.get(e.seq));
      expect(events.filter((e) => e.type === 'MEMBER_JOINED')).toHaveLength(10);
      expect(events.filter((e) => e.type === 'REACTION_CHANGED')).toHaveLength(3);
    });

    it('appends idempotently: a repeated clientMessageId of one author returns the first message and appends nothing', async () => {
      const [author, other] = [newUser(), newUser()];
      const room = await groupRoom([author, other]);
      const created = await append(room.id, author, 'first', 'cid-1');
      expect(created).toMatchObject({ created: true, value: { seq: 1, body: 'first', clientMessageId: 'cid-1' } });
      const again = await append(room.id, author, 'changed', 'cid-1');
      expect(again).toEqual({ value: created.value, event: null, created: false });

      const racing = await Promise.all(range(1, 20).map(() => append(room.id, author, 'race', 'cid-race')));
      expect(racing.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(racing.map((r) => r.value.id)).size).toBe(1);
      expect(racing.filter((r) => r.event !== null)).toHaveLength(1);
      expect((await store.getRoom(room.id))!.lastSeq).toBe(2);

      const theirs = await append(room.id, other, 'theirs', 'cid-1');
      expect(theirs.created).toBe(true);
      expect(theirs.value.id).not.toBe(created.value.id);

      const elsewhere = await groupRoom([author]);
      await expect(append(elsewhere.id, author, 'x', 'cid-1')).rejects.toBeInstanceOf(ClientMessageIdReusedError);
      expect((await store.getRoom(elsewhere.id))!.lastSeq).toBe(0);
    });

    it('stores messages as given and reads them back by id, in the order asked', async () => {
      const author = newUser();
      const room = await groupRoom([author]);
      const original = (await append(room.id, author, 'original')).value;
      const reply = (await store.appendMessage({ roomId: room.id, authorId: author, body: 'reply', clientMessageId: null, replyToId: original.id })).value;
      expect(reply).toMatchObject({ roomId: room.id, authorId: author, body: 'reply', replyToId: original.id, editedAt: null, deletedAt: null });
      expect(reply.createdAt).toBeInstanceOf(Date);
      expect(await store.getMessages([reply.id, randomUUID(), original.id])).toEqual([reply, null, original]);
    });

    it('pages forward and backward over 250 messages, each exactly once, oldest first in a page', async () => {
      const author = newUser();
      const room = await groupRoom([author]);
      for (const chunk of [range(1, 125), range(126, 250)]) await Promise.all(chunk.map((i) => append(room.id, author, `m${i}`)));
      const all = range(1, 250);

      const forward: number[] = [];
      let afterSeq: number | undefined;
      let pages = 0;
      for (;;) {
        const page = await store.pageMessages(room.id, { afterSeq, limit: 100, direction: 'forward' });
        const seqs = page.messages.map((m) => m.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(page.hasMoreBefore).toBe(pages > 0);
        forward.push(...seqs);
        pages++;
        if (!page.hasMoreAfter) break;
        afterSeq = seqs.at(-1);
      }
      expect(pages).toBe(3);
      expect(forward).toEqual(all);

      const backward: number[][] = [];
      let beforeSeq: number | undefined;
      for (;;) {
        const page = await store.pageMessages(room.id, { beforeSeq, limit: 100, direction: 'backward' });
        const seqs = page.messages.map((m) => m.seq);
        expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
        expect(page.hasMoreAfter).toBe(backward.length > 0);
        backward.push(seqs);
        if (!page.hasMoreBefore) break;
        beforeSeq = seqs[0];
      }
      expect(backward.map((p) => p.length)).toEqual([100, 100, 50]);
      expect(backward.reverse().flat()).toEqual(all);

      const between = await store.pageMessages(room.id, { afterSeq: 10, beforeSeq: 20, limit: 5, direction: 'forward' });
      expect(between.messages.map((m) => m.seq)).toEqual([11, 12, 13, 14, 15]);
      expect(between).toMatchObject({ hasMoreBefore: true, hasMoreAfter: true });
      const newestBetween = await store.pageMessages(room.id, { afterSeq: 10, beforeSeq: 20, limit: 5, direction: 'backward' });
      expect(newestBetween.messages.map((m) => m.seq)).toEqual([15, 16, 17, 18, 19]);
      const pastTheEnd = await store.pageMessages(room.id, { afterSeq: 250, limit: 10, direction: 'forward' });
      expect(pastTheEnd).toEqual({ messages: [], hasMoreBefore: true, hasMoreAfter: false });
      const empty = await store.pageMessages((await groupRoom()).id, { limit: 10, direction: 'backward' });
      expect(empty).toEqual({ messages: [], hasMoreBefore: false, hasMoreAfter: false });
    });

    it('replays events after a seq, oldest first, with what each refers to', async () => {
      const [owner, guest] = [newUser(), newUser()];
      const room = await store.createRoom({ kind: 'GROUP', name: 'events', ownerId: owner, memberIds: [] });
      const sent = await append(room.id, owner, 'one');
      const joined = await store.addMember(room.id, guest, 'MEMBER');
      await store.editMessage(sent.value.id, 'one, edited');
      await store.setReaction(sent.value.id, guest, '👍', true);
      await store.deleteMessage(sent.value.id);
      await store.removeMember(room.id, guest);

      const events = await store.eventsAfter(room.id, 0, 100);
      expect(events.map((e) => [e.seq, e.type])).toEqual([
        [1, 'MESSAGE_ADDED'],
        [2, 'MEMBER_JOINED'],
        [3, 'MESSAGE_EDITED'],
        [4, 'REACTION_CHANGED'],
        [5, 'MESSAGE_DELETED'],
        [6, 'MEMBER_LEFT'],
      ]);
      expect(events.filter((e) => e.messageId).map((e) => e.seq)).toEqual([1, 3, 4, 5]);
      expect(events.every((e) => e.messageId === null || e.messageId === sent.value.id)).toBe(true);
      expect(events[1].member).toEqual({ userId: guest, role: 'MEMBER', joinedAt: joined.value.joinedAt });
      expect(events[5].member).toMatchObject({ userId: guest, role: 'MEMBER' });
      expect(events[0]).toEqual(sent.event);
      expect((await store.eventsAfter(room.id, 2, 2)).map((e) => e.seq)).toEqual([3, 4]);
      expect(await store.eventsAfter(room.id, 6, 100)).toEqual([]);
    });

    it('edits and soft-deletes messages, recording one event per change', async () => {
      const author = newUser();
      const room = await groupRoom([author]);
      const sent = (await append(room.id, author, 'draft')).value;
      const edited = await store.editMessage(sent.id, 'final');
      expect(edited.value).toMatchObject({ id: sent.id, body: 'final', seq: sent.seq, deletedAt: null });
      expect(edited.value.editedAt).toBeInstanceOf(Date);
      expect(edited.event).toMatchObject({ type: 'MESSAGE_EDITED', messageId: sent.id, seq: 2 });

      const deletions = await Promise.all([store.deleteMessage(sent.id), store.deleteMessage(sent.id), store.deleteMessage(sent.id)]);
      expect(deletions.filter((d) => d.event)).toHaveLength(1);
      expect(deletions.filter((d) => d.event)[0].event).toMatchObject({ type: 'MESSAGE_DELETED', seq: 3 });
      const deletedAt = deletions[0].value.deletedAt;
      expect(deletedAt).toBeInstanceOf(Date);
      for (const d of deletions) expect(d.value).toMatchObject({ body: '', deletedAt });
      expect((await store.getRoom(room.id))!.lastSeq).toBe(3);
    });

    it('keeps one reaction per user per emoji, counted per emoji with reactedByMe', async () => {
      const [a, b] = [newUser(), newUser()];
      const room = await groupRoom([a, b]);
      const m1 = (await append(room.id, a, 'one')).value;
      const m2 = (await append(room.id, a, 'two')).value;

      expect((await store.setReaction(m1.id, a, '👍', true)).event).toMatchObject({ type: 'REACTION_CHANGED', messageId: m1.id });
      expect((await store.setReaction(m1.id, a, '👍', true)).event).toBeNull();
      const racing = await Promise.all(range(1, 8).map(() => store.setReaction(m1.id, b, '👍', true)));
      expect(racing.filter((r) => r.event)).toHaveLength(1);
      await store.setReaction(m1.id, b, '🎉', true);
      await store.setReaction(m2.id, b, '❤️', true);

      const strip = (rs: { messageId: string; emoji: string; count: number; reactedByMe: boolean }[]) =>
        rs.map((r) => [r.messageId === m1.id ? 'm1' : 'm2', r.emoji, r.count, r.reactedByMe]);
      expect(strip(await store.reactions([m1.id, m2.id], a))).toEqual([
        ['m1', '👍', 2, true],
        ['m1', '🎉', 1, false],
        ['m2', '❤️', 1, false],
      ]);
      expect(strip(await store.reactions([m1.id], b))).toEqual([
        ['m1', '👍', 2, true],
        ['m1', '🎉', 1, true],
      ]);
      expect(strip(await store.reactions([m1.id], undefined)).map((r) => r[3])).toEqual([false, false]);

      const removed = await store.setReaction(m1.id, a, '👍', false);
      expect(removed.event).toMatchObject({ type: 'REACTION_CHANGED' });
      expect(removed.value.id).toBe(m1.id);
      expect((await store.setReaction(m1.id, a, '👍', false)).event).toBeNull();
      expect(strip(await store.reactions([m1.id], a))).toEqual([
        ['m1', '👍', 1, false],
        ['m1', '🎉', 1, false],
      ]);
      expect(await store.reactions([randomUUID()], a)).toEqual([]);
      // At most `perMessage` emojis of each message, the first used first.
      expect(strip(await store.reactions([m1.id, m2.id], a, 1))).toEqual([
        ['m1', '👍', 1, false],
        ['m2', '❤️', 1, false],
      ]);
    });

    it('adds, re-roles and removes members, recording joins and departures once', async () => {
      const owner = newUser();
      const [guest, stranger] = [newUser(), newUser()];
      const room = await store.createRoom({ kind: 'GROUP', name: 'members', ownerId: owner, memberIds: [] });
      const added = await store.addMember(room.id, guest, 'MEMBER');
      expect(added.value).toMatchObject({ roomId: room.id, userId: guest, role: 'MEMBER', lastReadSeq: 0 });
      expect(added.event).toMatchObject({ type: 'MEMBER_JOINED', seq: 1 });
      expect(await store.addMember(room.id, guest, 'ADMIN')).toEqual({ value: added.value, event: null });
      const racing = await Promise.all(range(1, 6).map(() => store.addMember(room.id, stranger, 'MEMBER')));
      expect(racing.filter((r) => r.event)).toHaveLength(1);

      expect(await store.setMemberRole(room.id, guest, 'ADMIN')).toMatchObject({ userId: guest, role: 'ADMIN' });
      expect((await store.getMember(room.id, guest))!.role).toBe('ADMIN');
      expect(await store.setMemberRole(room.id, newUser(), 'ADMIN')).toBeNull();

      const removed = await store.removeMember(room.id, guest);
      expect(removed!.value).toMatchObject({ userId: guest, role: 'ADMIN' });
      expect(removed!.event).toMatchObject({ type: 'MEMBER_LEFT', member: { userId: guest, role: 'ADMIN' } });
      expect(await store.removeMember(room.id, guest)).toBeNull();
      expect(await store.getMember(room.id, guest)).toBeNull();
      expect((await store.listMembers(room.id)).map((m) => m.userId).sort()).toEqual([owner, stranger].sort());
      expect((await store.getRoom(room.id))!.lastSeq).toBe(3);
    });

    it('moves read markers forward only, never past the room, and counts unread messages of others', async () => {
      const [me, other] = [newUser(), newUser()];
      const room = await store.createRoom({ kind: 'GROUP', name: 'reads', ownerId: me, memberIds: [other] });
      const sent: MessageRecord[] = [];
      for (const i of range(1, 6)) sent.push((await append(room.id, i % 3 ? other : me, `m${i}`)).value);
      // seqs 1..6, mine are 3 and 6; deleting seq 2 takes seq 7.
      await store.deleteMessage(sent[1].id);

      expect(await store.unreadCount(room.id, me, 0)).toBe(3);
      expect((await store.markRead(room.id, me, 4)).lastReadSeq).toBe(4);
      expect((await store.markRead(room.id, me, 2)).lastReadSeq).toBe(4);
      expect(await store.unreadCount(room.id, me, 4)).toBe(1);
      expect((await store.markRead(room.id, me, 1_000_000)).lastReadSeq).toBe(7);
      expect((await store.getMember(room.id, me))!.lastReadSeq).toBe(7);
      expect(await store.unreadCount(room.id, me, 7)).toBe(0);
      expect((await store.getMember(room.id, other))!.lastReadSeq).toBe(0);
      const racing = await Promise.all([3, 6, 5, 1].map((seq) => store.markRead(room.id, other, seq)));
      expect(racing.every((m) => m.lastReadSeq >= 1)).toBe(true);
      expect((await store.getMember(room.id, other))!.lastReadSeq).toBe(6);
    });

    it('answers ping while open', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

messagingStoreContract('PostgreSQL', async () => {
  const db = await createTestDatabase();
  const store = new PostgresMessagingStore(db.url);
  await store.init();
  return {
    store,
    async destroy() {
      await store.close();
      await db.drop();
    },
  };
});

const MONGO_URL = process.env.MONGO_URL;
if (MONGO_URL) {
  messagingStoreContract('MongoDB', async () => {
    const dbName = `aether_t_${randomBytes(6).toString('hex')}`;
    const store = new MongoMessagingStore(MONGO_URL, { dbName });
    await store.init();
    return {
      store,
      async destroy() {
        await store.close();
        const admin = await mongoose.createConnection(MONGO_URL, { dbName }).asPromise();
        await admin.dropDatabase();
        await admin.close();
      },
    };
  });
} else {
  describe.skip('MongoDB message store contract: skipped because MONGO_URL is not set (point it at a replica set, e.g. `docker compose up -d mongo`)', () => {
    it('runs the same contract against MongoMessagingStore', () => undefined);
  });
}
