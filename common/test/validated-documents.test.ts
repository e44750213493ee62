import { buildSchema, parse } from 'graphql';
import { ValidatedDocuments } from '../src/validated-documents';

const schema = buildSchema(`type Query { a: Int b: Int c: Int }`);
const text = (field: string) => `{ ${field} }`;

describe('ValidatedDocuments', () => {
  it('gives back the document of a text it kept, for the same schema only', () => {
    const kept = new ValidatedDocuments();
    const document = parse(text('a'));
    kept.set(schema, text('a'), document);
    expect(kept.get(schema, text('a'))).toBe(document);
    expect(kept.get(schema, text('b'))).toBeUndefined();
    // A reloaded supergraph is another schema: nothing validated against the old one is trusted.
    const reloaded = buildSchema(`type Query { a: Int }`);
    expect(kept.get(reloaded, text('a'))).toBeUndefined();
    kept.set(reloaded, text('a'), parse(text('a')));
    expect(kept.get(schema, text('a'))).toBeUndefined();
    expect(kept.size).toBe(1);
  });

  it('keeps at most its budget of text, dropping the oldest first', () => {
    const kept = new ValidatedDocuments(text('a').length * 2);
    for (const field of ['a', 'b', 'c']) kept.set(schema, text(field), parse(text(field)));
    expect(kept.get(schema, text('a'))).toBeUndefined();
    expect(kept.get(schema, text('b'))).toBeDefined();
    expect(kept.get(schema, text('c'))).toBeDefined();
    expect(kept.size).toBe(2);
    // A text longer than the whole budget is never kept, and evicts nothing.
    kept.set(schema, `{ a b c } # longer than the budget`, parse(`{ a b c }`));
    expect(kept.size).toBe(2);
  });
});
