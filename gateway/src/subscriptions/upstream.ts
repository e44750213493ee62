import { signIdentity, type Logger } from '@aether/common';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/**
 * One graphql-ws connection per subgraph, shared by every client subscription the gateway
 * forwards there (multiplexed). The connection itself proves it is the gateway; each
 * subscription carries its own signed identity in `extensions`. Reconnecting is left to the
 * callers (retryAttempts 0): only they know the seq to resume from.
 */
export class UpstreamConnections {
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly secret: string,
    private readonly urlOf: (serviceName: string) => string,
    private readonly logger: Logger,
  ) {}

  client(serviceName: string): Client {
    let client = this.clients.get(serviceName);
    if (!client) {
      const url = this.urlOf(serviceName).replace(/^http/, 'ws');
      client = createClient({
        url,
        webSocketImpl: WebSocket,
        // Opened with the first subscription, closed shortly after the last (no lingering timer on
        // shutdown); the grace keeps it open while a replaying subscription pauses between windows.
        lazy: true,
        lazyCloseTimeout: 1000,
        retryAttempts: 0,
        keepAlive: 10_000,
        // A fresh signature on every (re)connect: signed identities expire.
        connectionParams: () => ({ identity: signIdentity(this.secret, { roles: [] }) }),
        on: {
          connected: () => this.logger.debug('upstream subscription socket open', { subgraph: serviceName }),
          closed: (event) =>
            this.logger.debug('upstream subscription socket closed', { subgraph: serviceName, code: (event as { code?: number })?.code }),
        },
      });
      this.clients.set(serviceName, client);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.dispose()));
    this.clients.clear();
  }
}
