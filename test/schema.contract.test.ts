import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
import { composeSupergraph } from '../scripts/composition';
import { checkSchemaChange, formatVerdict, recordRelease, RELEASED_SCHEMA_FILE, undescribed } from '../scripts/schema-contract';

const ROOT = join(__dirname, '..');
const released = readFileSync(RELEASED_SCHEMA_FILE, 'utf8');

/** The released schema with one edit inside one type's body, failing loudly if the edit did not apply. */
function editType(sdl: string, typeName: string, from: string | RegExp, to: string): string {
  const start = sdl.search(new RegExp(`^(type|input|enum|interface) ${typeName} `, 'm'));
  const end = sdl.indexOf('\n}', start);
  expect(start).toBeGreaterThanOrEqual(0);
  const body = sdl.slice(start, end);
  const edited = body.replace(from, to);
  expect(edited).not.toBe(body);
  return sdl.slice(0, start) + edited + sdl.slice(end);
}

describe('schema contract: the current API schema against the released one', () => {
  it('the subgraphs as they are now pass the check against the committed released schema', async () => {
    const verdict = await checkSchemaChange(released, composeSupergraph().api);
    expect(verdict.breaking).toEqual([]);
  });

  it('every type, field, argument and enum value of the API schema has a description, root types included', () => {
    const schema = buildSchema(composeSupergraph().api);
    expect(undescribed(schema)).toEqual([]);
    for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) expect(root?.description).toBeTruthy();
  });

  it('reports what has no description, down to arguments', () => {
    const bare = buildSchema(`"Reads." type Query { "A user." user(id: ID!): String  other: Int } enum E { "Yes." A  B }`);
    expect(undescribed(bare)).toEqual(['Query.user(id:)', 'Query.other', 'E', 'E.B']);
  });

  it('fails when a field is removed without deprecation, naming it and the way through', async () => {
    const verdict = await checkSchemaChange(released, editType(released, 'User', /\n\s+"""A short text about the user, if they wrote one."""\n\s+bio: String/, ''));
    expect(verdict.breaking).toEqual([expect.objectContaining({ type: 'FIELD_REMOVED', path: 'User.bio' })]);
    expect(verdict.breaking[0].message).toContain('not deprecated in the released schema');
    expect(formatVerdict(verdict)).toMatch(/FIELD_REMOVED User\.bio[\s\S]*way through: deprecate it first[\s\S]*release[\s\S]*remove it in a later release/);
  });

  it('fails when a nullable argument becomes required', async () => {
    const verdict = await checkSchemaChange(released, editType(released, 'Subscription', 'afterSeq: Int', 'afterSeq: Int!'));
    expect(verdict.breaking).toEqual([expect.objectContaining({ type: 'FIELD_ARGUMENT_TYPE_CHANGED', path: 'Subscription.roomEvents.afterSeq' })]);
    expect(verdict.breaking[0].message).toContain("'Int' to 'Int!'");
    expect(verdict.breaking[0].wayThrough).toMatch(/keep the argument optional/);
  });

  it('fails when a field changes type', async () => {
    const verdict = await checkSchemaChange(released, editType(released, 'User', 'bio: String', 'bio: Int'));
    expect(verdict.breaking).toEqual([expect.objectContaining({ type: 'FIELD_TYPE_CHANGED', path: 'User.bio' })]);
    expect(verdict.breaking[0].wayThrough).toMatch(/add a new field with the new type/);
  });

  it('fails when a new required argument is added to a released field', async () => {
    const verdict = await checkSchemaChange(released, editType(released, 'Query', 'myRooms: [Room!]!', 'myRooms("Only these." kind: RoomKind!): [Room!]!'));
    expect(verdict.breaking).toEqual([expect.objectContaining({ type: 'FIELD_ARGUMENT_ADDED', path: 'Query.myRooms.kind' })]);
  });

  it('passes when a field is deprecated with a reason naming its replacement', async () => {
    const verdict = await checkSchemaChange(released, editType(released, 'User', 'bio: String', 'bio: String @deprecated(reason: "Use `displayName` instead.")'));
    expect(verdict.breaking).toEqual([]);
    expect([...verdict.dangerous, ...verdict.safe]).toContainEqual(expect.objectContaining({ type: 'FIELD_DEPRECATION_ADDED', path: 'User.bio.@deprecated' }));
  });

  it('fails a deprecation whose reason names no replacement, or one that does not exist', async () => {
    for (const reason of ['No longer supported', 'Use `aboutMe` instead.']) {
      const verdict = await checkSchemaChange(released, editType(released, 'User', 'bio: String', `bio: String @deprecated(reason: "${reason}")`));
      expect(verdict.breaking).toEqual([expect.objectContaining({ type: 'DEPRECATION_WITHOUT_REPLACEMENT', path: 'User.bio' })]);
    }
  });

  it('passes when a field is added', async () => {
    const verdict = await checkSchemaChange(released, editType(released, 'User', 'bio: String', 'bio: String\n  "Pronouns, if the user gave them."\n  pronouns: String'));
    expect(verdict.breaking).toEqual([]);
    expect(verdict.safe).toContainEqual(expect.objectContaining({ type: 'FIELD_ADDED', path: 'User.pronouns' }));
  });

  it('passes the removal of a field the released schema deprecated naming a replacement, and of a type only it used', async () => {
    const deprecated = editType(
      released,
      'Query',
      'me: User',
      'me: User\n  "Old entry point." viewer: Viewer @deprecated(reason: "Use `Query.me` instead.")',
    ) + '\n"The old viewer shape."\ntype Viewer { "Its id." id: ID! }\n';
    const verdict = await checkSchemaChange(deprecated, released);
    expect(verdict.breaking).toEqual([]);
    expect(verdict.plannedRemovals.map((f) => f.path).sort()).toEqual(['Query.viewer', 'Viewer']);
  });

  it('fails the removal of a field deprecated without naming a replacement', async () => {
    const deprecated = editType(released, 'User', 'bio: String', 'bio: String @deprecated(reason: "Going away.")');
    const verdict = await checkSchemaChange(deprecated, editType(released, 'User', /\n\s+"""A short text about the user, if they wrote one."""\n\s+bio: String/, ''));
    expect(verdict.breaking).toEqual([expect.objectContaining({ type: 'FIELD_REMOVED', path: 'User.bio' })]);
    expect(verdict.breaking[0].message).toMatch(/does not name a replacement/);
  });

  it('npm run schema:check passes on the repository as committed', () => {
    const result = spawnSync('npm', ['run', '--silent', 'schema:check'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('schema release', () => {
  let dir: string;
  const files = () => ({ releasedFile: join(dir, 'released', 'api.graphql'), changelogFile: join(dir, 'CHANGELOG.md') });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'aether-release-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('records a first release, then appends each release’s changes to the changelog', async () => {
    expect(await recordRelease({ api: released, label: 'v1', ...files() })).toEqual({ released: true });
    expect(await recordRelease({ api: released, label: 'v1.0.1', ...files() })).toEqual({ released: false });

    const deprecated = editType(released, 'User', 'bio: String', 'bio: String @deprecated(reason: "Use `displayName` instead.")');
    expect(await recordRelease({ api: deprecated, label: 'v2', ...files() })).toEqual({ released: true });
    const removed = editType(deprecated, 'User', /\n\s+"""A short text about the user, if they wrote one."""\n\s+bio: String @deprecated[^\n]*/, '');
    expect(await recordRelease({ api: removed, label: 'v3', ...files() })).toEqual({ released: true });

    const changelog = readFileSync(files().changelogFile, 'utf8');
    expect(changelog).toMatch(/## v1\n\nFirst recorded release\.[\s\S]*## v2\n[\s\S]*User\.bio[\s\S]*## v3\n\n### Removed after deprecation\n- `User\.bio`/);
    expect(readFileSync(files().releasedFile, 'utf8')).not.toMatch(/bio: String @deprecated/);
  });

  it('refuses to release a breaking change and leaves the released schema as it was', async () => {
    await recordRelease({ api: released, label: 'v1', ...files() });
    const before = readFileSync(files().releasedFile, 'utf8');
    const outcome = await recordRelease({ api: editType(released, 'User', 'bio: String', 'bio: Int'), label: 'v2', ...files() });
    expect(outcome.released).toBe(false);
    expect(outcome.refused).toMatch(/FIELD_TYPE_CHANGED User\.bio/);
    expect(readFileSync(files().releasedFile, 'utf8')).toBe(before);
    expect(readFileSync(files().changelogFile, 'utf8')).not.toContain('## v2');
  });
});
