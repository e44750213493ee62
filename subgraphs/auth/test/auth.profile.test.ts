import { codeOf, gql, registerUser, type Stack } from '../../../test/harness';
import { LOGIN, REFRESH, expectRefused, login, me, startAuthStack } from './support';

const UPDATE = `mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName avatarUrl bio updatedAt } }`;
const CHANGE_PASSWORD = `mutation($input: ChangePasswordInput!) { changePassword(input: $input) }`;

describe('profiles and passwords', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startAuthStack({ redis: true });
  });
  afterAll(() => stack.stop());

  it('`me` is null without a token; users are found by id and by username in any case', async () => {
    const ada = await registerUser(stack);
    expect((await gql(stack.gatewayUrl, '{ me { id } }')).data).toEqual({ me: null });
    const byId = await gql(stack.gatewayUrl, `query($id: ID!) { user(id: $id) { id username } }`, { id: ada.id });
    expect(byId.data!.user).toEqual({ id: ada.id, username: ada.username });
    const byName = await gql(stack.gatewayUrl, `query($u: String!) { userByUsername(username: $u) { id } }`, { u: ada.username.toUpperCase() });
    expect(byName.data!.userByUsername).toEqual({ id: ada.id });
    for (const [query, variables] of [
      [`query($id: ID!) { user(id: $id) { id } }`, { id: '00000000-0000-4000-8000-000000000000' }],
      [`query($id: ID!) { user(id: $id) { id } }`, { id: 'not-a-uuid' }],
      [`query($u: String!) { userByUsername(username: $u) { id } }`, { u: 'nobody_here' }],
      [`query($u: String!) { userByUsername(username: $u) { id } }`, { u: 'x'.repeat(1000) }],
    ] as const) {
      const res = await gql(stack.gatewayUrl, query, variables);
      expect(res.errors).toBeUndefined();
      expect(Object.values(res.data!)).toEqual([null]);
    }
  });

  it('updates the profile: given fields change, omitted ones stay, null clears', async () => {
    const ada = await registerUser(stack);
    const first = await gql(stack.gatewayUrl, UPDATE, { input: { displayName: ' Ada ', avatarUrl: 'https://img.example/ada.png', bio: 'Counts.' } }, {
      token: ada.accessToken,
    });
    expect(first.errors).toBeUndefined();
    expect(first.data!.updateProfile).toMatchObject({ displayName: 'Ada', avatarUrl: 'https://img.example/ada.png', bio: 'Counts.' });
    const second = await gql(stack.gatewayUrl, UPDATE, { input: { bio: null } }, { token: ada.accessToken });
    expect(second.data!.updateProfile).toMatchObject({ displayName: 'Ada', avatarUrl: 'https://img.example/ada.png', bio: null });
    expect(Date.parse(second.data!.updateProfile.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.data!.updateProfile.updatedAt));
  });

  it.each([
    ['a javascript: avatar URL', { avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
    ['a relative avatar URL', { avatarUrl: '/me.png' }, 'avatarUrl'],
    ['a 501-character bio', { bio: 'b'.repeat(501) }, 'bio'],
    ['an empty display name', { displayName: '  ' }, 'displayName'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_name, input, field) => {
    const ada = await registerUser(stack);
    const res = await gql(stack.gatewayUrl, UPDATE, { input }, { token: ada.accessToken });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(Object.keys(res.errors![0].extensions!.fields)).toEqual([field]);
  });

  it('needs a signed-in user to change a profile or a password', async () => {
    expect(codeOf(await gql(stack.gatewayUrl, UPDATE, { input: { bio: 'x' } }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(stack.gatewayUrl, CHANGE_PASSWORD, { input: { currentPassword: 'a', newPassword: 'abcdefgh' } }))).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('changes the password: the old one stops working and every other session ends, this one goes on', async () => {
    const ada = await registerUser(stack);
    const phone = await login(stack, ada);
    const res = await gql(stack.gatewayUrl, CHANGE_PASSWORD, { input: { currentPassword: ada.password, newPassword: 'a brand new secret' } }, {
      token: ada.accessToken,
    });
    expect(res.data).toEqual({ changePassword: true });
    expectRefused(await me(stack, phone.accessToken));
    expect(codeOf(await gql(stack.gatewayUrl, REFRESH, { t: phone.refreshToken }))).toBe('UNAUTHENTICATED');
    expect((await me(stack, ada.accessToken)).data!.me.id).toBe(ada.id);
    expect((await gql(stack.gatewayUrl, REFRESH, { t: ada.refreshToken })).errors).toBeUndefined();

    const old = await gql(stack.gatewayUrl, LOGIN, { input: { login: ada.username, password: ada.password } });
    expect(codeOf(old)).toBe('UNAUTHENTICATED');
    const fresh = await gql(stack.gatewayUrl, LOGIN, { input: { login: ada.username, password: 'a brand new secret' } });
    expect(fresh.errors).toBeUndefined();
  });

  it('refuses a wrong current password or a weak new one, changing nothing', async () => {
    const ada = await registerUser(stack);
    const wrong = await gql(stack.gatewayUrl, CHANGE_PASSWORD, { input: { currentPassword: 'not it at all', newPassword: 'a brand new secret' } }, {
      token: ada.accessToken,
    });
    expect(codeOf(wrong)).toBe('BAD_USER_INPUT');
    expect(wrong.errors![0].extensions!.fields).toEqual({ currentPassword: expect.any(String) });
    for (const newPassword of ['short', 'x'.repeat(73)]) {
      const weak = await gql(stack.gatewayUrl, CHANGE_PASSWORD, { input: { currentPassword: ada.password, newPassword } }, { token: ada.accessToken });
      expect(codeOf(weak)).toBe('BAD_USER_INPUT');
      expect(weak.errors![0].extensions!.fields).toEqual({ newPassword: expect.any(String) });
    }
    expect((await gql(stack.gatewayUrl, LOGIN, { input: { login: ada.username, password: ada.password } })).errors).toBeUndefined();
  });
});
