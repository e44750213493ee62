/**
 * The embedded PostgreSQL of `npm start`, run in a process of its own that scripts/start.ts
 * forks with an IPC channel. PostgreSQL cannot tell when start.ts is gone, but this process can:
 * the channel closes however start.ts ends (SIGKILL included), and then it stops the server.
 *
 * Messages to the parent: `{ ready: true }` once the database exists, `{ error }` if it cannot
 * start. The parent stops it by closing the channel (or SIGTERM).
 */
import { ensureDatabase, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';

export interface EmbeddedPostgresMessage {
  ready?: true;
  error?: string;
}

const { EMBEDDED_PG_DATA_DIR, EMBEDDED_PG_PORT, EMBEDDED_PG_DATABASE } = process.env;

let postgres: Promise<RunningPostgres> | undefined;
let stopping = false;

async function stop(code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  // Asked to stop while the server is still starting: let it start, then stop it.
  const running = await postgres?.catch(() => undefined);
  await running?.stop().catch(() => undefined);
  process.exit(code);
}

async function main(): Promise<void> {
  if (!process.send || !EMBEDDED_PG_DATA_DIR || !EMBEDDED_PG_PORT || !EMBEDDED_PG_DATABASE) {
    throw new Error('scripts/embedded-postgres-process.ts is started by scripts/start.ts only');
  }
  process.once('disconnect', () => void stop());
  process.once('SIGTERM', () => void stop());
  // Ctrl-C reaches the whole process group; start.ts decides when the database may stop.
  process.on('SIGINT', () => undefined);
  postgres = startEmbeddedPostgres({ dataDir: EMBEDDED_PG_DATA_DIR, port: Number(EMBEDDED_PG_PORT), persistent: true });
  const { adminUrl } = await postgres;
  if (stopping) return;
  await ensureDatabase(adminUrl, EMBEDDED_PG_DATABASE);
  process.send({ ready: true } satisfies EmbeddedPostgresMessage);
}

main().catch((error) => {
  if (process.connected) process.send!({ error: (error as Error).message } satisfies EmbeddedPostgresMessage);
  void stop(1);
});
