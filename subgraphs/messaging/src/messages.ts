import { BadUserInputError, ForbiddenError, NotFoundError, parseInput } from '@aether/common';
import { z } from 'zod';
import { REACTIONS_PER_MESSAGE } from './pages';
import { isId, requireMember, type MessagingDeps } from './rooms';
import { ClientMessageIdReusedError, type MessagePage, type MessageRecord, type MessagingStore, type PageRequest } from './store/store';

const MAX_BODY = 4000;
const body = z
  .string()
  .transform((b) => b.trim())
  .refine((b) => b.length > 0, 'Must not be empty')
  .refine((b) => [...b].length <= MAX_BODY, `Must be at most ${MAX_BODY} characters`);

export const sendMessageInput = z.object({
  roomId: z.string(),
  body,
  clientMessageId: z.string().min(1).max(64, 'Must be at most 64 characters').nullish(),
  replyToId: z.string().nullish(),
});

/** One emoji (possibly a ZWJ sequence or with a skin tone), never text. */
export const emoji = z
  .string()
  .max(32, 'Must be a single emoji')
  .refine(
    (e) => /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}|[#*0-9]\uFE0F?\u20E3)/u.test(e) && !/[\sA-Za-z]/.test(e),
    'Must be a single emoji',
  );

export async function requireMessage(store: MessagingStore, id: unknown): Promise<MessageRecord> {
  const [message] = isId(id) ? await store.getMessages([id]) : [null];
  if (!message) throw new NotFoundError('Message not found');
  return message;
}

export async function sendMessage(deps: MessagingDeps, actorId: string, raw: unknown): Promise<MessageRecord> {
  const input = parseInput(sendMessageInput, raw);
  await requireMember(deps.store, input.roomId, actorId);
  if (input.replyToId) {
    const [replied] = isId(input.replyToId) ? await deps.store.getMessages([input.replyToId]) : [null];
    if (!replied || replied.roomId !== input.roomId) {
      throw new BadUserInputError('replyToId must be a message in the same room', { replyToId: 'Not a message of this room' });
    }
  }
  const room = (await deps.store.getRoom(input.roomId))!;
  if (room.kind === 'DIRECT') {
    // Nobody messages a user auth has banned or deleted.
    const others = (await deps.store.listMembers(room.id)).map((m) => m.userId).filter((id) => id !== actorId);
    await deps.users.requireActive(others);
  }
  let result;
  try {
    result = await deps.store.appendMessage({
      roomId: input.roomId,
      authorId: actorId,
      body: input.body,
      clientMessageId: input.clientMessageId ?? null,
      replyToId: input.replyToId ?? null,
    });
  } catch (error) {
    if (error instanceof ClientMessageIdReusedError) {
      throw new BadUserInputError('clientMessageId was already used in another room', { clientMessageId: 'Already used' });
    }
    throw error;
  }
  if (result.created) await deps.events.published(result.event, result.value);
  return result.value;
}

export async function editMessage(deps: MessagingDeps, actorId: string, id: unknown, newBody: unknown): Promise<MessageRecord> {
  const { body: text } = parseInput(z.object({ body }), { body: newBody });
  const message = await requireMessage(deps.store, id);
  await requireMember(deps.store, message.roomId, actorId);
  if (message.authorId !== actorId) throw new ForbiddenError('Only the author may edit a message');
  if (message.deletedAt) throw new BadUserInputError('Deleted messages cannot be edited', { id: 'Message is deleted' });
  const { value, event } = await deps.store.editMessage(message.id, text);
  await deps.events.published(event, value);
  return value;
}

export async function deleteMessage(deps: MessagingDeps, actorId: string, actorRoles: string[], id: unknown): Promise<MessageRecord> {
  const message = await requireMessage(deps.store, id);
  const moderator = actorRoles.includes('MODERATOR') || actorRoles.includes('ADMIN');
  const member = await deps.store.getMember(message.roomId, actorId);
  const roomManager = member?.role === 'OWNER' || member?.role === 'ADMIN';
  if (!moderator && !member) throw new ForbiddenError('Only members of this room may do this');
  if (message.authorId !== actorId && !roomManager && !moderator) {
    throw new ForbiddenError('Only the author, room owners and admins, and moderators may delete a message');
  }
  if (message.deletedAt) return message;
  const { value, event } = await deps.store.deleteMessage(message.id);
  await deps.events.published(event, value);
  return value;
}

export async function setReaction(
  deps: MessagingDeps,
  actorId: string,
  messageId: unknown,
  rawEmoji: unknown,
  present: boolean,
): Promise<MessageRecord> {
  const input = parseInput(z.object({ emoji }), { emoji: rawEmoji });
  const message = await requireMessage(deps.store, messageId);
  await requireMember(deps.store, message.roomId, actorId);
  if (message.deletedAt && present) throw new BadUserInputError('Deleted messages take no reactions', { messageId: 'Message is deleted' });
  if (present) {
    const emojis = (await deps.store.reactions([message.id], actorId)).map((r) => r.emoji);
    if (!emojis.includes(input.emoji) && emojis.length >= REACTIONS_PER_MESSAGE) {
      throw new BadUserInputError(`A message takes at most ${REACTIONS_PER_MESSAGE} different emojis`, {
        emoji: `At most ${REACTIONS_PER_MESSAGE} different emojis per message`,
      });
    }
  }
  const { value, event } = await deps.store.setReaction(message.id, actorId, input.emoji, present);
  await deps.events.published(event, value);
  return value;
}

const MAX_PAGE = 100;
const DEFAULT_PAGE = 50;
const pageArgs = z
  .object({
    first: z.number().int().min(0).max(MAX_PAGE, `At most ${MAX_PAGE} per page`).nullish(),
    last: z.number().int().min(0).max(MAX_PAGE, `At most ${MAX_PAGE} per page`).nullish(),
    after: z.string().max(64).nullish(),
    before: z.string().max(64).nullish(),
  })
  .refine((a) => a.first == null || a.last == null, { message: 'Pass first or last, not both', path: ['last'] });

/** Seqs are GraphQL Ints (and PostgreSQL integers): a cursor past this names no message. */
const MAX_SEQ = 2 ** 31 - 1;

/** Cursors are opaque to clients; inside they are the message's seq. */
export const cursorOf = (seq: number) => Buffer.from(`seq:${seq}`).toString('base64url');
function seqOf(cursor: string | null | undefined, field: string): number | undefined {
  if (cursor == null) return undefined;
  const match = /^seq:(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || Number(match[1]) > MAX_SEQ) throw new BadUserInputError('Invalid cursor', { [field]: 'Not a cursor this API gave out' });
  return Number(match[1]);
}

/** A `Room.messages` page request from its arguments (BAD_USER_INPUT for bad sizes or cursors). */
export function messagePageRequest(raw: unknown): PageRequest {
  const args = parseInput(pageArgs, raw);
  const afterSeq = seqOf(args.after, 'after');
  const beforeSeq = seqOf(args.before, 'before');
  const forward = args.first != null || (args.last == null && afterSeq !== undefined && beforeSeq === undefined);
  const limit = (forward ? args.first : args.last) ?? DEFAULT_PAGE;
  return { afterSeq, beforeSeq, limit, direction: forward ? 'forward' : 'backward' };
}

/** A page of messages as the `MessageConnection` clients read. */
export function messageConnection(page: MessagePage) {
  const edges = page.messages.map((node) => ({ cursor: cursorOf(node.seq), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasMoreAfter,
      hasPreviousPage: page.hasMoreBefore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}
