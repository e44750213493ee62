/**
 * No function outside tests is longer than 80 lines: a function that long does several jobs
 * that want names of their own. Read with the TypeScript compiler API, so methods, arrow
 * functions and function expressions count alike.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '@aether/common';

const MAX_LINES = 80;
const ROOTS = ['gateway/src', 'subgraphs/auth/src', 'subgraphs/messaging/src', 'common/src', 'scripts', 'clients/web/src', 'clients/web/server'];

/**
 * Functions allowed over the limit, each with the reason beside it (none today). The test fails
 * on an entry that is no longer over the limit.
 */
const EXCEPTIONS: string[] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(join(repoRoot, dir)).flatMap((name) => {
    const path = `${dir}/${name}`;
    if (statSync(join(repoRoot, path)).isDirectory()) return ['node_modules', 'dist', 'gql', 'test'].includes(name) ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !/\.(test|d)\.tsx?$/.test(name) ? [path] : [];
  });
}

/** A readable name for a function node: its own, or that of the variable, property or call it sits in. */
function nameOf(node: ts.Node, source: ts.SourceFile): string {
  const named = node as ts.Node & { name?: ts.Node };
  if (named.name) return named.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return `${nameOf(node.parent, source)}.constructor`;
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText(source);
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
  return '(anonymous)';
}

function longFunctions(file: string): { name: string; lines: number }[] {
  const source = ts.createSourceFile(file, readFileSync(join(repoRoot, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { name: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const lines = source.getLineAndCharacterOfPosition(node.getEnd()).line - source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
      if (lines > MAX_LINES) found.push({ name: nameOf(node, source), lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const files = ROOTS.flatMap(sourceFiles);
const over = files.flatMap((file) => longFunctions(file).map((f) => ({ key: `${file}: ${f.name}`, lines: f.lines })));

describe(`functions outside tests are at most ${MAX_LINES} lines`, () => {
  it('reads every source folder', () => {
    for (const root of ROOTS) expect({ root, files: files.some((f) => f.startsWith(`${root}/`)) }).toEqual({ root, files: true });
  });

  it('finds a long function when there is one', () => {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  const v${i} = ${i};`).join('\n');
    const source = ts.createSourceFile('x.ts', `const f = () => {\n${body}\n};`, ts.ScriptTarget.Latest, true);
    let longest = 0;
    const visit = (node: ts.Node) => {
      if (ts.isArrowFunction(node)) longest = source.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
      ts.forEachChild(node, visit);
    };
    visit(source);
    expect(longest).toBeGreaterThan(MAX_LINES);
  });

  it('has none over the limit but the listed exceptions', () => {
    expect(over.filter((f) => !EXCEPTIONS.includes(f.key))).toEqual([]);
  });

  it('lists no exception that is no longer over the limit', () => {
    expect(EXCEPTIONS.filter((key) => !over.some((f) => f.key === key))).toEqual([]);
  });
});
