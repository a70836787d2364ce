import { isIP } from 'node:net';

/**
 * The address a request comes from, the unit of the per-client limits. Behind reverse proxies (TRUSTED_PROXIES)
 * the peer is a proxy, and X-Forwarded-For lists the addresses the request passed through, each proxy appending
 * the peer it saw: it is read from the right, past the trusted proxies, and the first address no trusted proxy
 * owns is the client's. Anything further left was written by the client itself, so it is never read; nor is the
 * header at all when the peer is not a trusted proxy (anyone can send it).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: ReadonlySet<string>): string {
  let address = normalize(peer ?? '');
  if (trustedProxies.size === 0) return address;
  const hops = [forwardedFor ?? []].flat().join(',').split(',').map((hop) => normalize(hop.trim()));
  while (trustedProxies.has(address)) {
    const hop = hops.pop();
    if (!hop || isIP(hop) === 0) break; // a proxy that forwards no (valid) address: the proxy is all we know
    address = hop;
  }
  return address;
}

/** One spelling per address: an IPv4 client of a dual-stack socket appears as ::ffff:a.b.c.d. */
export function normalize(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1] : address.toLowerCase();
}
