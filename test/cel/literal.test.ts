/**
 * The literal fast path (src/compile/fastpath/literal.ts) against the CEL evaluator: every text
 * it accepts must compile in CEL, and every value it decides must be the evaluator's. Texts come
 * from the accepted grammar (random spacing, quoting, accessors, operand order, nesting) and from
 * random token soup (most of which is not accepted; whatever is, is checked the same way).
 */
import { describe, expect, it } from 'vitest';
import { compileSelector, CelRuntimeError, type CelOptions } from '../../src/cel/index.js';
import { Inventory } from '../../src/compile/inventory.js';
import { SelectorMasks } from '../../src/compile/selectors.js';
import { Columns } from '../../src/compile/fastpath/columns.js';
import { literalMask, literalPlan } from '../../src/compile/fastpath/literal.js';
import { FALSE, TRUE, UNKNOWN } from '../../src/compile/fastpath/logic.js';
import { nvidiaSlice } from '../fixtures/nvidia-slice.js';
import { DRIVERS, rng, slices } from './generate.js';
import { runs } from '../full.js';

const OPTS: CelOptions = { consumableCapacity: true, listTypeAttributes: false };
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const DOMAINS = [...DRIVERS, 'other.io'];
const NAMES = ['model', 'cores', 'healthy', 'driverVersion', 'missing'];
const VALUES = ['A100', 'H100', 'L4', 'T4', '1.2.3', 'true', '8', '', ...DRIVERS];
const SPACE = ['', ' ', '  ', '\n', '\t', '\r\n'];

function str(r: () => number, s: string): string {
  return r() < 0.7 ? `"${s}"` : `'${s}'`;
}

function operand(r: () => number): string {
  const sp = () => (r() < 0.2 ? pick(r, SPACE) : '');
  if (r() < 0.3) return `device${sp()}.${sp()}driver`;
  const domain = r() < 0.1 ? 'gpu' : pick(r, DOMAINS); // `.gpu`: an identifier domain no device has
  const d = domain === 'gpu' && r() < 0.5 ? `.${domain}` : `[${sp()}${str(r, domain)}${sp()}]`;
  const name = pick(r, NAMES);
  const n = r() < 0.5 ? `.${sp()}${name}` : `[${str(r, name)}]`;
  return `device.attributes${sp()}${d}${sp()}${n}`;
}

/** A text of the accepted grammar. */
function literal(r: () => number, depth = 3): string {
  const sp = () => pick(r, SPACE);
  const x = r();
  if (depth === 0 || x < 0.4) {
    const op = r() < 0.7 ? '==' : '!=';
    const [a, b] = [operand(r), str(r, pick(r, VALUES))];
    return r() < 0.8 ? `${a}${sp()}${op}${sp()}${b}` : `${b}${sp()}${op}${sp()}${a}`;
  }
  if (x < 0.55) return `${'!'.repeat(1 + Math.floor(r() * 2))}(${sp()}${literal(r, depth - 1)}${sp()})`;
  if (x < 0.65) return `(${literal(r, depth - 1)})`;
  const op = r() < 0.5 ? '&&' : '||';
  return `${literal(r, depth - 1)}${sp()}${op}${sp()}${literal(r, depth - 1)}`;
}

/** Per slot of a comparison and its connector: grammar-shaped fragments first, near misses after. */
const SOUP = [
  [['device.driver', 'device.attributes["gpu.example.com"]', "device.attributes['other.io']"], ['device.attributes', 'device', 'device.capacity["gpu.example.com"]', '!device.driver', '(device.driver']],
  [['.model', '["model"]', '.cores', '.gpu', '["gpu.example.com"]'], ['.true', '.size()', '', '.model.x', '[1]']],
  [['==', '!='], ['<', '', '&&', '= =', '!']],
  [['"A100"', "'gpu.example.com'", '"x"', "''"], ['1', 'true', 'device.driver', '', '"a" == "a"', ')']],
];
const CONNECTORS: [string[], string[]] = [['&&', '||'], [')', '(', '!', ' in ', '&', '&& !', '']];

/** Comparisons of fragments, each slot a near miss with probability 0.15: some are accepted, most not. */
function soup(r: () => number): string {
  const slot = ([good, bad]: string[][]) => pick(r, r() < 0.85 ? good : bad);
  const parts: string[] = [];
  for (let k = 0; k < 1 + Math.floor(r() * 3); k++) {
    if (k > 0) parts.push(slot(CONNECTORS));
    for (const s of SOUP) parts.push(slot(s));
  }
  return parts.join(r() < 0.5 ? '' : ' ');
}

/** The evaluator's value for one device: a bool or the error text. */
function evaluator(text: string, inv: Inventory, i: number): boolean | { error: string } {
  try {
    return compileSelector(text, OPTS).evaluate(inv.devices[i], inv.sliceOf[i].spec.driver);
  } catch (e) {
    if (!(e instanceof CelRuntimeError)) throw e;
    return { error: e.message };
  }
}

describe('literal selector fast path', () => {
  const inv = new Inventory(slices(11, 100));
  const columns = new Columns(inv, OPTS);

  /** Checks an accepted text; returns how many devices the literal path decided. */
  function check(text: string, mismatches: string[]): number {
    const plan = literalPlan(text)!;
    compileSelector(text, OPTS); // throws CelCompileError if the acceptance was wrong
    const mask = literalMask(plan, columns);
    let decided = 0;
    for (let i = 0; i < inv.size; i++) {
      if (mask[i] === UNKNOWN) continue;
      decided++;
      const v = evaluator(text, inv, i);
      if (v !== (mask[i] === TRUE)) mismatches.push(`literal ${mask[i] === TRUE} vs evaluator ${JSON.stringify(v)}: ${JSON.stringify(text)} on ${inv.idAt(i)}`);
    }
    return decided;
  }

  it('accepts the grammar, and decides exactly as the evaluator', { timeout: 120_000 }, () => {
    const r = rng(7);
    const mismatches: string[] = [];
    let decided = 0;
    const n = runs(3000, 500);
    for (let k = 0; k < n; k++) {
      const text = literal(r);
      expect(literalPlan(text), text).toBeDefined();
      decided += check(text, mismatches);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // The generated devices have string models in every domain: a good share is decided here.
    expect(decided).toBeGreaterThan(n * inv.size * 0.2);
  });

  it('whatever token soup it accepts compiles and decides as the evaluator', { timeout: 120_000 }, () => {
    const r = rng(8);
    const mismatches: string[] = [];
    let accepted = 0;
    const n = runs(20_000, 4000);
    for (let k = 0; k < n; k++) {
      const text = soup(r);
      if (literalPlan(text) === undefined) continue;
      accepted++;
      check(text, mismatches);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    expect(accepted).toBeGreaterThan(n / 10); // about one in six is accepted
  });

  it('leaves to CEL what it cannot prove identical', () => {
    for (const text of [
      'device.driver == "a" == "b"', // (a == b) == "b": a type error in CEL
      '!device.driver == "a"', // (!device.driver) == "a": a type error
      'device.attributes["d"].true == "x"', // reserved word as a field
      'device.attributes["d"].in == "x"',
      'device.attributes["d"] == "x"', // a map, not an attribute
      'device.driver == r"a"', // raw string
      'device.driver == "a\\"b"', // escapes
      'device.driver == """a"""',
      'device.driver == "ü"', // non-ASCII
      'device.driver == "a" // comment',
      'device.capacity["d"].memory == "1Gi"', // a quantity
      'device.attributes["d"].cores == 8', // an int literal
      'device.allowMultipleAllocations == true',
      'device.driver == device.driver',
      '"a" == "a"',
      'device.Driver == "a"',
      'dev.driver == "a"',
      'device.driver.startsWith("a")',
      'device.driver == "a" &&',
      '(device.driver == "a"',
      '((((((((((device.driver == "a"))))))))))', // nesting beyond MAX_NESTING
      Array.from({ length: 65 }, () => 'device.driver == "a"').join(' && '), // beyond MAX_TERMS
    ]) {
      expect(literalPlan(text), text).toBeUndefined();
    }
  });

  it('decides the A100 class by hand-worked values, and leaves a missing attribute to the evaluator', () => {
    const slice = (devices: { name: string; health?: string }[]) =>
      nvidiaSlice(
        devices.map(({ name, health }) => ({
          name,
          attributes: { model: { string: 'A100-SXM4-80GB' }, ...(health === undefined ? {} : { health: { string: health } }) },
        })),
      );
    const a100 = new Inventory([slice([{ name: 'gpu-0', health: 'healthy' }, { name: 'gpu-1', health: 'degraded' }, { name: 'gpu-2' }])]);
    const text = `device.driver == "gpu.nvidia.com" &&\ndevice.attributes["gpu.nvidia.com"].model == "A100-SXM4-80GB" &&\ndevice.attributes["gpu.nvidia.com"].health == "healthy"`;
    expect([...literalMask(literalPlan(text)!, new Columns(a100, OPTS))]).toEqual([TRUE, FALSE, UNKNOWN]);
    const masks = new SelectorMasks(a100, OPTS);
    expect(masks.value(text, 0)).toBe(true);
    expect(masks.value(text, 1)).toBe(false);
    expect(masks.value(text, 2)).toEqual({ kind: 'runtime', message: 'no such key: health' });
    // Another driver's device is false whatever its attributes: false absorbs the missing key.
    expect(masks.value('device.driver == "x" && device.attributes["x"].model == "A100-SXM4-80GB"', 2)).toBe(false);
  });
});
