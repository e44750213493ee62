import { ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { tracing } from '@opentelemetry/sdk-node';
import { tracingConfigured } from '../src/tracing';
import { EdgeSampler } from '../src/tracing-sdk';

const { SamplingDecision } = tracing;

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const parent = (isRemote: boolean, sampled: boolean) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: 'b7ad6b7169203331', isRemote, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE });
const decide = (sampler: EdgeSampler, context = ROOT_CONTEXT) => sampler.shouldSample(context, TRACE_ID, 'POST /graphql', SpanKind.SERVER, {}, []).decision;

describe('the gateway sampler', () => {
  it("ignores a client's sampled flag in both directions", () => {
    expect(decide(new EdgeSampler(0), parent(true, true))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(new EdgeSampler(1), parent(true, false))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('samples requests with a client parent at its own ratio, whatever trace id the client chose', () => {
    const sampler = new EdgeSampler(0.5);
    const sampled = Array.from({ length: 2000 }, () => decide(sampler, parent(true, true))).filter((d) => d === SamplingDecision.RECORD_AND_SAMPLED);
    expect(sampled.length).toBeGreaterThan(800);
    expect(sampled.length).toBeLessThan(1200);
  });

  it('follows its own in-process parents and samples new traces at the ratio', () => {
    expect(decide(new EdgeSampler(0), parent(false, true))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new EdgeSampler(1), parent(false, false))).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(new EdgeSampler(1))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new EdgeSampler(0))).toBe(SamplingDecision.NOT_RECORD);
  });
});

describe('tracing configuration', () => {
  it('is on only with an endpoint (or the console exporter), and off when disabled', () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
  });
});
