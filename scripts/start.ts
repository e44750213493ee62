/**
 * `npm start`: the whole supergraph on one machine with no setup. Without DATABASE_URL it
 * starts a real embedded PostgreSQL (data kept in .data/postgres, so a restart loses nothing);
 * without REDIS_URL the services use in-process pub/sub; without MONGO_URL messages live in
 * PostgreSQL. Then auth, messaging and the gateway start as separate processes.
 * `npm run dev` does the same with every service restarting when its code changes;
 * `npm run start:prod` runs the compiled services (dist/) instead of the TypeScript sources.
 *
 * Every child is tied to this process: the services and the embedded PostgreSQL's process get an
 * IPC channel and stop when it closes, so nothing outlives `npm start`, whether it ends by a
 * signal, by an error, or by SIGKILL. When one child ends on its own, the rest are stopped.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { JWKS_PATH } from '../common/src/access-token';
import { EMBEDDED_DATABASE_URL, dataDir, devSecret } from '../common/src/config';
import { onParentExit } from '../common/src/lifecycle';
import type { EmbeddedPostgresMessage } from './embedded-postgres-process';
import { ensureWebClientBuilt } from './web-client';

const ROOT = join(__dirname, '..');
const watch = process.argv.includes('--watch');
const compiled = process.argv.includes('--compiled');
const SERVICES = [
  { name: 'auth', dir: 'subgraphs/auth', port: process.env.AUTH_PORT ?? '4001' },
  { name: 'messaging', dir: 'subgraphs/messaging', port: process.env.MESSAGING_PORT ?? '4002' },
  { name: 'gateway', dir: 'gateway', port: process.env.GATEWAY_PORT ?? '4000' },
  { name: 'web', dir: 'clients/web/server', port: process.env.WEB_PORT ?? '4080' },
];

const children: { name: string; process: ChildProcess }[] = [];
let postgres: ChildProcess | undefined;
let stopping = false;

function say(message: string) {
  process.stdout.write(`[start] ${message}\n`);
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;
const exited = (child: ChildProcess) => (running(child) ? new Promise((r) => child.once('exit', r)) : Promise.resolve());

async function waitForHealth(name: string, port: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!running(child)) throw new Error(`${name} exited with ${child.signalCode ?? `code ${child.exitCode}`}`);
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
  for (const child of [...children].reverse()) if (running(child.process)) child.process.kill('SIGTERM');
  await Promise.all(children.map((c) => exited(c.process)));
  // The database goes last: services flush and close their connections first.
  if (postgres && running(postgres)) {
    say('stopping embedded PostgreSQL');
    postgres.disconnect();
    await exited(postgres);
  }
  process.exit(code);
}

/** Starts the embedded PostgreSQL in its own process and resolves once `database` exists. */
function startEmbeddedPostgres(port: number, database: string): Promise<void> {
  const child = fork(join(__dirname, 'embedded-postgres-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      EMBEDDED_PG_DATA_DIR: join(dataDir(), 'postgres', 'data'),
      EMBEDDED_PG_PORT: String(port),
      EMBEDDED_PG_DATABASE: database,
    },
    stdio: 'inherit',
  });
  postgres = child;
  return new Promise((resolve, reject) => {
    child.on('message', (message: EmbeddedPostgresMessage) => {
      if (message.ready) resolve();
      if (message.error) reject(new Error(`embedded PostgreSQL: ${message.error}`));
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`embedded PostgreSQL exited with ${signal ?? `code ${code}`}`));
      if (stopping) return;
      say(`embedded PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the rest`);
      void stopAll(1);
    });
  });
}

function startService(service: (typeof SERVICES)[number], env: NodeJS.ProcessEnv): ChildProcess {
  const cwd = join(ROOT, service.dir);
  if (watch) {
    return spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), ['watch', '--clear-screen=false', '--conditions=aether-source', 'src/main.ts'], {
      cwd,
      env,
      stdio: 'inherit',
    });
  }
  // Node itself runs the service (tsx only as a loader), so the signals and the IPC channel
  // reach the service's own process, not a launcher in between.
  const args = compiled ? ['dist/main.js'] : ['--import', 'tsx', '--conditions=aether-source', 'src/main.ts'];
  return spawn(process.execPath, args, { cwd, env, stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
}

async function main() {
  if (compiled) {
    say('compiling (tsc -b)');
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: ROOT, stdio: 'inherit' });
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (!env.DATABASE_URL) {
    const url = new URL(EMBEDDED_DATABASE_URL);
    if (env.EMBEDDED_POSTGRES_PORT) url.port = env.EMBEDDED_POSTGRES_PORT;
    say(`starting embedded PostgreSQL on port ${url.port} (data in ${join(dataDir(), 'postgres')})`);
    await startEmbeddedPostgres(Number(url.port), url.pathname.slice(1));
    env.DATABASE_URL = url.toString();
  }
  // Every process must agree on these; generate them once, here, for development.
  env.GATEWAY_SECRET ??= devSecret('gateway_secret');
  env.SERVICE_TOKEN ??= devSecret('service_token');
  // The gateway finds the subgraphs (and auth's keys) on the ports started here, AUTH_PORT and MESSAGING_PORT included.
  const [auth, messaging] = SERVICES;
  env.SUBGRAPH_AUTH_URL ??= `http://127.0.0.1:${auth.port}/graphql`;
  env.SUBGRAPH_MESSAGING_URL ??= `http://127.0.0.1:${messaging.port}/graphql`;
  env.AUTH_JWKS_URL ??= `http://127.0.0.1:${auth.port}${JWKS_PATH}`;
  if (!env.REDIS_URL) say('REDIS_URL unset: in-process pub/sub (one replica of each service)');
  if (!env.MONGO_URL) say('MONGO_URL unset: messages are stored in PostgreSQL');

  ensureWebClientBuilt(ROOT, say);
  for (const service of SERVICES) {
    if (stopping) return;
    const child = startService(service, env);
    children.push({ name: service.name, process: child });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      say(`${service.name} stopped unexpectedly (${signal ?? `exit code ${code}`}); stopping the rest`);
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
// npm exits on SIGTERM without passing it on: without this, everything started here would be orphaned.
onParentExit(() => {
  say('the npm process that ran this is gone');
  void stopAll(0);
});
main().catch((error) => {
  if (stopping) return;
  process.stderr.write(`[start] ${(error as Error).message}\n`);
  void stopAll(1);
});
