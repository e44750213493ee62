import { ApolloError } from '@apollo/client';

/** What to tell the user about a failed operation: the server's message, with per-field details. */
export function describeError(error: unknown): string {
  if (error instanceof ApolloError) {
    const first = error.graphQLErrors[0];
    if (first) {
      const fields = first.extensions?.fields as Record<string, string> | undefined;
      if (first.extensions?.code === 'RATE_LIMITED') return `Too many attempts; try again in ${first.extensions.retryAfter ?? 'a few'} s.`;
      return fields ? Object.entries(fields).map(([field, message]) => `${field}: ${message}`).join('; ') : first.message;
    }
    if (error.networkError) return 'Cannot reach the server. Check your connection and try again.';
  }
  return error instanceof Error ? error.message : 'Something went wrong.';
}
