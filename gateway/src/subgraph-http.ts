import { Agent, errors as undiciErrors, request } from 'undici';

export interface SubgraphHttpOptions {
  /** Most open connections to one subgraph origin; requests beyond that wait for a free one. */
  connections: number;
  /** How long an idle connection is kept for reuse. Below the subgraphs' own idle timeout (5 s). */
  keepAliveMs: number;
  /** Longest wait for a subgraph's response headers, and then for its body. */
  timeoutMs: number;
  /** Identical queries in flight at once for the same caller share one fetch. */
  dedupe: boolean;
}

/** What a subgraph answered: its status, body text and the few headers the gateway reads. */
export interface SubgraphHttpResponse {
  status: number;
  contentType: string | undefined;
  cacheControl: string | undefined;
  text: string;
}

/** A subgraph did not answer within the timeout; retrying would likely not help. */
export class SubgraphTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** The request could not be sent or its answer not read (`code`: the socket error, e.g. ECONNREFUSED). */
export class SubgraphConnectionError extends Error {
  readonly code: string | undefined;
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.code = (cause as { code?: string }).code;
  }
}

const header = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * POSTs GraphQL requests to subgraphs over pooled keep-alive connections (undici's Agent: no
 * connection set-up per fetch, a bounded number of sockets per subgraph), without the WHATWG
 * fetch layer (streams, an AbortSignal and a timer per request) that dominated the gateway's
 * profile. Timeouts are the Agent's own header and body timeouts.
 */
export class SubgraphHttp {
  private readonly agent: Agent;
  private readonly inflight = new Map<string, Promise<SubgraphHttpResponse>>();

  constructor(private readonly options: SubgraphHttpOptions) {
    this.agent = new Agent({
      connections: options.connections,
      keepAliveTimeout: options.keepAliveMs,
      keepAliveMaxTimeout: options.keepAliveMs,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      pipelining: 1,
    });
  }

  /**
   * POSTs `body` to `url`. With `shareKey` (a query, never a mutation, and who it is for), a
   * request identical to one still in flight gets that one's answer instead of a fetch of its own.
   */
  post(url: string, headers: Record<string, string>, body: string, shareKey?: string): Promise<SubgraphHttpResponse> {
    if (!shareKey || !this.options.dedupe) return this.send(url, headers, body);
    const key = `${url}\n${shareKey}\n${body}`;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const sent = this.send(url, headers, body).finally(() => this.inflight.delete(key));
    this.inflight.set(key, sent);
    return sent;
  }

  private async send(url: string, headers: Record<string, string>, body: string): Promise<SubgraphHttpResponse> {
    try {
      const res = await request(url, { method: 'POST', headers, body, dispatcher: this.agent });
      return {
        status: res.statusCode,
        contentType: header(res.headers['content-type']),
        cacheControl: header(res.headers['cache-control']),
        text: await res.body.text(),
      };
    } catch (error) {
      if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
        throw new SubgraphTimeoutError(`no answer within ${this.options.timeoutMs} ms`, { cause: error });
      }
      // Our own class, so that whoever handles it (batching's DataLoader checks `instanceof Error`)
      // sees an error even when undici's come from another realm (as under jest).
      throw new SubgraphConnectionError((error as Error).message, error);
    }
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
