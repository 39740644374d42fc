/**
 * Seeded mutations of Kubernetes objects for the fuzz tests: wrong types, missing fields,
 * huge numbers, deep nesting, long lists, bad quantities and CEL, and (on the text) invalid
 * UTF-8. Deterministic for a seed, so a failure can be replayed.
 */
import { stringify } from 'yaml';

import { rng } from '../cel/generate.js';

export { rng };
export type Rng = () => number;

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

function deep(n: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < n; i++) v = i % 2 ? [v] : { a: v };
  return v;
}

const WEIRD: (() => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => 1.5,
  () => 2 ** 53 + 2,
  () => 10n ** 30n,
  () => 1e308,
  () => '',
  () => 'x'.repeat(5000),
  () => 'GPU_0',
  () => '12Gbps',
  () => '1e999',
  () => '-0.5Ki',
  () => '\u0000\ud800',
  () => [],
  () => ({}),
  () => deep(300),
  () => ({ cel: { expression: 'device.attributes[' } }),
  () => ({ cel: { expression: 'device.attributes["a.b"].c == 1' } }),
  () => 'device.driver == "gpu.example.com" && device.attributes["x"].y',
  () => ({ string: 'a', int: 1 }),
  () => Array.from({ length: 200 }, (_, i) => ({ name: `n${i}` })),
];

/** Every (container, key) in the value, depth first. */
function slots(v: unknown, out: [Record<string, unknown> | unknown[], string | number][] = [], depth = 0): typeof out {
  if (depth > 12 || typeof v !== 'object' || v === null) return out;
  for (const [k, x] of Object.entries(v)) {
    out.push([v as Record<string, unknown>, Array.isArray(v) ? Number(k) : k]);
    slots(x, out, depth + 1);
  }
  return out;
}

/** A copy of `value` with 1–3 random mutations. */
export function mutate<T>(value: T, r: Rng): T {
  const copy = structuredClone(value);
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const all = slots(copy);
    if (all.length === 0) break;
    const [container, key] = pick(r, all);
    const op = r();
    if (op < 0.2) {
      if (Array.isArray(container)) container.splice(key as number, 1);
      else delete container[key as string];
    } else if (op < 0.3) {
      const old = (container as Record<string | number, unknown>)[key];
      (container as Record<string | number, unknown>)[key] = Array.from({ length: 1 + Math.floor(r() * 150) }, () => structuredClone(old));
    } else {
      (container as Record<string | number, unknown>)[key] = pick(r, WEIRD)();
    }
  }
  return copy;
}

/** The value as YAML or JSON text; sometimes with bytes that are not UTF-8, decoded as files are. */
export function serialise(value: unknown, r: Rng): string {
  let text = r() < 0.5 ? stringify(value, { aliasDuplicateObjects: false }) : JSON.stringify(value, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  if (r() < 0.15) {
    const bytes = Buffer.from(text, 'utf8');
    const at = Math.floor(r() * bytes.length);
    text = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff, 0xc3, 0x28, 0xfe]), bytes.subarray(at)]).toString('utf8');
  }
  return text;
}
