import {
  AuthClient,
  ErrorCode,
  JWT_ALGORITHM,
  JWT_AUDIENCE,
  RedisSessionRevocations,
  type Logger,
} from '@aether/common';
import { GraphQLError } from 'graphql';
import type Redis from 'ioredis';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';

/** Who is calling, as the gateway established it from a verified access token. */
export interface Viewer {
  userId: string;
  roles: string[];
  sessionId: string;
  /** When the access token expires (ms since the epoch): WebSockets close then. */
  expiresAt: number;
  /** The verified access token itself: without Redis, auth is asked about the session with it. */
  token: string;
}

/**
 * UNAUTHENTICATED with HTTP 401, so HTTP clients and graphql-ws both see what went wrong; 503
 * when the token could not be checked at all, so clients retry instead of dropping a good token.
 */
export class InvalidTokenError extends GraphQLError {
  constructor(
    message: string,
    readonly reason: 'malformed' | 'invalid' | 'expired' | 'revoked' | 'unavailable',
  ) {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: reason === 'unavailable' ? 503 : 401 } } });
  }
}

/** Whether a verification failure says nothing about the token: auth's keys could not be had. */
function keysUnavailable(error: unknown): boolean {
  return !(error instanceof joseErrors.JOSEError) || error instanceof joseErrors.JWKSTimeout || error instanceof joseErrors.JWKSInvalid;
}

/** Whether a session has been ended (logout, logoutAll, refresh-token theft, ban). */
interface RevocationCheck {
  isRevoked(sessionId: string, token: string): Promise<boolean>;
}

/**
 * Without Redis the gateway has no shared revocation set to read, so it asks auth over gRPC,
 * remembering each answer briefly: a revoked session stops working within `cacheMs`.
 */
class GrpcRevocationCheck implements RevocationCheck {
  private readonly cache = new Map<string, { revoked: boolean; until: number }>();

  constructor(
    private readonly client: AuthClient,
    private readonly cacheMs = 2000,
  ) {}

  // One question per session at a time: a burst of operations (a client opening a thousand
  // subscriptions) shares it instead of sending auth a thousand calls that time out together.
  private readonly asking = new Map<string, Promise<boolean>>();

  isRevoked(sessionId: string, token: string): Promise<boolean> {
    const hit = this.cache.get(sessionId);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.revoked);
    let pending = this.asking.get(sessionId);
    if (!pending) {
      pending = this.ask(sessionId, token).finally(() => this.asking.delete(sessionId));
      this.asking.set(sessionId, pending);
    }
    return pending;
  }

  private async ask(sessionId: string, token: string): Promise<boolean> {
    const result = await this.client.verifyAccessToken(token);
    const revoked = !result.valid && (result.reason === 'revoked' || result.reason === 'banned');
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(sessionId, { revoked, until: Date.now() + this.cacheMs });
    return revoked;
  }
}

class RedisRevocationCheck implements RevocationCheck {
  readonly set: RedisSessionRevocations;
  constructor(redis: Redis, prefix: string) {
    this.set = new RedisSessionRevocations(redis, prefix);
  }
  isRevoked(sessionId: string): Promise<boolean> {
    return this.set.isRevoked(sessionId);
  }
}

/** Verified tokens remembered at once; past that the memory starts afresh (a burst of new tokens costs a verification each). */
const VERIFIED_TOKENS = 10_000;

export interface AuthenticatorOptions {
  jwksUrl: string;
  issuer: string;
  redis?: Redis;
  redisPrefix: string;
  authClient: AuthClient;
  logger: Logger;
}

/**
 * Verifies access tokens locally against auth's published keys (fetched once, cached, and
 * refetched when an unknown key id shows up), with the algorithm pinned, then checks that the
 * session has not been ended.
 */
export class Authenticator {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly revocations: RevocationCheck;

  constructor(private readonly options: AuthenticatorOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    this.revocations = options.redis
      ? new RedisRevocationCheck(options.redis, options.redisPrefix)
      : new GrpcRevocationCheck(options.authClient);
  }

  /** The bearer token of an `Authorization` value, null when there is none. */
  static bearer(header: unknown): string | null {
    if (typeof header !== 'string' || header === '') return null;
    const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!match) throw new InvalidTokenError('Authorization must be "Bearer <access token>"', 'malformed');
    return match[1];
  }

  /** A signed, unexpired token of a live session. */
  async verify(token: string): Promise<Viewer> {
    const viewer = await this.verifySignature(token);
    await this.ensureLive(viewer);
    return viewer;
  }

  /** Throws when the viewer's session has been ended (or cannot be checked: fail closed); `requestId` is the request's that asks, for the log. */
  async ensureLive(viewer: Viewer, requestId?: string): Promise<void> {
    let revoked: boolean;
    try {
      revoked = await this.revocations.isRevoked(viewer.sessionId, viewer.token);
    } catch (error) {
      // Fail closed: a token we cannot check is not accepted.
      this.options.logger.error('session revocation check failed', { requestId, userId: viewer.userId, reason: (error as Error).message });
      throw new InvalidTokenError('Cannot verify access tokens right now', 'unavailable');
    }
    if (revoked) throw this.sessionEnded();
  }

  /** What a caller whose session has been ended hears, however the gateway found out. */
  sessionEnded(): InvalidTokenError {
    return new InvalidTokenError('Session has ended', 'revoked');
  }

  /**
   * The Redis key whose presence says the viewer's session has ended, when the revocation set
   * is in Redis: the edge reads it in the same round trip as the rate counters. Undefined
   * without Redis (auth is asked over gRPC instead, through `ensureLive`).
   */
  revocationKey(viewer: Viewer): string | undefined {
    return this.revocations instanceof RedisRevocationCheck ? this.revocations.set.key(viewer.sessionId) : undefined;
  }

  /** Signature, algorithm, issuer, audience and expiry; whether the session still lives is `ensureLive`'s question. */
  async verifySignature(token: string): Promise<Viewer> {
    if (token.length > 4096) throw new InvalidTokenError('Access token is invalid', 'malformed');
    const viewer = this.verified.get(token) ?? (await this.checkSignature(token));
    if (viewer.expiresAt <= Date.now()) {
      this.verified.delete(token);
      throw new InvalidTokenError('Access token has expired', 'expired');
    }
    return viewer;
  }

  // A token's signature and claims do not change, so each is checked once (ES256 verification
  // was the largest single cost of a request); the session is still checked on every request.
  private readonly verified = new Map<string, Viewer>();

  private async checkSignature(token: string): Promise<Viewer> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        algorithms: [JWT_ALGORITHM],
        issuer: this.options.issuer,
        audience: JWT_AUDIENCE,
      }));
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new InvalidTokenError('Access token has expired', 'expired');
      if (keysUnavailable(error)) {
        this.options.logger.error('cannot fetch auth public keys', { reason: (error as Error).message });
        throw new InvalidTokenError('Cannot verify access tokens right now', 'unavailable');
      }
      throw new InvalidTokenError('Access token is invalid', 'invalid');
    }
    const { sub, sid, roles, exp } = payload as { sub?: unknown; sid?: unknown; roles?: unknown; exp?: number };
    if (typeof sub !== 'string' || typeof sid !== 'string' || !Array.isArray(roles) || typeof exp !== 'number') {
      throw new InvalidTokenError('Access token is invalid', 'invalid');
    }
    const viewer: Viewer = { userId: sub, roles: roles.map(String), sessionId: sid, expiresAt: exp * 1000, token };
    if (this.verified.size >= VERIFIED_TOKENS) this.verified.clear();
    this.verified.set(token, viewer);
    return viewer;
  }
}
