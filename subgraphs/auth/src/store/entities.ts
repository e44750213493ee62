import { EntitySchema } from 'typeorm';

export type Role = 'USER' | 'MODERATOR' | 'ADMIN';
export const ROLES: readonly Role[] = ['USER', 'MODERATOR', 'ADMIN'];

export interface UserRecord {
  id: string;
  email: string;
  username: string;
  displayName: string;
  avatarUrl: string | null;
  bio: string | null;
  passwordHash: string;
  roles: Role[];
  bannedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One login: the family of refresh tokens that rotate from it. Revoking it ends the session. */
export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedReason: string | null;
}

/** A refresh token, stored only as its SHA-256 hash. `usedAt` is set when it is rotated. */
export interface RefreshTokenRecord {
  tokenHash: string;
  sessionId: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
}

export const UserEntity = new EntitySchema<UserRecord>({
  name: 'User',
  tableName: 'users',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    email: { type: 'text' },
    username: { type: 'text' },
    displayName: { type: 'text', name: 'display_name' },
    avatarUrl: { type: 'text', name: 'avatar_url', nullable: true },
    bio: { type: 'text', nullable: true },
    passwordHash: { type: 'text', name: 'password_hash' },
    roles: { type: 'text', array: true, default: () => "'{USER}'" },
    bannedAt: { type: 'timestamptz', name: 'banned_at', nullable: true },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});

export const SessionEntity = new EntitySchema<SessionRecord>({
  name: 'Session',
  tableName: 'sessions',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    userId: { type: 'uuid', name: 'user_id' },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    revokedAt: { type: 'timestamptz', name: 'revoked_at', nullable: true },
    revokedReason: { type: 'text', name: 'revoked_reason', nullable: true },
  },
});

export const RefreshTokenEntity = new EntitySchema<RefreshTokenRecord>({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  columns: {
    tokenHash: { type: 'text', name: 'token_hash', primary: true },
    sessionId: { type: 'uuid', name: 'session_id' },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    expiresAt: { type: 'timestamptz', name: 'expires_at' },
    usedAt: { type: 'timestamptz', name: 'used_at', nullable: true },
  },
});
