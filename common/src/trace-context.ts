import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanStatusCode,
  trace,
  type Link,
  type Span,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';

export { SpanKind } from '@opentelemetry/api';

/**
 * The W3C trace context of one operation as plain data (`traceparent`, `tracestate`), for
 * places headers do not reach: a published room event carries the context of the send that
 * stored it, through Redis and the subgraph's socket, to every gateway that delivers it.
 */
export type TraceCarrier = Record<string, string>;

/** Our own spans (live delivery); everything else comes from the instrumentations. */
export const tracer: Tracer = trace.getTracer('aetherconnect');

/** The ids of the active span, for log lines; undefined outside a span or when tracing is off. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return isSpanContextValid(span.spanContext()) ? { traceId, spanId } : undefined;
}

/** The active trace context as a carrier, or undefined when there is none to carry. */
export function traceCarrier(): TraceCarrier | undefined {
  if (!activeTraceIds()) return undefined;
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? carrier : undefined;
}

/** A link to the span a carrier describes: what a delivery span points at (never a parent: deliveries outlive the send). */
export function linkFrom(carrier: unknown): Link | undefined {
  if (!carrier || typeof carrier !== 'object') return undefined;
  const entries = Object.entries(carrier as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
  const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, Object.fromEntries(entries)));
  return spanContext && isSpanContextValid(spanContext) ? { context: spanContext } : undefined;
}

/** Runs `work` in a new active span, ending it (with the error recorded) when `work` settles. */
export async function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

const FLUSH = Symbol.for('aetherconnect.trace-flush');
type FlushHolder = { [FLUSH]?: () => Promise<void> };

/** Called by `startTracing` with what sends the buffered spans. */
export function registerTraceFlush(flush: () => Promise<void>): void {
  (globalThis as FlushHolder)[FLUSH] = flush;
}

/** Sends spans still buffered (before a process exits); nothing when tracing is off. */
export async function flushTraces(): Promise<void> {
  await (globalThis as FlushHolder)[FLUSH]?.().catch(() => undefined);
}
