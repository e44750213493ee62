import { BadUserInputError, parseInput } from '@aether/common';
import { z } from 'zod';
import type { KeysetCursor, KeysetPage, MemberRecord, RoomRecord } from './store/store';

/**
 * Every list the messaging schema serves is bounded. `myRooms`, `User.rooms` and `Room.members`
 * are paged with `first` (default 50, at most 100, as their `@listSize` in schema.graphql
 * declares) and `after`; `Message.reactions` shows at most 20 emojis, and a message takes no more.
 */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 100;
export const REACTIONS_PER_MESSAGE = 20;

const pageArgs = z.object({
  first: z.number().int().min(0, 'Must not be negative').max(PAGE_MAX, `At most ${PAGE_MAX} per page`).nullish(),
  after: z.string().max(200).nullish(),
});

type CursorKind = 'room' | 'member';

function encode(kind: CursorKind, at: Date, id: string): string {
  return Buffer.from(`${kind}:${at.getTime()}:${id}`).toString('base64url');
}

function decode(kind: CursorKind, cursor: string): KeysetCursor {
  const match = new RegExp(`^${kind}:(\\d{1,15}):([\\w-]{1,128})$`).exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BadUserInputError('Invalid cursor', { after: 'Not a cursor of this list' });
  return { at: new Date(Number(match[1])), id: match[2] };
}

/** Rooms are listed most recently active first: a cursor is where the previous page ended. */
export const roomCursor = (room: RoomRecord) => encode('room', room.lastActivityAt, room.id);
/** Members are listed oldest first. */
export const memberCursor = (member: MemberRecord) => encode('member', member.joinedAt, member.userId);

/** A list field's `first`/`after`, validated (BAD_USER_INPUT past the maximum or for a foreign cursor). */
export function pageOf(kind: CursorKind, raw: unknown): KeysetPage {
  const args = parseInput(pageArgs, raw);
  return { limit: args.first ?? PAGE_DEFAULT, ...(args.after ? { after: decode(kind, args.after) } : {}) };
}
