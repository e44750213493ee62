import { DataSource } from 'typeorm';
import { RefreshTokenEntity, SessionEntity, UserEntity } from './entities';
import { CreateAccounts1764000000000 } from './migrations/1764000000000-CreateAccounts';

/** Auth's PostgreSQL connection. Schema changes go through migrations only, never `synchronize`. */
export function createAuthDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [UserEntity, SessionEntity, RefreshTokenEntity],
    migrations: [CreateAccounts1764000000000],
    migrationsTableName: 'auth_migrations',
    synchronize: false,
    logging: false,
    extra: { max: 10, application_name: 'aether-auth' },
  });
}
