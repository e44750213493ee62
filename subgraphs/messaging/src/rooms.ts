import {
  BadUserInputError,
  ForbiddenError,
  NotFoundError,
  parseInput,
} from '@aether/common';
import { z } from 'zod';
import type { RoomEvents } from './events/publisher';
import type { MemberRecord, MessagingStore, RoomRecord } from './store/store';
import type { UserDirectory } from './users';

/** What domain functions need; built once in server.ts. */
export interface MessagingDeps {
  store: MessagingStore;
  events: RoomEvents;
  users: UserDirectory;
  typingTtlSeconds: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids of rooms and messages are UUIDs: anything else names nothing. */
export const isId = (id: unknown): id is string => typeof id === 'string' && UUID.test(id);
const userId = z.string().min(1).max(64);

export const createRoomInput = z.object({
  name: z.string().trim().min(1, 'Must not be empty').max(100, 'Must be at most 100 characters'),
  memberIds: z.array(userId).max(100, 'At most 100 members at creation').nullish(),
});

export async function requireRoom(store: MessagingStore, roomId: unknown): Promise<RoomRecord> {
  const room = isId(roomId) ? await store.getRoom(roomId) : null;
  if (!room) throw new NotFoundError('Room not found');
  return room;
}

/** The actor's membership; FORBIDDEN for non-members (NOT_FOUND when the room does not exist). */
export async function requireMember(store: MessagingStore, roomId: unknown, actorId: string): Promise<MemberRecord> {
  await requireRoom(store, roomId);
  const member = await store.getMember(roomId as string, actorId);
  if (!member) throw new ForbiddenError('Only members of this room may do this');
  return member;
}

function requireManager(member: MemberRecord): void {
  if (member.role !== 'OWNER' && member.role !== 'ADMIN') throw new ForbiddenError('Only the room owner and admins may do this');
}

export async function createRoom(deps: MessagingDeps, actorId: string, raw: unknown): Promise<RoomRecord> {
  const input = parseInput(createRoomInput, raw);
  const memberIds = [...new Set(input.memberIds ?? [])].filter((id) => id !== actorId);
  if (memberIds.length) await deps.users.requireActive(memberIds);
  return deps.store.createRoom({ kind: 'GROUP', name: input.name, ownerId: actorId, memberIds });
}

export async function openDirectRoom(deps: MessagingDeps, actorId: string, otherId: unknown): Promise<RoomRecord> {
  const other = parseInput(z.object({ userId }), { userId: otherId }).userId;
  if (other === actorId) throw new BadUserInputError('A direct room needs another user', { userId: 'Must not be yourself' });
  await deps.users.requireActive([other]);
  return deps.store.openDirectRoom(actorId, other);
}

export async function inviteToRoom(deps: MessagingDeps, actorId: string, roomId: unknown, invitee: unknown): Promise<RoomRecord> {
  const target = parseInput(z.object({ userId }), { userId: invitee }).userId;
  const room = await requireRoom(deps.store, roomId);
  // Membership first: a non-member learns nothing about the room, not even its kind.
  const actor = await requireMember(deps.store, room.id, actorId);
  if (room.kind === 'DIRECT') throw new BadUserInputError('Direct rooms have exactly two members', { roomId: 'Is a direct room' });
  requireManager(actor);
  await deps.users.requireActive([target]);
  const { event } = await deps.store.addMember(room.id, target, 'MEMBER');
  await deps.events.published(event);
  return (await deps.store.getRoom(room.id))!;
}

export async function removeFromRoom(deps: MessagingDeps, actorId: string, roomId: unknown, removed: unknown): Promise<RoomRecord> {
  const target = parseInput(z.object({ userId }), { userId: removed }).userId;
  const room = await requireRoom(deps.store, roomId);
  const actor = await requireMember(deps.store, room.id, actorId);
  requireManager(actor);
  const member = await deps.store.getMember(room.id, target);
  if (!member) throw new NotFoundError('Not a member of this room');
  if (member.role === 'OWNER') throw new ForbiddenError('The owner cannot be removed');
  if (member.role === 'ADMIN' && actor.role !== 'OWNER') throw new ForbiddenError('Only the owner may remove admins');
  const result = await deps.store.removeMember(room.id, target);
  await deps.events.published(result?.event ?? null);
  return (await deps.store.getRoom(room.id))!;
}

const memberRole = z.object({ role: z.enum(['ADMIN', 'MEMBER'], { errorMap: () => ({ message: 'Must be ADMIN or MEMBER' }) }) });

/** The owner makes a member an admin or an admin a member again; the owner's own role never changes. */
export async function setMemberRole(
  deps: MessagingDeps,
  actorId: string,
  roomId: unknown,
  userIdArg: unknown,
  roleArg: unknown,
): Promise<RoomRecord> {
  const target = parseInput(z.object({ userId }), { userId: userIdArg }).userId;
  const { role } = parseInput(memberRole, { role: roleArg });
  const room = await requireRoom(deps.store, roomId);
  const actor = await requireMember(deps.store, room.id, actorId);
  if (actor.role !== 'OWNER') throw new ForbiddenError('Only the room owner may change roles');
  if (target === actorId) throw new BadUserInputError('The owner keeps their role', { userId: 'Is the owner' });
  if (!(await deps.store.setMemberRole(room.id, target, role))) throw new NotFoundError('Not a member of this room');
  return room;
}

export async function leaveRoom(deps: MessagingDeps, actorId: string, roomId: unknown): Promise<boolean> {
  const room = await requireRoom(deps.store, roomId);
  await requireMember(deps.store, room.id, actorId);
  if (room.kind === 'DIRECT') throw new BadUserInputError('Direct rooms cannot be left', { roomId: 'Is a direct room' });
  const result = await deps.store.removeMember(room.id, actorId);
  await deps.events.published(result?.event ?? null);
  if (result?.value.role === 'OWNER') await handOverOwnership(deps.store, room.id);
  return result !== null;
}

/** A group whose owner left would have nobody to promote admins: the longest-standing admin, else member, takes over. */
async function handOverOwnership(store: MessagingStore, roomId: string): Promise<void> {
  const members = await store.listMembers(roomId);
  const successor = members.find((m) => m.role === 'ADMIN') ?? members[0];
  if (successor && !members.some((m) => m.role === 'OWNER')) await store.setMemberRole(roomId, successor.userId, 'OWNER');
}

export async function markRead(deps: MessagingDeps, actorId: string, roomId: unknown, seq: unknown): Promise<RoomRecord> {
  const { seq: upTo } = parseInput(z.object({ seq: z.number().int().min(0, 'Must not be negative') }), { seq });
  const member = await requireMember(deps.store, roomId, actorId);
  await deps.store.markRead(member.roomId, actorId, upTo);
  return (await deps.store.getRoom(member.roomId))!;
}

export async function setTyping(deps: MessagingDeps, actorId: string, roomId: unknown, typing: unknown): Promise<boolean> {
  const member = await requireMember(deps.store, roomId, actorId);
  await deps.events.typing({
    roomId: member.roomId,
    userId: actorId,
    typing: typing === true,
    expiresAt: new Date(Date.now() + (typing === true ? deps.typingTtlSeconds * 1000 : 0)),
  });
  return true;
}
