import {
  Kind,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  typeFromAST,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** Federation's demand-control spec, which defines `@cost` and `@listSize`. */
const COST_SPEC = 'https://specs.apollo.dev/cost/';

/** A list's size as a subgraph declares it with `@listSize`. */
export interface ListSize {
  /**
   * The size of the list when no slicing argument is given. In this project it is also the
   * largest page a slicing argument may ask for: a larger one is refused before planning.
   */
  assumedSize?: number;
  /** Arguments whose value is the size of the list (`first`, `last`). */
  slicingArguments: string[];
  /** Fields of the returned object that carry the list (a connection's `edges`). */
  sizedFields: string[];
  requireOneSlicingArgument: boolean;
}

/** What a supergraph declares about the work its fields cost: `@listSize` and `@cost`, by `Type.field` (and type for `@cost`). */
export interface DemandControl {
  listSizes: ReadonlyMap<string, ListSize>;
  weights: ReadonlyMap<string, number>;
}

export const NO_DEMAND_CONTROL: DemandControl = { listSizes: new Map(), weights: new Map() };

/** The local names of `@cost` and `@listSize` in a supergraph, following its `@link(import:)` renames. */
function directiveNames(supergraph: DocumentNode): { cost: Set<string>; listSize: Set<string> } {
  const names = { cost: new Set(['cost', 'cost__cost']), listSize: new Set(['listSize', 'cost__listSize']) };
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      const args = Object.fromEntries((link.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
      if (link.name.value !== 'link' || typeof args.url !== 'string' || !args.url.startsWith(COST_SPEC)) continue;
      for (const entry of (args.import as unknown[] | undefined) ?? []) {
        const { name, as } = typeof entry === 'string' ? { name: entry, as: entry } : (entry as { name: string; as?: string });
        const local = (as ?? name).replace(/^@/, '');
        if (name === '@cost') names.cost.add(local);
        if (name === '@listSize') names.listSize.add(local);
      }
    }
  }
  return names;
}

/** Reads the `@listSize` and `@cost` declarations of a supergraph (composed from its subgraphs' schemas). */
export function demandControlOf(supergraph: DocumentNode): DemandControl {
  const names = directiveNames(supergraph);
  const listSizes = new Map<string, ListSize>();
  const weights = new Map<string, number>();
  const argsOf = (directive: DirectiveNode) =>
    Object.fromEntries((directive.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value)]));
  const read = (key: string, directives: readonly DirectiveNode[] | undefined) => {
    for (const directive of directives ?? []) {
      const args = argsOf(directive);
      if (names.cost.has(directive.name.value) && typeof args.weight === 'number') weights.set(key, args.weight);
      if (names.listSize.has(directive.name.value)) {
        listSizes.set(key, {
          assumedSize: typeof args.assumedSize === 'number' ? args.assumedSize : undefined,
          slicingArguments: (args.slicingArguments as string[] | undefined) ?? [],
          sizedFields: (args.sizedFields as string[] | undefined) ?? [],
          requireOneSlicingArgument: args.requireOneSlicingArgument !== false,
        });
      }
    }
  };
  for (const definition of supergraph.definitions) {
    if (!('name' in definition) || !definition.name || !('directives' in definition)) continue;
    const type = definition.name.value;
    read(type, definition.directives);
    if ('fields' in definition) for (const field of definition.fields ?? []) read(`${type}.${field.name.value}`, field.directives);
  }
  return { listSizes, weights };
}

/** A slicing argument over a list's declared size (or a required one missing): refused, whatever the cost. */
export interface ListBoundViolation {
  /** `Type.field` */
  field: string;
  argument: string;
  max?: number;
  value?: number;
}

/**
 * An upper bound of the work an operation asks for, computed before planning from what the
 * schema declares.
 *
 * Every field costs 1, or its `@cost(weight:)` (on the field, else on its type). A list field
 * multiplies what it selects by its size: the value of its `@listSize` slicing argument
 * (`first`, `last`: the larger, from the document, a variable or the argument's default), else
 * its `assumedSize`; with `sizedFields` the size applies to those fields of the object it
 * returns (a connection's `edges`) instead. A slicing value over `assumedSize` is a violation,
 * reported instead of a cost. Fields of a supergraph that declares nothing keep the older
 * estimate: `first`/`last` when given, else `defaultListSize` for a list not already under a
 * paged field. Fragments on several types of a union or interface are all counted;
 * introspection fields cost nothing (introspection has its own switch).
 *
 * graphql-armor's cost-limit multiplies only by literal `first`/`last` values and ignores
 * unpaginated lists, and reads no schema directive: that is why this one is ours.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  defaultListSize: number,
  demand: DemandControl = NO_DEMAND_CONTROL,
): { cost: number; violation?: ListBoundViolation } {
  const walk = new CostWalk(schema, document, operation, variables, defaultListSize, demand);
  const root = schema.getRootType(operation.operation);
  const cost = root ? walk.selectionCost(operation.selectionSet, root, { paged: false }, new Set()) : 0;
  return { cost, violation: walk.violation };
}

/** How the list sizes of a field's parent bound it: paged by an argument above, or sized by a declaration. */
interface Sizing {
  paged: boolean;
  fields?: ReadonlyMap<string, number>;
}

/** One cost estimate of one operation: its fragments, variable defaults and the first list bound it breaks. */
class CostWalk {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly defaults = new Map<string, ValueNode>();
  violation?: ListBoundViolation;

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    private readonly variables: Record<string, unknown>,
    private readonly defaultListSize: number,
    private readonly demand: DemandControl,
  ) {
    for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(def.name.value, def);
    for (const v of operation.variableDefinitions ?? []) if (v.defaultValue) this.defaults.set(v.variable.name.value, v.defaultValue);
  }

  selectionCost(set: SelectionSetNode, parent: GraphQLCompositeType, sized: Sizing, seen: Set<string>): number {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? typeFromAST(this.schema, selection.typeCondition) : parent;
        if (type && isCompositeType(type)) total += this.selectionCost(selection.selectionSet, type, sized, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = this.fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        const type = typeFromAST(this.schema, fragment.typeCondition);
        if (type && isCompositeType(type)) {
          total += this.selectionCost(fragment.selectionSet, type, sized, new Set(seen).add(fragment.name.value));
        }
      } else total += this.fieldCost(selection, parent, sized, seen);
    }
    return total;
  }

  private fieldCost(selection: FieldNode, parent: GraphQLCompositeType, sized: Sizing, seen: Set<string>): number {
    const name = selection.name.value;
    if (name.startsWith('__')) return 0;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    if (!field) return 0;
    const key = `${parent.name}.${name}`;
    const type = getNamedType(field.type);
    const weight = this.demand.weights.get(key) ?? this.demand.weights.get(type.name) ?? 1;
    const declared = this.demand.listSizes.get(key);
    const { multiplier, paged, childSized } = this.fieldSize(key, field, selection, sized);
    const children =
      selection.selectionSet && isCompositeType(type)
        ? this.selectionCost(selection.selectionSet, type, { paged: paged && !declared, fields: childSized }, seen)
        : 0;
    return weight + Math.max(0, multiplier) * children;
  }

  /** How many of its children a field stands for: its declared size, its parent's, a page argument, or the default list size. */
  private fieldSize(key: string, field: GraphQLField<unknown, unknown>, selection: FieldNode, sized: Sizing) {
    const declared = this.demand.listSizes.get(key);
    if (declared) {
      const size = this.declaredSize(key, field, selection) ?? 1;
      if (declared.sizedFields.length) return { multiplier: 1, paged: true, childSized: new Map(declared.sizedFields.map((f) => [f, size])) };
      return { multiplier: size, paged: true };
    }
    const name = selection.name.value;
    if (sized.fields?.has(name)) return { multiplier: sized.fields.get(name)!, paged: true };
    let multiplier = 1;
    let paged = false;
    for (const arg of selection.arguments ?? []) {
      if (arg.name.value !== 'first' && arg.name.value !== 'last') continue;
      const size = this.pageSize(arg.value);
      if (size === undefined) continue;
      multiplier = paged ? Math.max(multiplier, size) : size;
      paged = true;
    }
    if (!paged && isListType(getNullableType(field.type)) && !sized.paged) multiplier = this.defaultListSize;
    return { multiplier, paged };
  }

  private pageSize(value: ValueNode): number | undefined {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const name = value.name.value;
      const given = this.variables[name];
      if (typeof given === 'number') return given;
      const fallback = this.defaults.get(name);
      return fallback?.kind === Kind.INT ? Number(fallback.value) : undefined;
    }
    return undefined;
  }

  private argumentValues(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    try {
      return getArgumentValues(field, node, this.variables);
    } catch {
      return {};
    }
  }

  /** The declared size of a list field, or undefined when the schema declares none. */
  private declaredSize(key: string, field: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined {
    const declared = this.demand.listSizes.get(key);
    if (!declared) return undefined;
    const args = this.argumentValues(field, node);
    const given = declared.slicingArguments.filter((name) => typeof args[name] === 'number');
    for (const name of given) {
      const value = args[name] as number;
      if (declared.assumedSize !== undefined && value > declared.assumedSize) {
        this.violation ??= { field: key, argument: name, max: declared.assumedSize, value };
      }
    }
    if (!given.length && declared.slicingArguments.length && declared.requireOneSlicingArgument) {
      this.violation ??= { field: key, argument: declared.slicingArguments.join(' or ') };
    }
    if (given.length) return Math.max(0, ...given.map((name) => args[name] as number));
    return declared.assumedSize ?? this.defaultListSize;
  }
}
