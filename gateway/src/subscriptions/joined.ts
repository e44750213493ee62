import { ErrorCode, signIdentity } from '@aether/common';
import type { FormattedExecutionResult, GraphQLFormattedError } from 'graphql';
import {
  backoffDelay,
  boundedExecutor,
  cachedExecutor,
  deliver,
  deliverySpan,
  isGraphQLErrorList,
  isTransient,
  maskedFor,
  lagOf,
  primaryVariables,
  subscriberIdentity,
  windowOf,
  type FederatedSubscriptionOptions,
} from './execute';
import { viewerExecutions } from './execution-slots';
import { resumeVariables } from './planner';
import { SharedStream, type StreamEvent, type StreamItem } from './shared-stream';
import { SlowConsumerError, UpstreamFeed } from './upstream-feed';

const DEFAULT_BACKOFF = { initialMs: 100, maxMs: 5000 };
/** Events waiting behind the one delivered whose per-viewer results start with it (one batched fetch). */
const LOOK_AHEAD = 32;
const ARRIVED = Symbol('arrived');
const UNAVAILABLE: GraphQLFormattedError = { message: 'Live events are unavailable: resubscribe', extensions: { code: ErrorCode.SERVICE_UNAVAILABLE } };

/**
 * What a shared stream has handed one subscriber and it has not taken yet. While the
 * subscriber replays its missed events, shared events are only held to find the seam, so past
 * the bound the oldest are dropped (the replay covers them); once live, a subscriber that
 * falls that far behind is a slow consumer.
 */
class Inbox {
  private readonly items: StreamItem[] = [];
  private waiters: (() => void)[] = [];
  live = false;
  /** The subscriber has gone: its replay stops too. */
  ended = false;

  constructor(private readonly max: number) {}

  /** Adds an item; `first` puts it ahead of everything held (the subscriber has gone). */
  push(item: StreamItem, first = false): void {
    if (first) {
      this.ended = true;
      this.items.unshift(item);
      return this.notify();
    }
    if ('seq' in item && this.items.length >= this.max) {
      if (!this.live) this.items.length = 0;
      else {
        this.items.length = 0;
        this.items.push({ error: new SlowConsumerError('client is not reading its events') });
        return this.notify();
      }
    }
    this.items.push(item);
    this.notify();
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** Up to `max` of the events held, oldest first. */
  events(max: number): StreamEvent[] {
    const events: StreamEvent[] = [];
    for (const item of this.items) {
      if (events.length >= max) break;
      if ('seq' in item) events.push(item);
    }
    return events;
  }

  /** The seq of the oldest event held, if any. */
  firstSeq(): number | undefined {
    const first = this.items[0];
    return first && 'seq' in first ? first.seq : undefined;
  }

  /** Resolves at the next push. */
  arrival(): Promise<typeof ARRIVED> {
    return new Promise((resolve) => this.waiters.push(() => resolve(ARRIVED)));
  }

  async next(): Promise<StreamItem> {
    while (!this.items.length) await this.arrival();
    return this.items.shift()!;
  }

  private notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** How a subscriber served by a fan-out ends: as a stream item ends it, or with its event's failed execution (rethrown). */
type FanOutEnd = { end: true } | { error: unknown } | { thrown: unknown };

interface FanOutMember {
  options: FederatedSubscriptionOptions;
  /** Its result of an event (the same for every member). */
  execute: (event: FormattedExecutionResult) => Promise<FormattedExecutionResult>;
  /** The last seq delivered to it. */
  last: number | null;
  end(outcome: FanOutEnd): void;
}

/**
 * The live subscribers of one shared stream whose result is the same for all of them (nothing
 * viewer-specific): each event's result is computed once and its frame is written to every
 * socket in one synchronous loop. Per subscriber and event that is a frame and a socket write,
 * with no promise, generator or span on the way, so a fan-out to thousands allocates little and
 * leaves little alive for the collector to copy (a subscriber's own generator chain, awaited
 * breadth-first across all of them, held several KB each mid-event). Deliveries keep the
 * stream's seq order; a subscriber's own MemberLeft is its last event.
 */
class FanOut {
  private readonly members = new Set<FanOutMember>();
  private tail: Promise<void> = Promise.resolve();
  private leave?: () => void;

  constructor(private readonly stream: SharedStream) {}

  /** Takes over a subscriber that has delivered everything up to `member.last` (it is no longer a listener of the stream itself). */
  add(member: FanOutMember): void {
    this.members.add(member);
    this.leave ??= this.stream.join((item) => this.take(item));
  }

  remove(member: FanOutMember, outcome: FanOutEnd): void {
    if (!this.members.delete(member)) return;
    member.end(outcome);
    if (this.members.size) return;
    this.leave?.();
    this.leave = undefined;
  }

  private endAll(outcome: FanOutEnd): void {
    for (const member of this.members) this.remove(member, outcome);
  }

  private take(item: StreamItem): void {
    if (!('seq' in item)) {
      // After the events before it have gone out.
      this.tail = this.tail.then(() => this.endAll(item));
      return;
    }
    const first = this.members.values().next().value;
    if (!first) return;
    // Shared with subscribers of the stream still taking events one at a time (resultsFor).
    const result = (item.memo.shared ??= first.execute(item.event));
    this.tail = this.tail
      .then(() => result)
      .then((shared) => this.write(item, shared))
      .catch((thrown: unknown) => this.endAll({ thrown }));
  }

  private write(item: StreamEvent, result: FormattedExecutionResult): void {
    const lag = lagOf(item.event);
    for (const member of this.members) {
      if (member.last !== null && item.seq <= member.last) continue;
      member.last = item.seq;
      const span = deliverySpan(member.options, item.event, item.seq);
      let written: boolean;
      try {
        written = member.options.writeShared!(result);
      } catch (thrown) {
        // One socket's failure ends its own subscriber only.
        this.remove(member, { thrown });
        continue;
      } finally {
        span?.end();
      }
      if (!written) {
        this.remove(member, { end: true });
        continue;
      }
      if (lag !== undefined) member.options.onDelivered?.(lag);
      if (item.leftUserId !== undefined && item.leftUserId === member.options.context.viewer?.userId) this.remove(member, { end: true });
    }
  }
}

const fanOuts = new WeakMap<SharedStream, FanOut>();

function fanOutOf(stream: SharedStream): FanOut {
  let fanOut = fanOuts.get(stream);
  if (!fanOut) fanOuts.set(stream, (fanOut = new FanOut(stream)));
  return fanOut;
}

/**
 * The subscriber's admission, by the owning subgraph under the subscriber's own identity: the
 * same checks as its own subscription (member, arguments), answered by an `admit` subscription
 * that completes. Null when admitted, else the errors to send.
 */
async function admission(options: FederatedSubscriptionOptions): Promise<GraphQLFormattedError[] | null> {
  const { planned } = options;
  const request = {
    query: planned.resumable!.operation,
    // Without afterSeq an `admit` subscription replays nothing: the check alone (the subscriber's
    // own replay, if any, validates afterSeq).
    variables: { ...primaryVariables(options), ...resumeVariables(null) },
    extensions: { identity: subscriberIdentity(options), stream: 'admit' },
  };
  for (let attempt = 0; ; attempt++) {
    // A client gone while the subgraph was unreachable stops the retries (the caller sees the abort).
    if (options.signal?.aborted) return null;
    const outcome = await new Promise<{ errors: readonly GraphQLFormattedError[] } | { error: unknown } | null>((resolve) => {
      options.upstream.client(planned.primary.serviceName).subscribe(request, {
        next: (value) => resolve({ errors: (value as FormattedExecutionResult).errors ?? [] }),
        error: (error) => resolve({ error }),
        complete: () => resolve(null),
      });
    });
    if (outcome === null) return null;
    if ('errors' in outcome) return maskedFor(options.context, outcome.errors.length ? outcome.errors : [UNAVAILABLE]);
    if (isGraphQLErrorList(outcome.error) && !isTransient(outcome.error)) return maskedFor(options.context, outcome.error);
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(options.backoff ?? DEFAULT_BACKOFF, attempt)));
  }
}

/** The gateway's shared stream for this subscription's root field and arguments, opened by its first subscriber. */
function streamFor(options: FederatedSubscriptionOptions): SharedStream {
  const { planned } = options;
  const sharing = planned.sharedUpstream!;
  const resumable = planned.resumable!;
  const key = sharing.key(options.variables);
  const existing = sharing.streams.get(key);
  if (existing?.isOpen) return existing;
  const variables = primaryVariables(options);
  const stream: SharedStream = new SharedStream({
    // The gateway's own identity (no user): messaging honours `shared` only from it.
    open: (afterSeq, sink) =>
      options.upstream.client(planned.primary.serviceName).subscribe(
        {
          query: resumable.operation,
          variables: { ...variables, ...resumeVariables(afterSeq) },
          extensions: { identity: signIdentity(options.secret, { roles: [] }), stream: 'shared' },
        },
        sink,
      ),
    seqOf: resumable.seqOf,
    leftUserOf: resumable.leftUserOf,
    transient: isTransient,
    logger: options.logger,
    backoff: options.backoff ?? DEFAULT_BACKOFF,
    onClosed: () => {
      if (sharing.streams.get(key) === stream) sharing.streams.delete(key);
    },
  });
  sharing.streams.set(key, stream);
  return stream;
}

/**
 * An event's result for this subscriber, computed once per event: for everyone when no fetch of
 * the rest of the plan is viewer-specific, else once per viewer (same-viewer subscribers share).
 * A viewer-specific result is started together with those of the events still waiting behind
 * it (`waiting`): their entity fetches share the subscriber's context, so a burst costs one
 * batched request per viewer instead of one per event; the group holds one of the gateway's
 * execution slots.
 */
function resultsFor(options: FederatedSubscriptionOptions, waiting: () => StreamEvent[]): (item: StreamEvent) => Promise<FormattedExecutionResult> {
  // Through the same cache as the replays, so a subscriber still replaying shares the result.
  const cached = cachedExecutor(options);
  const viewer = options.context.viewer?.userId ?? '';
  if (options.planned.shared) return (item) => (item.memo.shared ??= cached(item.event));
  const startGroup = (items: StreamEvent[]) => {
    const group = viewerExecutions.run(() => Promise.allSettled(items.map((item) => cached(item.event))));
    items.forEach((item, i) => {
      const result = group.then((settled) => {
        const outcome = settled[i];
        return outcome.status === 'fulfilled' ? outcome.value : Promise.reject(outcome.reason);
      });
      // Awaited when the subscriber reaches the event; a failure before then is not unhandled.
      result.catch(() => undefined);
      (item.memo.byViewer ??= new Map()).set(viewer, result);
    });
  };
  return (item) => {
    const todo = [item, ...waiting()].filter((event) => !event.memo.byViewer?.has(viewer));
    if (todo.length) startGroup(todo);
    return item.memo.byViewer!.get(viewer)!;
  };
}

/**
 * Replays the events after `from` through the subscriber's own upstream subscription (paged,
 * windowed, under its identity) until it meets the shared stream: the oldest shared event held
 * is at most one past the last replayed, or the replay has reached where the stream was when
 * the subscriber joined. Returns the last seq delivered, or null when the subscription ended.
 */
async function* replayUntilSeam(
  options: FederatedSubscriptionOptions,
  from: number,
  joinedAt: number | null,
  inbox: Inbox,
): AsyncGenerator<FormattedExecutionResult, number | null> {
  const { planned } = options;
  const resumable = planned.resumable!;
  const execute = boundedExecutor(options);
  const variables = primaryVariables(options);
  let last = from;
  const seamed = () => (joinedAt !== null && last >= joinedAt) || (inbox.firstSeq() ?? Infinity) <= last + 1;
  for (let attempt = 0; ; attempt++) {
    const feed = new UpstreamFeed({
      afterSeq: last,
      seqOf: resumable.seqOf,
      window: windowOf(options.maxBuffered),
      maxBuffered: options.maxBuffered,
      open: (afterSeq, sink) =>
        options.upstream.client(planned.primary.serviceName).subscribe(
          { query: resumable.operation, variables: { ...variables, ...resumeVariables(afterSeq) }, extensions: { identity: subscriberIdentity(options) } },
          sink,
        ),
    });
    try {
      let pending = feed.next();
      let arrived = inbox.arrival();
      while (!seamed()) {
        const item = await Promise.race([pending, arrived]);
        if (item === ARRIVED) {
          if (inbox.ended) return null;
          arrived = inbox.arrival();
          continue;
        }
        pending = feed.next();
        if ('complete' in item) return null;
        if ('error' in item) {
          if (isTransient(item.error)) break;
          yield { errors: maskedFor(options.context, item.error as GraphQLFormattedError[]) };
          return null;
        }
        if (item.event.data == null) {
          yield { errors: maskedFor(options.context, item.event.errors ?? []) };
          return null;
        }
        attempt = 0;
        const seq = resumable.seqOf(item.event.data);
        if (seq === undefined || seq <= last) continue;
        last = seq;
        yield* deliver(options, item.event, seq, await execute(item.event));
        // Their own MemberLeft ends it, whichever stream brought it.
        if (resumable.leftUserOf(item.event.data) === (options.context.viewer?.userId ?? null)) return null;
      }
      if (seamed()) return last;
    } finally {
      feed.close();
    }
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(options.backoff ?? DEFAULT_BACKOFF, attempt)));
  }
}

/**
 * One client subscription served by the gateway's shared upstream stream: admitted by the
 * owning subgraph with the subscriber's identity, then (with `afterSeq`) its missed events
 * replayed through its own upstream subscription up to the seam, then the shared stream's
 * events with no gap and no duplicate (by seq). It receives its own MemberLeft, then ends.
 */
export async function* joinedSubscription(options: FederatedSubscriptionOptions): AsyncGenerator<FormattedExecutionResult> {
  const inbox = new Inbox(options.maxBuffered);
  const stream = streamFor(options);
  const joinedAt = stream.lastSeq;
  // Joined before the admission check: a MemberLeft of this viewer published after the check
  // is then held in the inbox (and ends the subscription), never missed between check and join.
  let leave = stream.join((item) => inbox.push(item));
  // Once live with nothing held, a subscriber whose result is everyone's is handed to the stream's fan-out.
  let member: FanOutMember | undefined;
  const fanOut = options.planned.shared && options.writeShared ? fanOutOf(stream) : undefined;
  const abort = () => {
    inbox.push({ end: true }, true);
    if (member) fanOut!.remove(member, { end: true });
  };
  options.signal?.addEventListener('abort', abort);
  const resultOf = resultsFor(options, () => inbox.events(LOOK_AHEAD));
  const viewerId = options.context.viewer?.userId;
  try {
    const refused = await admission(options);
    if (options.signal?.aborted) return;
    if (refused) {
      yield { errors: refused };
      return;
    }
    let last = options.planned.resumable!.initialAfterSeq(options.variables);
    if (last !== null && (joinedAt === null || last < joinedAt)) {
      last = yield* replayUntilSeam(options, last, joinedAt, inbox);
      if (last === null) return;
    }
    inbox.live = true;
    for (;;) {
      let item: StreamItem | FanOutEnd;
      if (fanOut && inbox.empty && !options.signal?.aborted) {
        // Synchronously: every event the stream emits from now on reaches the fan-out instead.
        const ended = new Promise<FanOutEnd>((resolve) => (member = { options, execute: cachedExecutor(options), last, end: resolve }));
        fanOut.add(member!);
        leave();
        leave = () => undefined;
        item = await ended;
        if ('thrown' in item) throw item.thrown;
      } else item = await inbox.next();
      if ('end' in item) return;
      if ('error' in item) {
        if (item.error instanceof SlowConsumerError) throw item.error;
        yield { errors: maskedFor(options.context, isGraphQLErrorList(item.error) ? item.error : [UNAVAILABLE]) };
        return;
      }
      if (last !== null && item.seq <= last) continue;
      last = item.seq;
      yield* deliver(options, item.event, item.seq, await resultOf(item));
      if (viewerId !== undefined && item.leftUserId === viewerId) return;
    }
  } finally {
    options.signal?.removeEventListener('abort', abort);
    if (member) fanOut!.remove(member, { end: true });
    leave();
  }
}
