import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import Redis from 'ioredis';

const ROOT = join(__dirname, '..');

/**
 * Tests run every client from one address: the gateway's rate limits stay out of the way
 * unless a test sets its own (gateway/test/edge.*.test.ts do).
 */
export const UNLIMITED_RATES = {
  RATE_LIMIT_PER_IP: '1000000',
  RATE_LIMIT_PER_USER: '1000000',
  RATE_LIMIT_AUTH_PER_IP: '1000000',
  RATE_LIMIT_SEND_PER_USER: '1000000',
  RATE_LIMIT_BUCKETS: '*=1000000',
};

/**
 * What every service of one deployment started as processes shares: its stores, secrets,
 * Redis prefix and where auth listens. Each service adds its own port (and the gateway the
 * messaging replica it routes to).
 */
export function deploymentEnv(options: { databaseUrl: string; redisUrl: string; dataDir: string; authPort: number; grpcPort: number }): Record<string, string> {
  return {
    ...UNLIMITED_RATES,
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
    HOST: '127.0.0.1',
    AETHER_DATA_DIR: options.dataDir,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    REDIS_PREFIX: `deployment:${randomBytes(3).toString('hex')}:`,
    GATEWAY_SECRET: randomBytes(32).toString('base64url'),
    SERVICE_TOKEN: randomBytes(32).toString('base64url'),
    BCRYPT_COST: '4',
    AUTH_PORT: String(options.authPort),
    AUTH_GRPC_PORT: String(options.grpcPort),
    AUTH_GRPC_URL: `127.0.0.1:${options.grpcPort}`,
    SUBGRAPH_AUTH_URL: `http://127.0.0.1:${options.authPort}/graphql`,
    AUTH_JWKS_URL: `http://127.0.0.1:${options.authPort}/.well-known/jwks.json`,
  };
}

/** A free TCP port on loopback (closed again before it is returned). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function waitUntil(what: string, ok: () => Promise<boolean>, child?: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode}`);
    if (await ok().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

/** Children die with the test process, however it ends, so no service outlives its test run. */
function killOnExit(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.off('exit', kill));
}

export interface ServiceProcess {
  name: string;
  child: ChildProcess;
  /** Everything the process wrote, for a failing test's message. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const ENTRY = {
  auth: 'subgraphs/auth/src/main.ts',
  messaging: 'subgraphs/messaging/src/main.ts',
  gateway: 'gateway/src/main.ts',
  /** Hive Gateway in front of the same subgraphs, for the side-by-side bench. */
  'hive-gateway': 'bench/hive-gateway.ts',
} as const;

/** What `npm run build` makes of each service's entry point. */
const COMPILED_ENTRY = {
  auth: 'subgraphs/auth/dist/main.js',
  messaging: 'subgraphs/messaging/dist/main.js',
  gateway: 'gateway/dist/main.js',
} as const;

/**
 * Starts one service as its own process, the way `npm start -w <workspace>` does, and waits
 * until `GET /health` on `httpPort` answers.
 */
export async function startServiceProcess(
  kind: keyof typeof ENTRY,
  name: string,
  httpPort: number,
  env: Record<string, string>,
  /** Extra flags for node itself, e.g. `--cpu-prof` (which NODE_OPTIONS does not accept). */
  nodeArgs: string[] = [],
  /** Runs the compiled service (`node dist/main.js`, built by `npm run build`), as the images and the Helm chart do, instead of its source. */
  options: { compiled?: boolean } = {},
): Promise<ServiceProcess> {
  const compiled = options.compiled && kind in COMPILED_ENTRY ? COMPILED_ENTRY[kind as keyof typeof COMPILED_ENTRY] : undefined;
  // tsx as a loader inside the service's own process (not the tsx CLI, which runs the service in
  // a second process): a signal sent here, SIGKILL included, reaches the service itself.
  const entry = compiled ? [join(ROOT, compiled)] : ['--import', 'tsx', '--conditions=aether-source', join(ROOT, ENTRY[kind])];
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  const output: string[] = [];
  child.stdout!.on('data', (d) => output.push(String(d)));
  child.stderr!.on('data', (d) => output.push(String(d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  try {
    await waitUntil(name, async () => (await fetch(`http://127.0.0.1:${httpPort}/health`)).ok, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${output.join('').slice(-3000)}`);
  }
  return {
    name,
    child,
    output,
    exited,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface RedisProcess {
  url: string;
  port: number;
  /** Kills the server at once (SIGKILL): clients see the connection drop mid-stream. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: nothing is kept on disk). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A Redis server of the test's own, so that killing it disturbs nobody else. */
export async function startRedisProcess(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    killOnExit(child);
    await waitUntil('redis-server', async () => {
      const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } finally {
        probe.disconnect();
      }
    }, child);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise((resolve) => {
      c.once('exit', resolve);
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start, stop: kill };
}
