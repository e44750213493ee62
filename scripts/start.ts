/**
 * `npm start`: the whole supergraph on one machine with no setup. Without DATABASE_URL it
 * starts a real embedded PostgreSQL (data kept in .data/postgres, so a restart loses nothing);
 * without REDIS_URL the services use in-process pub/sub; without MONGO_URL messages live in
 * PostgreSQL. Then auth, messaging and the gateway start as separate processes.
 * `npm run dev` does the same with every service restarting when its code changes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { EMBEDDED_DATABASE_URL, dataDir, devSecret } from '../common/src/config';
import { ensureDatabase, startEmbeddedPostgres, type RunningPostgres } from './embedded-postgres';
import { ensureWebClientBuilt } from './web-client';

const ROOT = join(__dirname, '..');
const watch = process.argv.includes('--watch');
const SERVICES = [
  { name: 'auth', dir: 'subgraphs/auth', port: process.env.AUTH_PORT ?? '4001' },
  { name: 'messaging', dir: 'subgraphs/messaging', port: process.env.MESSAGING_PORT ?? '4002' },
  { name: 'gateway', dir: 'gateway', port: process.env.GATEWAY_PORT ?? '4000' },
  { name: 'web', dir: 'clients/web/server', port: process.env.WEB_PORT ?? '4080' },
];

const children: ChildProcess[] = [];
let postgres: RunningPostgres | undefined;
let stopping = false;

function say(message: string) {
  process.stdout.write(`[start] ${message}\n`);
}

async function waitForHealth(name: string, port: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become healthy on port ${port} within 60 s`);
}

async function stopAll(code: number): Promise<never> {
  if (stopping) return new Promise<never>(() => undefined);
  stopping = true;
  say('stopping…');
  for (const child of [...children].reverse()) child.kill('SIGTERM');
  await Promise.all(
    children.map((c) => (c.exitCode !== null || c.signalCode ? Promise.resolve() : new Promise((r) => c.once('exit', r)))),
  );
  if (postgres) {
    say('stopping embedded PostgreSQL');
    await postgres.stop().catch(() => undefined);
  }
  process.exit(code);
}

async function main() {
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.DATABASE_URL) {
    const url = new URL(EMBEDDED_DATABASE_URL);
    say(`starting embedded PostgreSQL on port ${url.port} (data in ${join(dataDir(), 'postgres')})`);
    postgres = await startEmbeddedPostgres({
      dataDir: join(dataDir(), 'postgres', 'data'),
      port: Number(url.port),
      persistent: true,
    });
    await ensureDatabase(postgres.adminUrl, url.pathname.slice(1));
    env.DATABASE_URL = EMBEDDED_DATABASE_URL;
  }
  // Every process must agree on these; generate them once, here, for development.
  env.GATEWAY_SECRET ??= devSecret('gateway_secret');
  env.SERVICE_TOKEN ??= devSecret('service_token');
  if (!env.REDIS_URL) say('REDIS_URL unset: in-process pub/sub (one replica of each service)');
  if (!env.MONGO_URL) say('MONGO_URL unset: messages are stored in PostgreSQL');

  ensureWebClientBuilt(ROOT, say);
  for (const service of SERVICES) {
    const args = watch
      ? ['watch', '--clear-screen=false', '--conditions=aether-source', 'src/main.ts']
      : ['--conditions=aether-source', 'src/main.ts'];
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), args, {
      cwd: join(ROOT, service.dir),
      env,
      stdio: 'inherit',
    });
    children.push(child);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      say(`${service.name} exited (${signal ?? code}); stopping the rest`);
      void stopAll(1);
    });
    if (!watch) await waitForHealth(service.name, service.port, child);
  }
  const gatewayPort = SERVICES[2].port;
  say(`AetherConnect is up. Apollo Sandbox: http://localhost:${gatewayPort}/graphql`);
  say(`Web client: http://localhost:${SERVICES[3].port}/`);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
main().catch((error) => {
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  void stopAll(1);
});
