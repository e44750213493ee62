import { DateTimeScalar, ForbiddenError, UnauthenticatedError, parseInput, type Identity } from '@aether/common';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { z } from 'zod';
import { liveEventExtensions, type LiveEventExtensions, type RoomEventPayload, type TypingPayload } from './events/publisher';
import * as messages from './messages';
import * as rooms from './rooms';
import { createLoaders, forgetLoaded, type Loaders } from './loaders';
import { memberCursor, pageOf, roomCursor } from './pages';
import { isId, type MessagingDeps } from './rooms';
import type { MemberRecord, MessageRecord, ReactionCount, RoomEventRecord, RoomRecord } from './store/store';
import { messageOf, roomEventsFor, typingStream, type StreamMode } from './subscriptions';

export interface MessagingContext extends Loaders {
  identity: Identity;
  deps: MessagingDeps;
  /**
   * On a subscription's context: what the socket server sends along with the result of the
   * event being resolved (graphql-js resolves one event at a time).
   */
  eventExtensions?: LiveEventExtensions;
  /** On a subscription's context: how the gateway opened it (see StreamMode). */
  streamMode?: StreamMode;
}

/** One request's context; `signal` aborts when the caller stops waiting. */
export function createContext(identity: Identity, deps: MessagingDeps, signal?: AbortSignal): MessagingContext {
  return { identity, deps, ...createLoaders(deps.store, identity.userId, signal) };
}

function actor(ctx: MessagingContext): string {
  if (!ctx.identity.userId) throw new UnauthenticatedError();
  return ctx.identity.userId;
}

/** The viewer's membership of a room they are known to belong to (resolved from a member-only path). */
async function viewerMember(room: RoomRecord, ctx: MessagingContext): Promise<MemberRecord> {
  const member = await ctx.membership.load(room.id);
  if (!member) throw new ForbiddenError('Only members of this room may see this');
  return member;
}

const EVENT_TYPENAMES: Record<RoomEventRecord['type'], string> = {
  MESSAGE_ADDED: 'MessageAdded',
  MESSAGE_EDITED: 'MessageEdited',
  MESSAGE_DELETED: 'MessageDeleted',
  REACTION_CHANGED: 'ReactionChanged',
  MEMBER_JOINED: 'MemberJoined',
  MEMBER_LEFT: 'MemberLeft',
};

type Args = Record<string, unknown>;
const userRef = (id: string) => ({ __typename: 'User', id });
const afterSeqArg = z.object({ afterSeq: z.number().int().min(0, 'Must not be negative').nullish() });

const eventFields = {
  seq: (payload: RoomEventPayload) => payload.event.seq,
  roomId: (payload: RoomEventPayload) => payload.event.roomId,
};
const messageEventFields = { ...eventFields, message: (payload: RoomEventPayload) => messageOf(payload) };
const memberEventFields = {
  ...eventFields,
  member: (payload: RoomEventPayload): MemberRecord => ({ roomId: payload.event.roomId, lastReadSeq: 0, ...payload.event.member! }),
};

export const resolvers: GraphQLResolverMap<MessagingContext> = {
  DateTime: DateTimeScalar,
  Query: {
    room: async (_: unknown, { id }: Args, ctx: MessagingContext) => {
      actor(ctx);
      const room = isId(id) ? await ctx.deps.store.getRoom(id) : null;
      if (room) await viewerMember(room, ctx);
      return room;
    },
    myRooms: (_: unknown, args: Args, ctx: MessagingContext) => {
      const viewer = actor(ctx);
      return ctx.rooms.load({ parent: viewer, page: pageOf('room', args) });
    },
  },
  Mutation: {
    createRoom: (_: unknown, { input }: Args, ctx: MessagingContext) => rooms.createRoom(ctx.deps, actor(ctx), input),
    openDirectRoom: (_: unknown, { userId }: Args, ctx: MessagingContext) => rooms.openDirectRoom(ctx.deps, actor(ctx), userId),
    inviteToRoom: (_: unknown, { roomId, userId }: Args, ctx: MessagingContext) =>
      rooms.inviteToRoom(ctx.deps, actor(ctx), roomId, userId),
    removeFromRoom: (_: unknown, { roomId, userId }: Args, ctx: MessagingContext) =>
      rooms.removeFromRoom(ctx.deps, actor(ctx), roomId, userId),
    setMemberRole: (_: unknown, { roomId, userId, role }: Args, ctx: MessagingContext) =>
      rooms.setMemberRole(ctx.deps, actor(ctx), roomId, userId, role),
    leaveRoom: (_: unknown, { roomId }: Args, ctx: MessagingContext) => rooms.leaveRoom(ctx.deps, actor(ctx), roomId),
    sendMessage: (_: unknown, { input }: Args, ctx: MessagingContext) => messages.sendMessage(ctx.deps, actor(ctx), input),
    editMessage: (_: unknown, { id, body }: Args, ctx: MessagingContext) => messages.editMessage(ctx.deps, actor(ctx), id, body),
    deleteMessage: (_: unknown, { id }: Args, ctx: MessagingContext) =>
      messages.deleteMessage(ctx.deps, actor(ctx), ctx.identity.roles, id),
    addReaction: (_: unknown, { messageId, emoji }: Args, ctx: MessagingContext) =>
      messages.setReaction(ctx.deps, actor(ctx), messageId, emoji, true),
    removeReaction: (_: unknown, { messageId, emoji }: Args, ctx: MessagingContext) =>
      messages.setReaction(ctx.deps, actor(ctx), messageId, emoji, false),
    markRead: (_: unknown, { roomId, seq }: Args, ctx: MessagingContext) => rooms.markRead(ctx.deps, actor(ctx), roomId, seq),
    setTyping: (_: unknown, { roomId, typing }: Args, ctx: MessagingContext) =>
      rooms.setTyping(ctx.deps, actor(ctx), roomId, typing),
  },
  User: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    rooms: (user: { id: string }, args: Args, ctx: MessagingContext) => {
      actor(ctx);
      return ctx.rooms.load({ parent: user.id, page: pageOf('room', args) });
    },
  },
  Room: {
    // Entity references from other subgraphs resolve only for members.
    __resolveReference: async (ref: { id: string }, ctx: MessagingContext) => {
      if (!ctx.identity.userId || !isId(ref.id)) return null;
      const [room, member] = await Promise.all([ctx.roomsById.load(ref.id), ctx.membership.load(ref.id)]);
      return room && member ? room : null;
    },
    members: async (room: RoomRecord, args: Args, ctx: MessagingContext) => {
      const page = pageOf('member', args);
      await viewerMember(room, ctx);
      return ctx.members.load({ parent: room.id, page });
    },
    cursor: (room: RoomRecord) => roomCursor(room),
    messages: async (room: RoomRecord, args: Args, ctx: MessagingContext) => {
      const page = messages.messagePageRequest(args);
      await viewerMember(room, ctx);
      return messages.messageConnection(await ctx.messagePages.load({ roomId: room.id, page }));
    },
    unreadCount: async (room: RoomRecord, _: Args, ctx: MessagingContext) => {
      const member = await viewerMember(room, ctx);
      return ctx.unreadCounts.load({ roomId: room.id, afterSeq: member.lastReadSeq });
    },
    lastReadSeq: async (room: RoomRecord, _: Args, ctx: MessagingContext) => (await viewerMember(room, ctx)).lastReadSeq,
    myRole: async (room: RoomRecord, _: Args, ctx: MessagingContext) => (await viewerMember(room, ctx)).role,
  },
  RoomMember: {
    user: (member: MemberRecord) => userRef(member.userId),
    cursor: (member: MemberRecord) => memberCursor(member),
  },
  Message: {
    __resolveReference: async (ref: { id: string }, ctx: MessagingContext) => {
      if (!ctx.identity.userId || !isId(ref.id)) return null;
      const message = await ctx.messages.load(ref.id);
      return message && (await ctx.membership.load(message.roomId)) ? message : null;
    },
    author: (message: MessageRecord) => userRef(message.authorId),
    replyTo: (message: MessageRecord, _: Args, ctx: MessagingContext) =>
      message.replyToId ? ctx.messages.load(message.replyToId) : null,
    reactions: (message: MessageRecord & { knownReactions?: ReactionCount[] }, _: Args, ctx: MessagingContext) =>
      message.knownReactions ?? ctx.reactions.load(message.id),
  },
  Subscription: {
    roomEvents: {
      subscribe: (_: unknown, { roomId, afterSeq }: Args, ctx: MessagingContext) => {
        const after = parseInput(afterSeqArg, { afterSeq }).afterSeq;
        return roomEventsFor(ctx.deps, ctx.streamMode ?? 'member', ctx.identity.userId, roomId, after);
      },
      resolve: (payload: RoomEventPayload, _: Args, ctx: MessagingContext) => {
        forgetLoaded(ctx);
        ctx.eventExtensions = liveEventExtensions(payload);
        return payload;
      },
    },
    typing: {
      subscribe: (_: unknown, { roomId }: Args, ctx: MessagingContext) => typingStream(ctx.deps, actor(ctx), roomId),
      resolve: (payload: TypingPayload, _: Args, ctx: MessagingContext) => {
        forgetLoaded(ctx);
        ctx.eventExtensions = liveEventExtensions(payload);
        return payload;
      },
    },
  },
  RoomEvent: {
    __resolveType: (payload: RoomEventPayload) => EVENT_TYPENAMES[payload.event.type],
  },
  MessageAdded: messageEventFields,
  MessageEdited: messageEventFields,
  MessageDeleted: messageEventFields,
  ReactionChanged: messageEventFields,
  MemberJoined: memberEventFields,
  MemberLeft: memberEventFields,
  TypingEvent: {
    user: (payload: TypingPayload) => userRef(payload.userId),
  },
};
