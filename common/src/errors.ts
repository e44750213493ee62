import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { requestContext } from './logger';

/** The stable error codes of API.md; nothing else in the code base invents codes. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Field path (dotted) to a human message, as zod reports it. */
export type FieldErrors = Record<string, string>;

export class BadUserInputError extends GraphQLError {
  constructor(message: string, fields: FieldErrors = {}) {
    super(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, fields } });
  }
}

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'Authentication required') {
    super(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = 'Not allowed') {
    super(message, { extensions: { code: ErrorCode.FORBIDDEN } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(message = 'Not found') {
    super(message, { extensions: { code: ErrorCode.NOT_FOUND } });
  }
}

export class ConflictError extends GraphQLError {
  constructor(message: string, fields: FieldErrors = {}) {
    super(message, { extensions: { code: ErrorCode.CONFLICT, fields } });
  }
}

export class RateLimitedError extends GraphQLError {
  constructor(retryAfterSeconds: number, message = 'Too many requests, try again later') {
    super(message, {
      extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) },
    });
  }
}

const PUBLIC_CODES = new Set<string>([
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
  ErrorCode.RATE_LIMITED,
  // Apollo Server's own codes for malformed operations are safe to show as they are.
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

/**
 * Apollo Server `formatError`: errors with one of our codes pass through; anything else
 * (a bug, a driver error) becomes a bare INTERNAL_SERVER_ERROR with no message details and
 * no stack trace, so nothing internal ever reaches a client. It carries the request id
 * instead (`extensions.requestId`): what a user quotes to find the logged error and its trace.
 */
export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, ...requestIdExtension() },
  };
}

function requestIdExtension(): { requestId?: string } {
  const requestId = requestContext.getStore()?.requestId;
  return requestId ? { requestId } : {};
}
