import { timingSafeEqual } from 'node:crypto';
import {
  SERVICE_TOKEN_METADATA,
  authServiceDefinition,
  type GetUsersResult,
  type Logger,
  type VerifyAccessTokenResult,
} from '@aether/common';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { errors as joseErrors } from 'jose';
import type { Accounts } from './accounts';
import type { Sessions } from './sessions';
import type { AccessTokens } from './tokens';

export interface AuthGrpcDeps {
  accounts: Accounts;
  sessions: Sessions;
  accessTokens: AccessTokens;
  serviceToken: string;
  logger: Logger;
}

const MAX_IDS = 1000;

function hasServiceToken(metadata: grpc.Metadata, expected: Buffer): boolean {
  const [given] = metadata.get(SERVICE_TOKEN_METADATA);
  if (typeof given !== 'string') return false;
  const buf = Buffer.from(given);
  return buf.length === expected.length && timingSafeEqual(buf, expected);
}

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** Wraps a handler with the service-credential check and error mapping every method shares. */
function guarded<Req, Res>(deps: AuthGrpcDeps, expected: Buffer, name: string, fn: (req: Req) => Promise<Res>): Unary<Req, Res> {
  return (call, callback) => {
    if (!hasServiceToken(call.metadata, expected)) {
      callback({ code: grpc.status.UNAUTHENTICATED, details: 'missing or wrong service credential' });
      return;
    }
    fn(call.request).then(
      (res) => callback(null, res),
      (error: Error & { grpcCode?: grpc.status }) => {
        if (error.grpcCode !== undefined) return callback({ code: error.grpcCode, details: error.message });
        deps.logger.error('grpc call failed', { method: name, error: error.message });
        callback({ code: grpc.status.INTERNAL, details: 'internal error' });
      },
    );
  };
}

function invalidArgument(message: string): Error {
  return Object.assign(new Error(message), { grpcCode: grpc.status.INVALID_ARGUMENT });
}

export function verifyReason(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'bad_signature';
  return 'malformed';
}

export function createAuthGrpcServer(deps: AuthGrpcDeps): { server: grpc.Server; health: HealthImplementation } {
  const expected = Buffer.from(deps.serviceToken);
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 1024 * 1024 });
  server.addService(authServiceDefinition(), {
    GetUsers: guarded<{ ids: string[] }, GetUsersResult>(deps, expected, 'GetUsers', async ({ ids }) => {
      if (ids.length > MAX_IDS) throw invalidArgument(`at most ${MAX_IDS} ids per call`);
      const unique = [...new Set(ids)];
      const users = await deps.accounts.byIds(unique);
      return {
        users: users.flatMap((u) =>
          u
            ? [{ id: u.id, username: u.username, displayName: u.displayName, avatarUrl: u.avatarUrl ?? '', banned: u.bannedAt !== null, roles: u.roles }]
            : [],
        ),
        missingIds: unique.filter((_, i) => !users[i]),
      };
    }),
    VerifyAccessToken: guarded<{ accessToken: string }, Partial<VerifyAccessTokenResult>>(
      deps,
      expected,
      'VerifyAccessToken',
      async ({ accessToken }) => {
        let claims;
        try {
          claims = await deps.accessTokens.verify(accessToken);
        } catch (error) {
          return { valid: false, reason: verifyReason(error) };
        }
        // The database is the authority here; Redis only speeds up the gateway's check.
        if (!(await deps.sessions.isLive(claims.sessionId))) return { valid: false, reason: 'revoked' };
        const [user] = await deps.accounts.byIds([claims.userId]);
        if (!user || user.bannedAt) return { valid: false, reason: 'banned' };
        return {
          valid: true,
          userId: claims.userId,
          sessionId: claims.sessionId,
          roles: claims.roles,
          expiresAt: Math.floor(claims.expiresAt.getTime() / 1000),
        };
      },
    ),
  });
  const health = new HealthImplementation({ '': 'SERVING', 'aether.auth.v1.AuthService': 'SERVING' });
  health.addToServer(server);
  return { server, health };
}
