import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { requestContext } from './logger';

/** The stable error codes of docs/api-contract.md; nothing else in the code base invents codes. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  RATE_LIMITED: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
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

/**
 * Codes of persisted operations and safelisting, named as Apollo Router and Apollo Server name
 * them, so that clients and their persisted-query links recognise them.
 */
export const PersistedOperationCode = {
  /** An APQ hash the gateway does not know: send the full document with the hash once. */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** An operation id that is not in the gateway's persisted operation list (for this client). */
  PERSISTED_QUERY_NOT_IN_LIST: 'PERSISTED_QUERY_NOT_IN_LIST',
  /** A document sent in full that is not in the safelist. */
  QUERY_NOT_IN_SAFELIST: 'QUERY_NOT_IN_SAFELIST',
  /** A document sent in full where only operation ids are accepted. */
  PERSISTED_QUERY_ID_REQUIRED: 'PERSISTED_QUERY_ID_REQUIRED',
} as const;
export type PersistedOperationCode = (typeof PersistedOperationCode)[keyof typeof PersistedOperationCode];

/** A persisted operation refused; `httpStatus` is what HTTP answers with (Apollo Router's statuses). */
export class PersistedOperationError extends GraphQLError {
  constructor(
    code: PersistedOperationCode | typeof ApolloServerErrorCode.BAD_REQUEST,
    message: string,
    readonly httpStatus: number,
  ) {
    super(message, { extensions: { code } });
  }
}

/**
 * A service behind the gateway did not answer in time or could not be reached: the operation
 * may or may not have run, so it is safe to retry only what is idempotent (a send with the same
 * `clientMessageId`). The detail for the log is the `cause`, never shown to the client.
 */
export class ServiceUnavailableError extends GraphQLError {
  constructor(cause: Error, retryAfterSeconds = 1) {
    super('Service temporarily unavailable, try again', {
      originalError: cause,
      extensions: { code: ErrorCode.SERVICE_UNAVAILABLE, retryable: true, retryAfter: Math.max(1, Math.ceil(retryAfterSeconds)) },
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
  ErrorCode.SERVICE_UNAVAILABLE,
  // Apollo Server's own codes for malformed operations are safe to show as they are.
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
  PersistedOperationCode.PERSISTED_QUERY_NOT_IN_LIST,
  PersistedOperationCode.QUERY_NOT_IN_SAFELIST,
  PersistedOperationCode.PERSISTED_QUERY_ID_REQUIRED,
]);

/**
 * Apollo Server `formatError`: errors with one of our codes pass through; anything else
 * (a bug, a driver error) becomes a bare INTERNAL_SERVER_ERROR with no message details and
 * no stack trace, so nothing internal ever reaches a client. It carries the request id
 * instead (`extensions.requestId`): what a user quotes to find the logged error and its trace.
 * The id is the `requestContext`'s; code that carries its request explicitly (the gateway's)
 * uses `maskErrorFor`, or adds it afterwards with `withRequestId`.
 */
export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return maskErrorFor(formatted, requestContext.getStore()?.requestId);
}

/** `maskError` for the request `requestId`. */
export function maskErrorFor(formatted: GraphQLFormattedError, requestId: string | undefined): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && PUBLIC_CODES.has(code)) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return withRequestId({ ...formatted, extensions }, requestId);
  }
  return withRequestId(
    { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } },
    requestId,
  );
}

// Worth reporting, so they carry the id to quote: an internal error, and an unavailable service.
const QUOTED_CODES = new Set<unknown>([ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE]);

/** A masked error with the request id to quote, where its code is one a user reports. */
export function withRequestId(formatted: GraphQLFormattedError, requestId: string | undefined): GraphQLFormattedError {
  if (!requestId || !QUOTED_CODES.has(formatted.extensions?.code)) return formatted;
  return { ...formatted, extensions: { ...formatted.extensions, requestId } };
}
