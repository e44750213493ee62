import type { Server } from 'node:http';
import { ErrorCode, verifyIdentity, type Identity, type Logger } from '@aether/common';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createContext } from './resolvers';
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
      onComplete: (ctx, id) => {
        identities.get(ctx)?.delete(id);
      },
      onError: (_ctx, _id, _payload, errors) => {
        for (const error of errors) {
          if (!error.extensions?.code) options.logger.error('subscription failed', { error: error.message });
        }
      },
    },
    wss,
  );
  return {
    close: async () => {
      await server.dispose();
    },
  };
}
