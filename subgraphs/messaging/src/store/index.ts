import type { MessagingStore } from './store';
import { PostgresMessagingStore } from './postgres/postgres-store';

/** MongoDB when MONGO_URL is set (production), PostgreSQL otherwise. */
export async function createStore(config: { MONGO_URL?: string; DATABASE_URL: string }): Promise<MessagingStore> {
  if (config.MONGO_URL) {
    const { MongoMessagingStore } = await import('./mongo/mongo-store');
    return new MongoMessagingStore(config.MONGO_URL);
  }
  return new PostgresMessagingStore(config.DATABASE_URL);
}
