import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { AuthClient } from '@aether/common';
import { SignJWT, decodeJwt, importPKCS8, type JWTPayload } from 'jose';
import { Client } from 'pg';
import { gql, startStack, type GraphQLResponse, type Stack, type StackOptions, type TestUser } from '../../../test/harness';

/**
 * A stack whose throttles (auth's and the gateway's) stay out of the way of tests that sign in
 * many times from one address; the throttle tests set their own limits.
 */
export function startAuthStack(options: StackOptions = {}): Promise<Stack> {
  return startStack({
    ...options,
    env: {
      LOGIN_LIMIT_PER_IP: '100000',
      REFRESH_LIMIT_PER_IP: '100000',
      RATE_LIMIT_PER_IP: '100000',
      RATE_LIMIT_PER_USER: '100000',
      RATE_LIMIT_AUTH_PER_IP: '100000',
      ...options.env,
    },
  });
}

/** Runs one SQL statement against a stack's own database. */
export async function sql<T = Record<string, unknown>>(databaseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Gives a user roles directly in the database: the only way the very first admin can exist. */
export async function setRolesInDatabase(stack: Stack, userId: string, roles: string[]): Promise<void> {
  await sql(stack.databaseUrl, 'UPDATE users SET roles = $1 WHERE id = $2', [roles, userId]);
}

export const LOGIN = `mutation($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id username roles } }
}`;
export const REFRESH = `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken user { id roles } } }`;
export const LOGOUT = `mutation($t: String!) { logout(refreshToken: $t) }`;
export const LOGOUT_ALL = `mutation { logoutAll }`;
export const ME = `{ me { id username roles } }`;

export interface Session {
  accessToken: string;
  refreshToken: string;
}

/** Logs in through the gateway; throws when it does not succeed. */
export async function login(stack: Stack, user: TestUser, headers: Record<string, string> = {}): Promise<Session> {
  const res = await gql(stack.gatewayUrl, LOGIN, { input: { login: user.username, password: user.password } }, { headers });
  if (!res.data?.login) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
  return { accessToken: res.data.login.accessToken, refreshToken: res.data.login.refreshToken };
}

/** A new session whose access token carries the user's current roles (tokens snapshot roles). */
export async function refreshed(stack: Stack, session: Session): Promise<Session> {
  const res = await gql(stack.gatewayUrl, REFRESH, { t: session.refreshToken });
  if (!res.data?.refreshToken) throw new Error(`refresh failed: ${JSON.stringify(res.errors)}`);
  return { accessToken: res.data.refreshToken.accessToken, refreshToken: res.data.refreshToken.refreshToken };
}

/** `me` through the gateway with an access token. */
export const me = (stack: Stack, token: string): Promise<GraphQLResponse> => gql(stack.gatewayUrl, ME, {}, { token });

/** What a refused access token looks like to a client: HTTP 401, UNAUTHENTICATED, no data. */
export function expectRefused(res: GraphQLResponse): void {
  expect(res.status).toBe(401);
  expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(res.data).toBeUndefined();
}

export const claimsOf = (token: string): JWTPayload & { sid?: string; roles?: string[] } => decodeJwt(token);

/** An ES256 key pair the test owns, so it can hand auth its private key and forge tokens with any claims. */
export function testSigningKey(): { privatePem: string; sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string> } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return {
    privatePem,
    async sign(claims, header = {}) {
      const key = await importPKCS8(privatePem, 'ES256');
      return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'JWT', ...header }).sign(key);
    },
  };
}

/** Claims like auth's own, valid for 15 minutes unless overridden. */
export function accessClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: randomUUID(),
    sid: randomUUID(),
    roles: ['USER'],
    iss: 'aetherconnect',
    aud: 'aetherconnect',
    iat: now,
    exp: now + 900,
    jti: randomUUID(),
    ...overrides,
  };
}

/** The typed gRPC client other services use, pointed at a stack's auth. */
export const authClientFor = (stack: Stack, deadlineMs?: number): AuthClient =>
  new AuthClient({ address: stack.authGrpcAddress, serviceToken: stack.env.serviceToken, deadlineMs });

/** Polls `probe` until it returns true; resolves with the milliseconds it took, rejects after `limitMs`. */
export async function within(limitMs: number, probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started >= limitMs) throw new Error(`condition not met within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
