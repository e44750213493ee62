import { ErrorCode, ServiceUnavailableError, REQUEST_ID_HEADER, IDENTITY_HEADER, IDENTITY_TTL_MS, signViewerIdentity } from '@aether/common';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { getBatchingExecutor } from '@graphql-tools/batch-execute';
import { GraphQLError, parse, print, type DocumentNode } from 'graphql';
import type { GatewayContext } from './context';
// The gateway's metrics, under the name the code below uses (rename once issue 14 has landed).
import type { GatewayMetrics } from './metrics';
import type { SubgraphHttp } from './subgraph-http';

export interface SubgraphFetchOptions {
  /** The subgraph's name in the supergraph, for metrics. */
  name: string;
  /** Per-attempt fetch timeout. */
  timeoutMs: number;
  /** Extra attempts for queries whose fetch could not reach the subgraph. Mutations never retry. */
  retries: number;
  /** Pooled connections to every subgraph, shared by all data sources. */
  http: SubgraphHttp;
  /** Concurrent queries of one operation to this subgraph go out as one request. */
  batching: boolean;
  metrics?: GatewayMetrics;
}

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type ProcessResult = Awaited<ReturnType<GraphQLDataSource<GatewayContext>['process']>>;
type Executor = Parameters<typeof getBatchingExecutor>[1];

const MUTATION = /^\s*mutation\b/;
// Batch within a tick, remember nothing: a subscription's context lives as long as it does.
const BATCH_ONLY = { cache: false };
/**
 * A signed identity is reused for this long (a sixth of its lifetime, so a subgraph always gets
 * one with at least 50 s left): signing (JSON, base64, HMAC) was per fetch, now per caller and period.
 */
const IDENTITY_REUSE_MS = IDENTITY_TTL_MS / 6;
/** Signed identities remembered at once; past that the memory starts afresh. */
const MAX_SIGNED_IDENTITIES = 10_000;
/** Distinct fetch operations a supergraph's plans produce are few; this only bounds a pathological one. */
const MAX_PARSED_OPERATIONS = 2000;

// Failures where the request certainly did not run upstream (nothing listening, connection
// dropped before an answer, a proxy saying the service is away); timeouts are not among them.
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'EAI_AGAIN']);

// Refusals that concern the caller or the subgraph's state, not what was merged: sending alone would not help.
const NOT_MERGE_SPECIFIC = new Set([401, 403, 429, 502, 503, 504]);

/** Why a fetch failed in a way worth retrying, undefined when it is not such a failure. */
function transientReason(error: unknown): string | undefined {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code && TRANSIENT_CODES.has(code)) return code;
  const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
  return status === 502 || status === 503 ? `HTTP ${status}` : undefined;
}

/** The parts of a subgraph's answer Apollo's executor reads: the GraphQL result and its cache policy. */
type SubgraphResponse = ProcessResult;

/**
 * Fetches from one subgraph with the caller's identity signed by the gateway (the only party
 * holding the secret) and the request id. Nothing else from the client's request is forwarded,
 * so identity headers a client makes up never reach a subgraph. Each fetch is timed; a query
 * that could not reach the subgraph is tried again, a mutation never is (it might have run).
 *
 * Concurrent queries of one operation to this subgraph (the plan's parallel entity fetches, e.g.
 * message authors and room members from auth) go out as one request, merged the way
 * `@graphql-tools/batch-execute` does (fields and variables prefixed per query, the answer split
 * back); mutations go alone and in order.
 */
export class SignedIdentityDataSource implements GraphQLDataSource<GatewayContext> {
  // The operations this subgraph is sent, parsed once each (batching merges documents, not text).
  private readonly parsed = new Map<string, DocumentNode>();
  private readonly texts = new WeakMap<DocumentNode, string>();

  constructor(
    readonly url: string,
    private readonly secret: string,
    private readonly fetchOptions: SubgraphFetchOptions,
  ) {}

  async process(options: ProcessOptions): Promise<ProcessResult> {
    const { name, retries, metrics } = this.fetchOptions;
    const idempotent = !MUTATION.test(options.request.query ?? '');
    const started = process.hrtime.bigint();
    const observe = (outcome: 'ok' | 'error') =>
      metrics?.subgraphFetchDuration.observe({ subgraph: name, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await this.send(options);
        observe('ok');
        return result;
      } catch (error) {
        const reason = transientReason(error);
        if (!idempotent || attempt >= retries || !reason) {
          observe('error');
          // Under load a subgraph answers late rather than wrongly: the client gets a retryable
          // code (the log line names the subgraph), not an internal error it cannot act on.
          if (reason) throw new ServiceUnavailableError(new Error(`subgraph ${name} unavailable (${reason})`, { cause: error }));
          if ((error as Error).name === 'TimeoutError') {
            throw new ServiceUnavailableError(new Error(`subgraph ${name} timed out after ${this.fetchOptions.timeoutMs} ms`, { cause: error }));
          }
          throw error;
        }
        metrics?.subgraphFetchRetries.inc({ subgraph: name });
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }

  private async send(options: ProcessOptions): Promise<ProcessResult> {
    const { request } = options;
    const context = options.context as GatewayContext | undefined;
    const query = request.query;
    if (!query) throw new Error('Missing query');
    const headers = this.headersFor(context);
    const body = { query, variables: request.variables, operationName: request.operationName };
    const response =
      this.fetchOptions.batching && context && !MUTATION.test(query)
        ? await this.batched(query, request, headers, context).catch((error: unknown) => {
            if (error instanceof UnsplittableAnswer) return this.post(headers, body, context);
            throw error;
          })
        : await this.post(headers, body, context);
    if ('incomingRequestContext' in options) {
      const policy = options.incomingRequestContext.overallCachePolicy;
      if (policy && 'restrict' in policy) policy.restrict(cacheHint(response.http?.headers.get('cache-control') ?? null));
    }
    return response;
  }

  /** The query merged with this subgraph's other concurrent queries of the same operation. */
  private async batched(query: string, request: ProcessOptions['request'], headers: Record<string, string>, context: GatewayContext) {
    return (await getBatchingExecutor(context, this.executor, BATCH_ONLY)({
      document: this.documentOf(query),
      variables: request.variables ?? {},
      operationName: request.operationName,
      context: { headers, context },
    })) as SubgraphResponse;
  }

  private headersFor(context: GatewayContext | undefined): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json', [IDENTITY_HEADER]: this.identityOf(context) };
    if (context?.requestId) headers[REQUEST_ID_HEADER] = context.requestId;
    return headers;
  }

  // Signed identities by who they name, each with the time it was signed.
  private readonly identities = new Map<string, { header: string; signedAt: number }>();

  /** The caller's identity, signed at most IDENTITY_REUSE_MS ago. */
  private identityOf(context: GatewayContext | undefined): string {
    const viewer = context?.viewer;
    const key = `${viewer?.userId ?? ''}|${viewer?.roles.join(',') ?? ''}|${viewer?.sessionId ?? ''}|${context?.clientIp ?? ''}`;
    const now = Date.now();
    const hit = this.identities.get(key);
    if (hit && now - hit.signedAt < IDENTITY_REUSE_MS) return hit.header;
    const header = signViewerIdentity(this.secret, viewer, context?.clientIp, now);
    if (this.identities.size >= MAX_SIGNED_IDENTITIES) this.identities.clear();
    this.identities.set(key, { header, signedAt: now });
    return header;
  }

  private documentOf(query: string): DocumentNode {
    let document = this.parsed.get(query);
    if (!document) {
      if (this.parsed.size >= MAX_PARSED_OPERATIONS) this.parsed.clear();
      document = parse(query, { noLocation: true });
      this.parsed.set(query, document);
      this.texts.set(document, query);
    }
    return document;
  }

  /**
   * Sends one (possibly merged) request with the headers of the operation it came from. A merged
   * request's answer that cannot be split back as each query would have been answered alone is
   * refused (`UnsplittableAnswer`): each of its queries then goes again on its own (see `send`).
   */
  private readonly executor = (async (request: { document: DocumentNode; variables?: Record<string, unknown>; operationName?: string; context?: unknown }) => {
    const { headers, context } = request.context as { headers: Record<string, string>; context: GatewayContext };
    const original = this.texts.get(request.document);
    const body = { query: original ?? print(request.document), variables: request.variables, operationName: request.operationName };
    if (original !== undefined) return this.post(headers, body, context);
    let response: SubgraphResponse;
    try {
      response = await this.post(headers, body, context);
    } catch (error) {
      // A subgraph may refuse the merged request (its size, its aliases) and not the queries alone.
      const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
      if (status !== undefined && !NOT_MERGE_SPECIFIC.has(status)) throw new UnsplittableAnswer(status);
      throw error;
    }
    const unsplittable = unsplittableReason(response);
    if (unsplittable) throw new UnsplittableAnswer(unsplittable);
    return response;
  }) as Executor;

  private async post(
    headers: Record<string, string>,
    body: { query: string; variables?: Record<string, unknown>; operationName?: string },
    context: GatewayContext | undefined,
  ): Promise<SubgraphResponse> {
    const viewer = context?.viewer;
    // Identical queries share a fetch only for the same caller: answers depend on who asks.
    const shareKey = MUTATION.test(body.query) ? undefined : `${viewer?.sessionId ?? ''}|${viewer?.roles.join(',') ?? ''}|${context?.clientIp ?? ''}`;
    const res = await this.fetchOptions.http.post(this.url, headers, JSON.stringify(body), shareKey);
    if (res.status < 200 || res.status > 299) {
      const code = res.status === 401 ? ErrorCode.UNAUTHENTICATED : res.status === 403 ? ErrorCode.FORBIDDEN : undefined;
      throw new GraphQLError(`${res.status}: subgraph ${this.fetchOptions.name} answered HTTP ${res.status}`, {
        extensions: { ...(code ? { code } : {}), response: { url: this.url, status: res.status, body: res.text.slice(0, 1000) } },
      });
    }
    const json = res.contentType?.startsWith('application/json') || res.contentType?.startsWith('application/graphql-response+json');
    const parsed: unknown = json ? JSON.parse(res.text) : undefined;
    if (parsed === null || typeof parsed !== 'object') throw new Error(`Expected JSON response body, but received: ${res.text.slice(0, 200)}`);
    const cacheControl = res.cacheControl ?? null;
    return { ...parsed, http: { headers: { get: (name: string) => (name.toLowerCase() === 'cache-control' ? cacheControl : null) } } } as SubgraphResponse;
  }
}

/**
 * A merged request's answer that splitting would misattribute: `data` nulled as a whole (a non-null
 * root field of one query failed, taking the others' data with it) or an error that names no
 * merged query (a request-level error, e.g. the merged document refused, given to every query).
 * Plain Apollo Gateway sends each query alone and gives each its own answer; so do we then.
 */
class UnsplittableAnswer extends Error {
  constructor(reason: string | number) {
    super(`merged subgraph answer not split: ${reason}`);
  }
}

/** Why a merged answer cannot be split back per query (see UnsplittableAnswer), undefined when it can. */
function unsplittableReason(response: SubgraphResponse): string | undefined {
  if (response.data === null || response.data === undefined) return 'no data';
  const misplaced = response.errors?.find((e) => typeof e.path?.[0] !== 'string' || !/^_v\d+_/.test(e.path[0]));
  return misplaced ? `an error outside the merged queries: ${misplaced.message}` : undefined;
}

/** What a subgraph's cache-control header allows, as Apollo's RemoteGraphQLDataSource reads it. */
function cacheHint(header: string | null): { maxAge: number; scope?: 'PUBLIC' | 'PRIVATE' } {
  const maxAge = /(?:^|,)\s*max-age=(\d+)/.exec(header ?? '')?.[1];
  const scope = /(?:^|,)\s*private\b/.test(header ?? '') ? 'PRIVATE' : /(?:^|,)\s*public\b/.test(header ?? '') ? 'PUBLIC' : undefined;
  return { maxAge: maxAge ? Number(maxAge) : 0, ...(scope ? { scope } : {}) };
}
