import type { Logger } from '@aether/common';
import { DataSource } from 'typeorm';
import { RefreshTokenEntity, SessionEntity, UserEntity } from './entities';
import { CreateAccounts1764000000000 } from './migrations/1764000000000-CreateAccounts';
import { SqlLog } from './sql-log';

/** Auth's PostgreSQL connection. Schema changes go through migrations only, never `synchronize`. */
/** `statementTimeoutMs`: PostgreSQL's `statement_timeout` on every pooled connection. */
export function createAuthDataSource(url: string, logger?: Logger, statementTimeoutMs?: number): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: [UserEntity, SessionEntity, RefreshTokenEntity],
    migrations: [CreateAccounts1764000000000],
    migrationsTableName: 'auth_migrations',
    synchronize: false,
    // Statements are logged only when someone reads debug lines (TypeORM builds each log call).
    logging: !logger ? false : logger.isDebugEnabled() ? 'all' : ['error', 'warn', 'migration'],
    logger: logger ? new SqlLog(logger) : undefined,
    maxQueryExecutionTime: 1000,
    extra: { max: 10, application_name: 'aether-auth', ...(statementTimeoutMs ? { statement_timeout: statementTimeoutMs } : {}) },
  });
}
