/**
 * One list of error codes and one contract doc: every code the services can send and every
 * close code the gateway's graphql-ws endpoint uses is documented in docs/api-contract.md, and no
 * code outside common/src/errors.ts spells an error code as a string.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { ErrorCode, PersistedOperationCode, repoRoot } from '@aether/common';
import { CloseCodes } from '../../gateway/src/subscriptions/close-codes';

const contract = readFileSync(join(repoRoot, 'docs', 'api-contract.md'), 'utf8');
const section = (title: string) => contract.split(/^## /m).find((s) => s.startsWith(title)) ?? '';
const ALL_CODES = [...new Set([...Object.values(ErrorCode), ...Object.values(PersistedOperationCode), ...Object.values(ApolloServerErrorCode)])];

/** Source folders of the services, the shared package and the scripts (tests excluded). */
const SOURCE_ROOTS = ['gateway/src', 'subgraphs/auth/src', 'subgraphs/messaging/src', 'common/src', 'scripts'];
/**
 * `clients/web` is not scanned: the browser bundle cannot import common/src/errors.ts (it pulls in
 * Node modules) and reads codes as a consumer of the contract.
 */

export function sourceFiles(root: string): string[] {
  return readdirSync(join(repoRoot, root)).flatMap((name) => {
    const path = join(root, name);
    if (statSync(join(repoRoot, path)).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.(test|d)\.tsx?$/.test(name) ? [path] : [];
  });
}

describe('docs/api-contract.md', () => {
  it.each(ALL_CODES)('documents the error code %s in the error table', (code) => {
    expect(section('Error codes')).toMatch(new RegExp(`^\\| \`${code}\` \\|`, 'm'));
  });

  it.each(Object.entries(CloseCodes))('documents the close code %s (%d)', (name, code) => {
    expect(section('WebSocket close codes')).toMatch(new RegExp(`^\\| ${code} \\| \`${name}\` \\|`, 'm'));
  });

  it('is linked from the README', () => {
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain('(docs/api-contract.md)');
  });
});

describe('error codes are spelled once', () => {
  const files = SOURCE_ROOTS.flatMap(sourceFiles).filter((f) => f !== join('common', 'src', 'errors.ts'));

  it('scans the source folders', () => expect(files.length).toBeGreaterThan(50));

  it('no source file outside common/src/errors.ts spells a code as a string literal', () => {
    const found: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(repoRoot, file), 'utf8');
      for (const code of ALL_CODES) if (new RegExp(`['"\`]${code}['"\`]`).test(text)) found.push(`${file}: ${code}`);
    }
    expect(found).toEqual([]);
  });

  it('no code comment cites the API.md that is not in the repository', () => {
    const citing = files.filter((file) => /\bAPI\.md\b/.test(readFileSync(join(repoRoot, file), 'utf8')));
    expect(citing).toEqual([]);
  });
});
