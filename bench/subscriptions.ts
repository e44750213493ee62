/**
 * Live delivery through a gateway, every service its own process over Redis and PostgreSQL, as
 * deployed: our gateway and Hive Gateway (bench/hive-gateway.ts, graphql-ws to messaging) in
 * front of the same auth and messaging processes. One room; every subscriber its own user and
 * socket, all driven from a child process (bench/subscribers.ts) that checks every delivery
 * against what a query by that subscriber returns. Cases (`BENCH_SUB_CASES`, comma-separated):
 *  - `shared-1000`: 1,000 subscribers, `author { displayName }` (the same for every viewer),
 *    paced at 10 msg/s then a burst (10 sends in flight);
 *  - `shared-100`: the same with 100 subscribers (paced and burst), for messaging's CPU per event against 1,000;
 *  - `shared-5000`: 5,000 subscribers at 2 msg/s;
 *  - `email-200`: 200 subscribers, `author { displayName email }` (`email` is @viewerSpecific:
 *    each subscriber sees only its own), paced then a burst;
 *  - `reacted-200`: 200 subscribers, `author { displayName } reactions { emoji count reactedByMe }`
 *    (messaging's own viewer-specific field, as a chat UI's reaction chips select it).
 * Every target first serves an unreported warm-up run (100 subscribers, 20 messages at 10/s).
 * Before each run the bench waits (at most 60 s) until every service is idle, so that a gateway
 * still working off a backlog (Hive at 1,000 subscribers) does not slow the next target's run.
 * For each run: latency p50/p99, deliveries/s, messaging's and the gateway's CPU ms per event
 * (/proc), and the gateway's RSS per idle subscribed socket (RSS after subscribing and warming
 * up, less RSS before, over the sockets). Targets run interleaved over `BENCH_ROUNDS` rounds.
 * `BENCH_QUICK=1`: a tenth of the subscribers and 10 messages per phase. `BENCH_SUB_HIVE=0`: our
 * gateway only. `BENCH_DELIVERY_DEADLINE_MS` (180 s): how long a phase may take to deliver
 * everything before it is reported as it stands (Hive falls that far behind at 1,000).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql, registerUser, type TestUser } from '../test/harness';
import { deploymentEnv, freePort, startServiceProcess, type ServiceProcess } from '../test/processes';
import { benchDatabase, benchServices } from './deployment';
import { openSubscribers, settle, type Phase, type Target } from './subscription-run';

const QUICK = process.env.BENCH_QUICK === '1';
const scale = (n: number) => (QUICK ? Math.max(10, Math.round(n / 10)) : n);
const MESSAGES = Number(process.env.BENCH_PACED_MESSAGES ?? (QUICK ? 10 : 50));
const BURST = Number(process.env.BENCH_BURST_MESSAGES ?? (QUICK ? 10 : 50));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);

interface Case {
  name: string;
  subscribers: number;
  selection: string;
  /** Fields of each delivered message past `body` and `author`, as every subscriber sees them. */
  messageExtra?: Record<string, unknown>;
  phases: Phase[];
  targets: Target['name'][];
}

const SHARED = 'author { displayName }';
const EMAIL = 'author { displayName email }';
/** What a chat UI selects for its reaction chips: `reactedByMe` is messaging's own viewer-specific field. */
const REACTED = 'author { displayName } reactions { emoji count reactedByMe }';
const paced = (perSecond: number): Phase => ({ label: `paced ${perSecond}/s`, messages: MESSAGES, intervalMs: 1000 / perSecond });
const burst: Phase = { label: 'burst', messages: BURST, intervalMs: 0 };

const CASES: Case[] = [
  { name: 'shared-100', subscribers: scale(100), selection: SHARED, phases: [paced(10), burst], targets: ['ours'] },
  { name: 'shared-1000', subscribers: scale(1000), selection: SHARED, phases: [paced(10), burst], targets: ['ours', 'hive'] },
  { name: 'email-200', subscribers: scale(200), selection: EMAIL, phases: [paced(10), burst], targets: ['ours', 'hive'] },
  { name: 'reacted-200', subscribers: scale(200), selection: REACTED, messageExtra: { reactions: [] }, phases: [paced(10), burst], targets: ['ours', 'hive'] },
  { name: 'shared-5000', subscribers: scale(5000), selection: SHARED, phases: [{ ...paced(2), messages: Math.min(MESSAGES, 20) }], targets: ['ours'] },
];

async function seed(url: string, count: number): Promise<{ users: TestUser[]; roomId: string }> {
  const users: TestUser[] = [];
  for (let i = 0; i < count; i += 25) {
    const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) => `bench_${i + j}_${randomBytes(2).toString('hex')}`);
    users.push(...(await Promise.all(batch.map((name) => registerUser({ gatewayUrl: url }, name)))));
  }
  const owner = users[0];
  const roomId = (await gql(url, `mutation { createRoom(input: { name: "bench" }) { id } }`, {}, { token: owner.accessToken })).data!.createRoom.id;
  const invite = `mutation($r: ID!, $u: ID!) { inviteToRoom(roomId: $r, userId: $u) { id } }`;
  for (let i = 1; i < users.length; i += 25) {
    await Promise.all(users.slice(i, i + 25).map((u) => gql(url, invite, { r: roomId, u: u.id }, { token: owner.accessToken })));
  }
  return { users, roomId };
}

/** Per subscriber, the `author` a query by that subscriber returns for each of the senders. */
async function expectedAuthors(url: string, subscribers: TestUser[], senders: TestUser[], selection: string): Promise<unknown[][]> {
  const fields = selection.replace(/^author /, '').replace(/ reactions .*$/, '');
  const query = `query { ${senders.map((s, i) => `s${i}: user(id: "${s.id}") ${fields}`).join(' ')} }`;
  const answer = async (u: TestUser) => {
    const res = await gql(url, query, {}, { token: u.accessToken });
    if (!res.data) throw new Error(`author query failed: ${JSON.stringify(res.errors)}`);
    return senders.map((_, i) => res.data![`s${i}`]);
  };
  if (!selection.includes('email')) return Array(subscribers.length).fill(await answer(subscribers[0]));
  const out: unknown[][] = [];
  for (let i = 0; i < subscribers.length; i += 25) out.push(...(await Promise.all(subscribers.slice(i, i + 25).map(answer))));
  return out;
}

/** The subscriptions messaging holds open now (its `aether_subgraph_subscriptions_active`). */
async function upstreamSubscriptions(messagingPort: number): Promise<number> {
  const scrape = await (await fetch(`http://127.0.0.1:${messagingPort}/metrics`)).text();
  return [...scrape.matchAll(/^aether_subgraph_subscriptions_active(?:\{[^}]*\})? (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

export async function benchSubscriptions(): Promise<void> {
  const only = process.env.BENCH_SUB_CASES?.split(',');
  const cases = CASES.filter((c) => !only || only.includes(c.name));
  const db = await benchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'aether-bench-'));
  const [authPort, grpcPort, messagingPort, gatewayPort, hivePort] = await Promise.all(Array.from({ length: 5 }, () => freePort()));
  const env: Record<string, string> = {
    ...deploymentEnv({ databaseUrl: db.url, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', dataDir, authPort, grpcPort }),
    MESSAGING_PORT: String(messagingPort),
    SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messagingPort}/graphql`,
    WS_MAX_BUFFERED_EVENTS: '100000',
    WS_INIT_TIMEOUT_MS: '60000',
  };
  const processes: ServiceProcess[] = [];
  const profileDir = process.env.BENCH_CPU_PROF_DIR;
  const start = async (kind: Parameters<typeof startServiceProcess>[0], name: string, port: number, extra: Record<string, string> = {}) => {
    const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, name)}`] : [];
    // More flags for the gateway's node, e.g. `--trace-gc` (BENCH_GATEWAY_NODE_ARGS, space-separated).
    if (kind === 'gateway') flags.push(...(process.env.BENCH_GATEWAY_NODE_ARGS?.split(' ').filter(Boolean) ?? []));
    const started = await startServiceProcess(kind, name, port, { ...env, ...extra }, flags, benchServices);
    processes.push(started);
    return started;
  };
  try {
    await start('auth', 'auth', authPort);
    const messaging = await start('messaging', 'messaging', messagingPort);
    const needsHive = cases.some((c) => c.targets.includes('hive')) && process.env.BENCH_SUB_HIVE !== '0';
    const [ours, hive] = await Promise.all([
      start('gateway', 'gateway', gatewayPort, { GATEWAY_PORT: String(gatewayPort) }),
      needsHive ? start('hive-gateway', 'hive', hivePort, { GATEWAY_PORT: String(hivePort) }) : undefined,
    ]);
    const targets: Target[] = [{ name: 'ours', url: `http://127.0.0.1:${gatewayPort}/graphql`, pid: ours.child.pid! }];
    if (hive) targets.push({ name: 'hive', url: `http://127.0.0.1:${hivePort}/graphql`, pid: hive.child.pid! });

    const most = Math.max(...cases.map((c) => c.subscribers), 11);
    process.stdout.write(`registering ${most} users and inviting them to one room… `);
    const { users, roomId } = await seed(targets[0].url, most);
    const senders = users.slice(1, 11);
    process.stdout.write('done\n');

    // Each row as soon as it is measured: a run cut short still leaves its figures.
    console.log(`\nload average at the start ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${MESSAGES} paced messages, burst ${BURST} (10 in flight)\n`);
    console.log('| round | case | gateway | phase | p50 ms | p99 ms | deliveries/s | messaging CPU ms/event | gateway CPU ms/event | gateway RSS KiB/socket | gateway CPU ms/subscribe | delivered | wrong | out of order | load avg |');
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    // A freshly started gateway compiles its hot paths during its first thousands of deliveries:
    // every target first serves one unreported run (100 subscribers, 20 messages at 10/s).
    for (const target of targets) {
      const warmAuthors = await expectedAuthors(targets[0].url, users.slice(0, Math.min(100, users.length)), senders, SHARED);
      const warm = await openSubscribers({
        target,
        messagingPid: messaging.child.pid!,
        roomId,
        selection: SHARED,
        subscribers: warmAuthors.map((authors, i) => ({ token: users[i].accessToken, authors })),
        senders,
      });
      await warm.phase({ label: 'warm-up', messages: 20, intervalMs: 100 }).finally(() => warm.close());
    }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const c of cases) {
        const authors = await expectedAuthors(targets[0].url, users.slice(0, c.subscribers), senders, c.selection);
        const order = targets.filter((t) => c.targets.includes(t.name));
        if (round % 2 === 0) order.reverse();
        for (const target of order) {
          const waited = await settle(processes.map((p) => p.child.pid!));
          // Upstream subscriptions an earlier run left open at messaging cost every send of this run.
          const held = await upstreamSubscriptions(messagingPort);
          if (held) console.error(`(before ${c.name} through ${target.name}: messaging still holds ${held} subscriptions, after waiting ${waited} ms for the services to go idle)`);
          const run = await openSubscribers({
            target,
            messagingPid: messaging.child.pid!,
            roomId,
            selection: c.selection,
            messageExtra: c.messageExtra,
            subscribers: users.slice(0, c.subscribers).map((u, i) => ({ token: u.accessToken, authors: authors[i] })),
            senders,
          });
          // The phases measure delivery to subscribers already in: what admitting them left running
          // (messaging's membership checks and replays) finishes first. What it cost is reported apart.
          await settle(processes.map((p) => p.child.pid!));
          try {
            for (const phase of c.phases) {
              const r = await run.phase(phase);
              const load = loadavg().map((l) => l.toFixed(1)).join(' ');
              const row = `| ${round} | ${c.name} | ${target.name} | ${phase.label} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.perSecond} | ${r.messagingCpuMs.toFixed(2)} | ${r.gatewayCpuMs.toFixed(1)} | ${(run.rssPerSocket / 1024).toFixed(1)} | ${run.openCpuMs.toFixed(2)} | ${r.deliveries}/${r.expected} | ${r.mismatches + r.errors} | ${r.outOfOrder} | ${load} |`;
              console.log(row);
            }
          } finally {
            await run.close();
          }
        }
      }
    }
    console.log(`\nload average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } catch (error) {
    for (const p of processes) if (p.output.length) console.error(`--- ${p.name}\n${p.output.join('').slice(-3000)}`);
    throw error;
  } finally {
    await Promise.all(processes.map((p) => p.kill(profileDir ? 'SIGTERM' : 'SIGKILL')));
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
