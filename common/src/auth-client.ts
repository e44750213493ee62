import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { repoRoot } from './config';

export const AUTH_PROTO_PATH = join(repoRoot, 'proto', 'auth', 'v1', 'auth.proto');
export const AUTH_SERVICE_NAME = 'aether.auth.v1.AuthService';
/** Metadata entry that carries the shared service credential on every internal call. */
export const SERVICE_TOKEN_METADATA = 'x-service-token';

/** A user as other services see it through gRPC. */
export interface UserSummary {
  id: string;
  username: string;
  displayName: string;
  avatarUrl: string;
  banned: boolean;
  roles: string[];
}

export interface GetUsersResult {
  users: UserSummary[];
  missingIds: string[];
}

export interface VerifyAccessTokenResult {
  valid: boolean;
  userId: string;
  sessionId: string;
  roles: string[];
  expiresAt: number;
  reason: string;
}

let definition: grpc.GrpcObject | undefined;

/** The loaded `aether.auth.v1` package, shared by the server and every client. */
export function authProto(): grpc.GrpcObject {
  definition ??= grpc.loadPackageDefinition(
    protoLoader.loadSync(AUTH_PROTO_PATH, { keepCase: false, longs: Number, enums: String, defaults: true, arrays: true }),
  );
  return definition;
}

export function authServiceDefinition(): grpc.ServiceDefinition {
  const pkg = authProto() as unknown as { aether: { auth: { v1: { AuthService: grpc.ServiceClientConstructor } } } };
  return pkg.aether.auth.v1.AuthService.service;
}

// Retries are grpc-js's own (gRFC A6): only UNAVAILABLE, with backoff, never past the deadline.
// waitForReady: while auth is unreachable a call waits for it, up to the deadline, instead of failing at once.
const SERVICE_CONFIG = JSON.stringify({
  methodConfig: [
    {
      name: [{ service: AUTH_SERVICE_NAME }],
      waitForReady: true,
      retryPolicy: {
        maxAttempts: 4,
        initialBackoff: '0.1s',
        maxBackoff: '1s',
        backoffMultiplier: 2,
        retryableStatusCodes: ['UNAVAILABLE'],
      },
    },
  ],
});

export interface AuthClientOptions {
  /** host:port of auth's gRPC server. */
  address: string;
  serviceToken: string;
  /** Per-call deadline in milliseconds (waiting for a connection and retries included). */
  deadlineMs?: number;
}

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/**
 * Typed client for auth's gRPC API, with the service credential, deadlines and retries built in:
 * a call waits for a connection (auth starting or restarting) and retries UNAVAILABLE answers,
 * all within one deadline.
 */
export class AuthClient {
  private readonly client: grpc.Client;
  private readonly deadlineMs: number;
  private readonly metadata: grpc.Metadata;

  constructor(options: AuthClientOptions) {
    const Ctor = grpc.makeGenericClientConstructor(authServiceDefinition(), 'AuthService');
    this.client = new Ctor(options.address, grpc.credentials.createInsecure(), {
      'grpc.service_config': SERVICE_CONFIG,
      'grpc.enable_retries': 1,
      'grpc.keepalive_time_ms': 30_000,
      // Auth restarting (a deploy) should cost a blip, not the default backoff of up to two minutes.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2000,
    });
    this.deadlineMs = options.deadlineMs ?? 3000;
    this.metadata = new grpc.Metadata();
    this.metadata.set(SERVICE_TOKEN_METADATA, options.serviceToken);
  }

  private call<Req, Res>(method: string, request: Req): Promise<Res> {
    const fn = (this.client as unknown as Record<string, UnaryMethod<Req, Res>>)[method].bind(this.client);
    return new Promise((resolve, reject) => {
      fn(request, this.metadata, { deadline: Date.now() + this.deadlineMs }, (error, response) =>
        error ? reject(error) : resolve(response),
      );
    });
  }

  getUsers(ids: string[]): Promise<GetUsersResult> {
    return this.call('getUsers', { ids });
  }

  verifyAccessToken(accessToken: string): Promise<VerifyAccessTokenResult> {
    return this.call('verifyAccessToken', { accessToken });
  }

  close(): void {
    this.client.close();
  }
}
