import { createHash } from 'node:crypto';
import Redis from 'ioredis';
import { REDIS_URL, codeOf, gql, registerUser, type Stack, replicaOf } from '../../../test/harness';
import { REFRESH, accessClaims, claimsOf, expectRefused, login, me, sql, testSigningKey, startAuthStack } from './support';

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');
const GRACE_SECONDS = 1;
const pastTheGrace = () => new Promise((r) => setTimeout(r, GRACE_SECONDS * 1000 + 100));

describe('refresh tokens', () => {
  let stack: Stack;
  const key = testSigningKey();
  beforeAll(async () => {
    stack = await startAuthStack({ redis: true, env: { JWT_PRIVATE_KEY: key.privatePem, REFRESH_REUSE_GRACE: String(GRACE_SECONDS) } });
  });
  afterAll(() => stack.stop());

  const refresh = (token: string) => gql(stack.gatewayUrl, REFRESH, { t: token });

  it('trades a refresh token for a new pair in the same session', async () => {
    const ada = await registerUser(stack);
    const res = await refresh(ada.refreshToken);
    expect(res.errors).toBeUndefined();
    const pair = res.data!.refreshToken;
    expect(pair.user).toEqual({ id: ada.id, roles: ['USER'] });
    expect(pair.refreshToken).not.toBe(ada.refreshToken);
    expect(pair.accessToken).not.toBe(ada.accessToken);
    expect(claimsOf(pair.accessToken).sid).toBe(claimsOf(ada.accessToken).sid);
    expect((await me(stack, pair.accessToken)).data!.me.id).toBe(ada.id);
    // Rotation alone does not end the session: the previous access token lives out its 15 minutes.
    expect((await me(stack, ada.accessToken)).data!.me.id).toBe(ada.id);
  });

  it('stores refresh tokens only as SHA-256 hashes, expiring in 30 days by default', async () => {
    const ada = await registerUser(stack);
    const rows = await sql<{ token_hash: string; expires_at: Date }>(stack.databaseUrl, 'SELECT token_hash, expires_at FROM refresh_tokens');
    expect(rows.some((r) => r.token_hash === ada.refreshToken)).toBe(false);
    const mine = rows.find((r) => r.token_hash === hashOf(ada.refreshToken));
    expect(mine).toBeDefined();
    const days = (mine!.expires_at.getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.99);
    expect(days).toBeLessThanOrEqual(30);
  });

  it('refuses a rotated token, and treats its reuse as theft: the whole session ends', async () => {
    const ada = await registerUser(stack);
    const other = await login(stack, ada);
    const first = (await refresh(ada.refreshToken)).data!.refreshToken;
    const second = (await refresh(first.refreshToken)).data!.refreshToken;
    expect((await me(stack, second.accessToken)).data!.me.id).toBe(ada.id);

    // The thief (or the owner, whoever is second) presents an already-rotated token, after the reuse grace.
    await pastTheGrace();
    const reuse = await refresh(ada.refreshToken);
    expect(codeOf(reuse)).toBe('UNAUTHENTICATED');
    expect(reuse.data).toBeUndefined();

    // Every token of the family stops working: the newest refresh token and access token too.
    expect(codeOf(await refresh(second.refreshToken))).toBe('UNAUTHENTICATED');
    expectRefused(await me(stack, second.accessToken));
    expectRefused(await me(stack, ada.accessToken));
    const [session] = await sql<{ revoked_reason: string }>(stack.databaseUrl, 'SELECT revoked_reason FROM sessions WHERE id = $1', [
      claimsOf(ada.accessToken).sid,
    ]);
    expect(session.revoked_reason).toBe('refresh-token-reuse');

    // Another session of the same user is not part of the family.
    expect((await me(stack, other.accessToken)).data!.me.id).toBe(ada.id);
    expect((await refresh(other.refreshToken)).errors).toBeUndefined();
  });

  it('gives one new pair, not two, when one token is presented three times at once: the same pair to each, and the session lives on', async () => {
    const ada = await registerUser(stack);
    const results = await Promise.all([refresh(ada.refreshToken), refresh(ada.refreshToken), refresh(ada.refreshToken)]);
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
    const pairs = new Set(results.map((r) => `${r.data!.refreshToken.refreshToken} ${r.data!.refreshToken.accessToken}`));
    expect(pairs.size).toBe(1);
    const [next] = results.map((r) => r.data!.refreshToken);
    const rows = await sql(stack.databaseUrl, 'SELECT 1 FROM refresh_tokens WHERE session_id = $1', [claimsOf(ada.accessToken).sid]);
    expect(rows).toHaveLength(2);
    expect((await me(stack, next.accessToken)).data!.me.id).toBe(ada.id);
    expect((await refresh(next.refreshToken)).errors).toBeUndefined();
  });

  it('keeps the replayed pair only sealed, and only for the grace', async () => {
    const ada = await registerUser(stack);
    const next = (await refresh(ada.refreshToken)).data!.refreshToken;
    const redis = new Redis(REDIS_URL);
    try {
      const sealed = await redis.get(`${stack.env.redisPrefix}refresh-replay:${hashOf(ada.refreshToken)}`);
      expect(sealed).toBeTruthy();
      const opened = Buffer.from(sealed!, 'base64').toString('latin1');
      expect(opened).not.toContain(next.refreshToken);
      expect(opened).not.toContain(next.accessToken.split('.')[1]);
      expect(await redis.pttl(`${stack.env.redisPrefix}refresh-replay:${hashOf(ada.refreshToken)}`)).toBeLessThanOrEqual(GRACE_SECONDS * 1000);
    } finally {
      redis.disconnect();
    }
    // Within the grace the same pair comes back; after it, reuse is theft and ends the session.
    expect((await refresh(ada.refreshToken)).data!.refreshToken.refreshToken).toBe(next.refreshToken);
    await pastTheGrace();
    expect(codeOf(await refresh(ada.refreshToken))).toBe('UNAUTHENTICATED');
    expectRefused(await me(stack, next.accessToken));
  });

  it.each([
    ['an unknown token', 'A'.repeat(43)],
    ['an empty string', ''],
    ['a 10 KB string', 'x'.repeat(10_000)],
    ['an access token', null],
  ])('refuses %s with UNAUTHENTICATED', async (_name, token) => {
    const ada = await registerUser(stack);
    const res = await refresh(token ?? ada.accessToken);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0].message).toBe('Refresh token is invalid or expired');
  });

  it('refuses an expired refresh token', async () => {
    const ada = await registerUser(stack);
    await sql(stack.databaseUrl, "UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [
      hashOf(ada.refreshToken),
    ]);
    expect(codeOf(await refresh(ada.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('refuses a refresh token whose session has reached its end of life', async () => {
    const ada = await registerUser(stack);
    await sql(stack.databaseUrl, "UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1", [
      claimsOf(ada.accessToken).sid,
    ]);
    expect(codeOf(await refresh(ada.refreshToken))).toBe('UNAUTHENTICATED');
  });

  it('refuses an expired access token, and a refresh brings a working one', async () => {
    const ada = await registerUser(stack);
    const now = Math.floor(Date.now() / 1000);
    const expired = await key.sign(accessClaims({ sub: ada.id, sid: claimsOf(ada.accessToken).sid, iat: now - 960, exp: now - 60 }), {
      kid: claimsOf(ada.accessToken).kid as string | undefined,
    });
    const res = await me(stack, expired);
    expectRefused(res);
    expect(res.errors![0].message).toMatch(/expired/i);
    const pair = (await refresh(ada.refreshToken)).data!.refreshToken;
    expect((await me(stack, pair.accessToken)).data!.me.id).toBe(ada.id);
  });

  it('honours ACCESS_TOKEN_TTL and REFRESH_TOKEN_TTL', async () => {
    const short = await startAuthStack({
      ...replicaOf(stack),
      redis: true,
      env: { JWT_PRIVATE_KEY: key.privatePem, ACCESS_TOKEN_TTL: '60', REFRESH_TOKEN_TTL: '3600' },
    });
    try {
      const ada = await registerUser(short);
      const claims = claimsOf(ada.accessToken);
      expect(claims.exp! - claims.iat!).toBe(60);
      const [row] = await sql<{ expires_at: Date }>(stack.databaseUrl, 'SELECT expires_at FROM refresh_tokens WHERE token_hash = $1', [
        hashOf(ada.refreshToken),
      ]);
      expect(Math.round((row.expires_at.getTime() - Date.now()) / 1000 / 60)).toBe(60);
    } finally {
      await short.stop();
    }
  });
});
