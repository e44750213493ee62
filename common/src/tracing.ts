/**
 * OpenTelemetry tracing for one service, configured only by the standard `OTEL_*` variables.
 * This module must be the first thing a service's entry point imports: instrumentations patch
 * `http`, `express`, `graphql`, `pg`, `ioredis` and `@grpc/grpc-js` as they are first required,
 * so anything loaded before `startTracing` runs would go untraced. It imports nothing of ours
 * and none of the instrumented libraries for that reason, and loads the SDK (tracing-sdk.ts) only
 * when traces go somewhere.
 */
import type { NodeSDK } from '@opentelemetry/sdk-node';

export interface TracingOptions {
  /** `service.name` when `OTEL_SERVICE_NAME` does not set one. */
  serviceName: string;
  /**
   * The service takes requests straight from clients (the gateway): a caller's `traceparent`
   * is kept as the parent, but its sampled flag decides nothing (see `EdgeSampler`).
   */
  edge?: boolean;
}

/** Whether the environment names somewhere to send traces; without one, tracing stays off entirely. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  if (env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_TRACES_EXPORTER === 'console');
}

let running: NodeSDK | undefined;

/**
 * Registers the OpenTelemetry SDK when an exporter endpoint is configured, and does nothing
 * otherwise: no instrumentation is installed, so an unconfigured service pays nothing per
 * request. Traces only; metrics stay on Prometheus' `/metrics` and logs on stdout (with trace ids).
 */
export function startTracing(options: TracingOptions, env: NodeJS.ProcessEnv = process.env): NodeSDK | undefined {
  if (running || !tracingConfigured(env)) return running;
  // Required here, not imported above: with tracing off the SDK is never loaded (a faster start).
  const { startSdk } = require('./tracing-sdk') as typeof import('./tracing-sdk');
  running = startSdk(options, env);
  return running;
}

/** Whether this process records spans (the SDK has started): hot paths skip building spans otherwise. */
export function tracingStarted(): boolean {
  return running !== undefined;
}
