import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import {
  AuthClient,
  closeServer,
  serviceLogger,
  createRedis,
  createServiceApp,
  listen,
  loadSubgraphSchema,
  mountSubgraph,
  type Logger,
  type ReadinessCheck,
  type ServiceMetrics,
} from '@aether/common';
import type { GraphQLSchema } from 'graphql';
import type { MessagingConfig } from './config';
import { RoomEvents, createPubSub } from './events/publisher';
import { createContext, resolvers } from './resolvers';
import type { MessagingDeps } from './rooms';
import { createStore } from './store';
import { UserDirectory } from './users';
import { serveSubscriptions } from './ws';

export const MESSAGING_SCHEMA_PATH = join(__dirname, '..', 'src', 'schema.graphql');

export interface RunningMessagingService {
  port: number;
  logger: Logger;
  deps: MessagingDeps;
  schema: GraphQLSchema;
  httpServer: Server;
  stop(): Promise<void>;
}

export async function startMessagingService(config: MessagingConfig, logger?: Logger): Promise<RunningMessagingService> {
  logger ??= serviceLogger('messaging', config);
  const store = createStore(config);
  await store.init();
  const redis = config.REDIS_URL
    ? {
        publisher: createRedis(config.REDIS_URL, logger, 'messaging-pub'),
        subscriber: createRedis(config.REDIS_URL, logger, 'messaging-sub'),
      }
    : undefined;
  const authClient = new AuthClient({ address: config.AUTH_GRPC_URL, serviceToken: config.serviceToken });
  const deps: MessagingDeps = {
    store,
    events: new RoomEvents(createPubSub(redis), config.REDIS_PREFIX, logger, redis?.subscriber),
    users: new UserDirectory(authClient),
    typingTtlSeconds: config.TYPING_TTL,
  };

  const checks: ReadinessCheck[] = [{ name: store.kind, check: () => store.ping() }];
  if (redis) checks.push({ name: 'redis', check: () => redis.publisher.ping() });
  const app = createServiceApp({ logger, checks });
  const httpServer = createServer(app);
  const schema = loadSubgraphSchema(MESSAGING_SCHEMA_PATH, resolvers);
  const apollo = await mountSubgraph(app, {
    schema,
    httpServer,
    logger,
    identitySecret: config.gatewaySecret,
    context: (identity, signal) => createContext(identity, deps, signal),
  });
  const subscriptions = serveSubscriptions({
    httpServer,
    schema,
    deps,
    identitySecret: config.gatewaySecret,
    logger,
    registry: (app.locals.metrics as ServiceMetrics).registry,
  });
  const port = await listen(httpServer, config.MESSAGING_PORT, config.HOST);
  logger.info('messaging service listening', { port, store: store.kind, pubsub: redis ? 'redis' : 'in-process' });

  return {
    port,
    logger,
    deps,
    schema,
    httpServer,
    async stop() {
      await subscriptions.close();
      await apollo.stop();
      await closeServer(httpServer);
      await store.close();
      authClient.close();
      redis?.publisher.disconnect();
      redis?.subscriber.disconnect();
    },
  };
}
