/**
 * Seeded generators for the selector differential tests and the benchmark: ResourceSlices of
 * GPU-like devices and selector expressions, each expression paired with a slow, readable
 * reference evaluator written from the CEL spec and docs/semantics.md (not from our code): missing keys
 * are errors, `has()`/`in` test presence, `&&`/`||` are commutative (false/true absorb errors),
 * `==` across types is false, ordering across types is an error, an unconvertible device fails
 * every selector.
 */
import type { Device, ResourceSlice } from '../../src/model/types.js';
import { Quantity } from '../../src/model/quantity.js';
import { compareSemver, parseSemver } from '../../src/cel/semver.js';

/** mulberry32: a small deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

export const DRIVERS = ['gpu.example.com', 'nic.example.com'] as const;
const DOMAINS = ['gpu.example.com', 'nic.example.com', 'other.io'] as const;
const MODELS = ['A100', 'H100', 'L4', 'T4'];
const VERSIONS = ['1.2.3', '1.10.0', '2.0.0-rc.1', '2.0.0', '0.9.9+build.5'];
const MEMORY = ['16Gi', '40Gi', '80Gi', '40960Mi', '42949672960', '1500m'];

type Scalar = bigint | boolean | string | { version: string } | { quantity: string };

interface Attr {
  type: 'int' | 'bool' | 'string' | 'version';
  values: readonly Scalar[];
}
const ATTRS: Record<string, Attr> = {
  model: { type: 'string', values: MODELS },
  cores: { type: 'int', values: [8n, 64n, 108n, 132n] },
  healthy: { type: 'bool', values: [true, false] },
  driverVersion: { type: 'version', values: VERSIONS.map((version) => ({ version })) },
};

/** A device with random attributes in random domains (bare names belong to the driver's). */
function device(r: () => number, name: string, driver: string): Device {
  const attributes: NonNullable<Device['attributes']> = {};
  for (const [attr, spec] of Object.entries(ATTRS)) {
    if (r() < 0.25) continue;
    const domain = pick(r, DOMAINS);
    const key = domain === driver && r() < 0.5 ? attr : `${domain}/${attr}`;
    const v = pick(r, spec.values);
    attributes[key] =
      typeof v === 'bigint' ? { int: Number(v) } : typeof v === 'boolean' ? { bool: v } : typeof v === 'string' ? { string: v } : { version: (v as { version: string }).version };
  }
  if (r() < 0.01) attributes['gpu.example.com/broken'] = { version: 'v1' };
  const capacity: NonNullable<Device['capacity']> = {};
  if (r() < 0.8) capacity[`${pick(r, DOMAINS)}/memory`] = { value: pick(r, MEMORY) };
  return { name, attributes, capacity, allowMultipleAllocations: r() < 0.3 };
}

/** `count` devices over slices of 10 devices, alternating drivers. */
export function slices(seed: number, count: number): ResourceSlice[] {
  const r = rng(seed);
  const out: ResourceSlice[] = [];
  for (let s = 0; s * 10 < count; s++) {
    const driver = DRIVERS[s % DRIVERS.length];
    const devices: Device[] = [];
    for (let d = 0; d < 10 && s * 10 + d < count; d++) devices.push(device(r, `dev-${s}-${d}`, driver));
    out.push({
      apiVersion: 'resource.k8s.io/v1',
      kind: 'ResourceSlice',
      metadata: { name: `slice-${s}` },
      spec: { driver, pool: { name: `pool-${s}`, generation: 1, resourceSliceCount: 1 }, nodeName: `node-${s}`, devices },
    } as ResourceSlice);
  }
  return out;
}

/** Reference result: a bool, or an error (`message` when the text is specified). */
export type RefValue = boolean | { error: true; message?: string };
const err = (message?: string): RefValue => ({ error: true, message });
const isErr = (v: RefValue): v is { error: true; message?: string } => typeof v === 'object';

type Lookup = Scalar | undefined;

/** The value filed under `[domain][name]` (qualified, or bare under the driver's domain). */
function lookup(d: Device, driver: string, kind: 'attributes' | 'capacity', domain: string, name: string): Lookup {
  if (kind === 'capacity') {
    const c = d.capacity?.[`${domain}/${name}`] ?? (domain === driver ? d.capacity?.[name] : undefined);
    return c === undefined ? undefined : { quantity: c.value };
  }
  const a = d.attributes?.[`${domain}/${name}`] ?? (domain === driver ? d.attributes?.[name] : undefined);
  if (a === undefined) return undefined;
  if (a.int !== undefined) return BigInt(a.int);
  if (a.bool !== undefined) return a.bool;
  if (a.string !== undefined) return a.string;
  return { version: a.version! };
}

function typeOf(v: Scalar): string {
  if (typeof v !== 'object') return typeof v;
  return 'version' in v ? 'version' : 'quantity';
}

function celEquals(a: Scalar, b: Scalar): boolean {
  if (typeOf(a) !== typeOf(b)) return false;
  if (typeof a !== 'object') return a === b;
  return compareScalars(a, b) === 0;
}

function compareScalars(a: Scalar, b: Scalar): number {
  if (typeof a === 'object' && 'version' in a) return compareSemver(parseSemver(a.version), parseSemver((b as { version: string }).version));
  if (typeof a === 'object' && 'quantity' in a) return Quantity.parse(a.quantity).cmp(Quantity.parse((b as { quantity: string }).quantity));
  return a < b ? -1 : a > b ? 1 : 0;
}

function literal(v: Scalar): string {
  if (typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  return 'version' in v ? `semver(${JSON.stringify(v.version)})` : `quantity(${JSON.stringify(v.quantity)})`;
}

/** A generated selector: its text, its reference meaning on a device, whether it has an opaque part. */
export interface Gen {
  text: string;
  ref(d: Device, driver: string): RefValue;
  /** Uses `device` in a way the fast path leaves to the evaluator (cel.bind, size()). */
  opaque?: boolean;
}

function access(r: () => number, kind: 'attributes' | 'capacity', domain: string, name: string): string {
  return r() < 0.5 ? `device.${kind}[${JSON.stringify(domain)}].${name}` : `device.${kind}[${JSON.stringify(domain)}][${JSON.stringify(name)}]`;
}

/** One comparison-like atom over an attribute, the driver, a capacity, or a constant. */
function atom(r: () => number): Gen {
  const domain = pick(r, DOMAINS);
  const name = pick(r, Object.keys(ATTRS));
  const spec = ATTRS[name];
  const get = (d: Device, driver: string) => lookup(d, driver, 'attributes', domain, name);
  const a = access(r, 'attributes', domain, name);
  const missing = err(`no such key: ${name}`);
  // Mostly constants of the attribute's type; sometimes of another one.
  const constant = (): Scalar => (r() < 0.85 ? pick(r, spec.values) : pick(r, pick(r, Object.values(ATTRS)).values));
  switch (Math.floor(r() * 10)) {
    case 0: {
      const c = constant();
      const negate = r() < 0.3;
      return {
        text: `${a} ${negate ? '!=' : '=='} ${literal(c)}`,
        ref: (d, drv) => {
          const v = get(d, drv);
          return v === undefined ? missing : celEquals(v, c) !== negate;
        },
      };
    }
    case 1: {
      // `<` has no overload taking a Semver (a compile error): order against scalars only.
      const scalar = constant();
      const c = typeof scalar === 'object' ? 64n : scalar;
      const op = pick(r, ['<', '<=', '>', '>='] as const);
      return {
        text: `${a} ${op} ${literal(c)}`,
        ref: (d, drv) => {
          const v = get(d, drv);
          if (v === undefined) return missing;
          if (typeOf(v) !== typeOf(c) || typeof v === 'object' || typeof v === 'boolean') return typeof v === 'boolean' && typeof c === 'boolean' ? order(op, compareScalars(v, c)) : err();
          return order(op, compareScalars(v, c));
        },
      };
    }
    case 2: {
      // List literals must be homogeneous (a compile error otherwise): all of one attribute's type.
      const of = r() < 0.85 ? spec : pick(r, Object.values(ATTRS));
      const list = [pick(r, of.values), pick(r, of.values)];
      return {
        text: `${a} in [${list.map(literal).join(', ')}]`,
        ref: (d, drv) => {
          const v = get(d, drv);
          return v === undefined ? missing : list.some((x) => celEquals(v, x));
        },
      };
    }
    case 3:
      return { text: `has(device.attributes[${JSON.stringify(domain)}].${name})`, ref: (d, drv) => get(d, drv) !== undefined };
    case 4:
      return { text: `${JSON.stringify(name)} in device.attributes[${JSON.stringify(domain)}]`, ref: (d, drv) => get(d, drv) !== undefined };
    case 5: {
      const c = { version: pick(r, VERSIONS) };
      const form = Math.floor(r() * 3);
      const text = [`${a}.compareTo(${literal(c)}) >= 0`, `${a}.isGreaterThan(${literal(c)})`, `${a}.isLessThan(${literal(c)})`][form];
      return {
        text,
        ref: (d, drv) => {
          const v = get(d, drv);
          if (v === undefined) return missing;
          if (typeOf(v) !== 'version') return err();
          const cmp = compareScalars(v, c);
          return [cmp >= 0, cmp > 0, cmp < 0][form];
        },
      };
    }
    case 6: {
      const c = { quantity: pick(r, MEMORY) };
      const form = Math.floor(r() * 3);
      const cap = access(r, 'capacity', domain, 'memory');
      const text = [`${cap}.compareTo(${literal(c)}) == 0`, `${cap}.isGreaterThan(${literal(c)})`, `${cap}.isLessThan(${literal(c)})`][form];
      return {
        text,
        ref: (d, drv) => {
          const v = lookup(d, drv, 'capacity', domain, 'memory');
          if (v === undefined) return err('no such key: memory');
          const cmp = compareScalars(v, c);
          return [cmp === 0, cmp > 0, cmp < 0][form];
        },
      };
    }
    case 7: {
      const drv = pick(r, DRIVERS);
      return r() < 0.5
        ? { text: `device.driver == ${JSON.stringify(drv)}`, ref: (_d, driver) => driver === drv }
        : { text: `device.driver.startsWith("gpu")`, ref: (_d, driver) => driver.startsWith('gpu') };
    }
    case 8: {
      // Opaque to the fast path: the evaluator decides every device.
      const c = constant();
      return r() < 0.5
        ? {
            text: `cel.bind(x, device.attributes[${JSON.stringify(domain)}], x.${name} == ${literal(c)})`,
            opaque: true,
            ref: (d, drv) => {
              const v = get(d, drv);
              return v === undefined ? missing : celEquals(v, c);
            },
          }
        : {
            text: `device.attributes[${JSON.stringify(domain)}].size() >= 2`,
            opaque: true,
            ref: (d, drv) => Object.keys(ATTRS).filter((n) => get2(d, drv, domain, n) !== undefined).length >= 2,
          };
    }
    default: {
      const b = r() < 0.5;
      return { text: String(b), ref: () => b };
    }
  }
}

function get2(d: Device, driver: string, domain: string, name: string): Lookup {
  return lookup(d, driver, 'attributes', domain, name);
}

function order(op: '<' | '<=' | '>' | '>=', c: number): boolean {
  return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

function and(a: RefValue, b: RefValue): RefValue {
  if (a === false || b === false) return false;
  if (a === true && b === true) return true;
  return isErr(a) ? a : b;
}

function or(a: RefValue, b: RefValue): RefValue {
  if (a === true || b === true) return true;
  if (a === false && b === false) return false;
  return isErr(a) ? a : b;
}

/** A random selector of nested `&&`, `||`, `!` over atoms, at most `depth` levels deep. */
export function selector(r: () => number, depth = 3): Gen {
  const choice = r();
  if (depth === 0 || choice < 0.35) return atom(r);
  if (choice < 0.45) {
    const g = selector(r, depth - 1);
    return { text: `!(${g.text})`, ref: (d, drv) => ((v) => (isErr(v) ? v : !v))(g.ref(d, drv)), opaque: g.opaque };
  }
  const a = selector(r, depth - 1);
  const b = selector(r, depth - 1);
  const isAnd = choice < 0.75;
  return {
    text: `(${a.text}) ${isAnd ? '&&' : '||'} (${b.text})`,
    ref: (d, drv) => (isAnd ? and : or)(a.ref(d, drv), b.ref(d, drv)),
    opaque: a.opaque || b.opaque,
  };
}

/** Reference value with the device-level failure: a broken attribute fails every selector. */
export function reference(g: Gen, d: Device, driver: string): RefValue {
  if (d.attributes?.['gpu.example.com/broken'] !== undefined) {
    return err('attribute gpu.example.com/broken: parse semantic version: No Major.Minor.Patch elements found');
  }
  return g.ref(d, driver);
}
