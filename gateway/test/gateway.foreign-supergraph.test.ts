/**
 * The gateway serves any Federation 2 supergraph, not only ours: two tiny subgraphs with other
 * names (`products`, `reviews`, served in-process by @apollo/subgraph on loopback) composed into a
 * supergraph file, run through `startGateway` with no code change. One subgraph is reached at the
 * routing URL the supergraph gives it, the other through `SUBGRAPH_<NAME>_URL`.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { loadGatewayConfig } from '../src/config';
import { startGateway, type RunningGateway } from '../src/server';
import { CapturedLogs } from '../../test/harness';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])';

const products = {
  typeDefs: parse(`${LINK}
    type Query { products: [Product!]! }
    type Product @key(fields: "upc") { upc: ID!  name: String!  price: Int! }`),
  resolvers: {
    Query: { products: () => [{ upc: 'p1', name: 'Lamp', price: 30 }, { upc: 'p2', name: 'Desk', price: 120 }] },
    Product: { __resolveReference: (ref: { upc: string }) => ({ upc: ref.upc, name: ref.upc === 'p1' ? 'Lamp' : 'Desk', price: 0 }) },
  },
};

const reviews = {
  typeDefs: parse(`${LINK}
    type Review { body: String!  stars: Int! }
    type Product @key(fields: "upc") { upc: ID!  reviews: [Review!]! }`),
  resolvers: {
    Product: {
      __resolveReference: (ref: { upc: string }) => ref,
      reviews: (product: { upc: string }) => (product.upc === 'p1' ? [{ body: 'Bright', stars: 5 }] : []),
    },
  },
};

async function serveSubgraph(module: typeof products | typeof reviews): Promise<{ url: string; server: ApolloServer }> {
  const server = new ApolloServer({ schema: buildSubgraphSchema(module), plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return { url: new URL('/graphql', url).href, server };
}

describe('gateway: a supergraph that is not ours', () => {
  let dir: string;
  let gateway: RunningGateway;
  const logs = new CapturedLogs();
  const servers: ApolloServer[] = [];

  beforeAll(async () => {
    const productsServer = await serveSubgraph(products);
    const reviewsServer = await serveSubgraph(reviews);
    servers.push(productsServer.server, reviewsServer.server);
    const composed = composeServices([
      { name: 'products', url: productsServer.url, typeDefs: products.typeDefs },
      // Nothing listens here: only SUBGRAPH_REVIEWS_URL gets the gateway to reviews.
      { name: 'reviews', url: 'http://127.0.0.1:9/graphql', typeDefs: reviews.typeDefs },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    dir = mkdtempSync(join(tmpdir(), 'foreign-supergraph-'));
    writeFileSync(join(dir, 'supergraph.graphql'), composed.supergraphSdl);
    const config = loadGatewayConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      GATEWAY_PORT: '0',
      LOG_LEVEL: 'error',
      SUPERGRAPH_PATH: join(dir, 'supergraph.graphql'),
      SUBGRAPH_REVIEWS_URL: reviewsServer.url,
      // Misspelt: warned about, not fatal.
      SUBGRAPH_REVEIWS_URL: 'http://127.0.0.1:9/graphql',
      GATEWAY_SECRET: randomBytes(32).toString('base64url'),
      SERVICE_TOKEN: randomBytes(32).toString('base64url'),
    });
    gateway = await startGateway(config, logs.logger('gateway'));
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all(servers.map((s) => s.stop()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const query = async (body: unknown) => {
    const res = await fetch(gateway.url.replace('localhost', '127.0.0.1'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };

  it('plans across both subgraphs: products from its supergraph URL, reviews from SUBGRAPH_REVIEWS_URL', async () => {
    const { status, body } = await query({ query: '{ products { upc name reviews { body stars } } }' });
    expect(status).toBe(200);
    expect(body).toEqual({
      data: {
        products: [
          { upc: 'p1', name: 'Lamp', reviews: [{ body: 'Bright', stars: 5 }] },
          { upc: 'p2', name: 'Desk', reviews: [] },
        ],
      },
    });
  });

  it('is ready once both subgraphs answer, though they have no /health endpoint', async () => {
    const res = await fetch(new URL('/ready', gateway.url.replace('localhost', '127.0.0.1')));
    expect(res.status).toBe(200);
    const metrics = await (await fetch(new URL('/metrics', gateway.url.replace('localhost', '127.0.0.1')))).text();
    expect(metrics).toMatch(/aether_dependency_up\{[^}]*dependency="subgraph:reviews"[^}]*\} 1/);
    expect(metrics).toMatch(/aether_dependency_up\{[^}]*dependency="subgraph:products"[^}]*\} 1/);
  });

  it('refuses a field the foreign supergraph does not have with our stable code', async () => {
    const { status, body } = await query({ query: '{ me { id } }' });
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('warns of an override that names no subgraph of the supergraph', () => {
    const warning = logs.lines.map((l) => JSON.parse(l)).find((l) => l.message.startsWith('SUBGRAPH_<NAME>_URL names no subgraph'));
    expect(warning).toMatchObject({ level: 'warn', variable: 'SUBGRAPH_REVEIWS_URL', graphs: ['PRODUCTS', 'REVIEWS'] });
  });
});
