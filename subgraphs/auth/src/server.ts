import { createServer } from 'node:http';
import { join } from 'node:path';
import {
  MemorySessionRevocations,
  RedisSessionRevocations,
  closeServer,
  serviceLogger,
  createRedis,
  createServiceApp,
  JWKS_PATH,
  listen,
  loadSubgraphSchema,
  mountSubgraph,
  runMigrationsLocked,
  type Logger,
  type ReadinessCheck,
  type ServiceMetrics,
} from '@aether/common';
import * as grpc from '@grpc/grpc-js';
import { Accounts } from './accounts';
import type { AuthConfig } from './config';
import { createAuthGrpcServer } from './grpc';
import { loginMetricsPlugin } from './login-metrics';
import { Passwords } from './passwords';
import { createContext, resolvers } from './resolvers';
import { RotationReplay } from './rotation-replay';
import { Sessions } from './sessions';
import { createAuthDataSource } from './store/data-source';
import { AuthThrottle } from './throttle';
import { AccessTokens, loadSigningKeys } from './tokens';

/** The subgraph's SDL; `src/` and `dist/` are siblings, so this path holds for both. */
export const AUTH_SCHEMA_PATH = join(__dirname, '..', 'src', 'schema.graphql');

export interface RunningAuthService {
  httpPort: number;
  grpcPort: number;
  logger: Logger;
  stop(): Promise<void>;
}

/** Builds the auth service's object graph once from validated config and starts listening. */
export async function startAuthService(config: AuthConfig, logger?: Logger): Promise<RunningAuthService> {
  logger ??= serviceLogger('auth', config);
  // Keys first: a bad JWT_PRIVATE_KEY is a configuration error, reported before anything connects.
  const keys = await loadSigningKeys(config.JWT_PRIVATE_KEY);
  const db = createAuthDataSource(config.DATABASE_URL, logger, config.STATEMENT_TIMEOUT_MS);
  await db.initialize();
  await runMigrationsLocked(db, 'aether-auth-migrations');

  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL, logger, 'auth') : undefined;
  const revocations = redis ? new RedisSessionRevocations(redis, config.REDIS_PREFIX) : new MemorySessionRevocations();
  const accessTokens = new AccessTokens(keys, config.JWT_ISSUER, config.ACCESS_TOKEN_TTL);
  const replay = new RotationReplay(redis, config.REDIS_PREFIX, config.REFRESH_REUSE_GRACE * 1000);
  const sessions = new Sessions(db, accessTokens, revocations, config.REFRESH_TOKEN_TTL, config.ACCESS_TOKEN_TTL, logger, replay);
  const throttle = new AuthThrottle(redis, config.REDIS_PREFIX, {
    loginPerAccount: config.LOGIN_LIMIT_PER_ACCOUNT,
    loginPerIp: config.LOGIN_LIMIT_PER_IP,
    loginWindowSeconds: config.LOGIN_LIMIT_WINDOW,
    loginFreeFailures: config.LOGIN_FREE_FAILURES,
    loginMaxDelaySeconds: config.LOGIN_MAX_DELAY,
    refreshPerIp: config.REFRESH_LIMIT_PER_IP,
    refreshWindowSeconds: config.REFRESH_LIMIT_WINDOW,
  });
  const accounts = new Accounts(db, new Passwords(config.BCRYPT_COST), sessions, throttle, logger);

  const checks: ReadinessCheck[] = [{ name: 'postgres', check: () => db.query('SELECT 1') }];
  if (redis) checks.push({ name: 'redis', check: () => redis.ping() });
  const app = createServiceApp({ logger, checks });
  // Public keys for whoever verifies access tokens (the gateway), so nobody calls auth per request.
  app.get(JWKS_PATH, (_req, res) => {
    res.setHeader('cache-control', 'public, max-age=300');
    res.json(keys.jwks);
  });
  const httpServer = createServer(app);
  const schema = loadSubgraphSchema(AUTH_SCHEMA_PATH, resolvers);
  const apollo = await mountSubgraph(app, {
    schema,
    httpServer,
    logger,
    identitySecret: config.gatewaySecret,
    context: (identity) => createContext(identity, accounts, sessions),
    plugins: [loginMetricsPlugin(app.locals.metrics as ServiceMetrics)],
  });
  const httpPort = await listen(httpServer, config.AUTH_PORT, config.HOST);

  const { server: grpcServer } = createAuthGrpcServer({ accounts, sessions, accessTokens, serviceToken: config.serviceToken, logger });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(`${config.HOST}:${config.AUTH_GRPC_PORT}`, grpc.ServerCredentials.createInsecure(), (error, port) =>
      error ? reject(error) : resolve(port),
    ),
  );
  logger.info('auth service listening', { httpPort, grpcPort });

  return {
    httpPort,
    grpcPort,
    logger,
    async stop() {
      await new Promise<void>((resolve) => grpcServer.tryShutdown(() => resolve()));
      await apollo.stop();
      await closeServer(httpServer);
      await db.destroy();
      redis?.disconnect();
    },
  };
}
