import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import type { FetchNode, PlanNode } from '@apollo/query-planner';
import { parse } from 'graphql';
import { SharedEventResults } from '../../src/subscriptions/shared-results';
import { restIsViewerIndependent, selectsViewerSpecificField, viewerSpecificMarks } from '../../src/subscriptions/viewer-specific';

const sdl = readFileSync(join(__dirname, '../../../schema/supergraph.graphql'), 'utf8');
const supergraph = Supergraph.build(sdl).schema.toGraphQLJSSchema();
const marks = viewerSpecificMarks(parse(sdl))!;

const fetch = (serviceName: string, operation: string): FetchNode =>
  ({ kind: 'Fetch', serviceName, operation, variableUsages: [], requires: undefined }) as unknown as FetchNode;
const entities = (selection: string) => fetch('auth', `query($representations:[_Any!]!){_entities(representations:$representations){... on User{${selection}}}}`);
const flatten = (node: PlanNode): PlanNode => ({ kind: 'Flatten', path: ['roomEvents', 'message', 'author'], node }) as PlanNode;

describe('@viewerSpecific marks', () => {
  it('reads marked types and Type.fields from the supergraph', () => {
    expect([...marks.types]).toEqual(expect.arrayContaining(['Message', 'Room']));
    expect([...marks.fields]).toEqual(expect.arrayContaining(['User.email', 'Reaction.reactedByMe', 'Room.unreadCount']));
    expect(marks.fields.has('User.displayName')).toBe(false);
  });

  it('is null for a supergraph that does not define the directive: nothing may be shared', () => {
    expect(viewerSpecificMarks(parse('type Query { a: Int @viewerSpecific }'))).toBeNull();
    expect(restIsViewerIndependent(undefined, supergraph, null)).toBe(false);
  });
});

describe('restIsViewerIndependent: the entity fetches of each event', () => {
  it('shares a selection of viewer-independent fields, through aliases and nested plan nodes', () => {
    expect(restIsViewerIndependent(undefined, supergraph, marks)).toBe(true);
    expect(restIsViewerIndependent(flatten(entities('id displayName')), supergraph, marks)).toBe(true);
    expect(restIsViewerIndependent({ kind: 'Sequence', nodes: [flatten(entities('name: displayName __typename'))] } as PlanNode, supergraph, marks)).toBe(true);
  });

  it('does not share a marked field, however it is reached (an alias, a parallel branch, a fragment)', () => {
    expect(restIsViewerIndependent(flatten(entities('displayName email')), supergraph, marks)).toBe(false);
    expect(restIsViewerIndependent(flatten(entities('mail: email')), supergraph, marks)).toBe(false);
    const parallel = { kind: 'Parallel', nodes: [flatten(entities('displayName')), flatten(entities('email'))] } as PlanNode;
    expect(restIsViewerIndependent(parallel, supergraph, marks)).toBe(false);
    const spread = fetch('auth', 'query($r:[_Any!]!){_entities(representations:$r){...U}} fragment U on User{email}');
    expect(restIsViewerIndependent(flatten(spread), supergraph, marks)).toBe(false);
  });

  it('does not vouch for what it does not know: an unknown field or plan node', () => {
    expect(restIsViewerIndependent(flatten(entities('displayName secretField')), supergraph, marks)).toBe(false);
    expect(restIsViewerIndependent({ kind: 'Defer' } as unknown as PlanNode, supergraph, marks)).toBe(false);
  });
});

describe('selectsViewerSpecificField: whether the upstream subscription itself can be shared', () => {
  const upstream = (selection: string) => fetch('messaging', `subscription($r:ID!){roomEvents(roomId:$r){seq ... on MessageAdded{message{${selection}}}}}`);
  it('allows a marked type (each subscriber is admitted on its own) but not a marked field', () => {
    expect(selectsViewerSpecificField(upstream('id body'), supergraph, marks)).toBe(false);
    expect(selectsViewerSpecificField(upstream('id reactions { emoji reactedByMe }'), supergraph, marks)).toBe(true);
    expect(selectsViewerSpecificField(upstream('id mine: reactions { emoji me: reactedByMe }'), supergraph, marks)).toBe(true);
  });
});

describe('SharedEventResults', () => {
  it('computes a result once per key while it lives, and again after', async () => {
    let now = 1_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const results = new SharedEventResults(100, 10);
      let computed = 0;
      const compute = () => Promise.resolve({ data: { n: ++computed } });
      const [a, b] = [results.get('k', compute), results.get('k', compute)];
      expect(a).toBe(b);
      expect(await a).toEqual({ data: { n: 1 } });
      expect(await results.get('other', compute)).toEqual({ data: { n: 2 } });
      now += 101;
      expect(await results.get('k', compute)).toEqual({ data: { n: 3 } });
    } finally {
      clock.mockRestore();
    }
  });

  it('does not remember a failed execution: the next subscriber tries again', async () => {
    const results = new SharedEventResults();
    await expect(results.get('k', () => Promise.reject(new Error('subgraph down')))).rejects.toThrow('subgraph down');
    expect(await results.get('k', () => Promise.resolve({ data: { ok: true } }))).toEqual({ data: { ok: true } });
  });

  it('holds at most its cap, dropping the oldest first', async () => {
    const results = new SharedEventResults(60_000, 3);
    let computed = 0;
    const compute = () => Promise.resolve({ data: { n: ++computed } });
    for (const key of ['a', 'b', 'c', 'd']) await results.get(key, compute);
    expect(await results.get('d', compute)).toEqual({ data: { n: 4 } });
    expect(await results.get('a', compute)).toEqual({ data: { n: 5 } });
    expect(results.size).toBe(3);
  });

  it('drops what has expired as it goes, a result recomputed after expiry living its full time again', async () => {
    let now = 1_000;
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const results = new SharedEventResults(100, 1_000);
      let computed = 0;
      const compute = () => Promise.resolve({ data: { n: ++computed } });
      for (let i = 0; i < 50; i++) await results.get(`old${i}`, compute);
      now += 60;
      await results.get('k', compute);
      now += 60;
      // The 50 first have expired; 'k' has not.
      await results.get('new', compute);
      expect(results.size).toBe(2);
      now += 60;
      // 'k' expired: recomputed, and kept for another 100 ms although 'new' was added after it.
      expect(await results.get('k', compute)).toEqual({ data: { n: 53 } });
      now += 50;
      await results.get('newer', compute);
      expect(await results.get('k', compute)).toEqual({ data: { n: 53 } });
      expect(results.size).toBe(2);
    } finally {
      clock.mockRestore();
    }
  });
});
