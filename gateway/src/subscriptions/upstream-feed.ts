import type { FormattedExecutionResult } from 'graphql';

export type UpstreamItem = { event: FormattedExecutionResult } | { error: unknown } | { complete: true };

export class SlowConsumerError extends Error {}

/** How an upstream subscription reports; graphql-ws's `Sink`. */
export interface UpstreamSink {
  next(value: unknown): void;
  error(error: unknown): void;
  complete(): void;
}

export interface UpstreamFeedOptions {
  /** Opens the subscription on the subgraph, from after `afterSeq` when it resumes; returns its unsubscribe. */
  open(afterSeq: number | null, sink: UpstreamSink): () => void;
  /** The seq of an event, for subscriptions that can resume (`afterSeq`); absent otherwise. */
  seqOf?: (data: unknown) => number | undefined;
  /** Where a resumable subscription starts (null: live events only). */
  afterSeq: number | null;
  /** Events a resumable subscription holds before its upstream is paused. */
  window: number;
  /** Events any other subscription may hold; past it the client is a slow consumer. */
  maxBuffered: number;
}

/**
 * The events of one upstream subscription between the socket that delivers them (push) and
 * the gateway's execution of each (pull). Memory stays bounded however fast they come:
 *
 * - a resumable subscription (room events) is paused once it holds `window` events, and opened
 *   again from the last seq received when half of them are delivered, so a long replay arrives
 *   in windows at the pace the client takes it instead of at database speed;
 * - any other subscription is cut off as a slow consumer the moment it holds `maxBuffered`
 *   events, its backlog dropped instead of executed first.
 */
export class UpstreamFeed {
  private readonly items: UpstreamItem[] = [];
  private wake?: () => void;
  private lastReceived: number | null;
  private unsubscribe?: () => void;
  private ended = false;

  constructor(private readonly options: UpstreamFeedOptions) {
    this.lastReceived = options.afterSeq;
    this.open();
  }

  /** Events received and not yet taken. */
  get held(): number {
    return this.items.length;
  }

  /** The next item, waiting for one when none is held. */
  async next(): Promise<UpstreamItem> {
    if (!this.items.length) await new Promise<void>((resolve) => (this.wake = resolve));
    const item = this.items.shift()!;
    if (!this.ended && !this.unsubscribe && this.items.length <= this.options.window / 2) this.open();
    return item;
  }

  /** Stops the upstream subscription for good; a pending `next()` gets `complete`. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.pause();
    this.push({ complete: true });
  }

  private push(item: UpstreamItem): void {
    this.items.push(item);
    this.wake?.();
    this.wake = undefined;
  }

  private pause(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private open(): void {
    let released = false;
    const stop = this.options.open(this.lastReceived, {
      next: (value) => {
        if (released) return;
        const event = value as FormattedExecutionResult;
        const seq = event.data != null ? this.options.seqOf?.(event.data) : undefined;
        if (seq !== undefined) {
          if (this.lastReceived !== null && seq <= this.lastReceived) return;
          this.lastReceived = seq;
          this.push({ event });
          if (this.items.length >= this.options.window) this.pause();
          return;
        }
        if (this.items.length >= this.options.maxBuffered) {
          this.items.length = 0;
          this.push({ error: new SlowConsumerError('client is not reading its events') });
          this.close();
          return;
        }
        this.push({ event });
      },
      error: (error) => {
        if (!released) this.push({ error });
      },
      complete: () => {
        if (!released) this.push({ complete: true });
      },
    });
    this.unsubscribe = () => {
      released = true;
      stop();
    };
  }
}
