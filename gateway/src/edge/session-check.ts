import type { Authenticator } from '../authn';
import type { GatewayContext } from '../context';
import type { AdmissionRequest, EdgeCheck } from './admission';

/**
 * Every operation of a signed-in caller runs only while its session lives: one revocation
 * lookup per operation, whether it came over HTTP or over a socket opened before the session
 * ended (logout, logoutAll, ban, role taken back). The operations of one batched HTTP request
 * share their context, and so one lookup.
 */
export function sessionCheck(authenticator: Authenticator): EdgeCheck {
  const checked = new WeakMap<GatewayContext, Promise<void>>();
  return {
    name: 'session',
    admit: ({ context }: AdmissionRequest) => {
      const { viewer } = context;
      if (!viewer) return;
      let check = checked.get(context);
      if (!check) checked.set(context, (check = authenticator.ensureLive(viewer)));
      return check;
    },
  };
}
