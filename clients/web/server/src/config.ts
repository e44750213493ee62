import { join } from 'node:path';
import { env, loadConfig, repoRoot } from '@aether/common';
import { z } from 'zod';

/** Every variable the web client's server reads. The README's configuration table is checked against it. */
export const webConfigSchema = z.object({
  HOST: z.string().default('0.0.0.0'),
  WEB_PORT: env.port(4080),
  /**
   * The gateway's GraphQL URL as the browser reaches it; its ws(s):// twin carries graphql-ws.
   * Unset: the page's own host name on GATEWAY_PORT, so the client works on localhost and on a LAN address alike.
   */
  WEB_GATEWAY_URL: z.string().url().optional(),
  GATEWAY_PORT: env.port(4000),
  WEB_DIST_DIR: z.string().default(join(repoRoot, 'clients', 'web', 'dist')),
});

export interface WebConfig {
  host: string;
  port: number;
  gatewayUrl?: string;
  gatewayPort: number;
  distDir: string;
}

export function loadWebConfig(source: Record<string, string | undefined> = process.env): WebConfig {
  const parsed = loadConfig('web', webConfigSchema, source);
  return {
    host: parsed.HOST,
    port: parsed.WEB_PORT,
    gatewayUrl: parsed.WEB_GATEWAY_URL,
    gatewayPort: parsed.GATEWAY_PORT,
    distDir: parsed.WEB_DIST_DIR,
  };
}
