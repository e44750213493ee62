import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadGatewayConfig } from '../src/config';
import { persistedOperationsFromConfig } from '../src/persisted/resolve';
import { startGateway, type RunningGateway } from '../src/server';
import { codeOf, gql, registerUser, startStack, type GraphQLResponse, type Stack, type TestUser } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const ME = 'query Me { me { id username displayName } }';
const ROOM = 'query Room($id: ID!) { room(id: $id) { id name lastSeq } }';
const SEND = 'mutation Send($i: SendMessageInput!) { sendMessage(input: $i) { id seq body } }';
const EVENTS = `subscription Events($roomId: ID!) {
  roomEvents(roomId: $roomId) { __typename seq ... on MessageAdded { message { body author { username } } } }
}`;
/** Registered for the `web` client only, in GraphQL Codegen's format. */
const MY_ROOMS = 'query MyRooms { myRooms { id name } }';
const UNLISTED = '{ me { id bio } }';

/** POSTs a request body as it is (hash-only and documentId requests have no `query`). */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const json = (await res.json()) as { data?: Record<string, any>; errors?: GraphQLResponse['errors'] }; // eslint-disable-line @typescript-eslint/no-explicit-any
  return { status: res.status, data: json.data ?? undefined, errors: json.errors, headers: res.headers };
}

const byHash = (hash: string) => ({ persistedQuery: { version: 1, sha256Hash: hash } });

describe('persisted operations: by id over HTTP and graphql-ws, safelisting, APQ', () => {
  let dir: string;
  let stack: Stack;
  let alice: TestUser;
  let roomId: string;
  const gateways: RunningGateway[] = [];
  const auth = () => ({ authorization: `Bearer ${alice.accessToken}` });

  /** Another gateway in front of the same subgraphs, with other persisted-operation settings. */
  async function gatewayWith(env: Record<string, string>): Promise<string> {
    const gateway = await startGateway(
      loadGatewayConfig({
        ...stack.env,
        GATEWAY_PORT: '0',
        SUBGRAPH_AUTH_URL: stack.authUrl,
        AUTH_JWKS_URL: new URL('/.well-known/jwks.json', stack.authUrl).href,
        SUBGRAPH_MESSAGING_URL: stack.messagingUrl,
        AUTH_GRPC_URL: stack.authGrpcAddress,
        ...env,
      }),
      stack.logs.logger('gateway'),
    );
    gateways.push(gateway);
    return `http://127.0.0.1:${gateway.port}/graphql`;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'aether-persisted-'));
    writeFileSync(
      join(dir, 'apollo.json'),
      JSON.stringify({
        format: 'apollo-persisted-query-manifest',
        version: 1,
        operations: [
          { id: sha256(ME), name: 'Me', type: 'query', body: ME },
          { id: sha256(ROOM), name: 'Room', type: 'query', body: ROOM },
          { id: sha256(SEND), name: 'Send', type: 'mutation', body: SEND },
          { id: sha256(EVENTS), name: 'Events', type: 'subscription', body: EVENTS },
        ],
      }),
    );
    writeFileSync(join(dir, 'web.json'), JSON.stringify({ [sha256(MY_ROOMS)]: MY_ROOMS }));
    const manifests = `${join(dir, 'apollo.json')},web=${join(dir, 'web.json')}`;
    stack = await startStack({ env: { PERSISTED_OPERATIONS: manifests } });
    alice = await registerUser(stack);
    const room = await gql(stack.gatewayUrl, 'mutation { createRoom(input: { name: "persisted" }) { id } }', {}, { token: alice.accessToken });
    roomId = room.data!.createRoom.id;
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('without a safelist', () => {
    it('runs an operation sent by its Apollo manifest hash, with the result of the full document', async () => {
      const full = await gql(stack.gatewayUrl, ROOM, { id: roomId }, { token: alice.accessToken });
      expect(full.errors).toBeUndefined();
      const hashed = await post(stack.gatewayUrl, { variables: { id: roomId }, extensions: byHash(sha256(ROOM)) }, auth());
      expect(hashed.status).toBe(200);
      expect(hashed.errors).toBeUndefined();
      expect(hashed.data).toEqual(full.data);
    });

    it('runs an operation sent by documentId (GraphQL Codegen persisted documents) and by hash over GET', async () => {
      const full = await gql(stack.gatewayUrl, MY_ROOMS, {}, { token: alice.accessToken });
      const byDocumentId = await post(stack.gatewayUrl, { documentId: sha256(MY_ROOMS) }, auth());
      expect(byDocumentId.errors).toBeUndefined();
      expect(byDocumentId.data).toEqual(full.data);

      const params = new URLSearchParams({ extensions: JSON.stringify(byHash(sha256(ME))) });
      const get = await fetch(`${stack.gatewayUrl}?${params}`, { headers: { ...auth(), 'apollo-require-preflight': 'true' } });
      expect(get.status).toBe(200);
      expect(((await get.json()) as { data: unknown }).data).toEqual((await gql(stack.gatewayUrl, ME, {}, { token: alice.accessToken })).data);
    });

    it('runs a persisted subscription and a persisted query over graphql-ws with the results of the full documents', async () => {
      const client = wsClient(stack.gatewayUrl, alice.accessToken);
      try {
        const full = new Collector(client, EVENTS, { roomId });
        const hashed = new Collector(client, { query: '', variables: { roomId }, extensions: byHash(sha256(EVENTS)) });
        const byId = new Collector(client, { query: '', variables: { roomId }, documentId: sha256(EVENTS) } as never);
        await new Promise((r) => setTimeout(r, 500));
        const sent = await post(stack.gatewayUrl, { documentId: sha256(SEND), variables: { i: { roomId, body: 'by hash' } } }, auth());
        expect(sent.errors).toBeUndefined();
        const [expected] = await full.waitFor(1);
        expect(expected.data).toEqual({ roomEvents: { __typename: 'MessageAdded', seq: sent.data!.sendMessage.seq, message: { body: 'by hash', author: { username: alice.username } } } });
        expect((await hashed.waitFor(1))[0]).toEqual(expected);
        expect((await byId.waitFor(1))[0]).toEqual(expected);
        for (const c of [full, hashed, byId]) c.dispose();

        const query = new Collector(client, { query: '', variables: { id: roomId }, extensions: byHash(sha256(ROOM)) });
        await query.waitForEnd();
        expect(query.events[0]).toEqual({ data: (await gql(stack.gatewayUrl, ROOM, { id: roomId }, { token: alice.accessToken })).data });
      } finally {
        await client.dispose();
      }
    });

    it('refuses an unknown documentId with PERSISTED_QUERY_NOT_IN_LIST, over HTTP and graphql-ws', async () => {
      const res = await post(stack.gatewayUrl, { documentId: sha256('{ me { id } }') }, auth());
      expect(res.status).toBe(404);
      expect(codeOf(res)).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      const client = wsClient(stack.gatewayUrl, alice.accessToken);
      try {
        const sub = new Collector(client, { query: '', documentId: 'nope' } as never);
        await sub.waitForEnd();
        expect((sub.error as { extensions?: { code?: string } }[])[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
      } finally {
        await client.dispose();
      }
    });

    it('refuses ambiguous or malformed ids with BAD_REQUEST', async () => {
      const both = await post(stack.gatewayUrl, { documentId: sha256(ME), query: UNLISTED }, auth());
      expect([both.status, codeOf(both)]).toEqual([400, 'BAD_REQUEST']);
      const notString = await post(stack.gatewayUrl, { documentId: { $ne: 1 } }, auth());
      expect([notString.status, codeOf(notString)]).toEqual([400, 'BAD_REQUEST']);
      for (const persistedQuery of [{ version: 1, sha256Hash: { $ne: 1 } }, { version: 1 }, 'abc']) {
        const malformed = await post(stack.gatewayUrl, { extensions: { persistedQuery } }, auth());
        expect([malformed.status, codeOf(malformed)]).toEqual([400, 'BAD_REQUEST']);
      }
    });

    it('keeps automatic persisted queries working: unknown hash, then the document with its hash, then the hash alone', async () => {
      const query = '{ me { username } }';
      const first = await post(stack.gatewayUrl, { extensions: byHash(sha256(query)) }, auth());
      expect(codeOf(first)).toBe('PERSISTED_QUERY_NOT_FOUND');
      const registered = await post(stack.gatewayUrl, { query, extensions: byHash(sha256(query)) }, auth());
      expect(registered.data).toEqual({ me: { username: alice.username } });
      const again = await post(stack.gatewayUrl, { extensions: byHash(sha256(query)) }, auth());
      expect(again.data).toEqual({ me: { username: alice.username } });
    });

    it('asks graphql-ws clients for the document of an unknown automatic persisted query hash, then runs it', async () => {
      const query = 'query Again { me { id } }';
      const client = wsClient(stack.gatewayUrl, alice.accessToken);
      try {
        const unknown = new Collector(client, { query: '', extensions: byHash(sha256(query)) });
        await unknown.waitForEnd();
        expect((unknown.error as { extensions?: { code?: string } }[])[0].extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
        const withDocument = new Collector(client, { query, extensions: byHash(sha256(query)) });
        await withDocument.waitForEnd();
        expect(withDocument.events[0]).toEqual({ data: { me: { id: alice.id } } });
      } finally {
        await client.dispose();
      }
    });

    it('runs documents that are not in any manifest', async () => {
      const res = await gql(stack.gatewayUrl, UNLISTED, {}, { token: alice.accessToken });
      expect(res.errors).toBeUndefined();
    });
  });

  describe('with the safelist on', () => {
    let url: string;
    beforeAll(async () => {
      url = await gatewayWith({ PERSISTED_OPERATIONS_SAFELIST: 'safelist' });
    });

    it('refuses an unlisted document with QUERY_NOT_IN_SAFELIST over HTTP, and runs a listed one by id or in full', async () => {
      const refused = await post(url, { query: UNLISTED }, auth());
      expect(refused.status).toBe(403);
      expect(codeOf(refused)).toBe('QUERY_NOT_IN_SAFELIST');
      expect(refused.data).toBeUndefined();

      const listed = await post(url, { extensions: byHash(sha256(ME)) }, auth());
      expect(listed.data).toEqual({ me: { id: alice.id, username: alice.username, displayName: expect.any(String) } });
      // The same document with other whitespace, commas and comments is the same listed operation.
      const reformatted = await post(url, { query: 'query Me {\n  me { id, username # who\n displayName }\n}' }, auth());
      expect(reformatted.errors).toBeUndefined();
      expect(reformatted.data).toEqual(listed.data);
    });

    it('refuses an unlisted subscription over graphql-ws and runs a listed one', async () => {
      const client = wsClient(url, alice.accessToken);
      try {
        const refused = new Collector(client, `subscription($r: ID!) { typing(roomId: $r) { typing } }`, { r: roomId });
        await refused.waitForEnd();
        expect((refused.error as { extensions?: { code?: string } }[])[0].extensions?.code).toBe('QUERY_NOT_IN_SAFELIST');

        const listed = new Collector(client, { query: '', variables: { roomId }, extensions: byHash(sha256(EVENTS)) });
        await new Promise((r) => setTimeout(r, 500));
        const sent = await post(url, { query: SEND, variables: { i: { roomId, body: 'safelisted' } } }, auth());
        expect(sent.errors).toBeUndefined();
        const [event] = await listed.waitFor(1);
        expect(event.data?.roomEvents).toMatchObject({ __typename: 'MessageAdded', message: { body: 'safelisted' } });
        listed.dispose();
      } finally {
        await client.dispose();
      }
    });

    it('serves operations registered for one client to that client only', async () => {
      const web = await post(url, { documentId: sha256(MY_ROOMS) }, { ...auth(), 'apollographql-client-name': 'web' });
      expect(web.errors).toBeUndefined();
      expect(web.data!.myRooms).toContainEqual({ id: roomId, name: 'persisted' });
      const other = await post(url, { documentId: sha256(MY_ROOMS) }, { ...auth(), 'apollographql-client-name': 'ios' });
      expect([other.status, codeOf(other)]).toEqual([404, 'PERSISTED_QUERY_NOT_IN_LIST']);
      const inFull = await post(url, { query: MY_ROOMS }, { ...auth(), 'apollographql-client-name': 'ios' });
      expect(codeOf(inFull)).toBe('QUERY_NOT_IN_SAFELIST');
    });

    it('keeps APQ clients working for listed documents and never lets APQ register an unlisted one', async () => {
      const unknownHash = await post(url, { extensions: byHash(sha256(UNLISTED)) }, auth());
      expect(codeOf(unknownHash)).toBe('PERSISTED_QUERY_NOT_FOUND');
      const register = await post(url, { query: UNLISTED, extensions: byHash(sha256(UNLISTED)) }, auth());
      expect(codeOf(register)).toBe('QUERY_NOT_IN_SAFELIST');
      const listed = await post(url, { query: ME, extensions: byHash(sha256(ME)) }, auth());
      expect(listed.errors).toBeUndefined();
    });
  });

  it('with require-id, refuses every document sent in full and runs listed ones by id', async () => {
    const url = await gatewayWith({ PERSISTED_OPERATIONS_SAFELIST: 'require-id' });
    const inFull = await post(url, { query: ME }, auth());
    expect([inFull.status, codeOf(inFull)]).toEqual([400, 'PERSISTED_QUERY_ID_REQUIRED']);
    const byId = await post(url, { documentId: sha256(ME) }, auth());
    expect(byId.data!.me.id).toBe(alice.id);
  });

  it('resolves every operation of a batched request by id', async () => {
    const url = await gatewayWith({ PERSISTED_OPERATIONS_SAFELIST: 'require-id', LIMIT_BATCH_SIZE: '2' });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth() },
      body: JSON.stringify([{ documentId: sha256(ME) }, { extensions: byHash(sha256(ROOM)), variables: { id: roomId } }]),
    });
    const [me, room] = (await res.json()) as Array<{ data: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(me.data.me.id).toBe(alice.id);
    expect(room.data.room).toMatchObject({ id: roomId, name: 'persisted' });
    const mixed = await post(url, [{ documentId: sha256(ME) }, { query: ME }], auth());
    expect(codeOf(mixed)).toBe('PERSISTED_QUERY_ID_REQUIRED');
  });

  it('registers operations from a changed manifest without a restart, and keeps the current list when the file is broken', async () => {
    const manifest = join(dir, 'reloaded.json');
    writeFileSync(manifest, JSON.stringify({ [sha256(ME)]: ME }));
    const url = await gatewayWith({ PERSISTED_OPERATIONS: manifest, PERSISTED_OPERATIONS_SAFELIST: 'require-id' });
    const myRooms = () => post(url, { documentId: sha256(MY_ROOMS) }, auth());
    expect(codeOf(await myRooms())).toBe('PERSISTED_QUERY_NOT_IN_LIST');

    writeFileSync(manifest, JSON.stringify({ [sha256(ME)]: ME, [sha256(MY_ROOMS)]: MY_ROOMS }));
    const deadline = Date.now() + 10_000;
    while ((await myRooms()).errors && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await myRooms()).errors).toBeUndefined();

    writeFileSync(manifest, '{ not json');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await myRooms()).errors).toBeUndefined();
    expect(stack.logs.lines.some((l) => l.includes('invalid persisted operations manifest, keeping the current list'))).toBe(true);
  });

  it('applies the safelist to the named clients only when PERSISTED_OPERATIONS_SAFELIST_CLIENTS lists them', async () => {
    const url = await gatewayWith({ PERSISTED_OPERATIONS_SAFELIST: 'safelist', PERSISTED_OPERATIONS_SAFELIST_CLIENTS: 'partner-app' });
    const partner = await post(url, { query: UNLISTED }, { ...auth(), 'apollographql-client-name': 'partner-app' });
    expect(codeOf(partner)).toBe('QUERY_NOT_IN_SAFELIST');
    const other = await post(url, { query: UNLISTED }, auth());
    expect(other.errors).toBeUndefined();
  });

  it('refuses to start with a broken manifest or a safelist without manifests, naming the variable', () => {
    const base = { ...stack.env, GATEWAY_PORT: '0', PERSISTED_OPERATIONS: '' };
    expect(() => loadGatewayConfig({ ...base, PERSISTED_OPERATIONS_SAFELIST: 'safelist' })).toThrow(/PERSISTED_OPERATIONS_SAFELIST: a safelist needs/);
    writeFileSync(join(dir, 'broken.json'), JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'x', body: 'query {' }] }));
    expect(() => persistedOperationsFromConfig(loadGatewayConfig({ ...base, PERSISTED_OPERATIONS: join(dir, 'broken.json') }))).toThrow(
      /PERSISTED_OPERATIONS: .*broken\.json: operation x is not a valid GraphQL document/,
    );
    writeFileSync(join(dir, 'list.json'), JSON.stringify(['query { me { id } }']));
    expect(() => persistedOperationsFromConfig(loadGatewayConfig({ ...base, PERSISTED_OPERATIONS: join(dir, 'list.json') }))).toThrow(/neither an Apollo persisted query list/);
  });
});
