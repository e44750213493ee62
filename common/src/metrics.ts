import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ErrorCode } from './errors';

/** One dependency whose health `/ready` and the `aether_dependency_up` gauge report. */
export interface HealthProbe {
  name: string;
  check: () => Promise<unknown>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Operation names come from clients, so as label values they are capped: past `max` distinct
 * names every new one is counted as `other`, and a scrape never grows without bound.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(private readonly max = 200) {}

  of(value: string | null | undefined, fallback: string): string {
    if (!value) return fallback;
    const label = value.slice(0, 64);
    if (this.seen.has(label)) return label;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(label);
    return label;
  }
}

/**
 * A service's Prometheus metrics, in a registry of its own (tests run several services in one
 * process; the global registry would clash), served at `GET /metrics` by `createServiceApp`.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly operations: Counter<'operation_name' | 'operation_type' | 'outcome'>;
  readonly operationDuration: Histogram<'operation_name' | 'operation_type' | 'outcome'>;
  readonly operationErrors: Counter<'code'>;
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'outcome'>;
  readonly subgraphFetchRetries: Counter<'subgraph'>;
  readonly websockets: Gauge;
  readonly subscriptions: Gauge;
  readonly eventsDelivered: Counter;
  readonly slowConsumerCloses: Counter;
  readonly deliveryLag: Histogram;
  readonly loginAttempts: Counter<'outcome'>;
  readonly rateLimited: Counter<'limit'>;
  readonly operationsRefused: Counter<'limit'>;
  readonly operationNames = new BoundedLabel();
  private readonly probes: HealthProbe[] = [];

  constructor(readonly service: string) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    // Node's own metrics under their standard names (process_*, nodejs_*), for stock dashboards.
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'aether_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.operations = new Counter({
      name: 'aether_graphql_operations_total',
      help: 'GraphQL operations answered, by operation name, type and outcome (ok, partial, error, refused)',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      registers,
    });
    this.operationDuration = new Histogram({
      name: 'aether_graphql_operation_duration_seconds',
      help: 'Time from receiving a GraphQL operation to answering it',
      labelNames: ['operation_name', 'operation_type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.operationErrors = new Counter({
      name: 'aether_graphql_errors_total',
      help: 'Errors in GraphQL responses, by extensions.code',
      labelNames: ['code'],
      registers,
    });
    this.subgraphFetchDuration = new Histogram({
      name: 'aether_subgraph_fetch_duration_seconds',
      help: 'Gateway fetches to one subgraph, retries included, by outcome (ok, error)',
      labelNames: ['subgraph', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.subgraphFetchRetries = new Counter({
      name: 'aether_subgraph_fetch_retries_total',
      help: 'Idempotent subgraph fetches retried after a transient failure',
      labelNames: ['subgraph'],
      registers,
    });
    this.websockets = new Gauge({ name: 'aether_websockets_open', help: 'Open graphql-ws sockets', registers });
    this.subscriptions = new Gauge({ name: 'aether_subscriptions_active', help: 'Running subscriptions', registers });
    this.eventsDelivered = new Counter({
      name: 'aether_subscription_events_delivered_total',
      help: 'Subscription events sent to clients',
      registers,
    });
    this.deliveryLag = new Histogram({
      name: 'aether_subscription_delivery_lag_seconds',
      help: 'From a live event being published (after its write committed) to its result being handed to a subscriber socket',
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.slowConsumerCloses = new Counter({
      name: 'aether_websocket_slow_consumer_closes_total',
      help: 'graphql-ws clients closed with 1008 because they did not read their events fast enough',
      registers,
    });
    this.loginAttempts = new Counter({
      name: 'aether_login_attempts_total',
      help: 'login mutations answered by auth, by outcome (ok, failed: wrong credentials, throttled, invalid)',
      labelNames: ['outcome'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'aether_rate_limited_total',
      help: 'Operations refused with RATE_LIMITED, by the limit that refused them',
      labelNames: ['limit'],
      registers,
    });
    this.operationsRefused = new Counter({
      name: 'aether_operations_refused_total',
      help: 'Operations refused by an operation limit before planning (depth, aliases, cost, ...)',
      labelNames: ['limit'],
      registers,
    });
    const probes = this.probes;
    new Gauge({
      name: 'aether_dependency_up',
      help: 'Whether a dependency (database, Redis, subgraph) answered its health check at scrape time',
      labelNames: ['dependency'],
      registers,
      async collect() {
        const results = await Promise.all(
          probes.map(async ({ name, check }) => {
            try {
              await withTimeout(check(), 1500);
              return [name, 1] as const;
            } catch {
              return [name, 0] as const;
            }
          }),
        );
        this.reset();
        for (const [name, up] of results) this.set({ dependency: name }, up);
      },
    });
  }

  /** Dependencies probed at every scrape (the same checks `/ready` runs). */
  watch(probes: HealthProbe[]): void {
    this.probes.push(...probes);
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** Rejects when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}

/**
 * Counts and times every GraphQL operation by name, type and outcome: `ok`, `partial` (data
 * and errors), `error` (errors, no data) or `refused` (never executed: unparsable, invalid,
 * over a limit, rate limited).
 */
export function operationMetricsPlugin(metrics: ServiceMetrics): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response, operation, operationName, document, request }) {
          const body = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          const errors = body.errors ?? [];
          const outcome = !executed ? 'refused' : errors.length === 0 ? 'ok' : body.data ? 'partial' : 'error';
          // Operations refused in validation have a document but no resolved operation yet.
          const op = operation ?? (document ? getOperationAST(document, request.operationName) : null);
          const labels = {
            operation_name: metrics.operationNames.of(operationName ?? op?.name?.value, op ? '(anonymous)' : '(none)'),
            operation_type: op?.operation ?? '(none)',
            outcome,
          };
          metrics.operations.inc(labels);
          metrics.operationDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
          for (const error of errors) metrics.operationErrors.inc({ code: String(error.extensions?.code ?? ErrorCode.INTERNAL_SERVER_ERROR) });
        },
      };
    },
  };
}
