import { maskedFor } from '../../src/subscriptions/execute';

const context = { clientIp: '127.0.0.1', requestId: 'sub-req-1' };

describe('errors a subscription sends', () => {
  it('carry the subscriber’s request id where a user would quote one, as over HTTP, and nothing internal', () => {
    const [unavailable, forbidden, internal] = maskedFor(context, [
      { message: 'Live events are unavailable: resubscribe', extensions: { code: 'SERVICE_UNAVAILABLE' } },
      { message: 'Not a member of this room', extensions: { code: 'FORBIDDEN' } },
      { message: 'relation "rooms" does not exist', extensions: { code: 'DB_ERROR', stacktrace: ['at pg'] } },
    ]);
    expect(unavailable.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', requestId: 'sub-req-1' });
    expect(forbidden).toEqual({ message: 'Not a member of this room', extensions: { code: 'FORBIDDEN' } });
    expect(internal).toEqual({ message: 'Internal server error', locations: undefined, path: undefined, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'sub-req-1' } });
  });
});
