import { readFileSync } from 'node:fs';
import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';

/** Operations a subgraph has answered so far (POST requests in its own /metrics). */
async function operationsAnswered(subgraphUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', subgraphUrl))).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('aether_http_requests_total{') && line.includes('method="POST"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

const ROOM = `query Room($r: ID!) {
  room(id: $r) {
    members { role user { id displayName } }
    messages(first: 20) { edges { node { body author { id displayName } } } }
  }
}`;

describe('gateway fetches: one request per subgraph and plan step, shared only by the same caller', () => {
  let stack: Stack;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob] = [await registerUser(stack), await registerUser(stack)];
    roomId = (await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "batch" }) { id } }`, {}, { token: alice.accessToken })).data!.createRoom.id;
    await gql(stack.gatewayUrl, `mutation($r: ID!, $u: ID!) { inviteToRoom(roomId: $r, userId: $u) { id } }`, { r: roomId, u: bob.id }, { token: alice.accessToken });
    for (const [i, user] of [alice, bob, alice].entries()) {
      await gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`, { i: { roomId, body: `m${i}` } }, { token: user.accessToken });
    }
  });
  afterAll(() => stack?.stop());

  it('fetches message authors and room members from auth in one request', async () => {
    const before = await operationsAnswered(stack.authUrl);
    const res = await gql(stack.gatewayUrl, ROOM, { r: roomId }, { token: alice.accessToken });
    expect(await operationsAnswered(stack.authUrl)).toBe(before + 1);
    expect(res.errors).toBeUndefined();
    const name = (u: TestUser) => `Display ${u.username}`;
    expect(res.data!.room.members).toEqual([
      { role: 'OWNER', user: { id: alice.id, displayName: name(alice) } },
      { role: 'MEMBER', user: { id: bob.id, displayName: name(bob) } },
    ]);
    expect(res.data!.room.messages.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { body: 'm0', author: { id: alice.id, displayName: name(alice) } },
      { body: 'm1', author: { id: bob.id, displayName: name(bob) } },
      { body: 'm2', author: { id: alice.id, displayName: name(alice) } },
    ]);
  });

  it('keeps each merged query’s answers and errors apart, aliases and viewer-specific fields included', async () => {
    const res = await gql(
      stack.gatewayUrl,
      `query($r: ID!) {
        room(id: $r) {
          members { user { who: username mail: email } }
          messages(first: 20) { edges { node { author { email displayName } } } }
        }
      }`,
      { r: roomId },
      { token: bob.accessToken },
    );
    expect(res.errors).toBeUndefined();
    // Only bob's own email is visible to bob, in both merged parts.
    expect(res.data!.room.members).toEqual([{ user: { who: alice.username, mail: null } }, { user: { who: bob.username, mail: bob.email } }]);
    expect(res.data!.room.messages.edges.map((e: { node: { author: { email: string | null } } }) => e.node.author.email)).toEqual([null, bob.email, null]);
  });

  it('sends identical concurrent queries of one caller once', async () => {
    const before = await operationsAnswered(stack.authUrl);
    const answers = await Promise.all(Array.from({ length: 20 }, () => gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken })));
    expect(answers.map((a) => a.data?.me.id)).toEqual(Array(20).fill(alice.id));
    expect(await operationsAnswered(stack.authUrl)).toBeLessThan(before + 20);
  });

  it('never gives one caller an answer fetched for another', async () => {
    const callers = Array.from({ length: 40 }, (_, i) => (i % 2 ? bob : alice));
    const answers = await Promise.all(callers.map((u) => gql(stack.gatewayUrl, `{ me { id email } }`, {}, { token: u.accessToken })));
    expect(answers.map((a) => a.data?.me)).toEqual(callers.map((u) => ({ id: u.id, email: u.email })));
    const anonymous = await Promise.all([
      gql(stack.gatewayUrl, `{ me { id } }`),
      gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken }),
    ]);
    expect(anonymous.map((a) => a.data?.me)).toEqual([null, { id: alice.id }]);
  });

  it('never shares or merges mutations: identical concurrent sends each store a message', async () => {
    const sends = await Promise.all(
      Array.from({ length: 3 }, () =>
        gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq } }`, { i: { roomId, body: 'same' } }, { token: alice.accessToken }),
      ),
    );
    expect(sends.map((s) => s.errors)).toEqual([undefined, undefined, undefined]);
    expect(new Set(sends.map((s) => s.data!.sendMessage.id)).size).toBe(3);
  });
});

/** Established TCP connections from this process to `port` on loopback (/proc/net/tcp, state 01). */
function connectionsTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => {
      const [, , remote, state] = line.trim().split(/\s+/);
      return remote?.endsWith(`:${hexPort}`) && state === '01';
    }).length;
}

describe('gateway fetches: pooled connections', () => {
  let stack: Stack;
  let alice: TestUser;

  beforeAll(async () => {
    stack = await startStack({ env: { SUBGRAPH_CONNECTIONS: '2', SUBGRAPH_DEDUPE: 'false' } });
    alice = await registerUser(stack);
  });
  afterAll(() => stack?.stop());

  it('opens no more connections to a subgraph than SUBGRAPH_CONNECTIONS, queueing the rest, and keeps them for reuse', async () => {
    const authPort = Number(new URL(stack.authUrl).port);
    const answers = await Promise.all(Array.from({ length: 30 }, () => gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken })));
    expect(answers.map((a) => a.data?.me?.id)).toEqual(Array(30).fill(alice.id));
    const open = connectionsTo(authPort);
    expect(open).toBeGreaterThan(0);
    // The pool's two, plus the one the token verifier keeps for auth's public keys.
    expect(open).toBeLessThanOrEqual(3);
    await Promise.all(Array.from({ length: 30 }, () => gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken })));
    expect(connectionsTo(authPort)).toBe(open);
  });
});
