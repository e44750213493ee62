import { Kind, type ConstArgumentNode, type DocumentNode } from 'graphql';

/** The directive by which subgraphs give a root field a rate budget of its own (see the subgraphs' schema.graphql). */
export const RATE_BUDGET_DIRECTIVE = 'rateBudget';

/** Whose calls one budget counts: the signed-in user's (the address's when anonymous), or the client address's. */
export type BudgetSubject = 'user' | 'address';

/** One root field's budget as its subgraph declared it. */
export interface RateBudget {
  bucket: string;
  limit: number;
  per: BudgetSubject;
}

/** Root fields with a budget, by `Type.field` (`Mutation.login`). */
export type RateBudgets = ReadonlyMap<string, RateBudget>;

function argument(args: readonly ConstArgumentNode[] | undefined, name: string): string | undefined {
  const value = args?.find((a) => a.name.value === name)?.value;
  return value && (value.kind === Kind.STRING || value.kind === Kind.INT) ? value.value : undefined;
}

/**
 * Reads the `@rateBudget` marks of a supergraph. A mark that does not say a bucket and a
 * positive limit is ignored rather than guessed at (composition already checked the types).
 */
export function rateBudgets(supergraph: DocumentNode): RateBudgets {
  const budgets = new Map<string, RateBudget>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    for (const field of definition.fields ?? []) {
      const mark = field.directives?.find((d) => d.name.value === RATE_BUDGET_DIRECTIVE);
      if (!mark) continue;
      const bucket = argument(mark.arguments, 'bucket');
      const limit = Number(argument(mark.arguments, 'limit'));
      if (!bucket || !Number.isInteger(limit) || limit <= 0) continue;
      const per = argument(mark.arguments, 'per') === 'address' ? 'address' : 'user';
      budgets.set(`${definition.name.value}.${field.name.value}`, { bucket, limit, per });
    }
  }
  return budgets;
}
