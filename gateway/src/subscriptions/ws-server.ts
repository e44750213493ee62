import type { IncomingMessage, Server } from 'node:http';
import { ErrorCode, RateLimitedError, requestIdOf, REQUEST_ID_HEADER, ValidatedDocuments, type Logger } from '@aether/common';
import type { ApolloServer } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { GraphQLDataSource } from '@apollo/gateway';
import { GraphQLError, OperationTypeNode, getOperationAST, type DocumentNode, type FormattedExecutionResult, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { CloseCode, handleProtocols, makeServer, type Context, type ServerOptions } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { Authenticator, InvalidTokenError, type Viewer } from '../authn';
import type { GatewayContext } from '../context';
import { clientNameOf, type PersistedOperations } from '../persisted/resolve';
import { CloseCodes } from './close-codes';
import { SlowConsumerError, federatedSubscription } from './execute';
import { nextFrame, sharedPayload } from './frames';
import { joinedSubscription } from './joined';
import type { SubscriptionPlanner } from './planner';
import type { SessionWatch } from './session-watch';
import type { UpstreamConnections } from './upstream';

export interface SubscriptionLimits {
  /** Open connections one user may have at once. */
  connectionsPerUser: number;
  /** Operations one connection may have running at once. */
  subscriptionsPerConnection: number;
  /** How long a socket may stay open without `connection_init`. */
  connectionInitTimeoutMs: number;
  /** Largest accepted WebSocket frame, in bytes. */
  maxPayloadBytes: number;
  /** Bytes queued for a client that is not reading before it is closed as a slow consumer. */
  maxBufferedBytes: number;
  /** Events queued per subscription before its client is closed as a slow consumer. */
  maxBufferedEvents: number;
  /** How often an open connection re-checks that its session has not been ended. */
  sessionRecheckMs: number;
}

type Params = Record<string, unknown> | undefined;

interface Extra {
  socket: WebSocket;
  request: IncomingMessage;
  viewer?: Viewer;
  clientIp: string;
  timers: NodeJS.Timeout[];
  /** The socket has closed: a `connection_init` still being verified must not take a slot. */
  closed: boolean;
  /** Gives back what an accepted connection holds (its slot, its session watch). */
  release?: () => void;
  /** Sends a frame as graphql-ws does (with the slow-consumer cap): for frames written once for many sockets. */
  send?: (data: string) => void;
}

export interface SubscriptionServerOptions {
  httpServer: Server;
  apollo: ApolloServer<GatewayContext>;
  authenticator: Authenticator;
  planner: SubscriptionPlanner;
  upstream: UpstreamConnections;
  dataSources: () => Record<string, GraphQLDataSource>;
  secret: string;
  limits: SubscriptionLimits;
  logger: Logger;
  /** Called with +1/-1 as sockets open and close, and as subscriptions start and end (metrics). */
  onGauge?: (gauge: 'sockets' | 'subscriptions', delta: number) => void;
  onEventDelivered?: () => void;
  /** Called with the seconds from a live event's publish to its result reaching a subscriber's socket (metrics). */
  onDeliveryLag?: (seconds: number) => void;
  /** Called when a client is closed as a slow consumer (metrics). */
  onSlowConsumer?: () => void;
  /** The gateway's admission pipeline, applied exactly as on HTTP (see gateway/src/edge/admission.ts). */
  guard: OperationGuard;
  /** The client's address, as HTTP reads it (whose X-Forwarded-For is believed is the edge's business). */
  clientAddress: (request: IncomingMessage) => string;
  /** Ended sessions as auth announces them: their sockets close with 4403 at once. */
  sessionWatch?: SessionWatch;
  /** Operations sent by id, and the safelist: the same object HTTP uses. */
  persistedOperations: PersistedOperations;
}

/** What the edge checks on every operation a socket starts, before it is planned. */
export interface OperationGuard {
  parse(source: string): DocumentNode;
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[];
  /** Errors refuse the operation (session, rate limits, cost). */
  admit(op: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operation: OperationDefinitionNode;
    variables: Record<string, unknown>;
    context: GatewayContext;
  }): Promise<readonly GraphQLError[]>;
  /** An operation refused before it was resolved (it did not parse or validate): it still costs, and errors say it is over budget. */
  unresolved(context: GatewayContext): Promise<readonly GraphQLError[]>;
}

/** How long a slow consumer closed with 1008 may take to read up to the close frame before it is dropped. */
const SLOW_CONSUMER_GRACE_MS = 3000;

function close(socket: WebSocket, code: number, reason: string): void {
  if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, reason);
}

/** Connection admission: the access token in `connection_init`, per-user socket slots, and the token's expiry and revocation while the socket is open. */
function admitConnection(options: SubscriptionServerOptions, perUser: Map<string, number>): NonNullable<ServerOptions<Params, Extra>['onConnect']> {
  const { limits } = options;
  return async (ctx) => {
    const { socket } = ctx.extra;
    let token: string | null;
    try {
      token = Authenticator.bearer(ctx.connectionParams?.authorization);
    } catch {
      close(socket, CloseCodes.Forbidden, 'Malformed authorization');
      return false;
    }
    if (!token) {
      close(socket, CloseCodes.Unauthorized, 'Unauthorized: send { authorization: "Bearer <access token>" } in connection_init');
      return false;
    }
    let viewer: Viewer;
    try {
      viewer = await options.authenticator.verify(token);
    } catch (error) {
      const expired = error instanceof InvalidTokenError && error.reason === 'expired';
      close(socket, expired ? CloseCodes.Unauthorized : CloseCodes.Forbidden, (error as Error).message);
      return false;
    }
    // The client may have gone while its token was checked: onClose has run already, so nothing may be taken now.
    if (ctx.extra.closed) return false;
    const count = perUser.get(viewer.userId) ?? 0;
    if (count >= limits.connectionsPerUser) {
      close(socket, CloseCodes.TooManyConnections, 'Too many connections for this user');
      return false;
    }
    perUser.set(viewer.userId, count + 1);
    const unwatch = options.sessionWatch?.watch(viewer.sessionId, () => close(socket, CloseCodes.Forbidden, 'Session has ended'));
    ctx.extra.release = () => {
      unwatch?.();
      const left = (perUser.get(viewer.userId) ?? 1) - 1;
      if (left <= 0) perUser.delete(viewer.userId);
      else perUser.set(viewer.userId, left);
    };
    ctx.extra.viewer = viewer;
    // The socket lives no longer than its token: the client reconnects with a fresh one.
    const untilExpiry = Math.max(0, viewer.expiresAt - Date.now());
    ctx.extra.timers.push(setTimeout(() => close(socket, CloseCodes.Unauthorized, 'Access token expired'), untilExpiry));
    ctx.extra.timers.push(
      setInterval(() => {
        options.authenticator.verify(token!).catch((error) => {
          if (error instanceof InvalidTokenError && error.reason === 'unavailable') return;
          close(socket, CloseCodes.Forbidden, 'Session has ended');
        });
      }, limits.sessionRecheckMs),
    );
    return true;
  };
}

/** Operation admission, exactly as on HTTP: persisted operations, parse, validation, session, rate and cost limits. */
function admitOperation(options: SubscriptionServerOptions): NonNullable<ServerOptions<Params, Extra>['onSubscribe']> {
  const { limits } = options;
  const validated = new ValidatedDocuments();
  return async (ctx, id, payload) => {
    const schema = options.planner.apiSchema;
    if (!schema) return [new GraphQLError('The gateway has not loaded a schema yet', { extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } })];
    if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
      return [new RateLimitedError(1, `At most ${limits.subscriptionsPerConnection} operations per connection`)];
    }
    try {
      const client = clientNameOf(ctx.connectionParams, ctx.extra.request.headers);
      payload = { ...payload, query: options.persistedOperations.documentFor(payload, client) };
    } catch (error) {
      return [error as GraphQLError];
    }
    const context: GatewayContext = {
      viewer: ctx.extra.viewer,
      clientIp: ctx.extra.clientIp,
      requestId: requestIdOf(ctx.extra.request.headers[REQUEST_ID_HEADER]),
    };
    let document = validated.get(schema, payload.query);
    if (!document) {
      try {
        document = options.guard.parse(payload.query);
      } catch (error) {
        const overBudget = await options.guard.unresolved(context);
        if (overBudget.length) return overBudget;
        return [new GraphQLError((error as Error).message, { extensions: { code: ApolloServerErrorCode.GRAPHQL_PARSE_FAILED } })];
      }
      const errors = options.guard.validate(schema, document);
      if (errors.length) {
        const overBudget = await options.guard.unresolved(context);
        if (overBudget.length) return overBudget;
        return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED } }));
      }
      validated.set(schema, payload.query, document);
    }
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [new GraphQLError('Unknown operation', { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
    const variables = payload.variables ?? {};
    const refused = await options.guard.admit({ schema, document, operation, variables, context });
    // A refused query or mutation gets its errors as a result, as over HTTP; a refused subscription never starts.
    if (refused.length && operation.operation === OperationTypeNode.SUBSCRIPTION) return refused;
    return {
      schema,
      document,
      operationName: payload.operationName ?? undefined,
      variableValues: payload.variables ?? {},
      contextValue: {
        gateway: context,
        query: payload.query,
        operation: operation.operation,
        refused,
        socket: ctx.extra.socket,
        // Whether the client still has this operation running (it may have sent `complete`).
        frames: { id, extra: ctx.extra, active: () => id in ctx.subscriptions },
      },
    };
  };
}

/** Runs an admitted subscription: through the gateway's shared stream when it can be shared, else its own upstream subscription. */
function startSubscription(options: SubscriptionServerOptions): NonNullable<ServerOptions<Params, Extra>['subscribe']> {
  const { limits, logger } = options;
  return (args) => {
    const { gateway, query, socket, frames } = args.contextValue as {
      gateway: GatewayContext;
      query: string;
      socket: WebSocket;
      frames: { id: string; extra: Extra; active: () => boolean };
    };
    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    let planned;
    try {
      planned = options.planner.plan(query, args.document, args.operationName ?? undefined);
    } catch (error) {
      logger.warn('cannot plan subscription', { reason: (error as Error).message });
      return { errors: [new GraphQLError('Cannot plan this subscription', { extensions: { code: ErrorCode.BAD_USER_INPUT } })] };
    }
    options.onGauge?.('subscriptions', 1);
    // A stream a gateway can share (room events) is opened once for all its subscribers.
    const serve = planned.sharedUpstream && gateway.viewer ? joinedSubscription : federatedSubscription;
    const stop = new AbortController();
    // A result shared by many subscribers: its bytes, serialized once, in this operation's frame.
    // Undefined for a result of this subscriber alone (graphql-ws sends it); false once the
    // client takes no more.
    const writeShared = (result: FormattedExecutionResult): boolean | undefined => {
      const payload = sharedPayload(result);
      if (payload === undefined || !frames.extra.send) return undefined;
      if (socket.readyState !== socket.OPEN || !frames.active()) return false;
      options.onEventDelivered?.();
      frames.extra.send(nextFrame(frames.id, payload));
      return true;
    };
    const events = serve({
      signal: stop.signal,
      planned,
      variables,
      operationName: args.operationName ?? undefined,
      query,
      context: gateway,
      upstream: options.upstream,
      dataSources: options.dataSources,
      secret: options.secret,
      logger,
      maxBuffered: limits.maxBufferedEvents,
      onDelivered: options.onDeliveryLag,
      writeShared: (result) => writeShared(result) === true,
    });
    const delivered = (async function* () {
      try {
        for await (const result of events) {
          // A socket closed as a slow consumer may take seconds to go; its events stop now.
          if (socket.readyState !== socket.OPEN) return;
          const written = writeShared(result);
          if (written === false) return;
          if (written === undefined) {
            options.onEventDelivered?.();
            yield result;
          }
        }
      } finally {
        options.onGauge?.('subscriptions', -1);
      }
    })();
    // graphql-ws ends a subscription with return(), which a generator waiting for its next
    // event would only see at that event: the abort ends the wait now.
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: () => delivered.next(),
      return: (value?: unknown) => (stop.abort(), delivered.return(value as never)),
      throw: (error?: unknown) => (stop.abort(), delivered.throw(error)),
    } as never;
  };
}

/** Queries and mutations sent over the socket run exactly as over HTTP. */
function executeOperation(options: SubscriptionServerOptions): NonNullable<ServerOptions<Params, Extra>['execute']> {
  return async (args) => {
    const { gateway, query, operation, refused } = args.contextValue as {
      gateway: GatewayContext;
      query: string;
      operation: OperationTypeNode;
      refused: readonly GraphQLError[];
    };
    if (operation === OperationTypeNode.SUBSCRIPTION) throw new Error('unreachable');
    if (refused.length) return { errors: refused.map((e) => e.toJSON()) } as never;
    // Through the same Apollo Server as over HTTP: its plugins put the request id (the context's)
    // on its log lines and masked errors.
    const response = await options.apollo.executeOperation(
      { query, variables: args.variableValues as Record<string, unknown>, operationName: args.operationName ?? undefined },
      // Admitted in onSubscribe already: Apollo's admission plugin lets it through without charging it again.
      { contextValue: { ...gateway, admitted: true } },
    );
    if (response.body.kind !== 'single') return { errors: [new GraphQLError('Incremental delivery is not supported here')] };
    return response.body.singleResult as never;
  };
}
/**
 * The `ws` transport: binds each socket to the graphql-ws protocol server, with keep-alive
 * pings, the slow-consumer cap on bytes queued, and errors closing the socket.
 */
function serveSockets(wss: WebSocketServer, server: ReturnType<typeof makeServer<Params, Extra>>, options: SubscriptionServerOptions): void {
  const { limits, logger } = options;
  wss.on('connection', (socket, request) => {
    options.onGauge?.('sockets', 1);
    const extra: Extra = { socket, request, clientIp: options.clientAddress(request), timers: [], closed: false };
    socket.on('error', (error) => {
      logger.warn('websocket error', { reason: error.message });
      close(socket, CloseCode.InternalServerError, 'Internal server error');
    });
    let alive = true;
    socket.on('pong', () => (alive = true));
    const keepAlive = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, 12_000);
    const closed = server.opened(
      {
        protocol: socket.protocol,
        // Sends never wait for the client: a reader that falls behind shows up as bytes queued in
        // the socket, and past the cap it is closed (and dropped soon after if it still does not
        // read), so one slow client costs bounded memory and never holds up the others.
        send: (extra.send = (data: string) => {
          if (socket.readyState !== socket.OPEN) return;
          if (socket.bufferedAmount > limits.maxBufferedBytes) {
            options.onSlowConsumer?.();
            logger.warn('closing a slow consumer', { userId: extra.viewer?.userId, bufferedBytes: socket.bufferedAmount });
            close(socket, CloseCodes.SlowConsumer, 'Slow consumer: reconnect and resume with afterSeq');
            setTimeout(() => socket.terminate(), SLOW_CONSUMER_GRACE_MS).unref();
            return;
          }
          socket.send(data);
        }),
        close: (code, reason) => close(socket, code ?? 1000, reason ?? ''),
        onMessage: (cb) =>
          socket.on('message', async (data) => {
            try {
              await cb(String(data));
            } catch (error) {
              if (error instanceof SlowConsumerError) {
                if (socket.readyState === socket.OPEN) options.onSlowConsumer?.();
                close(socket, CloseCodes.SlowConsumer, 'Slow consumer: reconnect and resume with afterSeq');
                return;
              }
              logger.error('websocket operation failed', { error: (error as Error).message });
              close(socket, CloseCode.InternalServerError, 'Internal server error');
            }
          }),
      },
      extra,
    );
    socket.once('close', (code, reason) => {
      extra.closed = true;
      clearInterval(keepAlive);
      options.onGauge?.('sockets', -1);
      void closed(code, String(reason));
    });
  });
}
/**
 * The gateway's graphql-ws endpoint, on the same path as HTTP (`/graphql`). The protocol is
 * graphql-ws's own `makeServer`; this file binds it to `ws` and adds what an edge needs:
 * authentication in `connection_init`, expiry and revocation of the token while the socket is
 * open, per-user and per-connection limits, frame size and slow-consumer caps, and a graceful
 * close (1001) on shutdown so clients reconnect to another replica.
 */
export function serveGatewaySubscriptions(options: SubscriptionServerOptions): { close(): Promise<void>; connections(): number } {
  const perUser = new Map<string, number>();
  const server = makeServer<Params, Extra>({
    connectionInitWaitTimeout: options.limits.connectionInitTimeoutMs,
    onConnect: admitConnection(options, perUser),
    onSubscribe: admitOperation(options),
    subscribe: startSubscription(options),
    execute: executeOperation(options),
    // Results here are already formatted (errors masked, plain JSON): send them as they are.
    onNext: (_ctx, _id, _payload, _args, result) => result as never,
    onClose: (ctx) => {
      ctx.extra.closed = true;
      for (const timer of ctx.extra.timers) clearTimeout(timer);
      ctx.extra.release?.();
      ctx.extra.release = undefined;
    },
  });

  const wss = new WebSocketServer({
    server: options.httpServer,
    path: '/graphql',
    maxPayload: options.limits.maxPayloadBytes,
    handleProtocols: (protocols) => handleProtocols(protocols) || false,
  });
  wss.on('error', (error) => options.logger.error('websocket server error', { error: error.message }));
  serveSockets(wss, server, options);

  return {
    connections: () => wss.clients.size,
    close: async () => {
      for (const client of wss.clients) close(client, CloseCodes.GoingAway, 'Server is shutting down: reconnect');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

export type { Context };
