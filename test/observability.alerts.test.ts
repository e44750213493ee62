import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { gql, registerUser, startStack, type Stack } from './harness';

const ROOT = join(__dirname, '..');
const RULES = 'infrastructure/prometheus/alerts.yml';
const RULE_TESTS = 'infrastructure/prometheus/alerts.test.yml';
const DASHBOARDS = 'infrastructure/grafana/dashboards';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
}

const rules = (): Rule[] =>
  (parseYaml(readFileSync(join(ROOT, RULES), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap((g) => g.rules);

/** Every PromQL expression of every dashboard panel. */
function dashboardExpressions(): { where: string; expr: string }[] {
  return readdirSync(join(ROOT, DASHBOARDS))
    .filter((f) => f.endsWith('.json'))
    .flatMap((file) => {
      const dashboard = JSON.parse(readFileSync(join(ROOT, DASHBOARDS, file), 'utf8')) as {
        panels: { title: string; targets?: { expr?: string }[] }[];
      };
      return dashboard.panels.flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr ? [{ where: `${file}: ${p.title}`, expr: t.expr }] : [])));
    });
}

const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression reads: identifiers that are not functions (followed by
 * `(`), keywords, label names inside `{...}` or `by (...)`, or Grafana's `$__` variables.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '')
    .replace(/\$__\w+/g, '')
    .replace(/\[[^\]]*\]/g, '');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = stripped.slice(match.index! + name.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(name.toLowerCase())) continue;
    // The exponent of a number (1e-9) is not a name.
    if (/[0-9.]/.test(stripped[match.index! - 1] ?? '')) continue;
    names.add(name);
  }
  return [...names];
}

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool is needed for the alert tests (Debian/Ubuntu: apt-get install prometheus): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('alerting rules', () => {
  it('are valid Prometheus rules (promtool check rules)', () => {
    const run = promtool('check', 'rules', RULES);
    expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('fire and stay quiet as their unit tests expect (promtool test rules)', () => {
    const run = promtool('test', 'rules', RULE_TESTS);
    expect({ status: run.status, output: run.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('each have a unit test that makes them fire', () => {
    const tests = parseYaml(readFileSync(join(ROOT, RULE_TESTS), 'utf8')) as {
      tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
    };
    const firing = new Set(tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length).map((a) => a.alertname)));
    const alerts = rules().flatMap((r) => (r.alert ? [r.alert] : []));
    expect(alerts.length).toBeGreaterThanOrEqual(7);
    expect(alerts.filter((a) => !firing.has(a))).toEqual([]);
  });

  it('reads metric names the way the check below does', () => {
    expect(
      metricNames('sum by (instance) (aether_websockets_open{service="gateway"}) / on (instance) max by (instance) (process_max_fds{x="a(b)"}) > 0.8'),
    ).toEqual(['aether_websockets_open', 'process_max_fds']);
    expect(metricNames('a_total / clamp_min(b_total, 1e-9) > 0.05')).toEqual(['a_total', 'b_total']);
    expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(x_bucket{a="1"}[$__rate_interval])))')).toEqual(['x_bucket']);
  });
});

describe('metrics the rules and the dashboard read', () => {
  let stack: Stack;
  let exported: Set<string>;

  beforeAll(async () => {
    stack = await startStack({ redis: true });
    // Some traffic, so that every service has answered GraphQL and a login has failed once.
    const user = await registerUser(stack);
    // Two logins in one operation, aliased: each counts by what its client was told.
    await gql(
      stack.gatewayUrl,
      `mutation($u: String!, $p: String!) { wrong: login(input: { login: $u, password: "wrong password" }) { accessToken } right: login(input: { login: $u, password: $p }) { accessToken } }`,
      { u: user.username, p: user.password },
    );
    const scrapes = await Promise.all(
      [stack.gatewayUrl, stack.authUrl, stack.messagingUrl].map(async (url) => (await fetch(url.replace('/graphql', '/metrics'))).text()),
    );
    exported = new Set(scrapes.flatMap((text) => [...text.matchAll(/^# TYPE (\S+) (\w+)$/gm)].flatMap(([, name, type]) => {
      // A histogram or summary is read through its series' suffixes.
      if (type === 'histogram') return [name, `${name}_bucket`, `${name}_sum`, `${name}_count`];
      if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
      return [name];
    })));
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('are all exported by the running services', () => {
    const recorded = new Set(rules().flatMap((r) => (r.record ? [r.record] : [])));
    const used = [
      ...rules().map((r) => ({ where: `${RULES}: ${r.alert ?? r.record}`, expr: r.expr })),
      ...dashboardExpressions(),
    ].flatMap(({ where, expr }) => metricNames(expr).filter((name) => !recorded.has(name)).map((name) => ({ where, name })));
    expect(used.length).toBeGreaterThan(20);
    expect(used.filter(({ name }) => !exported.has(name))).toEqual([]);
  });

  it('count logins by outcome for the login failure alert, aliases included', async () => {
    const scrape = await fetch(stack.authUrl.replace('/graphql', '/metrics')).then((r) => r.text());
    expect(scrape).toMatch(/^aether_login_attempts_total\{outcome="failed",service="auth"\} 1$/m);
    expect(scrape).toMatch(/^aether_login_attempts_total\{outcome="ok",service="auth"\} 1$/m);
  });
});
