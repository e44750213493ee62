import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { grantRoleByLogin } from '../src/grant-role';
import { createAuthDataSource } from '../src/store/data-source';
import { codeOf, gql, registerUser, type Stack, type TestUser } from '../../../test/harness';
import {
  LOGIN,
  REFRESH,
  authClientFor,
  claimsOf,
  expectRefused,
  login,
  me,
  refreshed,
  setRolesInDatabase,
  sql,
  startAuthStack,
  type Session,
} from './support';

const GRANT = `mutation($u: ID!, $r: Role!) { grantRole(userId: $u, role: $r) { id roles } }`;
const REVOKE = `mutation($u: ID!, $r: Role!) { revokeRole(userId: $u, role: $r) { id roles } }`;
const BAN = `mutation($u: ID!) { banUser(userId: $u) { id banned } }`;
const UNBAN = `mutation($u: ID!) { unbanUser(userId: $u) { id banned } }`;
const AUTH_DIR = join(__dirname, '..');

describe('roles and bans', () => {
  let stack: Stack;
  let admin: TestUser & Session;
  beforeAll(async () => {
    stack = await startAuthStack({ redis: true });
    const account = await registerUser(stack);
    // Nobody can grant the first ADMIN through the API: it is set in the database.
    await setRolesInDatabase(stack, account.id, ['USER', 'ADMIN']);
    admin = { ...account, ...(await refreshed(stack, account)) };
    expect(claimsOf(admin.accessToken).roles).toEqual(['USER', 'ADMIN']);
  });
  afterAll(() => stack.stop());

  const asAdmin = (query: string, variables: Record<string, unknown>) => gql(stack.gatewayUrl, query, variables, { token: admin.accessToken });

  it('lets an admin grant MODERATOR, which the user\'s next tokens carry', async () => {
    const ada = await registerUser(stack);
    const res = await asAdmin(GRANT, { u: ada.id, r: 'MODERATOR' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.grantRole).toEqual({ id: ada.id, roles: ['USER', 'MODERATOR'] });
    expect((await me(stack, ada.accessToken)).data!.me.roles).toEqual(['USER', 'MODERATOR']);
    // Granting does not end sessions; the next refresh brings a token with the new role.
    const next = await refreshed(stack, ada);
    expect(claimsOf(next.accessToken).roles).toEqual(['USER', 'MODERATOR']);
    // Granting twice changes nothing.
    expect((await asAdmin(GRANT, { u: ada.id, r: 'MODERATOR' })).data!.grantRole.roles).toEqual(['USER', 'MODERATOR']);
  });

  it('takes a role back and ends the user\'s sessions, so no token keeps it', async () => {
    const mod = await registerUser(stack);
    await asAdmin(GRANT, { u: mod.id, r: 'MODERATOR' });
    const session = await login(stack, mod);
    expect(claimsOf(session.accessToken).roles).toEqual(['USER', 'MODERATOR']);

    const res = await asAdmin(REVOKE, { u: mod.id, r: 'MODERATOR' });
    expect(res.data!.revokeRole).toEqual({ id: mod.id, roles: ['USER'] });
    expectRefused(await me(stack, session.accessToken));
    expect(codeOf(await gql(stack.gatewayUrl, REFRESH, { t: session.refreshToken }))).toBe('UNAUTHENTICATED');
    const again = await login(stack, mod);
    expect(claimsOf(again.accessToken).roles).toEqual(['USER']);
  });

  it('a demoted admin can no longer act as one, even with a token minted before', async () => {
    const second = await registerUser(stack);
    const granted = await asAdmin(GRANT, { u: second.id, r: 'ADMIN' });
    expect(granted.data!.grantRole.roles).toEqual(['USER', 'ADMIN']);
    const secondAdmin = await refreshed(stack, second);
    const victim = await registerUser(stack);
    expect((await gql(stack.gatewayUrl, GRANT, { u: victim.id, r: 'MODERATOR' }, { token: secondAdmin.accessToken })).errors).toBeUndefined();

    // Demoted behind the API's back: the token still says ADMIN, the database does not.
    await setRolesInDatabase(stack, second.id, ['USER']);
    const res = await gql(stack.gatewayUrl, BAN, { u: victim.id }, { token: secondAdmin.accessToken });
    expect(codeOf(res)).toBe('FORBIDDEN');
    expect((await asAdmin(`query($id: ID!) { user(id: $id) { banned } }`, { id: victim.id })).data!.user.banned).toBe(false);
  });

  it('refuses role and ban changes from anyone but an admin', async () => {
    const ada = await registerUser(stack);
    const bob = await registerUser(stack);
    for (const [query, variables] of [
      [GRANT, { u: ada.id, r: 'ADMIN' }],
      [REVOKE, { u: admin.id, r: 'ADMIN' }],
      [BAN, { u: admin.id }],
      [UNBAN, { u: bob.id }],
    ] as const) {
      expect(codeOf(await gql(stack.gatewayUrl, query, variables, { token: ada.accessToken }))).toBe('FORBIDDEN');
      expect(codeOf(await gql(stack.gatewayUrl, query, variables))).toBe('UNAUTHENTICATED');
    }
    expect((await me(stack, ada.accessToken)).data!.me.roles).toEqual(['USER']);
    expect((await me(stack, admin.accessToken)).data!.me.roles).toEqual(['USER', 'ADMIN']);
  });

  it('refuses nonsense with the right codes', async () => {
    const ada = await registerUser(stack);
    const userRole = await asAdmin(GRANT, { u: ada.id, r: 'USER' });
    expect(codeOf(userRole)).toBe('BAD_USER_INPUT');
    expect(userRole.errors![0].extensions!.fields).toEqual({ role: expect.any(String) });
    expect(codeOf(await asAdmin(REVOKE, { u: ada.id, r: 'USER' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await asAdmin(GRANT, { u: '00000000-0000-4000-8000-000000000000', r: 'MODERATOR' }))).toBe('NOT_FOUND');
    expect(codeOf(await asAdmin(GRANT, { u: 'not-a-uuid', r: 'MODERATOR' }))).toBe('NOT_FOUND');
    expect(codeOf(await asAdmin(GRANT, { u: ada.id, r: 'OWNER' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await asAdmin(BAN, { u: admin.id }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await asAdmin(REVOKE, { u: admin.id, r: 'ADMIN' }))).toBe('BAD_USER_INPUT');
    expect((await me(stack, admin.accessToken)).data!.me.roles).toEqual(['USER', 'ADMIN']);
  });

  it('locks a banned user out: tokens stop at once, no refresh, no login, and it says no more than a wrong password', async () => {
    const eve = await registerUser(stack);
    const other = await login(stack, eve);
    expect((await me(stack, eve.accessToken)).data!.me.id).toBe(eve.id);

    const res = await asAdmin(BAN, { u: eve.id });
    expect(res.data!.banUser).toEqual({ id: eve.id, banned: true });

    expectRefused(await me(stack, eve.accessToken));
    expectRefused(await me(stack, other.accessToken));
    expect(codeOf(await gql(stack.gatewayUrl, REFRESH, { t: other.refreshToken }))).toBe('UNAUTHENTICATED');
    const banned = await gql(stack.gatewayUrl, LOGIN, { input: { login: eve.username, password: eve.password } });
    const wrong = await gql(stack.gatewayUrl, LOGIN, { input: { login: eve.username, password: 'not the password' } });
    expect(codeOf(banned)).toBe('UNAUTHENTICATED');
    expect(banned.errors).toEqual(wrong.errors);

    // Other services learn it over gRPC.
    const client = authClientFor(stack);
    try {
      expect((await client.getUsers([eve.id])).users[0].banned).toBe(true);
      expect((await client.verifyAccessToken(eve.accessToken)).valid).toBe(false);
    } finally {
      client.close();
    }

    const lifted = await asAdmin(UNBAN, { u: eve.id });
    expect(lifted.data!.unbanUser).toEqual({ id: eve.id, banned: false });
    // Lifting a ban does not bring ended sessions back, but logging in works again.
    expectRefused(await me(stack, other.accessToken));
    expect((await gql(stack.gatewayUrl, LOGIN, { input: { login: eve.username, password: eve.password } })).errors).toBeUndefined();
  });

  it('shows emails to admins and to the account itself only', async () => {
    const ada = await registerUser(stack);
    const bob = await registerUser(stack);
    const query = `query($id: ID!) { user(id: $id) { email } }`;
    expect((await gql(stack.gatewayUrl, query, { id: ada.id }, { token: admin.accessToken })).data!.user.email).toBe(ada.email);
    expect((await gql(stack.gatewayUrl, query, { id: ada.id }, { token: ada.accessToken })).data!.user.email).toBe(ada.email);
    expect((await gql(stack.gatewayUrl, query, { id: ada.id }, { token: bob.accessToken })).data!.user.email).toBeNull();
    expect((await gql(stack.gatewayUrl, query, { id: ada.id })).data!.user.email).toBeNull();
  });

  it('an operator makes the first admin with `npm run grant-role`', async () => {
    const boss = await registerUser(stack);
    const run = (args: string[]) =>
      spawnSync(join(AUTH_DIR, '../../node_modules/.bin/tsx'), ['--conditions=aether-source', join(AUTH_DIR, 'src/grant-role.ts'), ...args], {
        env: { ...process.env, DATABASE_URL: stack.databaseUrl },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const ok = run([boss.email.toUpperCase()]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`${boss.username} (${boss.id}) now has roles USER, ADMIN`);
    const [row] = await sql<{ roles: string[] }>(stack.databaseUrl, 'SELECT roles FROM users WHERE id = $1', [boss.id]);
    expect(row.roles).toEqual(['USER', 'ADMIN']);
    // The new admin acts as one right away.
    const someone = await registerUser(stack);
    expect((await gql(stack.gatewayUrl, GRANT, { u: someone.id, r: 'MODERATOR' }, { token: boss.accessToken })).errors).toBeUndefined();

    const db = createAuthDataSource(stack.databaseUrl);
    await db.initialize();
    try {
      expect(await grantRoleByLogin(db, 'nobody_by_that_name', 'ADMIN')).toBeNull();
    } finally {
      await db.destroy();
    }
  });
});
