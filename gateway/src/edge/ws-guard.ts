import { GraphQLError, OperationTypeNode } from 'graphql';
import type { OperationGuard } from '../subscriptions/ws-server';
import type { OperationLimits } from './limits';
import type { EdgeRateLimiter } from './rate-limit';

/**
 * The graphql-ws side of the edge: the same parser limit, validation rules and cost check as
 * HTTP. Subscriptions are rate-limited here; queries and mutations sent over a socket are
 * executed through Apollo Server, whose plugins count them, so they are not counted twice.
 */
export function socketOperationGuard(limits: OperationLimits, rateLimiter: EdgeRateLimiter): OperationGuard {
  return {
    parse: (source) => limits.parse(source),
    validate: (schema, document) => limits.validate(schema, document),
    admit: async ({ schema, document, operation, variables, clientIp, viewer }) => {
      const tooCostly = limits.checkCost(schema, document, operation, variables);
      if (tooCostly) return [new GraphQLError(tooCostly.message, { extensions: { code: tooCostly.extensions.code, limit: tooCostly.extensions.limit } })];
      if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return [];
      try {
        await rateLimiter.admit({ document, operation, clientIp, userId: viewer?.userId });
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
      return [];
    },
  };
}
