import { createHash } from 'node:crypto';
import { IDENTITY_HEADER } from '@aether/common';
import { gql, registerUser, type Stack } from '../../../test/harness';
import { LOGIN, LOGOUT, LOGOUT_ALL, REFRESH, authClientFor, me, sql, startAuthStack, testSigningKey } from './support';

/**
 * Runs every flow that handles a secret, with every service logging at debug level, then looks
 * for each secret in every line any service wrote.
 */
describe('log hygiene', () => {
  let stack: Stack;
  const key = testSigningKey();
  beforeAll(async () => {
    stack = await startAuthStack({ redis: true, env: { JWT_PRIVATE_KEY: key.privatePem, REFRESH_REUSE_GRACE: '1' } });
  });
  afterAll(() => stack.stop());

  it('no password, token, hash or secret appears in any log line', async () => {
    const secrets: string[] = [];
    const ada = await registerUser(stack);
    secrets.push(ada.password, ada.accessToken, ada.refreshToken);

    const wrong = 'wrong-password-for-the-log-test';
    await gql(stack.gatewayUrl, LOGIN, { input: { login: ada.username, password: wrong } });
    await gql(stack.gatewayUrl, LOGIN, { input: { login: 'nobody_at_all', password: wrong } });
    // A password written into the operation text itself, not in variables.
    const inline = 'inline-password-in-the-query';
    await gql(stack.gatewayUrl, `mutation { login(input: { login: "${ada.username}", password: "${inline}" }) { accessToken } }`);
    secrets.push(wrong, inline);

    const session = (await gql(stack.gatewayUrl, LOGIN, { input: { login: ada.email, password: ada.password } })).data!.login;
    const rotated = (await gql(stack.gatewayUrl, REFRESH, { t: session.refreshToken })).data!.refreshToken;
    // Reuse within the grace (the same pair again), then after it: the theft path, which logs a warning.
    await gql(stack.gatewayUrl, REFRESH, { t: session.refreshToken });
    await new Promise((r) => setTimeout(r, 1100));
    await gql(stack.gatewayUrl, REFRESH, { t: session.refreshToken });
    secrets.push(session.accessToken, session.refreshToken, rotated.accessToken, rotated.refreshToken);

    const newPassword = 'the-new-password-for-logs';
    await gql(stack.gatewayUrl, `mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`, {
      i: { currentPassword: ada.password, newPassword },
    }, { token: ada.accessToken });
    await gql(stack.gatewayUrl, `mutation($i: ChangePasswordInput!) { changePassword(input: $i) }`, {
      i: { currentPassword: 'not-the-current-one', newPassword: 'another-new-password' },
    }, { token: ada.accessToken });
    secrets.push(newPassword, 'not-the-current-one', 'another-new-password');

    const bob = await registerUser(stack);
    secrets.push(bob.accessToken, bob.refreshToken);
    await gql(stack.gatewayUrl, LOGOUT, { t: bob.refreshToken });
    await me(stack, bob.accessToken); // refused: revoked
    await gql(stack.gatewayUrl, LOGOUT_ALL, {}, { token: ada.accessToken });
    await me(stack, 'not-a-token-but-secret-looking');
    secrets.push('not-a-token-but-secret-looking');
    await gql(stack.gatewayUrl, '{ me { id } }', {}, { headers: { [IDENTITY_HEADER]: 'v1.forged-identity-header.abc' } });
    await gql(stack.authUrl, '{ me { id } }', {}, { headers: { [IDENTITY_HEADER]: 'v1.forged-identity-header.abc' } });
    secrets.push('forged-identity-header');

    const client = authClientFor(stack);
    try {
      await client.verifyAccessToken(rotated.accessToken);
      await client.verifyAccessToken('grpc-secret-looking-token');
      secrets.push('grpc-secret-looking-token');
    } finally {
      client.close();
    }

    const hashes = await sql<{ password_hash: string }>(stack.databaseUrl, 'SELECT password_hash FROM users');
    secrets.push(...hashes.map((h) => h.password_hash));
    for (const token of [ada.refreshToken, session.refreshToken, rotated.refreshToken, bob.refreshToken]) {
      secrets.push(createHash('sha256').update(token).digest('hex'));
    }
    // JWT signatures on their own, and the shared secrets of the deployment.
    for (const jwt of [ada.accessToken, session.accessToken, rotated.accessToken, bob.accessToken]) secrets.push(jwt.split('.')[2]);
    secrets.push(stack.env.gatewaySecret, stack.env.serviceToken, key.privatePem.split('\n')[1]);

    const lines = stack.logs.lines;
    expect(lines.length).toBeGreaterThan(50);
    // The log did see these flows (so a clean result means something).
    expect(lines.some((l) => l.includes('refresh token reused'))).toBe(true);
    expect(lines.some((l) => l.includes('"message":"sql"'))).toBe(true);
    const leaks = secrets.flatMap((secret) => lines.filter((line) => line.includes(secret)).map((line) => `${secret.slice(0, 12)}… in ${line}`));
    expect(leaks).toEqual([]);
    // No gateway-signed identity either (v1.<body>.<mac>).
    expect(lines.filter((l) => /v1\.[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{40,}/.test(l))).toEqual([]);
  });
});
