import { randomUUID } from 'node:crypto';
import { AuthClient, SERVICE_TOKEN_METADATA, authServiceDefinition } from '@aether/common';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { gql, registerUser, type Stack, type TestUser } from '../../../test/harness';
import { freePort } from '../../../test/processes';
import { LOGOUT, accessClaims, authClientFor, claimsOf, setRolesInDatabase, startAuthStack, testSigningKey } from './support';

type Callback = (error: grpc.ServiceError | null, response?: unknown) => void;
type RawClient = grpc.Client & Record<string, (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: Callback) => void>;

/** A client of AuthService that sends whatever metadata it is given, nothing more. */
function rawClient(address: string): RawClient {
  const Ctor = grpc.makeGenericClientConstructor(authServiceDefinition(), 'AuthService');
  return new Ctor(address, grpc.credentials.createInsecure()) as unknown as RawClient;
}

function rawCall(client: RawClient, method: string, request: unknown, metadata = new grpc.Metadata()): Promise<unknown> {
  return new Promise((resolve, reject) =>
    client[method](request, metadata, { deadline: Date.now() + 3000 }, (error, response) => (error ? reject(error) : resolve(response))),
  );
}

async function grpcCode(promise: Promise<unknown>): Promise<grpc.status | 'OK'> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    return (error as grpc.ServiceError).code;
  }
}


/** A stand-in AuthService whose GetUsers does what the test says, counting calls. */
async function fakeAuthServer(
  getUsers: (call: number, callback: Callback) => void,
  port = 0,
): Promise<{ port: number; calls: () => number; stop(): Promise<void> }> {
  let calls = 0;
  const server = new grpc.Server();
  server.addService(authServiceDefinition(), {
    GetUsers: (_call: unknown, callback: Callback) => getUsers(++calls, callback),
    VerifyAccessToken: (_call: unknown, callback: Callback) => callback({ code: grpc.status.UNIMPLEMENTED } as grpc.ServiceError),
  });
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return {
    port: bound,
    calls: () => calls,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

describe('auth over gRPC', () => {
  let stack: Stack;
  let client: AuthClient;
  let ada: TestUser;
  let bob: TestUser;
  const key = testSigningKey();
  beforeAll(async () => {
    stack = await startAuthStack({ env: { JWT_PRIVATE_KEY: key.privatePem } });
    client = authClientFor(stack);
    ada = await registerUser(stack);
    bob = await registerUser(stack);
  });
  afterAll(async () => {
    client.close();
    await stack.stop();
  });

  describe('GetUsers', () => {
    it('looks up many users in one call, listing the ids it does not know', async () => {
      const missing = randomUUID();
      const res = await client.getUsers([ada.id, missing, bob.id, 'not-a-uuid', ada.id]);
      expect(res.users).toEqual([
        { id: ada.id, username: ada.username, displayName: `Display ${ada.username}`, avatarUrl: '', banned: false, roles: ['USER'] },
        { id: bob.id, username: bob.username, displayName: `Display ${bob.username}`, avatarUrl: '', banned: false, roles: ['USER'] },
      ]);
      expect(res.missingIds).toEqual([missing, 'not-a-uuid']);
      expect(await client.getUsers([])).toEqual({ users: [], missingIds: [] });
    });

    it('reports bans, roles and profile changes', async () => {
      const eve = await registerUser(stack);
      const admin = await registerUser(stack);
      await setRolesInDatabase(stack, admin.id, ['USER', 'ADMIN']);
      await gql(stack.gatewayUrl, `mutation($u: ID!) { banUser(userId: $u) { id } }`, { u: eve.id }, { token: admin.accessToken });
      await gql(stack.gatewayUrl, `mutation { updateProfile(input: { avatarUrl: "https://img.example/a.png" }) { id } }`, {}, {
        token: admin.accessToken,
      });
      const { users } = await client.getUsers([eve.id, admin.id]);
      expect(users.map((u) => [u.id, u.banned, u.roles, u.avatarUrl])).toEqual([
        [eve.id, true, ['USER'], ''],
        [admin.id, false, ['USER', 'ADMIN'], 'https://img.example/a.png'],
      ]);
    });

    it('refuses more than 1000 ids with INVALID_ARGUMENT', async () => {
      const ids = Array.from({ length: 1001 }, () => randomUUID());
      expect(await grpcCode(client.getUsers(ids))).toBe(grpc.status.INVALID_ARGUMENT);
    });
  });

  describe('VerifyAccessToken', () => {
    it('accepts a valid token and says whose it is', async () => {
      const res = await client.verifyAccessToken(ada.accessToken);
      const claims = claimsOf(ada.accessToken);
      expect(res).toEqual({ valid: true, userId: ada.id, sessionId: claims.sid, roles: ['USER'], expiresAt: claims.exp, reason: '' });
    });

    it('refuses an expired token', async () => {
      const now = Math.floor(Date.now() / 1000);
      const expired = await key.sign(accessClaims({ sub: ada.id, sid: claimsOf(ada.accessToken).sid, iat: now - 960, exp: now - 60 }));
      expect(await client.verifyAccessToken(expired)).toMatchObject({ valid: false, reason: 'expired', userId: '' });
    });

    it('refuses the token of an ended session', async () => {
      const carl = await registerUser(stack);
      await gql(stack.gatewayUrl, LOGOUT, { t: carl.refreshToken });
      expect(await client.verifyAccessToken(carl.accessToken)).toMatchObject({ valid: false, reason: 'revoked', userId: '' });
    });

    it('refuses a token with a valid signature for a session that never existed', async () => {
      const forged = await key.sign(accessClaims({ sub: ada.id }));
      expect(await client.verifyAccessToken(forged)).toMatchObject({ valid: false, reason: 'revoked' });
    });

    it('refuses tampered, foreign, unsigned and malformed tokens', async () => {
      const [header, payload, signature] = ada.accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const tampered = [header, Buffer.from(JSON.stringify({ ...claims, roles: ['USER', 'ADMIN'] })).toString('base64url'), signature].join('.');
      const foreign = await testSigningKey().sign(claims);
      const unsigned = [Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url'), payload, ''].join('.');
      expect(await client.verifyAccessToken(tampered)).toMatchObject({ valid: false, reason: 'bad_signature' });
      expect(await client.verifyAccessToken(foreign)).toMatchObject({ valid: false, reason: 'bad_signature' });
      expect(await client.verifyAccessToken(unsigned)).toMatchObject({ valid: false, reason: 'malformed' });
      expect(await client.verifyAccessToken('')).toMatchObject({ valid: false, reason: 'malformed' });
      expect(await client.verifyAccessToken('a.b.c')).toMatchObject({ valid: false, reason: 'malformed' });
    });
  });

  describe('service credential', () => {
    let raw: RawClient;
    beforeAll(() => {
      raw = rawClient(stack.authGrpcAddress);
    });
    afterAll(() => raw.close());

    it.each(['getUsers', 'verifyAccessToken'])('%s without the credential is refused with UNAUTHENTICATED', async (method) => {
      const request = method === 'getUsers' ? { ids: [ada.id] } : { accessToken: ada.accessToken };
      expect(await grpcCode(rawCall(raw, method, request))).toBe(grpc.status.UNAUTHENTICATED);
      for (const wrong of ['x', stack.env.serviceToken.slice(0, -1) + (stack.env.serviceToken.endsWith('A') ? 'B' : 'A'), `${stack.env.serviceToken}x`]) {
        const metadata = new grpc.Metadata();
        metadata.set(SERVICE_TOKEN_METADATA, wrong);
        expect(await grpcCode(rawCall(raw, method, request, metadata))).toBe(grpc.status.UNAUTHENTICATED);
      }
      const right = new grpc.Metadata();
      right.set(SERVICE_TOKEN_METADATA, stack.env.serviceToken);
      expect(await grpcCode(rawCall(raw, method, request, right))).toBe('OK');
    });
  });

  describe('standard health service', () => {
    it('answers SERVING for the server and for AuthService, without a credential (for probes)', async () => {
      const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String })) as any;
      const health = new pkg.grpc.health.v1.Health(stack.authGrpcAddress, grpc.credentials.createInsecure());
      const check = (service: string) =>
        new Promise<{ status: string }>((resolve, reject) =>
          health.Check({ service }, (error: Error | null, res: { status: string }) => (error ? reject(error) : resolve(res))),
        );
      try {
        expect(await check('')).toEqual({ status: 'SERVING' });
        expect(await check('aether.auth.v1.AuthService')).toEqual({ status: 'SERVING' });
        expect(await grpcCode(check('no.such.Service'))).toBe(grpc.status.NOT_FOUND);
      } finally {
        health.close();
      }
    });
  });
});

describe('the typed AuthClient', () => {
  const ok = { users: [], missingIds: [] };

  it('retries UNAVAILABLE and gets the answer', async () => {
    const server = await fakeAuthServer((call, callback) =>
      call < 3 ? callback({ code: grpc.status.UNAVAILABLE, details: 'starting' } as grpc.ServiceError) : callback(null, ok),
    );
    const client = new AuthClient({ address: `127.0.0.1:${server.port}`, serviceToken: 'x'.repeat(32) });
    try {
      expect(await client.getUsers(['a'])).toEqual(ok);
      expect(server.calls()).toBe(3);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('does not retry other errors', async () => {
    const server = await fakeAuthServer((_call, callback) => callback({ code: grpc.status.INTERNAL, details: 'boom' } as grpc.ServiceError));
    const client = new AuthClient({ address: `127.0.0.1:${server.port}`, serviceToken: 'x'.repeat(32) });
    try {
      expect(await grpcCode(client.getUsers(['a']))).toBe(grpc.status.INTERNAL);
      expect(server.calls()).toBe(1);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('gives up at its deadline when the server does not answer', async () => {
    const server = await fakeAuthServer(() => undefined);
    const client = new AuthClient({ address: `127.0.0.1:${server.port}`, serviceToken: 'x'.repeat(32), deadlineMs: 300 });
    try {
      expect(await grpcCode(client.getUsers(['a']))).toBe(grpc.status.DEADLINE_EXCEEDED);
    } finally {
      client.close();
      await server.stop();
    }
  });

  it('reaches a server that starts after the call was made', async () => {
    const port = await freePort();
    const client = new AuthClient({ address: `127.0.0.1:${port}`, serviceToken: 'x'.repeat(32), deadlineMs: 5000 });
    let server: Awaited<ReturnType<typeof fakeAuthServer>> | undefined;
    try {
      const answer = client.getUsers(['a']);
      await new Promise((resolve) => setTimeout(resolve, 300));
      server = await fakeAuthServer((_call, callback) => callback(null, ok), port);
      expect(await answer).toEqual(ok);
    } finally {
      client.close();
      await server?.stop();
    }
  });

  it('fails at its deadline, not later, when nothing ever listens', async () => {
    const port = await freePort();
    const client = new AuthClient({ address: `127.0.0.1:${port}`, serviceToken: 'x'.repeat(32), deadlineMs: 300 });
    try {
      expect(await grpcCode(client.getUsers(['a']))).toBe(grpc.status.DEADLINE_EXCEEDED);
    } finally {
      client.close();
    }
  });

  it('finds the server again after it restarts', async () => {
    let server = await fakeAuthServer((_call, callback) => callback(null, ok));
    const port = server.port;
    const client = new AuthClient({ address: `127.0.0.1:${port}`, serviceToken: 'x'.repeat(32), deadlineMs: 5000 });
    try {
      expect(await client.getUsers(['a'])).toEqual(ok);
      await server.stop();
      const answer = client.getUsers(['a']);
      await new Promise((resolve) => setTimeout(resolve, 200));
      server = await fakeAuthServer((_call, callback) => callback(null, ok), port);
      expect(await answer).toEqual(ok);
    } finally {
      client.close();
      await server.stop();
    }
  });
});
