import type { PlanNode, FetchNode } from '@apollo/query-planner';
import { Kind, TypeInfo, parse, visit, visitWithTypeInfo, type DocumentNode, type GraphQLSchema } from 'graphql';

/** The directive by which subgraphs mark what depends on who asks (see the subgraphs' schema.graphql). */
export const VIEWER_SPECIFIC_DIRECTIVE = 'viewerSpecific';

/** Where a supergraph says a value depends on the viewer: whole types, and `Type.field`s. */
export interface ViewerSpecificMarks {
  types: ReadonlySet<string>;
  fields: ReadonlySet<string>;
}

/**
 * Reads the `@viewerSpecific` marks of a supergraph. A supergraph that does not define the
 * directive makes no promise about any field, so nothing may be shared: null.
 */
export function viewerSpecificMarks(supergraph: DocumentNode): ViewerSpecificMarks | null {
  let defined = false;
  const types = new Set<string>();
  const fields = new Set<string>();
  const marked = (node: { directives?: readonly { name: { value: string } }[] }) =>
    node.directives?.some((d) => d.name.value === VIEWER_SPECIFIC_DIRECTIVE) ?? false;
  for (const definition of supergraph.definitions) {
    if (definition.kind === Kind.DIRECTIVE_DEFINITION && definition.name.value === VIEWER_SPECIFIC_DIRECTIVE) defined = true;
    if (
      definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
      definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      definition.kind === Kind.INTERFACE_TYPE_EXTENSION
    ) {
      if (marked(definition)) types.add(definition.name.value);
      for (const field of definition.fields ?? []) if (marked(field)) fields.add(`${definition.name.value}.${field.name.value}`);
    }
  }
  return defined ? { types, fields } : null;
}

/** Every fetch of a plan node, or null when it holds a node this code does not understand. */
function fetchNodes(node: PlanNode | undefined, into: FetchNode[] = []): FetchNode[] | null {
  if (!node) return into;
  switch (node.kind) {
    case 'Fetch':
      into.push(node);
      return into;
    case 'Sequence':
    case 'Parallel':
      return node.nodes.every((child) => fetchNodes(child, into)) ? into : null;
    case 'Flatten':
      return fetchNodes(node.node, into);
    case 'Condition':
      return fetchNodes(node.ifClause, into) && fetchNodes(node.elseClause, into);
    default:
      // Defer, Subscription and anything newer: not understood, so not shareable.
      return null;
  }
}

/**
 * Whether every fetch of `rest` (what a subscription event needs from other subgraphs) selects
 * only values that are the same for every viewer. Then one execution per event serves every
 * subscriber with the same operation and variables; otherwise each subscriber gets its own.
 */
export function restIsViewerIndependent(rest: PlanNode | undefined, supergraph: GraphQLSchema, marks: ViewerSpecificMarks | null): boolean {
  if (!marks) return false;
  const fetches = fetchNodes(rest);
  if (!fetches) return false;
  const typeInfo = new TypeInfo(supergraph);
  for (const fetch of fetches) {
    let independent = true;
    visit(
      parse(fetch.operation),
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const name = node.name.value;
          if (name === '_entities') return;
          const parent = typeInfo.getParentType();
          // A field the supergraph does not know (or in a type it does not know) is not vouched for.
          if (!parent || (!name.startsWith('__') && !typeInfo.getFieldDef())) independent = false;
          else if (marks.types.has(parent.name) || marks.fields.has(`${parent.name}.${name}`)) independent = false;
        },
      }),
    );
    if (!independent) return false;
  }
  return true;
}

/**
 * Whether the upstream operation of a subscription selects a field marked `@viewerSpecific`
 * (`reactedByMe`, `unreadCount`): then it cannot be opened once for every subscriber as it is
 * (the planner first tries to take those fields out, viewer-split.ts). Whole
 * types marked viewer-specific (who may read a message) do not count here: each subscriber is
 * admitted by the owning subgraph under their own identity before joining a shared stream.
 */
export function selectsViewerSpecificField(primary: FetchNode, supergraph: GraphQLSchema, marks: ViewerSpecificMarks): boolean {
  const typeInfo = new TypeInfo(supergraph);
  let specific = false;
  visit(
    parse(primary.operation),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const name = node.name.value;
        const parent = typeInfo.getParentType();
        if (!parent || (!name.startsWith('__') && !typeInfo.getFieldDef())) specific = true;
        else if (marks.fields.has(`${parent.name}.${name}`)) specific = true;
      },
    }),
  );
  return specific;
}
