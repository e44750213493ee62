import { Schema, type Connection } from 'mongoose';

/**
 * Mongoose schemas of the production message store. Ids are UUID strings made by the
 * service (as in the PostgreSQL store), so the two stores are interchangeable.
 */
const room = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['DIRECT', 'GROUP'], required: true },
    name: { type: String, default: null },
    directKey: { type: String },
    lastSeq: { type: Number, required: true, default: 0 },
    createdAt: { type: Date, required: true },
    lastActivityAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// One direct room per pair; group rooms have no key, so the index skips them.
room.index({ directKey: 1 }, { unique: true, partialFilterExpression: { directKey: { $type: 'string' } } });

const membership = new Schema(
  {
    roomId: { type: String, required: true },
    userId: { type: String, required: true },
    role: { type: String, enum: ['OWNER', 'ADMIN', 'MEMBER'], required: true },
    joinedAt: { type: Date, required: true },
    lastReadSeq: { type: Number, required: true, default: 0 },
  },
  { versionKey: false },
);
membership.index({ roomId: 1, userId: 1 }, { unique: true });
membership.index({ userId: 1 });

const message = new Schema(
  {
    _id: { type: String, required: true },
    roomId: { type: String, required: true },
    seq: { type: Number, required: true },
    authorId: { type: String, required: true },
    body: { type: String, default: '' },
    clientMessageId: { type: String, default: null },
    replyToId: { type: String, default: null },
    createdAt: { type: Date, required: true },
    editedAt: { type: Date, default: null },
    deletedAt: { type: Date, default: null },
  },
  { versionKey: false },
);
// History pages and unread counts walk this index, never the collection.
message.index({ roomId: 1, seq: 1 }, { unique: true });
// Idempotent sends.
message.index({ authorId: 1, clientMessageId: 1 }, { unique: true, partialFilterExpression: { clientMessageId: { $type: 'string' } } });

const roomEvent = new Schema(
  {
    roomId: { type: String, required: true },
    seq: { type: Number, required: true },
    type: { type: String, required: true },
    messageId: { type: String, default: null },
    member: { type: { userId: String, role: String, joinedAt: Date }, default: null, _id: false },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
roomEvent.index({ roomId: 1, seq: 1 }, { unique: true });

const reaction = new Schema(
  {
    messageId: { type: String, required: true },
    userId: { type: String, required: true },
    emoji: { type: String, required: true },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
reaction.index({ messageId: 1, emoji: 1, userId: 1 }, { unique: true });

export function models(conn: Connection) {
  return {
    Room: conn.model('Room', room, 'rooms'),
    Membership: conn.model('Membership', membership, 'memberships'),
    Message: conn.model('Message', message, 'messages'),
    RoomEvent: conn.model('RoomEvent', roomEvent, 'room_events'),
    Reaction: conn.model('Reaction', reaction, 'reactions'),
  };
}

export type Models = ReturnType<typeof models>;
