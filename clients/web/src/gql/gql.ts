/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment UserFields on User {\n    id\n    username\n    displayName\n  }\n": typeof types.UserFieldsFragmentDoc,
    "\n  fragment MessageFields on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    reactions {\n      emoji\n      count\n      reactedByMe\n    }\n  }\n": typeof types.MessageFieldsFragmentDoc,
    "\n  fragment RoomSummaryFields on Room {\n    id\n    kind\n    name\n    lastSeq\n    unreadCount\n    myRole\n    members {\n      role\n      user {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.RoomSummaryFieldsFragmentDoc,
    "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    accessTokenExpiresAt\n    user {\n      ...UserFields\n    }\n  }\n": typeof types.AuthPayloadFieldsFragmentDoc,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.RegisterDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n": typeof types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": typeof types.LogoutDocument,
    "\n  query MyRooms {\n    myRooms {\n      ...RoomSummaryFields\n    }\n  }\n": typeof types.MyRoomsDocument,
    "\n  query RoomHistory($roomId: ID!, $last: Int!, $before: String) {\n    room(id: $roomId) {\n      ...RoomSummaryFields\n      lastReadSeq\n      messages(last: $last, before: $before) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n": typeof types.RoomHistoryDocument,
    "\n  query UserByUsername($username: String!) {\n    userByUsername(username: $username) {\n      ...UserFields\n    }\n  }\n": typeof types.UserByUsernameDocument,
    "\n  mutation OpenDirectRoom($userId: ID!) {\n    openDirectRoom(userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n": typeof types.OpenDirectRoomDocument,
    "\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      ...RoomSummaryFields\n    }\n  }\n": typeof types.CreateRoomDocument,
    "\n  mutation InviteToRoom($roomId: ID!, $userId: ID!) {\n    inviteToRoom(roomId: $roomId, userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n": typeof types.InviteToRoomDocument,
    "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n": typeof types.LeaveRoomDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageFields\n    }\n  }\n": typeof types.SendMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n": typeof types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": typeof types.DeleteMessageDocument,
    "\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n": typeof types.AddReactionDocument,
    "\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n": typeof types.RemoveReactionDocument,
    "\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq) {\n      id\n      lastReadSeq\n    }\n  }\n": typeof types.MarkReadDocument,
    "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n": typeof types.SetTypingDocument,
    "\n  subscription RoomEvents($roomId: ID!, $afterSeq: Int) {\n    roomEvents(roomId: $roomId, afterSeq: $afterSeq) {\n      __typename\n      seq\n      roomId\n      ... on MessageAdded {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on ReactionChanged {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MemberJoined {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n      ... on MemberLeft {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n    }\n  }\n": typeof types.RoomEventsDocument,
    "\n  subscription Typing($roomId: ID!) {\n    typing(roomId: $roomId) {\n      roomId\n      typing\n      expiresAt\n      user {\n        ...UserFields\n      }\n    }\n  }\n": typeof types.TypingDocument,
};
const documents: Documents = {
    "\n  fragment UserFields on User {\n    id\n    username\n    displayName\n  }\n": types.UserFieldsFragmentDoc,
    "\n  fragment MessageFields on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    reactions {\n      emoji\n      count\n      reactedByMe\n    }\n  }\n": types.MessageFieldsFragmentDoc,
    "\n  fragment RoomSummaryFields on Room {\n    id\n    kind\n    name\n    lastSeq\n    unreadCount\n    myRole\n    members {\n      role\n      user {\n        ...UserFields\n      }\n    }\n  }\n": types.RoomSummaryFieldsFragmentDoc,
    "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    accessTokenExpiresAt\n    user {\n      ...UserFields\n    }\n  }\n": types.AuthPayloadFieldsFragmentDoc,
    "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.RegisterDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n": types.RefreshTokenDocument,
    "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n": types.LogoutDocument,
    "\n  query MyRooms {\n    myRooms {\n      ...RoomSummaryFields\n    }\n  }\n": types.MyRoomsDocument,
    "\n  query RoomHistory($roomId: ID!, $last: Int!, $before: String) {\n    room(id: $roomId) {\n      ...RoomSummaryFields\n      lastReadSeq\n      messages(last: $last, before: $before) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n": types.RoomHistoryDocument,
    "\n  query UserByUsername($username: String!) {\n    userByUsername(username: $username) {\n      ...UserFields\n    }\n  }\n": types.UserByUsernameDocument,
    "\n  mutation OpenDirectRoom($userId: ID!) {\n    openDirectRoom(userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n": types.OpenDirectRoomDocument,
    "\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      ...RoomSummaryFields\n    }\n  }\n": types.CreateRoomDocument,
    "\n  mutation InviteToRoom($roomId: ID!, $userId: ID!) {\n    inviteToRoom(roomId: $roomId, userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n": types.InviteToRoomDocument,
    "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n": types.LeaveRoomDocument,
    "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageFields\n    }\n  }\n": types.SendMessageDocument,
    "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n": types.EditMessageDocument,
    "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n": types.DeleteMessageDocument,
    "\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n": types.AddReactionDocument,
    "\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n": types.RemoveReactionDocument,
    "\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq) {\n      id\n      lastReadSeq\n    }\n  }\n": types.MarkReadDocument,
    "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n": types.SetTypingDocument,
    "\n  subscription RoomEvents($roomId: ID!, $afterSeq: Int) {\n    roomEvents(roomId: $roomId, afterSeq: $afterSeq) {\n      __typename\n      seq\n      roomId\n      ... on MessageAdded {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on ReactionChanged {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MemberJoined {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n      ... on MemberLeft {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n    }\n  }\n": types.RoomEventsDocument,
    "\n  subscription Typing($roomId: ID!) {\n    typing(roomId: $roomId) {\n      roomId\n      typing\n      expiresAt\n      user {\n        ...UserFields\n      }\n    }\n  }\n": types.TypingDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment UserFields on User {\n    id\n    username\n    displayName\n  }\n"): (typeof documents)["\n  fragment UserFields on User {\n    id\n    username\n    displayName\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MessageFields on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    reactions {\n      emoji\n      count\n      reactedByMe\n    }\n  }\n"): (typeof documents)["\n  fragment MessageFields on Message {\n    id\n    roomId\n    seq\n    body\n    clientMessageId\n    createdAt\n    editedAt\n    deletedAt\n    author {\n      ...UserFields\n    }\n    reactions {\n      emoji\n      count\n      reactedByMe\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment RoomSummaryFields on Room {\n    id\n    kind\n    name\n    lastSeq\n    unreadCount\n    myRole\n    members {\n      role\n      user {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  fragment RoomSummaryFields on Room {\n    id\n    kind\n    name\n    lastSeq\n    unreadCount\n    myRole\n    members {\n      role\n      user {\n        ...UserFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    accessTokenExpiresAt\n    user {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  fragment AuthPayloadFields on AuthPayload {\n    accessToken\n    refreshToken\n    accessTokenExpiresAt\n    user {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation Register($input: RegisterInput!) {\n    register(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation RefreshToken($refreshToken: String!) {\n    refreshToken(refreshToken: $refreshToken) {\n      ...AuthPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"): (typeof documents)["\n  mutation Logout($refreshToken: String!) {\n    logout(refreshToken: $refreshToken)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query MyRooms {\n    myRooms {\n      ...RoomSummaryFields\n    }\n  }\n"): (typeof documents)["\n  query MyRooms {\n    myRooms {\n      ...RoomSummaryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RoomHistory($roomId: ID!, $last: Int!, $before: String) {\n    room(id: $roomId) {\n      ...RoomSummaryFields\n      lastReadSeq\n      messages(last: $last, before: $before) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RoomHistory($roomId: ID!, $last: Int!, $before: String) {\n    room(id: $roomId) {\n      ...RoomSummaryFields\n      lastReadSeq\n      messages(last: $last, before: $before) {\n        edges {\n          cursor\n          node {\n            ...MessageFields\n          }\n        }\n        pageInfo {\n          hasPreviousPage\n          startCursor\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UserByUsername($username: String!) {\n    userByUsername(username: $username) {\n      ...UserFields\n    }\n  }\n"): (typeof documents)["\n  query UserByUsername($username: String!) {\n    userByUsername(username: $username) {\n      ...UserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation OpenDirectRoom($userId: ID!) {\n    openDirectRoom(userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n"): (typeof documents)["\n  mutation OpenDirectRoom($userId: ID!) {\n    openDirectRoom(userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      ...RoomSummaryFields\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRoom($input: CreateRoomInput!) {\n    createRoom(input: $input) {\n      ...RoomSummaryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteToRoom($roomId: ID!, $userId: ID!) {\n    inviteToRoom(roomId: $roomId, userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n"): (typeof documents)["\n  mutation InviteToRoom($roomId: ID!, $userId: ID!) {\n    inviteToRoom(roomId: $roomId, userId: $userId) {\n      ...RoomSummaryFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n"): (typeof documents)["\n  mutation LeaveRoom($roomId: ID!) {\n    leaveRoom(roomId: $roomId)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation SendMessage($input: SendMessageInput!) {\n    sendMessage(input: $input) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation EditMessage($id: ID!, $body: String!) {\n    editMessage(id: $id, body: $body) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteMessage($id: ID!) {\n    deleteMessage(id: $id) {\n      ...MessageFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AddReaction($messageId: ID!, $emoji: String!) {\n    addReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveReaction($messageId: ID!, $emoji: String!) {\n    removeReaction(messageId: $messageId, emoji: $emoji) {\n      id\n      reactions {\n        emoji\n        count\n        reactedByMe\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq) {\n      id\n      lastReadSeq\n    }\n  }\n"): (typeof documents)["\n  mutation MarkRead($roomId: ID!, $seq: Int!) {\n    markRead(roomId: $roomId, seq: $seq) {\n      id\n      lastReadSeq\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n"): (typeof documents)["\n  mutation SetTyping($roomId: ID!, $typing: Boolean!) {\n    setTyping(roomId: $roomId, typing: $typing)\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RoomEvents($roomId: ID!, $afterSeq: Int) {\n    roomEvents(roomId: $roomId, afterSeq: $afterSeq) {\n      __typename\n      seq\n      roomId\n      ... on MessageAdded {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on ReactionChanged {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MemberJoined {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n      ... on MemberLeft {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RoomEvents($roomId: ID!, $afterSeq: Int) {\n    roomEvents(roomId: $roomId, afterSeq: $afterSeq) {\n      __typename\n      seq\n      roomId\n      ... on MessageAdded {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageEdited {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MessageDeleted {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on ReactionChanged {\n        message {\n          ...MessageFields\n        }\n      }\n      ... on MemberJoined {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n      ... on MemberLeft {\n        member {\n          role\n          user {\n            ...UserFields\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription Typing($roomId: ID!) {\n    typing(roomId: $roomId) {\n      roomId\n      typing\n      expiresAt\n      user {\n        ...UserFields\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription Typing($roomId: ID!) {\n    typing(roomId: $roomId) {\n      roomId\n      typing\n      expiresAt\n      user {\n        ...UserFields\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;