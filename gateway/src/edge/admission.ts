import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { GatewayContext } from '../context';
import type { OperationGuard } from '../subscriptions/ws-server';
import type { OperationLimits } from './limits';

/** One operation about to be planned, whichever way it arrived. */
export interface AdmissionRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  variables: Record<string, unknown>;
  context: GatewayContext;
}

/**
 * One edge check (session, rate limits, cost...). It is written once and registered once in
 * the gateway's list; the pipeline runs it for every HTTP operation (batched ones each on
 * their own) and every operation a graphql-ws socket starts, so the two paths cannot drift.
 */
export interface EdgeCheck {
  readonly name: string;
  /** Throws a GraphQLError to refuse the operation (its `extensions.http` is used on HTTP only). */
  admit(request: AdmissionRequest): Promise<void> | void;
  /** An operation refused before it was resolved (it did not parse or validate), so that it is not free. */
  unresolved?(context: GatewayContext): Promise<void>;
}

/** The error as a graphql-ws client gets it: the same code and details, without the HTTP part. */
function forSocket(error: GraphQLError): GraphQLError {
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { extensions });
}

/**
 * The gateway's one admission path. HTTP operations pass through it in an Apollo Server
 * plugin, once their operation is resolved and before anything is planned; socket
 * operations through `socketGuard()` in the graphql-ws server's `onSubscribe`. Queries and
 * mutations sent over a socket then run through Apollo Server marked `admitted`, so the
 * plugin does not charge them twice.
 */
export class AdmissionPipeline {
  constructor(
    private readonly limits: OperationLimits,
    private readonly checks: readonly EdgeCheck[],
  ) {}

  async admit(request: AdmissionRequest): Promise<void> {
    for (const check of this.checks) await check.admit(request);
  }

  /**
   * A request refused before its operation was resolved (a token that did not verify, a
   * document that did not parse or validate) still costs: throws when that puts it over budget.
   */
  async unresolved(context: GatewayContext): Promise<void> {
    for (const check of this.checks) await check.unresolved?.(context);
  }

  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async ({ contextValue }) => {
        if (contextValue.admitted) return {};
        let resolved = false;
        let refusal: GraphQLError | undefined;
        return {
          didResolveOperation: async ({ schema, document, operation, request }) => {
            resolved = true;
            if (!operation) return;
            await this.admit({ schema, document, operation, variables: request.variables ?? {}, context: contextValue });
          },
          didEncounterErrors: async () => {
            if (resolved) return;
            try {
              await this.unresolved(contextValue);
            } catch (error) {
              if (error instanceof GraphQLError) refusal = error;
            }
          },
          // A caller over its budget hears that, rather than what is wrong with its document.
          willSendResponse: async ({ response }) => {
            if (!refusal || response.body.kind !== 'single') return;
            const { http, ...extensions } = refusal.extensions as { http?: { status?: number; headers?: Map<string, string> } };
            if (http?.status) response.http.status = http.status;
            for (const [name, value] of http?.headers ?? []) response.http.headers.set(name, value);
            response.body.singleResult = { errors: [{ message: refusal.message, extensions }] };
          },
        };
      },
    };
  }

  /** The graphql-ws server's hooks: the same parser and validation limits as HTTP, then the same checks. */
  socketGuard(): OperationGuard {
    return {
      parse: (source) => this.limits.parse(source),
      validate: (schema, document) => this.limits.validate(schema, document),
      unresolved: async (context) => {
        try {
          await this.unresolved(context);
        } catch (error) {
          if (!(error instanceof GraphQLError)) throw error;
          return [forSocket(error)];
        }
        return [];
      },
      admit: async (request) => {
        try {
          await this.admit(request);
        } catch (error) {
          if (!(error instanceof GraphQLError)) throw error;
          return [forSocket(error)];
        }
        return [];
      },
    };
  }
}
