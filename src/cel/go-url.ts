/**
 * URL parsing with the semantics and error texts of Go's `net/url` (`Parse`, `ParseRequestURI`),
 * which the Kubernetes CEL URL library is built on, and the accessors it exposes (`Hostname`,
 * `Port`, `EscapedPath`, `Query`).
 *
 * Percent-decoding works on UTF-8 bytes; decoded bytes that are not valid UTF-8 become U+FFFD
 * (Go keeps the raw bytes) — only in decoded hosts and query keys/values.
 */
import { goQuote, is4, parseAddr } from './netip.js';

/**
 * A parsed URL as the pieces of its text (each '' when absent, so `https://h` and `https://h?`
 * differ as in Go's `URL.String()`): `user` is the raw userinfo plus '@', `host` is '//' plus the
 * decoded host when there is an authority, `path` is the escaped path, `query` is '?' plus the
 * raw query, `fragment` is '#' plus the raw fragment. `opaque` is a rootless `scheme:opaque` part.
 */
export interface UrlParts {
  scheme: string;
  opaque: string;
  user: string;
  host: string;
  path: string;
  query: string;
  fragment: string;
}

type Mode = 'path' | 'host' | 'zone' | 'userPassword' | 'queryComponent' | 'fragment';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function isAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

/** Go's `shouldEscape(c, mode)` for one byte. */
function shouldEscape(c: number, mode: Mode): boolean {
  if (isAlnum(c)) return false;
  const ch = String.fromCharCode(c);
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(ch)) return false;
  if ('-_.~'.includes(ch)) return false;
  if ('$&+,/:;=?@'.includes(ch)) {
    switch (mode) {
      case 'path':
        return ch === '?';
      case 'userPassword':
        return '@/?:'.includes(ch);
      case 'queryComponent':
        return true;
      case 'fragment':
        return false;
      default:
        break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(ch)) return false;
  return true;
}

function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/** Go's `unescape`: validates and decodes %XX (and '+' in query components) into bytes. */
function unescapeBytes(s: string, mode: Mode): Uint8Array {
  const b = encoder.encode(s);
  const out: number[] = [];
  const text = (from: number, to: number) => decoder.decode(b.subarray(from, Math.min(to, b.length)));
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c === 0x25) {
      if (i + 2 >= b.length || hex(b[i + 1]) < 0 || hex(b[i + 2]) < 0) throw new Error(`invalid URL escape ${goQuote(text(i, i + 3))}`);
      const v = (hex(b[i + 1]) << 4) | hex(b[i + 2]);
      const isPct25 = v === 0x25;
      if (mode === 'host' && hex(b[i + 1]) < 8 && !isPct25) throw new Error(`invalid URL escape ${goQuote(text(i, i + 3))}`);
      if (mode === 'zone' && !isPct25 && v !== 0x20 && shouldEscape(v, 'host')) throw new Error(`invalid URL escape ${goQuote(text(i, i + 3))}`);
      out.push(v);
      i += 3;
    } else {
      if ((mode === 'host' || mode === 'zone') && c < 0x80 && shouldEscape(c, mode)) {
        throw new Error(`invalid character ${goQuote(String.fromCharCode(c))} in host name`);
      }
      out.push(c === 0x2b && mode === 'queryComponent' ? 0x20 : c);
      i++;
    }
  }
  return Uint8Array.from(out);
}

function unescape(s: string, mode: Mode): string {
  return decoder.decode(unescapeBytes(s, mode));
}

/** Go's `escape(s, encodePath)` over bytes: %XX (upper-case) for every byte shouldEscape flags. */
function escapePath(bytes: Uint8Array): string {
  let out = '';
  for (const c of bytes) out += shouldEscape(c, 'path') ? '%' + c.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(c);
  return out;
}

/** Go's `validEncoded(s, encodePath)`. */
function validEncodedPath(s: string): boolean {
  for (const c of encoder.encode(s)) {
    if (`!$&'()*+,;=:@[]%`.includes(String.fromCharCode(c))) continue;
    if (shouldEscape(c, 'path')) return false;
  }
  return true;
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

/** Go's `parseHost`, including the check that a bracketed host is an IPv6 address. */
function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) throw new Error("missing ']' in host");
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) throw new Error(`invalid port ${goQuote(colonPort)} after host`);
    const zone = host.slice(0, close).indexOf('%25');
    const literal = unescape(host.slice(1, zone >= 0 ? zone : close), 'host');
    let addr;
    try {
      addr = parseAddr(literal);
    } catch (e) {
      throw new Error(`invalid host: ${(e as Error).message}`);
    }
    if (is4(addr)) throw new Error('invalid IP-literal');
    if (zone >= 0) return unescape(host.slice(0, zone), 'host') + unescape(host.slice(zone, close), 'zone') + unescape(host.slice(close), 'host');
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1 && !validOptionalPort(host.slice(colon))) throw new Error(`invalid port ${goQuote(host.slice(colon))} after host`);
  }
  return unescape(host, 'host');
}

const USERINFO = /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/;

/** Go's `parseAuthority`: validates the userinfo and host; returns the raw userinfo ('' or text+'@') and the decoded host. */
function parseAuthority(authority: string): { user: string; host: string } {
  const at = authority.lastIndexOf('@');
  const host = parseHost(authority.slice(at + 1));
  if (at < 0) return { user: '', host };
  const userinfo = authority.slice(0, at);
  if (!USERINFO.test(userinfo)) throw new Error('net/url: invalid userinfo');
  for (const part of userinfo.split(':').slice(0, 2)) unescape(part, 'userPassword');
  return { user: userinfo + '@', host };
}

/** Go's `getScheme`: a leading `[A-Za-z][A-Za-z0-9+.-]*:`, else no scheme. */
function splitScheme(raw: string): [string, string] {
  const m = /^[A-Za-z][A-Za-z0-9+.\-]*:/.exec(raw);
  if (m !== null) return [m[0].slice(0, -1), raw.slice(m[0].length)];
  if (raw.startsWith(':')) throw new Error('missing protocol scheme');
  return ['', raw];
}

/** Go's internal `parse(rawURL, viaRequest)` (no fragment handling). */
function parse(raw: string, viaRequest: boolean): UrlParts {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new Error('net/url: invalid control character in URL');
  if (raw === '' && viaRequest) throw new Error('empty url');
  const u: UrlParts = { scheme: '', opaque: '', user: '', host: '', path: '', query: '', fragment: '' };
  if (raw === '*') return { ...u, path: '*' };
  let [scheme, rest] = splitScheme(raw);
  u.scheme = scheme.toLowerCase();
  const q = rest.indexOf('?');
  if (q >= 0) {
    u.query = rest.slice(q);
    rest = rest.slice(0, q);
  }
  if (!rest.startsWith('/')) {
    if (u.scheme !== '') return { ...u, opaque: rest };
    if (viaRequest) throw new Error('invalid URI for request');
    if (rest.split('/')[0].includes(':')) throw new Error('first path segment in URL cannot contain colon');
  }
  if ((u.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    const slash = authority.indexOf('/');
    rest = slash >= 0 ? authority.slice(slash) : '';
    if (slash >= 0) authority = authority.slice(0, slash);
    const { user, host } = parseAuthority(authority);
    u.user = user;
    u.host = '//' + host;
  }
  const decoded = unescapeBytes(rest, 'path');
  u.path = validEncodedPath(rest) ? rest : escapePath(decoded);
  return u;
}

function wrap(raw: string, f: () => UrlParts): UrlParts {
  try {
    return f();
  } catch (e) {
    throw new Error(`parse ${goQuote(raw)}: ${(e as Error).message}`);
  }
}

/** `url.ParseRequestURI`: an absolute URI or an absolute path; a '#' is part of the path/query. */
export function parseRequestURI(raw: string): UrlParts {
  return wrap(raw, () => parse(raw, true));
}

/** `url.Parse`: any URL reference, fragment split off first. */
export function parseURL(raw: string): UrlParts {
  const hash = raw.indexOf('#');
  const beforeFragment = hash >= 0 ? raw.slice(0, hash) : raw;
  const u = wrap(beforeFragment, () => parse(beforeFragment, false));
  if (hash < 0) return u;
  const fragment = raw.slice(hash + 1);
  wrap(raw, () => (unescape(fragment, 'fragment'), u));
  return fragment === '' ? u : { ...u, fragment: '#' + fragment };
}

/** The host with its port (`[::1]:80`), '' without an authority. */
export function urlHost(u: UrlParts): string {
  return u.host.slice(2);
}

/** Go's `splitHostPort` on the host: a trailing `:digits` is the port; brackets are removed. */
function splitHostPort(hostPort: string): { hostname: string; port: string } {
  let hostname = hostPort;
  let port = '';
  const colon = hostname.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(hostname.slice(colon))) {
    port = hostname.slice(colon + 1);
    hostname = hostname.slice(0, colon);
  }
  if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
  return { hostname, port };
}

export function urlHostname(u: UrlParts): string {
  return splitHostPort(urlHost(u)).hostname;
}

export function urlPort(u: UrlParts): string {
  return splitHostPort(urlHost(u)).port;
}

/**
 * Go's `URL.Query()`: `&`-separated `key=value` pairs, '+' and %XX decoded; pairs with a ';', an
 * empty pair and pairs that fail to decode are skipped. Values keep their order per key.
 */
export function urlQuery(u: UrlParts): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const pair of u.query.slice(1).split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = unescape(eq >= 0 ? pair.slice(0, eq) : pair, 'queryComponent');
      value = unescape(eq >= 0 ? pair.slice(eq + 1) : '', 'queryComponent');
    } catch {
      continue;
    }
    const list = result.get(key);
    if (list === undefined) result.set(key, [value]);
    else list.push(value);
  }
  return result;
}
