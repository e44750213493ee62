import { join } from 'node:path';
import { baseEnv, ConfigError, DEFAULT_JWT_ISSUER, env, JWKS_PATH, loadConfig, repoRoot, sharedSecrets, type SharedSecrets } from '@aether/common';
import { z } from 'zod';
import { trustedProxies } from './edge/client-address';
import type { OperationLimitsConfig } from './edge/limits';
import type { RateLimitsConfig } from './edge/rate-limit';
import type { SubgraphHttpOptions } from './subgraph-http';
import type { SubscriptionLimits } from './subscriptions/ws-server';
import { legacySubgraphUrls, subgraphUrlOverrides } from './subgraphs';

/** Every variable the gateway reads. Docs, compose and Kubernetes files are checked against it. */
export const gatewayConfigSchema = z.object({
  ...baseEnv,
  GATEWAY_PORT: env.port(4000),
  // Subgraph routing URLs come from the supergraph's `join__graph(url:)`; `SUBGRAPH_<NAME>_URL`
  // overrides one (NAME: the graph's enum value in the supergraph), read by `subgraphUrlOverrides`.
  /** Where the token issuer (auth) publishes the public keys of access tokens. */
  AUTH_JWKS_URL: env.url(`http://127.0.0.1:4001${JWKS_PATH}`),
  /** host:port of auth's gRPC server (session checks when there is no Redis). */
  AUTH_GRPC_URL: z.string().default('127.0.0.1:50051'),
  JWT_ISSUER: z.string().default(DEFAULT_JWT_ISSUER),
  /** The supergraph SDL the gateway serves (any Federation 2 supergraph; reloaded when the file changes). */
  SUPERGRAPH_PATH: z.string().default(join(repoRoot, 'schema', 'supergraph.graphql')),
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

/** The settings of the gateway's subgraph fetches, handed to the subgraphs module as they are. */
export interface SubgraphsConfig extends SubgraphHttpOptions {
  /** Routing URLs overriding the supergraph's, by the graph's enum value (`SUBGRAPH_<NAME>_URL`). */
  urls: Record<string, string>;
  /** `<NAME>_URL` values (the earlier spelling, deprecated), used for graphs with no `SUBGRAPH_<NAME>_URL`. */
  legacyUrls?: Record<string, string>;
  retries: number;
  batching: boolean;
}

export interface GatewayConfig extends GatewayEnv, SharedSecrets {
  jwksUrl: string;
  introspection: boolean;
  fieldSuggestions: boolean;
  corsOrigins: string[] | '*';
  /** The TRUSTED_PROXIES setting with its default applied. */
  trustedProxies: string;
  /** Bucket limits: RATE_LIMIT_BUCKETS, with RATE_LIMIT_AUTH_PER_IP and RATE_LIMIT_SEND_PER_USER for `auth` and `send`. */
  rateBuckets: Record<string, number>;
  safelistClients: string[];
  /** The LIMIT_* settings, as the edge's operation limits take them. */
  limits: OperationLimitsConfig;
  /** The RATE_LIMIT_* settings, as the edge's rate limiter takes them. */
  rateLimits: RateLimitsConfig;
  /** The SUBGRAPH_* settings. */
  subgraphs: SubgraphsConfig;
  /** The WS_* settings, as the graphql-ws server takes them. */
  websocket: SubscriptionLimits;
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
  // The default (auth on this host) is only right on one machine: production names where the keys are.
  if (production && !source.AUTH_JWKS_URL && !source.AUTH_URL) {
    throw new ConfigError('gateway', { AUTH_JWKS_URL: 'Required in production: where the token issuer publishes its public keys' });
  }
  if (parsed.PERSISTED_OPERATIONS_SAFELIST !== 'off' && !parsed.PERSISTED_OPERATIONS) {
    throw new ConfigError('gateway', { PERSISTED_OPERATIONS_SAFELIST: 'a safelist needs the manifests of its operations in PERSISTED_OPERATIONS' });
  }
  const trusted = parsed.TRUSTED_PROXIES ?? (production ? '' : 'loopback');
  try {
    trustedProxies(trusted);
  } catch {
    throw new ConfigError('gateway', { TRUSTED_PROXIES: 'Must be a hop count or comma-separated IP addresses and CIDR ranges' });
  }
  const fieldSuggestions = parsed.FIELD_SUGGESTIONS ?? !production;
  const rateBuckets = bucketLimits(parsed);
  const origins = parsed.CORS_ORIGINS?.split(',').map((o) => o.trim()).filter(Boolean);
  return {
    ...parsed,
    ...sharedSecrets('gateway', parsed),
    // Before AUTH_JWKS_URL, the keys were found at the issuer's AUTH_URL (the deprecated spelling of SUBGRAPH_AUTH_URL).
    jwksUrl: !source.AUTH_JWKS_URL && source.AUTH_URL && URL.canParse(source.AUTH_URL) ? new URL(JWKS_PATH, source.AUTH_URL).href : parsed.AUTH_JWKS_URL,
    introspection: parsed.INTROSPECTION ?? !production,
    fieldSuggestions,
    trustedProxies: trusted,
    rateBuckets,
    corsOrigins: !origins || origins.includes('*') ? (production ? [] : '*') : origins,
    safelistClients: parsed.PERSISTED_OPERATIONS_SAFELIST_CLIENTS?.split(',').map((c) => c.trim()).filter(Boolean) ?? [],
    ...settingGroups(parsed, { fieldSuggestions, rateBuckets, subgraphUrls: subgraphUrlOverrides(source), legacyUrls: legacySubgraphUrls(source) }),
  };
}

/** The flat variables grouped as the modules that use them take them, so none renames them again. */
function settingGroups(
  parsed: GatewayEnv,
  derived: { fieldSuggestions: boolean; rateBuckets: Record<string, number>; subgraphUrls: Record<string, string>; legacyUrls: Record<string, string> },
): Pick<GatewayConfig, 'limits' | 'rateLimits' | 'subgraphs' | 'websocket'> {
  return {
    limits: {
      depth: parsed.LIMIT_DEPTH,
      aliases: parsed.LIMIT_ALIASES,
      rootFields: parsed.LIMIT_ROOT_FIELDS,
      tokens: parsed.LIMIT_TOKENS,
      directives: parsed.LIMIT_DIRECTIVES,
      cost: parsed.LIMIT_COST,
      listSize: parsed.LIMIT_LIST_SIZE,
      fieldSuggestions: derived.fieldSuggestions,
    },
    rateLimits: {
      windowSeconds: parsed.RATE_LIMIT_WINDOW,
      perIp: parsed.RATE_LIMIT_PER_IP,
      perUser: parsed.RATE_LIMIT_PER_USER,
      buckets: derived.rateBuckets,
    },
    subgraphs: {
      urls: derived.subgraphUrls,
      legacyUrls: derived.legacyUrls,
      timeoutMs: parsed.SUBGRAPH_TIMEOUT_MS,
      retries: parsed.SUBGRAPH_RETRIES,
      connections: parsed.SUBGRAPH_CONNECTIONS,
      keepAliveMs: parsed.SUBGRAPH_KEEPALIVE_MS,
      dedupe: parsed.SUBGRAPH_DEDUPE,
      batching: parsed.SUBGRAPH_BATCHING,
    },
    websocket: {
      connectionsPerUser: parsed.WS_CONNECTIONS_PER_USER,
      subscriptionsPerConnection: parsed.WS_SUBSCRIPTIONS_PER_CONNECTION,
      connectionInitTimeoutMs: parsed.WS_INIT_TIMEOUT_MS,
      maxPayloadBytes: parsed.WS_MAX_PAYLOAD_BYTES,
      maxBufferedBytes: parsed.WS_MAX_BUFFERED_BYTES,
      maxBufferedEvents: parsed.WS_MAX_BUFFERED_EVENTS,
      sessionRecheckMs: parsed.WS_SESSION_RECHECK_MS,
    },
  };
}
