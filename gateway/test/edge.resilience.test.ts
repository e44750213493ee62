import { codeOf, gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

/** The value of one sample of a Prometheus text exposition, 0 when it is absent. */
async function sample(url: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

describe('gateway edge: a subgraph outage', () => {
  let stack: Stack;
  let alice: TestUser;
  let roomId: string;

  const BOTH = `query Both($r: ID!) { me { id username } room(id: $r) { id name } }`;

  beforeAll(async () => {
    stack = await startStack();
    alice = await registerUser(stack);
    const room = await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "outage" }) { id } }`, {}, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;
  });
  afterAll(() => stack?.stop());

  const ready = async () => {
    const res = await fetch(new URL('/ready', stack.gatewayUrl));
    return { status: res.status, body: await res.json() };
  };

  it('answers in full while every subgraph is up', async () => {
    const res = await gql(stack.gatewayUrl, BOTH, { r: roomId }, { token: alice.accessToken });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ me: { id: alice.id, username: alice.username }, room: { id: roomId, name: 'outage' } });
    expect((await ready()).status).toBe(200);
  });

  describe('while messaging is down', () => {
    beforeAll(() => stack.messaging.stop());

    it('serves queries that do not need messaging', async () => {
      const res = await gql(stack.gatewayUrl, `{ me { id username } }`, {}, { token: alice.accessToken });
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ me: { id: alice.id, username: alice.username } });
    });

    it('gives partial data, with an error at the path it could not fetch, for queries that do', async () => {
      const res = await gql(stack.gatewayUrl, BOTH, { r: roomId }, { token: alice.accessToken });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ me: { id: alice.id, username: alice.username }, room: null });
      expect(res.errors).toHaveLength(1);
      // The gateway cannot tell which field a failed fetch was for; it says only that something failed.
      // ... and the request id to quote, the same the response header and the logs carry.
      const requestId = res.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      expect(res.errors![0]).toEqual({
        message: 'Service temporarily unavailable, try again',
        extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 1, requestId },
      });
      expect(JSON.stringify(res.errors)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|fetch failed/);
    });

    it('retries failed query fetches, never mutations', async () => {
      const retries = () => sample(stack.gatewayUrl, 'aether_subgraph_fetch_retries_total', { subgraph: 'messaging' });
      const before = await retries();
      await gql(stack.gatewayUrl, `query($r: ID!) { room(id: $r) { id } }`, { r: roomId }, { token: alice.accessToken });
      const afterQuery = await retries();
      expect(afterQuery).toBe(before + 1);
      const send = await gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`, { i: { roomId, body: 'lost?' } }, { token: alice.accessToken });
      expect(codeOf(send)).toBe('SERVICE_UNAVAILABLE');
      expect(send.data ?? null).toBeNull();
      expect(await retries()).toBe(afterQuery);
    });

    it('reports not ready (and still alive), and says which dependency is down', async () => {
      const { status, body } = await ready();
      expect(status).toBe(503);
      expect(body.checks.subgraphs).toBe('down');
      expect((await fetch(new URL('/health', stack.gatewayUrl))).status).toBe(200);
      expect(await sample(stack.gatewayUrl, 'aether_dependency_up', { dependency: 'subgraphs' })).toBe(0);
      // Per subgraph too, for the AetherSubgraphDown alert: which one is down.
      expect(await sample(stack.gatewayUrl, 'aether_dependency_up', { dependency: 'subgraph:messaging' })).toBe(0);
      expect(await sample(stack.gatewayUrl, 'aether_dependency_up', { dependency: 'subgraph:auth' })).toBe(1);
    });

    it('logs each failure once, with the request id and no credentials', async () => {
      const requestId = `outage-${Date.now()}`;
      await gql(stack.gatewayUrl, BOTH, { r: roomId }, { token: alice.accessToken, headers: { 'x-request-id': requestId } });
      const lines = stack.logs.lines.filter((l) => l.includes(requestId)).map((l) => JSON.parse(l));
      const failures = lines.filter((l) => l.level === 'error');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({
        service: 'gateway',
        message: 'operation failed',
        operationName: 'Both',
        userId: alice.id,
        error: 'subgraph messaging unavailable (ECONNREFUSED)',
      });
      expect(stack.logs.lines.join('\n')).not.toContain(alice.accessToken);
    });

    it('gives the same masked error with a quotable request id over WebSocket, and logs it under that id', async () => {
      const client = wsClient(stack.gatewayUrl, alice.accessToken);
      const result = new Collector(client, BOTH, { r: roomId });
      await result.waitForEnd();
      await client.dispose();
      const [error] = result.events[0].errors as unknown as { extensions: { code: string; requestId: string } }[];
      expect(error.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 1, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      const logged = stack.logs.lines.filter((l) => l.includes(error.extensions.requestId)).map((l) => JSON.parse(l));
      expect(logged.filter((l) => l.level === 'error')).toEqual([expect.objectContaining({ service: 'gateway', message: 'operation failed', userId: alice.id })]);
    });
  });

  describe('when messaging comes back on the same port', () => {
    beforeAll(() => stack.restartMessaging());

    it('answers in full again and is ready', async () => {
      const res = await gql(stack.gatewayUrl, BOTH, { r: roomId }, { token: alice.accessToken });
      expect(res.errors).toBeUndefined();
      expect(res.data!.room).toEqual({ id: roomId, name: 'outage' });
      expect((await ready()).status).toBe(200);
      expect(await sample(stack.gatewayUrl, 'aether_dependency_up', { dependency: 'subgraphs' })).toBe(1);
    });
  });
});
