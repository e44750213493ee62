import type { Viewer } from './authn';

/** What the gateway knows about one operation's caller. */
export interface GatewayContext {
  viewer?: Viewer;
  clientIp: string;
  requestId: string;
}
