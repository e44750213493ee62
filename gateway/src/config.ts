import { join } from 'node:path';
import { ConfigError, env, loadConfig, repoRoot, secretFor, telemetryEnv } from '@aether/common';
import { z } from 'zod';
import { trustedProxies } from './edge/client-address';

/** Every variable the gateway reads. Docs, compose and Kubernetes files are checked against it. */
export const gatewayConfigSchema = z.object({
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  LOG_FORMAT: env.logFormat(),
  HOST: z.string().default('0.0.0.0'),
  GATEWAY_PORT: env.port(4000),
  AUTH_URL: env.url('http://127.0.0.1:4001/graphql'),
  MESSAGING_URL: env.url('http://127.0.0.1:4002/graphql'),
  /** Where auth publishes its public keys; defaults to AUTH_URL's origin. */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** host:port of auth's gRPC server (session checks when there is no Redis). */
  AUTH_GRPC_URL: z.string().default('127.0.0.1:50051'),
  JWT_ISSUER: z.string().default('aetherconnect'),
  SUPERGRAPH_PATH: z.string().default(join(repoRoot, 'schema', 'supergraph.graphql')),
  REDIS_URL: z.string().url().optional(),
  REDIS_PREFIX: z.string().regex(/^[\w:.-]*$/).default('aether:'),
  GATEWAY_SECRET: z.string().min(32).optional(),
  SERVICE_TOKEN: z.string().min(32).optional(),
  /** Whether clients may introspect the schema (Sandbox needs it). Defaults to on outside production. */
  INTROSPECTION: env.optionalBool(),
  /** Comma-separated origins allowed by CORS; `*` allows any (development default). */
  CORS_ORIGINS: z.string().optional(),
  /** Per-subgraph fetch timeout in milliseconds. */
  SUBGRAPH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** graphql-ws limits: open sockets per user, operations per socket, connection_init wait. */
  WS_CONNECTIONS_PER_USER: z.coerce.number().int().positive().default(20),
  WS_SUBSCRIPTIONS_PER_CONNECTION: z.coerce.number().int().positive().default(100),
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** Largest WebSocket frame accepted, in bytes. */
  WS_MAX_PAYLOAD_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  /** Slow consumers: bytes queued in the socket, and events queued per subscription, before closing it. */
  WS_MAX_BUFFERED_BYTES: z.coerce.number().int().positive().default(4 * 1024 * 1024),
  WS_MAX_BUFFERED_EVENTS: z.coerce.number().int().positive().default(10_000),
  /** How often an open socket re-checks that its session was not ended. */
  WS_SESSION_RECHECK_MS: z.coerce.number().int().positive().default(30_000),
  /** Operation limits, checked before planning (HTTP and graphql-ws alike): field nesting depth, */
  LIMIT_DEPTH: z.coerce.number().int().positive().default(10),
  /** aliases per operation, */
  LIMIT_ALIASES: z.coerce.number().int().nonnegative().default(15),
  /** fields at the root of an operation, */
  LIMIT_ROOT_FIELDS: z.coerce.number().int().positive().default(10),
  /** lexical tokens in a document, */
  LIMIT_TOKENS: z.coerce.number().int().positive().default(5000),
  /** directives per operation, */
  LIMIT_DIRECTIVES: z.coerce.number().int().nonnegative().default(50),
  /** estimated cost (see gateway/src/edge/cost.ts: each field 1, times `first`/`last` under lists), */
  LIMIT_COST: z.coerce.number().int().positive().default(20_000),
  /** the size assumed for a list field that has no `first`/`last` argument in the cost estimate, */
  LIMIT_LIST_SIZE: z.coerce.number().int().positive().default(10),
  /** request body bytes, */
  LIMIT_BODY_BYTES: z.coerce.number().int().positive().default(100 * 1024),
  /** and operations in one batched (JSON array) request; 0 refuses batching altogether. */
  LIMIT_BATCH_SIZE: z.coerce.number().int().nonnegative().default(0),
  /** "Did you mean ...?" hints in validation errors. Defaults to on outside production. */
  FIELD_SUGGESTIONS: env.optionalBool(),
  /** Rate limits, counted in Redis (shared by every gateway replica) or in memory without it. */
  RATE_LIMIT_WINDOW: env.seconds(60),
  /** Operations per client IP per window, */
  RATE_LIMIT_PER_IP: z.coerce.number().int().positive().default(600),
  /** per signed-in user per window, */
  RATE_LIMIT_PER_USER: z.coerce.number().int().positive().default(300),
  /** calls per client IP per window of the `auth` bucket (register, login, refreshToken, changePassword), */
  RATE_LIMIT_AUTH_PER_IP: z.coerce.number().int().positive().default(20),
  /** and of the `send` bucket (sendMessage, editMessage, deleteMessage) per user (or IP when anonymous). */
  RATE_LIMIT_SEND_PER_USER: z.coerce.number().int().positive().default(60),
  /**
   * Proxies whose X-Forwarded-For is believed for the client address (rate limits, auth's login
   * throttle): a hop count (`1`; `0` trusts nobody) or comma-separated addresses/CIDRs
   * (`10.0.0.0/8`, `loopback`). Defaults to nobody in production and to `loopback` elsewhere.
   */
  TRUSTED_PROXIES: z.string().max(2000).optional(),
  /** Limits of `@rateBudget` buckets overriding the schema's, as `bucket=limit` pairs (`rooms=10,typing=300`; `*` for every bucket). */
  RATE_LIMIT_BUCKETS: z
    .string()
    .regex(/^\s*([\w*-]+=\d+\s*(,\s*|$))*$/, 'Must be bucket=limit pairs separated by commas')
    .optional(),
  /** Extra attempts for a subgraph fetch of a query that failed to connect (mutations are never retried). */
  SUBGRAPH_RETRIES: z.coerce.number().int().nonnegative().default(1),
  /** Most keep-alive connections open to one subgraph; fetches beyond that queue for a free one. */
  SUBGRAPH_CONNECTIONS: z.coerce.number().int().positive().default(64),
  /** How long an idle subgraph connection is kept for reuse, in milliseconds (below the subgraphs' 5 s). */
  SUBGRAPH_KEEPALIVE_MS: z.coerce.number().int().positive().default(4000),
  /** Merge an operation's concurrent queries to one subgraph into one request. */
  SUBGRAPH_BATCHING: env.bool(true),
  /** Identical queries in flight for the same caller share one subgraph fetch. */
  SUBGRAPH_DEDUPE: env.bool(true),
  ...telemetryEnv,
  /**
   * Persisted operation manifests (Apollo persisted query lists or GraphQL Codegen persisted
   * documents): comma-separated paths, each optionally `<client name>=<path>`.
   */
  PERSISTED_OPERATIONS: z.string().optional(),
  /** `off`: any operation runs; `safelist`: only listed ones, by id or in full; `require-id`: only listed ones, by id. */
  PERSISTED_OPERATIONS_SAFELIST: z.enum(['off', 'safelist', 'require-id']).default('off'),
  /** Comma-separated client names (`apollographql-client-name`) the safelist applies to; unset: every client. */
  PERSISTED_OPERATIONS_SAFELIST_CLIENTS: z.string().optional(),
});

export type GatewayEnv = z.output<typeof gatewayConfigSchema>;

export interface GatewayConfig extends GatewayEnv {
  gatewaySecret: string;
  serviceToken: string;
  jwksUrl: string;
  introspection: boolean;
  fieldSuggestions: boolean;
  corsOrigins: string[] | '*';
  /** The TRUSTED_PROXIES setting with its default applied. */
  trustedProxies: string;
  /** Bucket limits: RATE_LIMIT_BUCKETS, with RATE_LIMIT_AUTH_PER_IP and RATE_LIMIT_SEND_PER_USER for `auth` and `send`. */
  rateBuckets: Record<string, number>;
  safelistClients: string[];
}

function bucketLimits(parsed: GatewayEnv): Record<string, number> {
  const buckets: Record<string, number> = {};
  for (const pair of parsed.RATE_LIMIT_BUCKETS?.split(',') ?? []) {
    const [name, limit] = pair.split('=').map((s) => s.trim());
    if (name) buckets[name] = Number(limit);
  }
  return { ...buckets, auth: parsed.RATE_LIMIT_AUTH_PER_IP, send: parsed.RATE_LIMIT_SEND_PER_USER };
}

export function loadGatewayConfig(source: Record<string, string | undefined> = process.env): GatewayConfig {
  const parsed = loadConfig('gateway', gatewayConfigSchema, source);
  const production = parsed.NODE_ENV === 'production';
  if (parsed.PERSISTED_OPERATIONS_SAFELIST !== 'off' && !parsed.PERSISTED_OPERATIONS) {
    throw new ConfigError('gateway', { PERSISTED_OPERATIONS_SAFELIST: 'a safelist needs the manifests of its operations in PERSISTED_OPERATIONS' });
  }
  const trusted = parsed.TRUSTED_PROXIES ?? (production ? '' : 'loopback');
  try {
    trustedProxies(trusted);
  } catch {
    throw new ConfigError('gateway', { TRUSTED_PROXIES: 'Must be a hop count or comma-separated IP addresses and CIDR ranges' });
  }
  const origins = parsed.CORS_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean);
  return {
    ...parsed,
    gatewaySecret: secretFor('gateway', parsed.NODE_ENV, 'GATEWAY_SECRET', parsed.GATEWAY_SECRET),
    serviceToken: secretFor('gateway', parsed.NODE_ENV, 'SERVICE_TOKEN', parsed.SERVICE_TOKEN),
    jwksUrl: parsed.AUTH_JWKS_URL ?? new URL('/.well-known/jwks.json', parsed.AUTH_URL).toString(),
    introspection: parsed.INTROSPECTION ?? !production,
    fieldSuggestions: parsed.FIELD_SUGGESTIONS ?? !production,
    trustedProxies: trusted,
    rateBuckets: bucketLimits(parsed),
    corsOrigins: !origins || origins.includes('*') ? (production ? [] : '*') : origins,
    safelistClients: parsed.PERSISTED_OPERATIONS_SAFELIST_CLIENTS?.split(',').map((c) => c.trim()).filter(Boolean) ?? [],
  };
}
