import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { loadGatewayConfig } from '../../src/config';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger } from '@aether/common';
import { GatewayMetrics } from '../../src/metrics';
import { SUBGRAPH_URL_VARIABLE, Subgraphs, subgraphUrlOverrides, supergraphGraphs } from '../../src/subgraphs';

const typeDefs = (type: string) =>
  parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query { ${type.toLowerCase()}s: [${type}!]! }
    type ${type} @key(fields: "id") { id: ID! }`);

describe('subgraph routing: names and URLs from the supergraph', () => {
  it('reads each graph name, its enum value and routing URL, whatever the names', () => {
    const composed = composeServices([
      { name: 'product-catalog', url: 'http://a:1/graphql', typeDefs: typeDefs('Product') },
      { name: 'inventory', url: 'http://b:2/graphql', typeDefs: typeDefs('Stock') },
    ]);
    expect(composed.errors).toBeUndefined();
    expect(Object.fromEntries(supergraphGraphs(composed.supergraphSdl!))).toEqual({
      'product-catalog': { enumValue: 'PRODUCT_CATALOG', url: 'http://a:1/graphql' },
      inventory: { enumValue: 'INVENTORY', url: 'http://b:2/graphql' },
    });
  });

  it('finds none in a schema that is not a supergraph', () => {
    expect(supergraphGraphs('type Query { a: Int }').size).toBe(0);
  });
});

describe('SUBGRAPH_<NAME>_URL', () => {
  it('collects overrides by graph enum value and leaves the fixed SUBGRAPH_* settings alone', () => {
    expect(subgraphUrlOverrides({ SUBGRAPH_PRODUCT_CATALOG_URL: 'http://p:1/graphql', SUBGRAPH_TIMEOUT_MS: '100', SUBGRAPH_X_URL: '' })).toEqual({
      PRODUCT_CATALOG: 'http://p:1/graphql',
    });
    expect(SUBGRAPH_URL_VARIABLE.test('SUBGRAPH_RETRIES')).toBe(false);
  });

  it.each(['not a url', 'file:///etc/passwd', 'javascript:alert(1)'])('refuses %s, naming the variable', (value) => {
    expect(() => subgraphUrlOverrides({ SUBGRAPH_REVIEWS_URL: value })).toThrow(/SUBGRAPH_REVIEWS_URL: Must be an http\(s\) URL/);
    expect(() => loadGatewayConfig({ NODE_ENV: 'test', SUBGRAPH_REVIEWS_URL: value })).toThrow(/SUBGRAPH_REVIEWS_URL/);
  });

  it('reaches the config as its subgraphs group', () => {
    const config = loadGatewayConfig({ NODE_ENV: 'test', GATEWAY_SECRET: 'x'.repeat(32), SERVICE_TOKEN: 'y'.repeat(32), SUBGRAPH_AUTH_URL: 'http://auth:4001/graphql' });
    expect(config.subgraphs).toMatchObject({ urls: { AUTH: 'http://auth:4001/graphql' }, timeoutMs: config.SUBGRAPH_TIMEOUT_MS, retries: config.SUBGRAPH_RETRIES });
    expect(config.limits.depth).toBe(config.LIMIT_DEPTH);
    expect(config.rateLimits.buckets).toBe(config.rateBuckets);
    expect(config.websocket.connectionsPerUser).toBe(config.WS_CONNECTIONS_PER_USER);
  });
});

describe('<NAME>_URL, the spelling before SUBGRAPH_<NAME>_URL', () => {
  const ours = readFileSync(join(__dirname, '../../../schema/supergraph.graphql'), 'utf8');
  const base = { NODE_ENV: 'test', GATEWAY_SECRET: 'x'.repeat(32), SERVICE_TOKEN: 'y'.repeat(32) };
  const routed = (env: Record<string, string>) => {
    const config = loadGatewayConfig({ ...base, ...env });
    const subgraphs = new Subgraphs(config.subgraphs, config.gatewaySecret, new GatewayMetrics(), createLogger({ service: 'test', level: 'error' }));
    subgraphs.useSupergraph(ours);
    for (const [name, graph] of supergraphGraphs(ours)) subgraphs.buildService({ name, url: graph.url });
    return { config, subgraphs };
  };

  it('still routes AUTH_URL and MESSAGING_URL, and finds the keys at AUTH_URL, while DATABASE_URL is never a route', () => {
    const { config, subgraphs } = routed({ AUTH_URL: 'http://auth.internal:4001/graphql', MESSAGING_URL: 'http://msg.internal:4002/graphql', DATABASE_URL: 'postgres://db/x' });
    expect(subgraphs.url('auth')).toBe('http://auth.internal:4001/graphql');
    expect(subgraphs.url('messaging')).toBe('http://msg.internal:4002/graphql');
    expect(config.jwksUrl).toBe('http://auth.internal:4001/.well-known/jwks.json');
  });

  it('gives way to SUBGRAPH_<NAME>_URL and AUTH_JWKS_URL', () => {
    const { config, subgraphs } = routed({ AUTH_URL: 'http://old:1/graphql', SUBGRAPH_AUTH_URL: 'http://new:1/graphql', AUTH_JWKS_URL: 'http://keys:1/jwks.json' });
    expect(subgraphs.url('auth')).toBe('http://new:1/graphql');
    expect(config.jwksUrl).toBe('http://keys:1/jwks.json');
  });

  it('refuses a routing AUTH_URL that is not http(s), naming it', () => {
    expect(() => routed({ AUTH_URL: 'file:///etc/passwd' })).toThrow(/AUTH_URL: Must be an http\(s\) URL/);
  });
});

describe('AUTH_JWKS_URL', () => {
  const production = { NODE_ENV: 'production', GATEWAY_SECRET: 'x'.repeat(32), SERVICE_TOKEN: 'y'.repeat(32) };
  it('is required in production, where the default (auth on this host) would refuse every token', () => {
    expect(() => loadGatewayConfig(production)).toThrow(/AUTH_JWKS_URL: Required in production/);
    expect(loadGatewayConfig({ ...production, AUTH_JWKS_URL: 'http://auth:4001/.well-known/jwks.json' }).jwksUrl).toBe('http://auth:4001/.well-known/jwks.json');
    expect(loadGatewayConfig({ ...production, AUTH_URL: 'http://auth:4001/graphql' }).jwksUrl).toBe('http://auth:4001/.well-known/jwks.json');
  });
});
