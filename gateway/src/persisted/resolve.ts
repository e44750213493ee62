import { ConfigError, PersistedOperationCode, PersistedOperationError } from '@aether/common';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import type { ParseOptions } from 'graphql';
import type { GatewayConfig } from '../config';
import { availableTo, parseManifestSources, PersistedOperationList } from './operation-list';

/**
 * `off`: operations by id are served from the list, any other operation runs as well.
 * `safelist`: only listed operations run, by id or sent in full.
 * `require-id`: only listed operations run, and only by id.
 */
export type SafelistMode = 'off' | 'safelist' | 'require-id';

/** The parts of a GraphQL request (HTTP body or graphql-ws `subscribe` payload) that name its document. */
export interface OperationRequest {
  query?: string | null;
  extensions?: Record<string, unknown> | null;
  /** GraphQL Codegen's and the GraphQL over HTTP draft's operation id. */
  documentId?: unknown;
}

/** How a request arrives at execution: its document text, and the extensions left for Apollo Server. */
export interface ResolvedRequest {
  query?: string;
  extensions?: Record<string, unknown>;
}

/** The header (and graphql-ws `connection_init` field) that names the client app, as Apollo's clients send it. */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';

/** The client app's name on a socket: in `connection_init` (browsers cannot set headers), else on the upgrade request. */
export function clientNameOf(
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  headers: Record<string, string | string[] | undefined>,
): string | undefined {
  const named = connectionParams?.[CLIENT_NAME_HEADER] ?? connectionParams?.clientName ?? headers[CLIENT_NAME_HEADER];
  return typeof named === 'string' && named ? named : undefined;
}

function persistedQueryHash(extensions: OperationRequest['extensions']): string | undefined {
  const persisted = extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  if (persisted === undefined || persisted === null) return undefined;
  if (typeof persisted !== 'object' || typeof persisted.sha256Hash !== 'string') {
    throw new PersistedOperationError(ApolloServerErrorCode.BAD_REQUEST, '`extensions.persistedQuery.sha256Hash` must be a string', 400);
  }
  return persisted.sha256Hash;
}

function withoutPersistedQuery(extensions: OperationRequest['extensions']): Record<string, unknown> | undefined {
  if (!extensions) return undefined;
  const { persistedQuery: _persisted, ...rest } = extensions;
  return rest;
}

/**
 * Turns an operation sent by id into its document, and applies the safelist. One object serves
 * HTTP and graphql-ws, so the two paths accept and refuse exactly the same operations.
 * Automatic persisted queries (a hash Apollo Server learns from a first request carrying the
 * document) pass through to Apollo Server untouched unless the safelist is on.
 */
export class PersistedOperations {
  private readonly enforcedClients?: Set<string>;

  constructor(
    private list: PersistedOperationList,
    private readonly mode: SafelistMode,
    /** Client names the safelist applies to; empty: every client, named or not. */
    safelistClients: readonly string[] = [],
    /** The gateway's parse limits, for documents checked against the safelist before Apollo Server sees them. */
    private readonly parseOptions: ParseOptions = {},
  ) {
    this.enforcedClients = safelistClients.length ? new Set(safelistClients) : undefined;
  }

  /** Serves `list` from now on (a manifest changed); requests in flight keep the one they started with. */
  replaceList(list: PersistedOperationList): void {
    this.list = list;
  }

  private enforced(client: string | undefined): boolean {
    if (this.mode === 'off') return false;
    return !this.enforcedClients || (client !== undefined && this.enforcedClients.has(client));
  }

  /** The request with its document filled in from the list, or a refusal (PersistedOperationError). */
  resolve(request: OperationRequest, client: string | undefined): ResolvedRequest {
    const query = typeof request.query === 'string' && request.query.length > 0 ? request.query : undefined;
    const extensions = request.extensions ?? undefined;
    const documentId = request.documentId;
    if (documentId !== undefined && documentId !== null && typeof documentId !== 'string') {
      throw new PersistedOperationError(ApolloServerErrorCode.BAD_REQUEST, '`documentId` must be a string', 400);
    }
    const enforced = this.enforced(client);

    if (documentId !== undefined && documentId !== null) {
      if (query) throw new PersistedOperationError(ApolloServerErrorCode.BAD_REQUEST, 'Send either `documentId` or `query`, not both', 400);
      return { query: this.listed(documentId, client, enforced), extensions: withoutPersistedQuery(extensions) };
    }
    const hash = persistedQueryHash(extensions);
    if (hash !== undefined && !query) {
      const operation = this.list.byIdentifier(hash);
      if (operation && (!enforced || availableTo(operation, client))) return { query: operation.body, extensions: withoutPersistedQuery(extensions) };
      // Under the safelist an unknown hash never reaches Apollo's APQ cache: the client is asked
      // for the document (as APQ clients expect), which is then checked against the list.
      if (enforced) throw new PersistedOperationError(PersistedOperationCode.PERSISTED_QUERY_NOT_FOUND, 'PersistedQueryNotFound', 200);
      return { query: undefined, extensions };
    }
    if (query && enforced) {
      if (this.mode === 'require-id') {
        throw new PersistedOperationError(
          PersistedOperationCode.PERSISTED_QUERY_ID_REQUIRED,
          'This endpoint only runs registered operations sent by id: send `extensions.persistedQuery.sha256Hash` or `documentId`, not the document',
          400,
        );
      }
      if (!this.list.lists(query, client, this.parseOptions)) {
        throw new PersistedOperationError(PersistedOperationCode.QUERY_NOT_IN_SAFELIST, 'This operation is not in the safelist of registered operations', 403);
      }
    }
    return { query, extensions };
  }

  /**
   * The document to run, for a transport without Apollo Server's APQ cache (graphql-ws): an
   * unknown hash asks the client for the document, as APQ clients expect.
   */
  documentFor(request: OperationRequest, client: string | undefined): string {
    const resolved = this.resolve(request, client);
    if (resolved.query === undefined && persistedQueryHash(request.extensions) !== undefined) {
      throw new PersistedOperationError(PersistedOperationCode.PERSISTED_QUERY_NOT_FOUND, 'PersistedQueryNotFound', 200);
    }
    return resolved.query ?? '';
  }

  private listed(id: string, client: string | undefined, enforced: boolean): string {
    const operation = this.list.byIdentifier(id);
    if (!operation || (enforced && !availableTo(operation, client))) {
      throw new PersistedOperationError(
        PersistedOperationCode.PERSISTED_QUERY_NOT_IN_LIST,
        `Persisted operation ${JSON.stringify(id.slice(0, 128))} is not in the list of registered operations${client ? ` for client ${JSON.stringify(client.slice(0, 64))}` : ''}`,
        404,
      );
    }
    return operation.body;
  }
}

/** The gateway's persisted operations from its configuration; a bad manifest stops the start, naming the file. */
export function persistedOperationsFromConfig(config: GatewayConfig): PersistedOperations {
  let list: PersistedOperationList;
  try {
    list = PersistedOperationList.load(parseManifestSources(config.PERSISTED_OPERATIONS));
  } catch (error) {
    throw new ConfigError('gateway', { PERSISTED_OPERATIONS: (error as Error).message });
  }
  return new PersistedOperations(list, config.PERSISTED_OPERATIONS_SAFELIST, config.safelistClients, { maxTokens: config.LIMIT_TOKENS });
}
