import { RateLimitedError, type Logger } from '@aether/common';
// The gateway's metrics, under the name the code below uses (rename once issue 14 has landed).
import type { GatewayMetrics } from '../metrics';
import { HeaderMap } from '@apollo/server';
import { GraphQLError, Kind, type DocumentNode, type SelectionSetNode } from 'graphql';
import type Redis from 'ioredis';
import type { Viewer } from '../authn';
import type { GatewayContext } from '../context';
import type { AdmissionRequest, EdgeCheck } from './admission';
import { MemoryWindowCounters, RedisWindowCounters, type Charge, type ChargeOutcome, type WindowCounters } from './counters';
import type { RateBudgets } from './rate-budgets';

/** Points per window for each limit; every number comes from the gateway config (`RATE_LIMIT_*`). */
export interface RateLimitsConfig {
  windowSeconds: number;
  perIp: number;
  perUser: number;
  /** Limits of declared buckets by name, overriding what the schema says; `*` applies to every bucket not named. */
  buckets: Readonly<Record<string, number>>;
}

/** The root fields of an operation by name, each selection once (aliases count: `a: login, b: login` is two logins). */
function rootFieldCounts(document: DocumentNode, set: SelectionSetNode, out = new Map<string, number>(), seen = new Set<string>()): Map<string, number> {
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) {
      if (s.name.value !== '__typename') out.set(s.name.value, (out.get(s.name.value) ?? 0) + 1);
    } else if (s.kind === Kind.INLINE_FRAGMENT) rootFieldCounts(document, s.selectionSet, out, seen);
    else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) rootFieldCounts(document, fragment.selectionSet, out, seen);
    }
  }
  return out;
}

/** A charge with the name of its limit, for the rate-limited metric. */
type NamedCharge = Charge & { name: string };

/** Whether a signed-in caller's session still lives (the gateway's Authenticator). */
export interface SessionLiveness {
  /** The Redis key marking the viewer's session as ended, when that mark is kept in Redis. */
  revocationKey(viewer: Viewer): string | undefined;
  /** Asks on its own (without Redis: auth over gRPC); throws when the session has ended. */
  ensureLive(viewer: Viewer, requestId?: string): Promise<void>;
  /** The error a caller whose session has ended gets. */
  sessionEnded(): Error;
}

/**
 * The gateway's session check and rate limits as one edge check, so that an operation costs
 * one Redis round trip: the script that charges the counters first refuses an ended session
 * (with the same UNAUTHENTICATED error as before, nothing charged). Without Redis, or while it
 * is unreachable, the session is checked on its own (auth over gRPC, or fail closed) and the
 * counters count in memory.
 *
 * The rate limits: Every root field of an operation costs a
 * point of the caller's address budget and, signed in, of the user's (an operation of only
 * `__typename` costs one); a root field the supergraph marks with `@rateBudget` also costs a
 * point of its bucket. All counters of one operation are charged in one Redis round trip,
 * shared by every replica; while Redis is unreachable (or absent) they count in memory, so an
 * outage slows nothing down and nothing goes unlimited.
 */
export class EdgeRateLimiter implements EdgeCheck {
  readonly name = 'session-and-rate-limits';
  private readonly redis?: RedisWindowCounters;
  private readonly memory = new MemoryWindowCounters();
  private budgets: RateBudgets = new Map();

  constructor(
    redis: Redis | undefined,
    private readonly prefix: string,
    private readonly limits: RateLimitsConfig,
    private readonly logger: Logger,
    private readonly metrics: GatewayMetrics | undefined,
    /** The session check this limiter makes in the same round trip: required, so it cannot be dropped by accident. */
    private readonly session: SessionLiveness,
  ) {
    this.redis = redis ? new RedisWindowCounters(redis) : undefined;
  }

  /** Takes the budgets of a newly loaded supergraph. */
  updateBudgets(budgets: RateBudgets): void {
    this.budgets = budgets;
  }

  async admit({ document, operation, context }: AdmissionRequest): Promise<void> {
    const rootType = operation.operation === 'query' ? 'Query' : operation.operation === 'mutation' ? 'Mutation' : 'Subscription';
    const counts = rootFieldCounts(document, operation.selectionSet);
    let fields = 0;
    const buckets = new Map<string, NamedCharge>();
    for (const [name, n] of counts) {
      fields += n;
      const budget = this.budgets.get(`${rootType}.${name}`);
      if (!budget) continue;
      const subject = budget.per === 'user' && context.viewer ? `user:${context.viewer.userId}` : `ip:${context.clientIp}`;
      const key = `${budget.bucket}:${subject}`;
      const charge = buckets.get(key);
      if (charge) charge.points += n;
      else {
        const limit = this.limits.buckets[budget.bucket] ?? this.limits.buckets['*'] ?? budget.limit;
        buckets.set(key, { key: `${this.prefix}rl:bucket:${key}`, points: n, limit, name: budget.bucket });
      }
    }
    await this.charge([...this.general(context, Math.max(1, fields)), ...buckets.values()], context.requestId, context.viewer);
  }

  /** A document that did not parse or validate still costs its caller a point. */
  unresolved(context: GatewayContext): Promise<void> {
    return this.charge(this.general(context, 1), context.requestId);
  }

  private general({ clientIp, viewer }: GatewayContext, points: number): NamedCharge[] {
    const charges: NamedCharge[] = [{ key: `${this.prefix}rl:ip:${clientIp}`, points, limit: this.limits.perIp, name: 'ip' }];
    if (viewer) charges.push({ key: `${this.prefix}rl:user:${viewer.userId}`, points, limit: this.limits.perUser, name: 'user' });
    return charges;
  }

  /** Charges every counter of request `requestId`; with `viewer`, only while the viewer's session lives. */
  private async charge(charges: NamedCharge[], requestId: string, viewer?: Viewer): Promise<void> {
    const windowMs = this.limits.windowSeconds * 1000;
    let unchecked = viewer;
    let outcome: ChargeOutcome | undefined;
    if (this.redis?.ready) {
      const revocationKey = viewer && this.session.revocationKey(viewer);
      // A session whose end is not marked in Redis is asked about on its own (auth over gRPC).
      if (viewer && revocationKey === undefined) await this.session.ensureLive(viewer, requestId);
      unchecked = undefined;
      try {
        const guarded = await this.redis.chargeUnless(revocationKey, charges, windowMs);
        if (guarded.refused) throw this.session.sessionEnded();
        outcome = guarded;
      } catch (error) {
        if (error instanceof GraphQLError) throw error;
        this.logger.warn('rate limits counted in memory: redis did not answer', { requestId, reason: (error as Error).message });
        // The session was not checked either: on its own now (it fails closed while Redis is away).
        unchecked = revocationKey === undefined ? undefined : viewer;
      }
    }
    if (unchecked) await this.session.ensureLive(unchecked, requestId);
    outcome ??= await this.memory.charge(charges, windowMs);
    if (!outcome.over.length) return;
    for (const i of outcome.over) this.metrics?.rateLimited.inc({ limit: charges[i].name });
    const error = new RateLimitedError(outcome.retryAfterMs / 1000);
    Object.assign(error.extensions, { http: { status: 429, headers: new HeaderMap([['retry-after', String(error.extensions.retryAfter)]]) } });
    throw error;
  }
}
