import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { loadGatewayConfig } from '../../src/config';
import { SUBGRAPH_URL_VARIABLE, subgraphUrlOverrides, supergraphGraphs } from '../../src/subgraphs';

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
