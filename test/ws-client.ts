import { createClient, type Client, type ExecutionResult, type SubscribePayload } from 'graphql-ws';
import WebSocket from 'ws';

/** A graphql-ws client on the gateway, as a chat UI would open one. */
export function wsClient(
  httpUrl: string,
  token: string | undefined,
  options: { retryAttempts?: number; onClosed?: (code: number, reason: string) => void } = {},
): Client {
  return createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: options.retryAttempts ?? 0,
    lazy: true,
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        options.onClosed?.(e.code, String(e.reason));
      },
    },
  });
}

/** Collects what one subscription receives, and lets a test wait for a number of events. */
export class Collector<T = Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly events: ExecutionResult<T>[] = [];
  error?: unknown;
  completed = false;
  private waiters: (() => void)[] = [];
  readonly dispose: () => void;

  /** `query` is the document, or a whole `subscribe` payload (e.g. a persisted operation's id in `extensions`). */
  constructor(client: Client, query: string | SubscribePayload, variables: Record<string, unknown> = {}) {
    this.dispose = client.subscribe<T>(
      typeof query === 'string' ? { query, variables } : query,
      {
        next: (value) => {
          this.events.push(value as ExecutionResult<T>);
          this.notify();
        },
        error: (error) => {
          this.error = error;
          this.notify();
        },
        complete: () => {
          this.completed = true;
          this.notify();
        },
      },
    );
  }

  private notify() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves once `count` events have arrived (or the subscription ended), failing after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<ExecutionResult<T>[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count && !this.error && !this.completed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out with ${this.events.length}/${count} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
    return this.events;
  }

  /** Resolves when the subscription errors or completes. */
  async waitForEnd(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.error && !this.completed) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('subscription did not end');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }
}
