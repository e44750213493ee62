import { buildSchema, getOperationAST, parse } from 'graphql';
import { demandControlOf, operationCost } from '../../src/edge/cost';

const SDL = `
  schema @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{ name: "@listSize", as: "@size" }, "@cost"]) { query: Query }
  directive @link(url: String, import: [Import]) repeatable on SCHEMA
  scalar Import
  directive @size(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
  directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT
  type Query {
    rooms(first: Int = 5): [Room!]! @size(assumedSize: 100, slicingArguments: ["first"], requireOneSlicingArgument: false)
    strict(first: Int): [Room!]! @size(assumedSize: 10, slicingArguments: ["first"])
    undeclared: [Room!]!
  }
  type Room {
    id: ID!
    tags: [String!]! @size(assumedSize: 3)
    history(first: Int, last: Int): Page! @size(assumedSize: 50, slicingArguments: ["first", "last"], sizedFields: ["edges"], requireOneSlicingArgument: false)
    unread: Int! @cost(weight: 7)
  }
  type Page { edges: [Edge!]! total: Int! }
  type Edge { cursor: String! }
`;

const schema = buildSchema(SDL);
const demand = demandControlOf(parse(SDL));
const cost = (query: string, variables: Record<string, unknown> = {}) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables, 10, demand);
};

describe('edge: the cost of an operation comes from the schema', () => {
  it('reads @listSize and @cost under the names the supergraph imports them as', () => {
    expect(demand.listSizes.get('Query.rooms')).toEqual({
      assumedSize: 100,
      slicingArguments: ['first'],
      sizedFields: [],
      requireOneSlicingArgument: false,
    });
    expect(demand.weights.get('Room.unread')).toBe(7);
  });

  it('multiplies by the slicing argument, its default, or the assumed size', () => {
    expect(cost('{ rooms(first: 4) { id } }').cost).toBe(1 + 4 * 1);
    expect(cost('{ rooms { id } }').cost).toBe(1 + 5 * 1);
    expect(cost('query($n: Int) { rooms(first: $n) { id } }', { n: 8 }).cost).toBe(1 + 8 * 1);
    expect(cost('{ rooms(first: 2) { tags unread } }').cost).toBe(1 + 2 * (1 + 7));
  });

  it('sizes a connection by its edges, not its other fields', () => {
    expect(cost('{ rooms(first: 1) { history(last: 20) { total edges { cursor } } } }').cost).toBe(1 + 1 * (1 + 1 + (1 + 20 * 1)));
    expect(cost('{ rooms(first: 1) { history { edges { cursor } } } }').cost).toBe(1 + 1 * (1 + (1 + 50 * 1)));
  });

  it('reports a slicing argument over the declared size, and a missing required one', () => {
    expect(cost('{ rooms(first: 101) { id } }').violation).toEqual({ field: 'Query.rooms', argument: 'first', max: 100, value: 101 });
    expect(cost('query($n: Int) { rooms { history(first: $n) { total } } }', { n: 51 }).violation).toMatchObject({ field: 'Room.history', max: 50 });
    expect(cost('{ strict { id } }').violation).toEqual({ field: 'Query.strict', argument: 'first' });
    expect(cost('{ strict(first: 10) { id } }').violation).toBeUndefined();
  });

  it('falls back to LIMIT_LIST_SIZE for a list the schema does not size', () => {
    expect(cost('{ undeclared { id } }').cost).toBe(1 + 10 * 1);
  });
});
