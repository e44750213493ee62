import { REQUEST_ID_HEADER, IDENTITY_HEADER, signIdentity } from '@aether/common';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayContext } from './context';

/**
 * Fetches from one subgraph with the caller's identity signed by the gateway (the only party
 * holding the secret) and the request id. Nothing else from the client's request is forwarded,
 * so identity headers a client makes up never reach a subgraph.
 */
export class SignedIdentityDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly secret: string,
    timeoutMs: number,
  ) {
    super({
      url,
      fetcher: ((input: string, init: RequestInit) =>
        fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as never,
    });
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http!.headers;
    const viewer = context?.viewer;
    headers.set(
      IDENTITY_HEADER,
      signIdentity(this.secret, {
        userId: viewer?.userId,
        roles: viewer?.roles ?? [],
        sessionId: viewer?.sessionId,
        clientIp: context?.clientIp,
      }),
    );
    if (context?.requestId) headers.set(REQUEST_ID_HEADER, context.requestId);
  }
}
