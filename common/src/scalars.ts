import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : new Date(value as string | number);
  if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime must be an ISO-8601 date-time string');
  return date;
}

/** ISO-8601 date-time in UTC, e.g. `2026-11-25T10:00:00.000Z`. Shared by every subgraph. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'A date-time in UTC, written as an ISO-8601 string such as 2026-11-25T10:00:00.000Z.',
  serialize: (value) => toDate(value).toISOString(),
  parseValue: (value) => toDate(value),
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return toDate(ast.value);
  },
});
