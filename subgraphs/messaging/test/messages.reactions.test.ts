import { randomUUID } from 'node:crypto';
import { codeOf, registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, type MessagingClient } from './messaging-client';

const REACT = `mutation($id: ID!, $e: String!) { addReaction(messageId: $id, emoji: $e) { id reactions { emoji count reactedByMe } } }`;
const UNREACT = `mutation($id: ID!, $e: String!) { removeReaction(messageId: $id, emoji: $e) { id reactions { emoji count reactedByMe } } }`;
const VIEW = `query($id: ID!) { room(id: $id) { lastSeq messages { edges { node { id reactions { emoji count reactedByMe } } } } } }`;

describe('reactions', () => {
  let stack: Stack;
  let alice: MessagingClient, bob: MessagingClient, carol: MessagingClient;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob, carol] = (await Promise.all([1, 2, 3].map(() => registerUser(stack)))).map((u) => clientFor(stack, u));
    roomId = (await alice.createRoom('reactions', [bob.user.id, carol.user.id])).id;
  });
  afterAll(() => stack.stop());

  /** The reactions of `messageId` as `viewer` sees them in the room's history, and the room's lastSeq. */
  async function seenBy(viewer: MessagingClient, messageId: string) {
    const room = must(await viewer.request(VIEW, { id: roomId }), 'room');
    return { lastSeq: room.lastSeq as number, reactions: room.messages.edges.find((e: { node: { id: string } }) => e.node.id === messageId).node.reactions };
  }

  it('keeps one reaction per user per emoji, counts them per emoji and tells each viewer their own', async () => {
    const message = await alice.sendOk(roomId, 'react to me');
    expect(must(await alice.request(REACT, { id: message.id, e: '👍' }), 'addReaction').reactions).toEqual([{ emoji: '👍', count: 1, reactedByMe: true }]);
    const { lastSeq } = await seenBy(alice, message.id);
    // Adding it again, even many times at once, changes nothing and takes no seq.
    const repeats = await Promise.all(Array.from({ length: 10 }, () => alice.request(REACT, { id: message.id, e: '👍' })));
    for (const res of repeats) expect(must(res, 'addReaction').reactions).toEqual([{ emoji: '👍', count: 1, reactedByMe: true }]);
    expect((await seenBy(alice, message.id)).lastSeq).toBe(lastSeq);

    must(await bob.request(REACT, { id: message.id, e: '👍' }), 'addReaction');
    must(await bob.request(REACT, { id: message.id, e: '🎉' }), 'addReaction');
    expect(await seenBy(alice, message.id)).toEqual({
      lastSeq: lastSeq + 2,
      reactions: [
        { emoji: '👍', count: 2, reactedByMe: true },
        { emoji: '🎉', count: 1, reactedByMe: false },
      ],
    });
    expect((await seenBy(bob, message.id)).reactions).toEqual([
      { emoji: '👍', count: 2, reactedByMe: true },
      { emoji: '🎉', count: 1, reactedByMe: true },
    ]);
    expect((await seenBy(carol, message.id)).reactions).toEqual([
      { emoji: '👍', count: 2, reactedByMe: false },
      { emoji: '🎉', count: 1, reactedByMe: false },
    ]);
  });

  it('removes only the caller\'s own reaction; removing one that is not there changes nothing', async () => {
    const message = await alice.sendOk(roomId, 'take it back');
    must(await alice.request(REACT, { id: message.id, e: '❤️' }), 'addReaction');
    must(await bob.request(REACT, { id: message.id, e: '❤️' }), 'addReaction');
    const { lastSeq } = await seenBy(alice, message.id);
    expect(must(await alice.request(UNREACT, { id: message.id, e: '❤️' }), 'removeReaction').reactions).toEqual([
      { emoji: '❤️', count: 1, reactedByMe: false },
    ]);
    expect(must(await alice.request(UNREACT, { id: message.id, e: '❤️' }), 'removeReaction').reactions).toEqual([
      { emoji: '❤️', count: 1, reactedByMe: false },
    ]);
    expect(must(await carol.request(UNREACT, { id: message.id, e: '❤️' }), 'removeReaction').reactions).toHaveLength(1);
    expect((await seenBy(alice, message.id)).lastSeq).toBe(lastSeq + 1);
    must(await bob.request(UNREACT, { id: message.id, e: '❤️' }), 'removeReaction');
    expect((await seenBy(bob, message.id)).reactions).toEqual([]);
  });

  it('takes at most 20 different emojis on a message, then more of those only', async () => {
    const message = await alice.sendOk(roomId, 'popular');
    const emojis = [...'😀😁😂🤣😃😄😅😆😉😊😋😎😍😘🥰😗😙🥲😚🙂'];
    expect(emojis).toHaveLength(20);
    for (const e of emojis) must(await alice.request(REACT, { id: message.id, e }), 'addReaction');
    const refused = await bob.request(REACT, { id: message.id, e: '🤯' });
    expect(codeOf(refused)).toBe('BAD_USER_INPUT');
    expect(refused.errors![0].extensions!.fields).toEqual({ emoji: 'At most 20 different emojis per message' });
    // One of the 20 still takes more users.
    const more = must(await bob.request(REACT, { id: message.id, e: emojis[0] }), 'addReaction');
    expect(more.reactions).toHaveLength(20);
    expect(more.reactions[0]).toEqual({ emoji: emojis[0], count: 2, reactedByMe: true });
  });

  it('accepts single emoji, including sequences, and refuses text', async () => {
    const message = await alice.sendOk(roomId, 'emoji only');
    for (const e of ['👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣']) must(await carol.request(REACT, { id: message.id, e }), 'addReaction');
    expect((await seenBy(carol, message.id)).reactions.map((r: { emoji: string }) => r.emoji)).toEqual(['👍🏽', '👨‍👩‍👧', '🇫🇷', '1️⃣']);
    for (const e of ['', 'lol', '👍 ok', ':+1:', '👍'.repeat(20)]) {
      const res = await carol.request(REACT, { id: message.id, e });
      expect([e, codeOf(res)]).toEqual([e, 'BAD_USER_INPUT']);
      expect(res.errors![0].extensions!.fields).toEqual({ emoji: expect.any(String) });
    }
    expect(codeOf(await carol.request(REACT, { id: randomUUID(), e: '👍' }))).toBe('NOT_FOUND');
  });
});
