import { randomUUID } from 'node:crypto';
import { codeOf, registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, type MessagingClient } from './messaging-client';

const EDIT = `mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id body } }`;
const LAST_SEQ = `query($id: ID!) { room(id: $id) { lastSeq } }`;
const REPLY = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id replyTo { id body author { id } } } }`;

describe('message bodies and replies', () => {
  let stack: Stack;
  let alice: MessagingClient;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    alice = clientFor(stack, await registerUser(stack));
    roomId = (await alice.createRoom('validation')).id;
  });
  afterAll(() => stack.stop());

  const lastSeq = async () => must(await alice.request(LAST_SEQ, { id: roomId }), 'room').lastSeq as number;

  it.each([
    ['empty', ''],
    ['only whitespace', ' \n\t  \u00a0 '],
    ['4,001 characters long', 'x'.repeat(4001)],
    ['4,001 astral emoji long', '😀'.repeat(4001)],
  ])('refuses a body that is %s with BAD_USER_INPUT naming body, and stores nothing', async (_, body) => {
    const before = await lastSeq();
    const res = await alice.send(roomId, body);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields).toEqual({ body: expect.any(String) });
    expect(res.data?.sendMessage ?? null).toBeNull();
    expect(await lastSeq()).toBe(before);
  });

  it('accepts exactly 4,000 characters, counted after trimming and in characters rather than UTF-16 units', async () => {
    expect((await alice.sendOk(roomId, 'x'.repeat(4000))).body).toHaveLength(4000);
    expect((await alice.sendOk(roomId, `  \n${'y'.repeat(4000)}\n  `)).body).toBe('y'.repeat(4000));
    expect((await alice.sendOk(roomId, '😀'.repeat(4000))).body).toBe('😀'.repeat(4000));
    expect((await alice.sendOk(roomId, '  hi  ')).body).toBe('hi');
  });

  it('applies the same rules to edits', async () => {
    const sent = await alice.sendOk(roomId, 'original');
    for (const body of ['', '   ', 'z'.repeat(4001)]) {
      const res = await alice.request(EDIT, { id: sent.id, body });
      expect(codeOf(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.fields).toEqual({ body: expect.any(String) });
    }
    expect(must(await alice.request(EDIT, { id: sent.id, body: 'z'.repeat(4000) }), 'editMessage').body).toHaveLength(4000);
  });

  it('links a reply to a message of the same room and refuses one from anywhere else', async () => {
    const original = await alice.sendOk(roomId, 'question?');
    const reply = must(await alice.request(REPLY, { input: { roomId, body: 'answer', replyToId: original.id } }), 'sendMessage');
    expect(reply.replyTo).toEqual({ id: original.id, body: 'question?', author: { id: alice.user.id } });

    const elsewhere = (await alice.createRoom('elsewhere')).id;
    const foreign = await alice.sendOk(elsewhere, 'in another room');
    const before = await lastSeq();
    for (const replyToId of [foreign.id, randomUUID(), 'not-an-id']) {
      const res = await alice.send(roomId, 'reply', { replyToId });
      expect([replyToId, codeOf(res)]).toEqual([replyToId, 'BAD_USER_INPUT']);
      expect(res.errors![0].extensions!.fields).toEqual({ replyToId: expect.any(String) });
    }
    expect(await lastSeq()).toBe(before);
  });
});
