import { graphql } from './gql';

export const UserFields = graphql(`
  fragment UserFields on User {
    id
    username
    displayName
  }
`);

export const MessageFields = graphql(`
  fragment MessageFields on Message {
    id
    roomId
    seq
    body
    clientMessageId
    createdAt
    editedAt
    deletedAt
    author {
      ...UserFields
    }
    reactions {
      emoji
      count
      reactedByMe
    }
  }
`);

export const RoomSummaryFields = graphql(`
  fragment RoomSummaryFields on Room {
    id
    kind
    name
    lastSeq
    unreadCount
    myRole
    members {
      role
      user {
        ...UserFields
      }
    }
  }
`);

export const AuthPayloadFields = graphql(`
  fragment AuthPayloadFields on AuthPayload {
    accessToken
    refreshToken
    accessTokenExpiresAt
    user {
      ...UserFields
    }
  }
`);

export const RegisterMutation = graphql(`
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      ...AuthPayloadFields
    }
  }
`);

export const RefreshTokenMutation = graphql(`
  mutation RefreshToken($refreshToken: String!) {
    refreshToken(refreshToken: $refreshToken) {
      ...AuthPayloadFields
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export const MyRoomsQuery = graphql(`
  query MyRooms {
    myRooms {
      ...RoomSummaryFields
    }
  }
`);

export const RoomHistoryQuery = graphql(`
  query RoomHistory($roomId: ID!, $last: Int!, $before: String) {
    room(id: $roomId) {
      ...RoomSummaryFields
      lastReadSeq
      messages(last: $last, before: $before) {
        edges {
          cursor
          node {
            ...MessageFields
          }
        }
        pageInfo {
          hasPreviousPage
          startCursor
        }
      }
    }
  }
`);

export const UserByUsernameQuery = graphql(`
  query UserByUsername($username: String!) {
    userByUsername(username: $username) {
      ...UserFields
    }
  }
`);

export const OpenDirectRoomMutation = graphql(`
  mutation OpenDirectRoom($userId: ID!) {
    openDirectRoom(userId: $userId) {
      ...RoomSummaryFields
    }
  }
`);

export const CreateRoomMutation = graphql(`
  mutation CreateRoom($input: CreateRoomInput!) {
    createRoom(input: $input) {
      ...RoomSummaryFields
    }
  }
`);

export const InviteToRoomMutation = graphql(`
  mutation InviteToRoom($roomId: ID!, $userId: ID!) {
    inviteToRoom(roomId: $roomId, userId: $userId) {
      ...RoomSummaryFields
    }
  }
`);

export const LeaveRoomMutation = graphql(`
  mutation LeaveRoom($roomId: ID!) {
    leaveRoom(roomId: $roomId)
  }
`);

export const SendMessageMutation = graphql(`
  mutation SendMessage($input: SendMessageInput!) {
    sendMessage(input: $input) {
      ...MessageFields
    }
  }
`);

export const EditMessageMutation = graphql(`
  mutation EditMessage($id: ID!, $body: String!) {
    editMessage(id: $id, body: $body) {
      ...MessageFields
    }
  }
`);

export const DeleteMessageMutation = graphql(`
  mutation DeleteMessage($id: ID!) {
    deleteMessage(id: $id) {
      ...MessageFields
    }
  }
`);

export const AddReactionMutation = graphql(`
  mutation AddReaction($messageId: ID!, $emoji: String!) {
    addReaction(messageId: $messageId, emoji: $emoji) {
      id
      reactions {
        emoji
        count
        reactedByMe
      }
    }
  }
`);

export const RemoveReactionMutation = graphql(`
  mutation RemoveReaction($messageId: ID!, $emoji: String!) {
    removeReaction(messageId: $messageId, emoji: $emoji) {
      id
      reactions {
        emoji
        count
        reactedByMe
      }
    }
  }
`);

export const MarkReadMutation = graphql(`
  mutation MarkRead($roomId: ID!, $seq: Int!) {
    markRead(roomId: $roomId, seq: $seq) {
      id
      lastReadSeq
    }
  }
`);

export const SetTypingMutation = graphql(`
  mutation SetTyping($roomId: ID!, $typing: Boolean!) {
    setTyping(roomId: $roomId, typing: $typing)
  }
`);

export const RoomEventsSubscription = graphql(`
  subscription RoomEvents($roomId: ID!, $afterSeq: Int) {
    roomEvents(roomId: $roomId, afterSeq: $afterSeq) {
      __typename
      seq
      roomId
      ... on MessageAdded {
        message {
          ...MessageFields
        }
      }
      ... on MessageEdited {
        message {
          ...MessageFields
        }
      }
      ... on MessageDeleted {
        message {
          ...MessageFields
        }
      }
      ... on ReactionChanged {
        message {
          ...MessageFields
        }
      }
      ... on MemberJoined {
        member {
          role
          user {
            ...UserFields
          }
        }
      }
      ... on MemberLeft {
        member {
          role
          user {
            ...UserFields
          }
        }
      }
    }
  }
`);

export const TypingSubscription = graphql(`
  subscription Typing($roomId: ID!) {
    typing(roomId: $roomId) {
      roomId
      typing
      expiresAt
      user {
        ...UserFields
      }
    }
  }
`);
