/**
 * Hive Gateway in front of our subgraphs, for the side-by-side bench (bench/side-by-side.ts).
 * It is given what our gateway does per request so that both do the same work: the same access
 * token check (our Authenticator: ES256 against auth's published keys, then the session check
 * in Redis) and the same gateway-signed identity on every subgraph fetch, without which our
 * subgraphs answer nothing. `BENCH_HIVE_RUNTIME=router` plans with Hive's Rust query planner
 * (`@graphql-hive/router-runtime`); anything else runs the default runtime.
 *
 * Subscriptions (bench/subscriptions.ts): clients speak graphql-ws to Hive on `/graphql` with our
 * `connection_init` payload (`authorization`); Hive forwards each subscription to messaging over
 * one graphql-ws socket (`@graphql-mesh/transport-ws`, which keys sockets by their connection
 * params, so one for all), proving itself the gateway in `connection_init` and carrying each
 * subscriber's own signed identity in the `subscribe` message's `extensions.identity`, which is
 * what messaging's graphql-ws server reads (subgraphs/messaging/src/ws.ts).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { AuthClient, createLogger, createRedis, IDENTITY_HEADER, listen, signIdentity, signViewerIdentity } from '@aether/common';
import { createGatewayRuntime, getGraphQLWSOptions, type GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { unifiedGraphHandler } from '@graphql-hive/router-runtime';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { Authenticator, type Viewer } from '../gateway/src/authn';
import { loadGatewayConfig } from '../gateway/src/config';

interface BenchContext {
  viewer?: Viewer;
  req?: IncomingMessage;
}

const DAY_MS = 24 * 3600_000;

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const runtime = process.env.BENCH_HIVE_RUNTIME === 'router' ? 'router' : 'default';
  const logger = createLogger({ service: `hive-${runtime}`, level: config.LOG_LEVEL, format: 'json' });
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger, 'hive') : undefined;
  const authenticator = new Authenticator({
    jwksUrl: config.jwksUrl,
    issuer: config.JWT_ISSUER,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    authClient: new AuthClient({ address: config.AUTH_GRPC_URL, serviceToken: config.serviceToken }),
    logger,
  });
  // Hive routes by the supergraph's join__graph URLs: write our SUBGRAPH_<NAME>_URL overrides into them.
  const supergraph = Object.entries(config.subgraphs.urls).reduce(
    (sdl, [graph, url]) => sdl.replace(new RegExp(`(\\b${graph} @join__graph\\(name: "[^"]*", url: )"[^"]*"`), `$1"${url}"`),
    readFileSync(config.SUPERGRAPH_PATH, 'utf8'),
  );

  const signedIdentity: GatewayPlugin<BenchContext> = {
    async onContextBuilding({ context, extendContext }) {
      const token = Authenticator.bearer(context.headers?.authorization ?? context.request?.headers.get('authorization'));
      if (token) extendContext({ viewer: await authenticator.verify(token) });
    },
    onFetch({ context, options, setOptions }) {
      // Fetches made outside an operation (none here) get a context without a viewer.
      const { viewer, req } = (context ?? {}) as BenchContext;
      setOptions({
        ...options,
        headers: {
          ...(options.headers as Record<string, string>),
          [IDENTITY_HEADER]: signViewerIdentity(config.gatewaySecret, viewer, req?.socket.remoteAddress),
        },
      });
    },
    onSubgraphExecute({ executionRequest, setExecutionRequest }) {
      if (executionRequest.operationType !== 'subscription') return;
      const { viewer, req } = (executionRequest.context ?? {}) as BenchContext;
      const identity = signViewerIdentity(config.gatewaySecret, viewer, req?.socket.remoteAddress);
      setExecutionRequest({ ...executionRequest, extensions: { ...executionRequest.extensions, identity } });
    },
  };

  const gateway = createGatewayRuntime<BenchContext>({
    supergraph,
    logging: process.env.BENCH_HIVE_LOG === '1' ? 'debug' : false,
    maskedErrors: process.env.BENCH_HIVE_LOG !== '1',
    // Where the bench waits for every service.
    healthCheckEndpoint: '/health',
    plugins: () => [signedIdentity],
    // Hive shares an identical query in flight keyed on what it sends before onFetch adds the
    // identity, so two users' `me` get one answer (the bench counts that as a mismatch). Off, as
    // ours shares only within one caller, which with many callers almost never happens.
    transportEntries: {
      '*.http': { options: { deduplicateInflightRequests: false } },
      messaging: {
        options: {
          deduplicateInflightRequests: false,
          subscriptions: {
            kind: 'ws',
            location: '/graphql',
            // The socket's own proof that it comes from a gateway (messaging's onConnect); each
            // subscription carries its subscriber's identity in its extensions (onSubgraphExecute).
            options: { connectionParams: { identity: signIdentity(config.gatewaySecret, { roles: [] }, Date.now(), DAY_MS) } },
          },
        },
      },
    },
    ...(runtime === 'router' ? { unifiedGraphHandler } : {}),
  });
  const server = createServer(gateway);
  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer(
    getGraphQLWSOptions<BenchContext, Record<string, unknown>>(gateway, (ctx) => {
      const request = (ctx.extra as { request: IncomingMessage }).request;
      const authorization = (ctx.connectionParams as { authorization?: string } | undefined)?.authorization;
      return { req: request, headers: { authorization } };
    }),
    wss,
  );
  const port = await listen(server, config.GATEWAY_PORT, config.HOST);
  logger.info(`hive gateway (${runtime} runtime) listening on ${port}`);
  // Exit rather than die on SIGTERM, so that a --cpu-prof profile gets written.
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
