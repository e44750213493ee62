import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type RunningPostgres } from '../scripts/embedded-postgres';
import { createTestDatabase } from '../test/harness';
import { freePort } from '../test/processes';

/**
 * How the bench runs our services: as production does, compiled (`node dist/main.js`, which
 * the images and the Helm chart run), so that no figure carries tsx's per-closure `__name`
 * calls or its module hooks; `BENCH_SOURCE=1` runs the sources through tsx instead.
 */
export const benchServices = { compiled: process.env.BENCH_SOURCE !== '1' };

/** Compiles every workspace (`tsc -b`, quick when nothing changed) before compiled services start. */
export function buildForBench(): void {
  if (!benchServices.compiled) return;
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b'], { cwd: join(__dirname, '..'), stdio: 'inherit' });
}

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
