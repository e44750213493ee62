/**
 * Live delivery through the gateway: 1,000 subscribers (each its own user and WebSocket) in one
 * room on one gateway, every service its own process over Redis and PostgreSQL, as deployed.
 * Two selections run side by side in one run:
 *  - shared: `author { displayName }` is the same for every viewer, so the gateway computes
 *    each event once for all subscribers;
 *  - per subscriber: `author { email }` depends on who asks (@viewerSpecific), so the gateway
 *    runs the entity fetch to auth once per subscriber and event.
 * For each: a paced phase (messages at a steady rate: delivery latency p50/p99) and a burst
 * phase (messages as fast as they can be sent: deliveries per second).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gql, registerUser, type TestUser } from '../test/harness';
import { deploymentEnv, freePort, startServiceProcess, type ServiceProcess } from '../test/processes';
import { wsClient } from '../test/ws-client';
import { benchDatabase } from './deployment';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const PACED_MESSAGES = Number(process.env.BENCH_PACED_MESSAGES ?? 40);
const PACED_INTERVAL_MS = Number(process.env.BENCH_PACED_INTERVAL_MS ?? 250);
const BURST_MESSAGES = Number(process.env.BENCH_BURST_MESSAGES ?? 40);

const SELECTIONS = {
  shared: 'author { displayName }',
  'per subscriber': 'author { displayName email }',
} as const;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function inBatches<T>(items: T[], size: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

interface PhaseResult {
  deliveries: number;
  expected: number;
  seconds: number;
  p50: number;
  p99: number;
  max: number;
}

export async function benchSubscriptions(): Promise<void> {
  const db = await benchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'aether-bench-'));
  const [authPort, grpcPort, messagingPort, gatewayPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const env: Record<string, string> = {
    ...deploymentEnv({ databaseUrl: db.url, redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', dataDir, authPort, grpcPort }),
    MESSAGING_PORT: String(messagingPort),
    SUBGRAPH_MESSAGING_URL: `http://127.0.0.1:${messagingPort}/graphql`,
    GATEWAY_PORT: String(gatewayPort),
    WS_MAX_BUFFERED_EVENTS: '100000',
  };
  const processes: ServiceProcess[] = [];
  const url = `http://127.0.0.1:${gatewayPort}/graphql`;
  try {
    processes.push(await startServiceProcess('auth', 'auth', authPort, env));
    processes.push(await startServiceProcess('messaging', 'messaging', messagingPort, env));
    processes.push(await startServiceProcess('gateway', 'gateway', gatewayPort, env));

    process.stdout.write(`registering ${SUBSCRIBERS} users… `);
    const users: TestUser[] = [];
    await inBatches(
      Array.from({ length: SUBSCRIBERS }, (_, i) => i),
      25,
      async (i) => users.push(await registerUser({ gatewayUrl: url }, `bench_${i}_${randomBytes(2).toString('hex')}`)),
    );
    const owner = users[0];
    const roomId = (await gql(url, `mutation { createRoom(input: { name: "bench" }) { id } }`, {}, { token: owner.accessToken })).data!.createRoom.id;
    await inBatches(users.slice(1), 20, (u) =>
      gql(url, `mutation($r: ID!, $u: ID!) { inviteToRoom(roomId: $r, userId: $u) { id } }`, { r: roomId, u: u.id }, { token: owner.accessToken }),
    );
    process.stdout.write('done\n');

    const results: Record<string, { paced: PhaseResult; burst: PhaseResult }> = {};
    for (const [name, selection] of Object.entries(SELECTIONS)) {
      const sentAt = new Map<string, number>();
      const latencies: number[] = [];
      let deliveries = 0;
      let lastDelivery = 0;
      const query = `subscription($r: ID!, $a: Int) { roomEvents(roomId: $r, afterSeq: $a) { seq ... on MessageAdded { message { body ${selection} } } } }`;
      const from = (await gql(url, `query($r: ID!) { room(id: $r) { lastSeq } }`, { r: roomId }, { token: owner.accessToken })).data!.room.lastSeq;
      const clients = users.map((u) => wsClient(url, u.accessToken));
      const warm = new Set<number>();
      clients.forEach((client, i) =>
        client.subscribe<{ roomEvents: { message: { body: string } } }>(
          { query, variables: { r: roomId, a: from } },
          {
            next: (result) => {
              const body = result.data?.roomEvents.message.body ?? '';
              if (body === 'warm-up') return void warm.add(i);
              const at = sentAt.get(body);
              if (at === undefined) return;
              const now = performance.now();
              latencies.push(now - at);
              deliveries++;
              lastDelivery = now;
            },
            error: (error) => console.error(`subscriber ${i}:`, error),
            complete: () => undefined,
          },
        ),
      );
      // Every subscriber is live once it has seen the warm-up message.
      await gql(url, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body: 'warm-up' } }, { token: owner.accessToken });
      while (warm.size < SUBSCRIBERS) await sleep(50);

      const phase = async (label: string, count: number, intervalMs: number): Promise<PhaseResult> => {
        latencies.length = 0;
        deliveries = 0;
        const started = performance.now();
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < count; i++) {
          const body = `${label}-${i}`;
          sentAt.set(body, performance.now());
          sends.push(gql(url, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body } }, { token: users[1 + (i % 10)].accessToken }));
          if (intervalMs) await sleep(intervalMs);
          else if (sends.length % 10 === 0) await Promise.all(sends.slice(-10));
        }
        await Promise.all(sends);
        const expected = count * SUBSCRIBERS;
        const deadline = Date.now() + 300_000;
        while (deliveries < expected && Date.now() < deadline) await sleep(20);
        const sorted = [...latencies].sort((a, b) => a - b);
        return {
          deliveries,
          expected,
          seconds: (lastDelivery - started) / 1000,
          p50: percentile(sorted, 50),
          p99: percentile(sorted, 99),
          max: sorted.at(-1) ?? 0,
        };
      };
      process.stdout.write(`${name}: paced… `);
      const paced = await phase(`${name}-paced`, PACED_MESSAGES, PACED_INTERVAL_MS);
      process.stdout.write('burst… ');
      const burst = await phase(`${name}-burst`, BURST_MESSAGES, 0);
      process.stdout.write('done\n');
      results[name] = { paced, burst };
      await Promise.all(clients.map((c) => c.dispose()));
      await sleep(1000);
    }

    const rate = (r: PhaseResult) => Math.round(r.deliveries / r.seconds);
    console.log(`\n${SUBSCRIBERS} subscribers in one room, one gateway (${env.REDIS_URL ? 'Redis' : 'in-process'} pub/sub, every service its own process)`);
    console.log(`paced: ${PACED_MESSAGES} messages, one every ${PACED_INTERVAL_MS} ms; burst: ${BURST_MESSAGES} messages, 10 in flight\n`);
    console.log('| selection | paced p50 ms | paced p99 ms | paced deliveries/s | burst deliveries/s | burst p99 ms | delivered |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    for (const [name, { paced, burst }] of Object.entries(results)) {
      console.log(
        `| ${name} | ${paced.p50.toFixed(1)} | ${paced.p99.toFixed(1)} | ${rate(paced)} | ${rate(burst)} | ${burst.p99.toFixed(0)} | ${paced.deliveries + burst.deliveries}/${paced.expected + burst.expected} |`,
      );
    }
    const [shared, own] = [results.shared, results['per subscriber']];
    console.log(
      `\nshared / per subscriber: burst throughput ×${(rate(shared.burst) / rate(own.burst)).toFixed(1)}, paced p99 ×${(own.paced.p99 / shared.paced.p99).toFixed(1)} lower`,
    );
  } finally {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
