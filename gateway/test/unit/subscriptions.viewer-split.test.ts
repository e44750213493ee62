import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { parse, print } from 'graphql';
import { SubscriptionPlanner } from '../../src/subscriptions/planner';
import { selectsViewerSpecificField, viewerSpecificMarks } from '../../src/subscriptions/viewer-specific';
import { entityKeysOf, readsMovedPaths, splitViewerSpecific } from '../../src/subscriptions/viewer-split';

const sdl = readFileSync(join(__dirname, '../../../schema/supergraph.graphql'), 'utf8');
const built = Supergraph.build(sdl);
const supergraph = built.schema.toGraphQLJSSchema();
const marks = viewerSpecificMarks(parse(sdl))!;
const keys = entityKeysOf(parse(sdl));

const upstream = (selection: string, fragments = ''): FetchNode =>
  ({
    kind: 'Fetch',
    serviceName: 'messaging',
    operation: `subscription($r:ID!,$a:Int){roomEvents(roomId:$r,afterSeq:$a){__typename seq ${selection}}} ${fragments}`,
    operationName: undefined,
    variableUsages: ['r', 'a'],
  }) as unknown as FetchNode;
const normal = (operation: string) => print(parse(operation));

/** Each per-viewer fetch of a split: its path and its operation. */
function fetchesOf(node: PlanNode): { path: string; operation: string; requires: unknown }[] {
  if (node.kind === 'Parallel') return node.nodes.flatMap(fetchesOf);
  if (node.kind !== 'Flatten' || node.node.kind !== 'Fetch') throw new Error(`unexpected ${node.kind}`);
  return [{ path: node.path.join('.'), operation: normal(node.node.operation), requires: node.node.requires }];
}

describe('entityKeysOf: where a subgraph can resolve an object again', () => {
  it('reads plain keys per subgraph from the supergraph', () => {
    expect(keys.get('messaging')?.get('Message')).toEqual(['id']);
    expect(keys.get('messaging')?.get('Room')).toEqual(['id']);
    expect(keys.get('auth')?.get('User')).toEqual(['id']);
    expect(keys.get('messaging')?.has('Reaction')).toBe(false);
  });
});

describe('splitViewerSpecific: the shared upstream and the per-viewer fetches', () => {
  it('moves a field holding a viewer-specific value, whole, to a per-viewer fetch of its nearest entity', () => {
    const split = splitViewerSpecific(upstream('... on ReactionChanged { message { body reactions { emoji count reactedByMe } } }'), supergraph, marks, keys)!;
    expect(normal(split.primary.operation)).toBe(
      normal('subscription($r:ID!,$a:Int){roomEvents(roomId:$r,afterSeq:$a){__typename seq ... on ReactionChanged { message { __typename id body } }}}'),
    );
    // What is shared no longer selects anything viewer-specific: one upstream for everyone.
    expect(selectsViewerSpecificField(split.primary, supergraph, marks)).toBe(false);
    expect(fetchesOf(split.perViewer)).toEqual([
      {
        path: 'roomEvents.message',
        operation: normal('query($representations:[_Any!]!){_entities(representations:$representations){...on Message{reactions{emoji count reactedByMe}}}}'),
        requires: [{ kind: 'InlineFragment', typeCondition: 'Message', selections: [{ kind: 'Field', name: '__typename' }, { kind: 'Field', name: 'id' }] }],
      },
    ]);
  });

  it('moves every occurrence of a moved response key of the entity, through aliases and fragments', () => {
    const split = splitViewerSpecific(
      upstream('... on ReactionChanged { message { id ...M r: reactions { emoji } } } ... on MessageAdded { message { r: reactions { count } } }', 'fragment M on Message { r: reactions { mine: reactedByMe } }'),
      supergraph,
      marks,
      keys,
    )!;
    // Another event type's `r` is moved too: an `r` is never merged item by item from two reads.
    expect(normal(split.primary.operation)).toBe(
      normal('subscription($r:ID!,$a:Int){roomEvents(roomId:$r,afterSeq:$a){__typename seq ... on ReactionChanged { message { __typename id } } ... on MessageAdded { message { __typename id } }}}'),
    );
    expect(fetchesOf(split.perViewer).map((f) => f.operation)).toEqual([
      normal('query($representations:[_Any!]!){_entities(representations:$representations){...on Message{r: reactions{mine: reactedByMe} r: reactions{emoji} r: reactions{count}}}}'),
    ]);
  });

  it('anchors at the nearest entity: a nested message, a member’s user', () => {
    const split = splitViewerSpecific(
      upstream('... on MessageEdited { message { replyTo { body reactions { reactedByMe } } } } ... on MemberJoined { member { user { id rooms(first: 1) { unreadCount } } } }'),
      supergraph,
      marks,
      keys,
    )!;
    expect(fetchesOf(split.perViewer).map((f) => f.path).sort()).toEqual(['roomEvents.member.user', 'roomEvents.message.replyTo']);
    expect(normal(split.primary.operation)).toContain('replyTo {\n          __typename\n          id\n          body');
    expect(normal(split.primary.operation)).not.toContain('rooms');
  });

  it('does not split where the shared selection would need a response key another field took', () => {
    expect(splitViewerSpecific(upstream('... on ReactionChanged { message { id: body reactions { reactedByMe } } }'), supergraph, marks, keys)).toBeNull();
    expect(splitViewerSpecific(upstream('... on ReactionChanged { message { __typename: body reactions { reactedByMe } } }'), supergraph, marks, keys)).toBeNull();
  });

  it('leaves a selection without viewer-specific fields alone', () => {
    expect(splitViewerSpecific(upstream('... on MessageAdded { message { body reactions { emoji } } }'), supergraph, marks, keys)).toBeNull();
  });
});

describe('SubscriptionPlanner with the split', () => {
  const planner = new SubscriptionPlanner();
  planner.update(built.apiSchema().toGraphQLJSSchema(), sdl);
  const plan = (query: string) => planner.plan(query, parse(query), undefined);

  it('shares the upstream of a selection with reactedByMe, and computes its results per viewer', () => {
    const planned = plan('subscription($r: ID!, $a: Int) { roomEvents(roomId: $r, afterSeq: $a) { seq ... on ReactionChanged { message { reactions { emoji reactedByMe } author { email } } } } }');
    expect(planned.sharedUpstream).toBeDefined();
    expect(planned.perViewer).toBeDefined();
    expect(planned.shared).toBeUndefined();
    // The resumable upstream operation is the shared one.
    expect(planned.resumable!.operation).not.toContain('reactedByMe');
    // The viewer's own fetch comes before the rest of the plan (author's email from auth).
    expect(planned.rest?.kind).toBe('Sequence');
  });

  it('runs a viewer-independent rest once per event, before the viewer’s own fetches, and a viewer-specific rest per viewer', () => {
    const independent = plan('subscription($r: ID!, $a: Int) { roomEvents(roomId: $r, afterSeq: $a) { seq ... on ReactionChanged { message { reactions { reactedByMe } author { displayName } } } } }');
    expect(independent.viewerStage?.sharedRest).toBeDefined();
    expect(fetchesOf(independent.viewerStage!.perViewer).map((f) => f.path)).toEqual(['roomEvents.message']);
    const specific = plan('subscription($r: ID!, $a: Int) { roomEvents(roomId: $r, afterSeq: $a) { seq ... on ReactionChanged { message { reactions { reactedByMe } author { email } } } } }');
    expect(specific.viewerStage).toBeUndefined();
    expect(specific.perViewer).toBeDefined();
  });

  it('keeps a selection of viewer-independent fields on one shared result', () => {
    const planned = plan('subscription($r: ID!, $a: Int) { roomEvents(roomId: $r, afterSeq: $a) { seq ... on ReactionChanged { message { reactions { emoji count } } } } }');
    expect(planned.sharedUpstream).toBeDefined();
    expect(planned.shared).toBeDefined();
  });
});

describe('readsMovedPaths: whether the rest of a plan needs what the viewer fetches', () => {
  const fetchAt = (path: string[]): PlanNode => ({ kind: 'Flatten', path, node: { kind: 'Fetch', serviceName: 'auth', operation: '{x}' } }) as unknown as PlanNode;
  const moved = [['roomEvents', 'message', 'reactions']];
  it('is true for a fetch below a moved field, false beside it', () => {
    expect(readsMovedPaths(fetchAt(['roomEvents', 'message', 'reactions', '@', 'user']), moved)).toBe(true);
    expect(readsMovedPaths({ kind: 'Sequence', nodes: [fetchAt(['roomEvents', 'message', 'author'])] } as PlanNode, moved)).toBe(false);
    expect(readsMovedPaths(undefined, moved)).toBe(false);
  });
  it('is true for a fetch above a moved field that requires it (`@requires`), false for one requiring only the key', () => {
    const requiring = (requires: unknown): PlanNode =>
      ({ kind: 'Flatten', path: ['roomEvents', 'message'], node: { kind: 'Fetch', serviceName: 'other', operation: '{x}', requires } }) as unknown as PlanNode;
    const onMessage = (selections: unknown[]) => [{ kind: 'InlineFragment', typeCondition: 'Message', selections }];
    const field = (name: string, selections?: unknown[]) => ({ kind: 'Field', name, ...(selections ? { selections } : {}) });
    expect(readsMovedPaths(requiring(onMessage([field('__typename'), field('id'), field('reactions', [field('count')])])), moved)).toBe(true);
    expect(readsMovedPaths(requiring(onMessage([field('__typename'), field('id')])), moved)).toBe(false);
    expect(readsMovedPaths(requiring(onMessage([field('reactions')])), [['roomEvents', 'message', 'reactions', '@', 'reactedByMe']])).toBe(false);
  });
  it('does not vouch for a node it does not know', () => {
    expect(readsMovedPaths({ kind: 'Defer' } as unknown as PlanNode, moved)).toBe(true);
  });
});
