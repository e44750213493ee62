import { connect, type Socket } from 'node:net';
import Redis from 'ioredis';
import { codeOf, gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

/**
 * Redis's MONITOR feed over a plain socket: ioredis's monitor() loses track of its replies when
 * the feed starts before its OK is read (a busy shared Redis), so the lines are read here.
 * Calls `onCommand` with each command's arguments and its source (`lua` for a script's calls).
 */
function monitorRedis(url: string, onCommand: (args: string[], source: string) => void): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port || 6379), hostname, () => socket.write('MONITOR\r\n'));
    let buffered = '';
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\r\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line === '+OK') resolve(socket);
        const match = /^\+[\d.]+ \[\d+ ([^\]]+)\] (.*)$/.exec(line);
        if (match) onCommand([...match[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]), match[1]);
      }
    });
  });
}

/**
 * What the edge asks Redis about an operation (is the session ended? every rate counter) is one
 * round trip, whichever way the operation came: watched with MONITOR on this stack's keys only.
 */
describe('gateway edge: one Redis round trip per operation', () => {
  let stack: Stack;
  let monitor: Socket;
  let redis: Redis;
  let alice: TestUser;
  const seen: string[][] = [];

  beforeAll(async () => {
    stack = await startStack({ redis: true, env: { LIMIT_BATCH_SIZE: '5' } });
    alice = await registerUser(stack);
    const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    redis = new Redis(url);
    const prefix = stack.env.redisPrefix;
    // Commands a client sent (not those a script ran) on this stack's session marks and rate counters.
    monitor = await monitorRedis(url, (args, source) => {
      if (source === 'lua') return;
      if (args.some((a) => a.startsWith(`${prefix}rl:`) || a.startsWith(`${prefix}revoked-session:`))) seen.push(args);
    });
  });
  afterAll(async () => {
    monitor?.destroy();
    redis?.disconnect();
    await stack?.stop();
  });

  /** The commands the edge sent while `run` ran (MONITOR lags a little behind). */
  async function commandsDuring(run: () => Promise<unknown>): Promise<string[][]> {
    await redis.ping();
    seen.length = 0;
    await run();
    await new Promise((r) => setTimeout(r, 150));
    return [...seen];
  }

  it('a signed-in HTTP query: the session mark and both counters in one script call', async () => {
    const commands = await commandsDuring(async () => {
      const res = await gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken });
      expect(res.data?.me.id).toBe(alice.id);
    });
    expect(commands).toHaveLength(1);
    expect(commands[0][0].toLowerCase()).toMatch(/^eval(sha)?$/);
    const keys = commands[0].join(' ');
    expect(keys).toContain(`revoked-session:`);
    expect(keys).toContain(`rl:user:${alice.id}`);
    expect(keys).toContain(`rl:ip:`);
  });

  it('a batched HTTP request: one round trip per operation', async () => {
    const commands = await commandsDuring(async () => {
      const res = await fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.accessToken}` },
        body: JSON.stringify([{ query: `{ me { id } }` }, { query: `{ a: me { id } }` }]),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toHaveLength(2);
    });
    expect(commands).toHaveLength(2);
  });

  it('an operation over graphql-ws: one round trip too', async () => {
    const roomId = (await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "r" }) { id } }`, {}, { token: alice.accessToken })).data!.createRoom.id;
    const client = wsClient(stack.gatewayUrl, alice.accessToken);
    try {
      // A live subscription keeps the (lazy) socket open, so the query below does not open a new one.
      const watching = new Collector(client, `subscription($r: ID!) { roomEvents(roomId: $r, afterSeq: 0) { seq } }`, { r: roomId });
      await gql(stack.gatewayUrl, `mutation($r: ID!) { sendMessage(input: { roomId: $r, body: "hi" }) { id } }`, { r: roomId }, { token: alice.accessToken });
      await watching.waitFor(1);
      const commands = await commandsDuring(async () => {
        const query = new Collector(client, `{ me { id } }`);
        await query.waitForEnd();
        expect(query.events[0].data).toEqual({ me: { id: alice.id } });
      });
      expect(commands).toHaveLength(1);
    } finally {
      await client.dispose();
    }
  });

  it('an ended session is refused as before, and its operation is not charged', async () => {
    const bob = await registerUser(stack);
    await gql(stack.gatewayUrl, `mutation($t: String!) { logout(refreshToken: $t) }`, { t: bob.refreshToken }, { token: bob.accessToken });
    const counter = `${stack.env.redisPrefix}rl:user:${bob.id}`;
    const before = await redis.get(counter);
    const res = await gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: bob.accessToken });
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0].message).toBe('Session has ended');
    expect(await redis.get(counter)).toBe(before);
  });
});
