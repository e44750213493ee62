import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase } from '../../../test/harness';
import { MongoMessagingStore } from '../src/store/mongo/mongo-store';
import { PostgresMessagingStore } from '../src/store/postgres/postgres-store';
import type { MessagingStore } from '../src/store/store';

const ROOMS = 400;
const PER_ROOM = 100;

/** The reads a history page, a resume and an unread badge make, for one room in the middle of the data. */
async function historyReads(store: MessagingStore, roomId: string): Promise<void> {
  await store.pageMessages(roomId, { limit: 50, direction: 'backward' });
  await store.pageMessages(roomId, { afterSeq: 40, limit: 20, direction: 'forward' });
  await store.pageMessages(roomId, { beforeSeq: 60, limit: 20, direction: 'backward' });
  await store.eventsAfter(roomId, 70, 1000);
  await store.unreadCount(roomId, 'reader', 10);
}

describe('PostgreSQL: history is read from indexes, never by scanning a table', () => {
  let db: { url: string; drop(): Promise<void> };
  let store: PostgresMessagingStore;
  let sql: Client;
  let roomId: string;
  let reads: { text: string; params: unknown[] }[];

  beforeAll(async () => {
    db = await createTestDatabase();
    store = new PostgresMessagingStore(db.url);
    await store.init();
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    // Enough rooms and rows that, without the indexes, the planner's cheapest plan is a scan.
    await sql.query(`INSERT INTO rooms (id, kind, name, last_seq) SELECT gen_random_uuid(), 'GROUP', 'r' || i, ${PER_ROOM} FROM generate_series(1, ${ROOMS}) i`);
    await sql.query(
      `INSERT INTO messages (id, room_id, seq, author_id, body)
       SELECT gen_random_uuid(), r.id, s, 'author-' || (s % 7), repeat('x', 80) FROM rooms r, generate_series(1, ${PER_ROOM}) s`,
    );
    await sql.query(`INSERT INTO room_events (room_id, seq, type, message_id) SELECT room_id, seq, 'MESSAGE_ADDED', id FROM messages`);
    await sql.query('ANALYZE');
    roomId = (await sql.query(`SELECT id FROM rooms ORDER BY name OFFSET ${ROOMS / 2} LIMIT 1`)).rows[0].id;

    // Record the exact statements the store sends for these reads, to ask PostgreSQL how it runs them.
    const source = (store as unknown as { db: DataSource }).db;
    const spy = jest.spyOn(source, 'query');
    await historyReads(store, roomId);
    reads = spy.mock.calls.map(([text, params]) => ({ text, params: params ?? [] }));
    spy.mockRestore();
  });
  afterAll(async () => {
    await sql?.end();
    await store?.close();
    await db?.drop();
  });

  /** Every scan node of the plan PostgreSQL picks for `read`, as "Node Type [on relation] [(index)]". */
  async function scansOf(read: { text: string; params: unknown[] }): Promise<string[]> {
    const { rows } = await sql.query(`EXPLAIN (FORMAT JSON) ${read.text}`, read.params);
    const found: string[] = [];
    const walk = (node: Record<string, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (node['Relation Name'] || node['Index Name']) {
        found.push([node['Node Type'], node['Relation Name'] && `on ${node['Relation Name']}`, node['Index Name'] && `(${node['Index Name']})`].filter(Boolean).join(' '));
      }
      for (const child of node.Plans ?? []) walk(child);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    return found;
  }

  it('pages, resumes and counts unread through the room+seq indexes', async () => {
    expect(reads.length).toBeGreaterThanOrEqual(5);
    for (const read of reads) {
      const scans = await scansOf(read);
      const viaIndex = scans.filter((s) => /\((messages_room_seq_key|room_events_pkey)\)$/.test(s));
      expect([read.text, scans.filter((s) => s.startsWith('Seq Scan'))]).toEqual([read.text, []]);
      expect([read.text, viaIndex.length > 0]).toEqual([read.text, true]);
      // Any other scan is the heap half of a bitmap scan over those same indexes.
      expect([read.text, scans.filter((s) => !viaIndex.includes(s) && !s.startsWith('Bitmap Heap Scan'))]).toEqual([read.text, []]);
    }
  });

  it('would scan without those indexes: the check above can fail', async () => {
    await sql.query('BEGIN');
    try {
      await sql.query('DROP INDEX messages_room_seq_key');
      await sql.query('ALTER TABLE room_events DROP CONSTRAINT room_events_pkey');
      for (const read of reads) expect([read.text, (await scansOf(read)).some((s) => s.startsWith('Seq Scan'))]).toEqual([read.text, true]);
    } finally {
      await sql.query('ROLLBACK');
    }
    expect((await scansOf(reads[0])).some((s) => s.startsWith('Seq Scan'))).toBe(false);
  });
});

const MONGO_URL = process.env.MONGO_URL;
(MONGO_URL ? describe : describe.skip)(
  `MongoDB: history is read from indexes, never by a collection scan${MONGO_URL ? '' : ' (skipped: MONGO_URL is not set)'}`,
  () => {
    const dbName = `aether_t_${randomBytes(6).toString('hex')}`;
    let store: MongoMessagingStore;
    let conn: Connection;

    beforeAll(async () => {
      store = new MongoMessagingStore(MONGO_URL!, { dbName });
      await store.init();
      conn = (store as unknown as { conn: Connection }).conn;
    });
    afterAll(async () => {
      await conn?.dropDatabase();
      await store?.close();
    });

    it('pages, resumes and counts unread through the roomId+seq indexes', async () => {
      const room = await store.createRoom({ kind: 'GROUP', name: 'big', ownerId: 'reader', memberIds: [] });
      for (let i = 0; i < 30; i++) await store.appendMessage({ roomId: room.id, authorId: 'author', body: `m${i}`, clientMessageId: null, replyToId: null });
      const reads: { collection: string; method: string; filter: Record<string, unknown>; options: Record<string, any> }[] = []; // eslint-disable-line @typescript-eslint/no-explicit-any
      conn.set('debug', (collection: string, method: string, filter: Record<string, unknown>, options: Record<string, unknown>) => {
        if (['find', 'findOne', 'countDocuments'].includes(method)) reads.push({ collection, method, filter, options: options ?? {} });
      });
      await historyReads(store, room.id);
      conn.set('debug', false);
      expect(reads.length).toBeGreaterThanOrEqual(5);
      for (const read of reads) {
        const cursor = conn.db!.collection(read.collection).find(read.filter);
        if (read.options.sort) cursor.sort(read.options.sort);
        if (read.options.limit) cursor.limit(read.options.limit);
        const plan = JSON.stringify(await cursor.explain('queryPlanner'));
        expect([read.collection, read.filter, plan.includes('"COLLSCAN"')]).toEqual([read.collection, read.filter, false]);
        expect(plan).toContain('"IXSCAN"');
      }
    });
  },
);
