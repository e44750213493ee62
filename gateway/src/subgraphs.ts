import { ConfigError, type Logger, type ReadinessCheck } from '@aether/common';
import type { GraphQLDataSource, ServiceEndpointDefinition } from '@apollo/gateway';
import { Kind, parse } from 'graphql';
import type { SubgraphsConfig } from './config';
import { SignedIdentityDataSource } from './datasource';
import type { GatewayMetrics } from './metrics';
import { SubgraphHttp } from './subgraph-http';

/** `SUBGRAPH_<NAME>_URL`: NAME is the graph's value in the supergraph's `join__Graph` enum. */
export const SUBGRAPH_URL_VARIABLE = /^SUBGRAPH_([A-Z0-9_]+)_URL$/;

/** The earlier spelling `<NAME>_URL` (`AUTH_URL`, `MESSAGING_URL`), still honoured for graphs without `SUBGRAPH_<NAME>_URL`. */
const LEGACY_URL_VARIABLE = /^([A-Z0-9_]+)_URL$/;

const isHttpUrl = (value: string) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);

/** The routing URL overrides in an environment, by graph enum value; a ConfigError names a bad one. */
export function subgraphUrlOverrides(source: Record<string, string | undefined>): Record<string, string> {
  const urls: Record<string, string> = {};
  const bad: Record<string, string> = {};
  for (const [variable, value] of Object.entries(source)) {
    const graph = SUBGRAPH_URL_VARIABLE.exec(variable)?.[1];
    if (!graph || value === undefined || value === '') continue;
    if (isHttpUrl(value)) urls[graph] = value;
    else bad[variable] = 'Must be an http(s) URL';
  }
  if (Object.keys(bad).length) throw new ConfigError('gateway', bad);
  return urls;
}

/**
 * Every `<NAME>_URL` of an environment, by NAME: the spelling of routing URLs before
 * `SUBGRAPH_<NAME>_URL` (`AUTH_URL`, `MESSAGING_URL`, which operators' files still carry).
 * Only those naming a graph of the served supergraph are used (and checked), so `DATABASE_URL`
 * and its like are never read as routing URLs.
 */
export function legacySubgraphUrls(source: Record<string, string | undefined>): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const [variable, value] of Object.entries(source)) {
    const graph = LEGACY_URL_VARIABLE.exec(variable)?.[1];
    if (graph && !graph.startsWith('SUBGRAPH_') && value) urls[graph] = value;
  }
  return urls;
}

/**
 * The subgraphs of a supergraph by name (`join__graph(name:)`), each with the enum value that
 * names it in `SUBGRAPH_<NAME>_URL` and the routing URL the supergraph gives it.
 */
export function supergraphGraphs(supergraphSdl: string): Map<string, { enumValue: string; url: string }> {
  const graphs = new Map<string, { enumValue: string; url: string }>();
  for (const definition of parse(supergraphSdl, { noLocation: true }).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const args = value.directives?.find((d) => d.name.value === 'join__graph')?.arguments ?? [];
      const arg = (name: string) => {
        const node = args.find((a) => a.name.value === name)?.value;
        return node?.kind === Kind.STRING ? node.value : undefined;
      };
      const name = arg('name');
      if (name) graphs.set(name, { enumValue: value.name.value, url: arg('url') ?? '' });
    }
  }
  return graphs;
}

/**
 * Resolves when a subgraph is up: it answers `GET /health` on its routing URL's origin (ours
 * do; 503 there means down), or, for a subgraph without that endpoint (any other supergraph's),
 * `{ __typename }` at its routing URL.
 */
async function subgraphHealth(name: string, url: string): Promise<void> {
  const signal = AbortSignal.timeout(1500);
  let res = await fetch(new URL('/health', url), { signal });
  // A subgraph without the endpoint (404, or a GraphQL server's 400/405) is asked for `__typename`;
  // a 503 from /health is a subgraph saying it is down.
  if (!res.ok && res.status !== 503) {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', signal });
  }
  if (!res.ok) throw new Error(`${name} answered ${res.status}`);
}

/**
 * Every subgraph of whatever supergraph the gateway serves: where it is (the supergraph's routing
 * URL unless `SUBGRAPH_<NAME>_URL` overrides it), the data source that fetches from it with the
 * caller's signed identity, and whether it is up (for `/ready` and, per subgraph,
 * `aether_dependency_up{dependency="subgraph:<name>"}`). No subgraph is known by name here.
 */
export class Subgraphs {
  private readonly urls = new Map<string, string>();
  private readonly sources: Record<string, GraphQLDataSource> = {};
  private enumValues = new Map<string, string>();
  private readonly http: SubgraphHttp;

  constructor(
    private readonly config: SubgraphsConfig,
    private readonly secret: string,
    private readonly metrics: GatewayMetrics,
    private readonly logger: Logger,
  ) {
    this.http = new SubgraphHttp(config);
  }

  /** Learns the graph enum values of a supergraph before the gateway builds its services. */
  useSupergraph(supergraphSdl: string): void {
    this.enumValues = new Map([...supergraphGraphs(supergraphSdl)].map(([name, graph]) => [name, graph.enumValue]));
    const known = new Set(this.enumValues.values());
    // A misspelt override would otherwise be ignored without a word.
    for (const graph of Object.keys(this.config.urls)) {
      if (!known.has(graph)) this.logger.warn('SUBGRAPH_<NAME>_URL names no subgraph of the supergraph', { variable: `SUBGRAPH_${graph}_URL`, graphs: [...known] });
    }
    this.adoptLegacyUrls(known);
  }

  /** `<NAME>_URL` for a graph that has no `SUBGRAPH_<NAME>_URL`: honoured, with a deprecation warning. */
  private adoptLegacyUrls(graphs: Set<string>): void {
    for (const graph of graphs) {
      const value = this.config.legacyUrls?.[graph];
      if (value === undefined || this.config.urls[graph] !== undefined) continue;
      if (!isHttpUrl(value)) throw new ConfigError('gateway', { [`${graph}_URL`]: 'Must be an http(s) URL' });
      this.logger.warn(`${graph}_URL is deprecated: set SUBGRAPH_${graph}_URL`, { variable: `${graph}_URL` });
      this.config.urls[graph] = value;
    }
  }

  /** `ApolloGateway`'s `buildService`: one data source per subgraph, rebuilt when the supergraph changes. */
  readonly buildService = ({ name, url }: ServiceEndpointDefinition): GraphQLDataSource => {
    const target = this.routingUrl(name, url);
    if (!this.urls.has(name)) this.metrics.watch([{ name: `subgraph:${name}`, check: () => subgraphHealth(name, this.url(name)) }]);
    this.urls.set(name, target);
    return (this.sources[name] = new SignedIdentityDataSource(target, this.secret, {
      name,
      timeoutMs: this.config.timeoutMs,
      retries: this.config.retries,
      http: this.http,
      batching: this.config.batching,
      metrics: this.metrics,
    }));
  };

  /** Where a subgraph is served, for the gateway's own graphql-ws connections to it. */
  url(name: string): string {
    const url = this.urls.get(name);
    if (!url) throw new Error(`unknown subgraph ${name}`);
    return url;
  }

  /** The data sources by subgraph name, as the current supergraph's plans address them. */
  dataSources(): Record<string, GraphQLDataSource> {
    return this.sources;
  }

  /** `/ready`: every subgraph answers its health check. */
  readiness(): ReadinessCheck {
    return { name: 'subgraphs', check: () => Promise.all([...this.urls].map(([name, url]) => subgraphHealth(name, url))) };
  }

  close(): Promise<void> {
    return this.http.close();
  }

  private routingUrl(name: string, url: string | undefined): string {
    const enumValue = this.enumValues.get(name) ?? name.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    const target = this.config.urls[enumValue] ?? url;
    if (!target) throw new Error(`subgraph ${name} has no routing URL: set SUBGRAPH_${enumValue}_URL`);
    return target;
  }
}
