/**
 * What auth signs and the gateway verifies in an access token: one list, so the two cannot
 * drift. The algorithm is pinned on verify, so `none` or HS256 tokens are refused.
 */
export const JWT_ALGORITHM = 'ES256';
/** The `aud` claim of every access token. */
export const JWT_AUDIENCE = 'aetherconnect';
/** The `iss` claim unless `JWT_ISSUER` says otherwise (auth signs with it, the gateway expects it). */
export const DEFAULT_JWT_ISSUER = 'aetherconnect';
/** Where auth publishes the public keys of its access tokens, relative to its origin. */
export const JWKS_PATH = '/.well-known/jwks.json';
