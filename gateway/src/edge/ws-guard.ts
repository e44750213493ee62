import { GraphQLError, OperationTypeNode } from 'graphql';
import type { OperationGuard } from '../subscriptions/ws-server';
import type { OperationLimits } from './limits';
import type { EdgeRateLimiter } from './rate-limit';

/**
 * The graphql-ws side of the edge: the same parser limit, validation rules, cost check and
 * address and user budgets as HTTP, for every operation a socket starts.
 */
export function socketOperationGuard(limits: OperationLimits, rateLimiter: EdgeRateLimiter): OperationGuard {
  return {
    parse: (source) => limits.parse(source),
    validate: (schema, document) => limits.validate(schema, document),
    admit: async ({ schema, document, operation, variables, clientIp, viewer }) => {
      const tooCostly = limits.checkCost(schema, document, operation, variables);
      if (tooCostly) {
        const { http: _http, ...extensions } = tooCostly.extensions;
        return [new GraphQLError(tooCostly.message, { extensions })];
      }
      try {
        await rateLimiter.admitAddress(clientIp);
        await rateLimiter.admitUser(viewer?.userId);
        // Queries and mutations run through Apollo Server next, whose plugin charges their own budgets.
        if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
          await rateLimiter.admitOperation({ document, operation, clientIp, userId: viewer?.userId });
        }
      } catch (error) {
        if (!(error instanceof GraphQLError)) throw error;
        const { http: _http, ...extensions } = error.extensions;
        return [new GraphQLError(error.message, { extensions })];
      }
      return [];
    },
  };
}
