import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from '../gateway/src/config';
import { startGateway } from '../gateway/src/server';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE, composeSupergraph } from '../scripts/composition';
import { CapturedLogs, gql, registerUser, startStack, type Stack } from './harness';

const ROOT = join(__dirname, '..');

describe('composition', () => {
  it('the committed supergraph and API schema are what composing the subgraphs gives', () => {
    const { supergraph, api } = composeSupergraph();
    expect(readFileSync(SUPERGRAPH_FILE, 'utf8')).toBe(supergraph);
    expect(readFileSync(API_SCHEMA_FILE, 'utf8')).toBe(api);
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

describe('supergraph hot reload', () => {
  it('serves a changed supergraph file without a restart, and keeps the current one when the file is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aether-supergraph-'));
    const file = join(dir, 'supergraph.graphql');
    copyFileSync(SUPERGRAPH_FILE, file);
    const logs = new CapturedLogs();
    const gateway = await startGateway(
      loadGatewayConfig({ NODE_ENV: 'test', HOST: '127.0.0.1', GATEWAY_PORT: '0', SUPERGRAPH_PATH: file, GATEWAY_SECRET: 'g'.repeat(32), SERVICE_TOKEN: 's'.repeat(32) }),
      logs.logger('gateway'),
    );
    const url = `http://127.0.0.1:${gateway.port}/graphql`;
    const roomFields = async (): Promise<string[]> =>
      (await gql(url, '{ __type(name: "Room") { fields { name } } }')).data!.__type.fields.map((f: { name: string }) => f.name);
    try {
      expect(await roomFields()).not.toContain('topic');

      // A messaging schema with one more field, composed the way `npm run compose` does.
      const messagingSchema = join(dir, 'messaging.graphql');
      const original = readFileSync(join(ROOT, 'subgraphs/messaging/src/schema.graphql'), 'utf8');
      const marker = 'type Room @key(fields: "id") @viewerSpecific {';
      expect(original).toContain(marker);
      writeFileSync(messagingSchema, original.replace(marker, `${marker}\n  "What the room is about."\n  topic: String`));
      const rover = readFileSync(join(ROOT, 'rover.yaml'), 'utf8')
        .replace('./subgraphs/messaging/src/schema.graphql', messagingSchema)
        .replace('./subgraphs/auth/src/schema.graphql', join(ROOT, 'subgraphs/auth/src/schema.graphql'));
      expect(rover).toContain(messagingSchema);
      writeFileSync(join(dir, 'rover.yaml'), rover);
      writeFileSync(file, composeSupergraph(join(dir, 'rover.yaml')).supergraph);

      const deadline = Date.now() + 10_000;
      while (!(await roomFields()).includes('topic') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(await roomFields()).toContain('topic');

      writeFileSync(file, 'this is not a supergraph');
      await new Promise((r) => setTimeout(r, 1500));
      expect(await roomFields()).toContain('topic');
      expect(logs.lines.some((l) => l.includes('invalid supergraph, keeping the current one'))).toBe(true);
    } finally {
      await gateway.stop();
      rmSync(dir, { recursive: true, force: true });
    }
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
    ['gateway/src/main.ts', 'SUBGRAPH_AUTH_URL', 'not a url'],
  ])('%s refuses to start when %s=%s, naming the variable', (entry, variable, value) => {
    const result = run(join(ROOT, entry), { [variable]: value });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(variable);
    expect(result.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});
