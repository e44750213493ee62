import Redis from 'ioredis';
import { REDIS_URL, codeOf, gql, registerUser, type Stack, replicaOf } from '../../../test/harness';
import { LOGOUT, LOGOUT_ALL, REFRESH, claimsOf, expectRefused, login, me, within, startAuthStack } from './support';

/**
 * Ending sessions, with the revocation set in Redis (every gateway replica sees it at once)
 * and without Redis (the gateway asks auth over gRPC, remembering answers for two seconds).
 */
describe.each([
  ['with Redis', true],
  ['without Redis', false],
])('sessions %s', (_name, redis) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startAuthStack({ redis });
  });
  afterAll(() => stack.stop());

  /** How long until the gateway refuses `token`: at once with Redis, within seconds without it. */
  async function refusedWithin(token: string): Promise<number> {
    const ms = redis ? 0 : await within(3000, async () => (await me(stack, token)).status === 401);
    expectRefused(await me(stack, token));
    return ms;
  }

  it('logout ends that session only: its tokens stop working, the other session goes on', async () => {
    const ada = await registerUser(stack);
    const laptop = await login(stack, ada);

    const res = await gql(stack.gatewayUrl, LOGOUT, { t: ada.refreshToken });
    expect(res.data).toEqual({ logout: true });
    await refusedWithin(ada.accessToken);
    expect(codeOf(await gql(stack.gatewayUrl, REFRESH, { t: ada.refreshToken }))).toBe('UNAUTHENTICATED');

    expect((await me(stack, laptop.accessToken)).data!.me.id).toBe(ada.id);
    expect((await gql(stack.gatewayUrl, REFRESH, { t: laptop.refreshToken })).errors).toBeUndefined();
  });

  it('logout answers false for a session already ended or a token it does not know', async () => {
    const ada = await registerUser(stack);
    expect((await gql(stack.gatewayUrl, LOGOUT, { t: ada.refreshToken })).data).toEqual({ logout: true });
    expect((await gql(stack.gatewayUrl, LOGOUT, { t: ada.refreshToken })).data).toEqual({ logout: false });
    expect((await gql(stack.gatewayUrl, LOGOUT, { t: 'no-such-token' })).data).toEqual({ logout: false });
    expect((await gql(stack.gatewayUrl, LOGOUT, { t: 'x'.repeat(5000) })).data).toEqual({ logout: false });
  });

  it('logout with a rotated refresh token still ends the session', async () => {
    const ada = await registerUser(stack);
    const rotated = (await gql(stack.gatewayUrl, REFRESH, { t: ada.refreshToken })).data!.refreshToken;
    expect((await gql(stack.gatewayUrl, LOGOUT, { t: ada.refreshToken })).data).toEqual({ logout: true });
    await refusedWithin(rotated.accessToken);
  });

  it('logoutAll ends every session of the caller and nobody else\'s', async () => {
    const ada = await registerUser(stack);
    const bob = await registerUser(stack);
    const phone = await login(stack, ada);
    const tablet = await login(stack, ada);

    const res = await gql(stack.gatewayUrl, LOGOUT_ALL, {}, { token: ada.accessToken });
    expect(res.data).toEqual({ logoutAll: true });
    for (const session of [ada, phone, tablet]) {
      await refusedWithin(session.accessToken);
      expect(codeOf(await gql(stack.gatewayUrl, REFRESH, { t: session.refreshToken }))).toBe('UNAUTHENTICATED');
    }
    expect((await me(stack, bob.accessToken)).data!.me.id).toBe(bob.id);

    // Ending sessions does not lock the account: logging in again works.
    const again = await login(stack, ada);
    expect((await me(stack, again.accessToken)).data!.me.id).toBe(ada.id);
  });

  it('logoutAll needs a signed-in caller', async () => {
    const res = await gql(stack.gatewayUrl, LOGOUT_ALL);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.data).toBeUndefined();
  });

  it('an ended session\'s access token is refused at once with Redis, within seconds without', async () => {
    const ada = await registerUser(stack);
    // Used before logout, so a remembered "still valid" answer has to run out first.
    expect((await me(stack, ada.accessToken)).data!.me.id).toBe(ada.id);
    await gql(stack.gatewayUrl, LOGOUT, { t: ada.refreshToken });
    await refusedWithin(ada.accessToken);
  });
});

describe('revocation shared through Redis', () => {
  let a: Stack;
  let b: Stack;
  let redis: Redis;
  beforeAll(async () => {
    a = await startAuthStack({ redis: true });
    // A second replica of every service, on the same database, secrets and Redis prefix.
    b = await startAuthStack({
      redis: true,
      ...replicaOf(a),
    });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    redis.disconnect();
    await b.stop();
    await a.stop();
  });

  it('a logout through one replica is refused at once by another', async () => {
    const ada = await registerUser(a);
    expect((await me(b, ada.accessToken)).data!.me.id).toBe(ada.id);
    await gql(a.gatewayUrl, LOGOUT, { t: ada.refreshToken });
    expectRefused(await me(b, ada.accessToken));
  });

  it('keeps a revoked session in Redis only as long as its access tokens can live', async () => {
    const ada = await registerUser(a);
    await gql(a.gatewayUrl, LOGOUT, { t: ada.refreshToken });
    const key = `${a.env.redisPrefix}revoked-session:${claimsOf(ada.accessToken).sid}`;
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(890);
    expect(ttl).toBeLessThanOrEqual(900);
  });
});
