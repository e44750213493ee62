/**
 * Runs The Guild's federation gateway audit (graphql-hive/federation-gateway-audit, fetched and
 * served apart from this repo) against our gateway and plain `@apollo/gateway` side by side:
 * for each suite it reads the audit's supergraph and test cases, starts both gateways on that
 * supergraph (subgraphs reached at the supergraph's routing URLs, i.e. the audit's server), sends
 * every case's query to both and compares each answer with the audit's expected one, the way the
 * audit's own runner does (`data` deep-equal; `errors` only as present/absent, and only when the
 * case says). The audit's CLI is not needed.
 *
 *   # in the audit's checkout (README, Tests: Federation audit), on Node 24: its subgraphs and cases
 *   node --import <this repo>/node_modules/tsx/dist/esm/index.mjs src/cli.ts serve --port 4200
 *   # here
 *   npx tsx --conditions=aether-source scripts/federation-audit.ts [--audit http://127.0.0.1:4200] [--trace] [--burst N] [suite ...]
 *
 * Our gateway takes its settings from the environment as usual (`SUBGRAPH_BATCHING=false`,
 * `SUBGRAPH_DEDUPE=false`, ...). `--trace` prints every subgraph request each gateway sends.
 * Exits non-zero when our gateway fails a case plain Apollo Gateway passes. Cases that change the
 * audit's data (`mutations_3` adds a category under a fixed request id) pass only for the first
 * gateway to send them.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { serviceLogger } from '@aether/common';
import { loadGatewayConfig } from '../gateway/src/config';
import { startGateway } from '../gateway/src/server';

interface AuditCase {
  query: string;
  expected: { data?: unknown; errors?: boolean };
}
interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}
interface RunningUnderTest {
  url: string;
  stop(): Promise<void>;
}

const args = process.argv.slice(2);
const auditUrl = valueOf('--audit') ?? 'http://127.0.0.1:4200';
const trace = args.includes('--trace');
/** Each case is also sent this many times at once to each gateway (timing-dependent differences show under concurrency). */
const burst = Number(valueOf('--burst') ?? 1);
const suitesAsked = args.filter((arg, i) => !arg.startsWith('--') && !['--audit', '--burst'].includes(args[i - 1] ?? ''));

function valueOf(flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The supergraph's subgraphs: enum value (as in SUBGRAPH_<NAME>_URL), name and routing URL. */
function graphsOf(supergraph: string): { value: string; name: string; url: string }[] {
  const graphs = [...supergraph.matchAll(/^\s*(\w+)\s+@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]+)"\)/gm)];
  return graphs.map(([, value, name, url]) => ({ value: value!, name: name!, url: url! }));
}

/**
 * A pass-through in front of one subgraph that prints each request body (and the answer's
 * size) with the gateway that sent it, so the two gateways' subgraph traffic can be compared.
 */
async function tracingProxy(gateway: string, graph: string, target: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = httpRequest(target, { method: 'POST', headers: { ...req.headers, host: new URL(target).host } }, (up) => {
        const answer: Buffer[] = [];
        up.on('data', (c: Buffer) => answer.push(c));
        up.on('end', () => {
          const text = Buffer.concat(answer).toString();
          console.log(`  [${gateway} → ${graph}] ${body.toString()}\n  [${graph} → ${gateway}] ${text}`);
          res.writeHead(up.statusCode ?? 502, up.headers).end(text);
        });
      });
      upstream.on('error', (error) => res.writeHead(502).end(String(error)));
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/`, server };
}

/** Routing overrides for every graph (to tracing proxies with --trace), and how to close them. */
async function routes(gateway: string, supergraph: string): Promise<{ urls: Map<string, string>; close(): void }> {
  const urls = new Map<string, string>();
  const servers: Server[] = [];
  for (const graph of graphsOf(supergraph)) {
    if (!trace) {
      urls.set(graph.name, graph.url);
      continue;
    }
    const proxy = await tracingProxy(gateway, graph.name, graph.url);
    servers.push(proxy.server);
    urls.set(graph.name, proxy.url);
  }
  return { urls, close: () => servers.forEach((s) => s.close()) };
}

let limitsShown = false;

async function startOurs(supergraph: string, dir: string): Promise<RunningUnderTest> {
  const path = join(dir, 'supergraph.graphql');
  writeFileSync(path, supergraph);
  const routing = await routes('ours', supergraph);
  const overrides = Object.fromEntries(
    graphsOf(supergraph).map((g) => [`SUBGRAPH_${g.value}_URL`, routing.urls.get(g.name)!]),
  );
  const config = loadGatewayConfig({
    ...process.env,
    ...overrides,
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    GATEWAY_PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    SUPERGRAPH_PATH: path,
    GATEWAY_SECRET: randomBytes(32).toString('base64url'),
    SERVICE_TOKEN: randomBytes(32).toString('base64url'),
  });
  // The edge refuses what its limits refuse, whatever plain Apollo does: say which limits ran.
  const { cost, listSize, depth } = config.limits;
  if (!limitsShown) console.log(`  ours: LIMIT_COST ${cost}, LIMIT_LIST_SIZE ${listSize}, LIMIT_DEPTH ${depth}, batching ${config.subgraphs.batching}, dedupe ${config.subgraphs.dedupe}`);
  limitsShown = true;
  const gateway = await startGateway(config, serviceLogger('gateway', config));
  return {
    url: gateway.url.replace('localhost', '127.0.0.1'),
    stop: async () => {
      await gateway.stop();
      routing.close();
    },
  };
}

async function startApollo(supergraph: string): Promise<RunningUnderTest> {
  const routing = await routes('apollo', supergraph);
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph,
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: routing.urls.get(name) ?? url }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } });
  return {
    url,
    stop: async () => {
      await server.stop();
      routing.close();
    },
  };
}

async function askOnce(url: string, query: string): Promise<Answer> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  return (await res.json()) as Answer;
}

/** The case sent `burst` times at once; the first answer that fails the case, else the first answer. */
async function ask(url: string, query: string, expected: AuditCase['expected']): Promise<Answer> {
  const answers = await Promise.all(
    Array.from({ length: burst }, () => askOnce(url, query).catch((e: Error): Answer => ({ errors: [{ message: e.message }] }))),
  );
  const failed = answers.filter((a) => !passes(expected, a));
  if (burst > 1 && failed.length) console.log(`    ${failed.length} of ${burst} answers from ${url} fail`);
  return failed[0] ?? answers[0]!;
}

/** The audit's own comparison: data deep-equal; errors compared as present/absent when the case says. */
function passes(expected: AuditCase['expected'], answer: Answer): boolean {
  const errorsOptional = typeof expected.errors !== 'boolean';
  const received = { data: answer.data ?? null, errors: errorsOptional ? null : Boolean(answer.errors?.length) };
  const wanted = { data: expected.data ?? null, errors: errorsOptional ? null : (expected.errors ?? false) };
  return isDeepStrictEqual(received, wanted);
}

const summary = (answer: Answer) =>
  JSON.stringify({ data: answer.data ?? null, ...(answer.errors ? { errors: answer.errors.map((e) => `${e.extensions?.code ?? ''}: ${e.message}`) } : {}) });

/** Runs one suite through both gateways; returns the cases where ours fails and Apollo passes. */
async function runSuite(suite: string): Promise<number> {
  const supergraph = await (await fetch(`${auditUrl}/${suite}/supergraph`)).text();
  const cases = await getJson<AuditCase[]>(`${auditUrl}/${suite}/tests`);
  const dir = mkdtempSync(join(tmpdir(), `audit-${suite}-`));
  let regressions = 0;
  const startedAt = Date.now();
  const gateways = { ours: await startOurs(supergraph, dir), apollo: await startApollo(supergraph) };
  console.log(`${suite}: ${cases.length} cases (both gateways up in ${Date.now() - startedAt} ms)`);
  try {
    for (const [index, { query, expected }] of cases.entries()) {
      if (trace) console.log(`${suite}_${index}:`);
      const ours = await ask(gateways.ours.url, query, expected);
      const apollo = await ask(gateways.apollo.url, query, expected);
      const [oursOk, apolloOk] = [passes(expected, ours), passes(expected, apollo)];
      if (!oursOk && apolloOk) regressions++;
      console.log(`  ${suite}_${index}  ours ${oursOk ? 'pass' : 'FAIL'}  apollo ${apolloOk ? 'pass' : 'FAIL'}`);
      if (!oursOk || !apolloOk) {
        console.log(`    expected ${JSON.stringify(expected)}\n    ours     ${summary(ours)}\n    apollo   ${summary(apollo)}`);
      }
    }
  } finally {
    await gateways.ours.stop();
    await gateways.apollo.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return regressions;
}

async function main(): Promise<void> {
  const endpoints = await getJson<string[]>(`${auditUrl}/tests`);
  const all = endpoints.map((url) => new URL(url).pathname.split('/')[1]!);
  const suites = suitesAsked.length ? suitesAsked : all;
  let regressions = 0;
  for (const suite of suites) regressions += await runSuite(suite);
  console.log(`\n${suites.length} suites; cases where ours fails and plain Apollo Gateway passes: ${regressions}`);
  process.exitCode = regressions ? 1 : 0;
}

void main().catch((error) => {
  console.error(error);
  process.exitCode = 2;
});
