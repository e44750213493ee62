import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadGatewayConfig } from '../src/config';
import { clientAddress, trustedProxies } from '../src/edge/client-address';
import { codeOf, gql, registerUser, startStack, type Stack } from '../../test/harness';
import { Collector } from '../../test/ws-client';

const LOGIN = `mutation($i: LoginInput!) { login(input: $i) { user { id } } }`;
const forwardedFor = (value: string) => ({ headers: { 'x-forwarded-for': value } });

/** What the gateway sees of a request from `peer` carrying `forwarded` in X-Forwarded-For. */
const request = (peer: string, forwarded?: string) =>
  ({ headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded }, socket: { remoteAddress: peer } }) as unknown as IncomingMessage;

describe('client address: whom the gateway believes', () => {
  it('takes the nearest address a trusted proxy vouched for, by address range or by hop count', () => {
    expect(clientAddress(request('10.0.0.5', '198.51.100.1, 10.0.0.9'), trustedProxies('10.0.0.0/8'))).toBe('198.51.100.1');
    expect(clientAddress(request('10.0.0.5', '198.51.100.1, 203.0.113.4'), trustedProxies('10.0.0.0/8'))).toBe('203.0.113.4');
    expect(clientAddress(request('10.0.0.5', '198.51.100.1, 203.0.113.4'), trustedProxies('2'))).toBe('198.51.100.1');
    expect(clientAddress(request('10.0.0.5', '198.51.100.1, 203.0.113.4'), trustedProxies('1'))).toBe('203.0.113.4');
    expect(clientAddress(request('::ffff:192.0.2.1', '198.51.100.1'), trustedProxies(''))).toBe('192.0.2.1');
  });

  it('never takes what is not an address: the proxy that passed it on is the client then', () => {
    const trust = trustedProxies('loopback');
    expect(clientAddress(request('127.0.0.1', 'not-an-address'), trust)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', `${'9'.repeat(5000)}`), trust)).toBe('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', '198.51.100.1, <script>'), trust)).toBe('127.0.0.1');
  });

  it('trusts nobody in production unless told, loopback elsewhere, and refuses a setting that is not addresses', () => {
    const secrets = { GATEWAY_SECRET: randomBytes(32).toString('hex'), SERVICE_TOKEN: randomBytes(32).toString('hex'), AUTH_JWKS_URL: 'http://auth:4001/.well-known/jwks.json' };
    expect(loadGatewayConfig({ NODE_ENV: 'production', ...secrets }).trustedProxies).toBe('');
    expect(loadGatewayConfig({ NODE_ENV: 'production', TRUSTED_PROXIES: '10.0.0.0/8, 172.16.0.1', ...secrets }).trustedProxies).toBe('10.0.0.0/8, 172.16.0.1');
    expect(loadGatewayConfig({ NODE_ENV: 'development' }).trustedProxies).toBe('loopback');
    expect(() => loadGatewayConfig({ NODE_ENV: 'development', TRUSTED_PROXIES: 'everyone' })).toThrow(/TRUSTED_PROXIES/);
  });
});

describe('client address through the gateway, behind a trusted proxy on loopback', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_PER_IP: '4', RATE_LIMIT_WINDOW: '3600' } });
  });
  afterAll(() => stack.stop());

  it('keeps an oversized or garbage X-Forwarded-For from breaking the identity passed to subgraphs', async () => {
    const user = await registerUser(stack);
    const huge = await gql(stack.gatewayUrl, LOGIN, { i: { login: user.username, password: user.password } }, forwardedFor(`1${'0'.repeat(6000)}`));
    expect(huge.errors).toBeUndefined();
    expect(huge.data!.login.user.id).toBe(user.id);
  });

  it('charges the address for requests whose token does not verify', async () => {
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await gql(stack.gatewayUrl, `{ me { id } }`, {}, { token: `forged.token.${i}`, ...forwardedFor('192.0.2.77') }));
    expect(results.slice(0, 4).map(codeOf)).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect({ status: results[4].status, code: codeOf(results[4]) }).toEqual({ status: 429, code: 'RATE_LIMITED' });
  });

  it('counts garbage addresses against the proxy that sent them, not as a fresh address each', async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await gql(stack.gatewayUrl, `{ __typename }`, {}, forwardedFor(`spoofed-${i}`)));
    expect(results.some((r) => codeOf(r) === 'RATE_LIMITED')).toBe(true);
  });
});

describe('client address through the gateway, trusting no proxy', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { TRUSTED_PROXIES: '0', RATE_LIMIT_PER_IP: '3', RATE_LIMIT_WINDOW: '3600' } });
  });
  afterAll(() => stack.stop());

  it('ignores X-Forwarded-For on HTTP and on WebSocket upgrades alike: every request is the peer\'s', async () => {
    const user = await registerUser(stack);
    for (const ip of ['192.0.2.1', '192.0.2.2']) expect((await gql(stack.gatewayUrl, `{ __typename }`, {}, forwardedFor(ip))).errors).toBeUndefined();
    const http = await gql(stack.gatewayUrl, `{ __typename }`, {}, forwardedFor('192.0.2.3'));
    expect({ status: http.status, code: codeOf(http) }).toEqual({ status: 429, code: 'RATE_LIMITED' });

    class ForwardedWebSocket extends WebSocket {
      constructor(url: string, protocols?: string | string[]) {
        super(url, protocols, { headers: { 'x-forwarded-for': '192.0.2.4' } });
      }
    }
    const client = createClient({
      url: stack.gatewayUrl.replace(/^http/, 'ws'),
      webSocketImpl: ForwardedWebSocket,
      connectionParams: { authorization: `Bearer ${user.accessToken}` },
      retryAttempts: 0,
    });
    const op = new Collector(client, `{ __typename }`);
    await op.waitForEnd();
    expect(op.events[0]?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    await client.dispose();
  });
});
