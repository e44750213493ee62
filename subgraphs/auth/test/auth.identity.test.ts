import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { IDENTITY_HEADER, signIdentity } from '@aether/common';
import { SignJWT, createLocalJWKSet, jwtVerify, type JWK } from 'jose';
import { gql, registerUser, type GraphQLResponse, type Stack, type TestUser, replicaOf } from '../../../test/harness';
import { ME, accessClaims, claimsOf, expectRefused, me, setRolesInDatabase, startAuthStack, testSigningKey } from './support';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

describe('identity: access tokens, JWKS and the gateway-signed identity header', () => {
  let stack: Stack;
  let ada: TestUser;
  let victim: TestUser;
  const key = testSigningKey();
  beforeAll(async () => {
    stack = await startAuthStack({ redis: true, env: { JWT_PRIVATE_KEY: key.privatePem } });
    ada = await registerUser(stack);
    victim = await registerUser(stack);
    await setRolesInDatabase(stack, victim.id, ['USER', 'ADMIN']);
  });
  afterAll(() => stack.stop());

  /** Claims of a real, live session of ada's, so only what a test changes can make a token fail. */
  const liveClaims = () => {
    const { sub, sid, roles, iss, aud } = claimsOf(ada.accessToken);
    return accessClaims({ sub, sid, roles, iss, aud });
  };
  const kid = () => String(JSON.parse(Buffer.from(ada.accessToken.split('.')[0], 'base64url').toString()).kid);

  describe('JWKS', () => {
    it('publishes the public key, and only the public key, with the id tokens carry', async () => {
      const res = await fetch(stack.authUrl.replace('/graphql', '/.well-known/jwks.json'));
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
      const jwks = (await res.json()) as { keys: JWK[] };
      expect(jwks.keys).toHaveLength(1);
      expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: kid() });
      expect(jwks.keys[0].d).toBeUndefined();
      const { payload } = await jwtVerify(ada.accessToken, createLocalJWKSet(jwks), { algorithms: ['ES256'] });
      expect(payload.sub).toBe(ada.id);
    });

    it('is what the gateway verifies with: fetched from auth on first use, then cached', async () => {
      const jwksFetches = () =>
        stack.logs.lines.map((line) => JSON.parse(line)).filter((l) => l.service === 'auth' && l.message === 'request' && l.path === '/.well-known/jwks.json')
          .length;
      // No access token has reached the gateway yet in this file.
      const before = jwksFetches();
      expect((await me(stack, ada.accessToken)).data!.me.id).toBe(ada.id);
      expect(jwksFetches()).toBe(before + 1);
      expect((await me(stack, victim.accessToken)).data!.me.id).toBe(victim.id);
      expect((await me(stack, ada.accessToken)).data!.me.id).toBe(ada.id);
      expect(jwksFetches()).toBe(before + 1);
    });
  });

  describe('access tokens the gateway refuses (401, UNAUTHENTICATED, no data)', () => {
    it('accepts a token it signed with the right claims (the control case)', async () => {
      const token = await key.sign(liveClaims(), { kid: kid() });
      expect((await me(stack, token)).data!.me.id).toBe(ada.id);
    });

    it.each<[string, () => Promise<string>]>([
      ['unsigned (alg none)', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(liveClaims())}.`],
      [
        'HS256 with the public key as the HMAC secret',
        async () => {
          const jwks = (await (await fetch(stack.authUrl.replace('/graphql', '/.well-known/jwks.json'))).json()) as { keys: JWK[] };
          const secret = Buffer.from(JSON.stringify(jwks.keys[0]));
          return new SignJWT(liveClaims()).setProtectedHeader({ alg: 'HS256', kid: kid() }).sign(secret);
        },
      ],
      ['HS256 with a random secret', async () => new SignJWT(liveClaims()).setProtectedHeader({ alg: 'HS256' }).sign(randomBytes(32))],
      ['ES256 from another key with the same key id', async () => testSigningKey().sign(liveClaims(), { kid: kid() })],
      [
        'RS256 from another key',
        async () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          return new SignJWT(liveClaims()).setProtectedHeader({ alg: 'RS256', kid: kid() }).sign(privateKey);
        },
      ],
      [
        'tampered: roles raised to ADMIN, signature kept',
        async () => {
          const [header, payload, signature] = ada.accessToken.split('.');
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
          return `${header}.${b64({ ...claims, roles: ['USER', 'ADMIN'] })}.${signature}`;
        },
      ],
      [
        'tampered: subject switched to another user',
        async () => {
          const [header, payload, signature] = ada.accessToken.split('.');
          const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
          return `${header}.${b64({ ...claims, sub: victim.id })}.${signature}`;
        },
      ],
      ['signed by auth\'s key but expired', async () => key.sign({ ...liveClaims(), exp: Math.floor(Date.now() / 1000) - 1 }, { kid: kid() })],
      ['signed by auth\'s key for another issuer', async () => key.sign({ ...liveClaims(), iss: 'someone-else' }, { kid: kid() })],
      ['signed by auth\'s key for another audience', async () => key.sign({ ...liveClaims(), aud: 'another-app' }, { kid: kid() })],
      [
        'signed by auth\'s key without a session id',
        async () => {
          const { sid: _sid, ...claims } = liveClaims();
          return key.sign(claims, { kid: kid() });
        },
      ],
      ['not a JWT at all', async () => 'definitely-not-a-jwt'],
      ['a refresh token', async () => ada.refreshToken],
    ])('%s', async (_name, make) => {
      const res = await me(stack, await make());
      expectRefused(res);
      expect(res.errors![0].message).toMatch(/^Access token (is invalid|has expired)$/);
      // The client learns that the token is no good, nothing about why the check failed inside.
      expect(JSON.stringify(res.errors)).not.toMatch(/stack|signature verification|JWS|JOSE/i);
    });

    it.each(['Token abc', 'Bearer', 'Bearer a b', 'Basic dXNlcjpwYXNz'])('a malformed Authorization header: "%s"', async (header) => {
      expectRefused(await gql(stack.gatewayUrl, ME, {}, { headers: { authorization: header } }));
    });
  });

  it('says "cannot verify right now" with 503, not "invalid", when auth\'s keys cannot be fetched', async () => {
    // A gateway replica pointed at a JWKS address where nothing listens.
    const blind = await startAuthStack({
      ...replicaOf(stack),
      env: { JWT_PRIVATE_KEY: key.privatePem, AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json' },
    });
    try {
      const res = await me(blind, ada.accessToken);
      expect(res.status).toBe(503);
      expect(res.errors![0]).toMatchObject({ message: 'Cannot verify access tokens right now', extensions: { code: 'UNAUTHENTICATED' } });
      expect(blind.logs.lines.some((l) => l.includes('cannot fetch auth public keys'))).toBe(true);
    } finally {
      await blind.stop();
    }
  });

  describe('identity headers', () => {
    const secret = () => stack.env.gatewaySecret;
    const asVictim = (now = Date.now()) => signIdentity(secret(), { userId: victim.id, roles: ['USER', 'ADMIN'] }, now);

    it('the gateway drops an identity header a client sends, even one signed with the real secret', async () => {
      // Anonymous, with a perfectly valid identity for the victim attached.
      const anonymous = await gql(stack.gatewayUrl, ME, {}, { headers: { [IDENTITY_HEADER]: asVictim() } });
      expect(anonymous.errors).toBeUndefined();
      expect(anonymous.data).toEqual({ me: null });
      // Signed in as ada, claiming to be the victim.
      const signedIn = await gql(stack.gatewayUrl, ME, {}, { token: ada.accessToken, headers: { [IDENTITY_HEADER]: asVictim() } });
      expect(signedIn.data!.me.id).toBe(ada.id);
      // Admin-only mutations stay out of reach.
      const grant = await gql(
        stack.gatewayUrl,
        `mutation($u: ID!) { grantRole(userId: $u, role: ADMIN) { id } }`,
        { u: ada.id },
        { token: ada.accessToken, headers: { [IDENTITY_HEADER]: asVictim() } },
      );
      expect(grant.errors![0].extensions!.code).toBe('FORBIDDEN');
    });

    describe.each([
      ['auth', () => stack.authUrl],
      ['messaging', () => stack.messagingUrl],
    ])('a client calling the %s subgraph port directly gets nothing', (_name, url) => {
      const refused = (res: GraphQLResponse) => {
        expect(res.status).toBe(401);
        expect(res.data).toBeUndefined();
        expect(res.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
      };
      const forged = () => {
        const body = b64({ userId: victim.id, roles: ['USER', 'ADMIN'], expiresAt: Date.now() + 60_000 });
        return `v1.${body}.${createHmac('sha256', 'not-the-secret').update(`v1.${body}`).digest('base64url')}`;
      };
      const tampered = () => {
        const [version, , mac] = signIdentity(secret(), { userId: ada.id, roles: ['USER'] }).split('.');
        return `${version}.${b64({ userId: victim.id, roles: ['USER', 'ADMIN'], expiresAt: Date.now() + 60_000 })}.${mac}`;
      };

      it.each<[string, () => Record<string, string>]>([
        ['without an identity header', () => ({})],
        ['with a bearer token but no identity header', () => ({ authorization: `Bearer ${victim.accessToken}` })],
        ['with garbage in the header', () => ({ [IDENTITY_HEADER]: 'admin' })],
        ['with an identity signed with the wrong secret', () => ({ [IDENTITY_HEADER]: forged() })],
        ['with a real identity whose body was swapped', () => ({ [IDENTITY_HEADER]: tampered() })],
        ['with a real identity that has expired', () => ({ [IDENTITY_HEADER]: asVictim(Date.now() - 61_000) })],
        ['with an unsigned identity', () => ({ [IDENTITY_HEADER]: `v1.${b64({ userId: victim.id, roles: ['ADMIN'], expiresAt: Date.now() + 60_000 })}.` })],
      ])('%s', async (_case, headers) => {
        refused(await gql(url(), '{ __typename }', {}, { headers: headers() }));
        refused(await gql(url(), `{ _entities(representations: [{ __typename: "User", id: "${victim.id}" }]) { __typename } }`, {}, { headers: headers() }));
        refused(await gql(url(), 'mutation { logoutAll }', {}, { headers: headers() }));
        const get = await fetch(`${url()}?query=${encodeURIComponent('{ __typename }')}`, { headers: headers() });
        expect(get.status).toBe(401);
      });

      it('but answers a request the gateway signed (the control case)', async () => {
        const res = await gql(url(), '{ __typename }', {}, { headers: { [IDENTITY_HEADER]: asVictim() } });
        expect(res.errors).toBeUndefined();
        expect(res.data).toEqual({ __typename: 'Query' });
      });
    });
  });
});

