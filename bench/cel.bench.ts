/**
 * Selector masks: 50 distinct generated selectors (test/cel/generate.ts, seeded) over 100,000
 * generated devices. Reports the time per selector×device pair of
 * - fast path: `fastMask` over the whole inventory (column building included: fresh Columns per run);
 * - masks: `SelectorMasks.mask` (fast path, then the evaluator for what it leaves undecided);
 * - fallback: our per-device evaluator (`CompiledSelector.evaluate`) on every pair;
 * - library: @bufbuild/cel's own interpreter (`plan` of the parsed expression, same function
 *   library, the same `device` values) on every pair, without our rewrites and checks;
 * and the ratios against the fast path, in one run. The two per-device evaluators run on the
 * first 5,000 devices (per-pair time does not depend on the inventory size; 5M evaluations
 * would take minutes).
 *
 * Run: `node --import tsx bench/cel.bench.ts`
 */
import { Bench } from 'tinybench';
import { parse, plan } from '@bufbuild/cel';
import { compileSelector, type CelOptions } from '../src/cel/index.js';
import { selectorEnv } from '../src/cel/env.js';
import { deviceValue } from '../src/cel/device-value.js';
import { Inventory } from '../src/compile/inventory.js';
import { SelectorMasks } from '../src/compile/selectors.js';
import { Columns } from '../src/compile/fastpath/columns.js';
import { fastMask } from '../src/compile/fastpath/mask.js';
import { UNKNOWN } from '../src/compile/fastpath/logic.js';
import { rng, selector, slices } from '../test/cel/generate.js';

const OPTS: CelOptions = { consumableCapacity: true, listTypeAttributes: false };
const DEVICES = 100_000;
const SAMPLE = 5_000;
const SELECTORS = 50;

const inv = new Inventory(slices(1, DEVICES));
const r = rng(2024);
const texts = Array.from({ length: SELECTORS }, () => selector(r, 2).text);
const compiled = texts.map((t) => compileSelector(t, OPTS));
const env = selectorEnv(OPTS);
const libraryPrograms = texts.map((t) => plan(env.runtime, parse(t).expr));

const columns = new Columns(inv, OPTS);
let decided = 0;
for (const c of compiled) for (const v of fastMask(c, columns)) if (v !== UNKNOWN) decided++;

let sink = 0;
const bench = new Bench({ name: 'cel', time: 3000, warmupTime: 500, warmupIterations: 1, iterations: 2 });
bench
  .add(`fast path: ${SELECTORS} selectors × ${DEVICES} devices`, () => {
    const cols = new Columns(inv, OPTS);
    for (const c of compiled) sink += fastMask(c, cols)[0];
  })
  .add(`masks (fast path + evaluator): ${SELECTORS} × ${DEVICES}`, () => {
    const masks = new SelectorMasks(inv, OPTS);
    for (const t of texts) sink += masks.mask(t).values[0];
  })
  .add(`fallback evaluator: ${SELECTORS} × ${SAMPLE}`, () => {
    for (const c of compiled) {
      for (let i = 0; i < SAMPLE; i++) {
        try {
          sink += c.evaluate(inv.devices[i], inv.sliceOf[i].spec.driver) ? 1 : 0;
        } catch {
          sink--;
        }
      }
    }
  })
  .add(`@bufbuild/cel interpreter: ${SELECTORS} × ${SAMPLE}`, () => {
    for (const p of libraryPrograms) {
      for (let i = 0; i < SAMPLE; i++) {
        try {
          sink += p({ device: deviceValue(inv.devices[i], inv.sliceOf[i].spec.driver, OPTS) }) === true ? 1 : 0;
        } catch {
          sink--;
        }
      }
    }
  });

await bench.run();

const pairs = [SELECTORS * DEVICES, SELECTORS * DEVICES, SELECTORS * SAMPLE, SELECTORS * SAMPLE];
const perPair = bench.tasks.map((t, k) => {
  const res = t.result;
  if (res.state !== 'completed') throw new Error(`${t.name}: ${res.state}`);
  return (res.latency.mean * 1e6) / pairs[k];
});
console.log(`node ${process.version}; fast path decided ${((100 * decided) / (SELECTORS * DEVICES)).toFixed(1)}% of the pairs (the rest: evaluator); sink ${sink}`);
console.table(
  bench.tasks.map((t, k) => ({
    task: t.name,
    'ns per pair': perPair[k].toFixed(1),
    'vs fast path': `${(perPair[k] / perPair[0]).toFixed(1)}×`,
  })),
);
