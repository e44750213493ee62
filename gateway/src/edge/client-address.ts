import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import proxyAddr from 'proxy-addr';

/** Whether the hop `i` away from the gateway (0: the peer itself), at `address`, is a proxy whose `X-Forwarded-For` is believed. */
export type TrustedProxies = (address: string, hop: number) => boolean;

/**
 * The `TRUSTED_PROXIES` setting, read the way Express reads `trust proxy`: a number of proxy
 * hops in front of the gateway (`1`: one load balancer), or addresses and CIDR ranges
 * (`10.0.0.0/8, 192.168.1.7`, and proxy-addr's names `loopback`, `linklocal`, `uniquelocal`).
 * `0` (or an empty setting) trusts nobody: the peer's own address is the client's. Throws on an entry
 * that is not an address or range.
 */
export function trustedProxies(setting: string): TrustedProxies {
  const trimmed = setting.trim();
  if (/^\d+$/.test(trimmed)) {
    const hops = Number(trimmed);
    return (_address, hop) => hop < hops;
  }
  const entries = trimmed.split(',').map((s) => s.trim()).filter(Boolean);
  return entries.length ? proxyAddr.compile(entries) : () => false;
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * The client's address, for HTTP requests and WebSocket upgrades alike: the nearest address
 * in `X-Forwarded-For` that a trusted proxy vouched for. What a proxy passed on is used only
 * when it is an IP address; otherwise (garbage, an oversized value) the proxy that passed it
 * on is taken as the client, so that no header can make the address, and the identity the
 * gateway signs for subgraphs with it, anything but a plain address.
 */
export function clientAddress(request: IncomingMessage, trust: TrustedProxies): string {
  let chain: string[];
  try {
    chain = proxyAddr.all(request, trust);
  } catch {
    chain = [request.socket.remoteAddress ?? ''];
  }
  let address = chain[chain.length - 1] ?? '';
  if (!isIP(address) && chain.length > 1) address = chain[chain.length - 2];
  if (!isIP(address)) return 'unknown';
  return MAPPED_IPV4.exec(address)?.[1] ?? address;
}
