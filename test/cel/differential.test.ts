import { describe, it, expect } from 'vitest';
import { compileSelector, CelRuntimeError, type CelOptions } from '../../src/cel/index.js';
import { Inventory } from '../../src/compile/inventory.js';
import { SelectorMasks } from '../../src/compile/selectors.js';
import { Columns } from '../../src/compile/fastpath/columns.js';
import { fastMask } from '../../src/compile/fastpath/mask.js';
import { TRUE, FALSE, UNKNOWN } from '../../src/compile/fastpath/logic.js';
import type { ResourceSlice } from '../../src/model/types.js';
import { reference, rng, selector, slices, type RefValue } from './generate.js';
import { runs } from '../full.js';

const OPTS: CelOptions = { consumableCapacity: true, listTypeAttributes: false };
const EXPRESSIONS = runs(2000, 400);
const DEVICES = 100;

/** What the per-device evaluator says: a bool or the error text. */
function fallback(expression: string, inv: Inventory, i: number): boolean | { error: string } {
  try {
    return compileSelector(expression, OPTS).evaluate(inv.devices[i], inv.sliceOf[i].spec.driver);
  } catch (e) {
    if (!(e instanceof CelRuntimeError)) throw e;
    return { error: e.message };
  }
}

function sorted(errors: ReadonlyMap<number, string>): [number, string][] {
  return [...errors].sort((a, b) => a[0] - b[0]);
}

function agrees(ref: RefValue, actual: boolean | { error: string }): boolean {
  if (typeof ref === 'boolean') return actual === ref;
  if (typeof actual === 'boolean') return false;
  return ref.message === undefined || ref.message === actual.error;
}

describe('selector differential: fast path vs evaluator vs reference', () => {
  const inv = new Inventory(slices(7, DEVICES));
  const columns = new Columns(inv, OPTS);
  const r = rng(42);
  const gens = Array.from({ length: EXPRESSIONS }, () => selector(r));

  it(`${EXPRESSIONS} generated selectors × ${DEVICES} generated devices agree`, { timeout: 300_000 }, () => {
    const masks = new SelectorMasks(inv, OPTS);
    let pairs = 0;
    let decidedByFastPath = 0;
    const mismatches: string[] = [];
    for (const g of gens) {
      const fast = fastMask(compileSelector(g.text, OPTS), columns);
      const full = masks.mask(g.text);
      expect(full.compileError, g.text).toBeUndefined();
      for (let i = 0; i < inv.size; i++) {
        pairs++;
        const slow = fallback(g.text, inv, i);
        const ref = reference(g, inv.devices[i], inv.sliceOf[i].spec.driver);
        if (!agrees(ref, slow)) mismatches.push(`reference ${JSON.stringify(ref)} vs evaluator ${JSON.stringify(slow)}: ${g.text} on ${inv.idAt(i)}`);
        if (fast[i] !== UNKNOWN) {
          decidedByFastPath++;
          if (slow !== (fast[i] === TRUE)) mismatches.push(`fast ${fast[i]} vs evaluator ${JSON.stringify(slow)}: ${g.text} on ${inv.idAt(i)}`);
        } else if (!g.opaque && typeof slow === 'boolean') {
          // Without opaque parts the fast path decides exactly the pairs that are not errors.
          mismatches.push(`fast path left undecided a pair the evaluator gives ${slow}: ${g.text} on ${inv.idAt(i)}`);
        }
        const viaMask = full.values[i] === TRUE ? true : full.values[i] === FALSE ? false : { error: full.errors.get(i)! };
        expect(viaMask, g.text).toEqual(slow);
      }
    }
    console.log(`differential: ${pairs} expression×device pairs, ${decidedByFastPath} decided by the fast path (${((100 * decidedByFastPath) / pairs).toFixed(1)}%), ${mismatches.length} mismatches`);
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('lazy values equal the bulk mask, and never evaluate devices that are not asked for', { timeout: 60_000 }, () => {
    const lazy = new SelectorMasks(inv, OPTS);
    const bulk = new SelectorMasks(inv, OPTS);
    for (const g of gens.slice(0, 200)) {
      const full = bulk.mask(g.text);
      for (let i = 0; i < inv.size; i += 3) {
        const v = lazy.value(g.text, i);
        const expected = full.values[i] === 3 ? { kind: 'runtime', message: full.errors.get(i) } : full.values[i] === TRUE;
        expect(v, g.text).toEqual(expected);
      }
    }
  });

  it('an inventory update keeps the values of unchanged devices and recomputes changed ones', { timeout: 60_000 }, () => {
    const before = slices(7, DEVICES);
    const replaced = slices(8, 30).map((s, k) => ({ ...s, metadata: { name: `new-${k}` } })) as ResourceSlice[];
    const texts = gens.slice(0, 300).map((g) => g.text);
    // The engine's way: one inventory and its masks, patched as slices go and come.
    const inv = new Inventory(before);
    const patched = new SelectorMasks(inv, OPTS);
    for (const t of texts) patched.mask(t);
    for (const s of before.slice(0, 3)) patched.patch(inv.removeSlice(s));
    replaced.forEach((s, k) => patched.patch(inv.addSlice(s, before.length + k)));
    const fresh = new SelectorMasks(inv, OPTS);
    for (const t of texts) {
      const [a, b] = [patched.mask(t), fresh.mask(t)];
      expect(a.values.subarray(0, inv.size), t).toEqual(b.values.subarray(0, inv.size));
      expect(sorted(a.errors), t).toEqual(sorted(b.errors));
    }
  });

  it('prefill in steps yields every few thousand devices and fills what the one-step fill gives', { timeout: 60_000 }, () => {
    const big = new Inventory(slices(9, 10_000));
    const stepped = new SelectorMasks(big, OPTS);
    const whole = new SelectorMasks(big, OPTS);
    const literal = 'device.driver == "gpu.example.com" && device.attributes["gpu.example.com"].model == "A100"';
    const viaCel = 'device.attributes["gpu.example.com"].cores > 64 || device.attributes["nic.example.com"].model.startsWith("H")';
    for (const [text, minYields] of [[literal, 8], [viaCel, 4]] as const) {
      // 10,000 devices in chunks of 2,048: the first expression scans convertibility and builds
      // two columns (4 yields each); the second finds the scan done and builds its own columns.
      const steps = stepped.prefillSteps(text);
      let yields = 0;
      for (let step = steps.next(); !step.done; step = steps.next()) yields++;
      expect(yields, text).toBeGreaterThanOrEqual(minYields);
      const a = stepped.mask(text);
      const b = whole.mask(text);
      expect(a.values, text).toEqual(b.values);
      expect(sorted(a.errors), text).toEqual(sorted(b.errors));
    }
  });
});
