import type { IncomingMessage } from 'node:http';
import { TRUSTED_PROXIES } from '@aether/common';
import proxyAddr from 'proxy-addr';

const trusted = proxyAddr.compile(TRUSTED_PROXIES.split(',').map((s) => s.trim()));

/**
 * The client's address for a request Express does not see (a WebSocket upgrade), decided the
 * way Express decides `req.ip`, so that a client has one address for HTTP and WebSocket limits.
 */
export function clientAddress(request: IncomingMessage): string {
  return proxyAddr(request as never, trusted) || 'unknown';
}
