import { describe, it, expect } from 'vitest';
import { isCelError } from '@bufbuild/cel';
import { compileExpression, compileSelector, CelCompileError, CelRuntimeError, type CelOptions } from '../../src/compile/cel/index.js';
import { Inventory } from '../../src/compile/inventory.js';
import { SelectorMasks } from '../../src/compile/selectors.js';
import { dev, slice } from './objects.js';

// Expected values below are worked out by hand from Go's net/netip and net/url rules and the
// upstream library doc comments (k8s.io/apiserver/pkg/cel/library ip.go, cidr.go, urls.go).

const OPTS: CelOptions = { consumableCapacity: false, listTypeAttributes: false };

/** Value of a variable-free expression (bigints for ints); a runtime error's message is thrown. */
function value(expression: string): unknown {
  const result = compileExpression(expression, OPTS, new Map())({});
  if (isCelError(result)) throw new Error(result.message);
  return result;
}

function runtimeError(expression: string): string {
  try {
    compileSelector(expression, OPTS).evaluate(dev('d'), 'gpu.example.com');
  } catch (e) {
    expect(e).toBeInstanceOf(CelRuntimeError);
    return (e as Error).message;
  }
  throw new Error(`expected a runtime error from ${expression}`);
}

function compileError(expression: string): string {
  try {
    compileSelector(expression, OPTS);
  } catch (e) {
    expect(e).toBeInstanceOf(CelCompileError);
    return (e as Error).message;
  }
  throw new Error(`expected a compile error from ${expression}`);
}

describe('ip()', () => {
  it('parses IPv4 and IPv6 and prints the canonical form', () => {
    expect(value("string(ip('127.0.0.1'))")).toBe('127.0.0.1');
    expect(value("string(ip('2001:DB8:0:0:0:0:0:ABCD'))")).toBe('2001:db8::abcd');
    // RFC 5952: the first of two equally long zero runs is compressed; a single 0 group is not.
    expect(value("string(ip('1:0:0:2:0:0:3:4'))")).toBe('1::2:0:0:3:4');
    expect(value("string(ip('1:0:2:3:4:5:6:7'))")).toBe('1:0:2:3:4:5:6:7');
    expect(value("string(ip('::'))")).toBe('::');
    expect(value("string(ip('::1.2.3.4'))")).toBe('::102:304');
  });

  it('family() is 4 or 6', () => {
    expect(value("ip('10.0.0.1').family()")).toBe(4n);
    expect(value("ip('fe80::1').family()")).toBe(6n);
  });

  it('== compares addresses, not spellings', () => {
    expect(value("ip('2001:db8::1') == ip('2001:0db8:0:0::1')")).toBe(true);
    expect(value("ip('10.0.0.1') == ip('10.0.0.2')")).toBe(false);
    expect(value("ip('::') != ip('0.0.0.0')")).toBe(true);
  });

  it('address classes follow net/netip', { timeout: 60_000 }, () => {
    const cases: [string, string, boolean][] = [
      ['0.0.0.0', 'isUnspecified', true],
      ['::', 'isUnspecified', true],
      ['::1', 'isUnspecified', false],
      ['127.255.0.9', 'isLoopback', true],
      ['::1', 'isLoopback', true],
      ['::2', 'isLoopback', false],
      ['224.0.0.251', 'isLinkLocalMulticast', true],
      ['224.0.1.1', 'isLinkLocalMulticast', false],
      ['ff02::1', 'isLinkLocalMulticast', true],
      ['ff12::1', 'isLinkLocalMulticast', true], // flag nibble ignored (mask ff0f)
      ['ff05::1', 'isLinkLocalMulticast', false],
      ['169.254.169.254', 'isLinkLocalUnicast', true],
      ['169.253.0.1', 'isLinkLocalUnicast', false],
      ['febf::1', 'isLinkLocalUnicast', true], // fe80::/10 ends at febf
      ['fec0::1', 'isLinkLocalUnicast', false],
      ['192.168.0.1', 'isGlobalUnicast', true], // private ranges count as global
      ['255.255.255.255', 'isGlobalUnicast', false],
      ['239.1.1.1', 'isGlobalUnicast', false],
      ['2001:db8::abcd', 'isGlobalUnicast', true],
      ['fd00::1', 'isGlobalUnicast', true],
      ['ff00::1', 'isGlobalUnicast', false],
      ['fe80::1', 'isGlobalUnicast', false],
    ];
    for (const [addr, method, expected] of cases) {
      expect(value(`ip('${addr}').${method}()`), `${addr}.${method}`).toBe(expected);
    }
  });

  it('isIP and ip.isCanonical', () => {
    expect(value("isIP('127.0.0.1')")).toBe(true);
    expect(value("isIP('::1')")).toBe(true);
    expect(value("isIP('127.0.0.256')")).toBe(false);
    expect(value("isIP(':::1')")).toBe(false);
    expect(value("isIP('::ffff:1.2.3.4')")).toBe(false);
    expect(value("isIP('fe80::1%eth0')")).toBe(false);
    expect(value("isIP('010.0.0.1')")).toBe(false);
    expect(value("ip.isCanonical('127.0.0.1')")).toBe(true);
    expect(value("ip.isCanonical('2001:db8::abcd')")).toBe(true);
    expect(value("ip.isCanonical('2001:DB8::ABCD')")).toBe(false);
    expect(value("ip.isCanonical('2001:db8::0:0:0:abcd')")).toBe(false);
  });

  it('invalid input is a runtime error with the upstream text', () => {
    const prefix = (s: string) => `IP Address "${s}" parse error during conversion from string: ParseAddr("${s}"): `;
    expect(runtimeError("ip('1.2.3') == ip('1.2.3.4')")).toBe(prefix('1.2.3') + 'IPv4 address too short');
    expect(runtimeError("ip('127.0.0.256').isLoopback()")).toBe(prefix('127.0.0.256') + 'IPv4 field has value >255');
    expect(runtimeError("ip('01.2.3.4').isLoopback()")).toBe(prefix('01.2.3.4') + 'IPv4 field has octet with leading zero');
    expect(runtimeError("ip('1.2..4').isLoopback()")).toBe(prefix('1.2..4') + 'IPv4 field must have at least one digit (at ".4")');
    expect(runtimeError("ip(':::1').isLoopback()")).toBe(prefix(':::1') + 'each colon-separated field must have at least one digit (at ":1")');
    expect(runtimeError("ip('1::2::3').isLoopback()")).toBe(prefix('1::2::3') + 'multiple :: in address (at ":3")');
    expect(runtimeError("ip('12345::').isLoopback()")).toBe(prefix('12345::') + 'each group must have 4 or less digits (at "12345::")');
    expect(runtimeError("ip('1:2:3:4:5:6:7').isLoopback()")).toBe(prefix('1:2:3:4:5:6:7') + 'address string too short');
    expect(runtimeError("ip('1:2:3:4::5:6:7:8').isLoopback()")).toBe(
      prefix('1:2:3:4::5:6:7:8') + 'the :: must expand to at least one field of zeros',
    );
    expect(runtimeError("ip('host').isLoopback()")).toBe(prefix('host') + 'unable to parse IP');
    expect(runtimeError("ip('fe80::1%eth0').isLoopback()")).toBe('IP address "fe80::1%eth0" with zone value is not allowed');
    expect(runtimeError("ip('::ffff:1.2.3.4').isLoopback()")).toBe('IPv4-mapped IPv6 address "::ffff:1.2.3.4" is not allowed');
  });

  it('wrong argument types are compile errors', () => {
    expect(compileError('ip(1) == ip(2)')).toContain("found no matching overload for 'ip' applied to '(int)'");
    expect(compileError("ip('1.2.3.4').prefixLength() == 1")).toContain("found no matching overload for 'prefixLength'");
  });
});

describe('cidr()', () => {
  it('parses, keeps host bits, masks on request', () => {
    expect(value("string(cidr('192.168.0.1/24'))")).toBe('192.168.0.1/24');
    expect(value("string(cidr('192.168.0.1/24').masked())")).toBe('192.168.0.0/24');
    // /36 keeps the top nibble of group 3 (0 in 0x0001); /35 keeps the top 3 bits of 0xffff (0xe000).
    expect(value("string(cidr('2001:db8:1:ffff::/36').masked())")).toBe('2001:db8::/36');
    expect(value("string(cidr('2001:db8:ffff:1::/35').masked())")).toBe('2001:db8:e000::/35');
    expect(value("string(cidr('10.1.2.3/12').ip())")).toBe('10.1.2.3');
    expect(value("cidr('::1/128').ip().family()")).toBe(6n);
    expect(value("cidr('192.168.0.0/16').prefixLength()")).toBe(16n);
    expect(value("cidr('0.0.0.0/0').prefixLength()")).toBe(0n);
  });

  it('== compares address and length', () => {
    expect(value("cidr('192.168.0.0/24') == cidr('192.168.0.0/24').masked()")).toBe(true);
    expect(value("cidr('192.168.0.1/24') == cidr('192.168.0.1/24').masked()")).toBe(false);
    expect(value("cidr('10.0.0.0/8') == cidr('10.0.0.0/9')")).toBe(false);
  });

  it('containsIP takes an IP or a string; families never mix', () => {
    expect(value("cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))")).toBe(true);
    expect(value("cidr('192.168.0.0/24').containsIP('192.168.1.1')")).toBe(false);
    expect(value("cidr('192.168.0.77/24').containsIP('192.168.0.200')")).toBe(true); // host bits of the CIDR ignored
    expect(value("cidr('10.0.0.0/12').containsIP('10.15.255.255')")).toBe(true);
    expect(value("cidr('10.0.0.0/12').containsIP('10.16.0.0')")).toBe(false);
    expect(value("cidr('2001:db8::/32').containsIP('2001:db8:ffff::1')")).toBe(true);
    expect(value("cidr('2001:db8::/32').containsIP('2001:dc8::1')")).toBe(false);
    expect(value("cidr('0.0.0.0/0').containsIP('::1')")).toBe(false);
    expect(value("cidr('::/0').containsIP('1.2.3.4')")).toBe(false);
  });

  it('containsCIDR follows upstream code: the inner address must be the outer network address', () => {
    expect(value("cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/25'))")).toBe(true);
    expect(value("cidr('192.168.0.0/24').containsCIDR('192.168.0.0/23')")).toBe(false);
    expect(value("cidr('192.168.0.9/24').containsCIDR('192.168.0.0/24')")).toBe(true); // outer is masked first
    expect(value("cidr('2001:db8::/32').containsCIDR('2001:db8::/33')")).toBe(true);
    expect(value("cidr('2001:db8::/32').containsCIDR(cidr('2001:db8::/31'))")).toBe(false);
    // upstream's doc comment says true; its code (Masked() == PrefixFrom(other.Addr(), bits)) says false.
    expect(value("cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')")).toBe(false);
  });

  it('isCIDR', () => {
    expect(value("isCIDR('192.168.0.0/16')")).toBe(true);
    expect(value("isCIDR('::1/128')")).toBe(true);
    expect(value("isCIDR('192.168.0.0/33')")).toBe(false);
    expect(value("isCIDR('::1/129')")).toBe(false);
    expect(value("isCIDR('10.0.0.0/08')")).toBe(false);
    expect(value("isCIDR('10.0.0.0')")).toBe(false);
    expect(value("isCIDR('::ffff:1.2.3.4/120')")).toBe(false);
  });

  it('invalid input is a runtime error with the upstream text (prefix doubled, as upstream)', () => {
    const prefix = 'network address parse error during conversion from string: ';
    expect(runtimeError("cidr('192.168.0.0/').prefixLength() == 1")).toBe(
      `${prefix}${prefix}netip.ParsePrefix("192.168.0.0/"): bad bits after slash: ""`,
    );
    expect(runtimeError("cidr('2001:db8::/129').prefixLength() == 1")).toBe(
      `${prefix}${prefix}netip.ParsePrefix("2001:db8::/129"): prefix length out of range`,
    );
    expect(runtimeError("cidr('10.0.0.0').prefixLength() == 1")).toBe(`${prefix}${prefix}netip.ParsePrefix("10.0.0.0"): no '/'`);
    expect(runtimeError("cidr('1.2.3/8').prefixLength() == 1")).toBe(
      `${prefix}${prefix}netip.ParsePrefix("1.2.3/8"): ParseAddr("1.2.3"): IPv4 address too short`,
    );
    expect(runtimeError("cidr('fe80::%eth0/64').prefixLength() == 1")).toBe(
      `${prefix}${prefix}netip.ParsePrefix("fe80::%eth0/64"): IPv6 zones cannot be present in a prefix`,
    );
    expect(runtimeError("cidr('10.0.0.0/8').containsIP('10.0.0')")).toBe(
      'IP Address "10.0.0" parse error during conversion from string: ParseAddr("10.0.0"): IPv4 address too short',
    );
  });
});

describe('url()', () => {
  const full = "url('https://user:pass@example.com:80/path?query=val#fragment')";

  it('returns the components', { timeout: 60_000 }, () => {
    expect(value(`${full}.getScheme()`)).toBe('https');
    expect(value(`${full}.getHost()`)).toBe('example.com:80');
    expect(value(`${full}.getHostname()`)).toBe('example.com');
    expect(value(`${full}.getPort()`)).toBe('80');
    expect(value(`${full}.getEscapedPath()`)).toBe('/path');
    expect(value(`${full}.getQuery() == {'query': ['val']}`)).toBe(true);
  });

  it('handles IPv6 hosts, missing parts and escaping', { timeout: 60_000 }, () => {
    expect(value("url('https://[::1]:80/').getHost()")).toBe('[::1]:80');
    expect(value("url('https://[::1]:80/').getHostname()")).toBe('::1');
    expect(value("url('https://[::1]/').getPort()")).toBe('');
    expect(value("url('/path').getScheme()")).toBe('');
    expect(value("url('/path').getHost()")).toBe('');
    expect(value("url('https://example.com').getEscapedPath()")).toBe('');
    expect(value("url('HTTP://example.com/').getScheme()")).toBe('http');
    expect(value("url('https://example.com/path with spaces/').getEscapedPath()")).toBe('/path%20with%20spaces/');
    expect(value("url('https://example.com/a%2Fb').getEscapedPath()")).toBe('/a%2Fb'); // valid escapes are kept
    expect(value("url('https://example.com/caf\u00e9').getEscapedPath()")).toBe('/caf%C3%A9');
  });

  it('getQuery decodes, groups repeated keys and skips bad pairs', () => {
    expect(value("url('https://example.com/path?k1=a&k2=b&k2=c').getQuery() == {'k1': ['a'], 'k2': ['b', 'c']}")).toBe(true);
    expect(value("url('https://example.com/path?key with spaces=value+with%20spaces').getQuery()['key with spaces']")).toEqual(
      value("['value with spaces']"),
    );
    expect(value("url('https://example.com/path?a=1;b=2&c&d=%zz').getQuery() == {'c': ['']}")).toBe(true);
    expect(value("url('https://example.com/path?').getQuery().size()")).toBe(0n);
    expect(value("url('https://example.com/path').getQuery().size()")).toBe(0n);
  });

  it('== compares the URLs', () => {
    expect(value("url('https://example.com/a?b') == url('https://example.com/a?b')")).toBe(true);
    expect(value("url('https://example.com/a') == url('https://example.com/a?')")).toBe(false);
  });

  it('isURL accepts absolute URIs and absolute paths only', () => {
    expect(value("isURL('https://user:pass@example.com:80/path?query=val#fragment')")).toBe(true);
    expect(value("isURL('/absolute-path')")).toBe(true);
    expect(value("isURL('mailto:someone@example.com')")).toBe(true); // opaque
    expect(value("isURL('https://a:b:c/')")).toBe(false);
    expect(value("isURL('../relative-path')")).toBe(false);
    expect(value("isURL('')")).toBe(false);
    expect(value("isURL('https://exa mple.com/')")).toBe(false);
  });

  it('invalid input is a runtime error with the upstream text', () => {
    const prefix = 'URL parse error during conversion from string: ';
    expect(runtimeError("url('https://a:b:c/').getHost() == ''")).toBe(`${prefix}parse "https://a:b:c/": invalid port ":c" after host`);
    expect(runtimeError("url('../relative-path').getHost() == ''")).toBe(`${prefix}parse "../relative-path": invalid URI for request`);
    expect(runtimeError("url('').getHost() == ''")).toBe(`${prefix}parse "": empty url`);
    expect(runtimeError("url('/a%zzb').getHost() == ''")).toBe(`${prefix}parse "/a%zzb": invalid URL escape "%zz"`);
    expect(runtimeError("url('https://exa mple.com/').getHost() == ''")).toBe(
      `${prefix}parse "https://exa mple.com/": invalid character " " in host name`,
    );
    expect(runtimeError("url('https://[::1/').getHost() == ''")).toBe(`${prefix}parse "https://[::1/": missing ']' in host`);
    expect(runtimeError("url(':foo').getHost() == ''")).toBe(`${prefix}parse ":foo": missing protocol scheme`);
  });
});

describe('net functions in selectors', () => {
  it('work on attribute values, and the column fast path agrees with the evaluator', () => {
    const inv = new Inventory([
      slice('s1', [
        dev('a', { attributes: { addr: { string: '10.1.2.3' }, subnet: { string: '10.0.0.0/8' }, ep: { string: 'https://h:8443/x' } } }),
        dev('b', { attributes: { addr: { string: '192.168.7.1' }, subnet: { string: '192.168.0.0/16' }, ep: { string: 'http://h/' } } }),
        dev('c', { attributes: { addr: { string: '2001:db8::5' }, subnet: { string: '2001:db8::/32' }, ep: { string: '/local' } } }),
        dev('d', { attributes: { addr: { string: 'not-an-ip' }, subnet: { string: '10.0.0.0/33' }, ep: { string: 'x' } } }),
      ]),
    ]);
    const d = 'device.attributes["gpu.example.com"]';
    const cases: [string, unknown[]][] = [
      [`cidr('10.0.0.0/8').containsIP(${d}.addr)`, [true, false, false, 'error']],
      [`ip(${d}.addr).family() == 6`, [false, false, true, 'error']],
      [`isIP(${d}.addr) && ip(${d}.addr).isGlobalUnicast()`, [true, true, true, false]],
      [`cidr(${d}.subnet).containsIP(${d}.addr)`, [true, true, true, 'error']],
      [`isURL(${d}.ep) && url(${d}.ep).getPort() == '8443'`, [true, false, false, false]],
    ];
    for (const [expression, expected] of cases) {
      const masks = new SelectorMasks(inv, OPTS);
      const full = masks.mask(expression);
      const fromMask = [0, 1, 2, 3].map((i) => (full.errors.has(i) ? 'error' : full.values[i] === 1 ? true : full.values[i] === 2 ? false : 'unknown'));
      const fromValue = [0, 1, 2, 3].map((i) => {
        const v = new SelectorMasks(inv, OPTS).value(expression, i);
        return typeof v === 'boolean' ? v : 'error';
      });
      expect(fromValue, expression).toEqual(expected);
      // The mask either agrees or leaves the entry to the evaluator.
      fromMask.forEach((m, i) => expect(m === 'unknown' || m === expected[i], `${expression} device ${i}`).toBe(true));
    }
  });
});
