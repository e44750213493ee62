import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import WebSocket from 'ws';
import { REDIS_URL, createTestDatabase, gql, registerUser, type TestUser } from '../../test/harness';
import { deploymentEnv, freePort, startServiceProcess, type ServiceProcess } from '../../test/processes';

const SUBSCRIPTIONS = 100;
const EVENTS = 20_000;
/**
 * What the gateway may grow by while 100 subscriptions replay 20,000 events each to a socket that
 * does not read: the windows it holds (100 × 50 events of about 4 KB, some 20 MB as text and a
 * few times that as objects while they are executed), the socket's 16 MB and the collector's
 * slack (50–110 MB measured on Node 20 and 24). Buffering past the per-subscription and socket
 * caps would show at once: the whole replay is 100 × 20,000 events of 4 KB, 8 GB.
 */
const GROWTH_BOUND_MB = 140;
const SOCKET_CAP_MB = 16;

const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A client that subscribes a hundred times from `afterSeq: 0` to a long room and then stops
 * reading must cost the gateway bounded memory: replays arrive in windows, not at database
 * speed, and the socket is closed as a slow consumer (1008). The gateway is its own process,
 * so its memory is measured as an operator would see it.
 */
describe('subscriptions: bounded replay to a client that does not read', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  const processes: ServiceProcess[] = [];
  let gatewayUrl: string;
  let alice: TestUser;
  let roomId: string;

  beforeAll(async () => {
    const [database, authPort, grpcPort, messagingPort, gatewayPort] = await Promise.all([
      createTestDatabase(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    db = database;
    dataDir = mkdtempSync(join(tmpdir(), 'aether-backpressure-'));
    const env = deploymentEnv({ databaseUrl: db.url, redisUrl: REDIS_URL, dataDir, authPort, grpcPort });
    processes.push(await startServiceProcess('auth', 'auth', authPort, env));
    processes.push(await startServiceProcess('messaging', 'messaging', messagingPort, { ...env, MESSAGING_PORT: String(messagingPort) }));
    processes.push(
      await startServiceProcess('gateway', 'gateway', gatewayPort, {
        ...env,
        GATEWAY_PORT: String(gatewayPort),
        SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messagingPort}/graphql`,
        WS_SUBSCRIPTIONS_PER_CONNECTION: String(SUBSCRIPTIONS),
        // A generous socket cap keeps the socket open for a while: long enough to see whether
        // what the subgraph replays piles up in the gateway meanwhile.
        WS_MAX_BUFFERED_BYTES: String(SOCKET_CAP_MB * 1024 * 1024),
      }),
    );
    gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    alice = await registerUser({ gatewayUrl });
    const room = await gql(gatewayUrl, `mutation { createRoom(input: { name: "history" }) { id } }`, {}, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;

    // A long history, written straight into the store in bulk (sending 20,000 messages one by one would take minutes).
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(
      `INSERT INTO messages (id, room_id, seq, author_id, body)
       SELECT gen_random_uuid(), $1, s, $2, repeat('history ', 495) || s FROM generate_series(1, $3::int) AS s`,
      [roomId, alice.id, EVENTS],
    );
    await pg.query(
      `INSERT INTO room_events (room_id, seq, type, message_id)
       SELECT room_id, seq, 'MESSAGE_ADDED', id FROM messages WHERE room_id = $1`,
      [roomId],
    );
    await pg.query(`UPDATE rooms SET last_seq = $2 WHERE id = $1`, [roomId, EVENTS]);
    await pg.end();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('closes the socket with 1008 while the gateway stays within a fixed memory bound', async () => {
    const gateway = processes.find((p) => p.name === 'gateway')!;
    const pid = gateway.child.pid!;
    const query = `subscription($r: ID!, $after: Int!) { roomEvents(roomId: $r, afterSeq: $after) { seq ... on MessageAdded { message { body author { displayName } } } } }`;
    const connect = async () => {
      const ws = new WebSocket(gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
      await new Promise((resolve) => ws.once('open', resolve));
      ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${alice.accessToken}` } }));
      await new Promise((resolve) => ws.once('message', resolve));
      return ws;
    };
    // Warm the gateway's subscription path once (a reading client replays the last 500 events),
    // so the baseline includes its loaded code and the heap it grew to: the growth measured
    // below is what a non-reading client adds, not what the first subscription of a process costs.
    const warm = await connect();
    let warmed = 0;
    const warmedUp = new Promise<void>((resolve) => warm.on('message', () => ++warmed === 500 && resolve()));
    warm.send(JSON.stringify({ id: 'warm', type: 'subscribe', payload: { query, variables: { r: roomId, after: EVENTS - 500 } } }));
    await warmedUp;
    warm.close();
    await sleep(1_000);
    const baseline = rssMb(pid);

    const socket = await connect();
    for (let i = 0; i < SUBSCRIPTIONS; i++) {
      socket.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query, variables: { r: roomId, after: 0 } } }));
    }
    socket.pause();
    let closeCode: number | undefined;
    socket.once('close', (code) => (closeCode = code));

    let peak = baseline;
    const started = Date.now();
    const slowConsumerLogged = () => gateway.output.join('').includes('closing a slow consumer');
    while (!slowConsumerLogged() && Date.now() - started < 20_000) {
      peak = Math.max(peak, rssMb(pid));
      await sleep(100);
    }
    expect(slowConsumerLogged()).toBe(true);
    // Read what was sent up to the close frame, as a client that caught up would.
    let received = 0;
    socket.on('message', () => received++);
    socket.resume();
    while (closeCode === undefined && Date.now() - started < 25_000) {
      peak = Math.max(peak, rssMb(pid));
      await sleep(50);
    }
    const after = rssMb(pid);
    console.log(
      `gateway RSS: baseline ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, after close ${after.toFixed(0)} MB; ` +
        `${received} messages reached the client before 1008 after ${Date.now() - started} ms`,
    );
    expect(closeCode).toBe(1008);
    expect(received).toBeLessThan(SUBSCRIPTIONS * EVENTS);
    expect(peak - baseline).toBeLessThan(GROWTH_BOUND_MB);

    // The gateway still serves others.
    const me = await gql(gatewayUrl, '{ me { id } }', {}, { token: alice.accessToken });
    expect(me.data).toEqual({ me: { id: alice.id } });
  }, 60_000);
});
