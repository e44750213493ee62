import { createServer, type Server } from 'node:http';
import {
  AuthClient,
  closeServer,
  createLogger,
  createRedis,
  createServiceApp,
  errorLoggingPlugin,
  listen,
  maskError,
  operationMetricsPlugin,
  requestContext,
  ServiceMetrics,
  type Logger,
  type ReadinessCheck,
} from '@aether/common';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express from 'express';
import { parse } from 'graphql';
import { Authenticator } from './authn';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { SignedIdentityDataSource } from './datasource';
import { AdmissionPipeline } from './edge/admission';
import { clientAddress, trustedProxies } from './edge/client-address';
import { costCheck } from './edge/cost-check';
import { SubgraphHttp } from './subgraph-http';
import { OperationLimits } from './edge/limits';
import { subscriptionMetrics } from './edge/observability';
import { EdgeRateLimiter } from './edge/rate-limit';
import { graphqlBody, httpErrors, securityHeaders } from './edge/security';
import { rateBudgets } from './edge/rate-budgets';
import { sessionCheck } from './edge/session-check';
import { persistedOperationsOverHttp } from './persisted/http';
import { parseManifestSources } from './persisted/operation-list';
import { persistedOperationsFromConfig } from './persisted/resolve';
import { watchManifests } from './persisted/watch';
import { SubscriptionPlanner } from './subscriptions/planner';
import { SessionWatch } from './subscriptions/session-watch';
import { UpstreamConnections } from './subscriptions/upstream';
import { serveGatewaySubscriptions } from './subscriptions/ws-server';
import { supergraphFromFile } from './supergraph';

export interface RunningGateway {
  port: number;
  url: string;
  httpServer: Server;
  logger: Logger;
  stop(): Promise<void>;
}

/** Subgraph routing URLs from config override the supergraph's, by subgraph name. */
function subgraphUrl(config: GatewayConfig, name: string, url: string | undefined): string {
  if (name === 'auth') return config.AUTH_URL;
  if (name === 'messaging') return config.MESSAGING_URL;
  if (!url) throw new Error(`subgraph ${name} has no routing URL`);
  return url;
}

/** Resolves when a subgraph answers `GET /health`: for `/ready` and, per subgraph, `aether_dependency_up{dependency="subgraph:<name>"}`. */
async function subgraphHealth(name: string, url: string): Promise<void> {
  const res = await fetch(new URL('/health', url), { signal: AbortSignal.timeout(1500) });
  if (!res.ok) throw new Error(`${name} answered ${res.status}`);
}

export async function startGateway(config: GatewayConfig, logger?: Logger): Promise<RunningGateway> {
  logger ??= createLogger({
    service: 'gateway',
    level: config.LOG_LEVEL,
    format: config.LOG_FORMAT ?? (config.NODE_ENV === 'production' ? 'json' : 'pretty'),
  });
  const log = logger;
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger, 'gateway') : undefined;
  const authClient = new AuthClient({ address: config.AUTH_GRPC_URL, serviceToken: config.serviceToken });
  const authenticator = new Authenticator({
    jwksUrl: config.jwksUrl,
    issuer: config.JWT_ISSUER,
    redis,
    redisPrefix: config.REDIS_PREFIX,
    authClient,
    logger,
  });

  const persistedOperations = persistedOperationsFromConfig(config);
  const stopWatchingManifests = watchManifests(persistedOperations, parseManifestSources(config.PERSISTED_OPERATIONS), logger);
  const metrics = new ServiceMetrics('gateway');
  const limits = new OperationLimits(
    {
      depth: config.LIMIT_DEPTH,
      aliases: config.LIMIT_ALIASES,
      rootFields: config.LIMIT_ROOT_FIELDS,
      tokens: config.LIMIT_TOKENS,
      directives: config.LIMIT_DIRECTIVES,
      cost: config.LIMIT_COST,
      listSize: config.LIMIT_LIST_SIZE,
      fieldSuggestions: config.fieldSuggestions,
    },
    metrics,
  );
  const rateLimiter = new EdgeRateLimiter(
    redis,
    config.REDIS_PREFIX,
    {
      windowSeconds: config.RATE_LIMIT_WINDOW,
      perIp: config.RATE_LIMIT_PER_IP,
      perUser: config.RATE_LIMIT_PER_USER,
      buckets: config.rateBuckets,
    },
    logger,
    metrics,
  );
  // Every edge check, once: HTTP (single and batched) and graphql-ws operations all pass through this list.
  const admission = new AdmissionPipeline(limits, [sessionCheck(authenticator), rateLimiter, costCheck(limits)]);
  const trust = trustedProxies(config.trustedProxies);

  const subgraphHttp = new SubgraphHttp({
    connections: config.SUBGRAPH_CONNECTIONS,
    keepAliveMs: config.SUBGRAPH_KEEPALIVE_MS,
    timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
    dedupe: config.SUBGRAPH_DEDUPE,
  });
  const subgraphUrls = new Map<string, string>();
  const dataSources: Record<string, GraphQLDataSource> = {};
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.SUPERGRAPH_PATH, logger),
    buildService: ({ name, url }) => {
      const target = subgraphUrl(config, name, url);
      if (!subgraphUrls.has(name)) metrics.watch([{ name: `subgraph:${name}`, check: () => subgraphHealth(name, subgraphUrls.get(name)!) }]);
      subgraphUrls.set(name, target);
      return (dataSources[name] = new SignedIdentityDataSource(target, config.gatewaySecret, {
        name,
        timeoutMs: config.SUBGRAPH_TIMEOUT_MS,
        retries: config.SUBGRAPH_RETRIES,
        http: subgraphHttp,
        batching: config.SUBGRAPH_BATCHING,
        metrics,
      }));
    },
    logger: {
      debug: (m) => log.debug(String(m)),
      info: (m) => log.info(String(m)),
      warn: (m) => log.warn(String(m)),
      error: (m) => log.error(String(m)),
    },
  });

  // @apollo/gateway plans subscriptions but does not run them; the gateway's graphql-ws endpoint does.
  const planner = new SubscriptionPlanner();
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    planner.update(apiSchema, coreSupergraphSdl);
    limits.useSupergraph(coreSupergraphSdl);
    rateLimiter.updateBudgets(rateBudgets(parse(coreSupergraphSdl)));
  });
  const upstream = new UpstreamConnections(
    config.gatewaySecret,
    (name) => {
      const url = subgraphUrls.get(name);
      if (!url) throw new Error(`unknown subgraph ${name}`);
      return url;
    },
    logger,
  );

  const checks: ReadinessCheck[] = [
    {
      name: 'subgraphs',
      check: async () => {
        await Promise.all([...subgraphUrls].map(([name, url]) => subgraphHealth(name, url)));
      },
    },
  ];
  if (redis) checks.push({ name: 'redis', check: () => redis.ping() });
  const app = createServiceApp({ logger, checks, metrics });
  app.set('trust proxy', trust);
  app.use(securityHeaders());
  const httpServer = createServer(app);

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    formatError: maskError,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: !config.fieldSuggestions,
    parseOptions: limits.parseOptions,
    validationRules: limits.validationRules,
    allowBatchedHttpRequests: config.LIMIT_BATCH_SIZE > 0,
    // Apollo Server 5's default, stated: simple (form-like) requests need a preflight-forcing header.
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      errorLoggingPlugin(logger),
      operationMetricsPlugin(metrics),
      admission.plugin(),
      limits.plugin(),
      config.NODE_ENV === 'production'
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });
  await apollo.start();

  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use(
    '/graphql',
    cors({ origin: config.corsOrigins === '*' ? true : config.corsOrigins, credentials: false, maxAge: 600 }),
    ...graphqlBody(config.LIMIT_BODY_BYTES, config.LIMIT_BATCH_SIZE),
    persistedOperationsOverHttp(persistedOperations),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestContext.getStore()?.requestId ?? '';
        const clientIp = clientAddress(req, trust);
        const token = Authenticator.bearer(req.headers.authorization);
        // Whether the session still lives is the admission pipeline's session check, per operation.
        const viewer = token
          ? await authenticator.verifySignature(token).catch(async (error) => {
              // Guessed or replayed tokens are not free: they cost the address like a malformed document.
              await admission.unresolved({ clientIp, requestId });
              throw error;
            })
          : undefined;
        const store = requestContext.getStore();
        if (store && viewer) store.userId = viewer.userId;
        return { viewer, clientIp, requestId };
      },
    }),
  );
  app.use(httpErrors(logger));

  const sessionWatch = new SessionWatch(redis, config.REDIS_PREFIX, logger);
  const subscriptions = serveGatewaySubscriptions({
    httpServer,
    apollo,
    authenticator,
    planner,
    upstream,
    dataSources: () => dataSources,
    secret: config.gatewaySecret,
    logger,
    guard: admission.socketGuard(),
    clientAddress: (request) => clientAddress(request, trust),
    sessionWatch,
    persistedOperations,
    ...subscriptionMetrics(metrics),
    limits: {
      connectionsPerUser: config.WS_CONNECTIONS_PER_USER,
      subscriptionsPerConnection: config.WS_SUBSCRIPTIONS_PER_CONNECTION,
      connectionInitTimeoutMs: config.WS_INIT_TIMEOUT_MS,
      maxPayloadBytes: config.WS_MAX_PAYLOAD_BYTES,
      maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
      maxBufferedEvents: config.WS_MAX_BUFFERED_EVENTS,
      sessionRecheckMs: config.WS_SESSION_RECHECK_MS,
    },
  });

  const port = await listen(httpServer, config.GATEWAY_PORT, config.HOST);
  const url = `http://localhost:${port}/graphql`;
  logger.info(`gateway ready: open ${url} for Apollo Sandbox`);
  return {
    port,
    url,
    httpServer,
    logger,
    async stop() {
      // Sockets first, with 1001: clients reconnect to another replica while this one drains.
      await subscriptions.close();
      sessionWatch.close();
      await upstream.close();
      await apollo.stop();
      await closeServer(httpServer);
      await subgraphHttp.close();
      stopWatchingManifests();
      authClient.close();
      redis?.disconnect();
    },
  };
}
