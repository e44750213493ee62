import { randomUUID } from 'node:crypto';
import { codeOf, registerUser, startStack, type Stack, type TestUser } from '../../../test/harness';
import { ban, clientFor, must, type MessagingClient } from './messaging-client';

const ROOM = `query($id: ID!) { room(id: $id) { id kind name lastSeq myRole members { user { id username displayName } role joinedAt } } }`;
const MY_ROOMS = `{ myRooms { id name } me { rooms { id } } }`;
const REMOVE = `mutation($roomId: ID!, $userId: ID!) { removeFromRoom(roomId: $roomId, userId: $userId) { id members { user { id } role } } }`;
const SET_ROLE = `mutation($roomId: ID!, $userId: ID!, $role: RoomRole!) { setMemberRole(roomId: $roomId, userId: $userId, role: $role) { id } }`;
const LEAVE = `mutation($roomId: ID!) { leaveRoom(roomId: $roomId) }`;

const memberIdsOf = (room: { members: { user: { id: string } }[] }) => room.members.map((m) => m.user.id).sort();

describe('rooms and membership', () => {
  let stack: Stack;
  let users: TestUser[];
  let alice: MessagingClient, bob: MessagingClient, carol: MessagingClient, dave: MessagingClient;

  beforeAll(async () => {
    stack = await startStack();
    users = await Promise.all([1, 2, 3, 4].map(() => registerUser(stack)));
    [alice, bob, carol, dave] = users.map((u) => clientFor(stack, u));
  });
  afterAll(() => stack.stop());

  it('creates a group room with the creator as OWNER and the others as MEMBERs, users resolved from auth', async () => {
    const created = await alice.createRoom('general', [bob.user.id, bob.user.id, alice.user.id]);
    expect(created).toMatchObject({ kind: 'GROUP', name: 'general', lastSeq: 0 });
    const room = must(await alice.request(ROOM, { id: created.id }), 'room');
    expect(room.myRole).toBe('OWNER');
    const byName = (a: { user: { username: string } }, b: { user: { username: string } }) => a.user.username.localeCompare(b.user.username);
    expect([...room.members].sort(byName)).toEqual(
      [alice.user, bob.user]
        .map((u) => ({
          user: { id: u.id, username: u.username, displayName: `Display ${u.username}` },
          role: u === alice.user ? 'OWNER' : 'MEMBER',
          joinedAt: expect.any(String),
        }))
        .sort(byName),
    );
    expect(must(await bob.request(ROOM, { id: created.id }), 'room').myRole).toBe('MEMBER');
  });

  it('refuses bad room input with the field named', async () => {
    const res = await alice.request(`mutation { createRoom(input: { name: "   " }) { id } }`);
    expect(codeOf(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.fields).toEqual({ name: expect.any(String) });
    const long = await alice.request(`mutation($n: String!) { createRoom(input: { name: $n }) { id } }`, { n: 'x'.repeat(101) });
    expect(long.errors![0].extensions!.fields).toEqual({ name: expect.any(String) });
  });

  it('lists rooms: myRooms and me.rooms, most recently active first; User.rooms shows only shared rooms', async () => {
    const [u1, u2] = await Promise.all([registerUser(stack), registerUser(stack)]);
    const first = clientFor(stack, u1);
    const second = clientFor(stack, u2);
    const shared = await first.createRoom('shared', [u2.id]);
    const own = await first.createRoom('own');
    let mine = must(await first.request(MY_ROOMS), 'myRooms');
    expect(mine.map((r: { id: string }) => r.id)).toEqual([own.id, shared.id]);
    await first.sendOk(shared.id, 'bump');
    const res = await first.request(MY_ROOMS);
    mine = must(res, 'myRooms');
    expect(mine.map((r: { id: string }) => r.id)).toEqual([shared.id, own.id]);
    expect(res.data!.me.rooms.map((r: { id: string }) => r.id)).toEqual([shared.id, own.id]);
    expect(must(await second.request(MY_ROOMS), 'myRooms')).toEqual([{ id: shared.id, name: 'shared' }]);
    const theirs = await first.request(`query($id: ID!) { user(id: $id) { username rooms { id } } }`, { id: u2.id });
    expect(theirs.errors).toBeUndefined();
    expect(theirs.data!.user).toEqual({ username: u2.username, rooms: [{ id: shared.id }] });
  });

  it('lets the owner and admins invite, and refuses members', async () => {
    const room = await alice.createRoom('invites', [bob.user.id]);
    expect(codeOf(await bob.invite(room.id, carol.user.id))).toBe('FORBIDDEN');
    expect(codeOf(await carol.invite(room.id, dave.user.id))).toBe('FORBIDDEN');

    const invited = must(await alice.invite(room.id, carol.user.id), 'inviteToRoom');
    expect(memberIdsOf(invited)).toEqual([alice.user.id, bob.user.id, carol.user.id].sort());
    // Inviting again changes nothing and takes no seq.
    must(await alice.invite(room.id, carol.user.id), 'inviteToRoom');
    expect(must(await alice.request(ROOM, { id: room.id }), 'room').lastSeq).toBe(1);

    expect(codeOf(await bob.request(SET_ROLE, { roomId: room.id, userId: carol.user.id, role: 'ADMIN' }))).toBe('FORBIDDEN');
    must(await alice.request(SET_ROLE, { roomId: room.id, userId: bob.user.id, role: 'ADMIN' }), 'setMemberRole');
    expect(must(await bob.request(ROOM, { id: room.id }), 'room').myRole).toBe('ADMIN');
    const byAdmin = must(await bob.invite(room.id, dave.user.id), 'inviteToRoom');
    expect(memberIdsOf(byAdmin)).toContain(dave.user.id);
    expect(must(await dave.request(ROOM, { id: room.id }), 'room').myRole).toBe('MEMBER');
    // Nobody, not even the owner, changes the owner's role.
    expect(codeOf(await alice.request(SET_ROLE, { roomId: room.id, userId: alice.user.id, role: 'MEMBER' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await alice.request(SET_ROLE, { roomId: room.id, userId: alice.user.id, role: 'OWNER' }))).toBe('BAD_USER_INPUT');
  });

  it('lets the owner and admins remove members; members remove nobody, the owner is never removed, only the owner removes admins', async () => {
    const room = await alice.createRoom('removals', [bob.user.id, carol.user.id, dave.user.id]);
    must(await alice.request(SET_ROLE, { roomId: room.id, userId: bob.user.id, role: 'ADMIN' }), 'setMemberRole');

    expect(codeOf(await carol.request(REMOVE, { roomId: room.id, userId: dave.user.id }))).toBe('FORBIDDEN');
    expect(codeOf(await bob.request(REMOVE, { roomId: room.id, userId: alice.user.id }))).toBe('FORBIDDEN');
    const afterAdmin = must(await bob.request(REMOVE, { roomId: room.id, userId: dave.user.id }), 'removeFromRoom');
    expect(memberIdsOf(afterAdmin)).toEqual([alice.user.id, bob.user.id, carol.user.id].sort());
    expect(codeOf(await dave.request(ROOM, { id: room.id }))).toBe('FORBIDDEN');
    expect(codeOf(await bob.request(REMOVE, { roomId: room.id, userId: dave.user.id }))).toBe('NOT_FOUND');

    must(await alice.request(SET_ROLE, { roomId: room.id, userId: carol.user.id, role: 'ADMIN' }), 'setMemberRole');
    expect(codeOf(await bob.request(REMOVE, { roomId: room.id, userId: carol.user.id }))).toBe('FORBIDDEN');
    const afterOwner = must(await alice.request(REMOVE, { roomId: room.id, userId: bob.user.id }), 'removeFromRoom');
    expect(memberIdsOf(afterOwner)).toEqual([alice.user.id, carol.user.id].sort());
    expect(codeOf(await carol.request(REMOVE, { roomId: room.id, userId: alice.user.id }))).toBe('FORBIDDEN');
  });

  it('lets anyone leave a group room, after which it is gone from their rooms', async () => {
    const room = await alice.createRoom('leaving', [bob.user.id, carol.user.id]);
    expect(must(await bob.request(LEAVE, { roomId: room.id }), 'leaveRoom')).toBe(true);
    expect(must(await bob.request(MY_ROOMS), 'myRooms').map((r: { id: string }) => r.id)).not.toContain(room.id);
    expect(codeOf(await bob.request(ROOM, { id: room.id }))).toBe('FORBIDDEN');
    expect(codeOf(await bob.request(LEAVE, { roomId: room.id }))).toBe('FORBIDDEN');
    expect(must(await alice.request(LEAVE, { roomId: room.id }), 'leaveRoom')).toBe(true);
    const left = must(await carol.request(ROOM, { id: room.id }), 'room');
    expect(memberIdsOf(left)).toEqual([carol.user.id]);
    // The owner left, so the last member took over: the room can still be managed.
    expect(left.myRole).toBe('OWNER');
    must(await carol.invite(room.id, dave.user.id), 'inviteToRoom');
    // Joins at creation take no seq; each departure and invitation takes one.
    expect(must(await carol.request(ROOM, { id: room.id }), 'room').lastSeq).toBe(3);
  });

  it('hands a group over to its longest-standing admin when the owner leaves', async () => {
    const room = await alice.createRoom('succession', [bob.user.id, carol.user.id]);
    must(await alice.request(SET_ROLE, { roomId: room.id, userId: carol.user.id, role: 'ADMIN' }), 'setMemberRole');
    must(await alice.request(LEAVE, { roomId: room.id }), 'leaveRoom');
    const roles = must(await bob.request(ROOM, { id: room.id }), 'room').members.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role]);
    expect(roles.sort()).toEqual([[bob.user.id, 'MEMBER'], [carol.user.id, 'OWNER']].sort());
  });

  it('opens direct rooms that cannot be left, invited to or re-roled', async () => {
    const opened = must(await alice.openDirectRoom(bob.user.id), 'openDirectRoom');
    expect(opened).toMatchObject({ kind: 'DIRECT', name: null });
    expect(must(await bob.openDirectRoom(alice.user.id), 'openDirectRoom').id).toBe(opened.id);
    const room = must(await bob.request(ROOM, { id: opened.id }), 'room');
    expect(room.members.map((m: { role: string }) => m.role)).toEqual(['MEMBER', 'MEMBER']);
    expect(memberIdsOf(room)).toEqual([alice.user.id, bob.user.id].sort());

    expect(codeOf(await alice.request(LEAVE, { roomId: opened.id }))).toBe('BAD_USER_INPUT');
    expect(codeOf(await alice.invite(opened.id, carol.user.id))).toBe('BAD_USER_INPUT');
    expect(codeOf(await alice.request(SET_ROLE, { roomId: opened.id, userId: bob.user.id, role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(codeOf(await alice.request(REMOVE, { roomId: opened.id, userId: bob.user.id }))).toBe('FORBIDDEN');
    // An outsider learns nothing about it: not its kind, not its members.
    expect(codeOf(await carol.invite(opened.id, dave.user.id))).toBe('FORBIDDEN');
    expect(codeOf(await carol.request(ROOM, { id: opened.id }))).toBe('FORBIDDEN');
    expect(codeOf(await carol.request(LEAVE, { roomId: opened.id }))).toBe('FORBIDDEN');
    expect(codeOf(await alice.openDirectRoom(alice.user.id))).toBe('BAD_USER_INPUT');
    expect(memberIdsOf(must(await alice.request(ROOM, { id: opened.id }), 'room'))).toEqual([alice.user.id, bob.user.id].sort());
  });

  it('refuses to invite, add or open a direct room with a user auth does not know or has banned', async () => {
    const room = await alice.createRoom('guarded', [bob.user.id]);
    const banned = await registerUser(stack);
    // Banned before messaging ever looked them up: the refusal comes from auth's GetUsers answer.
    await ban(stack, banned);
    for (const userId of [randomUUID(), 'not-a-user-id', banned.id]) {
      const invited = await alice.invite(room.id, userId);
      expect(codeOf(invited)).toBe('NOT_FOUND');
      expect(codeOf(await alice.request(`mutation($m: [ID!]) { createRoom(input: { name: "x", memberIds: $m }) { id } }`, { m: [bob.user.id, userId] }))).toBe('NOT_FOUND');
      expect(codeOf(await alice.openDirectRoom(userId))).toBe('NOT_FOUND');
    }
    const after = must(await alice.request(ROOM, { id: room.id }), 'room');
    expect(memberIdsOf(after)).toEqual([alice.user.id, bob.user.id].sort());
    expect(after.lastSeq).toBe(0);
    expect(must(await alice.request(MY_ROOMS), 'myRooms').filter((r: { name: string }) => r.name === 'x')).toEqual([]);
  });

  it('answers null for a room that does not exist and UNAUTHENTICATED without a token', async () => {
    expect(must(await alice.request(ROOM, { id: randomUUID() }), 'room')).toBeNull();
    expect(must(await alice.request(ROOM, { id: 'nope' }), 'room')).toBeNull();
    const anonymous = clientFor(stack, { ...alice.user, accessToken: '' });
    expect(codeOf(await anonymous.request(MY_ROOMS))).toBe('UNAUTHENTICATED');
    expect(codeOf(await anonymous.request(`mutation { createRoom(input: { name: "x" }) { id } }`))).toBe('UNAUTHENTICATED');
  });
});
