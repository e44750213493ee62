import type { DataSource } from 'typeorm';

/**
 * Runs pending migrations while holding a PostgreSQL advisory lock, so replicas that start
 * together do not race to create the same tables.
 */
export async function runMigrationsLocked(dataSource: DataSource, lockName: string): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock(hashtext($1))', [lockName]);
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [lockName]).catch(() => undefined);
    await runner.release();
  }
}
