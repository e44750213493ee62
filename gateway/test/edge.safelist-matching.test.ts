import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalDocument, parseManifestSources, PersistedOperationList } from '../src/persisted/operation-list';

describe('safelist matching of documents sent in full', () => {
  let dir: string;
  let list: PersistedOperationList;
  const body = 'query Me { me { ...Who } }\nfragment Who on User { id username }';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aether-safelist-'));
    writeFileSync(join(dir, 'all.json'), JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'me', name: 'Me', type: 'query', body }] }));
    writeFileSync(join(dir, 'web.json'), JSON.stringify({ rooms: 'query Rooms { myRooms { id } }' }));
    list = PersistedOperationList.load(parseManifestSources(`${join(dir, 'all.json')}, web=${join(dir, 'web.json')}`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('matches a listed document whatever its whitespace, commas, comments and order of definitions', () => {
    expect(list.lists(body, undefined)).toBe(true);
    expect(list.lists('fragment Who on User { id, username } # who\n\nquery Me {\n  me { ...Who }\n}', undefined)).toBe(true);
  });

  it('does not match a document that selects anything else, or does not parse', () => {
    expect(list.lists('query Me { me { ...Who } }\nfragment Who on User { id username bio }', undefined)).toBe(false);
    expect(list.lists('query Me { me { ...Who }', undefined)).toBe(false);
    expect(canonicalDocument('{ a }'.repeat(100), { maxTokens: 50 })).toBeUndefined();
  });

  it('lists an operation registered for one client for that client only', () => {
    expect(list.lists('query Rooms { myRooms { id } }', 'web')).toBe(true);
    expect(list.lists('query Rooms { myRooms { id } }', 'ios')).toBe(false);
    expect(list.lists('query Rooms { myRooms { id } }', undefined)).toBe(false);
    expect(list.lists(body, 'ios')).toBe(true);
  });

  it('refuses one id registered with two different documents', () => {
    writeFileSync(join(dir, 'clash.json'), JSON.stringify({ me: '{ me { id } }' }));
    expect(() => PersistedOperationList.load(parseManifestSources(`${join(dir, 'all.json')},${join(dir, 'clash.json')}`))).toThrow(
      /id me is registered with two different documents/,
    );
  });
});
