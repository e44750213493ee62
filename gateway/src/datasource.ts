import { REQUEST_ID_HEADER, IDENTITY_HEADER, signIdentity, type ServiceMetrics } from '@aether/common';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context';

export interface SubgraphFetchOptions {
  /** The subgraph's name in the supergraph, for metrics. */
  name: string;
  /** Per-attempt fetch timeout. */
  timeoutMs: number;
  /** Extra attempts for queries whose fetch could not reach the subgraph. Mutations never retry. */
  retries: number;
  metrics?: ServiceMetrics;
}

type ProcessOptions = GraphQLDataSourceProcessOptions<GatewayContext>;
type ProcessResult = Awaited<ReturnType<RemoteGraphQLDataSource<GatewayContext>['process']>>;

// Failures where the request certainly did not run upstream (nothing listening, connection
// dropped before an answer, a proxy saying the service is away); timeouts are not among them.
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'EAI_AGAIN']);

/** Why a fetch failed in a way worth retrying, undefined when it is not such a failure. */
function transientReason(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: string } }).cause;
  if (cause?.code && TRANSIENT_CODES.has(cause.code)) return cause.code;
  const status = (error as { extensions?: { response?: { status?: number } } }).extensions?.response?.status;
  return status === 502 || status === 503 ? `HTTP ${status}` : undefined;
}

/**
 * Fetches from one subgraph with the caller's identity signed by the gateway (the only party
 * holding the secret) and the request id. Nothing else from the client's request is forwarded,
 * so identity headers a client makes up never reach a subgraph. Each fetch is timed; a query
 * that could not reach the subgraph is tried again, a mutation never is (it might have run).
 */
export class SignedIdentityDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly secret: string,
    private readonly fetchOptions: SubgraphFetchOptions,
  ) {
    super({
      url,
      fetcher: ((input: string, init: RequestInit) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(fetchOptions.timeoutMs) })) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http!.headers;
    const viewer = context?.viewer;
    headers.set(
      IDENTITY_HEADER,
      signIdentity(this.secret, {
        userId: viewer?.userId,
        roles: viewer?.roles ?? [],
        sessionId: viewer?.sessionId,
        clientIp: context?.clientIp,
      }),
    );
    if (context?.requestId) headers.set(REQUEST_ID_HEADER, context.requestId);
  }

  override async process(options: ProcessOptions): Promise<ProcessResult> {
    const { name, retries, metrics } = this.fetchOptions;
    const idempotent = !/^\s*mutation\b/.test(options.request.query ?? '');
    const started = process.hrtime.bigint();
    const observe = (outcome: 'ok' | 'error') =>
      metrics?.subgraphFetchDuration.observe({ subgraph: name, outcome }, Number(process.hrtime.bigint() - started) / 1e9);
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await super.process(options);
        observe('ok');
        return result;
      } catch (error) {
        const reason = transientReason(error);
        if (!idempotent || attempt >= retries || !reason) {
          observe('error');
          // Named for the log line (clients only ever see INTERNAL_SERVER_ERROR).
          if (reason) throw new Error(`subgraph ${name} unavailable (${reason})`, { cause: error });
          if ((error as Error).name === 'TimeoutError') throw new Error(`subgraph ${name} timed out after ${this.fetchOptions.timeoutMs} ms`, { cause: error });
          throw error;
        }
        metrics?.subgraphFetchRetries.inc({ subgraph: name });
        await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
  }
}
