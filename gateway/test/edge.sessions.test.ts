import { codeOf, gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';
import { setRolesInDatabase } from '../../subgraphs/auth/test/support';

const ROOM_EVENTS = `subscription($r: ID!) { roomEvents(roomId: $r, afterSeq: 0) { seq } }`;

/** A socket with a live subscription, and when and how it was closed. */
function openWatchingSocket(stack: Stack, user: TestUser, roomId: string) {
  const closed: { code?: number; at?: number } = {};
  const client = wsClient(stack.gatewayUrl, user.accessToken, { onClosed: (code) => Object.assign(closed, { code, at: Date.now() }) });
  const sub = new Collector(client, ROOM_EVENTS, { r: roomId });
  return { client, sub, closed };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('gateway edge: sockets of ended sessions close within a second', () => {
  let stack: Stack;
  let admin: TestUser;

  beforeAll(async () => {
    // The periodic recheck is far away: only the announcement of the ended session can close the socket in time.
    stack = await startStack({ redis: true, env: { WS_SESSION_RECHECK_MS: '600000' } });
    admin = await registerUser(stack);
    await setRolesInDatabase(stack, admin.id, ['USER', 'ADMIN']);
  });
  afterAll(() => stack.stop());

  async function roomOf(user: TestUser): Promise<string> {
    return (await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "r" }) { id } }`, {}, { token: user.accessToken })).data!.createRoom.id;
  }

  it.each([
    ['logoutAll', (user: TestUser) => gql(stack.gatewayUrl, `mutation { logoutAll }`, {}, { token: user.accessToken })],
    ['a ban', (user: TestUser) => gql(stack.gatewayUrl, `mutation($u: ID!) { banUser(userId: $u) { id } }`, { u: user.id }, { token: admin.accessToken })],
    [
      'a role taken back',
      async (user: TestUser) => {
        await gql(stack.gatewayUrl, `mutation($u: ID!) { grantRole(userId: $u, role: MODERATOR) { id } }`, { u: user.id }, { token: admin.accessToken });
        return gql(stack.gatewayUrl, `mutation($u: ID!) { revokeRole(userId: $u, role: MODERATOR) { id } }`, { u: user.id }, { token: admin.accessToken });
      },
    ],
  ])('closes the socket with 4403 after %s', async (_name, end) => {
    const user = await registerUser(stack);
    const roomId = await roomOf(user);
    const socket = openWatchingSocket(stack, user, roomId);
    // The subscription is live once an event reaches it.
    await gql(stack.gatewayUrl, `mutation($r: ID!) { sendMessage(input: { roomId: $r, body: "hi" }) { id } }`, { r: roomId }, { token: user.accessToken });
    await socket.sub.waitFor(1);

    const res = await end(user);
    expect(res.errors).toBeUndefined();
    const endedAt = Date.now();
    await until(() => socket.closed.code !== undefined, 3000);
    expect(socket.closed.code).toBe(4403);
    expect(socket.closed.at! - endedAt).toBeLessThan(1000);
    await socket.client.dispose();
  });
});

describe('gateway edge: every operation on an open socket checks its session', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Without Redis nothing is announced and the recheck is far away: only the per-operation check can refuse.
    stack = await startStack({ env: { WS_SESSION_RECHECK_MS: '600000' } });
  });
  afterAll(() => stack.stop());

  it('refuses queries and mutations over a socket opened before logoutAll, while the socket stays open', async () => {
    const user = await registerUser(stack);
    const roomId = (await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "r" }) { id } }`, {}, { token: user.accessToken })).data!.createRoom.id;
    await gql(stack.gatewayUrl, `mutation($r: ID!) { sendMessage(input: { roomId: $r, body: "hi" }) { id } }`, { r: roomId }, { token: user.accessToken });
    const closed: number[] = [];
    const client = wsClient(stack.gatewayUrl, user.accessToken, { onClosed: (code) => closed.push(code) });
    // A live subscription keeps the (lazy) socket open for the operations that follow.
    const live = new Collector(client, ROOM_EVENTS, { r: roomId });
    await live.waitFor(1);
    const first = new Collector(client, `{ me { id } }`);
    await first.waitForEnd();
    expect(first.events[0].data).toEqual({ me: { id: user.id } });

    expect((await gql(stack.gatewayUrl, `mutation { logoutAll }`, {}, { token: user.accessToken })).data).toEqual({ logoutAll: true });
    // Without Redis the gateway asks auth, remembering each answer for up to 2 s.
    await new Promise((r) => setTimeout(r, 2100));

    const mutation = new Collector(client, `mutation { createRoom(input: { name: "after logout" }) { id } }`);
    await mutation.waitForEnd();
    expect(mutation.error).toBeUndefined();
    expect(mutation.events[0].data ?? null).toBeNull();
    expect(mutation.events[0].errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(closed).toEqual([]);

    const fresh = await registerUser(stack);
    const rooms = await gql(stack.gatewayUrl, `{ myRooms { name } }`, {}, { token: fresh.accessToken });
    expect(codeOf(rooms)).toBeUndefined();
    await client.dispose();
  });
});
