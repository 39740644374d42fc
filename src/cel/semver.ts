/**
 * Semantic versions with the exact rules of github.com/blang/semver/v4 (`semver.Parse`,
 * `Version.Compare`), which Kubernetes uses for DRA `version` attributes and for the CEL
 * `semver()` function. Error texts follow blang's.
 */

export interface SemanticVersion {
  major: bigint;
  minor: bigint;
  patch: bigint;
  /** Pre-release identifiers, in order (numeric ones without leading zeros). */
  pre: string[];
  /** Build metadata identifiers; never affects comparison or equality. */
  build: string[];
}

export class SemverError extends Error {}

const MAX_UINT64 = (1n << 64n) - 1n;
const DIGITS = /^[0-9]*$/;
const ALPHANUM = /^[0-9A-Za-z-]*$/;

function hasLeadingZero(s: string): boolean {
  return s.length > 1 && s[0] === '0';
}

function parseNumber(s: string, what: string): bigint {
  if (!DIGITS.test(s)) throw new SemverError(`Invalid character(s) found in ${what} number "${s}"`);
  if (hasLeadingZero(s)) throw new SemverError(`${what[0].toUpperCase()}${what.slice(1)} number must not contain leading zeroes "${s}"`);
  if (s === '') throw new SemverError(`strconv.ParseUint: parsing "": invalid syntax`);
  const n = BigInt(s);
  if (n > MAX_UINT64) throw new SemverError(`strconv.ParseUint: parsing "${s}": value out of range`);
  return n;
}

function checkPrerelease(id: string): void {
  if (id === '') throw new SemverError('Prerelease is empty');
  if (DIGITS.test(id)) {
    if (hasLeadingZero(id)) throw new SemverError(`Numeric PreRelease version must not contain leading zeroes "${id}"`);
  } else if (!ALPHANUM.test(id)) {
    throw new SemverError(`Invalid character(s) found in prerelease "${id}"`);
  }
}

function checkBuild(id: string): void {
  if (id === '') throw new SemverError('Build meta data is empty');
  if (!ALPHANUM.test(id)) throw new SemverError(`Invalid character(s) found in build meta data "${id}"`);
}

/** Strict parse (blang `semver.Parse`): `MAJOR.MINOR.PATCH[-PRE][+BUILD]`; throws SemverError. */
export function parseSemver(s: string): SemanticVersion {
  if (s.length === 0) throw new SemverError('Version string empty');
  const parts = splitN(s, '.', 3);
  if (parts.length !== 3) throw new SemverError('No Major.Minor.Patch elements found');
  const major = parseNumber(parts[0], 'major');
  const minor = parseNumber(parts[1], 'minor');
  let rest = parts[2];
  let build: string[] = [];
  let pre: string[] = [];
  const plus = rest.indexOf('+');
  if (plus !== -1) {
    build = rest.slice(plus + 1).split('.');
    rest = rest.slice(0, plus);
  }
  const dash = rest.indexOf('-');
  if (dash !== -1) {
    pre = rest.slice(dash + 1).split('.');
    rest = rest.slice(0, dash);
  }
  const patch = parseNumber(rest, 'patch');
  pre.forEach(checkPrerelease);
  build.forEach(checkBuild);
  return { major, minor, patch, pre, build };
}

/**
 * Kubernetes' tolerant parse (`semver(s, true)`): drops a leading `v`, strips leading zeros of
 * the dot-separated parts, fills a missing minor/patch with 0, then parses strictly.
 */
export function parseSemverNormalized(s: string): SemanticVersion {
  const parts = splitN(s.startsWith('v') ? s.slice(1) : s, '.', 3).map((p) => {
    if (p.length <= 1) return p;
    const trimmed = p.replace(/^0+/, '');
    return trimmed === '' || !/^[0-9]/.test(trimmed) ? '0' + trimmed : trimmed;
  });
  if (parts.length < 3) {
    if (/[+-]/.test(parts[parts.length - 1])) {
      throw new SemverError('short version cannot contain PreRelease/Build meta data');
    }
    while (parts.length < 3) parts.push('0');
  }
  return parseSemver(parts.join('.'));
}

/** Go's strings.SplitN: at most n pieces, the last one holding the remainder. */
function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i === -1) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  out.push(rest);
  return out;
}

function cmpBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePrerelease(a: string, b: string): number {
  const an = DIGITS.test(a);
  const bn = DIGITS.test(b);
  if (an && bn) return cmpBig(BigInt(a), BigInt(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** blang `Version.Compare`: -1, 0 or 1; build metadata is ignored. */
export function compareSemver(a: SemanticVersion, b: SemanticVersion): number {
  const c = cmpBig(a.major, b.major) || cmpBig(a.minor, b.minor) || cmpBig(a.patch, b.patch);
  if (c !== 0) return c;
  if (a.pre.length === 0 || b.pre.length === 0) {
    return a.pre.length === b.pre.length ? 0 : a.pre.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < a.pre.length && i < b.pre.length; i++) {
    const p = comparePrerelease(a.pre[i], b.pre[i]);
    if (p !== 0) return p;
  }
  return cmpBig(BigInt(a.pre.length), BigInt(b.pre.length));
}
