import { clientAddress } from './client-address';

const PROXY = new Set(['10.0.0.2']);
const TWO_PROXIES = new Set(['10.0.0.2', '10.0.0.3']);
const NONE = new Set<string>();

describe(clientAddress.name, () => {
  test.each([
    ['no trusted proxy: the peer, whatever the header says', '203.0.113.7', '198.51.100.1', NONE, '203.0.113.7'],
    ['a peer that is not a trusted proxy: its header is not read', '203.0.113.7', '198.51.100.1', PROXY, '203.0.113.7'],
    ['behind the trusted proxy: the address it forwarded', '10.0.0.2', '198.51.100.1', PROXY, '198.51.100.1'],
    // A client can write anything into the header; the proxy appends the peer it saw, so the right end is the truth.
    ['a forged header left of the real address is not read', '10.0.0.2', '1.2.3.4, 198.51.100.1', PROXY, '198.51.100.1'],
    ['through two trusted proxies', '10.0.0.3', '198.51.100.1, 10.0.0.2', TWO_PROXIES, '198.51.100.1'],
    ['header lines as an array (one per proxy)', '10.0.0.3', ['198.51.100.1', '10.0.0.2'], TWO_PROXIES, '198.51.100.1'],
    ['a trusted proxy forwarding nothing: the proxy is all we know', '10.0.0.2', undefined, PROXY, '10.0.0.2'],
    ['a trusted proxy forwarding garbage: the proxy is all we know', '10.0.0.2', 'unknown', PROXY, '10.0.0.2'],
    ['an IPv4 peer of a dual-stack socket has one spelling', '::ffff:10.0.0.2', '::FFFF:198.51.100.1', PROXY, '198.51.100.1'],
    ['IPv6 in lower case', '2001:DB8::1', undefined, NONE, '2001:db8::1'],
  ])('%s', (_, peer, forwarded, trusted, expected) => {
    expect(clientAddress(peer, forwarded, trusted)).toBe(expected);
  });
});
