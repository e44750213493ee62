import { buildOperationContext } from '@apollo/gateway';
import { Supergraph, operationFromDocument, type Schema } from '@apollo/federation-internals';
import { QueryPlanner, type FetchNode, type PlanNode } from '@apollo/query-planner';
import {
  Kind,
  getArgumentValues,
  getNamedType,
  isInterfaceType,
  isObjectType,
  parse,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionNode,
  type OperationDefinitionNode,
} from 'graphql';

import { SharedEventResults } from './shared-results';
import type { SharedStream } from './shared-stream';
import { restIsViewerIndependent, selectsViewerSpecificField, viewerSpecificMarks, type ViewerSpecificMarks } from './viewer-specific';
import { entityKeysOf, readsMovedPaths, splitViewerSpecific, type EntityKeys } from './viewer-split';

type OperationContext = ReturnType<typeof buildOperationContext>;

/** The argument by which a subscription resumes after the last event it delivered. */
export const RESUME_ARGUMENT = 'afterSeq';
const RESUME_VARIABLE = '__aether_afterSeq';
/** Where the rewritten upstream operation puts each event's seq, whatever the client selected. */
const SEQ_KEY = '__aether_seq';
/** Where the rewritten upstream operation puts the user a MemberLeft event names. */
const LEFT_KEY = '__aether_left';
/** The event type that ends a subscriber's stream when it names them. */
const LEAVE_EVENT_TYPE = 'MemberLeft';

/** What the gateway needs to run one subscription operation, planned once and shared. */
export interface PlannedSubscription {
  /** The subscription to open on the owning subgraph. */
  primary: FetchNode;
  /** Entity fetches that complete each event with other subgraphs' fields. */
  rest?: PlanNode;
  operationContext: OperationContext;
  /**
   * Present when the root field takes `afterSeq`: the primary operation rewritten to pass it as
   * a variable, so that after an upstream reconnect the gateway resubscribes from the last seq
   * it delivered, and the client sees no gap.
   */
  resumable?: {
    operation: string;
    initialAfterSeq: (variables: Record<string, unknown>) => number | null;
    /** The seq of an upstream event of `operation`. */
    seqOf: (data: unknown) => number | undefined;
    /** The user a MemberLeft event of `operation` names (undefined for any other event). */
    leftUserOf: (data: unknown) => string | undefined;
  };
  /**
   * Set when the upstream selection has no viewer-specific field: then one upstream
   * subscription per distinct variables (less `afterSeq`) serves every subscriber on this
   * gateway (see shared-stream.ts); `streams` holds them.
   */
  sharedUpstream?: { key: (variables: Record<string, unknown>) => string; streams: Map<string, SharedStream> };
  supergraphSchema: GraphQLSchema;
  apiSchema: Schema;
  /**
   * Set when no fetch of `rest` selects a `@viewerSpecific` value: then an event's result depends
   * only on the variables and the event, and is computed once for all subscribers.
   */
  shared?: { results: SharedEventResults; key: (variables: Record<string, unknown>) => string };
  /**
   * Set when the primary fetch was split (viewer-split.ts) and the rest of the plan is the same
   * for every viewer: an event then runs in two stages, the primary and `sharedRest` once for
   * all subscribers (`results`, keyed like `shared`), then only `perViewer` for each viewer.
   */
  viewerStage?: { sharedRest?: PlanNode; perViewer: PlanNode; results: SharedEventResults };
  /** Otherwise: results per viewer, so that subscribers who are the same viewer share one execution. */
  perViewer?: { results: SharedEventResults; key: (variables: Record<string, unknown>) => string };
}

/**
 * Rewrites the subgraph subscription operation so that the gateway can resume it: the root
 * field takes `afterSeq: $__aether_afterSeq`, and selects `__aether_seq: seq` even when the
 * client did not ask for `seq` (what the client did not select never reaches it).
 */
function resumableOperation(operation: string, withLeaveProbe: boolean): { operation: string; responseKey: string } {
  const doc = parse(operation);
  // The planner reuses the client's fragments in the upstream operation: keep them, rewrite only the operation.
  const opIndex = doc.definitions.findIndex((d) => d.kind === Kind.OPERATION_DEFINITION);
  const op = doc.definitions[opIndex] as OperationDefinitionNode;
  const root = op.selectionSet.selections[0] as FieldNode;
  const args = (root.arguments ?? []).filter((a) => a.name.value !== RESUME_ARGUMENT);
  // The client's own `afterSeq` variable, if any, is now unused: drop its definition.
  const replaced = (root.arguments ?? []).find((a) => a.name.value === RESUME_ARGUMENT)?.value;
  const stillUsed = new Set<string>();
  const withoutResumeArgument = { ...op, variableDefinitions: [], selectionSet: { ...op.selectionSet, selections: [{ ...root, arguments: args }] } };
  visit({ ...doc, definitions: doc.definitions.map((d, i) => (i === opIndex ? withoutResumeArgument : d)) }, {
    Variable: (node) => {
      stillUsed.add(node.name.value);
    },
  });
  const keep = (op.variableDefinitions ?? []).filter(
    (d) => replaced?.kind !== Kind.VARIABLE || d.variable.name.value !== replaced.name.value || stillUsed.has(d.variable.name.value),
  );
  const rewritten: OperationDefinitionNode = {
    ...op,
    variableDefinitions: [
      ...keep,
      {
        kind: Kind.VARIABLE_DEFINITION,
        variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: RESUME_VARIABLE } },
        type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'Int' } },
      },
    ],
    selectionSet: {
      ...op.selectionSet,
      selections: [
        {
          ...root,
          arguments: [
            ...args,
            {
              kind: Kind.ARGUMENT,
              name: { kind: Kind.NAME, value: RESUME_ARGUMENT },
              value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: RESUME_VARIABLE } },
            },
          ],
          selectionSet: {
            kind: Kind.SELECTION_SET,
            selections: [
              ...(root.selectionSet?.selections ?? []),
              { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: SEQ_KEY }, name: { kind: Kind.NAME, value: 'seq' } },
              ...(withLeaveProbe ? [leaveProbe()] : []),
            ],
          },
        },
      ],
    },
  };
  return { operation: print({ ...doc, definitions: doc.definitions.map((d, i) => (i === opIndex ? rewritten : d)) }), responseKey: root.alias?.value ?? root.name.value };
}

/** `... on MemberLeft { __aether_left: member { user { id } } }`: whom a MemberLeft event names. */
function leaveProbe(): InlineFragmentNode {
  const field = (name: string, selections?: SelectionNode[], alias?: string): FieldNode => ({
    kind: Kind.FIELD,
    name: { kind: Kind.NAME, value: name },
    ...(alias ? { alias: { kind: Kind.NAME, value: alias } } : {}),
    ...(selections ? { selectionSet: { kind: Kind.SELECTION_SET, selections } } : {}),
  });
  return {
    kind: Kind.INLINE_FRAGMENT,
    typeCondition: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: LEAVE_EVENT_TYPE } },
    selectionSet: { kind: Kind.SELECTION_SET, selections: [field('member', [field('user', [field('id')])], LEFT_KEY)] },
  };
}

export function resumeVariables(afterSeq: number | null): Record<string, unknown> {
  return { [RESUME_VARIABLE]: afterSeq };
}

/**
 * Plans subscription operations with the supergraph's own query planner (which yields
 * `Subscription { primary, rest }`), rebuilt whenever the gateway loads a new supergraph.
 * Plans are cached per operation text and name.
 */
export class SubscriptionPlanner {
  private current?: {
    planner: QueryPlanner;
    apiSchemaInternal: Schema;
    apiSchema: GraphQLSchema;
    supergraphSchema: GraphQLSchema;
    marks: ViewerSpecificMarks | null;
    entityKeys: EntityKeys;
    cache: Map<string, PlannedSubscription>;
  };

  update(apiSchema: GraphQLSchema, coreSupergraphSdl: string): void {
    const supergraph = Supergraph.build(coreSupergraphSdl);
    const document = parse(coreSupergraphSdl);
    this.current = {
      planner: new QueryPlanner(supergraph),
      apiSchemaInternal: supergraph.apiSchema(),
      apiSchema,
      supergraphSchema: supergraph.schema.toGraphQLJSSchema(),
      marks: viewerSpecificMarks(document),
      entityKeys: entityKeysOf(document),
      cache: new Map(),
    };
  }

  get apiSchema(): GraphQLSchema | undefined {
    return this.current?.apiSchema;
  }

  plan(query: string, document: DocumentNode, operationName: string | undefined): PlannedSubscription {
    const state = this.current;
    if (!state) throw new Error('no supergraph loaded yet');
    const key = `${operationName ?? ''}\u0000${query}`;
    const cached = state.cache.get(key);
    if (cached) return cached;

    const operation = operationFromDocument(state.apiSchemaInternal, document, { operationName });
    const plan = state.planner.buildQueryPlan(operation);
    if (plan.node?.kind !== 'Subscription') throw new Error('not a subscription operation');
    const operationContext = buildOperationContext({ schema: state.apiSchema, operationDocument: document, operationName });
    const root = operationContext.operation.selectionSet.selections[0] as FieldNode;
    const fieldDef = state.apiSchema.getSubscriptionType()!.getFields()[root.name.value];
    let { primary, rest } = plan.node;
    // A selection with the owning subgraph's own viewer-specific fields (`reactedByMe`) shares
    // the upstream for the rest, and fetches those fields per viewer (viewer-split.ts).
    const split =
      state.marks && fieldDef.args.some((a) => a.name === RESUME_ARGUMENT) && selectsViewerSpecificField(primary, state.supergraphSchema, state.marks)
        ? splitViewerSpecific(primary, state.supergraphSchema, state.marks, state.entityKeys)
        : null;
    let viewerStage: PlannedSubscription['viewerStage'];
    if (split) {
      primary = split.primary;
      // The rest of the plan the same for every viewer and not reading what they fetch: run it
      // once per event, and only the viewer's own fetches per viewer.
      if (restIsViewerIndependent(rest, state.supergraphSchema, state.marks) && !readsMovedPaths(rest, split.movedPaths)) {
        viewerStage = { sharedRest: rest, perViewer: split.perViewer, results: new SharedEventResults() };
      }
      rest = rest ? { kind: 'Sequence', nodes: [split.perViewer, rest] } : split.perViewer;
    }
    const planned: PlannedSubscription = {
      primary,
      rest,
      operationContext,
      resumable: resumableOf(primary, fieldDef, root, state.apiSchema),
      viewerStage,
      supergraphSchema: state.supergraphSchema,
      apiSchema: state.apiSchemaInternal,
    };
    // Where a subscriber resumes from does not change what an event looks like.
    const resumeArg = root.arguments?.find((a) => a.name.value === RESUME_ARGUMENT)?.value;
    const resumeVariable = resumeArg?.kind === Kind.VARIABLE ? resumeArg.name.value : undefined;
    const keyOf = (variables: Record<string, unknown>) => {
      const { [resumeVariable ?? '']: _resume, ...rest } = variables;
      return JSON.stringify(rest);
    };
    if (restIsViewerIndependent(rest, state.supergraphSchema, state.marks)) {
      planned.shared = { results: new SharedEventResults(), key: keyOf };
    } else {
      planned.perViewer = { results: new SharedEventResults(), key: keyOf };
    }
    if (planned.resumable && state.marks && !selectsViewerSpecificField(primary, state.supergraphSchema, state.marks)) {
      planned.sharedUpstream = { key: keyOf, streams: new Map() };
    }
    if (state.cache.size > 1000) state.cache.clear();
    state.cache.set(key, planned);
    return planned;
  }
}

/** A root field that takes `afterSeq` and returns events with a `seq` can be resumed. */
function resumableOf(
  primary: FetchNode,
  fieldDef: GraphQLField<unknown, unknown>,
  root: FieldNode,
  apiSchema: GraphQLSchema,
): PlannedSubscription['resumable'] {
  const eventType = getNamedType(fieldDef.type);
  if (!fieldDef.args.some((a) => a.name === RESUME_ARGUMENT) || !(isObjectType(eventType) || isInterfaceType(eventType)) || !eventType.getFields().seq) {
    return undefined;
  }
  const leaveType = apiSchema.getType(LEAVE_EVENT_TYPE);
  const withLeaveProbe = isObjectType(leaveType) && (eventType === leaveType || (isInterfaceType(eventType) && apiSchema.isSubType(eventType, leaveType))) && 'member' in leaveType.getFields();
  const { operation, responseKey } = resumableOperation(primary.operation, withLeaveProbe);
  const eventOf = (data: unknown) => (data as Record<string, Record<string, unknown> | null> | null | undefined)?.[responseKey];
  return {
    operation,
    initialAfterSeq: (variables: Record<string, unknown>) => {
      const value = getArgumentValues(fieldDef, root, variables)[RESUME_ARGUMENT];
      return typeof value === 'number' ? value : null;
    },
    seqOf: (data: unknown) => {
      const seq = eventOf(data)?.[SEQ_KEY];
      return typeof seq === 'number' ? seq : undefined;
    },
    leftUserOf: (data: unknown) => {
      const id = (eventOf(data)?.[LEFT_KEY] as { user?: { id?: unknown } } | null | undefined)?.user?.id;
      return typeof id === 'string' ? id : undefined;
    },
  };
}
