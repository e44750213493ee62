import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getOperationAST } from 'graphql';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { ErrorCode } from './errors';

/** One dependency whose health `/ready` and the `aether_dependency_up` gauge report. */
export interface HealthProbe {
  name: string;
  check: () => Promise<unknown>;
}

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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
 * These are the ones every service has; a service registers its own in `registry` (the
 * gateway's subgraph, socket and limit metrics in `gateway/src/metrics.ts`, auth's logins in
 * `login-metrics.ts`).
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly operations: Counter<'operation_name' | 'operation_type' | 'outcome'>;
  readonly operationDuration: Histogram<'operation_name' | 'operation_type' | 'outcome'>;
  readonly operationErrors: Counter<'code'>;
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

  /** A counter of this service only, in its registry. */
  counter<L extends string = never>(config: { name: string; help: string; labelNames?: readonly L[] }): Counter<L> {
    return new Counter({ ...config, registers: [this.registry] });
  }

  /** A histogram of this service only, in its registry (latency buckets unless given). */
  histogram<L extends string = never>(config: { name: string; help: string; labelNames?: readonly L[]; buckets?: number[] }): Histogram<L> {
    return new Histogram({ buckets: LATENCY_BUCKETS, ...config, registers: [this.registry] });
  }

  /** A gauge of this service only, in its registry. */
  gauge<L extends string = never>(config: { name: string; help: string; labelNames?: readonly L[] }): Gauge<L> {
    return new Gauge({ ...config, registers: [this.registry] });
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
