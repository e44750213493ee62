import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const repoRoot = join(__dirname, '..');

// ts-jest runs without diagnostics to keep test start-up fast; one tsc pass over every file
// (sources, tests, bench, scripts) catches the type errors that would otherwise go unseen.
describe('type check', () => {
  it('finds no type error in any TypeScript file of the repository', async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const run = promisify(execFile)(process.execPath, [tsc, '-p', join(repoRoot, 'tsconfig.check.json')], {
      cwd: repoRoot,
      maxBuffer: 16 * 1024 * 1024,
    });
    await expect(run.then(() => '', (e: { stdout?: string }) => e.stdout ?? String(e))).resolves.toBe('');
  }, 120_000);
});
