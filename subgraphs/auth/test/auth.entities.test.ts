import { randomUUID } from 'node:crypto';
import { gql, registerUser, type Stack, type TestUser } from '../../../test/harness';
import { startAuthStack } from './support';

/** The SQL statements auth ran for one request, read from its debug log. */
function statementsOf(stack: Stack, requestId: string): string[] {
  return stack.logs.lines
    .map((line) => JSON.parse(line))
    .filter((l) => l.service === 'auth' && l.message === 'sql' && l.requestId === requestId)
    .map((l) => String(l.query));
}

const readsUsers = (statement: string) => /^SELECT\b[\s\S]*\bFROM "users"/.test(statement);

describe('User as an entity', () => {
  let stack: Stack;
  let owner: TestUser;
  let members: TestUser[];
  beforeAll(async () => {
    stack = await startAuthStack();
    owner = await registerUser(stack);
    members = await Promise.all(Array.from({ length: 24 }, () => registerUser(stack)));
  });
  afterAll(() => stack.stop());

  it('resolves every user an operation references with one SQL query', async () => {
    const room = await gql(
      stack.gatewayUrl,
      `mutation($input: CreateRoomInput!) { createRoom(input: $input) { id } }`,
      { input: { name: 'everyone', memberIds: members.map((m) => m.id) } },
      { token: owner.accessToken },
    );
    expect(room.errors).toBeUndefined();

    const requestId = `entities-${randomUUID()}`;
    const res = await gql(
      stack.gatewayUrl,
      `query($id: ID!) { room(id: $id) { members { user { id username displayName } } } }`,
      { id: room.data!.createRoom.id },
      { token: owner.accessToken, headers: { 'x-request-id': requestId } },
    );
    expect(res.errors).toBeUndefined();
    const users = res.data!.room.members.map((m: { user: { id: string; username: string; displayName: string } }) => m.user);
    expect(users).toHaveLength(25);
    expect(new Set(users.map((u: { id: string }) => u.id))).toEqual(new Set([owner.id, ...members.map((m) => m.id)]));
    for (const u of users) expect(u.displayName).toBe(`Display ${u.username}`);

    const statements = statementsOf(stack, requestId);
    expect(statements.filter(readsUsers)).toHaveLength(1);
    expect(statements.filter(readsUsers)[0]).toMatch(/"id" IN \(/);
  });

  it('batches `user(id:)` fields of one operation too, unknown and malformed ids included', async () => {
    const ids = [...members.slice(0, 8).map((m) => m.id), randomUUID(), 'not-a-uuid'];
    const query = `{ ${ids.map((id, i) => `u${i}: user(id: "${id}") { username }`).join(' ')} }`;
    const requestId = `aliases-${randomUUID()}`;
    const res = await gql(stack.gatewayUrl, query, {}, { token: owner.accessToken, headers: { 'x-request-id': requestId } });
    expect(res.errors).toBeUndefined();
    expect(Object.values(res.data!)).toEqual([...members.slice(0, 8).map((m) => ({ username: m.username })), null, null]);
    expect(statementsOf(stack, requestId).filter(readsUsers)).toHaveLength(1);
  });

  it('logs statements without their parameters', async () => {
    const lines = stack.logs.lines.filter((l) => l.includes('"message":"sql"'));
    expect(lines.length).toBeGreaterThan(0);
    for (const member of members) expect(lines.some((l) => l.includes(member.id) || l.includes(member.email))).toBe(false);
  });
});
