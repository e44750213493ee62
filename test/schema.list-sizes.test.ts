import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeSupergraph } from '../scripts/composition';

const ROOT = join(__dirname, '..');

/** Composes the subgraphs of rover.yaml with the messaging schema changed by `edit`. */
function composeWithMessaging(edit: (schema: string) => string): () => unknown {
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'aether-sizes-'));
    try {
      const messaging = join(dir, 'messaging.graphql');
      writeFileSync(messaging, edit(readFileSync(join(ROOT, 'subgraphs/messaging/src/schema.graphql'), 'utf8')));
      const rover = readFileSync(join(ROOT, 'rover.yaml'), 'utf8')
        .replace('./subgraphs/messaging/src/schema.graphql', messaging)
        .replace('./subgraphs/auth/src/schema.graphql', join(ROOT, 'subgraphs/auth/src/schema.graphql'));
      writeFileSync(join(dir, 'rover.yaml'), rover);
      return composeSupergraph(join(dir, 'rover.yaml'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const ROOM = 'type Room @key(fields: "id") @viewerSpecific {';

describe('schema: every list declares its size', () => {
  it('composition fails when a subgraph adds a list field without @listSize, naming the field', () => {
    const compose = composeWithMessaging((s) => s.replace(ROOM, `${ROOM}\n  "Pinned messages."\n  pinned: [Message!]!`));
    expect(compose).toThrow(/every list needs a size[\s\S]*Room\.pinned/);
  });

  it('composition accepts the same field once it declares a size', () => {
    const compose = composeWithMessaging((s) =>
      s.replace(ROOM, `${ROOM}\n  "Pinned messages."\n  pinned(first: Int = 10): [Message!]! @listSize(assumedSize: 50, slicingArguments: ["first"], requireOneSlicingArgument: false)`),
    );
    expect(compose).not.toThrow();
  });

  it('the composed supergraph carries the sizes the gateway reads', () => {
    const { supergraph } = composeSupergraph();
    expect(supergraph).toMatch(/myRooms\((?:\s*"""[^"]*"""\s*)?\s*first: Int = 50\s*(?:"""[^"]*"""\s*)?after: String\s*\): \[Room!\]! .*@listSize\(assumedSize: 100/);
    expect(supergraph).toMatch(/reactions: \[Reaction!\]! .*@listSize\(assumedSize: 20\)/);
  });
});
