/**
 * The Kubernetes CEL CIDR library (k8s.io/apiserver/pkg/cel/library/cidr.go): `cidr(string)`,
 * `isCIDR(string)`, `string(cidr)` and the `net.CIDR` methods `containsIP(ip|string)
 * containsCIDR(cidr|string) ip() masked() prefixLength()`. Host bits after the prefix are
 * allowed and kept (`cidr('10.0.0.1/8').ip()` is `10.0.0.1`); `==` compares address and length,
 * so `cidr('10.0.0.1/8') != cidr('10.0.0.0/8')`.
 */
import { celFunc, celMethod, CelScalar, type CelFunc } from '@bufbuild/cel';
import { parseIP, parses } from './ip-lib.js';
import { CIDR_TYPE, cidrOf, cidrValue, IP_TYPE, ipOf, ipValue } from './kube-types.js';
import { goQuote, is4In6, maskedPrefix, parsePrefix, prefixContains, prefixContainsPrefixUpstream, prefixString, type Prefix } from './netip.js';

const { STRING, BOOL, INT } = CelScalar;

/** Upstream's `stringToCIDR` ∘ `parseCIDR`, including its doubled error prefix. */
function parseCIDR(s: string): Prefix {
  const prefix = 'network address parse error during conversion from string: ';
  let p: Prefix;
  try {
    p = parsePrefix(s);
  } catch (e) {
    throw new Error(prefix + prefix + (e as Error).message);
  }
  if (is4In6(p.addr)) throw new Error(`${prefix}IPv4-mapped IPv6 address ${goQuote(s)} is not allowed`);
  return p;
}

export const cidrFuncs: CelFunc[] = [
  celFunc('cidr', [STRING], CIDR_TYPE, (s) => cidrValue(parseCIDR(s))),
  celFunc('isCIDR', [STRING], BOOL, (s) => parses(parseCIDR, s)),
  celFunc('string', [CIDR_TYPE], STRING, (c) => prefixString(cidrOf(c))),
  celMethod('containsIP', CIDR_TYPE, [IP_TYPE], BOOL, function (ip) {
    return prefixContains(cidrOf(this), ipOf(ip));
  }),
  celMethod('containsIP', CIDR_TYPE, [STRING], BOOL, function (s) {
    return prefixContains(cidrOf(this), parseIP(s));
  }),
  celMethod('containsCIDR', CIDR_TYPE, [CIDR_TYPE], BOOL, function (other) {
    return prefixContainsPrefixUpstream(cidrOf(this), cidrOf(other));
  }),
  celMethod('containsCIDR', CIDR_TYPE, [STRING], BOOL, function (s) {
    return prefixContainsPrefixUpstream(cidrOf(this), parseCIDR(s));
  }),
  celMethod('ip', CIDR_TYPE, [], IP_TYPE, function () {
    return ipValue(cidrOf(this).addr);
  }),
  celMethod('masked', CIDR_TYPE, [], CIDR_TYPE, function () {
    return cidrValue(maskedPrefix(cidrOf(this)));
  }),
  celMethod('prefixLength', CIDR_TYPE, [], INT, function () {
    return BigInt(cidrOf(this).bits);
  }),
];
