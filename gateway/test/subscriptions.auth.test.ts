import { createHmac } from 'node:crypto';
import { signIdentity } from '@aether/common';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { body } } } }`;

/** Opens a graphql-ws connection and resolves with its close code, or 'open' once acknowledged. */
function connect(url: string, connectionParams: Record<string, unknown> | undefined): Promise<{ code: number | 'open'; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.on('open', () => {
      if (connectionParams !== undefined) socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams }));
    });
    socket.on('message', (data) => {
      if (JSON.parse(String(data)).type === 'connection_ack') resolve({ code: 'open', socket });
    });
    socket.on('close', (code) => resolve({ code, socket }));
    socket.on('error', reject);
  });
}

function waitForClose(socket: WebSocket, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    if (socket.readyState === WebSocket.CLOSED) return reject(new Error('already closed'));
    const timer = setTimeout(() => reject(new Error('socket stayed open')), timeoutMs);
    socket.once('close', (code) => (clearTimeout(timer), resolve(code)));
  });
}

describe('subscriptions: who may connect and subscribe', () => {
  let stack: Stack;
  let alice: TestUser;
  let mallory: TestUser;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        WS_CONNECTIONS_PER_USER: '3',
        WS_SUBSCRIPTIONS_PER_CONNECTION: '2',
        WS_INIT_TIMEOUT_MS: '500',
        WS_SESSION_RECHECK_MS: '300',
      },
    });
    [alice, mallory] = await Promise.all([registerUser(stack), registerUser(stack)]);
    roomId = (await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "private" }) { id } }`, {}, { token: alice.accessToken })).data!.createRoom.id;
  });
  afterAll(() => stack.stop());

  it.each([
    ['no connection_init payload', {}, 4401],
    ['an authorization that is not a bearer token', { authorization: 'Basic abc' }, 4403],
    ['a token that is not a JWT', { authorization: 'Bearer not-a-token' }, 4403],
  ])('closes a socket with %s (%s)', async (_name, params, code) => {
    expect((await connect(stack.gatewayUrl, params)).code).toBe(code);
  });

  it('closes a socket whose token was tampered with or signed with alg none', async () => {
    const [header, payload] = alice.accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['USER', 'ADMIN'] })).toString('base64url');
    expect((await connect(stack.gatewayUrl, { authorization: `Bearer ${header}.${forged}.${alice.accessToken.split('.')[2]}` })).code).toBe(4403);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect((await connect(stack.gatewayUrl, { authorization: `Bearer ${none}.${payload}.` })).code).toBe(4403);
  });

  it('closes a socket that never sends connection_init', async () => {
    expect((await connect(stack.gatewayUrl, undefined)).code).toBe(4408);
  });

  it('refuses a non-member with FORBIDDEN and delivers nothing of the room to them', async () => {
    const client = wsClient(stack.gatewayUrl, mallory.accessToken);
    const sub = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: 0 });
    await sub.waitForEnd();
    await gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`, { i: { roomId, body: 'secret' } }, { token: alice.accessToken });
    expect(sub.events.map((e) => e.data ?? null)).toEqual([null]);
    expect(sub.events[0].errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(JSON.stringify(sub.events)).not.toContain('secret');
    await client.dispose();
  });

  it('answers a subscription with an unknown room or bad arguments with an error, keeping the socket', async () => {
    const client = wsClient(stack.gatewayUrl, alice.accessToken);
    const unknown = new Collector(client, ROOM_EVENTS, { roomId: '00000000-0000-4000-8000-000000000000' });
    await unknown.waitForEnd();
    expect(unknown.events[0].errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const negative = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: -5 });
    await negative.waitForEnd();
    expect(negative.events[0].errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const invalid = new Collector(client, `subscription { roomEvents { seq } }`);
    await invalid.waitForEnd();
    expect(invalid.error).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
    const me = new Collector(client, `{ me { id } }`);
    await me.waitForEnd();
    expect(me.events[0].data).toEqual({ me: { id: alice.id } });
    await client.dispose();
  });

  it('limits connections per user and subscriptions per connection', async () => {
    const user = await registerUser(stack);
    const open = await Promise.all([1, 2, 3].map(() => connect(stack.gatewayUrl, { authorization: `Bearer ${user.accessToken}` })));
    expect(open.map((o) => o.code)).toEqual(['open', 'open', 'open']);
    expect((await connect(stack.gatewayUrl, { authorization: `Bearer ${user.accessToken}` })).code).toBe(4029);
    open[0].socket.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await connect(stack.gatewayUrl, { authorization: `Bearer ${user.accessToken}` });
    expect(again.code).toBe('open');
    for (const o of [...open.slice(1), again]) o.socket.close();

    const client = wsClient(stack.gatewayUrl, alice.accessToken);
    const subs = [1, 2, 3].map(() => new Collector(client, ROOM_EVENTS, { roomId }));
    await subs[2].waitForEnd();
    expect(subs[2].error).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'RATE_LIMITED' }) })]);
    expect(subs[0].error ?? subs[1].error).toBeUndefined();
    await client.dispose();
  });

  it('closes an open socket with 4403 soon after its session is ended', async () => {
    const user = await registerUser(stack);
    const { code, socket } = await connect(stack.gatewayUrl, { authorization: `Bearer ${user.accessToken}` });
    expect(code).toBe('open');
    const closed = waitForClose(socket);
    expect((await gql(stack.gatewayUrl, `mutation { logoutAll }`, {}, { token: user.accessToken })).data).toEqual({ logoutAll: true });
    expect(await closed).toBe(4403);
    expect((await connect(stack.gatewayUrl, { authorization: `Bearer ${user.accessToken}` })).code).toBe(4403);
  });

  it('refuses a client that opens a socket to the messaging subgraph directly', async () => {
    expect((await connect(stack.messagingUrl, {})).code).toBe(4403);
    expect((await connect(stack.messagingUrl, { identity: 'v1.e30.AAAA' })).code).toBe(4403);
    // A valid-looking identity made with the wrong secret is no better.
    const body = Buffer.from(JSON.stringify({ userId: alice.id, roles: ['ADMIN'], expiresAt: Date.now() + 60_000 })).toString('base64url');
    const mac = createHmac('sha256', 'not-the-gateway-secret-not-the-gateway-secret').update(`v1.${body}`).digest('base64url');
    expect((await connect(stack.messagingUrl, { identity: `v1.${body}.${mac}` })).code).toBe(4403);
  });

  it("keeps messaging's unchecked shared stream to the gateway's own identity, and admits only members", async () => {
    // Even an identity the gateway signed: one that names a user may not skip the membership check.
    const secret = stack.env.gatewaySecret;
    const client = createClient({
      url: stack.messagingUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { identity: signIdentity(secret, { roles: [] }) },
    });
    const outcome = (userId: string | undefined, stream: string, query = ROOM_EVENTS) =>
      new Promise<{ events: unknown[]; error?: unknown }>((resolve) => {
        const events: unknown[] = [];
        client.subscribe(
          { query, variables: { roomId }, extensions: { identity: signIdentity(secret, { userId, roles: [] }), stream } },
          { next: (e) => events.push(e), error: (error) => resolve({ events, error }), complete: () => resolve({ events }) },
        );
      });
    try {
      const asUser = await outcome(mallory.id, 'shared');
      expect(JSON.stringify(asUser)).toContain('BAD_USER_INPUT');
      const unknown = await outcome(alice.id, 'everything');
      expect(JSON.stringify(unknown)).toContain('BAD_USER_INPUT');
      const notMember = await outcome(mallory.id, 'admit');
      expect(JSON.stringify(notMember)).toContain('FORBIDDEN');
      // The owner is admitted: the check completes with no event.
      expect(await outcome(alice.id, 'admit')).toEqual({ events: [] });
      // Messaging keeps the documents it has validated (the same text for every subscriber the
      // gateway admits); one that does not validate is refused every time, never kept.
      const invalid = ROOM_EVENTS.replace('seq', 'seq notAField');
      for (let i = 0; i < 2; i++) expect(JSON.stringify(await outcome(alice.id, 'admit', invalid))).toContain('GRAPHQL_VALIDATION_FAILED');
      expect(JSON.stringify(await outcome(mallory.id, 'admit'))).toContain('FORBIDDEN');
    } finally {
      await client.dispose();
    }
  });
});

describe('subscriptions: token expiry', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { ACCESS_TOKEN_TTL: '2' } });
  });
  afterAll(() => stack.stop());

  it('closes the socket with 4401 when the access token expires, so the client reconnects with a fresh one', async () => {
    const user = await registerUser(stack);
    const { code, socket } = await connect(stack.gatewayUrl, { authorization: `Bearer ${user.accessToken}` });
    expect(code).toBe('open');
    expect(await waitForClose(socket, 5000)).toBe(4401);
    const refreshed = await gql(stack.gatewayUrl, `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`, { t: user.refreshToken });
    const fresh = await connect(stack.gatewayUrl, { authorization: `Bearer ${refreshed.data!.refreshToken.accessToken}` });
    expect(fresh.code).toBe('open');
    fresh.socket.close();
  });
});
