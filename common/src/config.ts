import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';

/** Thrown when a service's environment does not pass its schema; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly variables: Record<string, string>,
  ) {
    super(
      `Invalid configuration for ${service}:\n` +
        Object.entries(variables)
          .map(([name, message]) => `  ${name}: ${message}`)
          .join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/**
 * Validates `env` against a service's zod schema. The schema is the single list of the
 * service's variables: docs, compose and Kubernetes files are checked against its keys.
 */
export function loadConfig<S extends z.ZodObject<z.ZodRawShape>>(
  service: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  // Empty strings mean "unset", as they do in compose files and shells.
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const variables: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const name = String(issue.path[0] ?? '(environment)');
      variables[name] ??= issue.message;
    }
    throw new ConfigError(service, variables);
  }
  return result.data;
}

/** Environment value types shared by every service schema. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  url: (fallback?: string) => (fallback === undefined ? z.string().url() : z.string().url().default(fallback)),
  seconds: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1'),
  optionalBool: () =>
    z
      .enum(['true', 'false', '1', '0'])
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  nodeEnv: () => z.enum(['development', 'production', 'test']).default('development'),
  logLevel: () => z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']).default('info'),
  logFormat: () => z.enum(['json', 'pretty']).optional(),
};

/**
 * The standard OpenTelemetry variables every service honours (read by the SDK in `tracing.ts`
 * before config loads; listed here so they are documented, checked and allowed in deployments).
 */
export const telemetryEnv = {
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json', 'grpc']).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z.string().optional(),
  OTEL_TRACES_EXPORTER: z.enum(['otlp', 'console', 'none']).optional(),
  OTEL_SERVICE_NAME: z.string().optional(),
  OTEL_RESOURCE_ATTRIBUTES: z.string().optional(),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .optional(),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).optional(),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).optional(),
};

/**
 * The variables every service reads (environment, logging, bind address, Redis, the shared
 * secrets, OpenTelemetry); each service's schema spreads these and adds its own.
 */
export const baseEnv = {
  NODE_ENV: env.nodeEnv(),
  LOG_LEVEL: env.logLevel(),
  LOG_FORMAT: env.logFormat(),
  HOST: z.string().default('0.0.0.0'),
  /** Redis for pub/sub, rate limits and revocation; unset: in process (one replica only). */
  REDIS_URL: z.string().url().optional(),
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  REDIS_PREFIX: z.string().regex(/^[\w:.-]*$/).default('aether:'),
  /** Signs the caller's identity from the gateway to the subgraphs; required in production. */
  GATEWAY_SECRET: z.string().min(32).optional(),
  /** Authenticates service-to-service gRPC calls; required in production. */
  SERVICE_TOKEN: z.string().min(32).optional(),
  ...telemetryEnv,
};

/** The two secrets every service shares, resolved (see `sharedSecrets`). */
export interface SharedSecrets {
  gatewaySecret: string;
  serviceToken: string;
}

/** The two shared secrets of a loaded config, with the development fallback of `secretFor`. */
export function sharedSecrets(
  service: string,
  parsed: { NODE_ENV: string; GATEWAY_SECRET?: string; SERVICE_TOKEN?: string },
): SharedSecrets {
  return {
    gatewaySecret: secretFor(service, parsed.NODE_ENV, 'GATEWAY_SECRET', parsed.GATEWAY_SECRET),
    serviceToken: secretFor(service, parsed.NODE_ENV, 'SERVICE_TOKEN', parsed.SERVICE_TOKEN),
  };
}

/** The repository root, whether running from `src/` (tsx) or `dist/` (compiled). */
export const repoRoot = resolve(__dirname, '..', '..');

/** Where development state lives (embedded PostgreSQL, generated keys): git-ignored. */
export function dataDir(): string {
  return resolve(process.env.AETHER_DATA_DIR || join(repoRoot, '.data'));
}

/**
 * A secret for development only: generated once and kept in the data folder, so that every
 * service started on this machine (together or one by one) agrees on it. Production
 * configs require the real value from the environment instead.
 */
export function devSecret(name: string): string {
  const file = join(dataDir(), 'secrets', name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    try {
      writeFileSync(file, secret, { flag: 'wx', mode: 0o600 });
    } catch {
      // Another service created it first: use theirs.
      return readFileSync(file, 'utf8').trim();
    }
    chmodSync(file, 0o600);
    return secret;
  }
}

/**
 * A secret variable: required in production (a ConfigError naming it otherwise); elsewhere it
 * falls back to a development secret generated once and shared through the data folder.
 */
export function secretFor(service: string, nodeEnv: string, variable: string, value: string | undefined): string {
  if (value) return value;
  if (nodeEnv === 'production') throw new ConfigError(service, { [variable]: 'Required in production' });
  return devSecret(variable.toLowerCase());
}

/** The PostgreSQL URL `npm start` gives its embedded server; services started alone default to it. */
export const EMBEDDED_DATABASE_URL = 'postgres://postgres:postgres@127.0.0.1:54329/aether';
