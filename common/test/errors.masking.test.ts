import { ErrorCode, maskError, maskErrorFor, RateLimitedError, withRequestId } from '../src/errors';
import { requestContext } from '../src/logger';

describe('maskError', () => {
  it('passes our public codes through and drops a stack trace', () => {
    const masked = maskError({
      message: 'Too many requests',
      path: ['sendMessage'],
      extensions: { code: ErrorCode.RATE_LIMITED, retryAfter: 3, stacktrace: ['at secret (/srv/app.ts:1)'] },
    });
    expect(masked).toEqual({ message: 'Too many requests', path: ['sendMessage'], extensions: { code: 'RATE_LIMITED', retryAfter: 3 } });
  });

  it.each(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_REQUEST', 'PERSISTED_QUERY_NOT_FOUND'])(
    "keeps Apollo Server's own code %s with its message",
    (code) => {
      expect(maskError({ message: 'Syntax Error: Unexpected <EOF>.', extensions: { code } })).toEqual({
        message: 'Syntax Error: Unexpected <EOF>.',
        extensions: { code },
      });
    },
  );

  it.each([
    ['no code', { message: 'connect ECONNREFUSED 10.0.0.5:5432 password=hunter2' }],
    ['an unknown code', { message: 'relation "users" does not exist', extensions: { code: 'DB_ERROR', detail: 'x' } }],
    ['a code that is not a string', { message: 'boom', extensions: { code: 42 } }],
    ['INTERNAL_SERVER_ERROR with details', { message: 'TypeError: x is undefined', extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at f'] } }],
  ])('hides everything of an error with %s', (_case, formatted) => {
    const masked = maskError({ ...formatted, path: ['me'] });
    expect(masked).toEqual({ message: 'Internal server error', path: ['me'], locations: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(JSON.stringify(masked)).not.toMatch(/hunter2|users|TypeError|stacktrace/);
  });

  it('gives a hidden error the request id a user can quote, when there is one', () => {
    const masked = requestContext.run({ requestId: 'req-123' } as never, () => maskError({ message: 'boom' }));
    expect(masked.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-123' });
  });

  it('gives the same id where the request is carried explicitly, to the errors a user reports and no others', () => {
    expect(maskErrorFor({ message: 'boom' }, 'req-9').extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-9' });
    const unavailable = { message: 'Service temporarily unavailable, try again', extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true } };
    expect(maskErrorFor(unavailable, 'req-9').extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, requestId: 'req-9' });
    const forbidden = { message: 'Not a member', extensions: { code: 'FORBIDDEN' } };
    expect(maskErrorFor(forbidden, 'req-9')).toEqual(forbidden);
    expect(maskErrorFor({ message: 'boom' }, undefined).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    // Added after masking (the gateway's plugin): the same result, and nothing else changes.
    expect(withRequestId(maskError({ message: 'boom', path: ['me'] }), 'req-9')).toEqual(maskErrorFor({ message: 'boom', path: ['me'] }, 'req-9'));
    expect(withRequestId(forbidden, 'req-9')).toBe(forbidden);
  });

  it('rounds retryAfter up to whole seconds, at least one', () => {
    expect(new RateLimitedError(0.2).extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 1 });
    expect(new RateLimitedError(2.1).extensions).toEqual({ code: 'RATE_LIMITED', retryAfter: 3 });
  });
});
