/**
 * IP addresses and prefixes with the semantics (and error texts) of Go's `net/netip`, which the
 * Kubernetes CEL IP and CIDR libraries are built on: strict parsing (no leading zeros in IPv4
 * octets, at most 4 hex digits per IPv6 group, exactly one `::` that stands for ≥ 1 zero group),
 * RFC 5952 canonical text, and the address-class predicates.
 *
 * An `Addr` holds 4 bytes (IPv4) or 16 bytes (IPv6) and the IPv6 zone ('' when none); the
 * Kubernetes libraries reject zones and IPv4-mapped IPv6 addresses after parsing.
 */

export interface Addr {
  /** 4 bytes for IPv4, 16 for IPv6; network byte order. */
  readonly bytes: readonly number[];
  /** IPv6 zone (`fe80::1%eth0` → `eth0`); '' when absent, always '' for IPv4. */
  readonly zone: string;
}

export interface Prefix {
  /** The address as written (host bits are kept; see `maskedPrefix`). */
  readonly addr: Addr;
  /** Prefix length in bits, 0..32 or 0..128. */
  readonly bits: number;
}

/** Go's `strconv.Quote` for the ASCII inputs these errors show (JSON escaping agrees there). */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

function addrError(input: string, msg: string, at?: string): Error {
  return new Error(`ParseAddr(${goQuote(input)}): ${msg}${at !== undefined && at !== '' ? ` (at ${goQuote(at)})` : ''}`);
}

/** `netip.ParseAddr`: the family is decided by the first '.', ':' or '%' in the string. */
export function parseAddr(s: string): Addr {
  for (const c of s) {
    if (c === '.') return { bytes: parseIPv4(s, s), zone: '' };
    if (c === ':') return parseIPv6(s);
    if (c === '%') throw addrError(s, 'missing IPv6 address');
  }
  throw addrError(s, 'unable to parse IP');
}

/** Dotted-quad `part` (a suffix of `input`, which error messages name) as 4 bytes. */
function parseIPv4(input: string, part: string): number[] {
  const fields: number[] = [];
  let val = 0;
  let digits = 0;
  for (let i = 0; i < part.length; i++) {
    const c = part[i];
    if (c >= '0' && c <= '9') {
      if (digits === 1 && val === 0) throw addrError(input, 'IPv4 field has octet with leading zero');
      val = val * 10 + (c.charCodeAt(0) - 48);
      digits++;
      if (val > 255) throw addrError(input, 'IPv4 field has value >255');
    } else if (c === '.') {
      if (i === 0 || i === part.length - 1 || part[i - 1] === '.') {
        throw addrError(input, 'IPv4 field must have at least one digit', part.slice(i));
      }
      if (fields.length === 3) throw addrError(input, 'IPv4 address too long');
      fields.push(val);
      val = 0;
      digits = 0;
    } else {
      throw addrError(input, 'unexpected character', part.slice(i));
    }
  }
  if (fields.length < 3) throw addrError(input, 'IPv4 address too short');
  fields.push(val);
  return fields;
}

function hexValue(c: string): number {
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48;
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87;
  if (c >= 'A' && c <= 'F') return c.charCodeAt(0) - 55;
  return -1;
}

function parseIPv6(input: string): Addr {
  let s = input;
  let zone = '';
  const pct = s.indexOf('%');
  if (pct !== -1) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') throw addrError(input, 'zone must be a non-empty string');
  }
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.startsWith('::')) {
    ellipsis = 0;
    s = s.slice(2);
    if (s === '') return { bytes: ip, zone };
  }
  let i = 0;
  while (i < 16) {
    let off = 0;
    let acc = 0;
    for (; off < s.length; off++) {
      const h = hexValue(s[off]);
      if (h < 0) break;
      acc = acc * 16 + h;
      if (off > 3) throw addrError(input, 'each group must have 4 or less digits', s);
    }
    if (off === 0) throw addrError(input, 'each colon-separated field must have at least one digit', s);
    if (off < s.length && s[off] === '.') {
      if (ellipsis < 0 && i !== 12) throw addrError(input, 'embedded IPv4 address must replace the final 2 fields of the address', s);
      if (i + 4 > 16) throw addrError(input, 'too many hex fields to fit an embedded IPv4 at the end of the address', s);
      ip.splice(i, 4, ...parseIPv4(input, s));
      s = '';
      i += 4;
      break;
    }
    ip[i] = acc >> 8;
    ip[i + 1] = acc & 0xff;
    i += 2;
    s = s.slice(off);
    if (s === '') break;
    if (s[0] !== ':') throw addrError(input, 'unexpected character, want colon', s);
    if (s.length === 1) throw addrError(input, 'colon must be followed by more characters', s);
    s = s.slice(1);
    if (s[0] === ':') {
      if (ellipsis >= 0) throw addrError(input, 'multiple :: in address', s);
      ellipsis = i;
      s = s.slice(1);
      if (s === '') break;
    }
  }
  if (s !== '') throw addrError(input, 'trailing garbage after address', s);
  if (i < 16) {
    if (ellipsis < 0) throw addrError(input, 'address string too short');
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    ip.fill(0, ellipsis, ellipsis + n);
  } else if (ellipsis >= 0) {
    throw addrError(input, 'the :: must expand to at least one field of zeros', s);
  }
  return { bytes: ip, zone };
}

export function is4(a: Addr): boolean {
  return a.bytes.length === 4;
}

/** `::ffff:a.b.c.d`. */
export function is4In6(a: Addr): boolean {
  const b = a.bytes;
  return b.length === 16 && b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
}

function group(a: Addr, i: number): number {
  return (a.bytes[2 * i] << 8) | a.bytes[2 * i + 1];
}

/** `Addr.String()`: dotted quad, or RFC 5952 (lower-case hex, the first longest run of ≥ 2 zero groups as `::`). */
export function addrString(a: Addr): string {
  if (is4(a)) return a.bytes.join('.');
  if (is4In6(a)) return `::ffff:${a.bytes.slice(12).join('.')}${a.zone === '' ? '' : '%' + a.zone}`;
  let zeroStart = -1;
  let zeroLen = 0;
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && group(a, j) === 0) j++;
    if (j - i >= 2 && j - i > zeroLen) {
      zeroStart = i;
      zeroLen = j - i;
    }
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === zeroStart) {
      out += '::';
      i += zeroLen - 1;
      continue;
    }
    if (i > 0 && !out.endsWith(':')) out += ':';
    out += group(a, i).toString(16);
  }
  return out + (a.zone === '' ? '' : '%' + a.zone);
}

export function isUnspecified(a: Addr): boolean {
  return a.bytes.every((x) => x === 0);
}

export function isLoopback(a: Addr): boolean {
  if (is4(a)) return a.bytes[0] === 127;
  return a.bytes.slice(0, 15).every((x) => x === 0) && a.bytes[15] === 1;
}

function isMulticast(a: Addr): boolean {
  return is4(a) ? (a.bytes[0] & 0xf0) === 0xe0 : a.bytes[0] === 0xff;
}

/** IPv4 224.0.0.0/24; IPv6 ff02::/16 with any flag nibble (`ffX2::`), as netip. */
export function isLinkLocalMulticast(a: Addr): boolean {
  if (is4(a)) return a.bytes[0] === 224 && a.bytes[1] === 0 && a.bytes[2] === 0;
  return (group(a, 0) & 0xff0f) === 0xff02;
}

/** IPv4 169.254.0.0/16; IPv6 fe80::/10. */
export function isLinkLocalUnicast(a: Addr): boolean {
  if (is4(a)) return a.bytes[0] === 169 && a.bytes[1] === 254;
  return (group(a, 0) & 0xffc0) === 0xfe80;
}

/** Not unspecified, limited broadcast, loopback, multicast or link-local unicast (private ranges count as global). */
export function isGlobalUnicast(a: Addr): boolean {
  if (is4(a) && a.bytes.every((x) => x === 255)) return false;
  return !isUnspecified(a) && !isLoopback(a) && !isMulticast(a) && !isLinkLocalUnicast(a);
}

function prefixError(input: string, msg: string): Error {
  return new Error(`netip.ParsePrefix(${goQuote(input)}): ${msg}`);
}

/** `netip.ParsePrefix`: `addr/bits` with a decimal bit count (no sign, no leading zeros) in range. */
export function parsePrefix(s: string): Prefix {
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw prefixError(s, "no '/'");
  let addr: Addr;
  try {
    addr = parseAddr(s.slice(0, slash));
  } catch (e) {
    throw prefixError(s, (e as Error).message);
  }
  if (addr.zone !== '') throw prefixError(s, 'IPv6 zones cannot be present in a prefix');
  const bitsText = s.slice(slash + 1);
  // Go: no sign or leading zero, and within strconv.Atoi's int64 range.
  if (!/^(0|[1-9][0-9]*)$/.test(bitsText) || BigInt(bitsText) >= 1n << 63n) {
    throw prefixError(s, `bad bits after slash: ${goQuote(bitsText)}`);
  }
  const bits = Number(bitsText);
  if (bits > addr.bytes.length * 8) throw prefixError(s, 'prefix length out of range');
  return { addr, bits };
}

/** The address with every bit after the first `bits` cleared. */
function maskAddr(a: Addr, bits: number): Addr {
  const bytes = a.bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, bits - 8 * i));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return { bytes, zone: a.zone };
}

/** `Prefix.Masked()`: the network address with the same length. */
export function maskedPrefix(p: Prefix): Prefix {
  return { addr: maskAddr(p.addr, p.bits), bits: p.bits };
}

/** `Prefix.String()`: `addr/bits`, the address as written. */
export function prefixString(p: Prefix): string {
  return `${addrString(p.addr)}/${p.bits}`;
}

function sameAddr(a: Addr, b: Addr): boolean {
  return a.zone === b.zone && a.bytes.length === b.bytes.length && a.bytes.every((x, i) => x === b.bytes[i]);
}

/** `Prefix.Contains`: same family, no zone, and the first `bits` bits agree with the prefix's address. */
export function prefixContains(p: Prefix, a: Addr): boolean {
  if (a.zone !== '' || a.bytes.length !== p.addr.bytes.length) return false;
  return sameAddr(maskAddr(p.addr, p.bits), maskAddr(a, p.bits));
}

/**
 * Upstream's `containsCIDR` test, taken literally from cidr.go: `p.Masked() ==
 * PrefixFrom(other.Addr(), p.Bits())` (PrefixFrom does not mask) and `p.Bits() <= other.Bits()`.
 * So `other`'s address must *equal* p's network address: `192.168.0.0/16` contains
 * `192.168.0.0/24` but not `192.168.10.0/24` (upstream's doc comment claims the latter too).
 */
export function prefixContainsPrefixUpstream(p: Prefix, other: Prefix): boolean {
  return sameAddr(maskAddr(p.addr, p.bits), other.addr) && p.bits <= other.bits;
}
