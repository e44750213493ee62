import { codeOf, gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';

// The gateway checks each access token's signature once and remembers the result; none of that
// may let a token work longer than it should.
describe('gateway authentication: verified tokens remembered, never beyond their life', () => {
  let stack: Stack;
  let alice: TestUser;

  beforeAll(async () => {
    stack = await startStack({ redis: true, env: { ACCESS_TOKEN_TTL: '2' } });
    alice = await registerUser(stack);
  });
  afterAll(() => stack?.stop());

  const me = (token: string) => gql(stack.gatewayUrl, `{ me { id } }`, {}, { token });

  it('refuses a token it has already accepted once it expires', async () => {
    expect((await me(alice.accessToken)).data?.me).toEqual({ id: alice.id });
    expect((await me(alice.accessToken)).data?.me).toEqual({ id: alice.id });
    await new Promise((r) => setTimeout(r, 2100));
    const late = await me(alice.accessToken);
    expect(late.status).toBe(401);
    expect(codeOf(late)).toBe('UNAUTHENTICATED');
    expect(late.errors![0].message).toBe('Access token has expired');
  });

  it('refuses a token it has already accepted as soon as its session ends', async () => {
    const bob = await registerUser(stack);
    expect((await me(bob.accessToken)).data?.me).toEqual({ id: bob.id });
    await gql(stack.gatewayUrl, `mutation($t: String!) { logout(refreshToken: $t) }`, { t: bob.refreshToken }, { token: bob.accessToken });
    const after = await me(bob.accessToken);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
    expect(after.errors![0].message).toBe('Session has ended');
  });
});
