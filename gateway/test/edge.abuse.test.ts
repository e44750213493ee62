import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { IDENTITY_HEADER, signIdentity } from '@aether/common';
import { SignJWT, calculateJwkThumbprint, importPKCS8 } from 'jose';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { codeOf, gql, startStack, type GraphQLResponse, type Stack } from '../../test/harness';
import { Collector, wsClient } from '../../test/ws-client';

/**
 * The abuse suite: each row is one abusive or malformed request through the gateway, with the
 * refusal it must get. After every row the three services still answer /health and a normal
 * request still succeeds. Limits are small and set here; rate limits are counted in Redis.
 */

// Each row is its own client address (the gateway trusts X-Forwarded-For from loopback, as from
// a load balancer), so per-IP limits of one row do not leak into the next.
let ipCounter = 0;
const nextIp = () => `203.0.113.${++ipCounter}`;

const ME = '{ me { id username } }';

interface User {
  id: string;
  username: string;
  password: string;
  accessToken: string;
}

describe('gateway edge: abusive and malformed requests', () => {
  let stack: Stack;
  let alice: User;
  let mallory: User;
  let flooder: User;
  let watcher: User;
  let crowd: User;
  let roomId: string;
  let signingKey: string;
  let kid: string;

  const origin = (url: string) => new URL(url).origin;

  /** A raw POST to the gateway, with a body as given (string or JSON). */
  async function post(body: unknown, headers: Record<string, string> = {}, ip = nextIp()) {
    const res = await fetch(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return toResponse(res);
  }

  async function toResponse(res: Response): Promise<GraphQLResponse> {
    const text = await res.text();
    let body: { data?: Record<string, unknown>; errors?: GraphQLResponse['errors'] } = {};
    try {
      body = JSON.parse(text);
    } catch {
      body = { errors: [{ message: `non-JSON response (${res.status}): ${text.slice(0, 100)}` }] };
    }
    return { status: res.status, data: body.data ?? undefined, errors: body.errors, headers: res.headers };
  }

  const as = (user: User | undefined, ip = nextIp()) => ({
    headers: { 'x-forwarded-for': ip },
    ...(user ? { token: user.accessToken } : {}),
  });

  async function register(name: string): Promise<User> {
    const username = `${name}_${randomBytes(3).toString('hex')}`;
    const password = 'correct horse battery';
    const res = await gql(
      stack.gatewayUrl,
      `mutation($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
      { input: { email: `${username}@example.test`, username, password, displayName: name } },
      as(undefined),
    );
    if (!res.data?.register) throw new Error(`register failed: ${JSON.stringify(res.errors)}`);
    return { id: res.data.register.user.id, username, password, accessToken: res.data.register.accessToken };
  }

  /** What must hold after every row: everything answers, and an ordinary client is served. */
  async function servicesStayUpAndServe(): Promise<void> {
    for (const url of [stack.gatewayUrl, stack.authUrl, stack.messagingUrl]) {
      const health = await fetch(new URL('/health', url));
      expect(health.status).toBe(200);
    }
    const res = await gql(stack.gatewayUrl, ME, {}, as(alice));
    expect(res.errors).toBeUndefined();
    expect(res.data!.me).toEqual({ id: alice.id, username: alice.username });
  }

  function expectRefusal(res: GraphQLResponse, status: number, code: string, message?: RegExp): void {
    expect({ status: res.status, code: codeOf(res) }).toEqual({ status, code });
    if (message) expect(res.errors![0].message).toMatch(message);
    expect(res.data ?? null).toBeNull();
  }

  /** Signs a token with auth's real key (the stack is given it), so only the named flaw is wrong. */
  async function signToken(claims: { sub: string; sid: string; exp: number }, key = signingKey): Promise<string> {
    const privateKey = await importPKCS8(key, 'ES256');
    return new SignJWT({ sid: claims.sid, roles: ['USER'] })
      .setProtectedHeader({ alg: 'ES256', kid: kid, typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuer('aetherconnect')
      .setAudience('aetherconnect')
      .setIssuedAt(claims.exp - 900)
      .setExpirationTime(claims.exp)
      .sign(privateKey);
  }

  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

  beforeAll(async () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    signingKey = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    kid = await calculateJwkThumbprint(pair.publicKey.export({ format: 'jwk' }) as never);
    stack = await startStack({
      redis: true,
      env: {
        JWT_PRIVATE_KEY: signingKey,
        INTROSPECTION: 'false',
        FIELD_SUGGESTIONS: 'false',
        RATE_LIMIT_WINDOW: '3600',
        RATE_LIMIT_PER_IP: '40',
        RATE_LIMIT_PER_USER: '100',
        RATE_LIMIT_AUTH_PER_IP: '5',
        RATE_LIMIT_SEND_PER_USER: '5',
        // Auth's own per-address delays would answer first; these rows are about the gateway's budgets.
        LOGIN_FREE_FAILURES: '20',
        WS_CONNECTIONS_PER_USER: '2',
        WS_SUBSCRIPTIONS_PER_CONNECTION: '3',
      },
    });
    // One user per WebSocket row: a socket's close reaches the server's per-user count a moment
    // after the client lets go, and rows must not depend on that moment.
    // Rate limits count in memory until the gateway's Redis connection is up: start once it is.
    while ((await fetch(new URL('/ready', stack.gatewayUrl))).status !== 200) await new Promise((r) => setTimeout(r, 50));
    [alice, mallory, flooder, watcher, crowd] = await Promise.all(['alice', 'mallory', 'flooder', 'watcher', 'crowd'].map(register));
    const room = await gql(stack.gatewayUrl, `mutation($m: [ID!]) { createRoom(input: { name: "abuse", memberIds: $m }) { id } }`, { m: [watcher.id, crowd.id] }, as(mallory));
    roomId = room.data!.createRoom.id;
  });
  afterAll(() => stack?.stop());

  const attacks: [string, () => Promise<void>][] = [
    // --- operation shape: refused before planning ---
    ['deep nesting (replyTo 20 levels)', async () => {
      const nested = 'replyTo { '.repeat(20) + 'id' + ' }'.repeat(20);
      const res = await gql(stack.gatewayUrl, `query($r: ID!) { room(id: $r) { messages { edges { node { ${nested} } } } } }`, { r: roomId }, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /depth limit of 10 exceeded/);
    }],
    ['alias bomb (50 aliases of one field)', async () => {
      const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: id`).join(' ');
      const res = await gql(stack.gatewayUrl, `{ me { ${aliases} } }`, {}, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 15 exceeded, found 50/);
    }],
    ['root field bomb (11 root fields without aliases)', async () => {
      const res = await gql(stack.gatewayUrl, `{ ${'me { id } '.repeat(11)} }`, {}, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Root fields limit of 10 exceeded, found 11/);
    }],
    ['field bomb (6,000 repeated fields: token limit)', async () => {
      const res = await gql(stack.gatewayUrl, `{ me { ${'id '.repeat(6000)} } }`, {}, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_PARSE_FAILED', /more tha[nt] 5000 tokens/);
    }],
    ['directive bomb (60 directives)', async () => {
      const fields = Array.from({ length: 60 }, () => '__typename @skip(if: false)').join(' ');
      const res = await gql(stack.gatewayUrl, `{ me { ${fields} } }`, {}, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 50 exceeded/);
    }],
    ['fragment cycle', async () => {
      const res = await gql(stack.gatewayUrl, `{ me { ...A } } fragment A on User { id ...B } fragment B on User { username ...A }`, {}, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Cannot spread fragment "A" within itself/);
    }],
    ['cost bomb with literal page sizes (lists of pages of lists)', async () => {
      const res = await gql(
        stack.gatewayUrl,
        `{ myRooms { messages(first: 100) { edges { node { id body reactions { emoji count reactedByMe } replyTo { id reactions { emoji count } } } } } } }`,
        {},
        as(alice),
      );
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Query cost limit of 20000 exceeded, found 535101/);
      expect(res.errors![0].extensions!.limit).toBe('cost');
    }],
    ['cost bomb through a variable page size (first: $n = 1,000,000)', async () => {
      const query = `query($r: ID!, $n: Int) { room(id: $r) { messages(first: $n) { edges { node { id body } } } } }`;
      const res = await gql(stack.gatewayUrl, query, { r: roomId, n: 1_000_000 }, as(mallory));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Room.messages\(first:\) is at most 100, found 1000000/);
      expect(res.errors![0].extensions!.limit).toBe('list_size');
      // The same operation with a sane page size runs.
      const ok = await gql(stack.gatewayUrl, query, { r: roomId, n: 10 }, as(mallory));
      expect(ok.errors).toBeUndefined();
      expect(ok.data!.room.messages.edges).toEqual([]);
    }],
    ['introspection when it is switched off', async () => {
      const res = await gql(stack.gatewayUrl, `{ __schema { types { name } } }`, {}, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /introspection is not allowed/);
    }],
    ['schema probing through field suggestions', async () => {
      const res = await gql(stack.gatewayUrl, `{ mee { id } }`, {}, as(alice));
      expectRefusal(res, 400, 'GRAPHQL_VALIDATION_FAILED', /Cannot query field "mee" on type "Query"/);
      expect(res.errors![0].message).not.toMatch(/Did you mean|"me"/);
    }],
    ['variables of the wrong shape', async () => {
      const res = await gql(stack.gatewayUrl, `query($r: ID!) { room(id: $r) { id } }`, { r: { nested: ['x'] } }, as(alice));
      expectRefusal(res, 400, 'BAD_USER_INPUT', /Variable "\$r"/);
    }],

    // --- HTTP: bodies, content types, methods ---
    ['oversized body (200 KB)', async () => {
      const res = await post({ query: `{ __typename }`, padding: 'x'.repeat(200 * 1024) });
      expectRefusal(res, 413, 'BAD_REQUEST', /larger than 102400 bytes/);
    }],
    ['oversized variables (a 150 KB login password)', async () => {
      const res = await post({ query: `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, variables: { i: { login: 'alice', password: 'p'.repeat(150 * 1024) } } });
      expectRefusal(res, 413, 'BAD_REQUEST', /larger than/);
    }],
    ['a 60 KB message body, under the body limit', async () => {
      const res = await gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { id } }`, { i: { roomId, body: 'b'.repeat(60 * 1024) } }, as(alice));
      expect(codeOf(res)).toMatch(/BAD_USER_INPUT|FORBIDDEN/);
      expect(res.data ?? null).toBeNull();
    }],
    ['malformed JSON', async () => {
      const res = await post('{"query": "{ me { id } }", ');
      expectRefusal(res, 400, 'BAD_REQUEST', /not valid JSON/);
    }],
    ['JSON that is not an operation (a bare string)', async () => {
      const res = await post('"{ me { id } }"');
      expect(res.status).toBe(400);
      expect(res.data ?? null).toBeNull();
    }],
    ['wrong content type: text/plain (a CSRF-able simple request)', async () => {
      const res = await post(JSON.stringify({ query: ME }), { 'content-type': 'text/plain' });
      expectRefusal(res, 400, 'BAD_REQUEST', /Cross-Site Request Forgery/);
    }],
    ['wrong content type: form-urlencoded mutation (CSRF)', async () => {
      const res = await post('query=mutation%7BlogoutAll%7D', { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${alice.accessToken}` });
      expectRefusal(res, 400, 'BAD_REQUEST', /Cross-Site Request Forgery/);
    }],
    ['wrong content type: application/xml', async () => {
      const res = await post('<query>{ me { id } }</query>', { 'content-type': 'application/xml' });
      expect(res.status).toBe(400);
      expect(codeOf(res)).toBe('BAD_REQUEST');
    }],
    ['batched operations while batching is off', async () => {
      const res = await post([{ query: ME }, { query: ME }]);
      expectRefusal(res, 400, 'BAD_REQUEST', /batching/i);
    }],
    ['mutation over GET', async () => {
      const url = `${stack.gatewayUrl}?query=${encodeURIComponent('mutation { logoutAll }')}`;
      const res = await toResponse(await fetch(url, { headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${alice.accessToken}`, 'x-forwarded-for': nextIp() } }));
      expectRefusal(res, 405, 'BAD_REQUEST', /GET requests only support query operations/);
    }],
    ['query over GET without a CSRF-preventing header', async () => {
      const url = `${stack.gatewayUrl}?query=${encodeURIComponent(ME)}`;
      const res = await toResponse(await fetch(url, { headers: { authorization: `Bearer ${alice.accessToken}`, 'x-forwarded-for': nextIp() } }));
      expectRefusal(res, 400, 'BAD_REQUEST', /Cross-Site Request Forgery/);
    }],

    // --- identity ---
    ['forged identity header sent to the gateway', async () => {
      const forged = signIdentity(randomBytes(32).toString('base64url'), { userId: alice.id, roles: ['ADMIN'] });
      const res = await gql(stack.gatewayUrl, ME, {}, { headers: { [IDENTITY_HEADER]: forged, 'x-user-id': alice.id, 'x-forwarded-for': nextIp() } });
      expect(res.status).toBe(200);
      expect(res.data).toEqual({ me: null });
      const write = await gql(stack.gatewayUrl, `mutation { logoutAll }`, {}, { headers: { [IDENTITY_HEADER]: forged, 'x-forwarded-for': nextIp() } });
      expect(codeOf(write)).toBe('UNAUTHENTICATED');
    }],
    ['direct subgraph call without gateway identity', async () => {
      for (const url of [stack.authUrl, stack.messagingUrl]) {
        const res = await gql(url, `{ __typename }`);
        expectRefusal(res, 401, 'UNAUTHENTICATED', /through the gateway/);
      }
    }],
    ['direct subgraph call with a forged identity', async () => {
      const forged = signIdentity(randomBytes(32).toString('base64url'), { userId: alice.id, roles: ['ADMIN'] });
      const res = await gql(stack.messagingUrl, `{ myRooms { id } }`, {}, { headers: { [IDENTITY_HEADER]: forged } });
      expectRefusal(res, 401, 'UNAUTHENTICATED', /through the gateway/);
    }],
    ['expired access token (signed with the real key)', async () => {
      const token = await signToken({ sub: alice.id, sid: 'any', exp: Math.floor(Date.now() / 1000) - 60 });
      const res = await gql(stack.gatewayUrl, ME, {}, { token, headers: { 'x-forwarded-for': nextIp() } });
      expectRefusal(res, 401, 'UNAUTHENTICATED', /expired/);
    }],
    ['tampered access token (payload changed, signature kept)', async () => {
      const [header, payload, signature] = alice.accessToken.split('.');
      const token = [header, b64({ ...decode(payload), sub: mallory.id, roles: ['ADMIN'] }), signature].join('.');
      const res = await gql(stack.gatewayUrl, ME, {}, { token, headers: { 'x-forwarded-for': nextIp() } });
      expectRefusal(res, 401, 'UNAUTHENTICATED', /invalid/);
    }],
    ['alg "none" access token', async () => {
      const [, payload] = alice.accessToken.split('.');
      const token = `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      const res = await gql(stack.gatewayUrl, ME, {}, { token, headers: { 'x-forwarded-for': nextIp() } });
      expectRefusal(res, 401, 'UNAUTHENTICATED', /invalid/);
    }],
    ["token signed with an attacker's key under the real key id", async () => {
      const attackerKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const [, payload] = alice.accessToken.split('.');
      const token = await signToken({ sub: alice.id, sid: decode(payload).sid, exp: Math.floor(Date.now() / 1000) + 600 }, attackerKey);
      const res = await gql(stack.gatewayUrl, ME, {}, { token, headers: { 'x-forwarded-for': nextIp() } });
      expectRefusal(res, 401, 'UNAUTHENTICATED', /invalid/);
    }],
    ['malformed Authorization header', async () => {
      const res = await gql(stack.gatewayUrl, ME, {}, { headers: { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}`, 'x-forwarded-for': nextIp() } });
      expectRefusal(res, 401, 'UNAUTHENTICATED', /Bearer/);
    }],

    // --- rate limits (Redis) ---
    ['login brute force from one address', async () => {
      const ip = nextIp();
      const attempt = () => gql(stack.gatewayUrl, `mutation($i: LoginInput!) { login(input: $i) { accessToken } }`, { i: { login: alice.username, password: 'wrong password!' } }, { headers: { 'x-forwarded-for': ip } });
      for (let i = 0; i < 5; i++) expect(codeOf(await attempt())).toBe('UNAUTHENTICATED');
      const res = await attempt();
      expectRefusal(res, 429, 'RATE_LIMITED');
      expect(res.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
      expect(Number(res.headers.get('retry-after'))).toBe(res.errors![0].extensions!.retryAfter);
      // The real owner, elsewhere, still signs in.
      const own = await gql(stack.gatewayUrl, `mutation($i: LoginInput!) { login(input: $i) { user { id } } }`, { i: { login: alice.username, password: alice.password } }, as(undefined));
      expect(own.data?.login.user.id).toBe(alice.id);
    }],
    ['login attempts multiplied by aliases in one operation', async () => {
      const logins = Array.from({ length: 6 }, (_, i) => `l${i}: login(input: { login: "${alice.username}", password: "guess number ${i}" }) { accessToken }`).join(' ');
      const res = await gql(stack.gatewayUrl, `mutation { ${logins} }`, {}, as(undefined));
      expectRefusal(res, 429, 'RATE_LIMITED');
    }],
    ['message flooding', async () => {
      const send = (i: number) => gql(stack.gatewayUrl, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body: `spam ${i}` } }, as(mallory));
      for (let i = 0; i < 5; i++) expect((await send(i)).errors).toBeUndefined();
      const res = await send(5);
      expectRefusal(res, 429, 'RATE_LIMITED');
      // Reading is not sending: the flooder may still read.
      const read = await gql(stack.gatewayUrl, `query($r: ID!) { room(id: $r) { lastSeq } }`, { r: roomId }, as(mallory));
      expect(read.errors).toBeUndefined();
    }],
    ['request flood from one address', async () => {
      const ip = nextIp();
      const results = await Promise.all(Array.from({ length: 41 }, () => gql(stack.gatewayUrl, `{ __typename }`, {}, { headers: { 'x-forwarded-for': ip } })));
      expect(results.filter((r) => r.status === 200)).toHaveLength(40);
      expectRefusal(results.find((r) => r.status !== 200)!, 429, 'RATE_LIMITED');
    }],
    ['flood of malformed documents from one address', async () => {
      const ip = nextIp();
      const results = await Promise.all(Array.from({ length: 41 }, () => gql(stack.gatewayUrl, `{ me { `, {}, { headers: { 'x-forwarded-for': ip } })));
      expect(results.filter((r) => codeOf(r) === 'GRAPHQL_PARSE_FAILED')).toHaveLength(40);
      expectRefusal(results.find((r) => codeOf(r) !== 'GRAPHQL_PARSE_FAILED')!, 429, 'RATE_LIMITED');
    }],
    ['request flood from one user rotating addresses', async () => {
      const results = await Promise.all(Array.from({ length: 101 }, () => gql(stack.gatewayUrl, `{ __typename }`, {}, as(flooder))));
      expect(results.filter((r) => r.status === 200)).toHaveLength(100);
      expectRefusal(results.find((r) => r.status !== 200)!, 429, 'RATE_LIMITED');
    }],

    // --- WebSockets ---
    ['huge WebSocket frame (100 KB)', async () => {
      const socket = new WebSocket(stack.gatewayUrl.replace(/^http/, 'ws'), 'graphql-transport-ws');
      await new Promise((resolve, reject) => (socket.once('open', resolve), socket.once('error', reject)));
      const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${alice.accessToken}`, junk: 'x'.repeat(100 * 1024) } }));
      expect(await closed).toBe(1009);
    }],
    ['WebSocket with an alg "none" token', async () => {
      const [, payload] = alice.accessToken.split('.');
      let closedWith: number | undefined;
      const client = wsClient(stack.gatewayUrl, `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`, { onClosed: (code) => (closedWith = code) });
      const sub = new Collector(client, `subscription($r: ID!) { typing(roomId: $r) { __typename } }`, { r: roomId });
      await sub.waitForEnd();
      expect(closedWith).toBe(4403);
      await client.dispose();
    }],
    ['WebSocket connection flood by one user', async () => {
      const codes: number[] = [];
      const clients = Array.from({ length: 3 }, () => wsClient(stack.gatewayUrl, crowd.accessToken, { onClosed: (code) => codes.push(code) }));
      const subs = clients.map((c) => new Collector(c, `subscription($r: ID!) { typing(roomId: $r) { __typename } }`, { r: roomId }));
      await Promise.race(subs.map((s) => s.waitForEnd()));
      expect(codes).toContain(4029);
      for (const s of subs) s.dispose();
      await Promise.all(clients.map((c) => c.dispose()));
    }],
    ['subscription flood on one socket', async () => {
      const client = wsClient(stack.gatewayUrl, watcher.accessToken);
      const subs = Array.from({ length: 6 }, () => new Collector(client, `subscription($r: ID!) { typing(roomId: $r) { __typename } }`, { r: roomId }));
      const refused = await Promise.race(subs.map(async (s) => (await s.waitForEnd(), s)));
      expect((refused.error as { extensions?: { code?: string } }[])[0].extensions?.code).toBe('RATE_LIMITED');
      for (const s of subs) s.dispose();
      await client.dispose();
    }],
    ['too deep a subscription over WebSocket (same rules as HTTP)', async () => {
      const client = wsClient(stack.gatewayUrl, alice.accessToken);
      const nested = 'replyTo { '.repeat(12) + 'id' + ' }'.repeat(12);
      const sub = new Collector(client, `subscription($r: ID!) { roomEvents(roomId: $r) { ... on MessageAdded { message { ${nested} } } } }`, { r: roomId });
      await sub.waitForEnd();
      const [error] = sub.error as { message: string; extensions?: { code?: string } }[];
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toMatch(/depth limit of 10 exceeded/);
      await client.dispose();
    }],
    ['subscriptions from an address that spent its budget over HTTP', async () => {
      const ip = nextIp();
      const spent = await Promise.all(Array.from({ length: 40 }, () => gql(stack.gatewayUrl, `{ __typename }`, {}, { headers: { 'x-forwarded-for': ip } })));
      expect(spent.every((r) => r.status === 200)).toBe(true);
      // The upgrade request comes through the same (trusted) proxy, so it has the same client address.
      class ForwardedWebSocket extends WebSocket {
        constructor(url: string, protocols?: string | string[]) {
          super(url, protocols, { headers: { 'x-forwarded-for': ip } });
        }
      }
      const client = createClient({
        url: stack.gatewayUrl.replace(/^http/, 'ws'),
        webSocketImpl: ForwardedWebSocket,
        connectionParams: { authorization: `Bearer ${watcher.accessToken}` },
        retryAttempts: 0,
      });
      const sub = new Collector(client, `subscription($r: ID!) { typing(roomId: $r) { __typename } }`, { r: roomId });
      await sub.waitForEnd();
      const [error] = sub.error as { extensions?: { code?: string; retryAfter?: number } }[];
      expect(error.extensions?.code).toBe('RATE_LIMITED');
      expect(error.extensions?.retryAfter).toBeGreaterThan(0);
      expect(error.extensions).not.toHaveProperty('http');
      await client.dispose();
    }],
    ['message flooding over WebSocket', async () => {
      const client = wsClient(stack.gatewayUrl, mallory.accessToken);
      const send = new Collector(client, `mutation($i: SendMessageInput!) { sendMessage(input: $i) { seq } }`, { i: { roomId, body: 'more spam' } });
      const [result] = await send.waitFor(1);
      expect(send.error).toBeUndefined();
      expect(result.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      expect(result.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
      expect(result.errors?.[0].extensions?.http).toBeUndefined();
      await client.dispose();
    }],
  ];

  it(`has at least 25 rows (${attacks.length})`, () => expect(attacks.length).toBeGreaterThanOrEqual(25));

  it.each(attacks)('%s: refused, services stay up, a normal request right after succeeds', async (_name, attack) => {
    await attack();
    await servicesStayUpAndServe();
  });
});
