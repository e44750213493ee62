/**
 * One run of bench/subscriptions.ts: a set of subscribers (in a child process, bench/subscribers.ts)
 * subscribed through one gateway, and phases of messages sent into their room, each measured.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gql, type TestUser } from '../test/harness';
import type { Collected, SubscriberSpec, SubscribersCommand } from './subscribers';

export interface Target {
  name: 'ours' | 'hive';
  url: string;
  pid: number;
}

export interface Phase {
  label: string;
  messages: number;
  /** Between two sends; 0: as fast as answers come, 10 in flight. */
  intervalMs: number;
}

export interface PhaseResult {
  deliveries: number;
  expected: number;
  mismatches: number;
  outOfOrder: number;
  errors: number;
  p50: number;
  p99: number;
  /** Deliveries per second, from the first send to the last delivery. */
  perSecond: number;
  messagingCpuMs: number;
  gatewayCpuMs: number;
}

const CLOCK_TICKS_PER_SECOND = 100;
/** How long a phase may take to deliver everything before it is reported as it stands. */
const DELIVERY_DEADLINE_MS = Number(process.env.BENCH_DELIVERY_DEADLINE_MS ?? 180_000);
const SEND = `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`;

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident memory of a process, in bytes. */
/**
 * Waits until the given processes are idle together (under a tenth of a core over a second), at
 * most `maxMs`: a gateway still working off a backlog after its phases (Hive at 1,000
 * subscribers) would otherwise slow the next target's run. Returns the ms waited.
 */
export async function settle(pids: number[], maxMs = 60_000): Promise<number> {
  const started = Date.now();
  const total = () => pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  for (;;) {
    const before = total();
    await sleep(1000);
    if (total() - before < 100 || Date.now() - started >= maxMs) return Date.now() - started;
  }
}

export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const now = () => performance.timeOrigin + performance.now();

/** Sends a command to the subscribers' process and waits for the answer of the given type. */
function ask<T>(child: ChildProcess, command: SubscribersCommand | undefined, answer: string, timeoutMs = 600_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`subscribers: no ${answer} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { type: string } & T) => {
      if (message.type !== answer) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    if (command) child.send(command);
  });
}

export async function openSubscribers(options: {
  target: Target;
  messagingPid: number;
  roomId: string;
  selection: string;
  messageExtra?: Record<string, unknown>;
  subscribers: SubscriberSpec[];
  senders: TestUser[];
}) {
  const { target, roomId, senders } = options;
  const token = senders[0].accessToken;
  const from = (await gql(target.url, `query($r: ID!) { room(id: $r) { lastSeq } }`, { r: roomId }, { token })).data!.room.lastSeq;
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'subscribers.ts')], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const rssBefore = rssBytes(target.pid);
  const openCpuBefore = cpuMs(target.pid);
  const query = `subscription($r: ID!, $a: Int) { roomEvents(roomId: $r, afterSeq: $a) { seq ... on MessageAdded { message { body ${options.selection} } } } }`;
  const warm = ask<{ errors: number; sample?: string }>(child, undefined, 'warm');
  await ask(child, { type: 'open', url: target.url, query, variables: { r: roomId, a: from }, subscribers: options.subscribers, warmBody: 'warm-up', messageExtra: options.messageExtra }, 'opened');
  // Subscribers that joined after it get the warm-up replayed (afterSeq), so one send reaches all.
  await gql(target.url, SEND, { i: { roomId, body: 'warm-up:0:0' } }, { token });
  const opening = await warm;
  // Reported, and the run goes on: its deliveries then fall short of what was expected.
  if (opening.errors) console.error(`\n${target.name}: ${opening.errors} of ${options.subscribers.length} subscriptions failed: ${opening.sample}`);
  // What the gateway spent admitting each subscriber (socket, connection_init, subscribe, replay of the warm-up).
  const openCpuMs = (cpuMs(target.pid) - openCpuBefore) / options.subscribers.length;
  await sleep(1000);
  const rssPerSocket = (rssBytes(target.pid) - rssBefore) / options.subscribers.length;
  await ask<{ collected: Collected }>(child, { type: 'collect' }, 'collected');

  return {
    rssPerSocket,
    openCpuMs,
    async phase(phase: Phase): Promise<PhaseResult> {
      const cpuBefore = { messaging: cpuMs(options.messagingPid), gateway: cpuMs(target.pid) };
      const started = now();
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < phase.messages; i++) {
        const sender = i % senders.length;
        const body = `${phase.label.replace(/\W/g, '')}-${i}:${sender}:${now()}`;
        // A gateway that falls far behind (Hive at 1,000 subscribers) answers sends slowly too: measured, not cut off.
        sends.push(gql(target.url, SEND, { i: { roomId, body } }, { token: senders[sender].accessToken, timeoutMs: 300_000 }));
        if (phase.intervalMs) await sleep(phase.intervalMs);
        else if (sends.length % 10 === 0) await Promise.all(sends.slice(-10));
      }
      await Promise.all(sends);
      const expected = phase.messages * options.subscribers.length;
      const total: Collected = { deliveries: 0, mismatches: 0, outOfOrder: 0, errors: 0, latencies: [], firstAt: 0, lastAt: 0 };
      const deadline = Date.now() + DELIVERY_DEADLINE_MS;
      while (total.deliveries + total.mismatches < expected && Date.now() < deadline && !total.errors) {
        await sleep(200);
        const { collected } = await ask<{ collected: Collected }>(child, { type: 'collect' }, 'collected');
        for (const key of ['deliveries', 'mismatches', 'outOfOrder', 'errors'] as const) total[key] += collected[key];
        for (const l of collected.latencies) total.latencies.push(l);
        total.lastAt = collected.lastAt || total.lastAt;
        total.sample ??= collected.sample;
      }
      if (total.sample) console.error(`\n${target.name}: ${total.sample}`);
      const cpu = { messaging: cpuMs(options.messagingPid) - cpuBefore.messaging, gateway: cpuMs(target.pid) - cpuBefore.gateway };
      const sorted = total.latencies.sort((a, b) => a - b);
      return {
        deliveries: total.deliveries,
        expected,
        mismatches: total.mismatches,
        outOfOrder: total.outOfOrder,
        errors: total.errors,
        p50: percentile(sorted, 50),
        p99: percentile(sorted, 99),
        perSecond: Math.round(total.deliveries / ((total.lastAt - started) / 1000)),
        messagingCpuMs: cpu.messaging / phase.messages,
        gatewayCpuMs: cpu.gateway / phase.messages,
      };
    },
    async close(): Promise<void> {
      child.send({ type: 'close' } satisfies SubscribersCommand);
      await new Promise((resolve) => child.once('exit', resolve));
      await sleep(1000);
    },
  };
}
