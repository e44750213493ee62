import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The caller's identity as the gateway vouches for it to subgraphs. Only the gateway holds the
 * HMAC secret, so a client that forges the header, or reaches a subgraph port directly, is
 * refused. Anonymous callers get a signed identity too (no `userId`): a subgraph can tell
 * "anonymous through the gateway" from "not through the gateway".
 */
export interface Identity {
  userId?: string;
  roles: string[];
  sessionId?: string;
  /** The client's address as the gateway saw it, for per-IP throttling in subgraphs. */
  clientIp?: string;
  /** Expiry, milliseconds since the epoch. Short: a captured header is useless soon after. */
  expiresAt: number;
}

export const IDENTITY_HEADER = 'x-aether-identity';
export const REQUEST_ID_HEADER = 'x-request-id';
/** How long a signed identity stays valid. It is signed per request, so this only bounds replay. */
export const IDENTITY_TTL_MS = 60_000;

const VERSION = 'v1';

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', secret).update(`${VERSION}.${body}`).digest();
}

export function signIdentity(
  secret: string,
  identity: Omit<Identity, 'expiresAt'>,
  now = Date.now(),
  ttlMs = IDENTITY_TTL_MS,
): string {
  const payload: Identity = {
    ...(identity.userId ? { userId: identity.userId } : {}),
    roles: identity.roles,
    ...(identity.sessionId ? { sessionId: identity.sessionId } : {}),
    ...(identity.clientIp ? { clientIp: identity.clientIp } : {}),
    expiresAt: now + ttlMs,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${VERSION}.${body}.${mac(secret, body).toString('base64url')}`;
}

/** The parts of a verified caller (the gateway's `Viewer`) that a signed identity carries. */
export interface IdentitySource {
  userId: string;
  roles: string[];
  sessionId: string;
}

/**
 * The signed identity of a caller as the gateway established it (anonymous when `viewer` is
 * undefined), from the address it came from: the one conversion from a viewer to an identity,
 * for subgraph fetches over HTTP and subscriptions over graphql-ws alike.
 */
export function signViewerIdentity(secret: string, viewer: IdentitySource | undefined, clientIp: string | undefined, now = Date.now()): string {
  return signIdentity(secret, { userId: viewer?.userId, roles: viewer?.roles ?? [], sessionId: viewer?.sessionId, clientIp }, now);
}

/** The identity in `header` if the gateway signed it and it has not expired; otherwise null. */
export function verifyIdentity(secret: string, header: unknown, now = Date.now()): Identity | null {
  if (typeof header !== 'string' || header.length > 4096) return null;
  const parts = header.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const [, body, signature] = parts;
  const expected = mac(secret, body);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let payload: Identity;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (typeof payload.expiresAt !== 'number' || payload.expiresAt < now) return null;
  if (!Array.isArray(payload.roles) || payload.roles.some((r) => typeof r !== 'string')) return null;
  if (payload.userId !== undefined && typeof payload.userId !== 'string') return null;
  if (payload.sessionId !== undefined && typeof payload.sessionId !== 'string') return null;
  if (payload.clientIp !== undefined && typeof payload.clientIp !== 'string') return null;
  return payload;
}
