import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMessaging1764000000001 implements MigrationInterface {
  name = 'CreateMessaging1764000000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rooms (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('DIRECT', 'GROUP')),
        name text,
        direct_key text UNIQUE,
        last_seq integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_activity_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE memberships (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('OWNER', 'ADMIN', 'MEMBER')),
        joined_at timestamptz NOT NULL DEFAULT now(),
        last_read_seq integer NOT NULL DEFAULT 0,
        PRIMARY KEY (room_id, user_id)
      )`);
    await q.query(`CREATE INDEX memberships_user_id_idx ON memberships (user_id)`);
    await q.query(`
      CREATE TABLE messages (
        id uuid PRIMARY KEY,
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        author_id text NOT NULL,
        body text NOT NULL,
        client_message_id text,
        reply_to_id uuid REFERENCES messages(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        edited_at timestamptz,
        deleted_at timestamptz
      )`);
    // History pages and unread counts read this index, never the whole table.
    await q.query(`CREATE UNIQUE INDEX messages_room_seq_key ON messages (room_id, seq)`);
    // Idempotent sends: one message per author and client id.
    await q.query(
      `CREATE UNIQUE INDEX messages_author_client_id_key ON messages (author_id, client_message_id) WHERE client_message_id IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE room_events (
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        seq integer NOT NULL,
        type text NOT NULL,
        message_id uuid REFERENCES messages(id),
        member_user_id text,
        member_role text,
        member_joined_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (room_id, seq)
      )`);
    await q.query(`
      CREATE TABLE reactions (
        message_id uuid NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        user_id text NOT NULL,
        emoji text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (message_id, emoji, user_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['reactions', 'room_events', 'messages', 'memberships', 'rooms']) await q.query(`DROP TABLE ${table}`);
  }
}
