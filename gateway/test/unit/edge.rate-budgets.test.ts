import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { MemoryWindowCounters } from '../../src/edge/counters';
import { rateBudgets } from '../../src/edge/rate-budgets';

const supergraph = parse(readFileSync(join(__dirname, '..', '..', '..', 'schema', 'supergraph.graphql'), 'utf8'));

describe('rate budgets, as the subgraphs declare them in the supergraph', () => {
  it('reads every @rateBudget of the composed supergraph, from both subgraphs', () => {
    const budgets = rateBudgets(supergraph);
    expect(budgets.get('Mutation.login')).toEqual({ bucket: 'auth', limit: 20, per: 'address' });
    expect(budgets.get('Mutation.changePassword')).toEqual({ bucket: 'auth', limit: 20, per: 'address' });
    expect(budgets.get('Mutation.createRoom')).toEqual({ bucket: 'rooms', limit: 30, per: 'user' });
    expect(budgets.get('Mutation.sendMessage')).toEqual({ bucket: 'send', limit: 60, per: 'user' });
    expect(budgets.get('Mutation.setTyping')).toEqual({ bucket: 'typing', limit: 120, per: 'user' });
    expect(budgets.has('Mutation.markRead')).toBe(false);
    expect(budgets.has('Query.me')).toBe(false);
  });

  it('finds none in a supergraph that does not declare them, and ignores marks without a bucket or a positive limit', () => {
    expect(rateBudgets(parse(`type Mutation { createRoom: ID }`)).size).toBe(0);
    const marked = parse(`
      directive @rateBudget(bucket: String!, limit: Int!, per: String = "user") on FIELD_DEFINITION
      type Mutation { a: ID @rateBudget(bucket: "x", limit: 0) b: ID @rateBudget(bucket: "", limit: 3) c: ID @rateBudget(bucket: "y", limit: 3, per: "address") }`);
    expect([...rateBudgets(marked)]).toEqual([['Mutation.c', { bucket: 'y', limit: 3, per: 'address' }]]);
  });
});

describe('fixed-window counters in memory (the fallback while Redis is away)', () => {
  it('charges every counter of a request at once and says which went over, and until when', async () => {
    const counters = new MemoryWindowCounters();
    const charges = [
      { key: 'a', points: 2, limit: 3 },
      { key: 'b', points: 1, limit: 10 },
    ];
    expect(await counters.charge(charges, 1000, 0)).toEqual({ over: [], retryAfterMs: 0 });
    expect(await counters.charge(charges, 1000, 400)).toEqual({ over: [0], retryAfterMs: 600 });
    // A new window starts afresh.
    expect(await counters.charge(charges, 1000, 1000)).toEqual({ over: [], retryAfterMs: 0 });
  });
});
