import Redis from 'ioredis';
import { REDIS_URL, codeOf, gql, registerUser, type GraphQLResponse, type Stack, replicaOf } from '../../../test/harness';
import { startRedisProcess, type RedisProcess } from '../../../test/processes';
import { LOGIN, REFRESH, startAuthStack } from './support';

const WINDOW = 900;

function expectRateLimited(res: GraphQLResponse, windowSeconds: number): void {
  expect(codeOf(res)).toBe('RATE_LIMITED');
  expect(res.data).toBeUndefined();
  const retryAfter = res.errors![0].extensions!.retryAfter;
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
}

/** A client at `ip`, as the gateway sees it behind a proxy on loopback. */
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

describe('login and refresh throttling, counted in Redis and shared by replicas', () => {
  let a: Stack;
  let b: Stack;
  let redis: Redis;
  beforeAll(async () => {
    const env = { LOGIN_LIMIT_PER_ACCOUNT: '3', LOGIN_LIMIT_PER_IP: '6', LOGIN_LIMIT_WINDOW: String(WINDOW), REFRESH_LIMIT_PER_IP: '3', REFRESH_LIMIT_WINDOW: '60' };
    a = await startAuthStack({ redis: true, env });
    b = await startAuthStack({
      redis: true,
      env,
      ...replicaOf(a),
    });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await b.stop();
    await a.stop();
  });

  const loginAt = (stack: Stack, ip: string, login: string, password: string) =>
    gql(stack.gatewayUrl, LOGIN, { input: { login, password } }, from(ip));

  it('refuses an account after 3 failures, across replicas and whichever login is typed, then even the right password', async () => {
    const ada = await registerUser(a);
    // One failure per address, so only the per-account counter can be what stops it.
    expect(codeOf(await loginAt(a, '198.51.100.1', ada.username, 'wrong password 1'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await loginAt(b, '198.51.100.2', ada.email.toUpperCase(), 'wrong password 2'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await loginAt(a, '198.51.100.3', ada.username.toUpperCase(), 'wrong password 3'))).toBe('UNAUTHENTICATED');

    expectRateLimited(await loginAt(b, '198.51.100.4', ada.username, ada.password), WINDOW);
    expectRateLimited(await loginAt(a, '198.51.100.5', ada.email, ada.password), WINDOW);

    // Counted in Redis under the deployment's prefix, which is how replicas share it.
    const keys = await redis.keys(`${a.env.redisPrefix}rl:login-account*`);
    expect(keys.length).toBeGreaterThan(0);

    // Someone else is not affected.
    const bob = await registerUser(a);
    expect((await loginAt(a, '198.51.100.6', bob.username, bob.password)).errors).toBeUndefined();
  });

  it('counts failures for an unknown account the same way', async () => {
    for (let i = 0; i < 3; i++) expect(codeOf(await loginAt(a, `198.51.100.${10 + i}`, 'ghost_account', 'whatever1'))).toBe('UNAUTHENTICATED');
    expectRateLimited(await loginAt(b, '198.51.100.13', 'GHOST_ACCOUNT', 'whatever1'), WINDOW);
  });

  it('forgets failures once the right password gets through', async () => {
    const ada = await registerUser(a);
    for (let i = 0; i < 2; i++) await loginAt(a, `198.51.100.${20 + i}`, ada.username, 'wrong password');
    expect((await loginAt(b, '198.51.100.22', ada.username, ada.password)).errors).toBeUndefined();
    for (let i = 0; i < 2; i++) expect(codeOf(await loginAt(a, `198.51.100.${23 + i}`, ada.username, 'wrong'))).toBe('UNAUTHENTICATED');
    expect((await loginAt(b, '198.51.100.25', ada.username, ada.password)).errors).toBeUndefined();
  });

  it('refuses an address after 6 attempts of any kind, across replicas, and only that address', async () => {
    const users = await Promise.all([0, 1, 2].map(() => registerUser(a)));
    const ip = '203.0.113.7';
    for (let i = 0; i < 6; i++) {
      const user = users[i % 3];
      const res = await loginAt(i % 2 ? a : b, ip, user.username, i % 2 ? user.password : 'wrong password');
      expect(codeOf(res)).not.toBe('RATE_LIMITED');
    }
    expectRateLimited(await loginAt(a, ip, users[0].username, users[0].password), WINDOW);
    expectRateLimited(await loginAt(b, ip, 'someone_else', 'whatever1'), WINDOW);
    expect((await loginAt(a, '203.0.113.8', users[0].username, users[0].password)).errors).toBeUndefined();
  });

  it('refuses refreshes from an address after 3 a minute, across replicas', async () => {
    const ip = '203.0.113.9';
    let token = (await registerUser(a)).refreshToken;
    for (let i = 0; i < 3; i++) {
      const res = await gql((i % 2 ? a : b).gatewayUrl, REFRESH, { t: token }, from(ip));
      expect(res.errors).toBeUndefined();
      token = res.data!.refreshToken.refreshToken;
    }
    expectRateLimited(await gql(a.gatewayUrl, REFRESH, { t: token }, from(ip)), 60);
    // The token was not spent by the refused attempt: another address may still use it.
    expect((await gql(b.gatewayUrl, REFRESH, { t: token }, from('203.0.113.10'))).errors).toBeUndefined();
  });
});

describe('throttling without Redis', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startAuthStack({ env: { LOGIN_LIMIT_PER_ACCOUNT: '2' } });
  });
  afterAll(() => stack.stop());

  it('still counts, in the process', async () => {
    const ada = await registerUser(stack);
    for (let i = 0; i < 2; i++) await gql(stack.gatewayUrl, LOGIN, { input: { login: ada.username, password: 'wrong password' } });
    expectRateLimited(await gql(stack.gatewayUrl, LOGIN, { input: { login: ada.username, password: ada.password } }), WINDOW);
  });
});

describe('throttling while Redis is away', () => {
  let redisServer: RedisProcess;
  let stack: Stack;
  beforeAll(async () => {
    redisServer = await startRedisProcess();
    stack = await startAuthStack({ redis: true, env: { REDIS_URL: redisServer.url, LOGIN_LIMIT_PER_ACCOUNT: '2' } });
  });
  afterAll(async () => {
    await redisServer?.stop();
    await stack?.stop();
  });

  it('keeps logins working, and counting in the process, when Redis dies', async () => {
    const ada = await registerUser(stack);
    await redisServer.kill();
    const attempt = (password: string, ip = '198.51.100.77') => gql(stack.gatewayUrl, LOGIN, { input: { login: ada.username, password } }, from(ip));
    // Signing in makes 127.0.0.1 familiar; the guesses come from elsewhere, where the account's lockout applies.
    expect((await attempt(ada.password, '127.0.0.1')).errors).toBeUndefined();
    for (let i = 0; i < 2; i++) expect(codeOf(await attempt('wrong password'))).toBe('UNAUTHENTICATED');
    expectRateLimited(await attempt(ada.password), WINDOW);
  });
});
