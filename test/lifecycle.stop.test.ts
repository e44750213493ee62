/**
 * Stopping, the way process managers do it: `npm start` and `npm start -w <workspace>` started
 * as a user starts them (real npm, embedded PostgreSQL, every port free), then SIGTERM to the
 * npm process alone — not its process group, which is what Ctrl-C reaches — or SIGKILL to one
 * child. Afterwards no port may answer and no process of the run may be left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase } from './harness';
import { freePort } from './processes';

const ROOT = join(__dirname, '..');
const STOP_WITHIN_MS = 10_000;

interface NpmRun {
  npm: ChildProcess;
  /** Every port the run listens on (services and embedded PostgreSQL). */
  ports: number[];
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Processes still alive that were started by this run (found by a marker in their environment). */
  processes(): { pid: number; cwd: string; cmd: string }[];
  cleanUp(): void;
}

async function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function processesMarked(marker: string): { pid: number; cwd: string; cmd: string }[] {
  const found: { pid: number; cwd: string; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(marker)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      // A zombie already exited: it holds nothing and only waits for its parent to reap it.
      if (!cmd) continue;
      found.push({ pid: Number(entry), cwd: readlinkSync(`/proc/${entry}/cwd`), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * Runs `npm <args>` from the repository root as a user would, on ports of its own, and waits
 * until it serves: the whole supergraph, or with `service` (the variable naming its HTTP port)
 * one service alone.
 */
async function npmStart(args: string[], options: { service?: string; env?: Record<string, string> }): Promise<NpmRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aether-lifecycle-'));
  // The embedded PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
  chmodSync(dataDir, 0o755);
  const [gateway, auth, messaging, grpc, postgres, web] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const marker = `AETHER_LIFECYCLE_RUN=${randomBytes(6).toString('hex')}`;
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of ['DATABASE_URL', 'TEST_DATABASE_URL', 'REDIS_URL', 'MONGO_URL']) delete env[name];
  Object.assign(env, {
    [marker.split('=')[0]]: marker.split('=')[1],
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    AETHER_DATA_DIR: dataDir,
    GATEWAY_PORT: String(gateway),
    AUTH_PORT: String(auth),
    MESSAGING_PORT: String(messaging),
    AUTH_GRPC_PORT: String(grpc),
    AUTH_GRPC_URL: `127.0.0.1:${grpc}`,
    SUBGRAPH_AUTH_URL: `http://127.0.0.1:${auth}/graphql`,
    AUTH_JWKS_URL: `http://127.0.0.1:${auth}/.well-known/jwks.json`,
    SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messaging}/graphql`,
    EMBEDDED_POSTGRES_PORT: String(postgres),
    WEB_PORT: String(web),
    WEB_GATEWAY_URL: `http://127.0.0.1:${gateway}/graphql`,
    ...options.env,
  });
  // Its own process group, so that a failing test can still remove everything it started.
  const npm = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const output: string[] = [];
  npm.stdout!.on('data', (d) => output.push(String(d)));
  npm.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const run: NpmRun = {
    npm,
    ports: options.service ? [Number(env[options.service]), ...(options.service === 'AUTH_PORT' ? [grpc] : [])] : [gateway, auth, messaging, grpc, postgres, web],
    output,
    exited,
    processes: () => processesMarked(marker),
    cleanUp() {
      for (const { pid } of processesMarked(marker)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  const serves = options.service
    ? () => fetch(`http://127.0.0.1:${env[options.service!]}/health`).then((r) => r.ok, () => false)
    : () =>
        fetch(`http://127.0.0.1:${gateway}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        }).then(async (r) => (await r.json())?.data?.__typename === 'Query', () => false);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (await serves()) return run;
    if (npm.exitCode !== null || Date.now() > deadline) {
      run.cleanUp();
      throw new Error(`npm ${args.join(' ')} did not serve the gateway:\n${output.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Waits until no port answers and no process of the run is left; returns how long it took. */
async function everythingGone(run: NpmRun): Promise<number> {
  const started = Date.now();
  for (;;) {
    const open = (await Promise.all(run.ports.map(async (port) => ((await portAnswers(port)) ? port : undefined)))).filter(Boolean);
    const left = run.processes();
    if (open.length === 0 && left.length === 0) return Date.now() - started;
    if (Date.now() - started > STOP_WITHIN_MS) {
      throw new Error(
        `after ${STOP_WITHIN_MS} ms, ports still answering: ${open.join(', ') || 'none'}; processes left:\n` +
          left.map((p) => `  ${p.pid} (${p.cwd}) ${p.cmd}`).join('\n') +
          `\noutput:\n${run.output.join('').slice(-3000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The service process of the run that runs in `dir` (each service runs in its own folder). */
function serviceIn(run: NpmRun, dir: string): number {
  const matches = run.processes().filter((p) => p.cwd === join(ROOT, dir) && p.cmd.includes('src/main.ts'));
  if (matches.length !== 1) throw new Error(`expected one service process in ${dir}, found:\n${matches.map((p) => p.cmd).join('\n')}`);
  return matches[0].pid;
}

describe('stopping npm start', () => {
  it('SIGTERM to the npm process of `npm start` stops every service and the embedded PostgreSQL', async () => {
    const run = await npmStart(['start'], {});
    try {
      expect(run.processes().some((p) => p.cmd.includes('postgres -D'))).toBe(true);
      run.npm.kill('SIGTERM');
      await everythingGone(run);
      expect(run.output.join('')).toContain('stopping embedded PostgreSQL');
    } finally {
      run.cleanUp();
    }
  }, 180_000);

  it('SIGKILL of one service stops the rest, saying which one died', async () => {
    const run = await npmStart(['start'], {});
    try {
      process.kill(serviceIn(run, 'subgraphs/messaging'), 'SIGKILL');
      await everythingGone(run);
      expect(run.output.join('')).toContain('messaging stopped unexpectedly (SIGKILL); stopping the rest');
      expect((await run.exited).code).toBe(1);
    } finally {
      run.cleanUp();
    }
  }, 180_000);

  it('SIGKILL of the start script itself still stops every service and the embedded PostgreSQL', async () => {
    const run = await npmStart(['start'], {});
    try {
      const start = run.processes().find((p) => p.cmd.includes('scripts/start.ts'));
      expect(start).toBeDefined();
      process.kill(start!.pid, 'SIGKILL');
      await everythingGone(run);
    } finally {
      run.cleanUp();
    }
  }, 180_000);
});

describe('stopping npm start -w <workspace>', () => {
  let database: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it.each([
    ['@aether/gateway', 'GATEWAY_PORT'],
    ['@aether/auth', 'AUTH_PORT'],
    ['@aether/messaging', 'MESSAGING_PORT'],
    ['@aether/web', 'WEB_PORT'],
  ])('SIGTERM to the npm process of `npm start -w %s` stops the service', async (workspace, portVariable) => {
    const run = await npmStart(['start', '-w', workspace], { service: portVariable, env: { DATABASE_URL: database.url } });
    try {
      run.npm.kill('SIGTERM');
      await everythingGone(run);
    } finally {
      run.cleanUp();
    }
  }, 180_000);
});
