/**
 * A bound on work running at once, shared by every subscription of a gateway. Viewer-specific
 * selections run one execution per viewer and event: a burst into a room of a thousand viewers
 * would otherwise start a thousand plan executions (and their entity fetches) at the same moment.
 * Callers queue in order; a slot is held for a whole group of executions started together, so
 * that one viewer's fetches for several events still leave in one batch.
 */
export class ExecutionSlots {
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly limit: number) {}

  /** Runs `work` once a slot is free, and frees the slot when it settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      // The slot passes straight to the next in line.
      if (next) next();
      else this.running--;
    }
  }

  /** Executions waiting for a slot (for tests and metrics). */
  get waiting(): number {
    return this.queue.length;
  }
}

/** Per-viewer executions of subscription events running at once in one gateway. */
export const VIEWER_EXECUTION_SLOTS = 64;

/**
 * The gateway's one bound on per-viewer event executions (a gateway is one process): live
 * events, replays and per-subscriber upstreams all take their slots here, so a thousand
 * subscribers resuming at once cannot start a thousand executions where a live burst could not.
 */
export const viewerExecutions = new ExecutionSlots(VIEWER_EXECUTION_SLOTS);
