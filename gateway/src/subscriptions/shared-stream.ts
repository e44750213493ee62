import type { Logger } from '@aether/common';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import { SlowConsumerError, UpstreamFeed, type UpstreamSink } from './upstream-feed';

/** Errors that a resubscription may cure (a store hiccup, a restart); any other error list is final. */
export type TransientCheck = (error: unknown) => boolean;

/** One event of a shared stream, handed to every subscriber; `memo` holds results computed from it. */
export interface StreamEvent {
  event: FormattedExecutionResult;
  seq: number;
  /** The user a MemberLeft event names: that subscriber receives it, then nothing more. */
  leftUserId?: string;
  /** Results of this event, computed once: for all (`shared`) or per viewer (`byViewer`). */
  memo: { shared?: Promise<FormattedExecutionResult>; byViewer?: Map<string, Promise<FormattedExecutionResult>> };
}

export type StreamItem = StreamEvent | { error: unknown } | { end: true };

/** How long a stream whose last subscriber left stays open for the next one (a page reload). */
const LINGER_MS = 2000;
/** Events a shared stream's upstream holds before it pauses; the stream drains it at once. */
const STREAM_WINDOW = 1000;

export interface SharedStreamOptions {
  /** Opens the upstream subscription (from after `afterSeq`) under the gateway's own identity. */
  open(afterSeq: number | null, sink: UpstreamSink): () => void;
  seqOf(data: unknown): number | undefined;
  leftUserOf(data: unknown): string | undefined;
  transient: TransientCheck;
  logger: Logger;
  backoff: { initialMs: number; maxMs: number };
  /** Called once the stream has closed (its last subscriber gone, or the upstream ended). */
  onClosed(): void;
}

/**
 * One upstream subscription of a gateway, shared by all its local subscribers with the same
 * root field and arguments (less `afterSeq`): the first subscriber opens it, later ones join,
 * and it closes a little after the last one leaves. Events reach every subscriber in seq order
 * with no gap: after an upstream reconnect it resumes from the last seq it received.
 * Authorization is not its business: each subscriber is admitted by the owning subgraph with
 * its own identity before joining, and ends at its own MemberLeft (see joined.ts).
 */
export class SharedStream {
  private readonly listeners = new Set<(item: StreamItem) => void>();
  private feed?: UpstreamFeed;
  private closed = false;
  private linger?: NodeJS.Timeout;
  /** The last seq the stream received (null before its first event). */
  lastSeq: number | null = null;

  constructor(private readonly options: SharedStreamOptions) {
    void this.run();
  }

  /** Adds a subscriber; returns its leave. */
  join(listener: (item: StreamItem) => void): () => void {
    clearTimeout(this.linger);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size || this.closed) return;
      this.linger = setTimeout(() => {
        if (!this.listeners.size) this.close();
      }, LINGER_MS);
      this.linger.unref();
    };
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.linger);
    this.feed?.close();
    this.options.onClosed();
  }

  private emit(item: StreamItem): void {
    for (const listener of this.listeners) listener(item);
  }

  /** Ends every subscriber with `item` and closes. */
  private finish(item: StreamItem): void {
    this.close();
    this.emit(item);
    this.listeners.clear();
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.closed) {
      const feed = (this.feed = new UpstreamFeed({
        afterSeq: this.lastSeq,
        seqOf: this.options.seqOf,
        window: STREAM_WINDOW,
        maxBuffered: STREAM_WINDOW,
        open: this.options.open,
      }));
      const outcome = await this.pump(feed, () => (attempt = 0));
      feed.close();
      if (outcome === 'ended' || this.closed) return;
      const delay = Math.min(this.options.backoff.maxMs, this.options.backoff.initialMs * 2 ** attempt++) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }

  /** Hands the feed's events to every subscriber until it ends ('ended') or drops ('retry'). */
  private async pump(feed: UpstreamFeed, onEvent: () => void): Promise<'ended' | 'retry'> {
    for (;;) {
      const item = await feed.next();
      if (this.closed) return 'ended';
      if ('complete' in item) {
        this.finish({ end: true });
        return 'ended';
      }
      if ('error' in item) {
        if (item.error instanceof SlowConsumerError || !this.options.transient(item.error)) {
          this.finish({ error: item.error });
          return 'ended';
        }
        this.options.logger.warn('shared upstream subscription interrupted, resubscribing', { afterSeq: this.lastSeq });
        return 'retry';
      }
      if (item.event.data == null) {
        this.finish({ error: (item.event.errors ?? []) as GraphQLFormattedError[] });
        return 'ended';
      }
      onEvent();
      const seq = this.options.seqOf(item.event.data);
      if (seq === undefined || (this.lastSeq !== null && seq <= this.lastSeq)) continue;
      this.lastSeq = seq;
      this.emit({ event: item.event, seq, leftUserId: this.options.leftUserOf(item.event.data), memo: {} });
    }
  }
}
