import { readFileSync } from 'node:fs';
import { parse, print, stripIgnoredCharacters, type ParseOptions } from 'graphql';
import { z } from 'zod';

/** One operation a client registered ahead of time. */
export interface PersistedOperation {
  id: string;
  body: string;
  /** Clients that registered it; undefined means every client. */
  clients?: Set<string>;
}

/** Apollo's persisted query list (`@apollo/generate-persisted-query-manifest`, GraphOS PQLs). */
const apolloManifest = z.object({
  format: z.literal('apollo-persisted-query-manifest'),
  version: z.literal(1),
  operations: z.array(
    z.object({
      id: z.string().min(1),
      body: z.string().min(1),
      name: z.string().optional(),
      type: z.enum(['query', 'mutation', 'subscription']).optional(),
      clientName: z.string().min(1).optional(),
    }),
  ),
});

/** GraphQL Codegen's client preset persisted documents: `{ "<hash>": "<document>" }`. */
const codegenDocuments = z.record(z.string().min(1), z.string().min(1));

/**
 * One manifest source from `PERSISTED_OPERATIONS`: a path, or `<client name>=<path>` to
 * register every operation of that file for that client only.
 */
export function parseManifestSources(setting: string | undefined): Array<{ path: string; client?: string }> {
  return (setting ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('=');
      return at > 0 ? { client: entry.slice(0, at).trim(), path: entry.slice(at + 1).trim() } : { path: entry };
    });
}

/**
 * A document's identity for safelisting: the same definitions whatever their order, whitespace,
 * commas or comments (as Apollo Router matches freeform documents against its list).
 */
export function canonicalDocument(body: string, options: ParseOptions = {}): string | undefined {
  try {
    return parse(body, { ...options, noLocation: true })
      .definitions.map((d) => stripIgnoredCharacters(print(d)))
      .sort()
      .join('\n');
  } catch {
    return undefined;
  }
}

/** The operations of every manifest, by id and by document. */
export class PersistedOperationList {
  private readonly byId = new Map<string, PersistedOperation>();
  private readonly byBody = new Map<string, PersistedOperation[]>();
  private readonly byCanonical = new Map<string, PersistedOperation[]>();

  get size(): number {
    return this.byId.size;
  }

  /** Reads every manifest; throws naming the file on anything that is not a valid manifest. */
  static load(sources: Array<{ path: string; client?: string }>): PersistedOperationList {
    const list = new PersistedOperationList();
    for (const { path, client } of sources) {
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path, 'utf8'));
      } catch (error) {
        throw new Error(`persisted operations manifest ${path}: ${(error as Error).message}`);
      }
      const apollo = apolloManifest.safeParse(json);
      const codegen = apollo.success ? undefined : codegenDocuments.safeParse(json);
      if (!apollo.success && !codegen?.success) {
        throw new Error(
          `persisted operations manifest ${path} is neither an Apollo persisted query list ({"format":"apollo-persisted-query-manifest","version":1,"operations":[...]}) nor GraphQL Codegen persisted documents ({"<hash>":"<document>"})`,
        );
      }
      const operations = apollo.success
        ? apollo.data.operations.map((op) => ({ id: op.id, body: op.body, client: op.clientName ?? client }))
        : Object.entries(codegen!.data!).map(([id, body]) => ({ id, body, client }));
      for (const op of operations) list.add(op.id, op.body, op.client, path);
    }
    return list;
  }

  private add(id: string, body: string, client: string | undefined, path: string): void {
    const canonical = canonicalDocument(body);
    if (canonical === undefined) throw new Error(`persisted operations manifest ${path}: operation ${id} is not a valid GraphQL document`);
    const existing = this.byId.get(id);
    if (existing) {
      if (existing.body !== body) throw new Error(`persisted operations manifest ${path}: id ${id} is registered with two different documents`);
      if (!client) existing.clients = undefined;
      else existing.clients?.add(client);
      return;
    }
    const operation: PersistedOperation = { id, body, clients: client ? new Set([client]) : undefined };
    this.byId.set(id, operation);
    for (const [index, key] of [
      [this.byBody, body],
      [this.byCanonical, canonical],
    ] as const) {
      const same = index.get(key);
      if (same) same.push(operation);
      else index.set(key, [operation]);
    }
  }

  /** The operation registered under `id`, if any (whichever client registered it). */
  byIdentifier(id: string): PersistedOperation | undefined {
    return this.byId.get(id);
  }

  /** Whether `body` is a registered document that `client` may run; `options` bound the parse of an unknown one. */
  lists(body: string, client: string | undefined, options?: ParseOptions): boolean {
    // Clients generated from the manifest send its text verbatim: a map lookup, no parsing.
    const operations = this.byBody.get(body) ?? this.byCanonical.get(canonicalDocument(body, options) ?? '') ?? [];
    return operations.some((op) => availableTo(op, client));
  }
}

export function availableTo(operation: PersistedOperation, client: string | undefined): boolean {
  return !operation.clients || (client !== undefined && operation.clients.has(client));
}
