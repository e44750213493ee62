import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  parseInput,
  type Logger,
} from '@aether/common';
import { In, type DataSource, type Repository } from 'typeorm';
import { z } from 'zod';
import { MAX_PASSWORD_BYTES, type Passwords } from './passwords';
import type { Sessions, TokenPair } from './sessions';
import { ROLES, UserEntity, type Role, type UserRecord } from './store/entities';
import type { AuthThrottle } from './throttle';

const password = z
  .string()
  .refine((p) => Buffer.byteLength(p, 'utf8') >= 8, 'Must be at least 8 bytes')
  .refine((p) => Buffer.byteLength(p, 'utf8') <= MAX_PASSWORD_BYTES, 'Must be at most 72 bytes (bcrypt reads no further)');
const username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_]{3,32}$/, 'Must be 3 to 32 letters, digits or underscores');
const displayName = z.string().trim().min(1, 'Must not be empty').max(64, 'Must be at most 64 characters');
const email = z.string().trim().max(254, 'Must be at most 254 characters').email('Must be a valid email address');

export const registerInput = z.object({ email, username, password, displayName });
export const loginInput = z.object({
  login: z.string().trim().min(1, 'Must not be empty').max(254),
  password: z.string().min(1, 'Must not be empty').max(1024),
});
export const updateProfileInput = z.object({
  displayName: displayName.optional(),
  avatarUrl: z
    .string()
    .trim()
    .max(2048)
    .url('Must be a URL')
    .refine((u) => /^https?:\/\//i.test(u), 'Must be an http(s) URL')
    .nullable()
    .optional(),
  bio: z.string().max(500, 'Must be at most 500 characters').nullable().optional(),
});
export const changePasswordInput = z.object({
  currentPassword: z.string().min(1, 'Must not be empty').max(1024),
  newPassword: password,
});

const UUID = z.string().uuid();
const UNIQUE_VIOLATION = '23505';
const BAD_CREDENTIALS = 'Invalid login or password';

/** Accounts: registration, login, profiles, passwords, roles and bans. */
export class Accounts {
  private readonly users: Repository<UserRecord>;

  constructor(
    db: DataSource,
    private readonly passwords: Passwords,
    private readonly sessions: Sessions,
    private readonly throttle: AuthThrottle,
    private readonly logger: Logger,
  ) {
    this.users = db.getRepository(UserEntity);
  }

  async register(raw: unknown): Promise<TokenPair> {
    const input = parseInput(registerInput, raw);
    const existing = await this.users
      .createQueryBuilder('u')
      .where('lower(u.email) = lower(:email) OR lower(u.username) = lower(:username)', input)
      .getMany();
    const taken = this.takenFields(existing, input);
    if (Object.keys(taken).length) throw new ConflictError('Account already exists', taken);
    const passwordHash = await this.passwords.hash(input.password);
    let user: UserRecord;
    try {
      user = await this.users.save({
        email: input.email,
        username: input.username,
        displayName: input.displayName,
        passwordHash,
        roles: ['USER'],
      });
    } catch (error) {
      // Two registrations raced past the check above; the unique index decided.
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) {
        const detail = String((error as { constraint?: string }).constraint ?? '');
        throw new ConflictError('Account already exists', {
          [detail.includes('email') ? 'email' : 'username']: 'Already taken',
        });
      }
      throw error;
    }
    this.logger.info('account registered', { userId: user.id });
    return this.sessions.start(user);
  }

  private takenFields(existing: UserRecord[], input: { email: string; username: string }): Record<string, string> {
    const taken: Record<string, string> = {};
    for (const u of existing) {
      if (u.email.toLowerCase() === input.email.toLowerCase()) taken.email = 'Already taken';
      if (u.username.toLowerCase() === input.username.toLowerCase()) taken.username = 'Already taken';
    }
    return taken;
  }

  async login(raw: unknown, clientIp: string): Promise<TokenPair> {
    const input = parseInput(loginInput, raw);
    const login = input.login.toLowerCase();
    const user = await this.users
      .createQueryBuilder('u')
      .where('lower(u.email) = :login OR lower(u.username) = :login', { login })
      .getOne();
    // Failures count per account, whichever of email or username was typed.
    const account = user ? `user:${user.id}` : `login:${login}`;
    const attempt = await this.throttle.reservePasswordAttempt(account, clientIp);
    const ok = user ? await this.passwords.verify(input.password, user.passwordHash) : await this.passwords.verifyNothing(input.password);
    // A banned account answers exactly like a wrong password: nothing to learn from the difference.
    if (!user || !ok || user.bannedAt) throw new UnauthenticatedError(BAD_CREDENTIALS);
    await this.throttle.passwordAccepted(attempt);
    return this.sessions.start(user);
  }

  async refresh(refreshToken: string, clientIp: string): Promise<TokenPair> {
    await this.throttle.beforeRefresh(clientIp);
    if (typeof refreshToken !== 'string' || refreshToken.length > 200) throw new UnauthenticatedError('Refresh token is invalid or expired');
    return this.sessions.rotate(refreshToken);
  }

  async byIds(ids: readonly string[]): Promise<(UserRecord | null)[]> {
    const valid = ids.filter((id) => UUID.safeParse(id).success);
    const rows = valid.length ? await this.users.findBy({ id: In(valid) }) : [];
    const byId = new Map(rows.map((u) => [u.id, u]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async byUsername(name: string): Promise<UserRecord | null> {
    if (name.length > 64) return null;
    return this.users.createQueryBuilder('u').where('lower(u.username) = lower(:name)', { name }).getOne();
  }

  private async mustFind(id: string): Promise<UserRecord> {
    const [user] = await this.byIds([id]);
    if (!user) throw new NotFoundError('User not found');
    return user;
  }

  async updateProfile(userId: string, raw: unknown): Promise<UserRecord> {
    const input = parseInput(updateProfileInput, raw);
    const user = await this.mustFind(userId);
    if (input.displayName !== undefined) user.displayName = input.displayName;
    if (input.avatarUrl !== undefined) user.avatarUrl = input.avatarUrl;
    if (input.bio !== undefined) user.bio = input.bio;
    return this.users.save(user);
  }

  /** Throttled like a login: a stolen access token must not become a way to guess the password. */
  async changePassword(userId: string, sessionId: string | undefined, raw: unknown, clientIp: string): Promise<boolean> {
    const input = parseInput(changePasswordInput, raw);
    const user = await this.mustFind(userId);
    const attempt = await this.throttle.reservePasswordAttempt(`user:${user.id}`, clientIp);
    if (!(await this.passwords.verify(input.currentPassword, user.passwordHash))) {
      throw new BadUserInputError('Current password is wrong', { currentPassword: 'Does not match' });
    }
    await this.throttle.passwordAccepted(attempt);
    await this.users.update({ id: userId }, { passwordHash: await this.passwords.hash(input.newPassword) });
    await this.sessions.endAllOf(userId, 'password-changed', sessionId);
    return true;
  }

  /** The acting admin as the database knows them now: a token minted before a demotion or ban is not enough. */
  private async requireAdmin(actorId: string): Promise<UserRecord> {
    const [actor] = await this.byIds([actorId]);
    if (!actor || actor.bannedAt || !actor.roles.includes('ADMIN')) throw new ForbiddenError('Only admins may do this');
    return actor;
  }

  async setRole(actorId: string, userId: string, role: Role, granted: boolean): Promise<UserRecord> {
    await this.requireAdmin(actorId);
    if (role === 'USER') throw new BadUserInputError('USER cannot be granted or taken back', { role: 'Must be MODERATOR or ADMIN' });
    if (!granted && role === 'ADMIN' && userId === actorId) {
      throw new BadUserInputError('Admins cannot take back their own ADMIN role', { userId: 'Is you' });
    }
    const user = await this.mustFind(userId);
    const had = user.roles.includes(role);
    const roles = new Set(user.roles);
    if (granted) roles.add(role);
    else roles.delete(role);
    user.roles = ROLES.filter((r) => roles.has(r));
    const saved = await this.users.save(user);
    // Access tokens carry roles: end the sessions so no token keeps a role that was taken back.
    if (!granted && had) await this.sessions.endAllOf(userId, 'role-revoked');
    this.logger.info(granted ? 'role granted' : 'role revoked', { targetUserId: userId, role });
    return saved;
  }

  async setBanned(actorId: string, userId: string, banned: boolean): Promise<UserRecord> {
    await this.requireAdmin(actorId);
    if (userId === actorId) throw new BadUserInputError('Admins cannot ban themselves', { userId: 'Is you' });
    const user = await this.mustFind(userId);
    user.bannedAt = banned ? (user.bannedAt ?? new Date()) : null;
    const saved = await this.users.save(user);
    if (banned) await this.sessions.endAllOf(userId, 'banned');
    this.logger.info(banned ? 'user banned' : 'user unbanned', { targetUserId: userId });
    return saved;
  }
}
