import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { parse, type GraphQLSchema } from 'graphql';
import { graphqlHandler } from './graphql-http';
import { ErrorCode, maskError, withRequestId } from './errors';
import { IDENTITY_HEADER, verifyIdentity, type Identity } from './identity';
import { requestContext, type Logger, type RequestContext } from './logger';
import { operationMetricsPlugin, type ServiceMetrics } from './metrics';

/** The request an operation's context belongs to, where a service carries it explicitly rather than in `requestContext`. */
export type RequestOf<TContext> = (context: TContext) => RequestContext | undefined;

/** Logs every error a client could not have caused, once, with the operation that hit it (and its request, given `requestOf`). */
export function errorLoggingPlugin<TContext extends BaseContext>(logger: Logger, requestOf?: RequestOf<TContext>): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName, contextValue }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (code && code !== ErrorCode.INTERNAL_SERVER_ERROR && code !== ErrorCode.SERVICE_UNAVAILABLE) continue;
            const request = requestOf?.(contextValue);
            logger.error('operation failed', {
              ...(request?.requestId ? { requestId: request.requestId } : {}),
              ...(request?.userId ? { userId: request.userId } : {}),
              operationName,
              path: error.path?.join('.'),
              error: error.originalError?.message ?? error.message,
              stack: error.originalError?.stack,
            });
          }
        },
      };
    },
  };
}

/**
 * Puts the request id on the masked errors worth quoting (see `maskError`) of a service that
 * carries its request explicitly: its `formatError` cannot see the request, this can.
 */
export function requestIdPlugin<TContext extends BaseContext>(requestOf: RequestOf<TContext>): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          const requestId = requestOf(contextValue)?.requestId;
          if (response.body.kind === 'single' && response.body.singleResult.errors && requestId) {
            response.body.singleResult.errors = response.body.singleResult.errors.map((e) => withRequestId(e, requestId));
          }
        },
      };
    },
  };
}

/** A subgraph's executable schema: its SDL file (`schema.graphql`, beside `src/` and `dist/`) and its resolvers. */
export function loadSubgraphSchema(sdlPath: string, resolvers: object): GraphQLSchema {
  return buildSubgraphSchema({ typeDefs: parse(readFileSync(sdlPath, 'utf8')), resolvers: resolvers as GraphQLResolverMap<unknown> });
}

export interface SubgraphOptions<TContext extends BaseContext> {
  schema: GraphQLSchema;
  httpServer: Server;
  logger: Logger;
  /** The gateway's HMAC secret: requests without a valid signed identity get nothing. */
  identitySecret: string;
  /** Builds a request's context; `signal` aborts when the caller (the gateway) stops waiting for the answer. */
  context: (identity: Identity, signal: AbortSignal) => TContext | Promise<TContext>;
  /** The subgraph's own Apollo Server plugins (e.g. metrics only it can count). */
  plugins?: ApolloServerPlugin<TContext>[];
}

/**
 * Mounts a subgraph on `POST /graphql`. Every request must carry an identity the gateway
 * signed; the acting user is taken from it and never from arguments or client headers.
 */
export async function mountSubgraph<TContext extends BaseContext>(
  app: express.Express,
  options: SubgraphOptions<TContext>,
): Promise<ApolloServer<TContext>> {
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    formatError: maskError,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      errorLoggingPlugin(options.logger),
      ...(app.locals.metrics ? [operationMetricsPlugin(app.locals.metrics as ServiceMetrics)] : []),
      ...(options.plugins ?? []),
    ],
  });
  await apollo.start();
  app.use(
    '/graphql',
    (req, res, next) => {
      const identity = verifyIdentity(options.identitySecret, req.headers[IDENTITY_HEADER]);
      if (!identity) {
        res.status(401).json({
          errors: [{ message: 'Requests must come through the gateway', extensions: { code: ErrorCode.UNAUTHENTICATED } }],
        });
        return;
      }
      res.locals.identity = identity;
      const ctx = requestContext.getStore();
      if (ctx && identity.userId) ctx.userId = identity.userId;
      if (identity.userId) res.locals.userId = identity.userId;
      next();
    },
    express.json({ limit: '1mb' }),
    graphqlHandler(apollo, async ({ res }) => {
      const aborted = new AbortController();
      // The response closing before it was written means the gateway gave up (its subgraph timeout, or its client left).
      res.once('close', () => {
        if (!res.writableFinished) aborted.abort(new Error('the caller stopped waiting'));
      });
      return options.context(res.locals.identity as Identity, aborted.signal);
    }),
  );
  return apollo;
}
