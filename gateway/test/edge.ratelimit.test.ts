import { loadGatewayConfig } from '../src/config';
import { startGateway, type RunningGateway } from '../src/server';
import { codeOf, gql, startStack, type Stack } from '../../test/harness';
import { startRedisProcess, type RedisProcess } from '../../test/processes';

const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`;


/** Waits for a condition that depends on a reconnect, checking every 100 ms for up to 10 s. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('condition not reached in 10 s');
}

describe('gateway edge: rate limits shared by replicas through Redis', () => {
  let stack: Stack;
  let replica: RunningGateway;

  beforeAll(async () => {
    // Auth's own per-address delays stay out of the way: this is about the gateway's budget.
    stack = await startStack({ redis: true, env: { RATE_LIMIT_AUTH_PER_IP: '4', RATE_LIMIT_WINDOW: '3600', LOGIN_FREE_FAILURES: '20' } });
    replica = await startGateway(
      loadGatewayConfig({ ...stack.env, GATEWAY_PORT: '0', SUBGRAPH_AUTH_URL: stack.authUrl, AUTH_JWKS_URL: new URL('/.well-known/jwks.json', stack.authUrl).href, SUBGRAPH_MESSAGING_URL: stack.messagingUrl, AUTH_GRPC_URL: stack.authGrpcAddress }),
      stack.logs.logger('gateway-2'),
    );
    // As behind a load balancer: a replica gets traffic once it is ready (its Redis connected);
    // until then it would count in memory, as it does whenever Redis is unreachable.
    for (const url of [stack.gatewayUrl, `http://127.0.0.1:${replica.port}/graphql`]) {
      await eventually(async () => (await fetch(new URL('/ready', url))).status === 200);
    }
  });
  afterAll(async () => {
    await replica?.stop();
    await stack?.stop();
  });

  it('counts login attempts spread over two gateways against one budget', async () => {
    const gateways = [stack.gatewayUrl, `http://127.0.0.1:${replica.port}/graphql`];
    const attempt = (n: number) =>
      gql(gateways[n % 2], LOGIN, { i: { login: 'nobody', password: 'guess guess' } }, { headers: { 'x-forwarded-for': '192.0.2.10' } });
    for (let n = 0; n < 4; n++) expect(codeOf(await attempt(n))).toBe('UNAUTHENTICATED');
    const fifth = await attempt(4);
    expect(fifth.status).toBe(429);
    expect(codeOf(fifth)).toBe('RATE_LIMITED');
    // Another address is not affected.
    const other = await gql(gateways[0], LOGIN, { i: { login: 'nobody', password: 'guess guess' } }, { headers: { 'x-forwarded-for': '192.0.2.11' } });
    expect(codeOf(other)).toBe('UNAUTHENTICATED');
  });
});

describe('gateway edge: rate limits while Redis is down', () => {
  let stack: Stack;
  let redis: RedisProcess;

  beforeAll(async () => {
    redis = await startRedisProcess();
    stack = await startStack({ env: { REDIS_URL: redis.url, RATE_LIMIT_PER_IP: '5', RATE_LIMIT_WINDOW: '3600' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await redis?.stop();
  });

  const ready = async () => (await fetch(new URL('/ready', stack.gatewayUrl))).status;

  it('keeps serving, still limited (in memory), reports not ready, and recovers', async () => {
    expect(await ready()).toBe(200);
    await redis.kill();

    const ip = { headers: { 'x-forwarded-for': '192.0.2.20' } };
    for (let i = 0; i < 5; i++) {
      const res = await gql(stack.gatewayUrl, `{ __typename }`, {}, ip);
      expect(res.data).toEqual({ __typename: 'Query' });
    }
    const sixth = await gql(stack.gatewayUrl, `{ __typename }`, {}, ip);
    expect({ status: sixth.status, code: codeOf(sixth) }).toEqual({ status: 429, code: 'RATE_LIMITED' });
    expect(await ready()).toBe(503);
    expect((await fetch(new URL('/health', stack.gatewayUrl))).status).toBe(200);

    await redis.restart();
    await eventually(async () => (await ready()) === 200);
    const after = await gql(stack.gatewayUrl, `{ __typename }`, {}, { headers: { 'x-forwarded-for': '192.0.2.21' } });
    expect(after.data).toEqual({ __typename: 'Query' });
  });
});
