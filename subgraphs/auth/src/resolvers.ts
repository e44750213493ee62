import { DateTimeScalar, UnauthenticatedError, type Identity } from '@aether/common';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import DataLoader from 'dataloader';
import type { Accounts } from './accounts';
import type { Sessions, TokenPair } from './sessions';
import type { Role, UserRecord } from './store/entities';

export interface AuthContext {
  identity: Identity;
  accounts: Accounts;
  sessions: Sessions;
  /** Per request: every User reference in one operation costs one SQL query. */
  users: DataLoader<string, UserRecord | null>;
  /** Accounts this request just proved it owns (register, login, refresh), before it has a token for them. */
  ownAccounts: Set<string>;
}

export function createContext(identity: Identity, accounts: Accounts, sessions: Sessions): AuthContext {
  return {
    identity,
    accounts,
    sessions,
    users: new DataLoader((ids) => accounts.byIds(ids), { maxBatchSize: 500 }),
    ownAccounts: new Set(),
  };
}

function requireUser(ctx: AuthContext): string {
  if (!ctx.identity.userId) throw new UnauthenticatedError();
  return ctx.identity.userId;
}

function clientIp(ctx: AuthContext): string {
  return ctx.identity.clientIp ?? 'unknown';
}

type Args = Record<string, unknown>;

export const resolvers: GraphQLResolverMap<AuthContext> = {
  DateTime: DateTimeScalar,
  Query: {
    me: (_: unknown, __: Args, ctx: AuthContext) => (ctx.identity.userId ? ctx.users.load(ctx.identity.userId) : null),
    user: (_: unknown, { id }: Args, ctx: AuthContext) => ctx.users.load(String(id)),
    userByUsername: (_: unknown, { username }: Args, ctx: AuthContext) => ctx.accounts.byUsername(String(username)),
  },
  Mutation: {
    register: (_: unknown, { input }: Args, ctx: AuthContext) => ctx.accounts.register(input),
    login: (_: unknown, { input }: Args, ctx: AuthContext) => ctx.accounts.login(input, clientIp(ctx)),
    refreshToken: (_: unknown, { refreshToken }: Args, ctx: AuthContext) =>
      ctx.accounts.refresh(refreshToken as string, clientIp(ctx)),
    logout: (_: unknown, { refreshToken }: Args, ctx: AuthContext) =>
      typeof refreshToken === 'string' && refreshToken.length <= 200 ? ctx.sessions.endByRefreshToken(refreshToken) : false,
    logoutAll: async (_: unknown, __: Args, ctx: AuthContext) => {
      await ctx.sessions.endAllOf(requireUser(ctx), 'logout-all');
      return true;
    },
    updateProfile: (_: unknown, { input }: Args, ctx: AuthContext) => ctx.accounts.updateProfile(requireUser(ctx), input),
    changePassword: (_: unknown, { input }: Args, ctx: AuthContext) =>
      ctx.accounts.changePassword(requireUser(ctx), ctx.identity.sessionId, input, clientIp(ctx)),
    grantRole: (_: unknown, { userId, role }: Args, ctx: AuthContext) =>
      ctx.accounts.setRole(requireUser(ctx), String(userId), role as Role, true),
    revokeRole: (_: unknown, { userId, role }: Args, ctx: AuthContext) =>
      ctx.accounts.setRole(requireUser(ctx), String(userId), role as Role, false),
    banUser: (_: unknown, { userId }: Args, ctx: AuthContext) => ctx.accounts.setBanned(requireUser(ctx), String(userId), true),
    unbanUser: (_: unknown, { userId }: Args, ctx: AuthContext) => ctx.accounts.setBanned(requireUser(ctx), String(userId), false),
  },
  AuthPayload: {
    user: (pair: TokenPair, _: Args, ctx: AuthContext) => {
      ctx.ownAccounts.add(pair.user.id);
      return pair.user;
    },
  },
  User: {
    __resolveReference: (ref: { id: string }, ctx: AuthContext) => ctx.users.load(ref.id),
    email: (user: UserRecord, _: Args, ctx: AuthContext) =>
      ctx.identity.userId === user.id || ctx.ownAccounts.has(user.id) || ctx.identity.roles.includes('ADMIN') ? user.email : null,
    banned: (user: UserRecord) => user.bannedAt !== null,
  },
};
