import { baseEnv, ConfigError, DEFAULT_JWT_ISSUER, EMBEDDED_DATABASE_URL, env, loadConfig, sharedSecrets, type SharedSecrets } from '@aether/common';
import { z } from 'zod';

/** Every variable the auth service reads. Docs, compose and Kubernetes files are checked against it. */
export const authConfigSchema = z.object({
  ...baseEnv,
  AUTH_PORT: env.port(4001),
  AUTH_GRPC_PORT: env.port(50051),
  DATABASE_URL: z.string().url().default(EMBEDDED_DATABASE_URL),
  /** PEM (PKCS#8) ES256 private key; required in production, generated once in development. */
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_ISSUER: z.string().default(DEFAULT_JWT_ISSUER),
  ACCESS_TOKEN_TTL: env.seconds(900),
  REFRESH_TOKEN_TTL: env.seconds(30 * 24 * 3600),
  BCRYPT_COST: z.coerce.number().int().min(4).max(15).default(12),
  /** Longest one database statement may run, in milliseconds (PostgreSQL `statement_timeout`). */
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  LOGIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  LOGIN_LIMIT_PER_IP: z.coerce.number().int().positive().default(100),
  LOGIN_LIMIT_WINDOW: env.seconds(900),
  /** Failures of one account from one address before each further attempt waits 1 s, then twice as long each time. */
  LOGIN_FREE_FAILURES: z.coerce.number().int().nonnegative().default(3),
  /** The longest such wait. */
  LOGIN_MAX_DELAY: env.seconds(900),
  /** How long a refresh token, once rotated, still returns the pair it was rotated to (tabs refreshing at once); 0 turns it off. */
  REFRESH_REUSE_GRACE: z.coerce.number().int().nonnegative().default(10),
  REFRESH_LIMIT_PER_IP: z.coerce.number().int().positive().default(120),
  REFRESH_LIMIT_WINDOW: env.seconds(60),
});

export type AuthEnv = z.output<typeof authConfigSchema>;

export type AuthConfig = AuthEnv & SharedSecrets;

export function loadAuthConfig(source: Record<string, string | undefined> = process.env): AuthConfig {
  const parsed = loadConfig('auth', authConfigSchema, source);
  if (parsed.NODE_ENV === 'production' && !parsed.JWT_PRIVATE_KEY) {
    throw new ConfigError('auth', { JWT_PRIVATE_KEY: 'Required in production' });
  }
  return { ...parsed, ...sharedSecrets('auth', parsed) };
}
