// The gateway's metrics, under the name the code below uses (rename once issue 14 has landed).
import type { GatewayMetrics } from '../metrics';
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ParseOptions,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { GatewayContext } from '../context';
import { demandControlOf, operationCost, NO_DEMAND_CONTROL, type DemandControl } from './cost';

/** What an operation may ask for; every number comes from the gateway config (`LIMIT_*`). */
export interface OperationLimitsConfig {
  depth: number;
  aliases: number;
  rootFields: number;
  tokens: number;
  directives: number;
  cost: number;
  /** Size assumed for a list field the supergraph declares no `@listSize` for, without `first`/`last`. */
  listSize: number;
  /** Keep graphql-js's "Did you mean ...?" hints, which spell out the schema. */
  fieldSuggestions: boolean;
}

/** The name of each limit, as it appears in `extensions.limit` and the refused-operations metric. */
export type LimitName = 'depth' | 'aliases' | 'root_fields' | 'tokens' | 'directives' | 'cost' | 'list_size';

/** An operation over one of the limits: GRAPHQL_VALIDATION_FAILED with HTTP 400, as Apollo answers invalid operations. */
export function limitError(limit: LimitName, message: string, details: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, limit, ...details, http: { status: 400 } },
  });
}

const SUGGESTION = /\s*Did you mean .+\?/g;

/** Fields selected at the root of each operation, fragments included (`__typename` is free). */
function rootFieldsRule(max: number, refused: (limit: LimitName) => void): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const count = (set: SelectionSetNode, seen: Set<string>): number => {
      let n = 0;
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) n += s.name.value === '__typename' ? 0 : 1;
        else if (s.kind === Kind.INLINE_FRAGMENT) n += count(s.selectionSet, seen);
        else if (!seen.has(s.name.value)) {
          const fragment = context.getFragment(s.name.value);
          if (fragment) n += count(fragment.selectionSet, new Set(seen).add(s.name.value));
        }
      }
      return n;
    };
    return {
      OperationDefinition(node) {
        const n = count(node.selectionSet, new Set());
        if (n > max) {
          refused('root_fields');
          context.reportError(limitError('root_fields', `Root fields limit of ${max} exceeded, found ${n}.`));
        }
      },
    };
  };
}

/**
 * The operation limits of the gateway, checked before anything is planned or fetched, the same
 * way for HTTP (Apollo Server `parseOptions`, `validationRules`) and graphql-ws (`parse`,
 * `validate` from the admission pipeline's socket guard); `checkCost` is the pipeline's cost check.
 *
 * Depth, aliases and directives are graphql-armor's rules; tokens are graphql-js's own parser
 * limit; root fields and cost are small rules of ours (armor has no root-field limit, and its
 * cost limit does not see variables: see cost.ts).
 */
export class OperationLimits {
  readonly parseOptions: ParseOptions;
  readonly validationRules: ValidationRule[];
  /** The list sizes and costs the served supergraph declares (`@listSize`, `@cost`). */
  private demand: DemandControl = NO_DEMAND_CONTROL;

  constructor(
    private readonly config: OperationLimitsConfig,
    private readonly metrics?: GatewayMetrics,
  ) {
    this.parseOptions = { maxTokens: config.tokens };
    const refused = (limit: LimitName) => metrics?.operationsRefused.inc({ limit });
    // armor's rules throw "Syntax Error: ..." by default; reported instead, they become ordinary validation errors.
    const report =
      (limit: LimitName) =>
      (context: ValidationContext | null, error: GraphQLError): void => {
        refused(limit);
        context?.reportError(limitError(limit, error.message.replace(/^Syntax Error: /, '')));
      };
    const armor = (limit: LimitName) => ({ propagateOnRejection: false, onReject: [report(limit)] });
    this.validationRules = [
      maxDepthRule({ n: config.depth, flattenFragments: true, ...armor('depth') }) as unknown as ValidationRule,
      maxAliasesRule({ n: config.aliases, ...armor('aliases') }) as unknown as ValidationRule,
      maxDirectivesRule({ n: config.directives, ...armor('directives') }) as unknown as ValidationRule,
      rootFieldsRule(config.rootFields, refused),
    ];
  }

  /** graphql-js `parse` with the token limit (graphql-ws path). */
  parse(source: string): DocumentNode {
    try {
      return parse(source, this.parseOptions);
    } catch (error) {
      if (/tokens/.test((error as Error).message)) this.metrics?.operationsRefused.inc({ limit: 'tokens' });
      throw error;
    }
  }

  /** The standard rules and ours, with suggestions hidden when configured (graphql-ws path). */
  validate(schema: GraphQLSchema, document: DocumentNode): readonly GraphQLError[] {
    const errors = validate(schema, document, [...specifiedRules, ...this.validationRules]);
    if (this.config.fieldSuggestions) return errors;
    return errors.map((e) => new GraphQLError(e.message.replace(SUGGESTION, ''), { nodes: e.nodes, extensions: e.extensions }));
  }

  /** Reads the cost model of a newly loaded supergraph: what its subgraphs declare with `@listSize` and `@cost`. */
  useSupergraph(supergraphSdl: string): void {
    this.demand = demandControlOf(parse(supergraphSdl));
  }

  /** The error of an operation over a list bound or the cost limit, undefined when it fits. */
  checkCost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Record<string, unknown> | undefined,
  ): GraphQLError | undefined {
    const { cost, violation } = operationCost(schema, document, operation, variables ?? {}, this.config.listSize, this.demand);
    if (violation) {
      this.metrics?.operationsRefused.inc({ limit: 'list_size' });
      const message =
        violation.max === undefined
          ? `${violation.field} requires ${violation.argument}.`
          : `${violation.field}(${violation.argument}:) is at most ${violation.max}, found ${violation.value}.`;
      return limitError('list_size', message, { field: violation.field, argument: violation.argument, max: violation.max });
    }
    if (cost <= this.config.cost) return undefined;
    this.metrics?.operationsRefused.inc({ limit: 'cost' });
    return limitError('cost', `Query cost limit of ${this.config.cost} exceeded, found ${cost}.`);
  }

  /**
   * Apollo Server plugin: a count of documents refused for their tokens. (The cost check is an
   * edge check of the admission pipeline: see cost-check.ts.)
   */
  plugin(): ApolloServerPlugin<GatewayContext> {
    return {
      requestDidStart: async () => ({
        parsingDidStart: async () => async (error) => {
          if (error && /tokens/.test(error.message)) this.metrics?.operationsRefused.inc({ limit: 'tokens' });
        },
      }),
    };
  }
}
