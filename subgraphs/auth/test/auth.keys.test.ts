import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@aether/common';
import { loadAuthConfig } from '../src/config';
import { loadSigningKeys } from '../src/tokens';
import { testSigningKey } from './support';

describe('signing keys', () => {
  let dataDir: string;
  const previous = process.env.AETHER_DATA_DIR;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'aether-keys-'));
    process.env.AETHER_DATA_DIR = dataDir;
  });
  afterEach(() => {
    if (previous === undefined) delete process.env.AETHER_DATA_DIR;
    else process.env.AETHER_DATA_DIR = previous;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('in development, generates a key once in the data folder, readable by its owner only, and keeps it', async () => {
    const first = await loadSigningKeys(undefined);
    const file = join(dataDir, 'keys', 'jwt-es256.pem');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const second = await loadSigningKeys(undefined);
    expect(second.kid).toBe(first.kid);
    expect(second.jwks).toEqual(first.jwks);
  });

  it('uses JWT_PRIVATE_KEY when given (with \\n escapes, as env files carry it), touching no file', async () => {
    const key = testSigningKey();
    const keys = await loadSigningKeys(key.privatePem.replace(/\n/g, '\\n'));
    expect(keys.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', kid: keys.kid });
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it.each([
    ['garbage', 'not a key'],
    ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['a P-384 key', generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
  ])('refuses %s as JWT_PRIVATE_KEY with a configuration error that does not echo it', async (_name, pem) => {
    const error = await loadSigningKeys(pem).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual({ JWT_PRIVATE_KEY: expect.any(String) });
    expect((error as Error).message).not.toContain(pem.split('\n')[1] ?? pem);
  });

  it('requires JWT_PRIVATE_KEY in production', () => {
    const secrets = { GATEWAY_SECRET: 'g'.repeat(32), SERVICE_TOKEN: 's'.repeat(32) };
    expect(() => loadAuthConfig({ NODE_ENV: 'production', ...secrets })).toThrow(ConfigError);
    expect(() => loadAuthConfig({ NODE_ENV: 'production', ...secrets })).toThrow(/JWT_PRIVATE_KEY/);
    expect(loadAuthConfig({ NODE_ENV: 'production', ...secrets, JWT_PRIVATE_KEY: testSigningKey().privatePem }).BCRYPT_COST).toBe(12);
  });

  it('defaults to bcrypt cost 12, 15-minute access tokens and 30-day refresh tokens', () => {
    const config = loadAuthConfig({ NODE_ENV: 'test', GATEWAY_SECRET: 'g'.repeat(32), SERVICE_TOKEN: 's'.repeat(32) });
    expect([config.BCRYPT_COST, config.ACCESS_TOKEN_TTL, config.REFRESH_TOKEN_TTL]).toEqual([12, 900, 30 * 24 * 3600]);
  });
});
