import { codeOf, gql, registerUser, type Stack } from '../../../test/harness';
import { LOGIN, startAuthStack } from './support';

const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`;
/** A client at `ip`, as the gateway sees it behind a proxy on loopback. */
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('login lockout: fair to the owner, slow for guessers', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startAuthStack({
      redis: true,
      env: { LOGIN_LIMIT_PER_ACCOUNT: '3', LOGIN_FREE_FAILURES: '3', LOGIN_MAX_DELAY: '60', LOGIN_LIMIT_WINDOW: '900' },
    });
  });
  afterAll(() => stack.stop());

  const loginAt = (ip: string, login: string, password: string) => gql(stack.gatewayUrl, LOGIN, { input: { login, password } }, from(ip));

  it('lets the owner sign in from their usual address while guessers elsewhere are locked out', async () => {
    const ada = await registerUser(stack);
    expect((await loginAt('192.0.2.50', ada.username, ada.password)).errors).toBeUndefined();
    // Strangers spread their guesses over many addresses, more than the account allows.
    for (let i = 0; i < 10; i++) await loginAt(`203.0.113.${i + 1}`, ada.username, `guess ${i}`);
    const stranger = await loginAt('203.0.113.99', ada.username, ada.password);
    expect(codeOf(stranger)).toBe('RATE_LIMITED');
    expect(stranger.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
    // The owner, from where they signed in before, is not locked out.
    const owner = await loginAt('192.0.2.50', ada.username, ada.password);
    expect(owner.errors).toBeUndefined();
    expect(owner.data!.login.user.id).toBe(ada.id);
  });

  it('makes one address wait longer after each failure past the free ones', async () => {
    const bob = await registerUser(stack);
    const ip = '198.51.100.60';
    // A familiar address, so the account-wide lockout of strangers stays out of this.
    expect((await loginAt(ip, bob.username, bob.password)).errors).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(codeOf(await loginAt(ip, bob.username, 'wrong password'))).toBe('UNAUTHENTICATED');
    const first = await loginAt(ip, bob.username, bob.password);
    expect(codeOf(first)).toBe('RATE_LIMITED');
    expect(first.errors![0].extensions!.retryAfter).toBe(1);
    await sleep(1100);
    expect(codeOf(await loginAt(ip, bob.username, 'wrong password'))).toBe('UNAUTHENTICATED');
    const second = await loginAt(ip, bob.username, bob.password);
    expect(codeOf(second)).toBe('RATE_LIMITED');
    expect(second.errors![0].extensions!.retryAfter).toBe(2);
  });

  it('counts parallel guesses before any password is checked: only the free ones reach bcrypt', async () => {
    const carol = await registerUser(stack);
    const ip = '198.51.100.70';
    // Carol signed in from here before, so only the per-address delays can stop these.
    expect((await loginAt(ip, carol.username, carol.password)).errors).toBeUndefined();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => loginAt(ip, carol.username, `parallel guess ${i}`)));
    // After the free failures each attempt waits 1 s, then 2, 4...: on a machine so busy that the
    // guesses reached auth over E seconds, log2(E + 1) more may have been due; none beyond that.
    const due = Math.floor(Math.log2((Date.now() - started) / 1000 + 1));
    const checked = results.filter((r) => codeOf(r) === 'UNAUTHENTICATED').length;
    expect(checked).toBeGreaterThanOrEqual(3);
    expect(checked).toBeLessThanOrEqual(3 + due);
    expect(results.filter((r) => codeOf(r) === 'RATE_LIMITED')).toHaveLength(20 - checked);
  });

  it('throttles changePassword like a login: a stolen access token cannot guess the current password at speed', async () => {
    const dave = await registerUser(stack);
    const change = (currentPassword: string) =>
      gql(stack.gatewayUrl, CHANGE_PASSWORD, { input: { currentPassword, newPassword: 'a brand new password' } }, { token: dave.accessToken, ...from('198.51.100.80') });
    for (let i = 0; i < 3; i++) expect(codeOf(await change(`guess ${i}`))).toBe('BAD_USER_INPUT');
    expect(codeOf(await change(dave.password))).toBe('RATE_LIMITED');
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => change(`more ${i}`)));
    expect(results.every((r) => codeOf(r) === 'RATE_LIMITED')).toBe(true);
  });
});
