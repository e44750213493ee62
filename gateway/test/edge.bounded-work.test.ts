import { randomUUID } from 'node:crypto';
import { IDENTITY_HEADER, signIdentity } from '@aether/common';
import { Client } from 'pg';
import { codeOf, gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { wsClient } from '../../test/ws-client';

/**
 * Every SQL statement the messaging service sends, seen on its real connections (pg's
 * `Client#query`, where every statement of the pool goes, tagged by the store's
 * application_name): what one operation costs the database, counted rather than estimated.
 */
function countMessagingStatements(): { statements: string[]; hold?: Promise<void>; restore(): void } {
  const statements: string[] = [];
  const counter: { statements: string[]; hold?: Promise<void>; restore(): void } = { statements, restore: () => undefined };
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: { connectionParameters?: { application_name?: string } }, ...args: unknown[]) {
    if (this.connectionParameters?.application_name === 'aether-messaging') {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string })?.text;
      statements.push(String(text).replace(/\s+/g, ' ').slice(0, 120));
      // A test may hold statements back, to act while one is in flight.
      if (counter.hold) return counter.hold.then(() => original.apply(this, args));
    }
    return original.apply(this, args);
  };
  counter.restore = () => void (proto.query = original);
  return counter;
}

const ROOMS = 60;
const OTHERS = 20;

/**
 * The attack of issue 11: one user in many rooms with many members asks for the rooms of
 * every member of every room. The schema's bounds and the gateway's cost limit cap what such an
 * operation may ask for, and what it may ask for runs in a fixed number of statements.
 */
describe('edge: bounded work per operation', () => {
  let stack: Stack;
  let alice: TestUser;
  let counter: ReturnType<typeof countMessagingStatements>;
  const as = (user: TestUser) => ({ token: user.accessToken });

  beforeAll(async () => {
    stack = await startStack();
    alice = await registerUser(stack);
    // alice and 20 others in 60 rooms together, written straight into the store in bulk.
    const others = Array.from({ length: OTHERS }, () => randomUUID());
    const rooms = Array.from({ length: ROOMS }, () => randomUUID());
    const pg = new Client({ connectionString: stack.databaseUrl });
    await pg.connect();
    await pg.query(
      `INSERT INTO rooms (id, kind, name, last_activity_at)
       SELECT id, 'GROUP', 'room ' || n, now() - n * interval '1 second' FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, n)`,
      [rooms],
    );
    await pg.query(
      `INSERT INTO memberships (room_id, user_id, role, joined_at)
       SELECT r.id, u.id, CASE WHEN u.id = $3 THEN 'OWNER' ELSE 'MEMBER' END, now() - u.n * interval '1 second'
       FROM unnest($1::uuid[]) AS r(id) CROSS JOIN unnest($2::text[]) WITH ORDINALITY AS u(id, n)`,
      [rooms, [alice.id, ...others], alice.id],
    );
    await pg.end();
    counter = countMessagingStatements();
  }, 60_000);

  afterAll(async () => {
    counter?.restore();
    await stack?.stop();
  });

  const nested = (a: number, b: number, c: number) =>
    `{ myRooms(first: ${a}) { id name members(first: ${b}) { role user { id rooms(first: ${c}) { id name } } } } }`;

  async function measured(query: string, variables: Record<string, unknown> = {}) {
    counter.statements.length = 0;
    const started = performance.now();
    const res = await gql(stack.gatewayUrl, query, variables, as(alice));
    return { res, ms: performance.now() - started, statements: [...counter.statements] };
  }

  it('runs the largest nested query the cost limit accepts in a few statements, whatever its size', async () => {
    const small = await measured(nested(2, 3, 4));
    expect(small.res.errors).toBeUndefined();
    // 10 rooms × 20 members × 40 of their rooms: 8,000 rooms in the answer, cost 16,831 of 20,000.
    const big = await measured(nested(10, 20, 40));
    expect(big.res.errors).toBeUndefined();
    const rooms = big.res.data!.myRooms;
    expect(rooms).toHaveLength(10);
    expect(rooms.every((r: { members: unknown[] }) => r.members.length === 20)).toBe(true);
    expect(rooms.flatMap((r: { members: { user: { rooms: unknown[] } }[] }) => r.members.map((m) => m.user.rooms.length))).toEqual(
      Array(200).fill(40),
    );
    // One statement per level (rooms, the viewer's memberships, members, the members' rooms).
    expect(big.statements.length).toBeLessThanOrEqual(4);
    // Well under the gateway's 10 s subgraph timeout (the machine running the tests may be busy).
    expect(big.ms).toBeLessThan(5000);
    expect(small.statements.length).toBe(big.statements.length);
    console.log(
      `nested 10×20×40 (8,000 rooms): ${big.statements.length} SQL statements in ${big.ms.toFixed(0)} ms; ` +
        `2×3×4: ${small.statements.length} statements\n  ${big.statements.join('\n  ')}`,
    );
  });

  it('lists rooms with their unread counts and latest message in a few statements, however many rooms', async () => {
    const list = (n: number) =>
      `{ myRooms(first: ${n}) { id unreadCount messages(last: 1) { edges { node { body reactions { emoji } } } pageInfo { hasPreviousPage } } } }`;
    const few = await measured(list(2));
    const many = await measured(list(60));
    expect(many.res.errors).toBeUndefined();
    expect(many.res.data!.myRooms).toHaveLength(60);
    expect(many.res.data!.myRooms[0]).toMatchObject({ unreadCount: 0, messages: { edges: [], pageInfo: { hasPreviousPage: false } } });
    expect(many.statements.length).toBe(few.statements.length);
    expect(many.statements.length).toBeLessThanOrEqual(6);
    console.log(`room list of 60 with unread counts and last message: ${many.statements.length} SQL statements in ${many.ms.toFixed(0)} ms`);
  });

  it('refuses the unbounded attack query by its cost, before any statement', async () => {
    const { res, statements } = await measured(`{ myRooms { members { user { rooms { id name } } } } }`);
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].extensions!.limit).toBe('cost');
    expect(statements).toEqual([]);
  });

  it.each([
    ['a literal page size', `{ myRooms(first: 1000) { id } }`, {}, 'Query.myRooms', 'first'],
    ['a variable page size', `query($n: Int) { myRooms { members(first: $n) { role } } }`, { n: 101 }, 'Room.members', 'first'],
    ['an alias of a nested list', `{ me { id mine: rooms(first: 500) { id } } }`, {}, 'User.rooms', 'first'],
    ['a message page', `query($r: ID!) { room(id: $r) { messages(last: 101) { edges { cursor } } } }`, { r: randomUUID() }, 'Room.messages', 'last'],
  ])('refuses %s over its bound before planning, naming the bound', async (_, query, variables, field, argument) => {
    const { res, statements } = await measured(query, variables);
    expect(res.status).toBe(400);
    expect(codeOf(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].extensions).toMatchObject({ limit: 'list_size', field, argument });
    expect(res.errors![0].message).toContain(`${field}(${argument}:) is at most`);
    expect(statements).toEqual([]);
  });

  it('refuses the same over a WebSocket', async () => {
    const client = wsClient(stack.gatewayUrl, alice.accessToken);
    const result = await new Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>((resolve) => {
      client.subscribe({ query: `{ myRooms(first: 1000) { id } }` }, { next: resolve, error: (e) => resolve({ errors: e as never }), complete: () => undefined });
    });
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'list_size', field: 'Query.myRooms' });
    await client.dispose();
  });

  it('pages through every room and every member with first/after, each once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof gql>> = await gql(
        stack.gatewayUrl,
        `query($after: String) { myRooms(first: 25, after: $after) { id cursor } }`,
        { after },
        as(alice),
      );
      const page = (res.data as Record<string, unknown>).myRooms as { id: string; cursor: string }[];
      seen.push(...page.map((r) => r.id));
      after = page.length === 25 ? page.at(-1)!.cursor : null;
    } while (after);
    expect(seen).toHaveLength(ROOMS);
    expect(new Set(seen).size).toBe(ROOMS);

    const members = async (after?: string) =>
      (await gql(stack.gatewayUrl, `query($r: ID!, $a: String) { room(id: $r) { members(first: 15, after: $a) { cursor user { id } } } }`, { r: seen[0], a: after }, as(alice)))
        .data!.room.members as { cursor: string; user: { id: string } }[];
    const first = await members();
    const second = await members(first.at(-1)!.cursor);
    expect(first).toHaveLength(15);
    expect(second).toHaveLength(OTHERS + 1 - 15);
    expect(new Set([...first, ...second].map((m) => m.user.id)).size).toBe(OTHERS + 1);
    // Without arguments, 50 by default.
    const all = await gql(stack.gatewayUrl, `{ myRooms { id } }`, {}, as(alice));
    expect(all.data!.myRooms).toHaveLength(50);
  });

  it('refuses a cursor from another list or made up', async () => {
    const member = (await gql(stack.gatewayUrl, `{ myRooms(first: 1) { members(first: 1) { cursor } } }`, {}, as(alice))).data!.myRooms[0]
      .members[0].cursor;
    for (const after of [member, 'bm9wZQ']) {
      const res = await gql(stack.gatewayUrl, `query($a: String) { myRooms(first: 5, after: $a) { id } }`, { a: after }, as(alice));
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.fields).toEqual({ after: 'Not a cursor of this list' });
    }
  });

  it('stops starting statements for a request its caller gave up on', async () => {
    // Straight to messaging, as the gateway would send it, so no cost limit stands in the way.
    const query = `{ myRooms(first: 10) { members(first: 100) { user { rooms(first: 100) { id } } } } }`;
    const send = (signal?: AbortSignal) =>
      fetch(stack.messagingUrl, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          [IDENTITY_HEADER]: signIdentity(stack.env.gatewaySecret, { userId: alice.id, roles: ['USER'] }),
        },
        body: JSON.stringify({ query }),
      });
    counter.statements.length = 0;
    expect((await send()).ok).toBe(true);
    const whole = counter.statements.length;
    expect(whole).toBe(4);

    // The caller leaves while the first statement is running: the levels below it never start.
    counter.statements.length = 0;
    let release!: () => void;
    counter.hold = new Promise((resolve) => (release = resolve));
    const aborted = new AbortController();
    const request = send(aborted.signal).catch((error: Error) => error);
    while (!counter.statements.length) await new Promise((r) => setTimeout(r, 10));
    aborted.abort();
    await request;
    await new Promise((r) => setTimeout(r, 300));
    counter.hold = undefined;
    release();
    await new Promise((r) => setTimeout(r, 500));
    expect(counter.statements).toHaveLength(1);
  });

  it('runs every messaging statement under a statement timeout', async () => {
    // A connection of the store's own pool, as PostgreSQL reports the setting on it.
    const db = (stack.messaging.deps.store as unknown as { db: { query(sql: string): Promise<{ statement_timeout: string }[]> } }).db;
    expect(await db.query('SHOW statement_timeout')).toEqual([{ statement_timeout: '5s' }]);
  });
});
