import { createServer, type Server } from 'node:http';
import {
  AuthClient,
  closeServer,
  serviceLogger,
  createRedis,
  createServiceApp,
  errorLoggingPlugin,
  graphqlHandler,
  listen,
  maskError,
  operationMetricsPlugin,
  requestIdPlugin,
  type Logger,
} from '@aether/common';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import cors from 'cors';
import express from 'express';
import { parse } from 'graphql';
import type Redis from 'ioredis';
import { Authenticator } from './authn';
import type { GatewayConfig } from './config';
import type { GatewayContext } from './context';
import { AdmissionPipeline } from './edge/admission';
import { clientAddress, trustedProxies, type TrustedProxies } from './edge/client-address';
import { costCheck } from './edge/cost-check';
import { OperationLimits } from './edge/limits';
import { subscriptionMetrics } from './edge/observability';
import { EdgeRateLimiter } from './edge/rate-limit';
import { graphqlBody, httpErrors, securityHeaders } from './edge/security';
import { rateBudgets } from './edge/rate-budgets';
import { persistedOperationsOverHttp } from './persisted/http';
import { parseManifestSources } from './persisted/operation-list';
import { persistedOperationsFromConfig } from './persisted/resolve';
import { watchManifests } from './persisted/watch';
import { SubscriptionPlanner } from './subscriptions/planner';
import { SessionWatch } from './subscriptions/session-watch';
import { UpstreamConnections } from './subscriptions/upstream';
import { serveGatewaySubscriptions } from './subscriptions/ws-server';
import { GatewayMetrics } from './metrics';
import { Subgraphs } from './subgraphs';
import { supergraphFromFile } from './supergraph';

export interface RunningGateway {
  port: number;
  url: string;
  httpServer: Server;
  logger: Logger;
  stop(): Promise<void>;
}

/** Every edge check, once: HTTP (single and batched) and graphql-ws operations all pass through this list. */
function edgeChecks(config: GatewayConfig, redis: Redis | undefined, authenticator: Authenticator, metrics: GatewayMetrics, logger: Logger) {
  const limits = new OperationLimits(config.limits, metrics);
  const rateLimiter = new EdgeRateLimiter(redis, config.REDIS_PREFIX, config.rateLimits, logger, metrics, authenticator);
  const admission = new AdmissionPipeline(limits, [rateLimiter, costCheck(limits)]);
  return { limits, rateLimiter, admission };
}
type EdgeChecks = ReturnType<typeof edgeChecks>;

/** `@apollo/gateway` on the supergraph file, routing through `subgraphs`; subscriptions are planned here and run by our graphql-ws server. */
function supergraphGateway(config: GatewayConfig, subgraphs: Subgraphs, edge: EdgeChecks, planner: SubscriptionPlanner, log: Logger): ApolloGateway {
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphFromFile(config.SUPERGRAPH_PATH, log, (sdl) => subgraphs.useSupergraph(sdl)),
    buildService: subgraphs.buildService,
    logger: {
      debug: (m) => log.debug(String(m)),
      info: (m) => log.info(String(m)),
      warn: (m) => log.warn(String(m)),
      error: (m) => log.error(String(m)),
    },
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    planner.update(apiSchema, coreSupergraphSdl);
    edge.limits.useSupergraph(coreSupergraphSdl);
    edge.rateLimiter.updateBudgets(rateBudgets(parse(coreSupergraphSdl)));
  });
  return gateway;
}

function apolloServer(config: GatewayConfig, gateway: ApolloGateway, httpServer: Server, edge: EdgeChecks, metrics: GatewayMetrics, logger: Logger) {
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError: maskError,
    includeStacktraceInErrorResponses: false,
    introspection: config.introspection,
    hideSchemaDetailsFromClientErrors: !config.fieldSuggestions,
    parseOptions: edge.limits.parseOptions,
    validationRules: edge.limits.validationRules,
    allowBatchedHttpRequests: config.LIMIT_BATCH_SIZE > 0,
    // Apollo Server 5's default, stated: simple (form-like) requests need a preflight-forcing header.
    csrfPrevention: true,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      errorLoggingPlugin(logger, requestOf),
      requestIdPlugin(requestOf),
      operationMetricsPlugin(metrics),
      edge.admission.plugin(),
      edge.limits.plugin(),
      config.NODE_ENV === 'production'
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ embed: true, footer: false }),
    ],
  });
}

/**
 * The request an operation belongs to, for its log lines and masked errors. The gateway carries
 * it in the operation's context rather than in `requestContext` (see `createServiceApp`).
 */
const requestOf = (context: GatewayContext) => ({ requestId: context.requestId, userId: context.viewer?.userId });

/** The HTTP context of an operation: who calls (a verified signature; liveness is the session check's), from where. */
function httpContext(authenticator: Authenticator, admission: AdmissionPipeline, trust: TrustedProxies) {
  return async ({ req, res }: { req: express.Request; res: express.Response }): Promise<GatewayContext> => {
    const requestId = (res.locals.requestId as string | undefined) ?? '';
    const clientIp = clientAddress(req, trust);
    const token = Authenticator.bearer(req.headers.authorization);
    const viewer = token
      ? await authenticator.verifySignature(token).catch(async (error) => {
          // Guessed or replayed tokens are not free: they cost the address like a malformed document.
          await admission.unresolved({ clientIp, requestId });
          throw error;
        })
      : undefined;
    if (viewer) res.locals.userId = viewer.userId;
    return { viewer, clientIp, requestId };
  };
}

export async function startGateway(config: GatewayConfig, logger?: Logger): Promise<RunningGateway> {
  logger ??= serviceLogger('gateway', config);
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger, 'gateway', { autoPipelining: true }) : undefined;
  const authClient = new AuthClient({ address: config.AUTH_GRPC_URL, serviceToken: config.serviceToken });
  const authenticator = new Authenticator({ jwksUrl: config.jwksUrl, issuer: config.JWT_ISSUER, redis, redisPrefix: config.REDIS_PREFIX, authClient, logger });
  const persistedOperations = persistedOperationsFromConfig(config);
  const stopWatchingManifests = watchManifests(persistedOperations, parseManifestSources(config.PERSISTED_OPERATIONS), logger);
  const metrics = new GatewayMetrics();
  const edge = edgeChecks(config, redis, authenticator, metrics, logger);
  const trust = trustedProxies(config.trustedProxies);
  const subgraphs = new Subgraphs(config.subgraphs, config.gatewaySecret, metrics, logger);
  const planner = new SubscriptionPlanner();
  const gateway = supergraphGateway(config, subgraphs, edge, planner, logger);
  const upstream = new UpstreamConnections(config.gatewaySecret, (name) => subgraphs.url(name), logger);

  const checks = [subgraphs.readiness(), ...(redis ? [{ name: 'redis', check: () => redis.ping() }] : [])];
  const app = createServiceApp({ logger, checks, metrics, requestContext: false });
  app.set('trust proxy', trust);
  app.use(securityHeaders());
  const httpServer = createServer(app);
  const apollo = apolloServer(config, gateway, httpServer, edge, metrics, logger);
  await apollo.start();

  app.get('/', (_req, res) => res.redirect('/graphql'));
  app.use(
    '/graphql',
    cors({ origin: config.corsOrigins === '*' ? true : config.corsOrigins, credentials: false, maxAge: 600 }),
    ...graphqlBody(config.LIMIT_BODY_BYTES, config.LIMIT_BATCH_SIZE),
    persistedOperationsOverHttp(persistedOperations),
    graphqlHandler(apollo, httpContext(authenticator, edge.admission, trust)),
  );
  app.use(httpErrors(logger));

  const sessionWatch = new SessionWatch(redis, config.REDIS_PREFIX, logger);
  const subscriptions = serveGatewaySubscriptions({
    httpServer,
    apollo,
    authenticator,
    planner,
    upstream,
    dataSources: () => subgraphs.dataSources(),
    secret: config.gatewaySecret,
    logger,
    guard: edge.admission.socketGuard(),
    clientAddress: (request) => clientAddress(request, trust),
    sessionWatch,
    persistedOperations,
    ...subscriptionMetrics(metrics),
    limits: config.websocket,
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
      await subgraphs.close();
      stopWatchingManifests();
      authClient.close();
      redis?.disconnect();
    },
  };
}
