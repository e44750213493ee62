import { ErrorCode, inSpan, linkFrom, maskError, requestContext, signIdentity, SpanKind, tracer, type Logger } from '@aether/common';
import { executeQueryPlan, type GraphQLDataSource, type ServiceMap } from '@apollo/gateway';
import type { QueryPlan } from '@apollo/query-planner';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import type { GatewayContext } from '../context';
import { resumeVariables, type PlannedSubscription } from './planner';
import type { UpstreamConnections } from './upstream';
import { SlowConsumerError, UpstreamFeed } from './upstream-feed';

/** Upstream errors that a resubscription may cure (a store hiccup); any other error list is final. */
const TRANSIENT_CODES = new Set<string>([ErrorCode.INTERNAL_SERVER_ERROR, 'SERVICE_UNAVAILABLE']);

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
}

function isGraphQLErrorList(value: unknown): value is GraphQLFormattedError[] {
  return Array.isArray(value) && value.every((e) => e && typeof e.message === 'string');
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (isGraphQLErrorList(error)) return error.map((e) => e.message).join('; ');
  const close = error as { code?: number; reason?: string } | null;
  return close?.code !== undefined ? `socket closed (${close.code}${close.reason ? `: ${close.reason}` : ''})` : String(error);
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
  const baseVariables: Record<string, unknown> = {};
  for (const name of planned.primary.variableUsages ?? []) {
    if (options.variables[name] !== undefined) baseVariables[name] = options.variables[name];
  }
  let lastSeq = planned.resumable?.initialAfterSeq(options.variables) ?? null;
  const backoff = options.backoff ?? { initialMs: 100, maxMs: 5000 };
  let attempt = 0;
  const window = Math.max(1, Math.min(options.maxBuffered, UPSTREAM_WINDOW));

  const queryPlan: QueryPlan = {
    kind: 'QueryPlan',
    node: planned.rest ? { kind: 'Sequence', nodes: [planned.primary, planned.rest] } : planned.primary,
  };
  const sharingKey = planned.shared?.key(options.variables);

  const spanAttributes = { 'graphql.operation.name': options.operationName ?? '', 'aether.subgraph': serviceName };
  const executeEvent = (event: FormattedExecutionResult): Promise<FormattedExecutionResult> => {
    const link = linkFrom(event.extensions?.traceContext);
    // Its own trace, linked to the send that published the event: one send fans out to many deliveries.
    return inSpan('subscription event execute', { root: true, kind: SpanKind.CONSUMER, links: link ? [link] : [], attributes: spanAttributes }, () =>
      requestContext.run({ requestId: context.requestId, userId: context.viewer?.userId }, () => runPlan(event)),
    );
  };
  const runPlan = async (event: FormattedExecutionResult): Promise<FormattedExecutionResult> => {
    // The primary fetch is answered by the event itself; every other fetch goes to its subgraph.
    const serviceMap: ServiceMap = {
      ...options.dataSources(),
      [serviceName]: { process: async () => ({ data: event.data as Record<string, unknown>, errors: event.errors as never }) },
    };
    const result = await executeQueryPlan(
      queryPlan,
      serviceMap,
      {
        request: { query: options.query, variables: options.variables, operationName: options.operationName },
        context,
        logger,
        metrics: {},
        cache: undefined,
        operationName: options.operationName ?? null,
      } as never,
      planned.operationContext,
      planned.supergraphSchema,
      planned.apiSchema,
    );
    return {
      data: result.data as Record<string, unknown> | null | undefined,
      ...(result.errors?.length ? { errors: result.errors.map((e) => maskError('toJSON' in e ? e.toJSON() : e)) } : {}),
    };
  };

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
            extensions: {
              identity: signIdentity(options.secret, {
                userId: context.viewer?.userId,
                roles: context.viewer?.roles ?? [],
                sessionId: context.viewer?.sessionId,
                clientIp: context.clientIp,
              }),
            },
          },
          sink,
        ),
    });
    let retry = false;
    try {
      while (!retry) {
        const item = await feed.next();
        if ('complete' in item) return;
        if ('error' in item) {
          if (item.error instanceof SlowConsumerError) throw item.error;
          if (isGraphQLErrorList(item.error) && !item.error.some((e) => TRANSIENT_CODES.has(String(e.extensions?.code)))) {
            // Refused for good (not a member, bad arguments): tell the client and end.
            yield { errors: item.error.map(maskError) };
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
          yield { errors: (item.event.errors ?? []).map(maskError) };
          continue;
        }
        attempt = 0;
        const seq = planned.resumable?.seqOf(item.event.data);
        if (seq !== undefined && lastSeq !== null && seq <= lastSeq) continue;
        const event = item.event;
        // Subscribers with the same operation and variables receive the same upstream event:
        // with a viewer-independent selection, the first to get it computes the result for all.
        // Keyed by what the result depends on: a live copy's extensions (trace context, publish
        // time) are not, and a replayed copy of the same event has none.
        const result = await (planned.shared
          ? planned.shared.results.get(`${sharingKey}\u0000${JSON.stringify([event.data, event.errors])}`, () => executeEvent(event))
          : executeEvent(event));
        if (seq !== undefined) lastSeq = seq;
        // Ends when the client's socket has been handed the result (graphql-ws pulls the next event after sending).
        const link = linkFrom(event.extensions?.traceContext);
        const delivery = tracer.startSpan('subscription event deliver', {
          root: true,
          kind: SpanKind.CONSUMER,
          links: link ? [link] : [],
          attributes: { ...spanAttributes, ...(seq !== undefined ? { 'aether.room.seq': seq } : {}) },
        });
        try {
          yield result;
          const publishedAt = event.extensions?.publishedAt;
          if (typeof publishedAt === 'number') options.onDelivered?.(Math.max(0, Date.now() - publishedAt) / 1000);
        } finally {
          delivery.end();
        }
      }
    } finally {
      feed.close();
    }
    const delay = Math.min(backoff.maxMs, backoff.initialMs * 2 ** attempt++) * (0.5 + Math.random() / 2);
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
