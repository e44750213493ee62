import { codeOf, registerUser, startStack, type Stack } from '../../../test/harness';
import { clientFor, must, type MessagingClient } from './messaging-client';

const MARK_READ = `mutation($roomId: ID!, $seq: Int!) { markRead(roomId: $roomId, seq: $seq) { id lastSeq lastReadSeq unreadCount } }`;
const STATE = `query($id: ID!) { room(id: $id) { lastSeq lastReadSeq unreadCount } }`;
const DELETE = `mutation($id: ID!) { deleteMessage(id: $id) { id } }`;

describe('read markers and unread counts', () => {
  let stack: Stack;
  let alice: MessagingClient, bob: MessagingClient;

  beforeAll(async () => {
    stack = await startStack();
    [alice, bob] = (await Promise.all([registerUser(stack), registerUser(stack)])).map((u) => clientFor(stack, u));
  });
  afterAll(() => stack.stop());

  const state = async (who: MessagingClient, roomId: string) => must(await who.request(STATE, { id: roomId }), 'room');
  const markRead = async (who: MessagingClient, roomId: string, seq: number) => must(await who.request(MARK_READ, { roomId, seq }), 'markRead');

  it('counts messages from others after the read marker, and moves the marker forward only, never past lastSeq', async () => {
    const roomId = (await alice.createRoom('unread', [bob.user.id])).id;
    for (const body of ['one', 'two', 'three']) await bob.sendOk(roomId, body);
    await alice.sendOk(roomId, 'mine');
    expect(await state(alice, roomId)).toEqual({ lastSeq: 4, lastReadSeq: 0, unreadCount: 3 });
    expect(await state(bob, roomId)).toEqual({ lastSeq: 4, lastReadSeq: 0, unreadCount: 1 });

    expect(await markRead(alice, roomId, 2)).toMatchObject({ lastSeq: 4, lastReadSeq: 2, unreadCount: 1 });
    expect(await markRead(alice, roomId, 1)).toMatchObject({ lastReadSeq: 2, unreadCount: 1 });
    expect(await markRead(alice, roomId, 1_000_000)).toMatchObject({ lastReadSeq: 4, unreadCount: 0 });
    // Bob's marker is his own.
    expect(await state(bob, roomId)).toMatchObject({ lastReadSeq: 0, unreadCount: 1 });

    await bob.sendOk(roomId, 'five');
    expect(await state(alice, roomId)).toEqual({ lastSeq: 5, lastReadSeq: 4, unreadCount: 1 });
    const racing = await Promise.all([5, 3, 1, 4].map((seq) => markRead(bob, roomId, seq)));
    expect(racing.every((r) => r.lastReadSeq >= 1)).toBe(true);
    expect(await state(bob, roomId)).toMatchObject({ lastReadSeq: 5, unreadCount: 0 });
  });

  it('does not count deleted messages as unread', async () => {
    const roomId = (await alice.createRoom('deleted', [bob.user.id])).id;
    const [first] = [await bob.sendOk(roomId, 'oops'), await bob.sendOk(roomId, 'kept')];
    expect((await state(alice, roomId)).unreadCount).toBe(2);
    must(await bob.request(DELETE, { id: first.id }), 'deleteMessage');
    expect(await state(alice, roomId)).toEqual({ lastSeq: 3, lastReadSeq: 0, unreadCount: 1 });
  });

  it('shows every room\'s counts in myRooms', async () => {
    const roomId = (await alice.createRoom('listed', [bob.user.id])).id;
    await bob.sendOk(roomId, 'ping');
    const rooms = must(await alice.request(`{ myRooms { id lastSeq unreadCount } }`), 'myRooms');
    expect(rooms[0]).toEqual({ id: roomId, lastSeq: 1, unreadCount: 1 });
  });

  it('refuses a negative seq', async () => {
    const roomId = (await alice.createRoom('bad seq')).id;
    const res = await alice.request(MARK_READ, { roomId, seq: -1 });
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields).toEqual({ seq: expect.any(String) });
  });
});
