import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../scripts/embedded-postgres';
import { freePort } from './processes';


/**
 * Tests use the PostgreSQL at DATABASE_URL when it is set; otherwise a real embedded one,
 * started once for the run in a throw-away folder. Each test file then makes its own database.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_DATABASE_URL = process.env.DATABASE_URL;
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'aether-test-pg-'));
  const pg = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), port: await freePort(), persistent: false });
  (globalThis as { __aetherPostgres?: typeof pg }).__aetherPostgres = pg;
  process.env.TEST_DATABASE_URL = pg.adminUrl;
}
