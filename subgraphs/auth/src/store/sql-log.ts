import type { Logger } from '@aether/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's log, written to the service's logger: every statement at debug level, failures and
 * slow statements as warnings. Statements only, never their parameters: those hold password
 * hashes, refresh-token hashes and emails.
 */
export class SqlLog implements TypeOrmLogger {
  constructor(private readonly logger: Logger) {}

  logQuery(query: string): void {
    this.logger.debug('sql', { query });
  }

  logQueryError(error: string | Error, query: string): void {
    this.logger.warn('sql failed', { query, reason: typeof error === 'string' ? error : error.message });
  }

  logQuerySlow(ms: number, query: string): void {
    this.logger.warn('sql slow', { query, ms });
  }

  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }

  logMigration(message: string): void {
    this.logger.info(message);
  }

  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    this.logger.log(level === 'warn' ? 'warn' : 'debug', String(message));
  }
}
