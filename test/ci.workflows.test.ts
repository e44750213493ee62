/**
 * The GitHub Actions workflows, checked without GitHub: actionlint (rhysd/actionlint built to
 * WebAssembly, from npm) over every file in .github/workflows, and the CI workflow against what
 * it must run — .ci/run, every service's image, the schema check.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';

const ROOT = join(__dirname, '..');
const WORKFLOWS = join(ROOT, '.github', 'workflows');
const ACTIONLINT = join(ROOT, 'node_modules', '@tktco', 'node-actionlint', 'bin', 'node-actionlint.js');

function actionlint(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [ACTIONLINT, './.github/workflows/*.{yml,yaml}'], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('GitHub Actions workflows', () => {
  it('pass actionlint', () => {
    const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
    expect(files.length).toBeGreaterThan(0);
    const { status, output } = actionlint(ROOT);
    expect(output).toContain(`Checking ${files.length} workflow file(s)`);
    expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('passed') });
  });

  it('a workflow with a mistake fails the lint, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aether-actionlint-'));
    try {
      mkdirSync(join(dir, '.github', 'workflows'), { recursive: true });
      writeFileSync(
        join(dir, '.github', 'workflows', 'broken.yml'),
        ['on: push', 'jobs:', '  test:', '    runs-on: ubuntu-24.04', '    needs: [build]', '    steps:', '      - run: echo hi', ''].join('\n'),
      );
      const { status, output } = actionlint(dir);
      expect(status).toBe(1);
      expect(output).toMatch(/job "test" needs job "build" which does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('CI runs .ci/run with PostgreSQL and Redis, builds every image and checks the schema, on pull requests and main', () => {
    const ci = parseYaml(readFileSync(join(WORKFLOWS, 'ci.yml'), 'utf8'));
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['pull_request', 'push']));
    expect(ci.on.push.branches).toContain('main');
    const jobs = Object.values(ci.jobs) as { services?: Record<string, { image: string }>; steps: { run?: string }[]; strategy?: { matrix: Record<string, string[]> } }[];
    const runs = (job: (typeof jobs)[number]) => job.steps.map((s) => s.run ?? '').join('\n');

    const test = jobs.find((job) => /\.ci\/run\b/.test(runs(job)));
    expect(test).toBeDefined();
    expect(Object.values(test!.services ?? {}).map((s) => s.image.split(':')[0]).sort()).toEqual(['postgres', 'redis']);

    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    const imageScripts = Object.keys(scripts).filter((name) => /^docker:build:/.test(name));
    expect(imageScripts.sort()).toEqual(['docker:build:auth', 'docker:build:gateway', 'docker:build:messaging']);
    const images = jobs.find((job) => /npm run docker:build:\$\{\{ matrix\.service \}\}/.test(runs(job)));
    expect(images?.strategy?.matrix.service.map((s) => `docker:build:${s}`).sort()).toEqual(imageScripts.sort());

    expect(jobs.some((job) => /npm run compose -- --check/.test(runs(job)))).toBe(true);
  });
});
