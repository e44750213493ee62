import { RateLimitedError, type Logger, type ServiceMetrics } from '@aether/common';
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import { Kind, OperationTypeNode, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type Redis from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { GatewayContext } from '../context';

/** Points per window for each limit; every number comes from the gateway config (`RATE_LIMIT_*`). */
export interface RateLimitsConfig {
  windowSeconds: number;
  perIp: number;
  perUser: number;
  authPerIp: number;
  sendPerUser: number;
}

/** Root mutation fields with limits of their own: credential guessing and message flooding. */
const AUTH_FIELDS = new Set(['register', 'login', 'refreshToken']);
const SEND_FIELDS = new Set(['sendMessage']);

type LimitName = 'ip' | 'user' | 'auth' | 'send';
/** Which budget, whose key in it, how many points. */
type Charge = [LimitName, string, number];

/** The caller and operation a rate-limit decision is about. */
export interface RateLimitSubject {
  document: DocumentNode;
  operation: OperationDefinitionNode;
  clientIp: string;
  userId?: string;
}

/** How often each root field name is selected (aliases count once each: `a: login, b: login` is two logins). */
function rootFieldCounts(document: DocumentNode, set: SelectionSetNode, out = new Map<string, number>(), seen = new Set<string>()): Map<string, number> {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.set(s.name.value, (out.get(s.name.value) ?? 0) + 1);
    else if (s.kind === Kind.INLINE_FRAGMENT) rootFieldCounts(document, s.selectionSet, out, seen);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) rootFieldCounts(document, fragment.selectionSet, out, seen);
    }
  }
  return out;
}

/**
 * The gateway's rate limits, counted in Redis so that every replica shares them
 * (rate-limiter-flexible; in memory when there is no Redis, and in memory for as long as
 * Redis is unreachable, so an outage slows nothing down). Every request costs a point of
 * the caller's IP and, when signed in, of the user; `register`/`login`/`refreshToken` also
 * cost the IP a point each of a much smaller budget, and `sendMessage` the user (or the IP,
 * when anonymous) one of another.
 */
export class EdgeRateLimiter {
  private readonly limiters: Record<LimitName, RateLimiterAbstract>;

  constructor(
    redis: Redis | undefined,
    prefix: string,
    limits: RateLimitsConfig,
    private readonly logger: Logger,
    private readonly metrics?: ServiceMetrics,
  ) {
    const make = (name: LimitName, points: number): RateLimiterAbstract => {
      const options = { keyPrefix: `${prefix}rl:gw:${name}`, points, duration: limits.windowSeconds };
      if (!redis) return new RateLimiterMemory(options);
      // While Redis is not connected, count in memory at once instead of waiting on reconnects.
      return new RateLimiterRedis({ ...options, storeClient: redis, rejectIfRedisNotReady: true, insuranceLimiter: new RateLimiterMemory(options) });
    };
    this.limiters = {
      ip: make('ip', limits.perIp),
      user: make('user', limits.perUser),
      auth: make('auth', limits.authPerIp),
      send: make('send', limits.sendPerUser),
    };
  }

  /** Every request pays a point of its address's budget, before anything else is looked at. */
  admitAddress(clientIp: string): Promise<void> {
    return this.charge([['ip', clientIp, 1]]);
  }

  /** And, once its token is verified, a point of the user's budget. */
  admitUser(userId: string | undefined): Promise<void> {
    return userId ? this.charge([['user', userId, 1]]) : Promise.resolve();
  }

  /** The budgets of the operation itself, once it is known. */
  admitOperation(subject: RateLimitSubject): Promise<void> {
    return this.charge(this.operationCharges(subject));
  }

  /** The stricter budgets, one point per auth or sendMessage root field of a mutation. */
  private operationCharges({ document, operation, clientIp, userId }: RateLimitSubject): Charge[] {
    if (operation.operation !== OperationTypeNode.MUTATION) return [];
    let auth = 0;
    let send = 0;
    for (const [name, n] of rootFieldCounts(document, operation.selectionSet)) {
      if (AUTH_FIELDS.has(name)) auth += n;
      if (SEND_FIELDS.has(name)) send += n;
    }
    const charges: Charge[] = [];
    if (auth) charges.push(['auth', clientIp, auth]);
    if (send) charges.push(['send', userId ?? `ip:${clientIp}`, send]);
    return charges;
  }

  private async charge(charges: Charge[]): Promise<void> {
    const outcomes = await Promise.allSettled(charges.map(([limit, key, points]) => this.limiters[limit].consume(key, points)));
    let retryAfterMs = 0;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') return;
      if (!(outcome.reason instanceof RateLimiterRes)) {
        // Neither Redis nor the insurance limiter answered: let the operation through rather than fail it.
        this.logger.error('rate limiter failed', { limit: charges[i][0], reason: String(outcome.reason) });
        return;
      }
      this.metrics?.rateLimited.inc({ limit: charges[i][0] });
      retryAfterMs = Math.max(retryAfterMs, outcome.reason.msBeforeNext);
    });
    if (retryAfterMs > 0) {
      const error = new RateLimitedError(retryAfterMs / 1000);
      Object.assign(error.extensions, { http: { status: 429, headers: new HeaderMap([['retry-after', String(error.extensions.retryAfter)]]) } });
      throw error;
    }
  }

  /**
   * Apollo Server plugin: the operation budgets for every operation it runs (HTTP, and queries
   * and mutations sent over graphql-ws, which go through Apollo too), answering HTTP 429 with
   * `Retry-After` (graphql-ws clients get the same error without the HTTP part). Address and
   * user budgets are charged earlier, where the request arrives (the HTTP context function,
   * the socket's `onSubscribe`), so that malformed documents are counted too.
   */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => ({
        didResolveOperation: async ({ document, operation, contextValue: { clientIp, viewer } }) => {
          if (operation) await this.admitOperation({ document, operation, clientIp, userId: viewer?.userId });
        },
      }),
    };
  }
}
