/**
 * The OpenTelemetry SDK and its instrumentations, loaded by `startTracing` (tracing.ts) only when
 * traces go somewhere: loading them takes about 2 s of a service's start on a busy machine.
 */
import { isSpanContextValid, trace, TraceFlags, type Attributes, type Context, type Link, type SpanKind } from '@opentelemetry/api';
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { GraphQLInstrumentation } from '@opentelemetry/instrumentation-graphql';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { core, NodeSDK, tracing } from '@opentelemetry/sdk-node';
import { registerTraceFlush } from './trace-context';
import type { TracingOptions } from './tracing';

const { AlwaysOffSampler, AlwaysOnSampler, SamplingDecision, TraceIdRatioBasedSampler } = tracing;
type Sampler = tracing.Sampler;
type SamplingResult = tracing.SamplingResult;

// Probes and scrapes arrive every few seconds from every replica: as traces they would bury the requests.
const UNTRACED_PATHS = new Set(['/health', '/ready', '/metrics', '/.well-known/jwks.json']);

/** The ratio `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG` ask for (1 when unset, as in the SDK). */
function configuredRatio(env: NodeJS.ProcessEnv): number {
  const sampler = env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on';
  if (sampler.endsWith('always_off')) return 0;
  if (!sampler.endsWith('traceidratio')) return 1;
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG ?? 1);
  return Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1;
}

/**
 * The gateway's sampler. A parent from inside this process is followed; a new trace is sampled
 * at the configured ratio; a parent a client sent (remote) stays the parent, so the client can
 * find its trace, but whether it is recorded is drawn afresh at the configured ratio, never
 * taken from the client's sampled flag nor from the trace id, which the client chose too.
 * Subgraphs keep the SDK's ParentBased sampler: their remote parent is this gateway.
 */
export class EdgeSampler implements Sampler {
  private readonly root: Sampler;

  constructor(private readonly ratio: number) {
    this.root = ratio >= 1 ? new AlwaysOnSampler() : ratio <= 0 ? new AlwaysOffSampler() : new TraceIdRatioBasedSampler(ratio);
  }

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (!parent || !isSpanContextValid(parent)) return this.root.shouldSample(context, traceId, name, kind, attributes, links);
    if (!parent.isRemote) {
      return { decision: parent.traceFlags & TraceFlags.SAMPLED ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
    }
    return { decision: Math.random() < this.ratio ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD };
  }

  toString(): string {
    return `EdgeSampler{ratio=${this.ratio}}`;
  }
}

/** Starts the SDK with our instrumentations and sampler. */
export function startSdk(options: TracingOptions, env: NodeJS.ProcessEnv): NodeSDK {
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME ? undefined : options.serviceName,
    // At the edge, trace context only: a client's `baggage` header never reaches internal services.
    ...(options.edge ? { sampler: new EdgeSampler(configuredRatio(env)), textMapPropagator: new core.W3CTraceContextPropagator() } : {}),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? '').split('?')[0]),
        requireParentforOutgoingSpans: true,
      }),
      // The gateway's subgraph fetches use the global fetch (undici), not `http`.
      new UndiciInstrumentation({ requireParentforSpans: true }),
      new ExpressInstrumentation(),
      // Parse, validate and execute; a span per resolver would cost more than the resolvers.
      new GraphQLInstrumentation({ ignoreResolveSpans: true, mergeItems: true }),
      // Pool health probes run at every scrape: only queries inside a request are traced.
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
      new GrpcInstrumentation(),
    ],
  });
  sdk.start();
  // runService flushes through this hook on shutdown without loading the SDK itself.
  registerTraceFlush(() => sdk.shutdown());
  return sdk;
}
