import { ErrorCode, inSpan, linkFrom, maskErrorFor, signIdentity, SpanKind, tracer, type Logger } from '@aether/common';
import { tracingStarted } from '@aether/common/tracing';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { FetchNode, PlanNode, QueryPlan } from '@apollo/query-planner';
import type { FormattedExecutionResult, GraphQLError, GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context';
import { viewerExecutions } from './execution-slots';
import { markShared } from './frames';
import { resumeVariables, type PlannedSubscription } from './planner';
import type { UpstreamConnections } from './upstream';
import { SlowConsumerError, UpstreamFeed } from './upstream-feed';

/** Upstream errors that a resubscription may cure (a store hiccup); any other error list is final. */
const TRANSIENT_CODES = new Set<string>([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE]);

/**
 * Events of one resumable subscription held between its subgraph and its client. A replay of a
 * long history arrives in windows of this size instead of all at once at database speed.
 */
const UPSTREAM_WINDOW = 50;

export { SlowConsumerError };

export interface FederatedSubscriptionOptions {
  planned: PlannedSubscription;
  variables: Record<string, unknown>;
  operationName?: string;
  query: string;
  context: GatewayContext;
  upstream: UpstreamConnections;
  /** The gateway's data sources by subgraph name, for the entity fetches of each event. */
  dataSources: () => Record<string, GraphQLDataSource>;
  secret: string;
  logger: Logger;
  /** Events buffered for a client that is not reading; past it the client is a slow consumer. */
  maxBuffered: number;
  /** Called with the seconds since a live event was published, once its result is handed to the client's socket. */
  onDelivered?: (lagSeconds: number) => void;
  /** Reconnect backoff bounds in milliseconds. */
  backoff?: { initialMs: number; maxMs: number };
  /** Aborted when the client ends the subscription (or its socket closes): the stream ends at once. */
  signal?: AbortSignal;
  /**
   * Writes a result shared by every subscriber of its event straight to this subscriber's socket,
   * in its own frame around bytes serialized once; false once the client takes no more (socket
   * closed, operation completed). With it, a live subscriber of a shared stream whose result is
   * the same for all is served by the stream's fan-out (joined.ts).
   */
  writeShared?: (result: FormattedExecutionResult) => boolean;
}

/** A copy of a JSON value (an event's data), made faster than structuredClone for small trees. */
export function copyOf<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(copyOf) as T;
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = copyOf((value as Record<string, unknown>)[key]);
  return copy as T;
}

export function isGraphQLErrorList(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.every((e) => e && typeof e.message === 'string');
}

export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isGraphQLErrorList(error)) return error.map((e) => e.message).join('; ');
  const close = error as { code?: number; reason?: string } | null;
  return close?.code !== undefined ? `socket closed (${close.code}${close.reason ? `: ${close.reason}` : ''})` : String(error);
}

/** A plan that starts with the event as the primary fetch's answer, then runs `rest`. */
function planOf(primary: FetchNode, rest: PlanNode | undefined): QueryPlan {
  return { kind: 'QueryPlan', node: rest ? { kind: 'Sequence', nodes: [primary, rest] } : primary };
}

const formatted = (errors: readonly GraphQLError[] | undefined, requestId: string): GraphQLFormattedError[] =>
  (errors ?? []).map((e) => maskErrorFor('toJSON' in e ? e.toJSON() : e, requestId));

/**
 * Errors as subscriber `context` receives them: masked, and those worth quoting with its
 * request id, as over HTTP (every error a subscription sends goes through here or `formatted`).
 */
export const maskedFor = (context: GatewayContext, errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] =>
  errors.map((e) => maskErrorFor(e, context.requestId));

/**
 * Runs the rest of the query plan for one upstream event in the subscriber's context (entity
 * fetches to other subgraphs), so the result is exactly what a query with the same selection
 * would return; its own trace, linked to the send that published the event. A split selection
 * with a viewer-independent rest (`planned.viewerStage`) runs that rest once per event for all
 * subscribers, and only the viewer's own fetches here.
 */
export function eventExecutor(options: FederatedSubscriptionOptions): (event: FormattedExecutionResult) => Promise<FormattedExecutionResult> {
  const { planned, context } = options;
  const stage = planned.viewerStage;
  const attributes = spanAttributesOf(options);
  /**
   * Executes `plan` with `data` as the primary fetch's answer; returns the result shaped as the
   * client asked and `merged`, the answer with every fetch's data merged in (the executor merges
   * into the objects it is given).
   */
  const runPlan = async (plan: QueryPlan, data: unknown, errors: unknown) => {
    // The primary fetch is answered by a copy of the event (every viewer must see only their own
    // merged in); every other fetch goes to its subgraph (the owning subgraph's too: viewer-specific
    // fields are fetched from it per viewer).
    const merged = copyOf(data) as Record<string, unknown> | null;
    const dataSources = options.dataSources();
    const owner = dataSources[planned.primary.serviceName];
    const serviceMap: ServiceMap = {
      ...dataSources,
      [planned.primary.serviceName]: {
        process: async (request) =>
          request.request.query === planned.primary.operation || !owner ? { data: merged, errors: errors as never } : owner.process(request),
      },
    };
    const request = { query: options.query, variables: options.variables, operationName: options.operationName };
    const requestContextValue = { request, context, logger: options.logger, metrics: {}, cache: undefined, operationName: options.operationName ?? null };
    const result = await executeQueryPlan(plan, serviceMap, requestContextValue as never, planned.operationContext, planned.supergraphSchema, planned.apiSchema);
    return { result, merged };
  };
  const full = planOf(planned.primary, planned.rest);
  const once = stage && planOf(planned.primary, stage.sharedRest);
  const mine = stage && planOf(planned.primary, stage.perViewer);
  const keyOf = eventKeys(options);
  const shape = (data: unknown, errors: GraphQLFormattedError[]): FormattedExecutionResult => ({
    data: data as Record<string, unknown> | null | undefined,
    ...(errors.length ? { errors } : {}),
  });
  const execute = async (event: FormattedExecutionResult): Promise<FormattedExecutionResult> => {
    if (!stage) {
      const { result } = await runPlan(full, event.data, event.errors);
      return shape(result.data, formatted(result.errors, context.requestId));
    }
    // The viewer-independent stage, once per event for every subscriber (whoever runs it first).
    const base = await stage.results.get(keyOf(event), async () => {
      const { result, merged } = await runPlan(once!, event.data, event.errors);
      return { data: merged, errors: formatted(result.errors, context.requestId) };
    });
    const { result } = await runPlan(mine!, base.data, undefined);
    return shape(result.data, [...(base.errors ?? []), ...formatted(result.errors, context.requestId)]);
  };
  return (event) => {
    const link = linkFrom(event.extensions?.traceContext);
    // One send fans out to many deliveries.
    return inSpan('subscription event execute', { root: true, kind: SpanKind.CONSUMER, links: link ? [link] : [], attributes }, () => execute(event));
  };
}

/** Each event's data and errors as JSON, made once per event object: a shared stream hands one object to every subscriber (never changed: executions merge into copies). */
const eventTexts = new WeakMap<FormattedExecutionResult, string>();

/**
 * What an event's result depends on, but for the viewer: the subscription's variables (less
 * `afterSeq`, serialized once per subscriber) and the event's data and errors.
 */
function eventKeys(options: FederatedSubscriptionOptions): (event: FormattedExecutionResult) => string {
  const sharing = options.planned.shared ?? options.planned.perViewer;
  const variables = sharing?.key(options.variables) ?? JSON.stringify(options.variables);
  return (event) => {
    let text = eventTexts.get(event);
    if (text === undefined) eventTexts.set(event, (text = JSON.stringify([event.data, event.errors])));
    return `${variables}\u0000${text}`;
  };
}

/**
 * Subscribers with the same operation and variables receive the same upstream event on their
 * own upstream subscriptions: with a viewer-independent selection, the first to get it computes
 * the result for all; with a viewer-specific one, for all subscribers who are the same viewer. Keyed by what the result depends on: a live copy's extensions (trace
 * context, publish time) are not, and a replayed copy of the same event has none.
 */
export function cachedExecutor(options: FederatedSubscriptionOptions): (event: FormattedExecutionResult) => Promise<FormattedExecutionResult> {
  const execute = eventExecutor(options);
  // Viewer-specific results are shared only by subscribers who are the same viewer.
  const viewer = options.context.viewer?.userId;
  const shared = options.planned.shared ?? (viewer ? options.planned.perViewer : undefined);
  if (!shared) return execute;
  const sharingKey = options.planned.shared ? '' : viewer;
  // One result object for all who share it: its bytes are serialized once too (frames.ts).
  const keyOf = eventKeys(options);
  return (event) => shared.results.get(`${sharingKey}\u0000${keyOf(event)}`, () => execute(event).then(markShared));
}

/**
 * `cachedExecutor` for a subscriber that takes its events one at a time (a replay, its own
 * upstream): a viewer-specific execution holds one of the gateway's slots while it runs (a
 * result shared by every viewer is computed once per event and needs none). Live shared-stream
 * events take their slots a group at a time instead (joined.ts).
 */
export function boundedExecutor(options: FederatedSubscriptionOptions): (event: FormattedExecutionResult) => Promise<FormattedExecutionResult> {
  const cached = cachedExecutor(options);
  return options.planned.shared ? cached : (event) => viewerExecutions.run(() => cached(event));
}

export function spanAttributesOf(options: FederatedSubscriptionOptions): Record<string, string> {
  return { 'graphql.operation.name': options.operationName ?? '', 'aether.subgraph': options.planned.primary.serviceName };
}

/**
 * The span of one delivery, when this process records spans: its own trace, linked to the send
 * that published the event. With tracing off nothing is built (it runs once per subscriber and event).
 */
export function deliverySpan(options: FederatedSubscriptionOptions, event: FormattedExecutionResult, seq: number | undefined): ReturnType<typeof tracer.startSpan> | undefined {
  if (!tracingStarted()) return undefined;
  const link = linkFrom(event.extensions?.traceContext);
  return tracer.startSpan('subscription event deliver', {
    root: true,
    kind: SpanKind.CONSUMER,
    links: link ? [link] : [],
    attributes: { ...spanAttributesOf(options), ...(seq !== undefined ? { 'aether.room.seq': seq } : {}) },
  });
}

/** The seconds from a live event's publish until now, or undefined for a replayed event (it carries no publish time). */
export function lagOf(event: FormattedExecutionResult): number | undefined {
  const publishedAt = event.extensions?.publishedAt;
  return typeof publishedAt === 'number' ? Math.max(0, Date.now() - publishedAt) / 1000 : undefined;
}

/**
 * Hands one result to the client (graphql-ws pulls the next event once it has sent this one),
 * inside a delivery span linked to the send that published the event.
 */
export async function* deliver(
  options: FederatedSubscriptionOptions,
  event: FormattedExecutionResult,
  seq: number | undefined,
  result: FormattedExecutionResult,
): AsyncGenerator<FormattedExecutionResult> {
  const delivery = deliverySpan(options, event, seq);
  try {
    yield result;
    const lag = lagOf(event);
    if (lag !== undefined) options.onDelivered?.(lag);
  } finally {
    delivery?.end();
  }
}

/** The signed identity an upstream subscription of this subscriber carries. */
export function subscriberIdentity(options: FederatedSubscriptionOptions): string {
  const { context } = options;
  return signIdentity(options.secret, {
    userId: context.viewer?.userId,
    roles: context.viewer?.roles ?? [],
    sessionId: context.viewer?.sessionId,
    clientIp: context.clientIp,
  });
}

/** The variables of the primary fetch (those it uses), taken from the client's. */
export function primaryVariables(options: FederatedSubscriptionOptions): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const name of options.planned.primary.variableUsages ?? []) {
    if (options.variables[name] !== undefined) base[name] = options.variables[name];
  }
  return base;
}

/** Whether resubscribing may cure an upstream failure (anything but a refusal). */
export function isTransient(error: unknown): boolean {
  return !isGraphQLErrorList(error) || error.some((e) => TRANSIENT_CODES.has(String(e.extensions?.code)));
}

export function backoffDelay(backoff: { initialMs: number; maxMs: number }, attempt: number): number {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt) * (0.5 + Math.random() / 2);
}

export function windowOf(maxBuffered: number): number {
  return Math.max(1, Math.min(maxBuffered, UPSTREAM_WINDOW));
}

/**
 * One client subscription through the gateway: subscribe to the owning subgraph over the
 * shared upstream socket, and for each event run the rest of the query plan (entity fetches
 * to other subgraphs) so the client receives exactly what a query with the same selection
 * would return. When the upstream socket drops (subgraph restart, network), resubscribe with
 * backoff from the last seq delivered; events at or below it are never sent twice.
 */
export async function* federatedSubscription(options: FederatedSubscriptionOptions): AsyncGenerator<FormattedExecutionResult> {
  const { planned, context, logger } = options;
  const serviceName = planned.primary.serviceName;
  const baseVariables = primaryVariables(options);
  let lastSeq = planned.resumable?.initialAfterSeq(options.variables) ?? null;
  const backoff = options.backoff ?? { initialMs: 100, maxMs: 5000 };
  let attempt = 0;
  const window = windowOf(options.maxBuffered);

  const executeEvent = boundedExecutor(options);

  while (true) {
    const feed = new UpstreamFeed({
      afterSeq: lastSeq,
      seqOf: planned.resumable?.seqOf,
      window,
      maxBuffered: options.maxBuffered,
      open: (afterSeq, sink) =>
        options.upstream.client(serviceName).subscribe(
          {
            query: planned.resumable ? planned.resumable.operation : planned.primary.operation,
            variables: planned.resumable ? { ...baseVariables, ...resumeVariables(afterSeq) } : baseVariables,
            extensions: { identity: subscriberIdentity(options) },
          },
          sink,
        ),
    });
    let retry = false;
    const stop = () => feed.close();
    options.signal?.addEventListener('abort', stop);
    try {
      while (!retry) {
        if (options.signal?.aborted) return;
        const item = await feed.next();
        if ('complete' in item) return;
        if ('error' in item) {
          if (item.error instanceof SlowConsumerError) throw item.error;
          if (isGraphQLErrorList(item.error) && !item.error.some((e) => TRANSIENT_CODES.has(String(e.extensions?.code)))) {
            // Refused for good (not a member, bad arguments): tell the client and end.
            yield { errors: maskedFor(options.context, item.error) };
            return;
          }
          logger.warn('upstream subscription interrupted, resubscribing', {
            subgraph: serviceName,
            afterSeq: lastSeq,
            reason: describe(item.error),
          });
          retry = true;
          break;
        }
        if (item.event.data == null) {
          // A subscription the subgraph refused at subscribe time: its errors, then `complete`.
          yield { errors: maskedFor(options.context, item.event.errors ?? []) };
          continue;
        }
        attempt = 0;
        const seq = planned.resumable?.seqOf(item.event.data);
        if (seq !== undefined && lastSeq !== null && seq <= lastSeq) continue;
        const event = item.event;
        const result = await executeEvent(event);
        if (seq !== undefined) lastSeq = seq;
        yield* deliver(options, event, seq, result);
      }
    } finally {
      options.signal?.removeEventListener('abort', stop);
      feed.close();
    }
    if (options.signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(backoff, attempt++)));
  }
}
