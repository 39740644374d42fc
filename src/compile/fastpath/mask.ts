/**
 * The selector fast path: a whole mask (every device of the inventory) at once, by columns.
 *
 * Each keyed leaf (plan.ts) is evaluated by the real evaluator once per distinct tuple of its
 * columns' value ids, on the first device having that tuple, and the result is spread to all
 * devices with the same tuple through a lookup table; `&&`, `||`, `!` then combine the leaf
 * arrays element-wise with CEL's commutative logic (false absorbs errors in `&&`, true in `||`).
 *
 * The result per device is TRUE, FALSE or UNKNOWN. UNKNOWN means "ask the evaluator": a leaf
 * that failed or gave a non-bool, an opaque leaf, a device whose value cannot be built. Errors
 * are therefore never produced here, only by the evaluator for the devices that are looked at,
 * which keeps both paths identical by construction (values and errors).
 *
 * Cost: the evaluator charges one budget per evaluation of the whole expression. The fast path
 * gives up (all UNKNOWN) unless the sum over leaves of the most any leaf evaluation cost stays
 * within the budget and no opaque leaf contains a loop, so no device it decides could have
 * exceeded the budget in the evaluator.
 */
import type { CompiledSelector } from '../../cel/index.js';
import { COST_LIMIT } from '../../cel/cost.js';
import type { ColumnKey, Columns } from './columns.js';
import { evaluateLogic, leavesOf, someLeaf, FALSE, TRUE, UNKNOWN } from './logic.js';
import { logicPlan, type CelLeaf, type LogicPlan } from './plan.js';

const plans = new WeakMap<CompiledSelector, LogicPlan | null>();

function planOf(compiled: CompiledSelector): LogicPlan | undefined {
  let p = plans.get(compiled);
  if (p === undefined) {
    p = logicPlan(compiled.ast) ?? null;
    plans.set(compiled, p);
  }
  return p ?? undefined;
}

/** The columns `fastMask` reads for this selector (none when it gives up on it). */
export function planKeys(compiled: CompiledSelector): ColumnKey[] {
  const plan = planOf(compiled);
  return plan === undefined ? [] : leavesOf(plan).flatMap((l) => (l.op === 'leaf' ? l.keys : []));
}

/**
 * TRUE/FALSE/UNKNOWN for every device of `columns.inv` (see the module doc); with `pending`,
 * only devices whose entry there is 1 are decided, the others are UNKNOWN.
 */
export function fastMask(compiled: CompiledSelector, columns: Columns, pending?: Uint8Array): Uint8Array {
  const n = columns.inv.size;
  const plan = planOf(compiled);
  if (plan === undefined || someLeaf(plan, (l) => l.op === 'opaque' && l.loops)) return new Uint8Array(n);
  const cost = { total: 0 };
  const ctx = { compiled, columns, pending };
  const out = evaluateLogic<CelLeaf>(plan, (l) => (l.op === 'opaque' ? new Uint8Array(n) : leaf(l, ctx, cost)));
  return cost.total > COST_LIMIT ? new Uint8Array(n) : out;
}

interface Context {
  compiled: CompiledSelector;
  columns: Columns;
  pending: Uint8Array | undefined;
}

/** A keyed leaf: one evaluation per distinct tuple of its columns, spread by table lookup. */
function leaf(p: Extract<CelLeaf, { op: 'leaf' }>, { compiled, columns, pending }: Context, cost: { total: number }): Uint8Array {
  const { inv, convertible } = columns;
  const n = inv.size;
  const { ids, count } = tupleIds(p, columns);
  const table = new Uint8Array(count); // 0 = not evaluated yet, else the code + 1
  const out = new Uint8Array(n);
  let maxCost = 0;
  for (let i = 0; i < n; i++) {
    if (convertible[i] === 0 || (pending !== undefined && pending[i] === 0)) continue;
    const t = ids[i];
    let code = table[t];
    if (code === 0) {
      const r = compiled.evaluateNode(p.node, inv.devices[i], inv.sliceOf[i].spec.driver);
      if (r.cost > maxCost) maxCost = r.cost;
      code = 1 + (r.value === true ? TRUE : r.value === false ? FALSE : UNKNOWN);
      table[t] = code;
    }
    out[i] = code - 1;
  }
  cost.total += maxCost;
  return out;
}

/** Dense ids of the tuple of the leaf's column values, per device. */
function tupleIds(p: Extract<CelLeaf, { op: 'leaf' }>, columns: Columns): { ids: Uint32Array; count: number } {
  const n = columns.inv.size;
  if (p.keys.length === 0) return { ids: new Uint32Array(n), count: 1 };
  let { ids, count } = columns.column(p.keys[0]);
  for (const key of p.keys.slice(1)) {
    const c = columns.column(key);
    const combined = new Uint32Array(n);
    const dense = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const pair = ids[i] * c.count + c.ids[i];
      let id = dense.get(pair);
      if (id === undefined) {
        id = dense.size;
        dense.set(pair, id);
      }
      combined[i] = id;
    }
    ids = combined;
    count = dense.size;
  }
  return { ids, count };
}
