import {
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  typeFromAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * An upper-bound estimate of the work an operation asks for, computed before planning.
 *
 * Every field costs 1. A field with a `first` or `last` argument multiplies the cost of what
 * it selects by that number (the larger of the two), whether it is written in the document or
 * passed as a variable; a list field with neither costs `defaultListSize` times what it
 * selects, except directly under a field that has `first`/`last` (a connection's `edges` are
 * already counted by its page size). Fragments on several types of a union or interface are
 * all counted. Introspection fields cost nothing (introspection has its own switch).
 *
 * graphql-armor's cost-limit multiplies only by literal `first`/`last` values, so
 * `messages(first: $n)` with `n = 1000000` would pass it, and it ignores unpaginated lists:
 * that is why this one is ours.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  defaultListSize: number,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

  const defaults = new Map<string, ValueNode>();
  for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) defaults.set(v.variable.name.value, v.defaultValue);

  const pageSize = (value: ValueNode): number | undefined => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      const given = variables[name];
      if (typeof given === 'number') return given;
      const fallback = defaults.get(name);
      return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
    }
    return undefined;
  };

  const selectionCost = (set: SelectionSetNode, parent: GraphQLCompositeType, sized: boolean, seen: Set<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? typeFromAST(schema, selection.typeCondition) : parent;
        if (type && isCompositeType(type)) total += selectionCost(selection.selectionSet, type, sized, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = typeFromAST(schema, fragment.typeCondition);
        if (type && isCompositeType(type)) {
          total += selectionCost(fragment.selectionSet, type, sized, new Set(seen).add(fragment.name.value));
        }
      } else {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!field) continue;
        let multiplier = 1;
        let paged = false;
        for (const arg of selection.arguments ?? []) {
          if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
          const size = pageSize(arg.value);
          if (size === undefined) continue;
          multiplier = paged ? Math.max(multiplier, size) : size;
          paged = true;
        }
        if (!paged && isListType(getNullableType(field.type)) && !sized) multiplier = defaultListSize;
        const type = getNamedType(field.type);
        const children =
          selection.selectionSet && isCompositeType(type) ? selectionCost(selection.selectionSet, type, paged, seen) : 0;
        total += 1 + Math.max(0, multiplier) * children;
      }
    }
    return total;
  };

  const root = schema.getRootType(operation.operation);
  return root ? selectionCost(operation.selectionSet, root, false, new Set()) : 0;
}
