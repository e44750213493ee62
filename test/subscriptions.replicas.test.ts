import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, gql, registerUser, type TestUser } from './harness';
import { deploymentEnv, freePort, startRedisProcess, startServiceProcess, type RedisProcess, type ServiceProcess } from './processes';
import { Collector, wsClient } from './ws-client';

const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) {
  roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { body author { username } } } }
}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The production topology on one machine, every service its own process: one auth, two
 * messaging replicas and two gateways (gateway 1 → messaging A, gateway 2 → messaging B), all
 * on one Redis of the test's own, which the tests kill and restart.
 */
describe('subscriptions across replicas, through failures', () => {
  let redis: RedisProcess;
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  let env: Record<string, string>;
  const ports = { auth: 0, grpc: 0, messagingA: 0, messagingB: 0, gateway1: 0, gateway2: 0 };
  const processes: Record<string, ServiceProcess> = {};
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;
  const gatewayUrl = (n: 1 | 2) => `http://127.0.0.1:${n === 1 ? ports.gateway1 : ports.gateway2}/graphql`;

  const startMessaging = async (name: 'messagingA' | 'messagingB') => {
    processes[name] = await startServiceProcess('messaging', name, ports[name], { ...env, MESSAGING_PORT: String(ports[name]) });
  };
  const startGateway = async (n: 1 | 2) => {
    const port = n === 1 ? ports.gateway1 : ports.gateway2;
    processes[`gateway${n}`] = await startServiceProcess('gateway', `gateway${n}`, port, {
      ...env,
      GATEWAY_PORT: String(port),
      SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${n === 1 ? ports.messagingA : ports.messagingB}/graphql`,
    });
  };

  beforeAll(async () => {
    [redis, db, ports.auth, ports.grpc, ports.messagingA, ports.messagingB, ports.gateway1, ports.gateway2] = await Promise.all([
      startRedisProcess(),
      createTestDatabase(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    dataDir = mkdtempSync(join(tmpdir(), 'aether-replicas-'));
    env = deploymentEnv({ databaseUrl: db.url, redisUrl: redis.url, dataDir, authPort: ports.auth, grpcPort: ports.grpc });
    processes.auth = await startServiceProcess('auth', 'auth', ports.auth, env);
    await Promise.all([startMessaging('messagingA'), startMessaging('messagingB')]);
    await Promise.all([startGateway(1), startGateway(2)]);
    [alice, bob] = await Promise.all([registerUser({ gatewayUrl: gatewayUrl(1) }), registerUser({ gatewayUrl: gatewayUrl(2) })]);
    const room = await gql(gatewayUrl(1), `mutation($m: [ID!]) { createRoom(input: { name: "replicas", memberIds: $m }) { id } }`, { m: [bob.id] }, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(processes).map((p) => p.kill('SIGKILL')));
    await redis?.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /** Sends through the given gateway, retrying (same clientMessageId) while a dependency is down. */
  async function sendReliably(n: 1 | 2, body: string): Promise<number> {
    const clientMessageId = randomUUID();
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await gql(
        gatewayUrl(n),
        `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`,
        { i: { roomId, body, clientMessageId } },
        { token: alice.accessToken },
      ).catch(() => undefined);
      if (res?.data?.sendMessage) return res.data.sendMessage.seq;
      await sleep(100);
    }
    throw new Error(`could not send ${body}`);
  }

  async function lastSeq(): Promise<number> {
    const res = await gql(gatewayUrl(1), `query($id: ID!) { room(id: $id) { lastSeq } }`, { id: roomId }, { token: bob.accessToken });
    return res.data!.room.lastSeq;
  }

  function expectExactlyOnce(collector: Collector, from: number, count: number) {
    const seqs = collector.events.map((e) => e.data?.roomEvents.seq);
    expect(collector.events.filter((e) => e.errors)).toEqual([]);
    expect(seqs).toEqual(Array.from({ length: count }, (_, i) => from + 1 + i));
  }

  it('delivers every message sent through either messaging replica to subscribers on both gateways', async () => {
    const from = await lastSeq();
    const clients = [wsClient(gatewayUrl(1), bob.accessToken), wsClient(gatewayUrl(2), bob.accessToken), wsClient(gatewayUrl(2), alice.accessToken)];
    const subs = clients.map((c) => new Collector(c, ROOM_EVENTS, { roomId, afterSeq: from }));
    for (let i = 0; i < 100; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => sendReliably(((i + j) % 2) + 1 as 1 | 2, `r${i + j}`)));
    }
    for (const sub of subs) {
      await sub.waitFor(100, 30_000);
      expectExactlyOnce(sub, from, 100);
      expect(sub.events[0].data!.roomEvents.message.author).toEqual({ username: alice.username });
    }
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('loses nothing and duplicates nothing when Redis is killed and restarted mid-stream', async () => {
    const from = await lastSeq();
    const clients = [wsClient(gatewayUrl(1), bob.accessToken), wsClient(gatewayUrl(2), bob.accessToken)];
    const subs = clients.map((c) => new Collector(c, ROOM_EVENTS, { roomId, afterSeq: from }));
    const sending = (async () => {
      for (let i = 0; i < 60; i++) await sendReliably((i % 2) + 1 as 1 | 2, `redis ${i}`);
    })();
    await subs[0].waitFor(10, 20_000);
    await redis.kill();
    await sleep(1000);
    await redis.restart();
    await sending;
    for (const sub of subs) {
      await sub.waitFor(60, 30_000);
      await sleep(200);
      expectExactlyOnce(sub, from, 60);
    }
    await Promise.all(clients.map((c) => c.dispose()));
  });

  it('loses nothing and duplicates nothing when a messaging replica is killed and restarted mid-stream', async () => {
    const from = await lastSeq();
    const client = wsClient(gatewayUrl(1), bob.accessToken);
    // Aliased, and without the event's own seq: the gateway tracks where to resume regardless.
    const sub = new Collector(
      client,
      `subscription($roomId: ID!, $afterSeq: Int) { events: roomEvents(roomId: $roomId, afterSeq: $afterSeq) { ... on MessageAdded { message { seq body } } } }`,
      { roomId, afterSeq: from },
    );
    const sending = (async () => {
      for (let i = 0; i < 60; i++) await sendReliably(2, `restart ${i}`);
    })();
    await sub.waitFor(10, 20_000);
    // Gateway 1's upstream socket drops; it resubscribes from the last seq it delivered.
    await processes.messagingA.kill('SIGKILL');
    await sleep(500);
    await startMessaging('messagingA');
    await sending;
    await sub.waitFor(60, 30_000);
    await sleep(200);
    expect(sub.events.filter((e) => e.errors)).toEqual([]);
    expect(sub.events.map((e) => e.data!.events.message.seq)).toEqual(Array.from({ length: 60 }, (_, i) => from + 1 + i));
    expect(Object.keys(sub.events[0].data!.events)).toEqual(['message']);
    expect(sub.error).toBeUndefined();
    await client.dispose();
  });

  it('on SIGTERM a gateway closes sockets with 1001 and exits; the client resumes on the other gateway', async () => {
    const from = await lastSeq();
    let closeCode: number | undefined;
    const leaving = wsClient(gatewayUrl(2), bob.accessToken, { onClosed: (code) => (closeCode ??= code) });
    const first = new Collector(leaving, ROOM_EVENTS, { roomId, afterSeq: from });
    for (let i = 0; i < 5; i++) await sendReliably(1, `before ${i}`);
    await first.waitFor(5);
    const exit = processes.gateway2.kill('SIGTERM');
    await first.waitForEnd();
    expect(closeCode).toBe(1001);
    expect(await exit).toEqual({ code: 0, signal: null });
    for (let i = 0; i < 5; i++) await sendReliably(1, `after ${i}`);
    const last = first.events.at(-1)!.data!.roomEvents.seq;
    const other = wsClient(gatewayUrl(1), bob.accessToken);
    const resumed = new Collector(other, ROOM_EVENTS, { roomId, afterSeq: last });
    await resumed.waitFor(5);
    expect([...first.events, ...resumed.events].map((e) => e.data!.roomEvents.seq)).toEqual(Array.from({ length: 10 }, (_, i) => from + 1 + i));
    await other.dispose();
    await leaving.dispose();
  });
});
