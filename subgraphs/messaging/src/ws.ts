import type { Server } from 'node:http';
import { ErrorCode, maskError, ValidatedDocuments, verifyIdentity, type Identity, type Logger } from '@aether/common';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, getOperationAST, subscribe, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { Gauge, type Registry } from 'prom-client';
import { WebSocketServer } from 'ws';
import { createContext, type MessagingContext } from './resolvers';
import type { MessagingDeps } from './rooms';
import type { StreamMode } from './subscriptions';

const STREAM_MODES = new Set<unknown>(['member', 'shared', 'admit']);

/**
 * How the gateway opened a subscription (`extensions.stream`). Only the gateway can sign an
 * identity; `shared` (no membership check) is honoured only from the gateway's own identity,
 * never from a user's.
 */
function streamModeOf(extensions: Record<string, unknown> | undefined | null, identity: Identity): StreamMode | GraphQLError {
  const mode = extensions?.stream ?? 'member';
  if (!STREAM_MODES.has(mode) || (mode === 'shared' && identity.userId)) {
    return new GraphQLError('Unknown subscription stream mode', { extensions: { code: ErrorCode.BAD_USER_INPUT } });
  }
  return mode as StreamMode;
}

/** Counts open subscriptions per root field while their event streams run. */
function countedSubscribe(active: Gauge<'field'>): (args: ExecutionArgs) => ReturnType<typeof subscribe> {
  return async (args) => {
    const result = await subscribe(args);
    if (!(Symbol.asyncIterator in result)) return result;
    const root = getOperationAST(args.document, args.operationName)?.selectionSet.selections[0];
    const field = root?.kind === 'Field' ? root.name.value : 'unknown';
    active.inc({ field });
    let open = true;
    const done = () => {
      if (open) active.dec({ field });
      open = false;
    };
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next: async () => {
        const step = await result.next();
        if (step.done) done();
        return step;
      },
      return: async () => {
        done();
        return result.return ? result.return() : { done: true, value: undefined };
      },
      throw: async (error: unknown) => {
        done();
        return result.throw ? result.throw(error) : Promise.reject(error);
      },
    } as AsyncGenerator<never>;
  };
}

/**
 * graphql-ws on the subgraph's `/graphql`, for the gateway only. The gateway multiplexes many
 * users' subscriptions over one socket, so the connection proves it is the gateway (a signed
 * identity in `connection_init`) and every `subscribe` carries its own signed identity in
 * `extensions.identity`, from which the context is built; nothing is taken from the client.
 */
export function serveSubscriptions(options: {
  httpServer: Server;
  schema: GraphQLSchema;
  deps: MessagingDeps;
  identitySecret: string;
  logger: Logger;
  /** Where `aether_subgraph_subscriptions_active` is registered (the service's /metrics). */
  registry?: Registry;
}): { close(): Promise<void> } {
  const active = new Gauge({
    name: 'aether_subgraph_subscriptions_active',
    help: 'Subscriptions open at this subgraph (from gateways), by root field',
    labelNames: ['field'],
    registers: options.registry ? [options.registry] : [],
  });
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const identities = new WeakMap<object, Map<string, { identity: Identity; mode: StreamMode }>>();
  // The gateway sends the same operation text for every subscriber it admits: validated once.
  const validated = new ValidatedDocuments();
  const server = useServer(
    {
      schema: options.schema,
      subscribe: countedSubscribe(active),
      onConnect: (ctx) => verifyIdentity(options.identitySecret, ctx.connectionParams?.identity) !== null,
      onSubscribe: (ctx, id, payload) => {
        const identity = verifyIdentity(options.identitySecret, payload.extensions?.identity);
        if (!identity) {
          return [new GraphQLError('Subscriptions must come through the gateway', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        }
        const mode = streamModeOf(payload.extensions, identity);
        if (mode instanceof GraphQLError) return [mode];
        let byId = identities.get(ctx);
        if (!byId) identities.set(ctx, (byId = new Map()));
        byId.set(id, { identity, mode });
        // Seen and valid before: run as graphql-ws would after its own parse and validation.
        const document = validated.get(options.schema, payload.query);
        if (document) return { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables };
      },
      // Reached only by a document that parsed and validated (or came from `validated`).
      onOperation: (_ctx, _id, payload, args) => {
        validated.set(args.schema, payload.query, args.document);
      },
      context: (ctx, id) => {
        const { identity, mode } = identities.get(ctx)!.get(id)!;
        return { ...createContext(identity, options.deps), streamMode: mode };
      },
      // A live event's trace context and publish time go to the gateway with its result (see LiveEventExtensions).
      onNext: (_ctx, _id, _payload, args, result) => {
        const extensions = (args.contextValue as MessagingContext).eventExtensions;
        return extensions ? { ...result, extensions: { ...result.extensions, ...extensions } } : result;
      },
      onComplete: (ctx, id) => {
        identities.get(ctx)?.delete(id);
      },
      // Errors keep their code (docs/api-contract.md); validation failures get one; anything else (a store
      // failure mid-stream) is logged and goes out as a bare INTERNAL_SERVER_ERROR, which the
      // gateway treats as transient and answers by resubscribing from the last seq it delivered.
      onError: (_ctx, _id, _payload, errors) =>
        errors.map((error) => {
          if (error.extensions?.code) return maskError(error.toJSON());
          if (!error.originalError) return { ...error.toJSON(), extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED } };
          options.logger.error('subscription failed', { error: error.message, stack: error.originalError.stack });
          return maskError(error.toJSON());
        }),
    },
    wss,
  );
  return {
    close: async () => {
      await server.dispose();
    },
  };
}
