import { codeOf, gql, type Stack } from '../../../test/harness';
import { claimsOf, me, sql, startAuthStack } from './support';

const REGISTER = `mutation($input: RegisterInput!) {
  register(input: $input) { accessToken refreshToken accessTokenExpiresAt user { id username displayName roles email banned } }
}`;

let n = 0;
/** A valid RegisterInput with unique email and username, changed by `overrides`. */
function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const username = `reg_${process.pid}_${++n}`;
  return { email: `${username}@example.test`, username, password: 'correct horse battery', displayName: 'Someone', ...overrides };
}

const userCount = async (stack: Stack) => Number((await sql<{ n: string }>(stack.databaseUrl, 'SELECT count(*) AS n FROM users'))[0].n);

describe('register', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startAuthStack();
  });
  afterAll(() => stack.stop());

  it('creates an account, signs it in, and `me` answers with it', async () => {
    const before = Date.now();
    const res = await gql(stack.gatewayUrl, REGISTER, {
      input: { email: 'Ada@Example.test', username: 'Ada_L', password: 'correct horse battery', displayName: '  Ada Lovelace ' },
    });
    expect(res.errors).toBeUndefined();
    const { accessToken, refreshToken, accessTokenExpiresAt, user } = res.data!.register;
    expect(user).toEqual({
      id: expect.any(String),
      username: 'Ada_L',
      displayName: 'Ada Lovelace',
      roles: ['USER'],
      email: 'Ada@Example.test',
      banned: false,
    });
    expect(refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const claims = claimsOf(accessToken);
    expect(claims).toMatchObject({ sub: user.id, roles: ['USER'], sid: expect.any(String) });
    // 15 minutes by default.
    const expiresAt = Date.parse(accessTokenExpiresAt);
    expect(expiresAt).toBe(claims.exp! * 1000);
    expect(expiresAt - before).toBeGreaterThan(899_000);
    expect(expiresAt - before).toBeLessThan(902_000);

    const mine = await me(stack, accessToken);
    expect(mine.errors).toBeUndefined();
    expect(mine.data!.me).toEqual({ id: user.id, username: 'Ada_L', roles: ['USER'] });
  });

  it('stores only a bcrypt hash at the configured cost, never the password', async () => {
    const fields = input({ password: 'a distinctive passphrase' });
    expect((await gql(stack.gatewayUrl, REGISTER, { input: fields })).errors).toBeUndefined();
    const [row] = await sql<Record<string, unknown>>(stack.databaseUrl, 'SELECT * FROM users WHERE username = $1', [fields.username]);
    expect(row.password_hash).toMatch(/^\$2b\$04\$.{53}$/);
    expect(JSON.stringify(row)).not.toContain('a distinctive passphrase');
  });

  it('hashes with cost 12 under default settings', async () => {
    // A second replica on the same database with BCRYPT_COST unset (empty means unset).
    const defaults = await startAuthStack({ databaseUrl: stack.databaseUrl, env: { BCRYPT_COST: '' } });
    try {
      const fields = input();
      expect((await gql(defaults.gatewayUrl, REGISTER, { input: fields })).errors).toBeUndefined();
      const [row] = await sql<{ password_hash: string }>(stack.databaseUrl, 'SELECT password_hash FROM users WHERE username = $1', [
        fields.username,
      ]);
      expect(row.password_hash.startsWith('$2b$12$')).toBe(true);
    } finally {
      await defaults.stop();
    }
  });

  it('refuses a username or email taken in another case with CONFLICT naming the field, and writes nothing', async () => {
    const first = input({ username: 'Grace_H', email: 'Grace@Navy.test' });
    expect((await gql(stack.gatewayUrl, REGISTER, { input: first })).errors).toBeUndefined();
    const count = await userCount(stack);

    const sameUsername = await gql(stack.gatewayUrl, REGISTER, { input: input({ username: 'grace_h' }) });
    expect(codeOf(sameUsername)).toBe('CONFLICT');
    expect(sameUsername.errors![0].extensions!.fields).toEqual({ username: 'Already taken' });

    const sameEmail = await gql(stack.gatewayUrl, REGISTER, { input: input({ email: 'GRACE@navy.TEST' }) });
    expect(codeOf(sameEmail)).toBe('CONFLICT');
    expect(sameEmail.errors![0].extensions!.fields).toEqual({ email: 'Already taken' });

    const both = await gql(stack.gatewayUrl, REGISTER, { input: input({ username: 'GRACE_h', email: 'grace@navy.test' }) });
    expect(both.errors![0].extensions!.fields).toEqual({ username: 'Already taken', email: 'Already taken' });
    expect(both.data).toBeUndefined();
    expect(await userCount(stack)).toBe(count);
  });

  it('lets exactly one of several simultaneous registrations of one username through', async () => {
    const attempts = await Promise.all(
      ['Racer', 'racer', 'RACER', 'rAcEr', 'racER'].map((username) => gql(stack.gatewayUrl, REGISTER, { input: input({ username }) })),
    );
    expect(attempts.filter((r) => r.data?.register).length).toBe(1);
    const refused = attempts.filter((r) => !r.data?.register);
    expect(refused.map(codeOf)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    for (const r of refused) expect(r.errors![0].extensions!.fields).toEqual({ username: 'Already taken' });
  });

  it.each([
    ['an email without @', { email: 'not-an-email' }, 'email'],
    ['an empty email', { email: '' }, 'email'],
    ['a 255-character email', { email: `${'e'.repeat(243)}@example.test` }, 'email'],
    ['a 2-character username', { username: 'ab' }, 'username'],
    ['a 33-character username', { username: 'u'.repeat(33) }, 'username'],
    ['a username with a space', { username: 'has space' }, 'username'],
    ['a username with a dash', { username: 'has-dash' }, 'username'],
    ['a username with non-ASCII letters', { username: 'émile' }, 'username'],
    ['a 7-byte password', { password: 'abcdefg' }, 'password'],
    ['a 73-byte password', { password: 'a'.repeat(73) }, 'password'],
    ['a 37-character password of 74 bytes', { password: 'é'.repeat(37) }, 'password'],
    ['an empty display name', { displayName: '' }, 'displayName'],
    ['a blank display name', { displayName: '   ' }, 'displayName'],
    ['a 65-character display name', { displayName: 'd'.repeat(65) }, 'displayName'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_name, overrides, field) => {
    const count = await userCount(stack);
    const res = await gql(stack.gatewayUrl, REGISTER, { input: input(overrides) });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions!.fields)).toEqual([field]);
    expect(res.errors![0].extensions!.fields[field]).toEqual(expect.any(String));
    expect(res.data).toBeUndefined();
    expect(await userCount(stack)).toBe(count);
  });

  it('names every bad field at once', async () => {
    const res = await gql(stack.gatewayUrl, REGISTER, { input: { email: 'x', username: '!', password: 'short', displayName: '' } });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions!.fields).sort()).toEqual(['displayName', 'email', 'password', 'username']);
  });

  it.each([
    ['an 8-byte password', { password: 'abcdefgh' }],
    ['a 72-byte password', { password: 'a'.repeat(72) }],
    ['a 36-character password of 72 bytes', { password: 'é'.repeat(36) }],
    ['a 3-character username', { username: `u${n}x`.slice(0, 3) }],
    ['a 32-character username', { username: `u${process.pid}_`.padEnd(32, 'x') }],
  ])('accepts %s', async (_name, overrides) => {
    const res = await gql(stack.gatewayUrl, REGISTER, { input: input(overrides) });
    expect(res.errors).toBeUndefined();
  });
});
