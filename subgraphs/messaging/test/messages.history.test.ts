import { codeOf, registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, inBatches, must, type MessagingClient } from './messaging-client';

const COUNT = 250;
const PAGE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  room(id: $id) { messages(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id seq body } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

interface Page {
  edges: { cursor: string; node: { id: string; seq: number; body: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

describe('message history: a Relay connection over seq', () => {
  let stack: Stack;
  let alice: MessagingClient, bob: MessagingClient;
  let roomId: string;
  let sent: { id: string; seq: number; body: string }[];

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob] = (await Promise.all([registerUser(stack), registerUser(stack)])).map((u) => clientFor(stack, u));
    roomId = (await alice.createRoom('history', [bob.user.id])).id;
    const answered = await inBatches(COUNT, 25, (i) => [alice, bob][i % 2].sendRetrying(roomId, `message ${i}`));
    sent = answered.map(({ id, seq, body }) => ({ id, seq, body })).sort((a, b) => a.seq - b.seq);
  });
  afterAll(() => stack.stop());

  const page = async (args: Record<string, unknown>, as = alice): Promise<Page> => must(await as.request(PAGE, { id: roomId, ...args }), 'room').messages;
  const nodes = (p: Page) => p.edges.map((e) => ({ id: e.node.id, seq: e.node.seq, body: e.node.body }));
  const expectOldestFirst = (p: Page) => {
    const seqs = p.edges.map((e) => e.node.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  };

  it('pages forward with first/after over all 250 messages, each exactly once, in order', async () => {
    const seen: Page[] = [];
    let after: string | null = null;
    do {
      const p = await page({ first: 100, after });
      expectOldestFirst(p);
      expect(p.pageInfo.hasPreviousPage).toBe(seen.length > 0);
      expect(p.pageInfo.startCursor).toBe(p.edges[0].cursor);
      expect(p.pageInfo.endCursor).toBe(p.edges.at(-1)!.cursor);
      seen.push(p);
      after = p.pageInfo.hasNextPage ? p.pageInfo.endCursor : null;
    } while (after);
    expect(seen.map((p) => p.edges.length)).toEqual([100, 100, 50]);
    expect(seen.flatMap(nodes)).toEqual(sent);
  });

  it('pages backward with last/before from the newest, each exactly once, oldest first within a page', async () => {
    const seen: Page[] = [];
    let before: string | null = null;
    do {
      const p = await page({ last: 100, before });
      expectOldestFirst(p);
      expect(p.pageInfo.hasNextPage).toBe(seen.length > 0);
      seen.push(p);
      before = p.pageInfo.hasPreviousPage ? p.pageInfo.startCursor : null;
    } while (before);
    expect(seen.map((p) => p.edges.length)).toEqual([100, 100, 50]);
    expect(seen.reverse().flatMap(nodes)).toEqual(sent);
  });

  it('gives every member the same history, and the newest 50 when no page size is asked', async () => {
    const p = await page({}, bob);
    expect(nodes(p)).toEqual(sent.slice(-50));
    expect(p.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const middle = await page({ first: 3, after: p.edges[0].cursor });
    expect(nodes(middle)).toEqual(sent.slice(201, 204));
    const window = await page({ last: 2, after: p.edges[0].cursor, before: p.edges[5].cursor });
    expect(nodes(window)).toEqual(sent.slice(203, 205));
    const none = await page({ first: 10, after: sent.length ? (await page({ last: 1 })).edges[0].cursor : null });
    expect(none.edges).toEqual([]);
    expect(none.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
  });

  it('refuses more than 100 per page, negative sizes, first with last, and cursors it never gave out, naming the argument', async () => {
    // Over the page size the schema declares (@listSize), the gateway refuses before planning.
    for (const args of [{ first: 101 }, { last: 101 }]) {
      const res = await alice.request(PAGE, { id: roomId, ...args });
      expect([args, codeOf(res), res.errors![0].extensions!.limit]).toEqual([args, 'GRAPHQL_VALIDATION_FAILED', 'list_size']);
    }
    const cases: [Record<string, unknown>, string][] = [
      [{ first: -1 }, 'first'],
      [{ first: 1, last: 1 }, 'last'],
      [{ first: 10, after: 'not a cursor' }, 'after'],
      [{ last: 10, before: '' }, 'before'],
      [{ first: 10, after: Buffer.from('seq:-1').toString('base64url') }, 'after'],
      [{ first: 10, after: Buffer.from('id:42').toString('base64url') }, 'after'],
      // Well-formed but beyond any seq a room can reach.
      [{ first: 10, after: Buffer.from('seq:9999999999').toString('base64url') }, 'after'],
      [{ last: 10, before: 'x'.repeat(65) }, 'before'],
    ];
    for (const [args, field] of cases) {
      const res = await alice.request(PAGE, { id: roomId, ...args });
      expect([args, codeOf(res)]).toEqual([args, 'BAD_USER_INPUT']);
      expect(Object.keys(res.errors![0].extensions!.fields)).toEqual([field]);
    }
    expect((await page({ first: 100 })).edges).toHaveLength(100);
  });
});
