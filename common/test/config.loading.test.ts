import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, env, loadConfig, secretFor } from '../src/config';

const schema = z.object({
  PORT: env.port(4000),
  UPSTREAM_URL: env.url(),
  VERBOSE: env.bool(false),
  STRICT: env.optionalBool(),
  WINDOW: env.seconds(60),
});

describe('config loading', () => {
  it('applies defaults, coerces numbers and booleans, and treats empty strings as unset', () => {
    const config = loadConfig('svc', schema, { UPSTREAM_URL: 'http://a:1', PORT: '', VERBOSE: '1', WINDOW: '5', OTHER: 'ignored' });
    expect(config).toEqual({ PORT: 4000, UPSTREAM_URL: 'http://a:1', VERBOSE: true, STRICT: undefined, WINDOW: 5 });
  });

  it('names every bad variable once in one ConfigError, without echoing values', () => {
    let error: unknown;
    try {
      loadConfig('svc', schema, { PORT: '70000', VERBOSE: 'yes', WINDOW: '-1', UPSTREAM_URL: 'not a url secret-value' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.service).toBe('svc');
    expect(Object.keys(configError.variables).sort()).toEqual(['PORT', 'UPSTREAM_URL', 'VERBOSE', 'WINDOW']);
    expect(configError.message).toMatch(/^Invalid configuration for svc:/);
    expect(configError.message).not.toContain('secret-value');
  });

  it('reports a required variable that is missing', () => {
    expect(() => loadConfig('svc', schema, {})).toThrow(/UPSTREAM_URL/);
  });

  describe('secrets', () => {
    const previous = process.env.AETHER_DATA_DIR;
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'aether-config-'));
      process.env.AETHER_DATA_DIR = dir;
    });
    afterEach(() => {
      if (previous === undefined) delete process.env.AETHER_DATA_DIR;
      else process.env.AETHER_DATA_DIR = previous;
      rmSync(dir, { recursive: true, force: true });
    });

    it('uses the given value, and requires one in production', () => {
      expect(secretFor('svc', 'production', 'JWT_SECRET', 'given')).toBe('given');
      expect(() => secretFor('svc', 'production', 'JWT_SECRET', undefined)).toThrow(ConfigError);
      expect(() => secretFor('svc', 'production', 'JWT_SECRET', '')).toThrow(/JWT_SECRET: Required in production/);
    });

    it('outside production generates one development secret, kept private and shared by every caller', () => {
      const first = secretFor('svc', 'development', 'IDENTITY_SECRET', undefined);
      expect(first.length).toBeGreaterThanOrEqual(32);
      expect(secretFor('other', 'test', 'IDENTITY_SECRET', undefined)).toBe(first);
      expect(statSync(join(dir, 'secrets', 'identity_secret')).mode & 0o777).toBe(0o600);
      expect(secretFor('svc', 'development', 'OTHER_SECRET', undefined)).not.toBe(first);
    });
  });
});
