import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sirv from 'sirv';
import type { WebConfig } from './config';

export interface RunningWebServer {
  port: number;
  stop(): Promise<void>;
}

/** The gateway URL the page should use: the configured one, or the page's own host on the gateway's port. */
function gatewayUrlFor(req: IncomingMessage, config: WebConfig): URL {
  if (config.gatewayUrl) return new URL(config.gatewayUrl);
  const host = new URL(`http://${req.headers.host ?? 'localhost'}`).hostname;
  return new URL(`http://${host.includes(':') ? `[${host}]` : host}:${config.gatewayPort}/graphql`);
}

function webSocketUrl(url: URL): URL {
  const ws = new URL(url);
  ws.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return ws;
}

/**
 * The page may run its own scripts and talk to the gateway, nothing else: an injected script
 * could read the access token held in memory, so no inline script, no third-party origin.
 */
function securityHeaders(res: ServerResponse, gateway: URL): void {
  const connect = ["'self'", gateway.origin, webSocketUrl(gateway).origin].join(' ');
  res.setHeader(
    'content-security-policy',
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src ${connect}; ` +
      "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  );
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
}

/**
 * Serves the built client (`clients/web/dist`) with an SPA fallback to index.html, plus
 * `/config.json`, which tells the page where the gateway is, so one build runs against any gateway.
 */
export async function startWebServer(config: WebConfig): Promise<RunningWebServer> {
  if (!existsSync(join(config.distDir, 'index.html'))) {
    throw new Error(`no built client in ${config.distDir}: run \`npm run build -w @aether/web\``);
  }
  const assets = sirv(config.distDir, {
    single: true,
    etag: true,
    gzip: false,
    // Vite puts a content hash in every asset name, so they never change under the same URL.
    setHeaders: (res, pathname) => {
      res.setHeader('cache-control', pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const gateway = gatewayUrlFor(req, config);
    securityHeaders(res, gateway);
    if (path === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ graphqlUrl: gateway.href, graphqlWsUrl: webSocketUrl(gateway).href }));
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    assets(req, res, () => {
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
