/**
 * The web client's own server: it serves the built app (with an SPA fallback), tells the page
 * where the gateway is, and sends a Content-Security-Policy that lets the page talk to that
 * gateway and load nothing from anywhere else.
 */
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, repoRoot } from '@aether/common';
import { loadWebConfig, webConfigSchema } from '../clients/web/server/src/config';
import { startWebServer, type RunningWebServer } from '../clients/web/server/src/server';

describe('web client server', () => {
  let dist: string;
  let server: RunningWebServer;
  let base: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'aether-web-dist-'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>app</title>');
    server = await startWebServer({ host: '127.0.0.1', port: 0, gatewayPort: 4999, distDir: dist });
    base = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dist, { recursive: true, force: true });
  });

  it('tells the page the gateway on its own host name, over HTTP and graphql-ws', async () => {
    // fetch sets Host itself; a browser on another machine sends its own.
    const res = await new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      request(`${base}/config.json`, { headers: { host: 'chat.example.test:8080' } }, (r) => {
        let body = '';
        r.on('data', (chunk) => (body += chunk));
        r.on('end', () => resolve({ headers: r.headers, body }));
      })
        .on('error', reject)
        .end();
    });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body)).toEqual({
      graphqlUrl: 'http://chat.example.test:4999/graphql',
      graphqlWsUrl: 'ws://chat.example.test:4999/graphql',
    });
  });

  it('tells the page a configured gateway URL, with wss for https', async () => {
    const dedicated = await startWebServer({ host: '127.0.0.1', port: 0, gatewayPort: 4000, gatewayUrl: 'https://api.example.test/graphql', distDir: dist });
    try {
      const res = await fetch(`http://127.0.0.1:${dedicated.port}/config.json`);
      expect(await res.json()).toEqual({ graphqlUrl: 'https://api.example.test/graphql', graphqlWsUrl: 'wss://api.example.test/graphql' });
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("connect-src 'self' https://api.example.test wss://api.example.test;");
    } finally {
      await dedicated.stop();
    }
  });

  it('serves the app at any client-side route, with a policy that allows no inline or foreign script', async () => {
    for (const path of ['/', '/rooms/abc']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('<title>app</title>');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self';");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('refuses what is not a read, and answers health checks', async () => {
    expect((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status).toBe(405);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('refuses to start without a built client, saying how to build it', async () => {
    await expect(startWebServer({ host: '127.0.0.1', port: 0, gatewayPort: 4000, distDir: join(dist, 'missing') })).rejects.toThrow(
      /npm run build -w @aether\/web/,
    );
  });

  it('refuses a bad variable, naming it', () => {
    expect(() => loadWebConfig({ WEB_PORT: '70000' })).toThrow(ConfigError);
    expect(() => loadWebConfig({ WEB_GATEWAY_URL: 'not a url' })).toThrow(/WEB_GATEWAY_URL/);
  });

  it('has every variable documented in the README configuration table', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    expect(Object.keys(webConfigSchema.shape).filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});
