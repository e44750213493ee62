import { codeOf, registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, type MessagingClient } from './messaging-client';

const ROOM = `query($id: ID!) { room(id: $id) { lastSeq messages(last: 100) { edges { node { id seq body clientMessageId author { id } } } } } }`;

describe('idempotent sends with clientMessageId', () => {
  let stack: Stack;
  let alice: MessagingClient, bob: MessagingClient;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob] = (await Promise.all([registerUser(stack), registerUser(stack)])).map((u) => clientFor(stack, u));
    roomId = (await alice.createRoom('retries', [bob.user.id])).id;
  });
  afterAll(() => stack.stop());

  const roomState = async () => must(await alice.request(ROOM, { id: roomId }), 'room');

  it('returns the first message for a repeated clientMessageId and creates nothing', async () => {
    const first = must(await alice.send(roomId, 'hello', { clientMessageId: 'c-1' }), 'sendMessage');
    expect(first).toMatchObject({ body: 'hello', clientMessageId: 'c-1', seq: 1 });
    const before = await roomState();
    const again = must(await alice.send(roomId, 'hello', { clientMessageId: 'c-1' }), 'sendMessage');
    // Even a retry whose body changed (a client bug) gets the stored message back, not a second one.
    const changed = must(await alice.send(roomId, 'hello, edited?', { clientMessageId: 'c-1' }), 'sendMessage');
    expect(again).toEqual(first);
    expect(changed).toEqual(first);
    expect(await roomState()).toEqual(before);
    expect(before.lastSeq).toBe(1);
    expect(before.messages.edges).toHaveLength(1);
  });

  it('creates exactly one message when the same send arrives many times at once', async () => {
    const start = (await roomState()).lastSeq;
    const results = await Promise.all(Array.from({ length: 30 }, () => alice.send(roomId, 'once', { clientMessageId: 'c-concurrent' })));
    const messages = results.map((r) => must(r, 'sendMessage'));
    expect(new Set(messages.map((m) => m.id)).size).toBe(1);
    expect(messages[0].seq).toBe(start + 1);
    const after = await roomState();
    expect(after.lastSeq).toBe(start + 1);
    expect(after.messages.edges.filter((e: { node: { clientMessageId: string } }) => e.node.clientMessageId === 'c-concurrent')).toHaveLength(1);
  });

  it('scopes clientMessageId to its author: another author with the same id sends a new message', async () => {
    const mine = must(await alice.send(roomId, 'from alice', { clientMessageId: 'shared-id' }), 'sendMessage');
    const theirs = must(await bob.send(roomId, 'from bob', { clientMessageId: 'shared-id' }), 'sendMessage');
    expect(theirs.id).not.toBe(mine.id);
    expect(theirs).toMatchObject({ body: 'from bob', author: { id: bob.user.id }, seq: mine.seq + 1 });
  });

  it('sends without a clientMessageId are never merged', async () => {
    const [a, b] = await Promise.all([alice.sendOk(roomId, 'same'), alice.sendOk(roomId, 'same')]);
    expect(a.id).not.toBe(b.id);
  });

  it('refuses a clientMessageId reused for another room, and one longer than 64 characters', async () => {
    const other = await alice.createRoom('elsewhere');
    const reused = await alice.send(other.id, 'hello', { clientMessageId: 'c-1' });
    expect(codeOf(reused)).toBe('BAD_USER_INPUT');
    expect(reused.errors![0].extensions!.fields).toEqual({ clientMessageId: expect.any(String) });
    const long = await alice.send(roomId, 'hello', { clientMessageId: 'x'.repeat(65) });
    expect(long.errors![0].extensions!.fields).toEqual({ clientMessageId: expect.any(String) });
    expect(must(await alice.request(ROOM, { id: other.id }), 'room').lastSeq).toBe(0);
  });
});
