/**
 * The subscribers of bench/subscriptions.ts, in their own process so that thousands of
 * WebSocket clients never share an event loop with the bench's sends and bookkeeping. Driven
 * over IPC: `open` subscribes every subscriber (each its own user and socket) and answers when
 * each has seen the warm-up message; `collect` returns what arrived since the last `collect`.
 *
 * Every delivery is checked, not only counted: it must be exactly
 * `{ data: { roomEvents: { seq, message: { body, author } } } }` where `author` is what a query by
 * that subscriber returns for the message's sender, and each subscriber's seqs must only rise
 * (a duplicate or a reordering counts as `outOfOrder`). Message bodies are
 * `<label>:<sender index>:<send time, ms since the epoch>`, so latency is measured here.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface SubscriberSpec {
  token: string;
  /** Per sender index, the `author` object a query by this subscriber returns. */
  authors: unknown[];
}

export type SubscribersCommand =
  | { type: 'open'; url: string; query: string; variables: Record<string, unknown>; subscribers: SubscriberSpec[]; warmBody: string; messageExtra?: Record<string, unknown> }
  | { type: 'collect' }
  | { type: 'close' };

export interface Collected {
  deliveries: number;
  mismatches: number;
  outOfOrder: number;
  errors: number;
  /** Delivery latencies in ms, one per delivery. */
  latencies: number[];
  firstAt: number;
  lastAt: number;
  /** A mismatching delivery and what was expected, for the bench's failure message. */
  sample?: string;
}

interface Delivery {
  data?: { roomEvents?: { seq?: number; message?: { body?: string } } };
}

const now = () => performance.timeOrigin + performance.now();
const send = (message: unknown) => process.send!(message);

let clients: Client[] = [];
let collected: Collected = fresh();

function fresh(): Collected {
  return { deliveries: 0, mismatches: 0, outOfOrder: 0, errors: 0, latencies: [], firstAt: 0, lastAt: 0 };
}

function subscribe(command: Extract<SubscribersCommand, { type: 'open' }>, spec: SubscriberSpec, onWarm: () => void): Client {
  const client = createClient({
    url: command.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${spec.token}` },
    // As a chat client does: a socket refused or dropped while thousands open at once tries again
    // (resuming from the same afterSeq, so nothing is counted twice).
    retryAttempts: 5,
    lazy: true,
  });
  let lastSeq = -1;
  let warm = false;
  client.subscribe(
    { query: command.query, variables: command.variables },
    {
      next: (result) => {
        const at = now();
        const event = (result as Delivery).data?.roomEvents;
        const body = event?.message?.body ?? '';
        const [, sender, sentAt] = body.split(':');
        const expected = JSON.stringify({ data: { roomEvents: { seq: event?.seq, message: { body, author: spec.authors[Number(sender)], ...command.messageExtra } } } });
        const actual = JSON.stringify(result);
        if (body === command.warmBody || body.startsWith(`${command.warmBody}:`)) {
          if (!warm) onWarm();
          warm = true;
          lastSeq = Math.max(lastSeq, event?.seq ?? -1);
          return;
        }
        if (actual !== expected) {
          collected.mismatches++;
          collected.sample ??= `got ${actual}\nexpected ${expected}`;
          return;
        }
        if ((event!.seq as number) <= lastSeq) collected.outOfOrder++;
        lastSeq = event!.seq as number;
        collected.deliveries++;
        collected.latencies.push(at - Number(sentAt));
        collected.firstAt ||= at;
        collected.lastAt = at;
      },
      error: (error) => {
        collected.errors++;
        collected.sample ??= `error ${error instanceof Error ? error.message : JSON.stringify(error)}`;
        // A subscriber that failed before warming up does not hold the run up; its error is reported.
        if (!warm) onWarm();
        warm = true;
      },
      complete: () => undefined,
    },
  );
  return client;
}

/** Sockets opened at once: a gateway given thousands of `connection_init`s in one go checks them all against auth together. */
const OPEN_BATCH = 100;

process.on('message', async (command: SubscribersCommand) => {
  if (command.type === 'open') {
    let warm = 0;
    const onWarm = () => {
      if (++warm === command.subscribers.length) send({ type: 'warm', errors: collected.errors, sample: collected.sample });
    };
    for (let i = 0; i < command.subscribers.length; i += OPEN_BATCH) {
      clients.push(...command.subscribers.slice(i, i + OPEN_BATCH).map((spec) => subscribe(command, spec, onWarm)));
      await new Promise((r) => setTimeout(r, 50));
    }
    send({ type: 'opened' });
  } else if (command.type === 'collect') {
    send({ type: 'collected', collected });
    collected = fresh();
  } else {
    void Promise.all(clients.map((c) => c.dispose())).then(() => process.exit(0));
  }
});
