import type { FetchNode, PlanNode, QueryPlanSelectionNode } from '@apollo/query-planner';
import {
  Kind,
  OperationTypeNode,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';
import type { ViewerSpecificMarks } from './viewer-specific';

/**
 * Types a subgraph can resolve by a key of plain fields (`@key(fields: "id")` in the
 * supergraph's `@join__type`), by subgraph name: where a viewer-specific value can be fetched
 * again, per viewer, from an object the shared stream delivered.
 */
export type EntityKeys = ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;

export function entityKeysOf(supergraph: DocumentNode): EntityKeys {
  const graphs = new Map<string, string>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const name = value.directives?.find((d) => d.name.value === 'join__graph')?.arguments?.find((a) => a.name.value === 'name')?.value;
      if (name?.kind === Kind.STRING) graphs.set(value.name.value, name.value);
    }
  }
  const keys = new Map<string, Map<string, string[]>>();
  for (const definition of supergraph.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'join__type') continue;
      const arg = (name: string) => directive.arguments?.find((a) => a.name.value === name)?.value;
      const graph = arg('graph');
      const key = arg('key');
      const resolvable = arg('resolvable');
      if (graph?.kind !== Kind.ENUM || key?.kind !== Kind.STRING) continue;
      if (resolvable?.kind === Kind.BOOLEAN && !resolvable.value) continue;
      // Only keys of plain fields: a representation is then read straight off the object.
      if (/[{}()@:$]/.test(key.value)) continue;
      const service = graphs.get(graph.value);
      if (!service) continue;
      const byType = keys.get(service) ?? new Map<string, string[]>();
      keys.set(service, byType);
      if (!byType.has(definition.name.value)) byType.set(definition.name.value, key.value.trim().split(/\s+/));
    }
  }
  return keys;
}

/** An entity of the event from which viewer-specific fields are fetched per viewer. */
interface Anchor {
  type: string;
  key: readonly string[];
  /** Response path from the data's root (`@` where a list is flattened). */
  path: string[];
  /** Response keys taken out of the shared selection wherever the entity appears at this path. */
  keys: Set<string>;
  /** The fields with those keys: the per-viewer fetch selects them. */
  moved: FieldNode[];
}

class CannotSplit extends Error {}

export interface ViewerSplit {
  /** The primary fetch without the fields moved: what one upstream subscription serves to all. */
  primary: FetchNode;
  /** The entity fetches of one viewer for the fields moved. */
  perViewer: PlanNode;
  /** Response paths of the fields moved (`@` for list items): only the per-viewer fetches fill them. */
  movedPaths: string[][];
}

/** The fragment spreads of an operation as inline fragments, so that each place can be edited alone. */
function inlineFragments(document: DocumentNode): OperationDefinitionNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) operation = definition;
  }
  if (!operation) throw new CannotSplit('no operation');
  const inline = (set: SelectionSetNode, depth: number): SelectionSetNode => {
    if (depth > 64) throw new CannotSplit('fragments too deep');
    return {
      ...set,
      selections: set.selections.map((selection): SelectionNode => {
        if (selection.kind === Kind.FRAGMENT_SPREAD) {
          const fragment = fragments.get(selection.name.value);
          if (!fragment) throw new CannotSplit(`unknown fragment ${selection.name.value}`);
          return {
            kind: Kind.INLINE_FRAGMENT,
            typeCondition: fragment.typeCondition,
            directives: selection.directives,
            selectionSet: inline(fragment.selectionSet, depth + 1),
          };
        }
        return selection.selectionSet ? { ...selection, selectionSet: inline(selection.selectionSet, depth + 1) } : selection;
      }),
    };
  };
  return { ...operation, selectionSet: inline(operation.selectionSet, 0) };
}

/** How many lists a field's type wraps (each becomes an `@` in a plan path). */
function listDepth(type: GraphQLOutputType): number {
  let depth = 0;
  for (let t = getNullableType(type); !isCompositeType(t); ) {
    if (!isListType(t)) return depth;
    depth++;
    t = getNullableType(t.ofType);
  }
  return depth;
}

/**
 * Splits the owning subgraph's subscription operation (the primary fetch of a subscription's
 * plan) into what every subscriber shares and what each viewer fetches for itself:
 *
 * - every field that holds a value marked `@viewerSpecific` (`reactions { reactedByMe }`) is
 *   taken out of the shared selection at its nearest entity of the subscription's subgraph (the
 *   `Message` an event names), whole, so that its viewer-independent parts and its viewer's
 *   parts come from one read and can never disagree; so is every other field with the same
 *   response key at that path (another fragment's), so nothing is merged item by item;
 * - the shared selection selects that entity's `__typename` and key instead, and an entity
 *   fetch per viewer (`_entities` on the same subgraph, under the subscriber's identity)
 *   selects the fields taken out, merged back by the gateway's plan executor exactly where a
 *   query's entity fetch would be.
 *
 * Null when the operation cannot be split this way: a viewer-specific value outside any such
 * entity, or a response key the split would need (`__typename`, the key) taken by another field.
 */
export function splitViewerSpecific(
  primary: FetchNode,
  supergraph: GraphQLSchema,
  marks: ViewerSpecificMarks,
  keys: EntityKeys,
): ViewerSplit | null {
  const entityKeys = keys.get(primary.serviceName);
  const root = supergraph.getSubscriptionType();
  if (!entityKeys || !root) return null;
  try {
    const operation = inlineFragments(parse(primary.operation));
    const splitter = new Splitter(supergraph, marks, entityKeys);
    // First where each moved key is, then the shared selection without them (all occurrences).
    splitter.walk(operation.selectionSet, root, [], undefined);
    if (![...splitter.anchors.values()].some((a) => a.keys.size)) return null;
    splitter.rewriting();
    const selectionSet = splitter.walk(operation.selectionSet, root, [], undefined);
    const moving = [...splitter.anchors.values()].filter((a) => a.keys.size);
    const fetches = moving.map((anchor) => perViewerFetch(primary.serviceName, anchor, operation.variableDefinitions ?? []));
    const { operationDocumentNode: _document, ...rest } = primary;
    return {
      primary: { ...rest, operation: print({ kind: Kind.DOCUMENT, definitions: [{ ...operation, selectionSet }] }) },
      perViewer: fetches.length === 1 ? fetches[0] : { kind: 'Parallel', nodes: fetches },
      movedPaths: moving.flatMap((a) => [...a.keys].map((key) => [...a.path, key])),
    };
  } catch (error) {
    if (error instanceof CannotSplit) return null;
    throw error;
  }
}

/** The entity fetch of one viewer for the fields moved out of an anchor. */
function perViewerFetch(serviceName: string, anchor: Anchor, definitions: readonly VariableDefinitionNode[]): PlanNode {
  const used = new Set<string>();
  const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: anchor.moved };
  visit(selectionSet, { Variable: (node) => void used.add(node.name.value) });
  const variables = definitions.filter((d) => used.has(d.variable.name.value));
  const query = `query(${['$representations:[_Any!]!', ...variables.map((d) => print(d))].join(',')}){_entities(representations:$representations){...on ${anchor.type}${print(selectionSet)}}}`;
  const requires: QueryPlanSelectionNode[] = [
    { kind: 'InlineFragment', typeCondition: anchor.type, selections: ['__typename', ...anchor.key].map((name) => ({ kind: 'Field' as const, name })) },
  ];
  const fetch: FetchNode = {
    kind: 'Fetch',
    serviceName,
    requires,
    variableUsages: variables.map((d) => d.variable.name.value),
    operation: query,
    operationName: undefined,
    operationKind: OperationTypeNode.QUERY,
    operationDocumentNode: parse(query),
  };
  return { kind: 'Flatten', path: anchor.path, node: fetch };
}

/**
 * Walks the subscription's selection twice: the first walk finds the anchors (entities with
 * fields to move) and the response keys to move at each; the second returns the shared
 * selection, each moved field taken out into its anchor's `moved`, `__typename` and key added.
 */
class Splitter {
  readonly anchors = new Map<string, Anchor>();
  private collecting = true;
  /** Response paths (joined by `.`) that lead to an anchor with keys to move. */
  private readonly leading = new Set<string>();

  constructor(
    private readonly supergraph: GraphQLSchema,
    private readonly marks: ViewerSpecificMarks,
    private readonly entityKeys: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** A selection set at `parent` (reached by `path`); `anchor`: the nearest entity above, if any. */
  walk(set: SelectionSetNode, parent: GraphQLCompositeType, path: string[], anchor: Anchor | undefined): SelectionSetNode {
    const selections: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        // A fragment within an entity's selection is still that entity's.
        const inner = this.walk(selection.selectionSet, this.typeOf(selection.typeCondition?.name.value, parent), path, anchor);
        if (inner.selections.length) selections.push({ ...selection, selectionSet: inner });
        continue;
      }
      if (selection.kind !== Kind.FIELD) throw new CannotSplit('fragment spread left');
      const kept = this.field(selection, parent, path, anchor);
      if (kept) selections.push(kept);
    }
    return { ...set, selections };
  }

  /** One field of a selection: kept (rewritten below), or moved to its anchor (undefined). */
  private field(selection: FieldNode, parent: GraphQLCompositeType, path: string[], anchor: Anchor | undefined): FieldNode | undefined {
    const name = selection.name.value;
    const responseKey = selection.alias?.value ?? name;
    if (anchor && !this.collecting && anchor.keys.has(responseKey)) {
      anchor.moved.push(selection);
      return undefined;
    }
    if (name.startsWith('__')) return selection;
    const def = this.fieldDef(parent, name);
    const named = getNamedType(def.type);
    const here = this.marks.fields.has(`${parent.name}.${name}`);
    const fieldPath = [...path, responseKey, ...Array<string>(listDepth(def.type)).fill('@')];
    const holds = here || (isCompositeType(named) && this.holdsViewerSpecific(selection.selectionSet, named));
    // On the second walk, also down every path to an anchor (another fragment's may move keys there).
    if (!holds && (this.collecting || !this.leading.has(fieldPath.join('.')))) return selection;
    const key = isObjectType(named) ? this.entityKeys.get(named.name) : undefined;
    if (!here && (key || !anchor)) {
      // The nearest entity is further down (or none is above yet): go down to it.
      const child = key ? this.anchorAt(named.name, key, fieldPath) : undefined;
      const walked = this.walk(selection.selectionSet!, named as GraphQLCompositeType, child?.path ?? fieldPath, child);
      return { ...selection, selectionSet: child && !this.collecting ? this.withKey(walked, child) : walked };
    }
    if (!anchor) throw new CannotSplit(`viewer-specific ${parent.name}.${name} outside an entity`);
    // Within an entity: the whole field goes to the viewer's fetch of that entity.
    anchor.keys.add(responseKey);
    return undefined;
  }

  /** The anchor of an entity at a path: one per path and type, whichever fragment reaches it. */
  private anchorAt(type: string, key: readonly string[], path: string[]): Anchor {
    const id = `${type}\u0000${path.join('.')}`;
    let anchor = this.anchors.get(id);
    if (!anchor && this.collecting) this.anchors.set(id, (anchor = { type, key, path, keys: new Set(), moved: [] }));
    // Seen on the second walk only where the first found nothing to move: a plain entity.
    return anchor ?? { type, key, path, keys: new Set(), moved: [] };
  }

  /** An anchor's selection with `__typename` and its key (its representation) when it moves anything. */
  private withKey(set: SelectionSetNode, anchor: Anchor): SelectionSetNode {
    if (!anchor.keys.size) return set;
    const selections = set.selections;
    const present = new Map<string, FieldNode>();
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) present.set(selection.alias?.value ?? selection.name.value, selection);
    }
    const add: FieldNode[] = [];
    for (const name of ['__typename', ...anchor.key]) {
      const existing = present.get(name);
      if (!existing) add.push({ kind: Kind.FIELD, name: { kind: Kind.NAME, value: name } });
      else if (existing.name.value !== name || existing.selectionSet || existing.arguments?.length) throw new CannotSplit(`response key ${name} is taken`);
    }
    return { ...set, selections: [...add, ...selections] };
  }

  /** Whether a selection (at `parent`) holds a viewer-specific value anywhere in it. */
  private holdsViewerSpecific(set: SelectionSetNode | undefined, parent: GraphQLCompositeType): boolean {
    return (
      set?.selections.some((selection) => {
        if (selection.kind === Kind.INLINE_FRAGMENT) return this.holdsViewerSpecific(selection.selectionSet, this.typeOf(selection.typeCondition?.name.value, parent));
        if (selection.kind !== Kind.FIELD || selection.name.value.startsWith('__')) return false;
        if (this.marks.fields.has(`${parent.name}.${selection.name.value}`)) return true;
        const named = getNamedType(this.fieldDef(parent, selection.name.value).type);
        return isCompositeType(named) && this.holdsViewerSpecific(selection.selectionSet, named);
      }) ?? false
    );
  }

  private typeOf(name: string | undefined, parent: GraphQLCompositeType): GraphQLCompositeType {
    const type = name ? this.supergraph.getType(name) : parent;
    if (!isCompositeType(type)) throw new CannotSplit(`unknown type ${name}`);
    return type;
  }

  private fieldDef(parent: GraphQLCompositeType, name: string): { type: GraphQLOutputType } {
    const def = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    if (!def) throw new CannotSplit(`unknown field ${parent.name}.${name}`);
    return def;
  }

  /** Switches from finding the anchors to rewriting. */
  rewriting(): void {
    this.collecting = false;
    for (const anchor of this.anchors.values()) {
      if (anchor.keys.size) anchor.path.forEach((_, i) => this.leading.add(anchor.path.slice(0, i + 1).join('.')));
    }
  }
}

/** Whether `requires` (a fetch's inputs, read at its own path) selects the field at `rest` below it (`@` for list items). */
function requiresPath(selections: readonly QueryPlanSelectionNode[] | undefined, rest: readonly string[]): boolean {
  const [head, ...tail] = rest.filter((element) => element !== '@');
  if (head === undefined) return true;
  return (selections ?? []).some((selection) =>
    selection.kind === 'InlineFragment' ? requiresPath(selection.selections, rest) : selection.name === head && (!tail.length || requiresPath(selection.selections, tail)),
  );
}

/**
 * Whether a plan node's fetches may read what the per-viewer fetches fill in (a fetch below one
 * of `paths`, a fetch above one that requires it, as `@requires` does, or a node this code does
 * not understand): then the rest of the plan cannot run before them, once for every viewer.
 */
export function readsMovedPaths(node: PlanNode | undefined, paths: readonly string[][]): boolean {
  if (!node) return false;
  switch (node.kind) {
    case 'Fetch':
      // A fetch at the root reads only the event as the shared stream delivers it.
      return false;
    case 'Sequence':
    case 'Parallel':
      return node.nodes.some((child) => readsMovedPaths(child, paths));
    case 'Flatten': {
      const path = node.path.map((element) => String(element).split('|')[0]);
      const inner = node.node;
      return (
        paths.some((moved) => moved.every((element, i) => path[i] === element)) ||
        (inner.kind === 'Fetch' && paths.some((moved) => path.every((element, i) => moved[i] === element) && requiresPath(inner.requires, moved.slice(path.length)))) ||
        readsMovedPaths(inner, paths)
      );
    }
    case 'Condition':
      return readsMovedPaths(node.ifClause, paths) || readsMovedPaths(node.elseClause, paths);
    default:
      return true;
  }
}
