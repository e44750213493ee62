import { ErrorCode, type ServiceMetrics } from '@aether/common';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, type FieldNode } from 'graphql';

const OUTCOME_BY_CODE: Record<string, string> = {
  [ErrorCode.UNAUTHENTICATED]: 'failed',
  [ErrorCode.RATE_LIMITED]: 'throttled',
  [ErrorCode.BAD_USER_INPUT]: 'invalid',
};

/**
 * Counts every `login` answered (aliases included, several per operation too) by what the
 * client was told: `ok`, `failed` (wrong credentials), `throttled`, `invalid` or `error`. A
 * spike of `failed` is credential stuffing; the alert on it reads `aether_login_attempts_total`.
 */
export function loginMetricsPlugin(metrics: ServiceMetrics): ApolloServerPlugin<BaseContext> {
  const loginAttempts = metrics.counter({
    name: 'aether_login_attempts_total',
    help: 'login mutations answered by auth, by outcome (ok, failed: wrong credentials, throttled, invalid)',
    labelNames: ['outcome'] as const,
  });
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, response }) {
          if (operation?.operation !== 'mutation') return;
          const logins = operation.selectionSet.selections.filter(
            (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'login',
          );
          if (!logins.length) return;
          const body = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          for (const field of logins) {
            const key = field.alias?.value ?? field.name.value;
            const error = body.errors?.find((e) => e.path?.[0] === key);
            const outcome = !error ? 'ok' : (OUTCOME_BY_CODE[String(error.extensions?.code)] ?? 'error');
            loginAttempts.inc({ outcome });
          }
        },
      };
    },
  };
}
