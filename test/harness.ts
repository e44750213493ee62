import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { createLogger, type Logger } from '@aether/common';
import { Client } from 'pg';
import { UNLIMITED_RATES } from './processes';
import { loadAuthConfig } from '../subgraphs/auth/src/config';
import { startAuthService, type RunningAuthService } from '../subgraphs/auth/src/server';
import { loadMessagingConfig } from '../subgraphs/messaging/src/config';
import { startMessagingService, type RunningMessagingService } from '../subgraphs/messaging/src/server';
import { loadGatewayConfig } from '../gateway/src/config';
import { startGateway, type RunningGateway } from '../gateway/src/server';

export { UNLIMITED_RATES };

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A fresh database on the test server (embedded or DATABASE_URL), dropped by the returned function. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DATABASE_URL is not set: run tests through jest (npm test)');
  const name = `aether_t_${randomBytes(6).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Every log line every service of a stack wrote, as parsed JSON. */
export class CapturedLogs {
  readonly lines: string[] = [];
  readonly stream = new PassThrough();
  constructor() {
    let buffer = '';
    this.stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let i: number;
      while ((i = buffer.indexOf('\n')) >= 0) {
        this.lines.push(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    });
  }
  logger(service: string): Logger {
    return createLogger({ service, level: 'debug', format: 'json', stream: this.stream, console: process.env.TEST_LOGS === '1' });
  }
}

export interface StackOptions {
  /** Use the Redis at REDIS_URL (pub/sub, revocation, rate limits) instead of in-process. */
  redis?: boolean;
  /** Extra environment for every service (e.g. BCRYPT_COST, limits). */
  env?: Record<string, string>;
  /** Reuse a database (several stacks on one database act as replicas). */
  databaseUrl?: string;
  /** Share secrets and Redis prefix with another stack (replicas of one deployment). */
  shared?: { gatewaySecret: string; serviceToken: string; redisPrefix: string };
  /** Where the gateway reaches a subgraph, given its name and own URL (e.g. through a `SlowLink`). */
  gatewayRoute?: (subgraph: 'auth' | 'messaging', url: string) => Promise<string>;
}

export interface Stack {
  gatewayUrl: string;
  authUrl: string;
  messagingUrl: string;
  authGrpcAddress: string;
  databaseUrl: string;
  env: Record<string, string>;
  logs: CapturedLogs;
  auth: RunningAuthService;
  messaging: RunningMessagingService;
  /** Starts a new messaging service on the port and with the config of the stopped one (an outage ending). */
  restartMessaging(): Promise<RunningMessagingService>;
  gateway: RunningGateway;
  stop(): Promise<void>;
}

/** Options that make a new stack a replica of `stack`: the same database, secrets and Redis prefix. */
export function replicaOf(stack: Stack): Pick<StackOptions, 'databaseUrl' | 'shared'> {
  return {
    databaseUrl: stack.databaseUrl,
    shared: { gatewaySecret: stack.env.gatewaySecret, serviceToken: stack.env.serviceToken, redisPrefix: stack.env.redisPrefix },
  };
}

/**
 * Starts auth, messaging and the gateway on free loopback ports with the same start functions
 * their `main.ts` uses, over a real PostgreSQL (and Redis when asked).
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const db = options.databaseUrl ? undefined : await createTestDatabase();
  const databaseUrl = options.databaseUrl ?? db!.url;
  const shared = options.shared ?? {
    gatewaySecret: randomBytes(32).toString('base64url'),
    serviceToken: randomBytes(32).toString('base64url'),
    redisPrefix: `test:${randomBytes(4).toString('hex')}:`,
  };
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    GATEWAY_SECRET: shared.gatewaySecret,
    SERVICE_TOKEN: shared.serviceToken,
    REDIS_PREFIX: shared.redisPrefix,
    BCRYPT_COST: '4',
    ...UNLIMITED_RATES,
    ...(options.redis ? { REDIS_URL } : {}),
    ...options.env,
  };
  const logs = new CapturedLogs();
  const auth = await startAuthService(loadAuthConfig({ ...env, AUTH_PORT: '0', AUTH_GRPC_PORT: '0' }), logs.logger('auth'));
  const authGrpcAddress = `127.0.0.1:${auth.grpcPort}`;
  const messaging = await startMessagingService(
    loadMessagingConfig({ ...env, MESSAGING_PORT: '0', AUTH_GRPC_URL: authGrpcAddress }),
    logs.logger('messaging'),
  );
  const authUrl = `http://127.0.0.1:${auth.httpPort}/graphql`;
  const messagingUrl = `http://127.0.0.1:${messaging.port}/graphql`;
  const gateway = await startGateway(
    loadGatewayConfig({ ...env, GATEWAY_PORT: '0', SUBGRAPH_AUTH_URL: options.gatewayRoute ? await options.gatewayRoute('auth', authUrl) : authUrl, AUTH_JWKS_URL: env.AUTH_JWKS_URL ?? new URL('/.well-known/jwks.json', authUrl).href, SUBGRAPH_MESSAGING_URL: options.gatewayRoute ? await options.gatewayRoute('messaging', messagingUrl) : messagingUrl, AUTH_GRPC_URL: authGrpcAddress }),
    logs.logger('gateway'),
  );
  const stack: Stack = {
    gatewayUrl: `http://127.0.0.1:${gateway.port}/graphql`,
    authUrl,
    messagingUrl,
    authGrpcAddress,
    databaseUrl,
    env: { ...env, ...shared },
    logs,
    auth,
    messaging,
    gateway,
    async restartMessaging() {
      stack.messaging = await startMessagingService(
        loadMessagingConfig({ ...env, MESSAGING_PORT: String(messaging.port), AUTH_GRPC_URL: authGrpcAddress }),
        logs.logger('messaging'),
      );
      return stack.messaging;
    },
    async stop() {
      await gateway.stop();
      await stack.messaging.stop();
      await auth.stop();
      await db?.drop();
    },
  };
  return stack;
}

export interface GraphQLResponse<T = Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  headers: Headers;
}

/** POSTs one operation to `url` the way a client does. */
export async function gql<T = Record<string, any>>( // eslint-disable-line @typescript-eslint/no-explicit-any
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<GraphQLResponse<T>> {
  const res = await fetch(url, {
    method: 'POST',
    // A test that hangs on one request tells nothing; one that fails after 30 s does.
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: { data?: T; errors?: GraphQLResponse['errors'] } = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { errors: [{ message: `non-JSON response: ${text.slice(0, 200)}` }] };
  }
  return { status: res.status, data: body.data ?? undefined, errors: body.errors, headers: res.headers };
}

export interface TestUser {
  id: string;
  username: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

let counter = 0;

/** Registers a new account through the gateway. */
export async function registerUser(stack: { gatewayUrl: string }, name?: string): Promise<TestUser> {
  const username = name ?? `user_${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`;
  const email = `${username}@example.test`;
  const password = 'correct horse battery';
  const res = await gql(
    stack.gatewayUrl,
    `mutation($input: RegisterInput!) { register(input: $input) { accessToken refreshToken user { id username } } }`,
    { input: { email, username, password, displayName: `Display ${username}` } },
  );
  if (!res.data?.register) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
  const { accessToken, refreshToken, user } = res.data.register;
  return { id: user.id, username, email, password, accessToken, refreshToken };
}

/** The `extensions.code` of the first error, for terse assertions. */
export const codeOf = (res: GraphQLResponse) => res.errors?.[0]?.extensions?.code;
