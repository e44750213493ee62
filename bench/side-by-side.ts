/**
 * Our gateway side by side with Hive Gateway (default runtime, and with its Rust query planner
 * from `@graphql-hive/router-runtime`) in front of the same auth and messaging processes, and
 * auth called directly with a signed identity (what a gateway adds on top of its subgraph).
 * Each gateway verifies the same access tokens and signs the same identities for every fetch.
 * The load is spread round-robin over BENCH_USERS signed-in users (30 by default, more than the
 * connections), so requests in flight at once come from different callers and neither
 * gateway's fetch dedupe (ours per caller, Hive's by default) gets to share their fetches.
 * A second instance of ours with SUBGRAPH_DEDUPE=false makes every request pay its own
 * fetches whatever the load: with it, the gateway's own overhead against calling auth directly.
 *
 * Rounds are interleaved (every target runs once per round, in an order that rotates from
 * round to round), so a noisy neighbour slows every target of a round alike and the per-round
 * ratios stay meaningful. The load generator (autocannon) runs in its own process. Before the
 * rounds every target's answer is checked to equal ours, and under load every answer is
 * compared with it byte for byte (`mismatches` must stay 0).
 *
 * Besides requests per second and latency, each run reads the CPU time each process spent
 * (/proc) and the requests auth and messaging answered (/metrics), so the table says where the
 * time goes: CPU milliseconds per request in the gateway and in each subgraph, and subgraph
 * fetches per request.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { signIdentity } from '@aether/common';
import { gql, registerUser, type TestUser } from '../test/harness';
import { deploymentEnv, freePort, startServiceProcess, type ServiceProcess } from '../test/processes';
import { benchDatabase, benchServices } from './deployment';
import type { LoadJob, LoadResult } from './load';

export interface SideBySideOptions {
  /** Two short rounds instead of five long ones (`npm run bench -- --quick`). */
  quick: boolean;
}

const ROOM_QUERY = `query Room($id: ID!) { room(id: $id) { id name members { role user { id displayName } } messages(first: 20) { edges { node { id seq body author { id displayName } } } } } }`;
const ME_QUERY = `{ me { id displayName } }`;

type TargetName = 'ours' | 'ours, no dedupe' | 'hive' | 'hive router' | 'auth directly';

interface Target {
  name: TargetName;
  url: string;
  /** Request headers per signed-in user, in the order of the bench's users. */
  headers: Record<string, string>[];
  /** The gateway process, whose CPU time is charged to the gateway; none for auth directly. */
  process?: ServiceProcess;
}

interface Run extends LoadResult {
  query: string;
  target: TargetName;
  round: number;
  gatewayCpuMs: number | null;
  authCpuMs: number;
  messagingCpuMs: number;
  authFetches: number;
  messagingFetches: number;
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) a process has used so far, in milliseconds. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** POST requests (GraphQL operations) a service has answered so far, from its Prometheus counter. */
async function graphqlRequests(baseUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('aether_http_requests_total{') && line.includes('method="POST"')) total += Number(line.split(' ').at(-1));
  }
  return total;
}

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // The job goes in on stdin: every caller's expected answer is far more than one argument may hold.
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'load.ts')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end(JSON.stringify(job));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`load generator exited with ${code}`))));
  });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fixed = (n: number | null, digits = 2) => (n === null ? '—' : n.toFixed(digits));

/** The access token's session id, which a gateway puts in the identity it signs. */
function sessionOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')).sid;
}

export async function benchSideBySide(options: SideBySideOptions): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? (options.quick ? 2 : 5));
  const seconds = Number(process.env.BENCH_SECONDS ?? (options.quick ? 4 : 10));
  const warmupSeconds = options.quick ? 2 : 5;
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
  const profileDir = process.env.BENCH_CPU_PROF_DIR;

  const db = await benchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'aether-bench-'));
  const [authPort, grpcPort, messagingPort, gatewayPort, plainPort, hivePort, hiveRouterPort] = await Promise.all(
    Array.from({ length: 7 }, () => freePort()),
  );
  const env: Record<string, string> = {
    ...deploymentEnv({ databaseUrl: db.url, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', dataDir, authPort, grpcPort }),
    MESSAGING_PORT: String(messagingPort),
    SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messagingPort}/graphql`,
    // BENCH_HIVE_LOG=1: Hive Gateway logs and shows errors unmasked, for when it fails the check.
    ...(process.env.BENCH_HIVE_LOG ? { BENCH_HIVE_LOG: process.env.BENCH_HIVE_LOG } : {}),
  };
  const profiled = (name: string): string[] => {
    if (!profileDir) return [];
    mkdirSync(join(profileDir, name), { recursive: true });
    return ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`];
  };
  const processes: ServiceProcess[] = [];
  const start = async (kind: Parameters<typeof startServiceProcess>[0], name: string, port: number, extra: Record<string, string> = {}) => {
    const started = await startServiceProcess(kind, name, port, { ...env, ...extra }, profiled(name), benchServices);
    processes.push(started);
    return started;
  };
  try {
    process.stdout.write('starting auth, messaging, our gateway and two Hive Gateways… ');
    const auth = await start('auth', 'auth', authPort);
    const messaging = await start('messaging', 'messaging', messagingPort);
    const [ours, plain, hive, hiveRouter] = await Promise.all([
      start('gateway', 'gateway', gatewayPort, { GATEWAY_PORT: String(gatewayPort) }),
      // Every request its own subgraph fetches: what the gateway itself costs per request.
      start('gateway', 'gateway-no-dedupe', plainPort, { GATEWAY_PORT: String(plainPort), SUBGRAPH_DEDUPE: 'false' }),
      start('hive-gateway', 'hive', hivePort, { GATEWAY_PORT: String(hivePort) }),
      start('hive-gateway', 'hive-router', hiveRouterPort, { GATEWAY_PORT: String(hiveRouterPort), BENCH_HIVE_RUNTIME: 'router' }),
    ]);
    const gatewayUrl = `http://127.0.0.1:${gatewayPort}/graphql`;
    const userCount = Number(process.env.BENCH_USERS ?? 30);
    process.stdout.write(`done\nseeding ${userCount} users and a room with them all and 20 messages… `);

    const users: TestUser[] = [];
    for (let i = 0; i < userCount; i += 10) {
      users.push(...(await Promise.all(Array.from({ length: Math.min(10, userCount - i) }, () => registerUser({ gatewayUrl })))));
    }
    const [owner] = users;
    const roomId = (await gql(gatewayUrl, `mutation { createRoom(input: { name: "bench" }) { id } }`, {}, { token: owner.accessToken })).data!.createRoom.id;
    for (const member of users.slice(1)) {
      await gql(gatewayUrl, `mutation($r: ID!, $u: ID!) { inviteToRoom(roomId: $r, userId: $u) { id } }`, { r: roomId, u: member.id }, { token: owner.accessToken });
    }
    for (let i = 0; i < 20; i++) {
      const res = await gql(gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`, { i: { roomId, body: `message ${i}` } }, { token: users[i % users.length].accessToken });
      if (!res.data) throw new Error(`sendMessage failed: ${JSON.stringify(res.errors)}`);
    }
    process.stdout.write('done\n');

    const bearer = users.map((u) => ({ 'content-type': 'application/json', authorization: `Bearer ${u.accessToken}` }));
    const gateways: Target[] = [
      { name: 'ours', url: gatewayUrl, headers: bearer, process: ours },
      { name: 'ours, no dedupe', url: `http://127.0.0.1:${plainPort}/graphql`, headers: bearer, process: plain },
      { name: 'hive', url: `http://127.0.0.1:${hivePort}/graphql`, headers: bearer, process: hive },
      { name: 'hive router', url: `http://127.0.0.1:${hiveRouterPort}/graphql`, headers: bearer, process: hiveRouter },
    ];
    // What our gateway sends auth for each caller, signed for the whole run.
    const authDirectly: Target = {
      name: 'auth directly',
      url: env.SUBGRAPH_AUTH_URL,
      headers: users.map((u) => ({
        'content-type': 'application/json',
        'x-aether-identity': signIdentity(
          env.GATEWAY_SECRET,
          { userId: u.id, roles: ['USER'], sessionId: sessionOf(u.accessToken), clientIp: '127.0.0.1' },
          Date.now(),
          24 * 3600_000,
        ),
      })),
    };
    // BENCH_QUERIES=me or room runs one of the two (both by default).
    const only = process.env.BENCH_QUERIES;
    const queries = [
      { key: 'room', name: 'room with 20 messages, authors and members', body: JSON.stringify({ query: ROOM_QUERY, variables: { id: roomId } }), targets: gateways },
      { key: 'me', name: '{ me { id displayName } }', body: JSON.stringify({ query: ME_QUERY }), targets: [...gateways, authDirectly] },
    ]
      .filter((q) => !only || only.split(',').includes(q.key))
      // BENCH_TARGETS='ours;hive' (names as in the table, separated by semicolons) runs only those targets.
      .map((q) => ({ ...q, targets: q.targets.filter((t) => !process.env.BENCH_TARGETS || process.env.BENCH_TARGETS.split(';').includes(t.name)) }));

    // Every target must give our answer to every caller before any of them is timed.
    const expected = new Map<string, string[]>();
    for (const query of queries) {
      const reference: string[] = [];
      for (const target of query.targets) {
        const texts: string[] = [];
        for (const [i, headers] of target.headers.entries()) {
          const res = await fetch(target.url, { method: 'POST', headers, body: query.body });
          const text = await res.text();
          const parsed = JSON.parse(text);
          if (res.status !== 200 || parsed.errors || !parsed.data) throw new Error(`${target.name} failed ${query.name}: ${res.status} ${text}`);
          const canonical = JSON.stringify(parsed);
          reference[i] ??= canonical;
          if (canonical !== reference[i]) throw new Error(`${target.name} answers ${query.name} differently:\n${canonical}\nours:\n${reference[i]}`);
          texts.push(text);
        }
        expected.set(`${query.name}|${target.name}`, texts);
      }
    }
    console.log(`every target answers both queries identically, for each of ${users.length} users`);

    const measure = async (query: (typeof queries)[number], target: Target, round: number, secs: number): Promise<Run> => {
      const before = {
        gateway: target.process ? cpuMs(target.process.child.pid!) : 0,
        auth: cpuMs(auth.child.pid!),
        messaging: cpuMs(messaging.child.pid!),
        authFetches: await graphqlRequests(env.SUBGRAPH_AUTH_URL),
        messagingFetches: await graphqlRequests(env.SUBGRAPH_MESSAGING_URL),
      };
      const load = await runLoad({
        url: target.url,
        callers: expected.get(`${query.name}|${target.name}`)!.map((expectBody, i) => ({ headers: target.headers[i], expectBody })),
        body: query.body,
        connections,
        seconds: secs,
      });
      const per = (n: number) => n / Math.max(1, load.requests);
      return {
        ...load,
        query: query.name,
        target: target.name,
        round,
        gatewayCpuMs: target.process ? per(cpuMs(target.process.child.pid!) - before.gateway) : null,
        authCpuMs: per(cpuMs(auth.child.pid!) - before.auth),
        messagingCpuMs: per(cpuMs(messaging.child.pid!) - before.messaging),
        // The /metrics reads themselves are on another route, so they are not counted.
        authFetches: per((await graphqlRequests(env.SUBGRAPH_AUTH_URL)) - before.authFetches),
        messagingFetches: per((await graphqlRequests(env.SUBGRAPH_MESSAGING_URL)) - before.messagingFetches),
      };
    };

    process.stdout.write('warming up… ');
    for (const query of queries) for (const target of query.targets) await measure(query, target, 0, warmupSeconds);
    process.stdout.write('done\n');

    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const query of queries) {
        const order = query.targets.map((_, i) => query.targets[(i + round - 1) % query.targets.length]);
        for (const target of order) {
          const run = await measure(query, target, round, seconds);
          runs.push(run);
          process.stdout.write(`round ${round}/${rounds} ${query.name.slice(0, 12)}… ${target.name}: ${Math.round(run.rps)} req/s\n`);
        }
      }
    }

    const failed = runs.filter((r) => r.errors || r.non2xx || r.mismatches);
    const host = `${cpus().length} × ${cpus()[0]?.model.trim()}, Node ${process.version}`;
    console.log(`\n${host}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${users.length} users, ${connections} connections; ${rounds} interleaved rounds of ${seconds} s per target and query`);
    console.log('\n| query | target | round | req/s | p50 ms | p99 ms | gateway CPU ms/req | auth CPU ms/req | messaging CPU ms/req | auth fetches/req | messaging fetches/req |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of runs) {
      console.log(
        `| ${r.query} | ${r.target} | ${r.round} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${fixed(r.gatewayCpuMs)} | ${fixed(r.authCpuMs)} | ${fixed(r.messagingCpuMs)} | ${fixed(r.authFetches)} | ${fixed(r.messagingFetches)} |`,
      );
    }

    console.log(
      '\n| query | ours req/s | ours / Hive Gateway | ours / Hive Gateway with router-runtime | ours, no dedupe / auth directly | ours, no dedupe / Hive Gateway | p99 ms ours · Hive · Hive router | gateway CPU ms/req ours · Hive · Hive router |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const query of queries) {
      const of = (target: TargetName) => runs.filter((r) => r.query === query.name && r.target === target);
      // A ratio per round (both figures from the same stretch of time), then their median and range.
      const ratio = (other: TargetName, ours: TargetName = 'ours') => {
        if (!of(other).length) return '—';
        const perRound = of(ours).map((r) => r.rps / of(other).find((o) => o.round === r.round)!.rps);
        return `${median(perRound).toFixed(2)} (${perRound.map((x) => x.toFixed(2)).join(', ')})`;
      };
      const p99 = (target: TargetName) => median(of(target).map((r) => r.p99)).toFixed(0);
      const cpu = (target: TargetName) => median(of(target).map((r) => r.gatewayCpuMs ?? 0)).toFixed(2);
      console.log(
        `| ${query.name} | ${Math.round(median(of('ours').map((r) => r.rps)))} | ${ratio('hive')} | ${ratio('hive router')} | ${ratio('auth directly', 'ours, no dedupe')} | ${ratio('hive', 'ours, no dedupe')} | ${p99('ours')} · ${p99('hive')} · ${p99('hive router')} | ${cpu('ours')} · ${cpu('hive')} · ${cpu('hive router')} |`,
      );
    }
    if (failed.length) {
      throw new Error(`${failed.length} runs had errors, non-2xx answers or answers different from ours: ${JSON.stringify(failed)}`);
    }
  } catch (error) {
    for (const p of processes) if (p.output.length) console.error(`--- ${p.name}\n${p.output.join('').slice(-2000)}`);
    throw error;
  } finally {
    // SIGTERM lets profiled processes write their --cpu-prof files.
    await Promise.all(processes.map((p) => p.kill(profileDir ? 'SIGTERM' : 'SIGKILL')));
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
    if (profileDir) console.log(`\nCPU profiles (open in Chrome DevTools or speedscope): ${profileDir}`);
  }
}
