import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, gql, registerUser, REDIS_URL } from '../../test/harness';
import { deploymentEnv, freePort, startServiceProcess, type ServiceProcess } from '../../test/processes';
import { Collector, wsClient } from '../../test/ws-client';

const PROBE = ['--require', join(__dirname, '../../test/probes/async-context.cjs')];
const MARK = 'async-context-probe:';
const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { body author { username } } } } }`;
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq } }`;

/**
 * The gateway carries each request's id and user explicitly (in the operation's context), never
 * in an AsyncLocalStorage: on Node 20 and 22 the first `run` puts a hook on every promise of the
 * process, about a tenth of its CPU per request. The three services run as processes with a probe
 * that reports the first such call; the subgraphs, which do use one, show that it would see it.
 */
describe('request context at the gateway', () => {
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  const processes: ServiceProcess[] = [];

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs HTTP and WebSocket operations, failed ones and subscription events with their request ids, and no AsyncLocalStorage', async () => {
    const [database, authPort, grpcPort, messagingPort, gatewayPort] = await Promise.all([createTestDatabase(), freePort(), freePort(), freePort(), freePort()]);
    db = database;
    dataDir = mkdtempSync(join(tmpdir(), 'aether-async-context-'));
    const env = {
      ...deploymentEnv({ databaseUrl: db.url, redisUrl: REDIS_URL, dataDir, authPort, grpcPort }),
      LOG_LEVEL: 'http',
      MESSAGING_PORT: String(messagingPort),
      SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messagingPort}/graphql`,
      GATEWAY_PORT: String(gatewayPort),
    };
    const auth = await startServiceProcess('auth', 'auth', authPort, env, PROBE);
    const messaging = await startServiceProcess('messaging', 'messaging', messagingPort, env, PROBE);
    const gateway = await startServiceProcess('gateway', 'gateway', gatewayPort, env, PROBE);
    processes.push(auth, messaging, gateway);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;

    const [alice, bob] = await Promise.all([registerUser({ gatewayUrl }), registerUser({ gatewayUrl })]);
    const room = await gql(gatewayUrl, `mutation($u: ID!) { openDirectRoom(userId: $u) { id } }`, { u: alice.id }, { token: bob.accessToken });
    const roomId = room.data!.openDirectRoom.id as string;
    const client = wsClient(gatewayUrl, bob.accessToken);
    try {
      // From the start of the room: replayed if it is sent before the subscription is up, live if after.
      const events = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: 0 });
      const sent = await gql(gatewayUrl, SEND, { i: { roomId, body: 'hello' } }, { token: alice.accessToken, headers: { 'x-request-id': 'probe-send' } });
      expect(sent.errors).toBeUndefined();
      await events.waitFor(1, 15_000);
      expect(events.events[0].data!.roomEvents.message).toEqual({ body: 'hello', author: { username: alice.username } });
      const overSocket = new Collector(client, `{ me { id } }`, {});
      await overSocket.waitForEnd();
      expect(overSocket.events[0].data).toEqual({ me: { id: bob.id } });
      // Refused (a room that does not exist) and malformed: the error paths.
      const refused = await gql(gatewayUrl, SEND, { i: { roomId: '00000000-0000-0000-0000-000000000000', body: 'x' } }, { token: alice.accessToken });
      expect(refused.errors?.length ?? 0).toBeGreaterThan(0);
      expect((await gql(gatewayUrl, `{ me { id `, {}, { token: alice.accessToken })).errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    } finally {
      await client.dispose();
    }

    // The gateway still puts the request's id and user on its lines without one.
    const lines = gateway.output.join('').split('\n').filter((l) => l.includes('"probe-send"')).map((l) => JSON.parse(l));
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'request', requestId: 'probe-send', userId: alice.id })]));
    expect(gateway.output.join('').split('\n').filter((l) => l.startsWith(MARK))).toEqual([]);
    // The probe sees the subgraphs' requests run in their AsyncLocalStorage.
    expect(auth.output.join('')).toContain(MARK);
    expect(messaging.output.join('')).toContain(MARK);
  }, 120_000);
});
