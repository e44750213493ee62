import { baseEnv, EMBEDDED_DATABASE_URL, env, loadConfig, sharedSecrets, type SharedSecrets } from '@aether/common';
import { z } from 'zod';

/** Every variable the messaging service reads. Docs, compose and Kubernetes files are checked against it. */
export const messagingConfigSchema = z.object({
  ...baseEnv,
  MESSAGING_PORT: env.port(4002),
  /** PostgreSQL: the message store when MONGO_URL is unset. */
  DATABASE_URL: z.string().url().default(EMBEDDED_DATABASE_URL),
  /** MongoDB (a replica set: sends use transactions): the production message store. */
  MONGO_URL: z.string().regex(/^mongodb(\+srv)?:\/\//, 'Must be a mongodb:// or mongodb+srv:// URL').optional(),
  /** host:port of auth's gRPC server. */
  AUTH_GRPC_URL: z.string().default('127.0.0.1:50051'),
  /**
   * Longest a single database statement may run, in milliseconds (PostgreSQL `statement_timeout`,
   * MongoDB `maxTimeMS`): below the gateway's SUBGRAPH_TIMEOUT_MS, so no query outlives its request.
   */
  STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** How long typing indicators last unless renewed, in seconds. */
  TYPING_TTL: env.seconds(6),
});

export type MessagingEnv = z.output<typeof messagingConfigSchema>;

export type MessagingConfig = MessagingEnv & SharedSecrets;

export function loadMessagingConfig(source: Record<string, string | undefined> = process.env): MessagingConfig {
  const parsed = loadConfig('messaging', messagingConfigSchema, source);
  return { ...parsed, ...sharedSecrets('messaging', parsed) };
}
