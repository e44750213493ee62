import { codeOf, registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, promote, type MessagingClient } from './messaging-client';

const EDIT = `mutation($id: ID!, $body: String!) { editMessage(id: $id, body: $body) { id seq body editedAt deletedAt } }`;
const DELETE = `mutation($id: ID!) { deleteMessage(id: $id) { id seq body editedAt deletedAt } }`;
const REACT = `mutation($id: ID!) { addReaction(messageId: $id, emoji: "👍") { id } }`;
const SET_ROLE = `mutation($roomId: ID!, $userId: ID!) { setMemberRole(roomId: $roomId, userId: $userId, role: ADMIN) { id } }`;
const HISTORY = `query($id: ID!) { room(id: $id) { lastSeq messages { edges { node { id body editedAt deletedAt } } } } }`;

describe('editing and deleting messages', () => {
  let stack: Stack;
  let owner: MessagingClient, admin: MessagingClient, author: MessagingClient, member: MessagingClient;
  let moderator: MessagingClient, globalAdmin: MessagingClient, outsider: MessagingClient;
  let roomId: string;

  beforeAll(async () => {
    stack = await startStack();
    const users = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => registerUser(stack)));
    [owner, admin, author, member, outsider] = [users[0], users[1], users[2], users[3], users[6]].map((u) => clientFor(stack, u));
    // Global roles are auth's: set directly in this stack's database, then signed in again to carry them.
    moderator = clientFor(stack, await promote(stack, users[4], ['USER', 'MODERATOR']));
    globalAdmin = clientFor(stack, await promote(stack, users[5], ['USER', 'ADMIN']));
    roomId = (await owner.createRoom('moderated', [admin.user.id, author.user.id, member.user.id])).id;
    must(await owner.request(SET_ROLE, { roomId, userId: admin.user.id }), 'setMemberRole');
  });
  afterAll(() => stack.stop());

  const lastSeq = async () => must(await owner.request(HISTORY, { id: roomId }), 'room').lastSeq as number;

  it('lets only the author edit, and records the edit', async () => {
    const sent = await author.sendOk(roomId, 'first draft');
    for (const other of [owner, admin, member, moderator, globalAdmin, outsider]) {
      expect(codeOf(await other.request(EDIT, { id: sent.id, body: 'not yours' }))).toBe('FORBIDDEN');
    }
    const before = await lastSeq();
    const edited = must(await author.request(EDIT, { id: sent.id, body: '  final text  ' }), 'editMessage');
    expect(edited).toMatchObject({ id: sent.id, seq: sent.seq, body: 'final text', deletedAt: null });
    expect(Date.parse(edited.editedAt)).not.toBeNaN();
    expect(await lastSeq()).toBe(before + 1);
    const stored = must(await member.request(HISTORY, { id: roomId }), 'room').messages.edges.find((e: { node: { id: string } }) => e.node.id === sent.id);
    expect(stored.node).toMatchObject({ body: 'final text', editedAt: edited.editedAt });
  });

  it('lets the author, the room owner and admins, and global moderators and admins delete; nobody else', async () => {
    const deleters = { author, owner, admin, moderator, globalAdmin };
    for (const [who, deleter] of Object.entries(deleters)) {
      const sent = await author.sendOk(roomId, `to be deleted by ${who}`);
      for (const refused of [member, outsider]) expect(codeOf(await refused.request(DELETE, { id: sent.id }))).toBe('FORBIDDEN');
      const before = await lastSeq();
      const deleted = must(await deleter.request(DELETE, { id: sent.id }), 'deleteMessage');
      expect([who, deleted.body, deleted.seq]).toEqual([who, '', sent.seq]);
      expect(Date.parse(deleted.deletedAt)).not.toBeNaN();
      expect(await lastSeq()).toBe(before + 1);
      const stored = must(await member.request(HISTORY, { id: roomId }), 'room').messages.edges.find((e: { node: { id: string } }) => e.node.id === sent.id);
      expect(stored.node).toMatchObject({ body: '', deletedAt: deleted.deletedAt });
    }
    // Being an author gives no right over anyone else's messages.
    const others = await owner.sendOk(roomId, 'owner speaking');
    expect(codeOf(await author.request(DELETE, { id: others.id }))).toBe('FORBIDDEN');
  });

  it('keeps a deleted message deleted: deleting again changes nothing, edits and reactions are refused', async () => {
    const sent = await author.sendOk(roomId, 'short-lived');
    const deleted = must(await author.request(DELETE, { id: sent.id }), 'deleteMessage');
    const before = await lastSeq();
    const again = await Promise.all([author.request(DELETE, { id: sent.id }), owner.request(DELETE, { id: sent.id })]);
    for (const res of again) expect(must(res, 'deleteMessage')).toEqual(deleted);
    expect(await lastSeq()).toBe(before);
    expect(codeOf(await author.request(EDIT, { id: sent.id, body: 'resurrected' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await member.request(REACT, { id: sent.id }))).toBe('BAD_USER_INPUT');
    expect(await lastSeq()).toBe(before);
  });

  it('a promoted moderator needs no membership to delete, but still cannot read or write the room', async () => {
    expect(codeOf(await moderator.request(HISTORY, { id: roomId }))).toBe('FORBIDDEN');
    expect(codeOf(await moderator.send(roomId, 'hello'))).toBe('FORBIDDEN');
  });
});
