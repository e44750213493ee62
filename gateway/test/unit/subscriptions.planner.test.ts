import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { SubscriptionPlanner } from '../../src/subscriptions/planner';

const sdl = readFileSync(join(__dirname, '..', '..', '..', 'schema', 'supergraph.graphql'), 'utf8');
const planner = new SubscriptionPlanner();
planner.update(Supergraph.build(sdl).apiSchema().toGraphQLJSSchema(), sdl);

function plan(query: string, operationName?: string) {
  return planner.plan(query, parse(query), operationName);
}

describe('subscription planning: the resumable upstream operation', () => {
  it('passes afterSeq as the gateway variable and selects seq under its own key', () => {
    const planned = plan('subscription { roomEvents(roomId: "r1") { __typename } }');
    const upstream = planned.resumable!.operation;
    expect(upstream).toContain('afterSeq: $__aether_afterSeq');
    expect(upstream).toContain('__aether_seq: seq');
    expect(upstream).toMatch(/\$__aether_afterSeq: Int\b/);
    expect(() => parse(upstream)).not.toThrow();
    expect(planned.resumable!.initialAfterSeq({})).toBeNull();
    expect(planned.resumable!.seqOf({ roomEvents: { __aether_seq: 7 } })).toBe(7);
  });

  it('replaces a literal afterSeq and reads where the client resumes from', () => {
    const planned = plan('subscription { roomEvents(roomId: "r1", afterSeq: 5) { seq } }');
    expect(planned.resumable!.operation).not.toMatch(/afterSeq: 5/);
    expect(planned.resumable!.initialAfterSeq({})).toBe(5);
  });

  it("drops the client's afterSeq variable but keeps the others, and reads it from the variables", () => {
    const query = 'subscription S($room: ID!, $after: Int) { roomEvents(roomId: $room, afterSeq: $after) { seq } }';
    const planned = plan(query, 'S');
    const upstream = planned.resumable!.operation;
    expect(upstream).toMatch(/\$room: ID!/);
    expect(upstream).not.toMatch(/\$after\b/);
    expect(planned.resumable!.initialAfterSeq({ room: 'r1', after: 9 })).toBe(9);
    expect(planned.resumable!.initialAfterSeq({ room: 'r1' })).toBeNull();
  });

  it('reads the seq of an aliased root field', () => {
    const planned = plan('subscription { live: roomEvents(roomId: "r1") { s: seq } }');
    expect(planned.resumable!.seqOf({ live: { s: 3, __aether_seq: 3 } })).toBe(3);
    expect(planned.resumable!.seqOf({ roomEvents: { __aether_seq: 3 } })).toBeUndefined();
    expect(planned.resumable!.seqOf(null)).toBeUndefined();
  });

  it('keeps fragments the upstream operation uses', () => {
    const query = `subscription { roomEvents(roomId: "r1") { ...E } }
      fragment E on RoomEvent { seq ... on MessageAdded { message { id body } } }`;
    const upstream = plan(query).resumable!.operation;
    expect(() => parse(upstream)).not.toThrow();
    expect(upstream).toContain('__aether_seq: seq');
  });

  it('does not make a subscription without afterSeq resumable', () => {
    expect(plan('subscription { typing(roomId: "r1") { __typename } }').resumable).toBeUndefined();
  });

  it('shares results between subscribers who differ only in where they resume', () => {
    const query = 'subscription S($room: ID!, $after: Int) { roomEvents(roomId: $room, afterSeq: $after) { seq } }';
    const shared = plan(query, 'S').shared!;
    expect(shared.key({ room: 'r1', after: 1 })).toBe(shared.key({ room: 'r1', after: 50 }));
    expect(shared.key({ room: 'r1' })).not.toBe(shared.key({ room: 'r2' }));
  });

  it('plans an operation once per text and name', () => {
    const query = 'subscription { roomEvents(roomId: "r1") { seq } }';
    expect(plan(query)).toBe(plan(query));
  });
});
