import { loadGatewayConfig } from '../src/config';
import { gql, registerUser, startStack, type Stack, type TestUser } from '../../test/harness';

/** The sources one CSP directive allows. */
function directive(csp: string, name: string): string[] {
  const part = csp.split(';').map((p) => p.trim()).find((p) => p.startsWith(`${name} `));
  return part ? part.split(/\s+/).slice(1) : [];
}

describe('gateway edge: CORS, CSRF, security headers, batching, Sandbox', () => {
  let stack: Stack;
  let alice: TestUser;

  beforeAll(async () => {
    stack = await startStack({ env: { CORS_ORIGINS: 'https://app.example.com', LIMIT_BATCH_SIZE: '2' } });
    alice = await registerUser(stack);
  });
  afterAll(() => stack?.stop());

  const preflight = (origin: string) =>
    fetch(stack.gatewayUrl, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
    });

  it('answers CORS preflights from allowed origins only', async () => {
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(allowed.headers.get('access-control-allow-headers')).toMatch(/authorization/i);

    const evil = await preflight('https://evil.example.net');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('puts security headers on GraphQL responses', async () => {
    const res = await gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken });
    expect(res.status).toBe(200);
    const h = res.headers;
    expect(h.get('x-content-type-options')).toBe('nosniff');
    expect(h.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(h.get('referrer-policy')).toBe('no-referrer');
    expect(h.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(h.get('x-powered-by')).toBeNull();
    const csp = h.get('content-security-policy')!;
    expect(directive(csp, 'frame-ancestors')).toEqual(["'none'"]);
    expect(directive(csp, 'object-src')).toEqual(["'none'"]);
  });

  it('serves Apollo Sandbox with a CSP that allows every script and frame the page uses', async () => {
    const res = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => new URL(m[1]).origin);
    expect(scripts).toContain('https://embeddable-sandbox.cdn.apollographql.com');
    for (const origin of scripts) expect(directive(csp, 'script-src')).toContain(origin);
    // The page's inline scripts carry Apollo's own per-page nonce, which this header cannot know.
    expect(directive(csp, 'script-src')).toContain("'unsafe-inline'");
    // The page sends its own CSP in a <meta> tag; browsers enforce both, so every source it
    // allows must be allowed by the header too (the local-development iframe host aside).
    const metaCsp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    for (const name of ['script-src', 'style-src', 'img-src', 'manifest-src', 'frame-src']) {
      const sources = directive(metaCsp, name).filter((f) => f.startsWith('https://') && !f.includes('apollo.local'));
      expect(sources.length).toBeGreaterThan(0);
      for (const source of sources) expect(directive(csp, name)).toContain(source);
    }
  });

  it('keeps introspection on outside production, for Sandbox', async () => {
    const res = await gql(stack.gatewayUrl, `{ __schema { queryType { name } } }`);
    expect(res.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('runs batches up to the configured size and refuses larger ones', async () => {
    const post = (ops: unknown[]) =>
      fetch(stack.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.accessToken}` },
        body: JSON.stringify(ops),
      });
    const ok = await post([{ query: '{ me { id } }' }, { query: '{ __typename }' }]);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([{ data: { me: { id: alice.id } } }, { data: { __typename: 'Query' } }]);

    const tooMany = await post([{ query: '{ __typename }' }, { query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ errors: [{ message: 'At most 2 operations per batch', extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('forwards the request id to the subgraphs, whose log lines carry it', async () => {
    const requestId = `edge-http-${Date.now()}`;
    const res = await gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: alice.accessToken, headers: { 'x-request-id': requestId } });
    expect(res.headers.get('x-request-id')).toBe(requestId);
    const services = stack.logs.lines.map((l) => JSON.parse(l)).filter((l) => l.requestId === requestId).map((l) => l.service);
    expect(new Set(services)).toEqual(new Set(['gateway', 'auth']));
  });

  it('turns introspection and field suggestions off in production unless asked', () => {
    const secrets = { GATEWAY_SECRET: 'g'.repeat(32), SERVICE_TOKEN: 's'.repeat(32), AUTH_JWKS_URL: 'http://auth:4001/.well-known/jwks.json' };
    expect(loadGatewayConfig({ NODE_ENV: 'production', ...secrets })).toMatchObject({ introspection: false, fieldSuggestions: false, corsOrigins: [] });
    expect(loadGatewayConfig({ NODE_ENV: 'production', INTROSPECTION: 'true', ...secrets })).toMatchObject({ introspection: true, fieldSuggestions: false });
    expect(loadGatewayConfig({ NODE_ENV: 'development' })).toMatchObject({ introspection: true, fieldSuggestions: true, LIMIT_BATCH_SIZE: 0, LIMIT_DEPTH: 10 });
  });

  it('keeps passwords and tokens out of every log line', async () => {
    const bob = await registerUser(stack);
    await gql(stack.gatewayUrl, `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { login: bob.username, password: 'a wrong password' } });
    await gql(stack.gatewayUrl, `mutation($t: String!) { refreshToken(refreshToken: $t) { accessToken } }`, { t: bob.refreshToken });
    await gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: `${bob.accessToken}x` });
    const logs = stack.logs.lines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [bob.password, 'a wrong password', bob.accessToken, bob.refreshToken, alice.accessToken]) {
      expect(logs).not.toContain(secret);
    }
  });
});
