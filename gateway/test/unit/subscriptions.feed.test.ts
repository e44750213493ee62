import { SlowConsumerError, UpstreamFeed, type UpstreamSink } from '../../src/subscriptions/upstream-feed';

/** A subgraph subscription as the feed sees it: every open() with the seq it resumes from, and who is listening. */
function upstream() {
  const opened: (number | null)[] = [];
  let sink: UpstreamSink | undefined;
  let open = false;
  return {
    opened,
    get open() {
      return open;
    },
    send: (seq: number) => sink?.next({ data: { roomEvents: { seq } } }),
    sendUnsequenced: (n: number) => sink?.next({ data: { typing: { n } } }),
    connect: (afterSeq: number | null, s: UpstreamSink) => {
      opened.push(afterSeq);
      sink = s;
      open = true;
      return () => {
        open = false;
      };
    },
  };
}

const seqOf = (data: unknown) => (data as { roomEvents?: { seq: number } }).roomEvents?.seq;
const seqOfItem = (item: unknown) => (item as { event: { data: { roomEvents: { seq: number } } } }).event.data.roomEvents.seq;

describe('subscriptions: the upstream feed holds bounded events', () => {
  it('pauses a replay after a window and resumes it from the last seq received, losing and repeating nothing', async () => {
    const sub = upstream();
    // The subgraph answers every opening with its whole replay at once, as fast as it reads it.
    const feed = new UpstreamFeed({
      open: (afterSeq, sink) => {
        const unsubscribe = sub.connect(afterSeq, sink);
        queueMicrotask(() => {
          for (let seq = (afterSeq ?? 0) + 1; seq <= 100 && sub.open; seq++) sub.send(seq);
        });
        return unsubscribe;
      },
      seqOf,
      afterSeq: 0,
      window: 10,
      maxBuffered: 1000,
    });
    const delivered: number[] = [];
    let mostHeld = 0;
    while (delivered.length < 100) {
      delivered.push(seqOfItem(await feed.next()));
      mostHeld = Math.max(mostHeld, feed.held);
    }
    expect(delivered).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(mostHeld).toBeLessThanOrEqual(10);
    // Paused at 10 held, reopened at 5: from 10, then every 5 seqs.
    expect(sub.opened.slice(0, 4)).toEqual([0, 10, 15, 20]);
    feed.close();
    expect(sub.open).toBe(false);
  });

  it('cuts off a subscription over its cap as soon as the event arrives, not after executing its backlog', async () => {
    const sub = upstream();
    const feed = new UpstreamFeed({ open: sub.connect, afterSeq: null, window: 10, maxBuffered: 5 });
    for (let n = 0; n < 6; n++) sub.sendUnsequenced(n);
    const first = await feed.next();
    expect('error' in first && first.error).toBeInstanceOf(SlowConsumerError);
    expect(sub.open).toBe(false);
  });

  it('keeps a subscription that stays under its cap', async () => {
    const sub = upstream();
    const feed = new UpstreamFeed({ open: sub.connect, afterSeq: null, window: 10, maxBuffered: 5 });
    for (let n = 0; n < 5; n++) sub.sendUnsequenced(n);
    for (let n = 0; n < 5; n++) expect(await feed.next()).toEqual({ event: { data: { typing: { n } } } });
    expect(sub.open).toBe(true);
    feed.close();
  });
});
