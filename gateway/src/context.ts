import type { Viewer } from './authn';

/** What the gateway knows about one operation's caller. */
export interface GatewayContext {
  viewer?: Viewer;
  clientIp: string;
  requestId: string;
  /** Set by the graphql-ws server on operations it has admitted already (see edge/admission.ts). */
  admitted?: boolean;
}
