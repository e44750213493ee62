import type { Server } from 'node:http';
import { ErrorCode, maskError, verifyIdentity, type Identity, type Logger } from '@aether/common';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext, type MessagingContext } from './resolvers';
import type { MessagingDeps } from './rooms';

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
}): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server: options.httpServer, path: '/graphql', maxPayload: 1024 * 1024 });
  const identities = new WeakMap<object, Map<string, Identity>>();
  const server = useServer(
    {
      schema: options.schema,
      onConnect: (ctx) => verifyIdentity(options.identitySecret, ctx.connectionParams?.identity) !== null,
      onSubscribe: (ctx, id, payload) => {
        const identity = verifyIdentity(options.identitySecret, payload.extensions?.identity);
        if (!identity) {
          return [new GraphQLError('Subscriptions must come through the gateway', { extensions: { code: ErrorCode.UNAUTHENTICATED } })];
        }
        let byId = identities.get(ctx);
        if (!byId) identities.set(ctx, (byId = new Map()));
        byId.set(id, identity);
      },
      context: (ctx, id) => createContext(identities.get(ctx)!.get(id)!, options.deps),
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
