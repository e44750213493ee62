import { createHmac } from 'node:crypto';
import { signIdentity, signViewerIdentity, verifyIdentity, IDENTITY_TTL_MS } from '../src/identity';

const secret = 'unit-test-secret-of-enough-length';
const now = 1_700_000_000_000;

function forge(payload: unknown, key = secret): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const mac = createHmac('sha256', key).update(`v1.${body}`).digest('base64url');
  return `v1.${body}.${mac}`;
}

describe('identity signing', () => {
  it('round-trips a user identity and keeps only the fields that are set', () => {
    const header = signIdentity(secret, { userId: 'u1', roles: ['USER'], sessionId: 's1', clientIp: '10.0.0.1' }, now);
    expect(verifyIdentity(secret, header, now)).toEqual({
      userId: 'u1', roles: ['USER'], sessionId: 's1', clientIp: '10.0.0.1', expiresAt: now + IDENTITY_TTL_MS,
    });
    const anonymous = verifyIdentity(secret, signIdentity(secret, { roles: [] }, now), now);
    expect(anonymous).toEqual({ roles: [], expiresAt: now + IDENTITY_TTL_MS });
  });

  it('refuses an identity once it has expired, and accepts it up to its last millisecond', () => {
    const header = signIdentity(secret, { userId: 'u1', roles: [] }, now, 1000);
    expect(verifyIdentity(secret, header, now + 1000)).not.toBeNull();
    expect(verifyIdentity(secret, header, now + 1001)).toBeNull();
  });

  it('refuses another key, a changed body and a changed signature', () => {
    const header = signIdentity(secret, { userId: 'u1', roles: ['USER'] }, now);
    expect(verifyIdentity('another-secret-of-enough-length', header, now)).toBeNull();
    const [version, , signature] = header.split('.');
    const adminBody = Buffer.from(JSON.stringify({ userId: 'u1', roles: ['ADMIN'], expiresAt: now + 60_000 })).toString('base64url');
    expect(verifyIdentity(secret, `${version}.${adminBody}.${signature}`, now)).toBeNull();
    expect(verifyIdentity(secret, `${header.slice(0, -2)}AA`, now)).toBeNull();
    expect(verifyIdentity(secret, forge({ userId: 'u1', roles: ['ADMIN'], expiresAt: now + 1 }, 'wrong'), now)).toBeNull();
  });

  it.each([
    ['not a string', 42],
    ['empty', ''],
    ['too long', `v1.${'a'.repeat(5000)}.b`],
    ['two parts', 'v1.abc'],
    ['four parts', 'v1.a.b.c'],
    ['another version', signIdentity(secret, { roles: [] }, now).replace(/^v1\./, 'v2.')],
    ['a signature of another length', 'v1.e30.AAAA'],
  ])('refuses a malformed header: %s', (_case, header) => {
    expect(verifyIdentity(secret, header, now)).toBeNull();
  });

  it.each([
    ['a body that is not JSON', 'not json'],
    ['no expiry', { roles: [] }],
    ['an expiry that is a string', { roles: [], expiresAt: String(now + 1000) }],
    ['roles missing', { expiresAt: now + 1000 }],
    ['a role that is not a string', { roles: [1], expiresAt: now + 1000 }],
    ['a userId that is not a string', { userId: 7, roles: [], expiresAt: now + 1000 }],
    ['a sessionId that is not a string', { sessionId: {}, roles: [], expiresAt: now + 1000 }],
    ['a clientIp that is not a string', { clientIp: [], roles: [], expiresAt: now + 1000 }],
  ])('refuses a correctly signed payload with %s', (_case, payload) => {
    const header = typeof payload === 'string'
      ? (() => {
          const body = Buffer.from(payload).toString('base64url');
          return `v1.${body}.${createHmac('sha256', secret).update(`v1.${body}`).digest('base64url')}`;
        })()
      : forge(payload);
    expect(verifyIdentity(secret, header, now)).toBeNull();
  });

  it('signs a viewer as the identity subgraphs read, and no viewer as anonymous from its address', () => {
    const viewer = { userId: 'u2', roles: ['ADMIN'], sessionId: 's2', expiresAt: now + 1000, token: 'not signed along' };
    expect(verifyIdentity(secret, signViewerIdentity(secret, viewer, '127.0.0.1', now), now)).toEqual({
      userId: 'u2', roles: ['ADMIN'], sessionId: 's2', clientIp: '127.0.0.1', expiresAt: now + IDENTITY_TTL_MS,
    });
    expect(verifyIdentity(secret, signViewerIdentity(secret, undefined, undefined, now), now)).toEqual({ roles: [], expiresAt: now + IDENTITY_TTL_MS });
  });
});
