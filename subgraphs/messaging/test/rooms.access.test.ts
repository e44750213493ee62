import { randomUUID } from 'node:crypto';
import { codeOf, gql, registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, type MessagingClient } from './messaging-client';

const ROOM = `query($id: ID!) { room(id: $id) { id lastSeq messages { edges { node { id body } } } } }`;
const MARK_READ = `mutation($roomId: ID!, $seq: Int!) { markRead(roomId: $roomId, seq: $seq) { id } }`;
const REACT = `mutation($id: ID!, $e: String!) { addReaction(messageId: $id, emoji: $e) { id } }`;
const UNREACT = `mutation($id: ID!, $e: String!) { removeReaction(messageId: $id, emoji: $e) { id } }`;
const EDIT = `mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id } }`;
const DELETE = `mutation($id: ID!) { deleteMessage(id: $id) { id } }`;
const TYPING = `mutation($roomId: ID!) { setTyping(roomId: $roomId, typing: true) }`;
const LEAVE = `mutation($roomId: ID!) { leaveRoom(roomId: $roomId) }`;

describe('only members read and write a room', () => {
  let stack: Stack;
  let alice: MessagingClient, bob: MessagingClient, mallory: MessagingClient;
  let roomId: string;
  let messageId: string;

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob, mallory] = (await Promise.all([1, 2, 3].map(() => registerUser(stack)))).map((u) => clientFor(stack, u));
    roomId = (await alice.createRoom('private', [bob.user.id])).id;
    messageId = (await alice.sendOk(roomId, 'members only')).id;
    must(await bob.request(REACT, { id: messageId, e: '👍' }), 'addReaction');
  });
  afterAll(() => stack.stop());

  /** Everything a non-member might try, each expected to be FORBIDDEN without a trace of data. */
  async function expectLockedOut(outsider: MessagingClient) {
    const attempts: [string, Promise<Awaited<ReturnType<MessagingClient['request']>>>][] = [
      ['room', outsider.request(ROOM, { id: roomId })],
      ['sendMessage', outsider.send(roomId, 'let me in')],
      ['sendMessage with clientMessageId', outsider.send(roomId, 'let me in', { clientMessageId: 'sneaky' })],
      ['addReaction', outsider.request(REACT, { id: messageId, e: '🎉' })],
      ['removeReaction', outsider.request(UNREACT, { id: messageId, e: '👍' })],
      ['markRead', outsider.request(MARK_READ, { roomId, seq: 1 })],
      ['editMessage', outsider.request(EDIT, { id: messageId, body: 'mine now' })],
      ['deleteMessage', outsider.request(DELETE, { id: messageId })],
      ['setTyping', outsider.request(TYPING, { roomId })],
      ['inviteToRoom', outsider.invite(roomId, outsider.user.id)],
      ['leaveRoom', outsider.request(LEAVE, { roomId })],
    ];
    for (const [name, attempt] of attempts) {
      const res = await attempt;
      expect([name, codeOf(res)]).toEqual([name, 'FORBIDDEN']);
      expect(JSON.stringify(res.data ?? null)).not.toContain('members only');
    }
  }

  it('refuses reads, sends, reactions, read markers and every other operation to a non-member', async () => {
    const before = must(await alice.request(ROOM, { id: roomId }), 'room');
    await expectLockedOut(mallory);
    expect(must(await alice.request(ROOM, { id: roomId }), 'room')).toEqual(before);
    const reactions = must(await alice.request(`query($id: ID!) { room(id: $id) { messages { edges { node { reactions { emoji count } } } } } }`, { id: roomId }), 'room');
    expect(reactions.messages.edges[0].node.reactions).toEqual([{ emoji: '👍', count: 1 }]);
  });

  it('shows a non-member none of the room through other paths either', async () => {
    expect(must(await mallory.request(`{ myRooms { id } }`), 'myRooms')).toEqual([]);
    const viaUser = await mallory.request(`query($id: ID!) { user(id: $id) { rooms { id } } }`, { id: alice.user.id });
    expect(viaUser.errors).toBeUndefined();
    expect(viaUser.data!.user.rooms).toEqual([]);
  });

  it('locks out a member as soon as they leave', async () => {
    const carol = clientFor(stack, await registerUser(stack));
    must(await alice.invite(roomId, carol.user.id), 'inviteToRoom');
    expect(must(await carol.request(ROOM, { id: roomId }), 'room').messages.edges.map((e: { node: { body: string } }) => e.node.body)).toEqual(['members only']);
    expect(must(await carol.request(LEAVE, { roomId }), 'leaveRoom')).toBe(true);
    await expectLockedOut(carol);
  });

  it('answers NOT_FOUND for rooms and messages that do not exist', async () => {
    expect(codeOf(await alice.send(randomUUID(), 'hello?'))).toBe('NOT_FOUND');
    expect(codeOf(await alice.send('not-an-id', 'hello?'))).toBe('NOT_FOUND');
    expect(codeOf(await alice.request(REACT, { id: randomUUID(), e: '👍' }))).toBe('NOT_FOUND');
    expect(codeOf(await alice.request(MARK_READ, { roomId: randomUUID(), seq: 1 }))).toBe('NOT_FOUND');
  });

  it('takes the acting user only from the identity the gateway signs', async () => {
    // Straight to the subgraph with a real token and a made-up identity header: refused.
    const direct = await gql(
      stack.messagingUrl,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`,
      { i: { roomId, body: 'forged' } },
      { token: alice.user.accessToken, headers: { 'x-aether-identity': `v1.${Buffer.from(JSON.stringify({ userId: alice.user.id, roles: [], expiresAt: Date.now() + 60_000 })).toString('base64url')}.AAAA` } },
    );
    expect(direct.status).toBe(401);
    expect(codeOf(direct)).toBe('UNAUTHENTICATED');
    // Through the gateway, a client's own identity header is not believed either.
    const spoofed = await gql(
      stack.gatewayUrl,
      `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`,
      { i: { roomId, body: 'spoofed' } },
      { token: mallory.user.accessToken, headers: { 'x-aether-identity': 'v1.e30.AAAA' } },
    );
    expect(codeOf(spoofed)).toBe('FORBIDDEN');
    const bodies = must(await alice.request(ROOM, { id: roomId }), 'room').messages.edges.map((e: { node: { body: string } }) => e.node.body);
    expect(bodies).toEqual(['members only']);
  });
});
