import type { DocumentNode, GraphQLSchema } from 'graphql';

/**
 * Operations that parsed and passed validation (graphql-js's rules, and the gateway's limits
 * there) against the served schema, by their text: a graphql-ws `subscribe` of an operation seen
 * before skips both, as Apollo Server's document store does for HTTP. When 5,000 clients
 * subscribe to one room, the gateway parses and validates their operation once, and messaging
 * the admission the gateway sends for each of them once, not 5,000 times. Only valid documents are
 * kept (a refused one is refused again, and counted, every time); a new schema (a supergraph
 * reload) starts afresh. Bounded by the total length of the texts kept; the oldest go first.
 */
export class ValidatedDocuments {
  private schema?: GraphQLSchema;
  private readonly documents = new Map<string, DocumentNode>();
  private chars = 0;

  constructor(private readonly maxChars = 4_000_000) {}

  get(schema: GraphQLSchema, text: string): DocumentNode | undefined {
    return schema === this.schema ? this.documents.get(text) : undefined;
  }

  set(schema: GraphQLSchema, text: string, document: DocumentNode): void {
    if (schema !== this.schema) {
      this.schema = schema;
      this.documents.clear();
      this.chars = 0;
    }
    if (text.length > this.maxChars || this.documents.has(text)) return;
    for (const [oldest] of this.documents) {
      if (this.chars + text.length <= this.maxChars) break;
      this.documents.delete(oldest);
      this.chars -= oldest.length;
    }
    this.documents.set(text, document);
    this.chars += text.length;
  }

  get size(): number {
    return this.documents.size;
  }
}
