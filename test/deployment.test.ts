/**
 * Deployment files, checked without a Docker engine or a cluster: the Dockerfiles, the compose
 * stack, the Kubernetes manifests and the Helm chart against what the services really read —
 * their zod config schemas (imported, so a variable added to a schema is checked at once), their
 * config loaders in production mode, and the files they read at run time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, relative } from 'node:path';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { AUTH_PROTO_PATH, ConfigError, repoRoot } from '@aether/common';
import { authConfigSchema, loadAuthConfig } from '../subgraphs/auth/src/config';
import { AUTH_SCHEMA_PATH } from '../subgraphs/auth/src/server';
import { loadSigningKeys } from '../subgraphs/auth/src/tokens';
import { loadMessagingConfig, messagingConfigSchema } from '../subgraphs/messaging/src/config';
import { MESSAGING_SCHEMA_PATH } from '../subgraphs/messaging/src/server';
import { gatewayConfigSchema, loadGatewayConfig } from '../gateway/src/config';
import { SUBGRAPH_URL_VARIABLE } from '../gateway/src/subgraphs';
import { renderChart, TemplateError } from './helm-template';

type Env = Record<string, string>;
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface ServiceSpec {
  name: 'auth' | 'messaging' | 'gateway';
  dir: string;
  keys: string[];
  /** Variables read by name pattern rather than listed in the schema (the gateway's `SUBGRAPH_<NAME>_URL`). */
  pattern?: RegExp;
  load(env: Env): unknown;
  /** Files the compiled service reads at run time besides its dist/ and its dependencies. */
  runtimeFiles: string[];
}

const fromRoot = (path: string) => relative(repoRoot, path).split('\\').join('/');

const SERVICES: ServiceSpec[] = [
  {
    name: 'auth',
    dir: 'subgraphs/auth',
    keys: Object.keys(authConfigSchema.shape),
    load: loadAuthConfig,
    runtimeFiles: [fromRoot(AUTH_SCHEMA_PATH), fromRoot(AUTH_PROTO_PATH)],
  },
  {
    name: 'messaging',
    dir: 'subgraphs/messaging',
    keys: Object.keys(messagingConfigSchema.shape),
    load: loadMessagingConfig,
    runtimeFiles: [fromRoot(MESSAGING_SCHEMA_PATH), fromRoot(AUTH_PROTO_PATH)],
  },
  {
    name: 'gateway',
    dir: 'gateway',
    keys: Object.keys(gatewayConfigSchema.shape),
    pattern: SUBGRAPH_URL_VARIABLE,
    load: loadGatewayConfig,
    runtimeFiles: [fromRoot(gatewayConfigSchema.parse({}).SUPERGRAPH_PATH), fromRoot(AUTH_PROTO_PATH)],
  },
];
const service = (name: string) => {
  const spec = SERVICES.find((s) => s.name === name);
  if (!spec) throw new Error(`no service ${name}`);
  return spec;
};

const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');
const yamlFile = (path: string): Obj => parseYaml(read(path), { strict: true, uniqueKeys: true }) as Obj;
function yamlDocuments(text: string, where: string): Obj[] {
  return parseAllDocuments(text, { strict: true, uniqueKeys: true })
    .map((doc) => {
      if (doc.errors.length) throw new Error(`${where}: ${doc.errors[0].message}`);
      return doc.toJS() as Obj;
    })
    .filter((doc) => doc !== null && doc !== undefined);
}

/** Variables whose absence makes a loader refuse a production config that otherwise passes. */
function requiredInProduction(spec: ServiceSpec, validEnv: Env): string[] {
  spec.load(validEnv);
  return Object.keys(validEnv).filter((key) => {
    if (key === 'NODE_ENV') return false;
    const { [key]: _removed, ...rest } = validEnv;
    try {
      spec.load(rest);
      return false;
    } catch (error) {
      if (error instanceof ConfigError && key in error.variables) return true;
      throw error;
    }
  });
}

/** Checks one service's environment as some deployment file gives it. */
function checkServiceEnv(spec: ServiceSpec, env: Env, where: string, required: string[]): void {
  const unknown = Object.keys(env).filter((key) => !spec.keys.includes(key) && !spec.pattern?.test(key));
  expect({ where, unknown }).toEqual({ where, unknown: [] });
  expect({ where, NODE_ENV: env.NODE_ENV }).toEqual({ where, NODE_ENV: 'production' });
  const missing = required.filter((key) => !(key in env));
  expect({ where, missing }).toEqual({ where, missing: [] });
  try {
    spec.load(env);
  } catch (error) {
    throw new Error(`${where}: ${spec.name} refuses this environment: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// .env.example and compose

function parseDotenv(text: string): Env {
  const env: Env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let value = m[2];
    if (/^'.*'$/.test(value)) value = value.slice(1, -1);
    else if (/^".*"$/.test(value)) value = value.slice(1, -1).replace(/\\n/g, '\n');
    env[m[1]] = value;
  }
  return env;
}

const INTERPOLATION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

/** Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} and $$, against a .env. */
function interpolate(text: string, env: Env, where: string): string {
  return text
    .replace(/\$\$/g, '\u0000')
    .replace(INTERPOLATION, (_all, name: string, op: string | undefined, arg: string | undefined) => {
      const value = env[name];
      const empty = value === undefined || (op?.startsWith(':') && value === '');
      if (op?.endsWith('-')) return empty ? (arg ?? '') : value!;
      if (op?.endsWith('?') && empty) throw new Error(`${where}: \${${name}} is required: ${arg}`);
      return value ?? '';
    })
    .replace(/\u0000/g, '$');
}

function composeVariables(text: string): { name: string; hasDefault: boolean }[] {
  return [...text.matchAll(INTERPOLATION)].map((m) => ({ name: m[1], hasDefault: (m[2] ?? '').endsWith('-') }));
}

/** A compose service's environment as a map, from either of compose's two forms. */
function composeEnvironment(svc: Obj): Env {
  const env: Env = {};
  const environment = svc.environment ?? {};
  if (Array.isArray(environment)) {
    for (const entry of environment as string[]) {
      const [key, ...value] = entry.split('=');
      env[key] = value.join('=');
    }
  } else for (const [key, value] of Object.entries(environment)) env[key] = value === null ? '' : String(value);
  // Compose passes empty values through; the services treat them as unset.
  for (const [key, value] of Object.entries(env)) if (value === '') delete env[key];
  return env;
}

/** host and port of a URL or host:port value. */
function endpoint(value: string): { host: string; port: string } {
  const url = new URL(value.includes('://') ? value : `tcp://${value}`);
  const defaults: Record<string, string> = { 'postgres:': '5432', 'mongodb:': '27017', 'redis:': '6379', 'http:': '80' };
  return { host: url.hostname, port: url.port || defaults[url.protocol] || '' };
}

// ---------------------------------------------------------------------------------------------
// Dockerfiles: a small model of stages, COPY and the RUN steps we use, to know what the final
// image holds and where each file came from.

interface Instruction { op: string; args: string; flags: Record<string, string>; words: string[]; workdir: string }
interface Stage { name: string; base: string; instructions: Instruction[] }

/** `buildArgs` override the defaults of the ARGs declared before the first stage, as `--build-arg` does. */
function parseDockerfile(text: string, buildArgs: Record<string, string> = {}): Stage[] {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  let workdir = '/';
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  for (const line of lines) {
    const op = line.split(/\s+/, 1)[0].toUpperCase();
    const rest = line.slice(op.length).trim();
    const expand = (s: string) => s.replace(/\$\{(\w+)\}|\$(\w+)/g, (_a, x, y) => args[x ?? y] ?? '');
    const words = expand(rest).split(/\s+/);
    const flags: Record<string, string> = {};
    while (words[0]?.startsWith('--')) {
      const [flag, value] = words.shift()!.slice(2).split('=');
      flags[flag] = value ?? 'true';
    }
    if (op === 'ARG' && !stages.length) {
      const [key, value] = rest.split('=');
      args[key] = buildArgs[key] ?? value ?? '';
      continue;
    }
    if (op === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!m) throw new Error(`bad FROM ${rest}`);
      stages.push({ name: m[2] ?? String(stages.length), base: expand(m[1]), instructions: [] });
      workdir = '/';
      continue;
    }
    if (!stages.length) throw new Error(`${op} before FROM`);
    if (op === 'WORKDIR') workdir = posix.resolve(workdir, expand(rest));
    stages.at(-1)!.instructions.push({ op, args: expand(rest), flags, words, workdir });
  }
  return stages;
}

function dockerignoreMatcher(): (path: string) => boolean {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((p) => {
      const negated = p.startsWith('!');
      const body = (negated ? p.slice(1) : p).replace(/^\/+|\/+$/g, '');
      const source = body
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*\*\/?/g, '\u0000')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]')
        .replace(/\u0000/g, '(?:.*/)?');
      return { negated, re: new RegExp(`^${source}$`) };
    });
  // A path is excluded when it or a folder above it matches (the last matching pattern wins).
  return (path) => {
    const parts = path.replace(/^\.?\/+|\/+$/g, '').split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      let excluded = false;
      for (const { negated, re } of patterns) if (re.test(prefix)) excluded = !negated;
      if (excluded) return true;
    }
    return false;
  };
}

interface Origin { from: 'context' | 'npm ci' | 'tsc -b'; path: string }

class ImageModel {
  private readonly ignored = dockerignoreMatcher();
  constructor(
    readonly file: string,
    readonly stages: Stage[],
  ) {}

  get final(): Stage {
    return this.stages.at(-1)!;
  }

  stage(name: string): Stage {
    const stage = this.stages.find((s) => s.name === name);
    if (!stage) throw new Error(`${this.file}: no stage ${name}`);
    return stage;
  }

  /** Where `path` in `stage` comes from, or why it is not there. */
  resolve(stage: Stage, path: string): Origin | string {
    const instructions = stage.instructions;
    for (let i = instructions.length - 1; i >= 0; i--) {
      const ins = instructions[i];
      if (ins.op === 'COPY') {
        const sources = ins.words.slice(0, -1);
        const destination = ins.words.at(-1)!;
        const destAbs = posix.resolve(ins.workdir, destination);
        for (const source of sources) {
          const fromStage = ins.flags.from;
          const isDir = fromStage ? true : existsSync(join(repoRoot, source)) && statSync(join(repoRoot, source)).isDirectory();
          const target = isDir || !(destination.endsWith('/') || sources.length > 1) ? destAbs : posix.join(destAbs, posix.basename(source));
          if (path !== target && !path.startsWith(`${target}/`)) continue;
          const rest = path.slice(target.length);
          if (fromStage) return this.resolve(this.stage(fromStage), posix.join(posix.resolve('/', source), rest));
          const contextPath = posix.normalize(posix.join(source, rest)).replace(/\/$/, '');
          if (this.ignored(contextPath)) return `${contextPath} is excluded by .dockerignore`;
          if (!existsSync(join(repoRoot, contextPath))) return `${contextPath} does not exist in the build context`;
          return { from: 'context', path: contextPath };
        }
      } else if (ins.op === 'RUN') {
        const produced = this.producedBy(stage, ins, path);
        if (produced) return produced;
      }
    }
    return `${path} is not in stage ${stage.name}`;
  }

  private producedBy(stage: Stage, ins: Instruction, path: string): Origin | string | undefined {
    const here = (p: string) => posix.resolve(ins.workdir, p);
    if (/\bnpm ci\b/.test(ins.args) && path.startsWith(`${here('node_modules')}/`)) {
      // npm ci needs the lockfile and every workspace's package.json.
      const root = JSON.parse(read('package.json')) as { workspaces: string[] };
      for (const needed of ['package.json', 'package-lock.json', ...root.workspaces.map((w) => `${w}/package.json`)]) {
        const origin = this.resolve(this.stageBefore(stage, ins), here(needed));
        if (typeof origin === 'string') return `npm ci in ${stage.name}: ${origin}`;
      }
      return { from: 'npm ci', path };
    }
    const m = /\btsc -b (\S+)/.exec(ins.args);
    const dist = /^(.*)\/dist\/(.*)\.js$/.exec(path);
    if (m && dist) {
      const source = `${dist[1]}/src/${dist[2]}.ts`;
      for (const needed of [source, `${dist[1]}/tsconfig.json`, here('tsconfig.base.json')]) {
        const origin = this.resolve(this.stageBefore(stage, ins), needed);
        if (typeof origin === 'string') return `tsc -b in ${stage.name}: ${origin}`;
      }
      return { from: 'tsc -b', path };
    }
    return undefined;
  }

  private stageBefore(stage: Stage, ins: Instruction): Stage {
    return { ...stage, instructions: stage.instructions.slice(0, stage.instructions.indexOf(ins)) };
  }
}

/** One Dockerfile for every service; `npm run docker:build:<service>` chooses the service with build arguments. */
const DOCKERFILE = 'Dockerfile';
const dockerfileOf = (_spec: ServiceSpec) => DOCKERFILE;
/** The `--build-arg`s of a service's `docker:build:<service>` script. */
function buildArgsOf(spec: ServiceSpec): Record<string, string> {
  const script = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts[`docker:build:${spec.name}`] ?? '';
  return Object.fromEntries([...script.matchAll(/--build-arg (\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}
const imageOf = (spec: ServiceSpec) => new ImageModel(`${DOCKERFILE} (${spec.name})`, parseDockerfile(read(DOCKERFILE), buildArgsOf(spec)));

// ---------------------------------------------------------------------------------------------
// Kubernetes

const K8S_DIR = 'infrastructure/k8s';
const CHART_DIR = join(repoRoot, 'infrastructure/helm/aetherconnect');
const KNOWN_KINDS: Record<string, string> = {
  Namespace: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  PodDisruptionBudget: 'policy/v1',
};

function kustomizeResources(): Obj[] {
  const kustomization = yamlFile(`${K8S_DIR}/kustomization.yaml`);
  return (kustomization.resources as string[]).flatMap((file) =>
    yamlDocuments(read(`${K8S_DIR}/${file}`), file).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: kustomization.namespace } })),
  );
}

const secretTemplate = (): Obj => yamlFile(`${K8S_DIR}/secret.template.yaml`);
const byKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);
const find = (objects: Obj[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name);
const serviceOfDeployment = (deployment: Obj) => service(deployment.spec.template.spec.containers[0].name);

/** The environment a Deployment's container gets, with the Secret's values filled in. */
function deploymentEnv(deployment: Obj, objects: Obj[], secret: Obj): Env {
  const container = deployment.spec.template.spec.containers[0];
  const where = `Deployment ${deployment.metadata.name}`;
  const env: Env = {};
  const secretData = (name: string): Env => {
    expect({ where, secret: name }).toEqual({ where, secret: secret.metadata.name });
    return secret.stringData as Env;
  };
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const map = find(objects, 'ConfigMap', source.configMapRef.name);
      if (!map) throw new Error(`${where}: no ConfigMap ${source.configMapRef.name}`);
      Object.assign(env, map.data);
    } else if (source.secretRef) Object.assign(env, secretData(source.secretRef.name));
  }
  for (const entry of container.env ?? []) {
    if ('value' in entry) env[entry.name] = String(entry.value);
    else if (entry.valueFrom?.secretKeyRef) {
      const { name, key } = entry.valueFrom.secretKeyRef;
      const data = secretData(name);
      if (!(key in data)) throw new Error(`${where}: the Secret ${name} has no key ${key}`);
      env[entry.name] = data[key];
    } else if (entry.valueFrom?.configMapKeyRef) {
      const { name, key } = entry.valueFrom.configMapKeyRef;
      const value = find(objects, 'ConfigMap', name)?.data?.[key];
      if (value === undefined) throw new Error(`${where}: no ConfigMap key ${name}/${key}`);
      env[entry.name] = value;
    } else throw new Error(`${where}: unsupported env source for ${entry.name}`);
  }
  return env;
}

/** Every check one set of Kubernetes objects (the manifests, or the chart rendered) must pass. */
function checkKubernetesObjects(objects: Obj[], where: string, secret: Obj, required: Record<string, string[]>): void {
  for (const o of objects) {
    expect({ where, kind: o.kind, apiVersion: o.apiVersion }).toEqual({ where, kind: o.kind, apiVersion: KNOWN_KINDS[o.kind] });
    expect(typeof o.metadata?.name).toBe('string');
  }
  const deployments = byKind(objects, 'Deployment');
  expect(deployments.map((d) => serviceOfDeployment(d).name).sort()).toEqual(['auth', 'gateway', 'messaging']);
  for (const deployment of deployments) {
    const name = `${where} Deployment ${deployment.metadata.name}`;
    const spec = serviceOfDeployment(deployment);
    const pod = deployment.spec.template.spec;
    expect({ name, selectorMatchesPod: Object.entries(deployment.spec.selector.matchLabels).every(([k, v]) => pod && deployment.spec.template.metadata.labels[k] === v) }).toEqual({ name, selectorMatchesPod: true });
    expect({ name, runAsNonRoot: pod.securityContext?.runAsNonRoot }).toEqual({ name, runAsNonRoot: true });
    expect(pod.containers).toHaveLength(1);
    const container = pod.containers[0];
    const env = deploymentEnv(deployment, objects, secret);
    checkServiceEnv(spec, env, name, required[spec.name]);

    // Probes reach the port the service really listens on.
    const portVar = `${spec.name.toUpperCase()}_PORT`;
    const listening = Number(env[portVar] ?? (spec.load(env) as Record<string, number>)[portVar]);
    const ports = container.ports as { name: string; containerPort: number }[];
    for (const [probe, path] of [['livenessProbe', '/health'], ['readinessProbe', '/ready']] as const) {
      const get = container[probe]?.httpGet;
      expect({ name, probe, path: get?.path }).toEqual({ name, probe, path });
      const port = typeof get.port === 'number' ? get.port : ports.find((p) => p.name === get.port)?.containerPort;
      expect({ name, probe, port }).toEqual({ name, probe, port: listening });
    }
    for (const bound of ['requests', 'limits']) {
      expect({ name, bound, cpu: !!container.resources?.[bound]?.cpu, memory: !!container.resources?.[bound]?.memory }).toEqual({ name, bound, cpu: true, memory: true });
    }
    // The service's own shutdown takes at most 15 s (runService in common/src/main.ts), after preStop.
    const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
    expect({ name, preStop: preStop?.[0] }).toEqual({ name, preStop: 'sleep' });
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    expect({ name, graceCoversShutdown: grace >= Number(preStop![1]) + 15 }).toEqual({ name, graceCoversShutdown: true });
  }

  // Services select pods of a Deployment and point at ports they declare.
  for (const svc of byKind(objects, 'Service')) {
    const target = deployments.find((d) => Object.entries(svc.spec.selector).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
    expect({ service: svc.metadata.name, selects: target?.metadata.name }).toEqual({ service: svc.metadata.name, selects: svc.metadata.name });
    const declared = (target!.spec.template.spec.containers[0].ports as { name: string }[]).map((p) => p.name);
    for (const port of svc.spec.ports) expect(declared).toContain(port.targetPort);
  }
  // The gateway is reached by its Service name; so are the subgraphs, from the gateway's config.
  const gatewayEnv = deploymentEnv(find(objects, 'Deployment', 'aetherconnect-gateway')!, objects, secret);
  for (const [variable, target] of [['SUBGRAPH_AUTH_URL', 'auth'], ['SUBGRAPH_MESSAGING_URL', 'messaging'], ['AUTH_JWKS_URL', 'auth'], ['AUTH_GRPC_URL', 'auth']] as const) {
    const { host, port } = endpoint(gatewayEnv[variable]);
    const svc = find(objects, 'Service', host);
    expect({ where, variable, service: svc?.metadata.name }).toEqual({ where, variable, service: `aetherconnect-${target}` });
    expect({ where, variable, port: svc!.spec.ports.some((p: Obj) => String(p.port) === port) }).toEqual({ where, variable, port: true });
  }

  const hpas = byKind(objects, 'HorizontalPodAutoscaler');
  expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['aetherconnect-gateway', 'aetherconnect-messaging']);
  for (const hpa of hpas) {
    expect(find(objects, 'Deployment', hpa.spec.scaleTargetRef.name)).toBeDefined();
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa.spec.maxReplicas).toBeGreaterThanOrEqual(hpa.spec.minReplicas);
    // A Deployment the HPA scales must not pin its own replica count (each apply would reset it).
    expect(find(objects, 'Deployment', hpa.spec.scaleTargetRef.name)!.spec.replicas).toBeUndefined();
  }
  const pdbs = byKind(objects, 'PodDisruptionBudget');
  expect(pdbs.length).toBeGreaterThan(0);
  for (const pdb of pdbs) {
    const selected = deployments.filter((d) => Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => d.spec.template.metadata.labels[k] === v));
    expect({ pdb: pdb.metadata.name, selects: selected.length }).toEqual({ pdb: pdb.metadata.name, selects: 1 });
  }
}

/** An object with what legitimately differs between kubectl apply -k and helm install taken out. */
function comparable(o: Obj): Obj {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value)
          .filter(([k]) => !['labels', 'matchLabels', 'labelSelector', 'selector', 'namespace', 'annotations'].includes(k))
          .map(([k, v]) => [k, strip(v)]),
      );
    }
    return value;
  };
  return strip(o) as Obj;
}

// ---------------------------------------------------------------------------------------------

const which = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

describe('deployment files', () => {
  let dataDir: string;
  let dotenv: Env;
  let compose: Obj;
  let composeEnv: Record<string, Env>;
  const required: Record<string, string[]> = {};

  beforeAll(() => {
    // Loaders outside production would create development secrets: keep them out of the repo.
    dataDir = mkdtempSync(join(tmpdir(), 'aether-deploy-'));
    process.env.AETHER_DATA_DIR = dataDir;
    dotenv = parseDotenv(execFileSync('sh', [join(repoRoot, 'infrastructure/generate-env.sh')], { encoding: 'utf8' }));
    const text = read('docker-compose.yml');
    parseYaml(text, { strict: true, uniqueKeys: true }); // parses before interpolation, as compose does
    compose = parseYaml(interpolate(text, dotenv, 'docker-compose.yml'), { strict: true, uniqueKeys: true }) as Obj;
    composeEnv = Object.fromEntries(SERVICES.map((s) => [s.name, composeEnvironment(compose.services[s.name])]));
    for (const spec of SERVICES) required[spec.name] = requiredInProduction(spec, composeEnv[spec.name]);
  });

  afterAll(() => {
    delete process.env.AETHER_DATA_DIR;
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('production requirements are derived from the loaders, not listed here', () => {
    for (const spec of SERVICES) expect(required[spec.name]).toEqual(expect.arrayContaining(['GATEWAY_SECRET', 'SERVICE_TOKEN']));
    expect(required.auth).toContain('JWT_PRIVATE_KEY');
    expect(required.gateway).not.toContain('JWT_PRIVATE_KEY');
  });

  describe('Dockerfiles', () => {
    test.each(SERVICES.map((s) => [s.name, s]))('%s: multi-stage, slim Node 24 (the current LTS), non-root, healthcheck, node dist/main.js', (_name, spec) => {
      const image = imageOf(spec);
      expect(image.stages.length).toBeGreaterThanOrEqual(2);
      const final = image.final;
      expect(final.base).toMatch(/^node:24(\.\d+)*(-bookworm)?-slim$/);
      const users = final.instructions.filter((i) => i.op === 'USER');
      expect(users.length).toBeGreaterThan(0);
      expect(users.at(-1)!.args).not.toMatch(/^(root|0)(:.*)?$/);
      const healthcheck = final.instructions.find((i) => i.op === 'HEALTHCHECK');
      expect(healthcheck?.args).toContain('/health');
      // The health check reads the port from the variable the service reads it from.
      expect(healthcheck?.args).toContain('process.env[process.env.HEALTH_PORT_VARIABLE]');
      const envs = final.instructions.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
      expect(envs).toContain(`HEALTH_PORT_VARIABLE=${spec.name.toUpperCase()}_PORT`);
      expect(spec.keys).toContain(`${spec.name.toUpperCase()}_PORT`);
      const cmd = final.instructions.filter((i) => i.op === 'CMD').at(-1)!;
      const [node, script] = JSON.parse(cmd.args) as string[];
      expect(node).toBe('node');
      expect(cmd.workdir).toBe(`/app/${spec.dir}`);
      expect(script).toBe((JSON.parse(read(`${spec.dir}/package.json`)) as { main: string }).main);
      // The build stage compiles with dev dependencies; whatever reaches the final image has none.
      const build = image.stages.find((s) => s.instructions.some((i) => /\btsc -b\b/.test(i.args)));
      expect(build?.instructions.some((i) => /\bnpm ci\b/.test(i.args) && !/--omit=dev/.test(i.args))).toBe(true);
      const copiedStages = new Set(final.instructions.filter((i) => i.op === 'COPY' && i.flags.from).map((i) => i.flags.from));
      for (const stage of [final, ...image.stages.filter((s) => copiedStages.has(s.name))]) {
        for (const ins of stage.instructions.filter((i) => /\bnpm (ci|install)\b/.test(i.args))) {
          if (stage !== build) expect({ stage: stage.name, run: ins.args }).toEqual({ stage: stage.name, run: expect.stringContaining('--omit=dev') });
        }
      }
      expect(final.instructions.some((i) => i.op === 'COPY' && i.flags.from === build!.name && /node_modules/.test(i.args))).toBe(false);
    });

    test.each(SERVICES.map((s) => [s.name, s]))('%s: the final image holds every file the compiled service reads', (_name, spec) => {
      const image = imageOf(spec);
      const pkg = JSON.parse(read(`${spec.dir}/package.json`)) as { main: string; dependencies: Record<string, string> };
      const needed = [`${spec.dir}/package.json`, `${spec.dir}/${pkg.main}`, ...spec.runtimeFiles];
      // Workspace packages it links (@aether/common): their package.json and compiled entry point.
      for (const dependency of Object.keys(pkg.dependencies)) {
        const workspace = SERVICES.map((s) => s.dir).concat('common').find((dir) => JSON.parse(read(`${dir}/package.json`)).name === dependency);
        if (!workspace) continue;
        const manifest = JSON.parse(read(`${workspace}/package.json`)) as { exports: { '.': { default: string } } };
        needed.push(`${workspace}/package.json`, posix.join(workspace, manifest.exports['.'].default), `node_modules/${dependency}`);
      }
      needed.push('node_modules/graphql/package.json');
      for (const file of needed) {
        const origin = image.resolve(image.final, `/app/${file}`);
        expect({ file, origin: typeof origin === 'string' ? origin : 'ok' }).toEqual({ file, origin: 'ok' });
      }
    });

    test('the image model refuses what a real build would miss', () => {
      const spec = service('auth');
      const text = read(dockerfileOf(spec));
      const withoutProto = new ImageModel('x', parseDockerfile(text.replace(/^COPY proto\/ proto\/$/m, ''), buildArgsOf(spec)));
      expect(withoutProto.resolve(withoutProto.final, `/app/${fromRoot(AUTH_PROTO_PATH)}`)).toEqual(expect.stringContaining('not in stage'));
      const unbuilt = new ImageModel('x', parseDockerfile(text.replace(/^RUN npx tsc -b .*$/m, ''), buildArgsOf(spec)));
      // Without its build arguments the recipe builds the gateway, not auth.
      const defaults = new ImageModel('x', parseDockerfile(text));
      expect(typeof defaults.resolve(defaults.final, `/app/${spec.dir}/dist/main.js`)).toBe('string');
      expect(typeof unbuilt.resolve(unbuilt.final, `/app/${spec.dir}/dist/main.js`)).toBe('string');
      expect(typeof imageOf(spec).resolve(imageOf(spec).final, `/app/${spec.dir}/dist/main.js`)).toBe('object');
    });

    test('.dockerignore keeps local state, secrets and build output out of the context', () => {
      const ignored = dockerignoreMatcher();
      for (const path of ['.env', '.git', '.data', 'node_modules', 'common/node_modules', 'gateway/dist', 'common/dist/index.js']) expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: true });
      for (const path of ['package-lock.json', 'proto/auth/v1/auth.proto', 'schema/supergraph.graphql', 'common/src/index.ts']) expect({ path, ignored: ignored(path) }).toEqual({ path, ignored: false });
    });

    test('package.json has a docker:build script per service and one for all', () => {
      const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
      for (const spec of SERVICES) {
        expect(scripts[`docker:build:${spec.name}`]).toMatch(new RegExp(`docker build -f ${dockerfileOf(spec)} .* \\.$`));
        expect(buildArgsOf(spec)).toEqual({ SERVICE_DIR: spec.dir, PORT_VARIABLE: `${spec.name.toUpperCase()}_PORT`, PORT: expect.stringMatching(/^\d+$/) });
      }
      for (const spec of SERVICES) expect(scripts['docker:build']).toContain(`docker:build:${spec.name}`);
    });
  });

  describe('docker-compose.yml', () => {
    // Services in a profile (observability) start only when asked for; the rest is the product.
    const coreServices = () => Object.entries<Obj>(compose.services).filter(([, svc]) => !svc.profiles);

    test('the six services, each with a healthcheck; dependencies wait until healthy', () => {
      expect(coreServices().map(([name]) => name).sort()).toEqual(['auth', 'gateway', 'messaging', 'mongo', 'postgres', 'redis']);
      for (const [name, svc] of coreServices()) {
        const test = svc.healthcheck?.test;
        expect({ name, healthcheck: Array.isArray(test) ? test[0] : typeof test }).toEqual({ name, healthcheck: expect.stringMatching(/^(CMD|CMD-SHELL|string)$/) });
        expect(svc.healthcheck.disable).not.toBe(true);
        for (const [dependency, condition] of Object.entries<Obj>(svc.depends_on ?? {})) {
          expect(compose.services[dependency]).toBeDefined();
          expect({ name, dependency, condition: condition.condition }).toEqual({ name, dependency, condition: 'service_healthy' });
        }
      }
      expect(Object.keys(compose.services.auth.depends_on)).toEqual(expect.arrayContaining(['postgres', 'redis']));
      expect(Object.keys(compose.services.messaging.depends_on)).toEqual(expect.arrayContaining(['mongo', 'redis']));
      expect(Object.keys(compose.services.gateway.depends_on)).toEqual(expect.arrayContaining(['auth', 'messaging']));
    });

    test.each(SERVICES.map((s) => [s.name, s]))('%s: built from its Dockerfile, given only variables its schema reads and all it needs', (_name, spec) => {
      const svc = compose.services[spec.name];
      expect(svc.build.dockerfile).toBe(dockerfileOf(spec));
      expect(svc.build.args).toEqual(buildArgsOf(spec));
      expect(existsSync(join(repoRoot, svc.build.context ?? '.', svc.build.dockerfile))).toBe(true);
      checkServiceEnv(spec, composeEnv[spec.name], `docker-compose ${spec.name}`, required[spec.name]);
    });

    test('auth accepts the generated signing key in the form .env carries it', async () => {
      const keys = await loadSigningKeys(composeEnv.auth.JWT_PRIVATE_KEY);
      expect(keys.jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    });

    test('every address a service is given is a compose service on the port it listens on', () => {
      const listens: Record<string, string[]> = {
        postgres: ['5432'],
        mongo: ['27017'],
        redis: ['6379'],
        auth: [composeEnv.auth.AUTH_PORT ?? '4001', composeEnv.auth.AUTH_GRPC_PORT ?? '50051'],
        messaging: [composeEnv.messaging.MESSAGING_PORT ?? '4002'],
      };
      for (const spec of SERVICES) {
        for (const [key, value] of Object.entries(composeEnv[spec.name])) {
          if (!/_URL$/.test(key)) continue;
          const { host, port } = endpoint(value);
          expect({ key, host: host in listens }).toEqual({ key, host: true });
          expect({ key, port: listens[host].includes(port) }).toEqual({ key, port: true });
        }
      }
      expect(new URL(composeEnv.messaging.MONGO_URL).searchParams.get('replicaSet')).toBe('rs0');
    });

    test('MongoDB runs as a replica set that its healthcheck initiates', () => {
      const mongo = compose.services.mongo;
      const command = ([] as string[]).concat(mongo.command).join(' ');
      const replSet = /--replSet\s+(\S+)/.exec(command)?.[1];
      expect(replSet).toBe(new URL(composeEnv.messaging.MONGO_URL).searchParams.get('replicaSet'));
      expect(([] as string[]).concat(mongo.healthcheck.test).join(' ')).toContain(`rs.initiate({ _id: '${replSet}'`);
    });

    test('the observability profile: collector, Jaeger, Prometheus and Grafana, from files in the repository, UIs on loopback only', () => {
      const profiled = Object.entries<Obj>(compose.services).filter(([, svc]) => svc.profiles);
      expect(profiled.map(([name, svc]) => [name, svc.profiles])).toEqual(
        ['otel-collector', 'jaeger', 'prometheus', 'grafana'].map((name) => [name, ['observability']]),
      );
      for (const [name, svc] of profiled) {
        for (const volume of (svc.volumes ?? []) as string[]) {
          const source = volume.split(':')[0];
          if (source.startsWith('./')) expect({ name, source, exists: existsSync(join(repoRoot, source)) }).toEqual({ name, source, exists: true });
          else expect(Object.keys(compose.volumes)).toContain(source);
        }
        for (const port of (svc.ports ?? []) as string[]) expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/) });
      }
      // The services export only when the operator points them at the collector.
      const raw = parseYaml(read('docker-compose.yml')) as Obj;
      for (const spec of SERVICES) expect(raw.services[spec.name].environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
    });

    test('only the gateway is published, on its listening port; data lives in named volumes', () => {
      for (const [name, svc] of coreServices()) if (name !== 'gateway') expect({ name, ports: svc.ports }).toEqual({ name, ports: undefined });
      const published = (compose.services.gateway.ports as string[]).map((p) => String(p).split(':'));
      expect(published).toEqual([[dotenv.GATEWAY_PUBLISH ?? '4000', composeEnv.gateway.GATEWAY_PORT ?? '4000']]);
      for (const store of ['postgres', 'mongo', 'redis']) {
        const volumes = (compose.services[store].volumes as string[]).map((v) => v.split(':')[0]);
        expect(volumes.length).toBeGreaterThan(0);
        for (const volume of volumes) expect(Object.keys(compose.volumes)).toContain(volume);
      }
    });

    test('.env.example names every variable compose needs, and nothing compose does not use', () => {
      const text = read('docker-compose.yml');
      const example = parseDotenv(read('.env.example'));
      const used = composeVariables(text);
      for (const { name, hasDefault } of used) if (!hasDefault) expect({ name, inEnvExample: name in example }).toEqual({ name, inEnvExample: true });
      for (const name of Object.keys(example)) expect({ name, usedByCompose: used.some((u) => u.name === name) }).toEqual({ name, usedByCompose: true });
      // A setting named like a service variable reaches, under that name, a service that reads it.
      const raw = parseYaml(text) as Obj;
      for (const name of Object.keys(example).filter((n) => SERVICES.some((s) => s.keys.includes(n)))) {
        const readers = SERVICES.filter((s) => s.keys.includes(name) && String(raw.services[s.name].environment?.[name] ?? '').includes(`\${${name}`));
        expect({ name, reaches: readers.length > 0 }).toEqual({ name, reaches: true });
      }
      // Secrets ship empty: a copied .env.example must not start a stack with published secrets.
      for (const key of ['GATEWAY_SECRET', 'SERVICE_TOKEN', 'JWT_PRIVATE_KEY', 'POSTGRES_PASSWORD', 'REDIS_PASSWORD']) expect({ key, value: example[key] }).toEqual({ key, value: '' });
      expect(() => interpolate(text, example, 'docker-compose.yml')).toThrow(/required/);
    });
  });

  describe('Kubernetes manifests', () => {
    test('parse, and pass every check against the services', () => {
      const objects = kustomizeResources();
      const secret = secretTemplate();
      expect(secret.kind).toBe('Secret');
      expect(byKind(objects, 'Secret')).toHaveLength(0); // the template is applied by hand, filled in
      checkKubernetesObjects(objects, 'infrastructure/k8s', secret, required);
      // Only the keys a service needs reach it: the signing key reaches auth alone.
      for (const deployment of byKind(objects, 'Deployment')) {
        const env = deploymentEnv(deployment, objects, secret);
        expect({ name: deployment.metadata.name, jwt: 'JWT_PRIVATE_KEY' in env }).toEqual({ name: deployment.metadata.name, jwt: serviceOfDeployment(deployment).name === 'auth' });
      }
      // The gateway holds WebSockets: it drains before it stops.
      const gateway = find(objects, 'Deployment', 'aetherconnect-gateway')!.spec.template.spec;
      expect(Number(gateway.containers[0].lifecycle.preStop.exec.command[1])).toBeGreaterThanOrEqual(5);
    });

    test('every manifest file in the folder is either applied by the kustomization or the Secret template', () => {
      const kustomization = yamlFile(`${K8S_DIR}/kustomization.yaml`);
      const files = require('node:fs').readdirSync(join(repoRoot, K8S_DIR)) as string[];
      expect(files.filter((f) => f.endsWith('.yaml')).sort()).toEqual([...kustomization.resources, 'kustomization.yaml', 'secret.template.yaml'].sort());
    });

    test('the checks catch a broken manifest', () => {
      const objects = kustomizeResources();
      const broken = structuredClone(objects);
      delete find(broken, 'Deployment', 'aetherconnect-messaging')!.spec.template.spec.containers[0].readinessProbe;
      expect(() => checkKubernetesObjects(broken, 'broken', secretTemplate(), required)).toThrow();
      const unknownVar = structuredClone(objects);
      find(unknownVar, 'ConfigMap', 'aetherconnect-auth')!.data.SUBGRAPH_AUTH_URL = 'http://x/graphql';
      expect(() => checkKubernetesObjects(unknownVar, 'unknown variable', secretTemplate(), required)).toThrow();
    });

    (which('kubectl') ? test : test.skip)('kubectl kustomize builds the same objects (offline)', () => {
      const built = yamlDocuments(execFileSync('kubectl', ['kustomize', join(repoRoot, K8S_DIR)], { encoding: 'utf8', timeout: 30_000 }), 'kustomize');
      const names = (list: Obj[]) => list.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`).sort();
      expect(names(built)).toEqual(names(kustomizeResources().map((o) => (o.kind === 'Namespace' ? { ...o, metadata: { name: o.metadata.name } } : o))));
    });
  });

  describe('Helm chart', () => {
    const render = (values?: Obj) => renderChart(CHART_DIR, { releaseName: 'aetherconnect', namespace: 'aetherconnect', values });
    const values = () => parseYaml(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'), { strict: true, uniqueKeys: true }) as Obj;

    test('Chart.yaml and values.yaml are valid', () => {
      const chart = parseYaml(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8'), { strict: true, uniqueKeys: true }) as Obj;
      expect(chart).toMatchObject({ apiVersion: 'v2', name: 'aetherconnect', type: 'application' });
      expect(chart.version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
      expect(Object.keys(values().services).sort()).toEqual(SERVICES.map((s) => s.name).sort());
    });

    test('renders, and the rendered objects pass every check the manifests pass', () => {
      const { objects } = render();
      checkKubernetesObjects(objects, 'helm chart', secretTemplate(), required);
    });

    test('renders the same objects as infrastructure/k8s', () => {
      const manifests = kustomizeResources().filter((o) => o.kind !== 'Namespace');
      const { objects } = render();
      const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
      expect(objects.map(key).sort()).toEqual(manifests.map(key).sort());
      for (const o of objects) expect(comparable(o)).toEqual(comparable(manifests.find((m) => key(m) === key(o))!));
    });

    test('with secret.create it renders the Secret every Deployment reads', () => {
      const template = secretTemplate();
      const withSecret = { ...values(), secret: { ...values().secret, create: true, data: template.stringData } };
      const { objects } = render(withSecret);
      const secrets = byKind(objects, 'Secret');
      expect(secrets).toHaveLength(1);
      checkKubernetesObjects(objects.filter((o) => o.kind !== 'Secret'), 'helm chart with secret', secrets[0], required);
      expect(byKind(render().objects, 'Secret')).toHaveLength(0);
    });

    test('tracing and ServiceMonitor values: off by default, and when on, every service exports and is scraped', () => {
      const observed = values();
      observed.tracing.otlpEndpoint = 'http://otel-collector.observability:4318';
      observed.metrics.serviceMonitor = { enabled: true, interval: '30s', labels: { release: 'kube-prometheus-stack' } };
      const { objects } = render(observed);
      const monitors: Obj[] = objects.filter((o) => o.kind === 'ServiceMonitor');
      checkKubernetesObjects(objects.filter((o) => o.kind !== 'ServiceMonitor'), 'helm chart with tracing', secretTemplate(), required);
      for (const spec of SERVICES) {
        const config = find(objects, 'ConfigMap', `aetherconnect-${spec.name}`)!.data;
        expect(config.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector.observability:4318');
        expect(() => spec.load({ ...config, NODE_ENV: 'test' })).not.toThrow();
        const monitor = monitors.find((m) => m.metadata.name === `aetherconnect-${spec.name}`)!;
        expect(monitor.metadata.labels.release).toBe('kube-prometheus-stack');
        expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
        const service = find(objects, 'Service', `aetherconnect-${spec.name}`)!;
        expect(service.spec.selector).toEqual(monitor.spec.selector.matchLabels);
        expect(service.spec.ports.map((p: Obj) => p.name)).toContain('http');
      }
      expect(render().objects.filter((o: Obj) => o.kind === 'ServiceMonitor' || o.data?.OTEL_EXPORTER_OTLP_ENDPOINT)).toEqual([]);
    });

    test('values that are not set, or a variable a service does not read, fail', () => {
      const missing = values();
      delete missing.services.gateway.preStopSleepSeconds;
      expect(() => render(missing)).toThrow(TemplateError);
      const unknownVar = values();
      unknownVar.services.messaging.env = { JWT_ISSUER: 'x' };
      expect(() => checkKubernetesObjects(render(unknownVar).objects, 'bad values', secretTemplate(), required)).toThrow();
      const scaled = values();
      scaled.services.auth.autoscaling.enabled = true;
      expect(byKind(render(scaled).objects, 'HorizontalPodAutoscaler')).toHaveLength(3);
    });

    (which('helm') ? test : test.skip)('helm template agrees with the renderer', () => {
      execFileSync('helm', ['lint', CHART_DIR], { encoding: 'utf8', timeout: 60_000 });
      const out = execFileSync('helm', ['template', 'aetherconnect', CHART_DIR, '--namespace', 'aetherconnect'], { encoding: 'utf8', timeout: 60_000 });
      const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
      const helmObjects = yamlDocuments(out, 'helm template');
      const ours = render().objects;
      expect(helmObjects.map(key).sort()).toEqual(ours.map(key).sort());
      for (const o of helmObjects) expect(o).toEqual(ours.find((m) => key(m) === key(o)));
    });
  });
});
