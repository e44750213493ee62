/**
 * The web client's operations against the current API schema: every operation it sends is valid
 * in `schema/api.graphql`, the committed generated types match it, and the client type-checks
 * with them, so a schema change that breaks the client fails here, not in a browser.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@aether/common';

const WEB = join(repoRoot, 'clients', 'web');
const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
const run = (command: string, args: string[], cwd = WEB) => spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 120_000 });

describe('web client operations', () => {
  it('are valid against schema/api.graphql, and the committed generated types are current', () => {
    const result = run(bin('graphql-codegen'), ['--config', 'codegen.ts', '--check']);
    expect(result.stdout + result.stderr).not.toMatch(/stale files|error/i);
    expect(result.status).toBe(0);
  }, 120_000);

  it('type-check with the generated types', () => {
    const result = run(bin('tsc'), ['-p', 'tsconfig.json']);
    expect(result.stdout).toBe('');
    expect(result.status).toBe(0);
  }, 120_000);

  it('would fail the check if the schema lost a field an operation selects', () => {
    // Inside the workspace, so the codegen preset resolves from its node_modules as in the real check.
    const dir = mkdtempSync(join(WEB, '.codegen-probe-'));
    try {
      writeFileSync(
        join(dir, 'codegen.ts'),
        `export default { schema: ${JSON.stringify(join(repoRoot, 'schema', 'api.graphql'))}, documents: ['op.graphql'],
          generates: { 'out/': { preset: 'client' } } };`,
      );
      const check = (document: string) => {
        writeFileSync(join(dir, 'op.graphql'), document);
        return run(bin('graphql-codegen'), ['--config', 'codegen.ts'], dir);
      };
      expect(check('query Fine { myRooms { id name } }').status).toBe(0);
      const broken = check('query Broken { myRooms { id nameThatDoesNotExist } }');
      expect(broken.status).not.toBe(0);
      expect(broken.stdout + broken.stderr).toMatch(/nameThatDoesNotExist|errors occurred/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
