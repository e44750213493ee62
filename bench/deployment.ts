import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../scripts/embedded-postgres';
import { createTestDatabase } from '../test/harness';
import { freePort } from '../test/processes';

/** A fresh database on DATABASE_URL's server, or on an embedded PostgreSQL started for the run. */
export async function benchDatabase(): Promise<{ url: string; stop(): Promise<void> }> {
  let pg: RunningPostgres | undefined;
  let dir: string | undefined;
  if (!process.env.DATABASE_URL) {
    dir = mkdtempSync(join(tmpdir(), 'aether-bench-pg-'));
    pg = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort(), persistent: false });
  }
  process.env.TEST_DATABASE_URL = process.env.DATABASE_URL ?? pg!.adminUrl;
  const db = await createTestDatabase();
  return {
    url: db.url,
    async stop() {
      await db.drop();
      await pg?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
