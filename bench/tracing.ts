/**
 * What tracing costs: the same sendMessage load through the gateway (every service its own
 * process, Redis, PostgreSQL) with tracing off (no OTEL_EXPORTER_OTLP_ENDPOINT: no SDK at all)
 * and on (every span exported over OTLP/HTTP to a loopback receiver that accepts and drops
 * them). The two modes alternate, several rounds each, so a neighbour's load on a shared machine
 * hits both alike; the ratio of the medians is the figure to quote. Besides wall-clock figures it
 * reports the CPU time the three service processes spent per send (from /proc), which a busy
 * neighbour disturbs far less than throughput.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql, registerUser } from '../test/harness';
import { deploymentEnv, freePort, startServiceProcess, type ServiceProcess } from '../test/processes';
import { benchDatabase, benchServices } from './deployment';

const REQUESTS = Number(process.env.BENCH_TRACING_REQUESTS ?? 600);
const CONCURRENCY = Number(process.env.BENCH_TRACING_CONCURRENCY ?? 8);
const ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 3);

const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id seq author { username } } }`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Accepts OTLP exports and drops them: the exporter's full cost, none of a trace store's. */
async function otlpSink(): Promise<{ url: string; spans: () => number; close(): Promise<void> }> {
  let bytes = 0;
  const server: Server = createServer((req, res) => {
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    spans: () => bytes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface RoundResult {
  perSecond: number;
  p50: number;
  p99: number;
  cpuMsPerSend: number;
}

/** CPU time (user + system) a process has used so far, in milliseconds; Linux only (0 elsewhere). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function round(env: Record<string, string>, ports: { auth: number; messaging: number; gateway: number }): Promise<RoundResult> {
  const processes: ServiceProcess[] = [];
  try {
    processes.push(await startServiceProcess('auth', 'auth', ports.auth, env, [], benchServices));
    processes.push(await startServiceProcess('messaging', 'messaging', ports.messaging, env, [], benchServices));
    processes.push(await startServiceProcess('gateway', 'gateway', ports.gateway, env, [], benchServices));
    const url = `http://127.0.0.1:${ports.gateway}/graphql`;
    const [alice, bob] = await Promise.all([registerUser({ gatewayUrl: url }), registerUser({ gatewayUrl: url })]);
    const room = await gql(url, `mutation($m: [ID!]) { createRoom(input: { name: "bench", memberIds: $m }) { id } }`, { m: [bob.id] }, { token: alice.accessToken });
    const roomId = room.data!.createRoom.id as string;
    const send = async (body: string) => {
      const started = process.hrtime.bigint();
      const res = await gql(url, SEND, { i: { roomId, body } }, { token: alice.accessToken });
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    for (let i = 0; i < 50; i++) await send(`warm ${i}`);
    const latencies: number[] = [];
    let next = 0;
    const cpu = () => processes.reduce((sum, p) => sum + cpuMs(p.child.pid), 0);
    const cpuBefore = cpu();
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) latencies.push(await send(`m ${next++}`));
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpuMsPerSend = (cpu() - cpuBefore) / latencies.length;
    latencies.sort((a, b) => a - b);
    return { perSecond: latencies.length / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMsPerSend };
  } finally {
    await Promise.all(processes.map((p) => p.kill('SIGTERM')));
  }
}

export async function benchTracing(): Promise<void> {
  const db = await benchDatabase();
  const sink = await otlpSink();
  const dataDir = mkdtempSync(join(tmpdir(), 'aether-bench-tracing-'));
  try {
    const [auth, grpc, messaging, gateway] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const base = {
      ...deploymentEnv({ databaseUrl: db.url, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', dataDir, authPort: auth, grpcPort: grpc }),
      MESSAGING_PORT: String(messaging),
      SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messaging}/graphql`,
      GATEWAY_PORT: String(gateway),
    };
    const modes = {
      off: base,
      exporting: { ...base, OTEL_EXPORTER_OTLP_ENDPOINT: sink.url },
    };
    const results: Record<keyof typeof modes, RoundResult[]> = { off: [], exporting: [] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const mode of Object.keys(modes) as (keyof typeof modes)[]) {
        const result = await round(modes[mode], { auth, messaging, gateway });
        results[mode].push(result);
        console.error(`round ${i + 1} ${mode}: ${result.perSecond.toFixed(0)}/s p50 ${result.p50.toFixed(1)} ms p99 ${result.p99.toFixed(1)} ms, ${result.cpuMsPerSend.toFixed(2)} CPU ms/send`);
      }
    }
    const summary = (mode: keyof typeof modes) => ({
      perSecond: median(results[mode].map((r) => r.perSecond)),
      p50: median(results[mode].map((r) => r.p50)),
      p99: median(results[mode].map((r) => r.p99)),
      cpu: median(results[mode].map((r) => r.cpuMsPerSend)),
    });
    const off = summary('off');
    const on = summary('exporting');
    console.log(`\nsendMessage through the gateway (author from auth), ${REQUESTS} requests, ${CONCURRENCY} in flight, median of ${ROUNDS} interleaved rounds; ${(sink.spans() / 1e6).toFixed(1)} MB of OTLP exported\n`);
    console.log('| tracing | sends/s | p50 | p99 | CPU per send (3 services) |');
    console.log('| --- | --- | --- | --- | --- |');
    console.log(`| off (no endpoint) | ${off.perSecond.toFixed(0)} | ${off.p50.toFixed(1)} ms | ${off.p99.toFixed(1)} ms | ${off.cpu.toFixed(2)} ms |`);
    console.log(`| exporting every span | ${on.perSecond.toFixed(0)} | ${on.p50.toFixed(1)} ms | ${on.p99.toFixed(1)} ms | ${on.cpu.toFixed(2)} ms |`);
    console.log(
      `\nratios on/off: throughput ${(on.perSecond / off.perSecond).toFixed(2)}, p50 ${(on.p50 / off.p50).toFixed(2)}, p99 ${(on.p99 / off.p99).toFixed(2)}, CPU per send ${(on.cpu / off.cpu).toFixed(2)}`,
    );
  } finally {
    await sink.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchTracing().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
