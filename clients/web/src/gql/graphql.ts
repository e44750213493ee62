/* eslint-disable */
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A date-time in UTC, written as an ISO-8601 string such as 2026-11-25T10:00:00.000Z. */
  DateTime: { input: string; output: string; }
};

/** What `register`, `login` and `refreshToken` return: a new token pair and the account. */
export type AuthPayload = {
  __typename?: 'AuthPayload';
  /** Short-lived JWT (15 minutes by default). Send it as `Authorization: Bearer <token>`, or in `connection_init` over graphql-ws. */
  accessToken: Scalars['String']['output'];
  /** When the access token stops working. */
  accessTokenExpiresAt: Scalars['DateTime']['output'];
  /** Opaque token that buys a new pair once. Using it twice ends the whole session. */
  refreshToken: Scalars['String']['output'];
  /** The account the tokens belong to. */
  user: User;
};

/** Input of `changePassword`. */
export type ChangePasswordInput = {
  /** The password in use now. */
  currentPassword: Scalars['String']['input'];
  /** 8 to 72 bytes. */
  newPassword: Scalars['String']['input'];
};

/** Input of `createRoom`. */
export type CreateRoomInput = {
  /** Users to add besides the creator (at most 100). */
  memberIds?: InputMaybe<Array<Scalars['ID']['input']>>;
  /** 1 to 100 characters. */
  name: Scalars['String']['input'];
};

/** Credentials for `login`. */
export type LoginInput = {
  /** The account's email address or username. */
  login: Scalars['String']['input'];
  /** The account's password. */
  password: Scalars['String']['input'];
};

/** Someone joined or was added to the room. */
export type MemberJoined = RoomEvent & {
  __typename?: 'MemberJoined';
  /** The new member. */
  member: RoomMember;
  /** The room it happened in. */
  roomId: Scalars['ID']['output'];
  /** The room's sequence number of this event. */
  seq: Scalars['Int']['output'];
};

/** Someone left or was removed from the room. */
export type MemberLeft = RoomEvent & {
  __typename?: 'MemberLeft';
  /** The former member. */
  member: RoomMember;
  /** The room it happened in. */
  roomId: Scalars['ID']['output'];
  /** The room's sequence number of this event. */
  seq: Scalars['Int']['output'];
};

/** A message in a room. */
export type Message = {
  __typename?: 'Message';
  /** Who wrote it. */
  author: User;
  /** The text; empty once deleted. */
  body: Scalars['String']['output'];
  /** The id the sender's client gave it, used to make retried sends idempotent. */
  clientMessageId?: Maybe<Scalars['String']['output']>;
  /** When it was sent. */
  createdAt: Scalars['DateTime']['output'];
  /** When it was deleted, if it was (the body is then empty). */
  deletedAt?: Maybe<Scalars['DateTime']['output']>;
  /** When it was last edited, if ever. */
  editedAt?: Maybe<Scalars['DateTime']['output']>;
  /** Stable, opaque identifier. */
  id: Scalars['ID']['output'];
  /** Reactions, one entry per emoji, in the order they were first used. A message takes at most 20 different emojis. */
  reactions: Array<Reaction>;
  /** The message this one answers, if any. */
  replyTo?: Maybe<Message>;
  /** The room it was sent to. */
  roomId: Scalars['ID']['output'];
  /** Its place in the room: strictly increasing, no gaps across messages and room events. */
  seq: Scalars['Int']['output'];
};

/** A message was sent. */
export type MessageAdded = RoomEvent & {
  __typename?: 'MessageAdded';
  /** The new message. */
  message: Message;
  /** The room it happened in. */
  roomId: Scalars['ID']['output'];
  /** The room's sequence number of this event. */
  seq: Scalars['Int']['output'];
};

/** A page of messages. */
export type MessageConnection = {
  __typename?: 'MessageConnection';
  /** The messages of this page, oldest first. */
  edges: Array<MessageEdge>;
  /** Where this page sits in the room's history. */
  pageInfo: PageInfo;
};

/** A message was deleted. */
export type MessageDeleted = RoomEvent & {
  __typename?: 'MessageDeleted';
  /** The message as it is now (empty body, deletedAt set). */
  message: Message;
  /** The room it happened in. */
  roomId: Scalars['ID']['output'];
  /** The room's sequence number of this event. */
  seq: Scalars['Int']['output'];
};

/** One message and its cursor. */
export type MessageEdge = {
  __typename?: 'MessageEdge';
  /** Opaque cursor: pass it as `after` or `before`. */
  cursor: Scalars['String']['output'];
  /** The message. */
  node: Message;
};

/** A message was edited. */
export type MessageEdited = RoomEvent & {
  __typename?: 'MessageEdited';
  /** The message as it is now. */
  message: Message;
  /** The room it happened in. */
  roomId: Scalars['ID']['output'];
  /** The room's sequence number of this event. */
  seq: Scalars['Int']['output'];
};

/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type Mutation = {
  __typename?: 'Mutation';
  /** Adds the signed-in user's reaction (one per emoji per user; adding it again changes nothing). */
  addReaction: Message;
  /** Admins only: bans a user: their sessions end at once, and they cannot log in or refresh until unbanned. */
  banUser: User;
  /** Changes the signed-in user's password and ends every other session. */
  changePassword: Scalars['Boolean']['output'];
  /** Creates a group room with the signed-in user as OWNER. */
  createRoom: Room;
  /** Soft delete by the author, a room OWNER/ADMIN, or a MODERATOR/ADMIN: the body is emptied and deletedAt set. */
  deleteMessage: Message;
  /** The author changes a message's body (1 to 4,000 characters). */
  editMessage: Message;
  /** Admins only: gives a user MODERATOR or ADMIN. Their access tokens carry it from their next refresh or login. */
  grantRole: User;
  /** Owners and admins add a user to a group room. */
  inviteToRoom: Room;
  /** The signed-in user leaves a group room. When the owner leaves, the longest-standing admin (or else member) becomes the owner. */
  leaveRoom: Scalars['Boolean']['output'];
  /** Signs in with email or username and password, starting a new session. */
  login: AuthPayload;
  /** Ends the session the refresh token belongs to. True if a session was ended. */
  logout: Scalars['Boolean']['output'];
  /** Ends every session of the signed-in user; their access tokens stop working within seconds. */
  logoutAll: Scalars['Boolean']['output'];
  /** Moves the signed-in user's read marker forward to `seq` (never backward). */
  markRead: Room;
  /** The direct room between the signed-in user and another user, created on first use; the same room for the same pair every time. */
  openDirectRoom: Room;
  /** Trades a refresh token for a new pair. The old refresh token stops working; presenting it again ends the session. */
  refreshToken: AuthPayload;
  /** Creates an account and signs it in. */
  register: AuthPayload;
  /** Owners and admins remove a member from a group room (owners cannot be removed). */
  removeFromRoom: Room;
  /** Removes the signed-in user's reaction with this emoji, if any. */
  removeReaction: Message;
  /** Admins only: takes MODERATOR or ADMIN back from a user, ending their sessions so no token keeps the role. Admins cannot take back their own ADMIN. */
  revokeRole: User;
  /** Sends a message. With a `clientMessageId` already used by this author in this room, returns the first message and creates nothing. */
  sendMessage: Message;
  /** The owner makes a member of a group room an ADMIN, or an admin a MEMBER again. */
  setMemberRole: Room;
  /** Tells the room's members that the signed-in user is (or stopped) typing. */
  setTyping: Scalars['Boolean']['output'];
  /** Admins only: lifts a ban. */
  unbanUser: User;
  /** Changes the signed-in user's profile. */
  updateProfile: User;
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationAddReactionArgs = {
  emoji: Scalars['String']['input'];
  messageId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationBanUserArgs = {
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationChangePasswordArgs = {
  input: ChangePasswordInput;
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationCreateRoomArgs = {
  input: CreateRoomInput;
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationDeleteMessageArgs = {
  id: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationEditMessageArgs = {
  body: Scalars['String']['input'];
  id: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationGrantRoleArgs = {
  role: Role;
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationInviteToRoomArgs = {
  roomId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationLeaveRoomArgs = {
  roomId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationLoginArgs = {
  input: LoginInput;
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationLogoutArgs = {
  refreshToken: Scalars['String']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationMarkReadArgs = {
  roomId: Scalars['ID']['input'];
  seq: Scalars['Int']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationOpenDirectRoomArgs = {
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationRefreshTokenArgs = {
  refreshToken: Scalars['String']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationRegisterArgs = {
  input: RegisterInput;
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationRemoveFromRoomArgs = {
  roomId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationRemoveReactionArgs = {
  emoji: Scalars['String']['input'];
  messageId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationRevokeRoleArgs = {
  role: Role;
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationSendMessageArgs = {
  input: SendMessageInput;
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationSetMemberRoleArgs = {
  role: RoomRole;
  roomId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationSetTypingArgs = {
  roomId: Scalars['ID']['input'];
  typing: Scalars['Boolean']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationUnbanUserArgs = {
  userId: Scalars['ID']['input'];
};


/** Entry points for changing state: accounts and sessions, profiles, rooms, messages, reactions and read markers. */
export type MutationUpdateProfileArgs = {
  input: UpdateProfileInput;
};

/** Relay page information. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Cursor of the last (newest) message of the page. */
  endCursor?: Maybe<Scalars['String']['output']>;
  /** Whether messages newer than this page exist. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether messages older than this page exist. */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first (oldest) message of the page. */
  startCursor?: Maybe<Scalars['String']['output']>;
};

/** Entry points for reading: the signed-in user, other users, rooms and their messages. */
export type Query = {
  __typename?: 'Query';
  /** The signed-in user, or null when the request carries no valid access token. */
  me?: Maybe<User>;
  /** The signed-in user's rooms, most recently active first: a page of `first` rooms (at most 100) after the cursor `after` (a room's `cursor`). */
  myRooms: Array<Room>;
  /** A room the signed-in user is a member of; null when no such room exists, FORBIDDEN when they are not a member. */
  room?: Maybe<Room>;
  /** A user by id, or null if there is none. */
  user?: Maybe<User>;
  /** A user by username (case-insensitive), or null if there is none. */
  userByUsername?: Maybe<User>;
};


/** Entry points for reading: the signed-in user, other users, rooms and their messages. */
export type QueryMyRoomsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** Entry points for reading: the signed-in user, other users, rooms and their messages. */
export type QueryRoomArgs = {
  id: Scalars['ID']['input'];
};


/** Entry points for reading: the signed-in user, other users, rooms and their messages. */
export type QueryUserArgs = {
  id: Scalars['ID']['input'];
};


/** Entry points for reading: the signed-in user, other users, rooms and their messages. */
export type QueryUserByUsernameArgs = {
  username: Scalars['String']['input'];
};

/** All reactions with one emoji on one message. */
export type Reaction = {
  __typename?: 'Reaction';
  /** How many users reacted with it. */
  count: Scalars['Int']['output'];
  /** The emoji. */
  emoji: Scalars['String']['output'];
  /** Whether the signed-in user is one of them. */
  reactedByMe: Scalars['Boolean']['output'];
};

/** Someone added or removed a reaction. */
export type ReactionChanged = RoomEvent & {
  __typename?: 'ReactionChanged';
  /** The message with its reactions as they are now. */
  message: Message;
  /** The room it happened in. */
  roomId: Scalars['ID']['output'];
  /** The room's sequence number of this event. */
  seq: Scalars['Int']['output'];
};

/** Fields of a new account. */
export type RegisterInput = {
  /** 1 to 64 characters shown in chats. */
  displayName: Scalars['String']['input'];
  /** A valid email address, unique (case-insensitive). */
  email: Scalars['String']['input'];
  /** 8 to 72 bytes. */
  password: Scalars['String']['input'];
  /** 3 to 32 letters, digits or underscores, unique (case-insensitive). */
  username: Scalars['String']['input'];
};

/** What a user may do beyond chatting. Every account has USER; admins grant the others. */
export type Role =
  /** May grant and take back roles and ban users. */
  | 'ADMIN'
  /** May delete any message in any room. */
  | 'MODERATOR'
  /** Every account. */
  | 'USER';

/** A conversation. Only its members can see it or its messages. */
export type Room = {
  __typename?: 'Room';
  /** When the room was created. */
  createdAt: Scalars['DateTime']['output'];
  /** Opaque cursor of this room in the list it was read from (`myRooms`, `User.rooms`): pass it as `after` for the next page. */
  cursor: Scalars['String']['output'];
  /** Stable, opaque identifier. */
  id: Scalars['ID']['output'];
  /** DIRECT or GROUP. */
  kind: RoomKind;
  /** The signed-in user's read marker: the highest seq they marked read. */
  lastReadSeq: Scalars['Int']['output'];
  /** The room's latest sequence number (0 for a room with no events). Every message and room event takes the next one. */
  lastSeq: Scalars['Int']['output'];
  /** Current members, oldest first. A page of `first` members (at most 100) after the cursor `after` (a member's `cursor`). */
  members: Array<RoomMember>;
  /** Messages as a Relay connection over `seq`, oldest first within a page. `first`/`after` page forward, `last`/`before` backward; at most 100 per page (50 when neither is given, the newest ones). */
  messages: MessageConnection;
  /** The signed-in user's role in this room. */
  myRole: RoomRole;
  /** The room's name; null for direct rooms. */
  name?: Maybe<Scalars['String']['output']>;
  /** How many messages from others the signed-in user has not read (after their read marker). */
  unreadCount: Scalars['Int']['output'];
};


/** A conversation. Only its members can see it or its messages. */
export type RoomMembersArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};


/** A conversation. Only its members can see it or its messages. */
export type RoomMessagesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  before?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  last?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * Something that happened in a room, in `seq` order. Messages and room events share the room's
 * sequence, so a client that saw seq N resumes with `roomEvents(afterSeq: N)` and misses nothing.
 */
export type RoomEvent = {
  /** The room it happened in. */
  roomId: Scalars['ID']['output'];
  /** The room's sequence number of this event. */
  seq: Scalars['Int']['output'];
};

/** What kind of room. */
export type RoomKind =
  /** A conversation between exactly two users; there is one per pair. */
  | 'DIRECT'
  /** A named room with any number of members. */
  | 'GROUP';

/** A user's membership in a room. */
export type RoomMember = {
  __typename?: 'RoomMember';
  /** Opaque cursor of this member in `Room.members`: pass it as `after` for the next page. */
  cursor: Scalars['String']['output'];
  /** When they joined. */
  joinedAt: Scalars['DateTime']['output'];
  /** Their rights in the room. */
  role: RoomRole;
  /** The member. */
  user: User;
};

/** A member's rights in a room. */
export type RoomRole =
  /** May invite and remove members. */
  | 'ADMIN'
  /** May read and write. */
  | 'MEMBER'
  /** Created the room; may invite, remove and promote. */
  | 'OWNER';

/** Input of `sendMessage`. */
export type SendMessageInput = {
  /** 1 to 4,000 characters after trimming. */
  body: Scalars['String']['input'];
  /** Your client's id for this message (1 to 64 characters): sending again with the same id returns the first message instead of a duplicate. */
  clientMessageId?: InputMaybe<Scalars['String']['input']>;
  /** A message in the same room this one answers. */
  replyToId?: InputMaybe<Scalars['ID']['input']>;
  /** The room to send to. */
  roomId: Scalars['ID']['input'];
};

/** Live events over graphql-ws: what happens in a room, and who is typing. */
export type Subscription = {
  __typename?: 'Subscription';
  /** Everything that happens in a room, in seq order. With `afterSeq`, first replays what was stored after it, then continues live, with no gap and no duplicate. */
  roomEvents: RoomEvent;
  /** Typing indicators of a room's members. */
  typing: TypingEvent;
};


/** Live events over graphql-ws: what happens in a room, and who is typing. */
export type SubscriptionRoomEventsArgs = {
  afterSeq?: InputMaybe<Scalars['Int']['input']>;
  roomId: Scalars['ID']['input'];
};


/** Live events over graphql-ws: what happens in a room, and who is typing. */
export type SubscriptionTypingArgs = {
  roomId: Scalars['ID']['input'];
};

/** Someone started or stopped typing. Not stored: it expires after a few seconds. */
export type TypingEvent = {
  __typename?: 'TypingEvent';
  /** When this typing state lapses if not renewed. */
  expiresAt: Scalars['DateTime']['output'];
  /** The room. */
  roomId: Scalars['ID']['output'];
  /** True while typing; false when they stopped. */
  typing: Scalars['Boolean']['output'];
  /** Who is typing. */
  user: User;
};

/** Profile fields to change; omitted fields stay as they are, null clears an optional one. */
export type UpdateProfileInput = {
  /** An http(s) URL, or null to remove the picture. */
  avatarUrl?: InputMaybe<Scalars['String']['input']>;
  /** Up to 500 characters, or null to clear. */
  bio?: InputMaybe<Scalars['String']['input']>;
  /** 1 to 64 characters. */
  displayName?: InputMaybe<Scalars['String']['input']>;
};

/** An account on AetherConnect. Other subgraphs extend it (messaging adds `rooms`). */
export type User = {
  __typename?: 'User';
  /** Link to a profile picture, if the user set one. */
  avatarUrl?: Maybe<Scalars['String']['output']>;
  /** Whether an admin has banned this account (banned users cannot log in). */
  banned: Scalars['Boolean']['output'];
  /** A short text about the user, if they wrote one. */
  bio?: Maybe<Scalars['String']['output']>;
  /** When the account was created. */
  createdAt: Scalars['DateTime']['output'];
  /** The name shown in chats. */
  displayName: Scalars['String']['output'];
  /** The account's email address: visible to the user themself and to admins, null for everyone else. */
  email?: Maybe<Scalars['String']['output']>;
  /** Stable, opaque identifier. */
  id: Scalars['ID']['output'];
  /** The user's roles; always includes USER. */
  roles: Array<Role>;
  /** Rooms this user and the signed-in user are both members of (for the signed-in user: all their rooms), most recently active first. A page of `first` rooms (at most 100) after the cursor `after` (a room's `cursor`). */
  rooms: Array<Room>;
  /** When the profile last changed. */
  updatedAt: Scalars['DateTime']['output'];
  /** Unique handle (case-insensitive), 3 to 32 letters, digits or underscores. */
  username: Scalars['String']['output'];
};


/** An account on AetherConnect. Other subgraphs extend it (messaging adds `rooms`). */
export type UserRoomsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

export type UserFieldsFragment = { __typename?: 'User', id: string, username: string, displayName: string };

export type MessageFieldsFragment = { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> };

export type RoomSummaryFieldsFragment = { __typename?: 'Room', id: string, kind: RoomKind, name?: string | null, lastSeq: number, unreadCount: number, myRole: RoomRole, members: Array<{ __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } }> };

export type AuthPayloadFieldsFragment = { __typename?: 'AuthPayload', accessToken: string, refreshToken: string, accessTokenExpiresAt: string, user: { __typename?: 'User', id: string, username: string, displayName: string } };

export type RegisterMutationVariables = Exact<{
  input: RegisterInput;
}>;


export type RegisterMutation = { __typename?: 'Mutation', register: { __typename?: 'AuthPayload', accessToken: string, refreshToken: string, accessTokenExpiresAt: string, user: { __typename?: 'User', id: string, username: string, displayName: string } } };

export type LoginMutationVariables = Exact<{
  input: LoginInput;
}>;


export type LoginMutation = { __typename?: 'Mutation', login: { __typename?: 'AuthPayload', accessToken: string, refreshToken: string, accessTokenExpiresAt: string, user: { __typename?: 'User', id: string, username: string, displayName: string } } };

export type RefreshTokenMutationVariables = Exact<{
  refreshToken: Scalars['String']['input'];
}>;


export type RefreshTokenMutation = { __typename?: 'Mutation', refreshToken: { __typename?: 'AuthPayload', accessToken: string, refreshToken: string, accessTokenExpiresAt: string, user: { __typename?: 'User', id: string, username: string, displayName: string } } };

export type LogoutMutationVariables = Exact<{
  refreshToken: Scalars['String']['input'];
}>;


export type LogoutMutation = { __typename?: 'Mutation', logout: boolean };

export type MyRoomsQueryVariables = Exact<{ [key: string]: never; }>;


export type MyRoomsQuery = { __typename?: 'Query', myRooms: Array<{ __typename?: 'Room', id: string, kind: RoomKind, name?: string | null, lastSeq: number, unreadCount: number, myRole: RoomRole, members: Array<{ __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } }> }> };

export type RoomHistoryQueryVariables = Exact<{
  roomId: Scalars['ID']['input'];
  last: Scalars['Int']['input'];
  before?: InputMaybe<Scalars['String']['input']>;
}>;


export type RoomHistoryQuery = { __typename?: 'Query', room?: { __typename?: 'Room', lastReadSeq: number, id: string, kind: RoomKind, name?: string | null, lastSeq: number, unreadCount: number, myRole: RoomRole, messages: { __typename?: 'MessageConnection', edges: Array<{ __typename?: 'MessageEdge', cursor: string, node: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } }>, pageInfo: { __typename?: 'PageInfo', hasPreviousPage: boolean, startCursor?: string | null } }, members: Array<{ __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } }> } | null };

export type UserByUsernameQueryVariables = Exact<{
  username: Scalars['String']['input'];
}>;


export type UserByUsernameQuery = { __typename?: 'Query', userByUsername?: { __typename?: 'User', id: string, username: string, displayName: string } | null };

export type OpenDirectRoomMutationVariables = Exact<{
  userId: Scalars['ID']['input'];
}>;


export type OpenDirectRoomMutation = { __typename?: 'Mutation', openDirectRoom: { __typename?: 'Room', id: string, kind: RoomKind, name?: string | null, lastSeq: number, unreadCount: number, myRole: RoomRole, members: Array<{ __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } }> } };

export type CreateRoomMutationVariables = Exact<{
  input: CreateRoomInput;
}>;


export type CreateRoomMutation = { __typename?: 'Mutation', createRoom: { __typename?: 'Room', id: string, kind: RoomKind, name?: string | null, lastSeq: number, unreadCount: number, myRole: RoomRole, members: Array<{ __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } }> } };

export type InviteToRoomMutationVariables = Exact<{
  roomId: Scalars['ID']['input'];
  userId: Scalars['ID']['input'];
}>;


export type InviteToRoomMutation = { __typename?: 'Mutation', inviteToRoom: { __typename?: 'Room', id: string, kind: RoomKind, name?: string | null, lastSeq: number, unreadCount: number, myRole: RoomRole, members: Array<{ __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } }> } };

export type LeaveRoomMutationVariables = Exact<{
  roomId: Scalars['ID']['input'];
}>;


export type LeaveRoomMutation = { __typename?: 'Mutation', leaveRoom: boolean };

export type SendMessageMutationVariables = Exact<{
  input: SendMessageInput;
}>;


export type SendMessageMutation = { __typename?: 'Mutation', sendMessage: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } };

export type EditMessageMutationVariables = Exact<{
  id: Scalars['ID']['input'];
  body: Scalars['String']['input'];
}>;


export type EditMessageMutation = { __typename?: 'Mutation', editMessage: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } };

export type DeleteMessageMutationVariables = Exact<{
  id: Scalars['ID']['input'];
}>;


export type DeleteMessageMutation = { __typename?: 'Mutation', deleteMessage: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } };

export type AddReactionMutationVariables = Exact<{
  messageId: Scalars['ID']['input'];
  emoji: Scalars['String']['input'];
}>;


export type AddReactionMutation = { __typename?: 'Mutation', addReaction: { __typename?: 'Message', id: string, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } };

export type RemoveReactionMutationVariables = Exact<{
  messageId: Scalars['ID']['input'];
  emoji: Scalars['String']['input'];
}>;


export type RemoveReactionMutation = { __typename?: 'Mutation', removeReaction: { __typename?: 'Message', id: string, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } };

export type MarkReadMutationVariables = Exact<{
  roomId: Scalars['ID']['input'];
  seq: Scalars['Int']['input'];
}>;


export type MarkReadMutation = { __typename?: 'Mutation', markRead: { __typename?: 'Room', id: string, lastReadSeq: number } };

export type SetTypingMutationVariables = Exact<{
  roomId: Scalars['ID']['input'];
  typing: Scalars['Boolean']['input'];
}>;


export type SetTypingMutation = { __typename?: 'Mutation', setTyping: boolean };

export type RoomEventsSubscriptionVariables = Exact<{
  roomId: Scalars['ID']['input'];
  afterSeq?: InputMaybe<Scalars['Int']['input']>;
}>;


export type RoomEventsSubscription = { __typename?: 'Subscription', roomEvents:
    | { __typename: 'MemberJoined', seq: number, roomId: string, member: { __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } } }
    | { __typename: 'MemberLeft', seq: number, roomId: string, member: { __typename?: 'RoomMember', role: RoomRole, user: { __typename?: 'User', id: string, username: string, displayName: string } } }
    | { __typename: 'MessageAdded', seq: number, roomId: string, message: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } }
    | { __typename: 'MessageDeleted', seq: number, roomId: string, message: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } }
    | { __typename: 'MessageEdited', seq: number, roomId: string, message: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } }
    | { __typename: 'ReactionChanged', seq: number, roomId: string, message: { __typename?: 'Message', id: string, roomId: string, seq: number, body: string, clientMessageId?: string | null, createdAt: string, editedAt?: string | null, deletedAt?: string | null, author: { __typename?: 'User', id: string, username: string, displayName: string }, reactions: Array<{ __typename?: 'Reaction', emoji: string, count: number, reactedByMe: boolean }> } }
   };

export type TypingSubscriptionVariables = Exact<{
  roomId: Scalars['ID']['input'];
}>;


export type TypingSubscription = { __typename?: 'Subscription', typing: { __typename?: 'TypingEvent', roomId: string, typing: boolean, expiresAt: string, user: { __typename?: 'User', id: string, username: string, displayName: string } } };

export const UserFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]} as unknown as DocumentNode<UserFieldsFragment, unknown>;
export const MessageFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"clientMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]} as unknown as DocumentNode<MessageFieldsFragment, unknown>;
export const RoomSummaryFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RoomSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Room"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"unreadCount"}},{"kind":"Field","name":{"kind":"Name","value":"myRole"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]} as unknown as DocumentNode<RoomSummaryFieldsFragment, unknown>;
export const AuthPayloadFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]} as unknown as DocumentNode<AuthPayloadFieldsFragment, unknown>;
export const RegisterDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Register"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"RegisterInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"register"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthPayloadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]} as unknown as DocumentNode<RegisterMutation, RegisterMutationVariables>;
export const LoginDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Login"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LoginInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"login"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthPayloadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]} as unknown as DocumentNode<LoginMutation, LoginMutationVariables>;
export const RefreshTokenDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RefreshToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"refreshToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AuthPayloadFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AuthPayloadFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AuthPayload"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accessToken"}},{"kind":"Field","name":{"kind":"Name","value":"refreshToken"}},{"kind":"Field","name":{"kind":"Name","value":"accessTokenExpiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]} as unknown as DocumentNode<RefreshTokenMutation, RefreshTokenMutationVariables>;
export const LogoutDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"Logout"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"logout"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"refreshToken"},"value":{"kind":"Variable","name":{"kind":"Name","value":"refreshToken"}}}]}]}}]} as unknown as DocumentNode<LogoutMutation, LogoutMutationVariables>;
export const MyRoomsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"MyRooms"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"myRooms"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"RoomSummaryFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RoomSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Room"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"unreadCount"}},{"kind":"Field","name":{"kind":"Name","value":"myRole"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}}]} as unknown as DocumentNode<MyRoomsQuery, MyRoomsQueryVariables>;
export const RoomHistoryDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"RoomHistory"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"last"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"before"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"room"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"RoomSummaryFields"}},{"kind":"Field","name":{"kind":"Name","value":"lastReadSeq"}},{"kind":"Field","name":{"kind":"Name","value":"messages"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"last"},"value":{"kind":"Variable","name":{"kind":"Name","value":"last"}}},{"kind":"Argument","name":{"kind":"Name","value":"before"},"value":{"kind":"Variable","name":{"kind":"Name","value":"before"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RoomSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Room"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"unreadCount"}},{"kind":"Field","name":{"kind":"Name","value":"myRole"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"clientMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}}]} as unknown as DocumentNode<RoomHistoryQuery, RoomHistoryQueryVariables>;
export const UserByUsernameDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"UserByUsername"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"username"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"userByUsername"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"username"},"value":{"kind":"Variable","name":{"kind":"Name","value":"username"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]} as unknown as DocumentNode<UserByUsernameQuery, UserByUsernameQueryVariables>;
export const OpenDirectRoomDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"OpenDirectRoom"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"openDirectRoom"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"RoomSummaryFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RoomSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Room"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"unreadCount"}},{"kind":"Field","name":{"kind":"Name","value":"myRole"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}}]} as unknown as DocumentNode<OpenDirectRoomMutation, OpenDirectRoomMutationVariables>;
export const CreateRoomDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateRoom"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateRoomInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createRoom"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"RoomSummaryFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RoomSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Room"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"unreadCount"}},{"kind":"Field","name":{"kind":"Name","value":"myRole"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}}]} as unknown as DocumentNode<CreateRoomMutation, CreateRoomMutationVariables>;
export const InviteToRoomDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"InviteToRoom"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"userId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"inviteToRoom"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"roomId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}}},{"kind":"Argument","name":{"kind":"Name","value":"userId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"userId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"RoomSummaryFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"RoomSummaryFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Room"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"kind"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"lastSeq"}},{"kind":"Field","name":{"kind":"Name","value":"unreadCount"}},{"kind":"Field","name":{"kind":"Name","value":"myRole"}},{"kind":"Field","name":{"kind":"Name","value":"members"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}}]} as unknown as DocumentNode<InviteToRoomMutation, InviteToRoomMutationVariables>;
export const LeaveRoomDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"LeaveRoom"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"leaveRoom"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"roomId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}}}]}]}}]} as unknown as DocumentNode<LeaveRoomMutation, LeaveRoomMutationVariables>;
export const SendMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SendMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"SendMessageInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"sendMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"clientMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}}]} as unknown as DocumentNode<SendMessageMutation, SendMessageMutationVariables>;
export const EditMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"EditMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"body"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"editMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}},{"kind":"Argument","name":{"kind":"Name","value":"body"},"value":{"kind":"Variable","name":{"kind":"Name","value":"body"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"clientMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}}]} as unknown as DocumentNode<EditMessageMutation, EditMessageMutationVariables>;
export const DeleteMessageDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"DeleteMessage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"deleteMessage"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"clientMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}}]} as unknown as DocumentNode<DeleteMessageMutation, DeleteMessageMutationVariables>;
export const AddReactionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"AddReaction"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"emoji"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"addReaction"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}},{"kind":"Argument","name":{"kind":"Name","value":"emoji"},"value":{"kind":"Variable","name":{"kind":"Name","value":"emoji"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}}]}}]} as unknown as DocumentNode<AddReactionMutation, AddReactionMutationVariables>;
export const RemoveReactionDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RemoveReaction"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"emoji"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"removeReaction"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"messageId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"messageId"}}},{"kind":"Argument","name":{"kind":"Name","value":"emoji"},"value":{"kind":"Variable","name":{"kind":"Name","value":"emoji"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}}]}}]} as unknown as DocumentNode<RemoveReactionMutation, RemoveReactionMutationVariables>;
export const MarkReadDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"MarkRead"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"seq"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"markRead"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"roomId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}}},{"kind":"Argument","name":{"kind":"Name","value":"seq"},"value":{"kind":"Variable","name":{"kind":"Name","value":"seq"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"lastReadSeq"}}]}}]}}]} as unknown as DocumentNode<MarkReadMutation, MarkReadMutationVariables>;
export const SetTypingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"SetTyping"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"typing"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"setTyping"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"roomId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}}},{"kind":"Argument","name":{"kind":"Name","value":"typing"},"value":{"kind":"Variable","name":{"kind":"Name","value":"typing"}}}]}]}}]} as unknown as DocumentNode<SetTypingMutation, SetTypingMutationVariables>;
export const RoomEventsDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"RoomEvents"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"roomEvents"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"roomId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}}},{"kind":"Argument","name":{"kind":"Name","value":"afterSeq"},"value":{"kind":"Variable","name":{"kind":"Name","value":"afterSeq"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageAdded"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageEdited"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MessageDeleted"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"ReactionChanged"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"MessageFields"}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MemberJoined"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"member"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"MemberLeft"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"member"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"role"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"MessageFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Message"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"Field","name":{"kind":"Name","value":"seq"}},{"kind":"Field","name":{"kind":"Name","value":"body"}},{"kind":"Field","name":{"kind":"Name","value":"clientMessageId"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"editedAt"}},{"kind":"Field","name":{"kind":"Name","value":"deletedAt"}},{"kind":"Field","name":{"kind":"Name","value":"author"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"reactions"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"emoji"}},{"kind":"Field","name":{"kind":"Name","value":"count"}},{"kind":"Field","name":{"kind":"Name","value":"reactedByMe"}}]}}]}}]} as unknown as DocumentNode<RoomEventsSubscription, RoomEventsSubscriptionVariables>;
export const TypingDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"Typing"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ID"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"typing"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"roomId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"roomId"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"roomId"}},{"kind":"Field","name":{"kind":"Name","value":"typing"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"user"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"UserFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"UserFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"User"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"username"}},{"kind":"Field","name":{"kind":"Name","value":"displayName"}}]}}]} as unknown as DocumentNode<TypingSubscription, TypingSubscriptionVariables>;