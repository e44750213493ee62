import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, dataDir, JWT_ALGORITHM, JWT_AUDIENCE } from '@aether/common';
import {
  calculateJwkThumbprint,
  exportJWK,
  importPKCS8,
  importSPKI,
  jwtVerify,
  SignJWT,
  type JWK,
  type KeyLike,
} from 'jose';
import type { Role } from './store/entities';

export { JWT_ALGORITHM, JWT_AUDIENCE };

export interface AccessTokenClaims {
  userId: string;
  sessionId: string;
  roles: Role[];
  expiresAt: Date;
}

export interface SigningKeys {
  privateKey: KeyLike;
  publicKey: KeyLike;
  kid: string;
  /** The public key as served at `/.well-known/jwks.json`. */
  jwks: { keys: JWK[] };
}

function derivePublicPem(privatePem: string): string {
  return createPublicKey(createPrivateKey(privatePem)).export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The development key pair: generated once and kept in the git-ignored data folder, so tokens
 * survive restarts. Production passes JWT_PRIVATE_KEY instead.
 */
function developmentPrivateKey(): string {
  const file = join(dataDir(), 'keys', 'jwt-es256.pem');
  try {
    return readFileSync(file, 'utf8');
  } catch {
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    try {
      writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
      return pem;
    } catch {
      return readFileSync(file, 'utf8');
    }
  }
}

export async function loadSigningKeys(privatePem: string | undefined): Promise<SigningKeys> {
  const pem = privatePem?.replace(/\\n/g, '\n') ?? developmentPrivateKey();
  let privateKey: KeyLike;
  let publicKey: KeyLike;
  try {
    const details = createPrivateKey(pem).asymmetricKeyDetails;
    if (details?.namedCurve !== 'prime256v1') throw new Error('not a P-256 key');
    privateKey = await importPKCS8(pem, JWT_ALGORITHM);
    publicKey = await importSPKI(derivePublicPem(pem), JWT_ALGORITHM);
  } catch {
    // Never echo the value: it is a private key, or something meant to be one.
    throw new ConfigError('auth', { JWT_PRIVATE_KEY: 'Must be a PKCS#8 PEM P-256 (ES256) private key' });
  }
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicKey, kid, jwks: { keys: [{ ...jwk, kid, alg: JWT_ALGORITHM, use: 'sig' }] } };
}

export class AccessTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {}

  async sign(userId: string, sessionId: string, roles: Role[], now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.ttlSeconds;
    const token = await new SignJWT({ sid: sessionId, roles })
      .setProtectedHeader({ alg: JWT_ALGORITHM, kid: this.keys.kid, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(JWT_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .setJti(randomBytes(12).toString('base64url'))
      .sign(this.keys.privateKey);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** Checks signature and expiry only; session revocation is the caller's next step. */
  async verify(token: string): Promise<AccessTokenClaims> {
    const { payload } = await jwtVerify(token, this.keys.publicKey, {
      algorithms: [JWT_ALGORITHM],
      issuer: this.issuer,
      audience: JWT_AUDIENCE,
    });
    if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || !Array.isArray(payload.roles)) {
      throw new Error('token claims are incomplete');
    }
    return {
      userId: payload.sub,
      sessionId: payload.sid,
      roles: payload.roles as Role[],
      expiresAt: new Date((payload.exp ?? 0) * 1000),
    };
  }
}

/** A new opaque refresh token: 256 random bits. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Refresh tokens are stored only as this hash; a database leak does not leak sessions. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
