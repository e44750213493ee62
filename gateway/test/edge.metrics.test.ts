import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

/** Scrapes one service's /metrics, as Prometheus would. */
async function scrape(url: string): Promise<{ contentType: string | null; text: string }> {
  const res = await fetch(new URL('/metrics', url));
  expect(res.status).toBe(200);
  return { contentType: res.headers.get('content-type'), text: await res.text() };
}

/** The value of the sample `name` whose labels include `labels`, 0 when there is none. */
function valueOf(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (wanted.every((w) => line.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

const sample = async (url: string, name: string, labels: Record<string, string> = {}) => valueOf((await scrape(url)).text, name, labels);

describe('gateway edge: Prometheus metrics on every service', () => {
  let stack: Stack;
  let alice: TestUser;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack({ redis: true, env: { RATE_LIMIT_AUTH_PER_IP: '3', RATE_LIMIT_WINDOW: '3600' } });
    // Rate limits count in memory until the gateway's Redis connection is up: start once it is.
    while ((await fetch(new URL('/ready', stack.gatewayUrl))).status !== 200) await new Promise((r) => setTimeout(r, 50));
    alice = await registerUser(stack);
    const room = await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "metrics" }) { id } }`, {}, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;
  });
  afterAll(() => stack?.stop());

  it('serves the Prometheus text format on the gateway, auth and messaging', async () => {
    for (const url of [stack.gatewayUrl, stack.authUrl, stack.messagingUrl]) {
      const { contentType, text } = await scrape(url);
      expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(text).toMatch(/^# HELP aether_http_requests_total/m);
      expect(text).toMatch(/^process_resident_memory_bytes\{service="(gateway|auth|messaging)"\}/m);
    }
  });

  it('counts and times operations by name and outcome, at the gateway and in the subgraph', async () => {
    const labels = { operation_name: 'WhoAmI', operation_type: 'query', outcome: 'ok' };
    const before = await sample(stack.gatewayUrl, 'aether_graphql_operations_total', labels);
    const timedBefore = await sample(stack.gatewayUrl, 'aether_graphql_operation_duration_seconds_count', labels);
    const authBefore = await sample(stack.authUrl, 'aether_graphql_operations_total', { operation_name: 'WhoAmI__auth__0', outcome: 'ok' });
    const fetchesBefore = await sample(stack.gatewayUrl, 'aether_subgraph_fetch_duration_seconds_count', { subgraph: 'auth', outcome: 'ok' });

    const res = await gql(stack.gatewayUrl, `query WhoAmI { me { id } }`, {}, { token: alice.accessToken });
    expect(res.data!.me.id).toBe(alice.id);

    expect(await sample(stack.gatewayUrl, 'aether_graphql_operations_total', labels)).toBe(before + 1);
    expect(await sample(stack.gatewayUrl, 'aether_graphql_operation_duration_seconds_count', labels)).toBe(timedBefore + 1);
    expect(await sample(stack.authUrl, 'aether_graphql_operations_total', { operation_name: 'WhoAmI__auth__0', outcome: 'ok' })).toBe(authBefore + 1);
    expect(await sample(stack.gatewayUrl, 'aether_subgraph_fetch_duration_seconds_count', { subgraph: 'auth', outcome: 'ok' })).toBe(fetchesBefore + 1);
  });

  it('counts refused operations by the limit that refused them, and errors by code', async () => {
    const refused = () => sample(stack.gatewayUrl, 'aether_operations_refused_total', { limit: 'aliases' });
    const outcomes = () => sample(stack.gatewayUrl, 'aether_graphql_operations_total', { operation_name: 'Aliases', outcome: 'refused' });
    const [r0, o0] = [await refused(), await outcomes()];
    const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: id`).join(' ');
    const res = await gql(stack.gatewayUrl, `query Aliases { me { ${aliases} } }`, {}, { token: alice.accessToken });
    expect(res.status).toBe(400);
    expect(await refused()).toBe(r0 + 1);
    expect(await outcomes()).toBe(o0 + 1);
    expect(await sample(stack.gatewayUrl, 'aether_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBeGreaterThan(0);
  });

  it('counts rate-limited operations by limit', async () => {
    const limited = () => sample(stack.gatewayUrl, 'aether_rate_limited_total', { limit: 'auth' });
    const before = await limited();
    const ip = '198.51.100.77';
    for (let i = 0; i < 4; i++) {
      await gql(stack.gatewayUrl, `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { login: alice.username, password: 'not the password' } }, { headers: { 'x-forwarded-for': ip } });
    }
    expect(await limited()).toBe(before + 1);
  });

  it('tracks open sockets, active subscriptions and delivered events', async () => {
    const client = wsClient(stack.gatewayUrl, alice.accessToken);
    const events = await sample(stack.gatewayUrl, 'aether_subscription_events_delivered_total');
    const sub = new Collector(client, `subscription($r: ID!) { roomEvents(roomId: $r) { seq } }`, { r: roomId });
    // A query on the same socket answers once the subscription before it has been set up.
    const ping = new Collector(client, `{ me { id } }`);
    await ping.waitFor(1);
    expect(await sample(stack.gatewayUrl, 'aether_websockets_open')).toBe(1);
    expect(await sample(stack.gatewayUrl, 'aether_subscriptions_active')).toBe(1);
    await gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`, { i: { roomId, body: 'counted' } }, { token: alice.accessToken });
    await sub.waitFor(1);
    expect(await sample(stack.gatewayUrl, 'aether_subscription_events_delivered_total')).toBe(events + 1);
    sub.dispose();
    await client.dispose();
  });

  it('reports database and Redis health', async () => {
    expect(await sample(stack.authUrl, 'aether_dependency_up', { dependency: 'postgres' })).toBe(1);
    expect(await sample(stack.authUrl, 'aether_dependency_up', { dependency: 'redis' })).toBe(1);
    expect(await sample(stack.messagingUrl, 'aether_dependency_up', { dependency: 'redis' })).toBe(1);
    const messagingText = (await scrape(stack.messagingUrl)).text;
    expect(messagingText).toMatch(/^aether_dependency_up\{dependency="(postgres|mongo)[^"]*",service="messaging"\} 1$/m);
    expect(await sample(stack.gatewayUrl, 'aether_dependency_up', { dependency: 'redis' })).toBe(1);
    expect(await sample(stack.gatewayUrl, 'aether_dependency_up', { dependency: 'subgraphs' })).toBe(1);
  });

  it('counts HTTP requests by route and status, without growing on unknown paths', async () => {
    const ok = () => sample(stack.gatewayUrl, 'aether_http_requests_total', { route: '/health', status: '200' });
    const before = await ok();
    await fetch(new URL('/health', stack.gatewayUrl));
    for (const path of ['/wp-admin', '/.env', '/x/y/z']) await fetch(new URL(path, stack.gatewayUrl));
    const text = (await scrape(stack.gatewayUrl)).text;
    expect(valueOf(text, 'aether_http_requests_total', { route: '/health', status: '200' })).toBe(before + 1);
    expect(text).not.toMatch(/wp-admin|\.env/);
    expect(valueOf(text, 'aether_http_requests_total', { route: 'other', status: '404' })).toBeGreaterThanOrEqual(3);
  });
});
