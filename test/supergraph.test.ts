import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE, composeSupergraph } from '../scripts/composition';
import { gql, registerUser, startStack, type Stack } from './harness';

const ROOT = join(__dirname, '..');

describe('composition', () => {
  it('the committed supergraph and API schema are what composing the subgraphs gives', () => {
    const { supergraph, api } = composeSupergraph();
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(supergraph);
    expect(readFileSync(API_SCHEMA_FILE, 'utf8')).toBe(api);
  });

  it('every type and field of the API schema has a description', () => {
    const { api } = composeSupergraph();
    const { buildSchema, isObjectType, isInputObjectType, isInterfaceType, isEnumType } = require('graphql');
    const schema = buildSchema(api);
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap()) as any[]) {
      if (type.name.startsWith('__') || ['String', 'Int', 'Float', 'Boolean', 'ID'].includes(type.name)) continue;
      const root = ['Query', 'Mutation', 'Subscription'].includes(type.name);
      if (!root && !type.description) missing.push(type.name);
      if (isObjectType(type) || isInputObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields()) as any[]) if (!field.description) missing.push(`${type.name}.${field.name}`);
      }
      if (isEnumType(type)) for (const v of type.getValues()) if (!v.description) missing.push(`${type.name}.${v.name}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('supergraph through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it('answers one query with fields of one entity from both subgraphs', async () => {
    const alice = await registerUser(stack);
    const created = await gql(stack.gatewayUrl, `mutation { createRoom(input: { name: "general" }) { id } }`, {}, { token: alice.accessToken });
    expect(created.errors).toBeUndefined();
    const res = await gql(
      stack.gatewayUrl,
      `{ me { id username displayName rooms { id name members { user { username } role } } } }`,
      {},
      { token: alice.accessToken },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toEqual({
      id: alice.id,
      username: alice.username,
      displayName: `Display ${alice.username}`,
      rooms: [{ id: created.data!.createRoom.id, name: 'general', members: [{ user: { username: alice.username }, role: 'OWNER' }] }],
    });
  });

  it('serves Apollo Sandbox at the gateway URL', async () => {
    const res = await fetch(stack.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/<html/i);
    expect(html).toMatch(/sandbox/i);
    const root = await fetch(stack.gatewayUrl.replace('/graphql', '/'), { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/graphql');
  });

  it('reports health and readiness on every service', async () => {
    for (const url of [stack.gatewayUrl, stack.authUrl, stack.messagingUrl]) {
      const base = url.replace('/graphql', '');
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const ready = await fetch(`${base}/ready`);
      expect(ready.status).toBe(200);
      expect((await ready.json()).status).toBe('ready');
    }
  });

  it('propagates the request id from the client to the subgraphs and their log lines', async () => {
    const user = await registerUser(stack);
    const res = await gql(stack.gatewayUrl, '{ me { id rooms { id } } }', {}, { token: user.accessToken, headers: { 'x-request-id': 'req-abc-123' } });
    expect(res.errors).toBeUndefined();
    expect(res.headers.get('x-request-id')).toBe('req-abc-123');
    const services = stack.logs.lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.requestId === 'req-abc-123')
      .map((l) => l.service);
    expect(new Set(services)).toEqual(new Set(['gateway', 'auth', 'messaging']));
  });
});

describe('configuration', () => {
  it('the README documents every variable each service reads', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('\n## ', readme.indexOf('## Configuration') + 5));
    const { authConfigSchema } = require('../subgraphs/auth/src/config');
    const { messagingConfigSchema } = require('../subgraphs/messaging/src/config');
    const { gatewayConfigSchema } = require('../gateway/src/config');
    const undocumented = [authConfigSchema, messagingConfigSchema, gatewayConfigSchema]
      .flatMap((schema) => Object.keys(schema.shape))
      .filter((name) => !table.includes(`\`${name}\``));
    expect(undocumented).toEqual([]);
  });

  const run = (entry: string, env: Record<string, string>) =>
    spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['--conditions=aether-source', entry], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it.each([
    ['subgraphs/auth/src/main.ts', 'AUTH_PORT', 'not-a-port'],
    ['subgraphs/auth/src/main.ts', 'BCRYPT_COST', '99'],
    ['subgraphs/messaging/src/main.ts', 'MONGO_URL', 'http://nope'],
    ['gateway/src/main.ts', 'GATEWAY_PORT', '70000'],
    ['gateway/src/main.ts', 'AUTH_URL', 'not a url'],
  ])('%s refuses to start when %s=%s, naming the variable', (entry, variable, value) => {
    const result = run(join(ROOT, entry), { [variable]: value });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(variable);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
