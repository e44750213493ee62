import { codeOf, gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

const CREATE_ROOM = (alias: string) => `${alias}: createRoom(input: { name: "budget" }) { id }`;
const aliased = (n: number) => `mutation { ${Array.from({ length: n }, (_, i) => CREATE_ROOM(`r${i}`)).join(' ')} }`;
const MY_ROOMS = `{ myRooms { id } }`;

/** A batched HTTP request: a JSON array of operations, answered by an array of results. */
async function batch(url: string, token: string, operations: string[]): Promise<{ status: number; results: { data?: unknown; errors?: { extensions?: Record<string, unknown> }[] }[] }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(operations.map((query) => ({ query }))),
  });
  return { status: res.status, results: await res.json() };
}

/** Runs one query or mutation over a fresh graphql-ws socket and returns its single result. */
async function overSocket(url: string, token: string, query: string) {
  const client = wsClient(url, token);
  try {
    const op = new Collector(client, query);
    await op.waitForEnd();
    return { result: op.events[0], error: op.error };
  } finally {
    await client.dispose();
  }
}

describe('gateway edge: one admission path for HTTP, batched HTTP and graphql-ws', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      redis: true,
      env: {
        RATE_LIMIT_WINDOW: '3600',
        RATE_LIMIT_PER_USER: '12',
        // The `rooms` bucket is declared on createRoom in messaging's schema (limit 30); this lowers it.
        RATE_LIMIT_BUCKETS: 'rooms=5',
        LIMIT_BATCH_SIZE: '10',
      },
    });
    while ((await fetch(new URL('/ready', stack.gatewayUrl))).status !== 200) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => stack.stop());

  it('counts every aliased root field against its bucket, and refuses the whole operation before anything is written', async () => {
    const ada = await registerUser(stack);
    const refused = await gql(stack.gatewayUrl, aliased(6), {}, { token: ada.accessToken });
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
    expect(refused.data).toBeUndefined();
    expect((await gql(stack.gatewayUrl, MY_ROOMS, {}, { token: ada.accessToken })).data!.myRooms).toEqual([]);
  });

  it('counts every root field against the general per-user budget too, not one per request', async () => {
    const bob = await registerUser(stack);
    const many = `{ ${Array.from({ length: 10 }, (_, i) => `m${i}: me { id }`).join(' ')} }`;
    expect((await gql(stack.gatewayUrl, many, {}, { token: bob.accessToken })).errors).toBeUndefined();
    const over = await gql(stack.gatewayUrl, `{ a: me { id } b: me { id } c: me { id } }`, {}, { token: bob.accessToken });
    expect({ status: over.status, code: codeOf(over) }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  });

  it('applies one bucket alike to an HTTP operation, each operation of a batch, and a socket operation', async () => {
    const [http, batched, socket] = await Promise.all([registerUser(stack), registerUser(stack), registerUser(stack)]);

    const single = await gql(stack.gatewayUrl, aliased(6), {}, { token: http.accessToken });
    expect(codeOf(single)).toBe('RATE_LIMITED');

    const { status, results } = await batch(stack.gatewayUrl, batched.accessToken, Array.from({ length: 6 }, () => `mutation { ${CREATE_ROOM('r')} }`));
    expect(status).toBe(429);
    expect(results.filter((r) => !r.errors).length).toBe(5);
    expect(results.filter((r) => r.errors?.[0]?.extensions?.code === 'RATE_LIMITED').length).toBe(1);

    const { result, error } = await overSocket(stack.gatewayUrl, socket.accessToken, aliased(6));
    expect(error).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(result.errors?.[0]?.extensions?.http).toBeUndefined();
    expect((await gql(stack.gatewayUrl, MY_ROOMS, {}, { token: socket.accessToken })).data!.myRooms).toEqual([]);
  });

  it('applies the session check alike to HTTP, each operation of a batch, and a socket opened before the session ended', async () => {
    const eve: TestUser = await registerUser(stack);
    const client = wsClient(stack.gatewayUrl, eve.accessToken);
    const before = new Collector(client, `{ me { id } }`);
    await before.waitForEnd();
    expect(before.events[0].data).toEqual({ me: { id: eve.id } });

    expect((await gql(stack.gatewayUrl, `mutation { logoutAll }`, {}, { token: eve.accessToken })).data).toEqual({ logoutAll: true });

    const single = await gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: eve.accessToken });
    expect({ status: single.status, code: codeOf(single) }).toEqual({ status: 401, code: 'UNAUTHENTICATED' });

    const { results } = await batch(stack.gatewayUrl, eve.accessToken, [`{ me { id } }`, `mutation { ${CREATE_ROOM('r')} }`]);
    expect(results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED']);

    // The socket was open before logoutAll: it may be closed with 4403 by now, or refuse the operation; it never runs it.
    const after = new Collector(client, `mutation { ${CREATE_ROOM('r')} }`);
    await after.waitForEnd().catch(() => undefined);
    expect(after.events.some((e) => e.data)).toBe(false);
    await client.dispose();
  });
});
