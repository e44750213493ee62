import { MongoMessagingStore } from './mongo/mongo-store';
import { PostgresMessagingStore } from './postgres/postgres-store';
import type { MessagingStore } from './store';

/** MongoDB when MONGO_URL is set (production), PostgreSQL otherwise. */
export function createStore(config: { MONGO_URL?: string; DATABASE_URL: string; STATEMENT_TIMEOUT_MS?: number }): MessagingStore {
  const statementTimeoutMs = config.STATEMENT_TIMEOUT_MS;
  return config.MONGO_URL
    ? new MongoMessagingStore(config.MONGO_URL, { statementTimeoutMs })
    : new PostgresMessagingStore(config.DATABASE_URL, { statementTimeoutMs });
}
