/**
 * The Kubernetes CEL IP library (k8s.io/apiserver/pkg/cel/library/ip.go): `ip(string)`,
 * `isIP(string)`, `ip.isCanonical(string)`, `string(ip)` and the `net.IP` methods `family()
 * isUnspecified() isLoopback() isLinkLocalMulticast() isLinkLocalUnicast() isGlobalUnicast()`.
 * Addresses with a zone and IPv4-mapped IPv6 addresses are rejected; `==` compares addresses.
 */
import { celFunc, celMethod, CelScalar, type CelFunc } from '@bufbuild/cel';
import { IP_TYPE, ipOf, ipValue } from './kube-types.js';
import {
  addrString,
  goQuote,
  is4,
  is4In6,
  isGlobalUnicast,
  isLinkLocalMulticast,
  isLinkLocalUnicast,
  isLoopback,
  isUnspecified,
  parseAddr,
  type Addr,
} from './netip.js';

const { STRING, BOOL, INT } = CelScalar;

/** Upstream's `parseIPAddr`: netip parsing plus the zone and IPv4-mapped rejections, with its error texts. */
export function parseIP(s: string): Addr {
  let addr: Addr;
  try {
    addr = parseAddr(s);
  } catch (e) {
    throw new Error(`IP Address ${goQuote(s)} parse error during conversion from string: ${(e as Error).message}`);
  }
  if (addr.zone !== '') throw new Error(`IP address ${goQuote(s)} with zone value is not allowed`);
  if (is4In6(addr)) throw new Error(`IPv4-mapped IPv6 address ${goQuote(s)} is not allowed`);
  return addr;
}

/** Whether `parse(s)` succeeds (the `isIP`/`isCIDR`/`isURL` pattern). */
export function parses(parse: (s: string) => unknown, s: string): boolean {
  try {
    parse(s);
    return true;
  } catch {
    return false;
  }
}

/** A `net.IP` method returning a predicate of the address. */
function predicate(name: string, test: (a: Addr) => boolean): CelFunc {
  return celMethod(name, IP_TYPE, [], BOOL, function () {
    return test(ipOf(this));
  });
}

export const ipFuncs: CelFunc[] = [
  celFunc('ip', [STRING], IP_TYPE, (s) => ipValue(parseIP(s))),
  celFunc('isIP', [STRING], BOOL, (s) => parses(parseIP, s)),
  celFunc('ip.isCanonical', [STRING], BOOL, (s) => addrString(parseIP(s)) === s),
  celFunc('string', [IP_TYPE], STRING, (ip) => addrString(ipOf(ip))),
  celMethod('family', IP_TYPE, [], INT, function () {
    return is4(ipOf(this)) ? 4n : 6n;
  }),
  predicate('isUnspecified', isUnspecified),
  predicate('isLoopback', isLoopback),
  predicate('isLinkLocalMulticast', isLinkLocalMulticast),
  predicate('isLinkLocalUnicast', isLinkLocalUnicast),
  predicate('isGlobalUnicast', isGlobalUnicast),
];
