/**
 * Merged subgraph fetches answer exactly as plain Apollo Gateway's separate fetches do. The
 * gateway merges an operation's concurrent queries to one subgraph into one request
 * (SUBGRAPH_BATCHING); when the subgraph refuses or fails the merged request as a whole in a way
 * the separate queries would not have been (a limit on aliases or body size, a request-level
 * error), each query goes again alone instead of every query failing together. Two small
 * subgraphs of our own (`catalog`, `reviews`, in-process on loopback) are composed with
 * @apollo/composition; the plan's two parallel entity fetches to `reviews` are the merged pair,
 * and plain `@apollo/gateway` on the same supergraph gives the expected answer.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphqlHandler } from '@aether/common';
import express from 'express';
import { GraphQLError, parse, type ValidationContext, type ASTVisitor } from 'graphql';
import { loadGatewayConfig } from '../src/config';
import { startGateway, type RunningGateway } from '../src/server';
import { CapturedLogs } from '../../test/harness';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

const catalog = {
  typeDefs: parse(`${LINK}
    type Query { store: Store! }
    type Store { featured: [Product!]!  bargains: [Product!]! }
    type Product @key(fields: "upc") { upc: ID! }`),
  resolvers: {
    Query: { store: () => ({ featured: [{ upc: 'p1' }, { upc: 'p2' }], bargains: [{ upc: 'p3' }] }) },
  },
};

const reviewsTypeDefs = parse(`${LINK}
  type Product @key(fields: "upc") { upc: ID!  rating: Int }`);

/** reviews' resolvers; a product it cannot look up fails its whole `_entities` field (a synchronous throw does). */
const reviewsResolvers = (unknownUpc?: string) => ({
  Product: {
    __resolveReference: (ref: { upc: string }) => {
      if (ref.upc === unknownUpc) throw new Error(`no reviews record for ${ref.upc}`);
      return ref;
    },
    rating: (product: { upc: string }) => Number(product.upc.slice(1)),
  },
});

const QUERY = '{ store { featured { upc rating } bargains { upc rating } } }';
const EXPECTED = {
  data: { store: { featured: [{ upc: 'p1', rating: 1 }, { upc: 'p2', rating: 2 }], bargains: [{ upc: 'p3', rating: 3 }] } },
};

/** A subgraph's own operation limit, as graphql-armor's maxAliases gives it: one alias at most. */
function atMostOneAlias(context: ValidationContext): ASTVisitor {
  let aliases = 0;
  return {
    Field(node) {
      if (node.alias && ++aliases === 2) context.reportError(new GraphQLError('Aliases limit of 1 exceeded'));
    },
  };
}

interface ReviewsServer {
  url: string;
  /** The operations it was sent, as sent. */
  queries: string[];
  close(): Promise<void>;
}

/** `reviews` behind express with a JSON body limit, optionally limiting aliases per operation. */
async function serveReviews(options: { bodyLimit: string; oneAlias: boolean; unknownUpc?: string }): Promise<ReviewsServer> {
  const queries: string[] = [];
  const apollo = new ApolloServer({
    schema: buildSubgraphSchema({ typeDefs: reviewsTypeDefs, resolvers: reviewsResolvers(options.unknownUpc) }),
    validationRules: options.oneAlias ? [atMostOneAlias] : [],
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const app = express();
  app.use(express.json({ limit: options.bodyLimit }), (req, _res, next) => {
    queries.push((req.body as { query: string }).query);
    next();
  });
  app.use(graphqlHandler(apollo, async () => ({})));
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    queries,
    close: async () => {
      await apollo.stop();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('gateway fetches: a merged request answers as the separate fetches would', () => {
  let dir: string;
  let catalogServer: ApolloServer;
  let catalogUrl: string;
  const started: { stop(): Promise<unknown> }[] = [];

  beforeAll(async () => {
    catalogServer = new ApolloServer({ schema: buildSubgraphSchema(catalog), plugins: [ApolloServerPluginInlineTraceDisabled()] });
    catalogUrl = new URL('/graphql', (await startStandaloneServer(catalogServer, { listen: { port: 0, host: '127.0.0.1' } })).url).href;
    dir = mkdtempSync(join(tmpdir(), 'merged-answers-'));
  });

  afterAll(async () => {
    for (const s of started.reverse()) await s.stop();
    await catalogServer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Our gateway and plain Apollo Gateway on catalog and the given reviews server. */
  async function gateways(reviewsUrl: string): Promise<{ ours: string; apollo: string }> {
    const composed = composeServices([
      { name: 'catalog', url: catalogUrl, typeDefs: catalog.typeDefs },
      { name: 'reviews', url: reviewsUrl, typeDefs: reviewsTypeDefs },
    ]);
    if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
    const path = join(dir, `supergraph-${started.length}.graphql`);
    writeFileSync(path, composed.supergraphSdl);
    const ours: RunningGateway = await startGateway(
      loadGatewayConfig({
        NODE_ENV: 'test',
        HOST: '127.0.0.1',
        GATEWAY_PORT: '0',
        LOG_LEVEL: 'error',
        SUPERGRAPH_PATH: path,
        GATEWAY_SECRET: randomBytes(32).toString('base64url'),
        SERVICE_TOKEN: randomBytes(32).toString('base64url'),
      }),
      new CapturedLogs().logger('gateway'),
    );
    started.push(ours);
    const apollo = new ApolloServer({ gateway: new ApolloGateway({ supergraphSdl: composed.supergraphSdl }) });
    const { url } = await startStandaloneServer(apollo, { listen: { port: 0, host: '127.0.0.1' } });
    started.push(apollo);
    return { ours: ours.url.replace('localhost', '127.0.0.1'), apollo: url };
  }

  const ask = async (url: string) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
    return (await res.json()) as { data?: unknown; errors?: unknown[] };
  };

  it('merges the two entity fetches to reviews into one request when the subgraph takes it', async () => {
    const reviewsServer = await serveReviews({ bodyLimit: '100kb', oneAlias: false });
    started.push({ stop: reviewsServer.close });
    const { ours, apollo } = await gateways(reviewsServer.url);
    expect(await ask(apollo)).toEqual(EXPECTED);
    const before = reviewsServer.queries.length;
    expect(await ask(ours)).toEqual(EXPECTED);
    expect(reviewsServer.queries.slice(before)).toHaveLength(1);
    expect(reviewsServer.queries.at(-1)).toMatch(/_v0__entities: _entities.*_v1__entities: _entities/s);
  });

  it('sends each query alone when the subgraph refuses the merged document (its alias limit)', async () => {
    const reviewsServer = await serveReviews({ bodyLimit: '100kb', oneAlias: true });
    started.push({ stop: reviewsServer.close });
    const { ours, apollo } = await gateways(reviewsServer.url);
    expect(await ask(apollo)).toEqual(EXPECTED);
    const before = reviewsServer.queries.length;
    expect(await ask(ours)).toEqual(EXPECTED);
    const sent = reviewsServer.queries.slice(before);
    // The merged attempt, then each entity fetch on its own.
    expect(sent).toHaveLength(3);
    expect(sent.slice(1).every((q) => !q.includes('_v0_'))).toBe(true);
  });

  it('sends each query alone when the subgraph refuses the merged body (HTTP 413)', async () => {
    // Each entity fetch alone is about 200 bytes; the merged one about 400.
    const reviewsServer = await serveReviews({ bodyLimit: '300b', oneAlias: false });
    started.push({ stop: reviewsServer.close });
    const { ours, apollo } = await gateways(reviewsServer.url);
    expect(await ask(apollo)).toEqual(EXPECTED);
    expect(await ask(ours)).toEqual(EXPECTED);
  });

  it('keeps the other query’s data when one query’s non-null root field fails (data nulled as a whole)', async () => {
    // p3 (bargains) fails its `_entities` outright: alone, only the bargains fetch loses its ratings.
    const reviewsServer = await serveReviews({ bodyLimit: '100kb', oneAlias: false, unknownUpc: 'p3' });
    started.push({ stop: reviewsServer.close });
    const { ours, apollo } = await gateways(reviewsServer.url);
    const expected = await ask(apollo);
    expect(expected.data).toEqual({
      store: { featured: [{ upc: 'p1', rating: 1 }, { upc: 'p2', rating: 2 }], bargains: [{ upc: 'p3', rating: null }] },
    });
    const answer = await ask(ours);
    expect(answer.data).toEqual(expected.data);
    expect(answer.errors).toHaveLength(expected.errors!.length);
  });
});
