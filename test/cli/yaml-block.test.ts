/**
 * yaml-block.ts writes List items as `yaml.stringify(value, { aliasDuplicateObjects: false })`
 * does (the package is the expected value): on every object of every gen workload, and on
 * seeded random JSON-like trees whose strings are made of YAML's troublesome characters
 * (indicators, `: `, ` #`, quotes, newlines, long words and long lines, numbers, booleans and
 * null as text, document markers, non-ASCII and control characters). A value it does not
 * cover must throw NotPlainYaml (the caller then uses the package), never come out different.
 */
import { describe, it, expect } from 'vitest';
import { stringify } from 'yaml';
import { generateWorkload } from '../../src/gen/registry.js';
import { WORKLOADS } from '../../src/gen/registry.js';
import { NotPlainYaml, topLevelSeqEntry } from '../../src/cli/yaml-block.js';

/** The package's text of `item` as an entry of a top-level key's sequence. */
function expected(item: unknown): string {
  return stringify({ items: [item] }, { aliasDuplicateObjects: false }).slice('items:\n'.length);
}

/** topLevelSeqEntry, or 'not plain' when it declines the value. */
function actual(item: unknown): string {
  try {
    return topLevelSeqEntry(item);
  } catch (e) {
    if (e instanceof NotPlainYaml) return 'not plain';
    throw e;
  }
}

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = ['a', 'Pod', 'gpu-0', ' ', ': ', ':', ' #', '#', '-', '- ', '? ', '"', "'", '\n', '\n\n', '\t', '[', '{', '}', ',', '&', '*', '!', '|', '>', '%', '@', '`',
  '1', '0.5', '1e3', '0x1F', '0o7', 'true', 'False', 'null', '~', '.inf', '.nan', '---', '...', 'é', '日本', '🚀', '\u0007', '\\', 'device.attributes["gpu.example.com"].memory',
  'word'.repeat(30), 'a long sentence of several words that runs well past eighty columns of text when written out '];
const WHOLE = ['', 'true', 'null', '~', '123', '-1', '0.5', '1e3', '.inf', '---', '...', '-', '?', ':', 'x:', 'a\n', 'a\n\n', ' a', 'a ', '\n', 'yes', 'on', '0x1F', '0o7', '+1'];

function randomString(rnd: () => number): string {
  if (rnd() < 0.2) return WHOLE[Math.floor(rnd() * WHOLE.length)];
  let s = '';
  const n = 1 + Math.floor(rnd() * 6);
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(rnd() * PIECES.length)];
  return s;
}

function randomValue(rnd: () => number, depth: number): unknown {
  const r = rnd();
  if (depth > 0 && r < 0.25) {
    const o: Record<string, unknown> = {};
    const n = Math.floor(rnd() * 5);
    for (let i = 0; i < n; i++) o[rnd() < 0.7 ? `key${i}` : randomString(rnd)] = rnd() < 0.05 ? undefined : randomValue(rnd, depth - 1);
    return o;
  }
  if (depth > 0 && r < 0.4) return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(rnd, depth - 1));
  if (r < 0.75) return randomString(rnd);
  if (r < 0.82) return [0, -0, 1.5, -7, 1e21, 2 ** 53, NaN, Infinity, 0.1][Math.floor(rnd() * 9)];
  if (r < 0.86) return 2n ** 64n;
  if (r < 0.93) return rnd() < 0.5;
  return null;
}

describe('yaml-block writes what the yaml package writes', () => {
  it('every object of every gen workload', { timeout: 60_000 }, () => {
    let n = 0;
    for (const def of WORKLOADS) {
      const w = generateWorkload(def.name, { scale: 4, seed: 1 });
      for (const o of [...w.classes, ...w.nodes, ...w.slices, ...w.templates, ...w.pods, ...(w.claims ?? [])]) {
        expect(actual(o), `${def.name} ${o.kind}/${o.metadata?.name}`).toBe(expected(o));
        n++;
      }
    }
    expect(n).toBeGreaterThan(100);
  });

  it('seeded random trees of troublesome strings, numbers, bigints, booleans and nulls', { timeout: 60_000 }, () => {
    let covered = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const rnd = random(seed);
      const item = { kind: 'Pod', metadata: { name: randomString(rnd) }, spec: randomValue(rnd, 4), list: [randomValue(rnd, 3), randomValue(rnd, 3)] };
      const text = actual(item);
      if (text === 'not plain') continue;
      covered++;
      expect(text, `seed ${seed}`).toBe(expected(item));
    }
    expect(covered).toBeGreaterThan(2000); // only `|+` strings and undefined list entries are declined
  });

  it('declines what it does not cover: a Date, a class instance, an undefined list entry, a string with kept final newlines', () => {
    for (const v of [new Date(0), new (class X {})(), [1, undefined], 'two\n\n']) expect(actual({ v })).toBe('not plain');
    expect(actual({ a: undefined, b: {} })).toBe(expected({ a: undefined, b: {} })); // an undefined map value is left out, as the package does
  });
});
