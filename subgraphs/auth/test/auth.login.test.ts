import bcrypt from 'bcrypt';
import { codeOf, gql, registerUser, type Stack, type TestUser } from '../../../test/harness';
import { LOGIN, claimsOf, me, sql, startAuthStack } from './support';

describe('login', () => {
  let stack: Stack;
  let ada: TestUser;
  beforeAll(async () => {
    stack = await startAuthStack();
    ada = await registerUser(stack);
  });
  afterAll(() => stack.stop());
  afterEach(() => jest.restoreAllMocks());

  const loginAs = (login: string, password: string) => gql(stack.gatewayUrl, LOGIN, { input: { login, password } });

  it.each([
    ['username', (u: TestUser) => u.username],
    ['username in another case', (u: TestUser) => u.username.toUpperCase()],
    ['email', (u: TestUser) => u.email],
    ['email in another case with spaces around', (u: TestUser) => `  ${u.email.toUpperCase()} `],
  ])('signs in with the %s and starts a new session', async (_name, loginOf) => {
    const res = await loginAs(loginOf(ada), ada.password);
    expect(res.errors).toBeUndefined();
    const { accessToken, refreshToken, user } = res.data!.login;
    expect(user).toEqual({ id: ada.id, username: ada.username, roles: ['USER'] });
    expect(refreshToken).not.toBe(ada.refreshToken);
    expect(claimsOf(accessToken).sid).not.toBe(claimsOf(ada.accessToken).sid);
    expect((await me(stack, accessToken)).data!.me.id).toBe(ada.id);
  });

  it('answers an unknown account exactly like a wrong password', async () => {
    const wrong = await loginAs(ada.username, 'not the password');
    const unknown = await loginAs('nobody_here', 'not the password');
    const unknownEmail = await loginAs('nobody@example.test', ada.password);
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0].message).toBe('Invalid login or password');
    for (const res of [unknown, unknownEmail]) {
      expect(res.status).toBe(wrong.status);
      expect(res.data).toEqual(wrong.data);
      expect(res.errors).toEqual(wrong.errors);
    }
  });

  it('spends one bcrypt compare at the configured cost whether or not the account exists', async () => {
    // A pass-through spy: the real compare runs; we only record which hash it was given.
    const compare = jest.spyOn(bcrypt, 'compare');
    const [{ password_hash: stored }] = await sql<{ password_hash: string }>(stack.databaseUrl, 'SELECT password_hash FROM users WHERE id = $1', [
      ada.id,
    ]);

    await loginAs(ada.username, 'not the password');
    expect(compare).toHaveBeenCalledTimes(1);
    expect(compare.mock.calls[0][1]).toBe(stored);

    compare.mockClear();
    await loginAs('nobody_here', 'not the password');
    expect(compare).toHaveBeenCalledTimes(1);
    const dummy = String(compare.mock.calls[0][1]);
    // Same algorithm and cost as a real stored hash, so the same work.
    expect(dummy.slice(0, 7)).toBe(stored.slice(0, 7));
    expect(dummy).toMatch(/^\$2b\$04\$.{53}$/);
    expect(dummy).not.toBe(stored);
  });

  it('computes the stand-in hash before the first unknown-account login, not during it', async () => {
    const fresh = await startAuthStack({ databaseUrl: stack.databaseUrl });
    try {
      const hash = jest.spyOn(bcrypt, 'hash');
      const compare = jest.spyOn(bcrypt, 'compare');
      await gql(fresh.gatewayUrl, LOGIN, { input: { login: 'nobody_at_all', password: 'whatever1' } });
      expect(compare).toHaveBeenCalledTimes(1);
      expect(hash).not.toHaveBeenCalled();
    } finally {
      await fresh.stop();
    }
  });

  it('refuses an empty login or password with BAD_USER_INPUT', async () => {
    const res = await loginAs('', '');
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions!.fields).sort()).toEqual(['login', 'password']);
  });

  it('refuses an oversized password with BAD_USER_INPUT before hashing it', async () => {
    const compare = jest.spyOn(bcrypt, 'compare');
    const res = await loginAs(ada.username, 'x'.repeat(100_000));
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields).toEqual({ password: expect.any(String) });
    expect(compare).not.toHaveBeenCalled();
  });

  it('does not accept a password longer than 72 bytes whose first 72 bytes are right', async () => {
    // bcrypt reads 72 bytes; without a length check a longer guess with the right prefix would pass.
    const long = await registerUser(stack);
    const password = 'p'.repeat(72);
    const changed = await gql(
      stack.gatewayUrl,
      'mutation($input: ChangePasswordInput!) { changePassword(input: $input) }',
      { input: { currentPassword: long.password, newPassword: password } },
      { token: long.accessToken },
    );
    expect(changed.errors).toBeUndefined();
    expect((await loginAs(long.username, password)).errors).toBeUndefined();
    const res = await loginAs(long.username, `${password}and more`);
    expect(codeOf(res)).toBe('UNAUTHENTICATED');
    expect(res.errors![0].message).toBe('Invalid login or password');
  });
});
