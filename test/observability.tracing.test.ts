import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, gql, registerUser, REDIS_URL, type TestUser } from './harness';
import { OtlpReceiver, SpanKinds, type ReceivedSpan } from './otlp-receiver';
import { deploymentEnv, freePort, startServiceProcess, type ServiceProcess } from './processes';
import { Collector, wsClient } from './ws-client';

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq body author { username } } }`;
const ROOM_EVENTS = `subscription($roomId: ID!, $afterSeq: Int) { roomEvents(roomId: $roomId, afterSeq: $afterSeq) { seq ... on MessageAdded { message { body author { username } } } } }`;

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** Every JSON log line a service process wrote. */
function logLines(process: ServiceProcess): Record<string, unknown>[] {
  return process.output
    .join('')
    .split('\n')
    .flatMap((line) => {
      try {
        const parsed = JSON.parse(line);
        return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
      } catch {
        return [];
      }
    });
}

/**
 * The three services as processes, started the way operators start them, exporting traces
 * with the standard OTEL_* variables to an OTLP/HTTP receiver written here.
 */
describe('tracing through every hop', () => {
  const receiver = new OtlpReceiver();
  let db: { url: string; drop(): Promise<void> };
  let dataDir: string;
  const processes: Record<'auth' | 'messaging' | 'gateway', ServiceProcess> = {} as never;
  let gatewayUrl: string;
  let alice: TestUser;
  let bob: TestUser;
  let roomId: string;

  beforeAll(async () => {
    const [endpoint, database, authPort, grpcPort, messagingPort, gatewayPort] = await Promise.all([
      receiver.start(),
      createTestDatabase(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    db = database;
    dataDir = mkdtempSync(join(tmpdir(), 'aether-tracing-'));
    const env = {
      ...deploymentEnv({ databaseUrl: db.url, redisUrl: REDIS_URL, dataDir, authPort, grpcPort }),
      // Access logs (`http` level) are the lines every service writes for every request.
      LOG_LEVEL: 'http',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      MESSAGING_PORT: String(messagingPort),
      SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messagingPort}/graphql`,
      GATEWAY_PORT: String(gatewayPort),
    };
    processes.auth = await startServiceProcess('auth', 'auth', authPort, env);
    processes.messaging = await startServiceProcess('messaging', 'messaging', messagingPort, env);
    processes.gateway = await startServiceProcess('gateway', 'gateway', gatewayPort, env);
    gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    [alice, bob] = await Promise.all([registerUser({ gatewayUrl }), registerUser({ gatewayUrl })]);
    // Bob opens the direct room, so messaging has looked up alice, not bob: alice's send asks auth about bob over gRPC.
    const room = await gql(gatewayUrl, `mutation($u: ID!) { openDirectRoom(userId: $u) { id } }`, { u: alice.id }, { token: bob.accessToken });
    roomId = room.data!.openDirectRoom.id;
  }, 120_000);

  afterAll(async () => {
    await Promise.all(Object.values(processes).map((p) => p.kill('SIGKILL')));
    await receiver.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('follows a sendMessage from the gateway through messaging and auth gRPC to PostgreSQL, and links each delivery to it', async () => {
    const room = await gql(gatewayUrl, `query($id: ID!) { room(id: $id) { lastSeq } }`, { id: roomId }, { token: bob.accessToken });
    const client = wsClient(gatewayUrl, bob.accessToken);
    const events = new Collector(client, ROOM_EVENTS, { roomId, afterSeq: room.data!.room.lastSeq });
    // Once the first message is in, the stream is past its replay: the traced one arrives live.
    // Bob sends it: messaging has looked alice up already, so alice's send is the one that asks auth about bob.
    const warmUp = await gql(gatewayUrl, SEND, { i: { roomId, body: 'warm up' } }, { token: bob.accessToken });
    expect(warmUp.errors).toBeUndefined();
    await events.waitFor(1, 15_000);

    // The client's own trace id, marked "not sampled": kept as the parent, but the gateway samples by its own rule.
    const clientTraceId = hex(16);
    const clientSpanId = hex(8);
    const sent = await gql(gatewayUrl, SEND, { i: { roomId, body: 'traced' } }, {
      token: alice.accessToken,
      headers: { traceparent: `00-${clientTraceId}-${clientSpanId}-00` },
    });
    expect(sent.errors).toBeUndefined();
    await events.waitFor(2, 15_000);
    expect(events.events[1].data!.roomEvents.message).toEqual({ body: 'traced', author: { username: alice.username } });
    const requestId = sent.headers.get('x-request-id');

    const inTrace = (s: ReceivedSpan) => s.traceId === clientTraceId;
    // The gateway's incoming request: the root of our part of the trace, under the client's span.
    const [gatewayServer] = await receiver.waitFor(
      (all) => all.filter((s) => inTrace(s) && s.service === 'gateway' && s.kind === SpanKinds.SERVER),
      'gateway server span in the client trace',
    );
    expect(gatewayServer.parentSpanId).toBe(clientSpanId);

    // auth's gRPC server, and the PostgreSQL query it ran for messaging's lookup; each process
    // exports on its own schedule, so wait until the whole chain up to the gateway has arrived.
    const [authQuery] = await receiver.waitFor(
      (all) =>
        all.filter(
          (s) =>
            inTrace(s) &&
            s.service === 'auth' &&
            s.attributes['db.system.name'] === 'postgresql' &&
            receiver.ancestry(s).some((a) => a.service === 'auth' && a.attributes['rpc.system'] === 'grpc' && a.kind === SpanKinds.SERVER) &&
            receiver.ancestry(s).at(-1)!.spanId === gatewayServer.spanId,
        ),
      'auth PostgreSQL span under its gRPC server span, linked up to the gateway',
    );
    const chain = receiver.ancestry(authQuery);
    const hops = chain.map((s) => `${s.service}:${s.kind}`);
    // From the query up: auth (pg, gRPC server) <- messaging (gRPC client ... HTTP server) <- gateway (... HTTP server).
    const first = (service: string, kind: number) => hops.indexOf(`${service}:${kind}`);
    expect(first('auth', SpanKinds.SERVER)).toBeGreaterThan(0);
    expect(first('messaging', SpanKinds.CLIENT)).toBeGreaterThan(first('auth', SpanKinds.SERVER));
    expect(first('messaging', SpanKinds.SERVER)).toBeGreaterThan(first('messaging', SpanKinds.CLIENT));
    expect(first('gateway', SpanKinds.CLIENT)).toBeGreaterThan(first('messaging', SpanKinds.SERVER));
    expect(chain.at(-1)).toEqual(gatewayServer);
    // @apollo/gateway's own spans sit between the request and the subgraph fetch.
    expect(chain.filter((s) => s.service === 'gateway').map((s) => s.name)).toEqual(expect.arrayContaining(['gateway.request', 'gateway.execute', 'gateway.fetch']));
    // messaging's own store writes are in the trace too.
    expect(receiver.spans.some((s) => inTrace(s) && s.service === 'messaging' && s.attributes['db.system.name'] === 'postgresql')).toBe(true);

    // The event's publish through Redis belongs to the send ...
    const [publish] = await receiver.waitFor(
      (all) => all.filter((s) => inTrace(s) && s.service === 'messaging' && s.name === 'room event publish' && s.kind === SpanKinds.PRODUCER),
      'publish span in the send trace',
    );
    expect(receiver.spans.some((s) => inTrace(s) && s.parentSpanId === publish.spanId && s.attributes['db.system.name'] === 'redis')).toBe(true);
    // ... and the subscriber's delivery at the gateway is its own trace, linked to that publish.
    const linked = (name: string) => (all: ReceivedSpan[]) =>
      all.filter((s) => s.service === 'gateway' && s.name === name && s.links.some((l) => l.traceId === clientTraceId && l.spanId === publish.spanId));
    const [delivery] = await receiver.waitFor(linked('subscription event deliver'), 'delivery span linked to the send');
    const [execution] = await receiver.waitFor(linked('subscription event execute'), 'event execution span linked to the send');
    expect(delivery.traceId).not.toBe(clientTraceId);
    expect(delivery.kind).toBe(SpanKinds.CONSUMER);
    // The per-event plan fetched the author from auth inside the execution span's trace.
    await receiver.waitFor(
      (all) => all.filter((s) => s.traceId === execution.traceId && s.service === 'auth' && s.kind === SpanKinds.SERVER),
      'auth entity fetch in the event execution trace',
    );

    // And the delivery's lag since the publish is measured for the dashboard and the alert.
    const scrape = await (await fetch(gatewayUrl.replace('/graphql', '/metrics'))).text();
    expect(Number(/^aether_subscription_delivery_lag_seconds_count\{service="gateway"\} (\d+)$/m.exec(scrape)?.[1])).toBeGreaterThanOrEqual(1);

    // Every service wrote a log line for this request carrying its trace id and a span id.
    for (const service of ['gateway', 'messaging', 'auth'] as const) {
      const traced = () => logLines(processes[service]).filter((l) => l.trace_id === clientTraceId);
      for (let wait = 0; wait < 50 && !traced().length; wait++) await new Promise((r) => setTimeout(r, 100));
      const lines = traced();
      expect({ service, logged: lines.length > 0 }).toEqual({ service, logged: true });
      expect(lines.every((l) => typeof l.span_id === 'string' && /^[0-9a-f]{16}$/.test(l.span_id as string))).toBe(true);
      expect(lines.some((l) => l.requestId === requestId)).toBe(true);
    }
    await client.dispose();
  }, 60_000);

  it('starts a trace of its own for a request without traceparent, and leaves probes and scrapes untraced', async () => {
    const res = await gql(gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken });
    expect(res.errors).toBeUndefined();
    // Without a traceparent the gateway starts a trace of its own.
    await receiver.waitFor(
      (all) => all.filter((s) => s.service === 'gateway' && s.kind === SpanKinds.SERVER && !s.parentSpanId),
      'gateway root span for a request without traceparent',
    );
    // Probes and scrapes are not traced.
    await fetch(gatewayUrl.replace('/graphql', '/metrics'));
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.spans.filter((s) => s.attributes['url.path'] === '/metrics' || s.attributes['http.target'] === '/metrics')).toEqual([]);
  });
});
