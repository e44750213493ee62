/**
 * The README's layout section matches the tree: every path it names exists, every npm workspace
 * and every tracked top-level entry has its row.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@aether/common';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const layout = readme.split(/^## /m).find((s) => s.startsWith('Layout\n')) ?? '';
/** The first cell of each table row: the path the row describes. */
const rows = [...layout.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1].replace(/\/$/, ''));
const workspaces: string[] = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).workspaces;
const tracked = [
  ...new Set(
    execFileSync('git', ['ls-files'], { cwd: repoRoot, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((path) => path.split('/')[0]),
  ),
];

describe('README layout section', () => {
  it('has rows', () => expect(rows.length).toBeGreaterThan(10));

  it.each(rows)('names %s, which exists', (path) => {
    expect(existsSync(join(repoRoot, path))).toBe(true);
  });

  it.each(workspaces)('describes the workspace %s', (workspace) => {
    expect(rows).toContain(workspace);
  });

  it('describes every tracked top-level entry', () => {
    const described = new Set(rows.map((row) => row.split('/')[0]));
    expect(tracked.filter((entry) => !described.has(entry))).toEqual([]);
  });

  it('names only paths that git tracks at the top level (no stale rows)', () => {
    expect(rows.map((row) => row.split('/')[0]).filter((entry) => !tracked.includes(entry))).toEqual([]);
  });
});
