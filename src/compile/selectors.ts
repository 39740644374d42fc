/**
 * Selector masks: the value of each CEL selector on each device of the inventory, computed at
 * most once per (expression, device) and reused across requests, claims, nodes and Pods.
 * A mask entry is unknown, true, false, or an error (whose message is kept).
 *
 * The first use of an expression fills its mask through a fast path that decides true/false
 * for whole groups of devices at once and never produces errors: the literal path
 * (fastpath/literal.ts: driver and string attribute comparisons, recognised on the text, no CEL
 * runtime) or else the column path over the compiled AST (fastpath/mask.ts). What they leave
 * unknown is evaluated per device by the CEL evaluator, lazily in `value`, so a device the search
 * never looks at never raises an error — as upstream. The CEL runtime (cel-loader.ts) is loaded
 * only when an expression is outside the literal path or a device needs the evaluator.
 *
 * The masks follow the inventory as it changes: `patch(slots)` forgets the values of slots whose
 * device changed (they are computed again when looked at), and every other value stays.
 */

import type { CelOptions } from '../cel/index.js';
import type { Inventory } from './inventory.js';
import type { CompiledSelector } from './cel-runtime.js';
import { celRuntime } from './cel-loader.js';
import { Columns } from './fastpath/columns.js';
import { literalKeys, literalMask, literalPlan, type LiteralPlan } from './fastpath/literal.js';
import { FALSE, TRUE, UNKNOWN } from './fastpath/logic.js';

const ERROR = 3;

export type SelectorValue = true | false | { kind: 'compile' | 'runtime'; message: string };

/** A whole mask: per slot 1 = true, 2 = false, 3 = error (message in `errors`); 0 for free slots. */
export interface FullMask {
  readonly values: Uint8Array;
  readonly errors: ReadonlyMap<number, string>;
  /** Set when the expression does not compile (then `values` is all 0). */
  readonly compileError?: string;
}

interface Mask {
  expression: string;
  values: Uint8Array;
  errors: Map<number, string>;
  /** Set when the expression is in the literal subset: it compiles, and is compiled only when a device needs the evaluator. */
  literal?: LiteralPlan;
  compiled?: CompiledSelector;
  compileError?: string;
  /** Whether the fast path has run over this mask. */
  filled: boolean;
}

export class SelectorMasks {
  private readonly masks = new Map<string, Mask>();
  private columns?: Columns;

  constructor(
    private readonly inv: Inventory,
    private readonly opts: CelOptions,
  ) {}

  /** The devices in `slots` changed (added, removed, replaced): their values are unknown again. */
  patch(slots: ArrayLike<number>): void {
    this.columns = undefined; // rebuilt for the next new expression
    for (const m of this.masks.values()) {
      if (m.values.length < this.inv.size) m.values = grown(m.values, this.inv.capacity);
      for (let k = 0; k < slots.length; k++) {
        m.values[slots[k]] = UNKNOWN;
        m.errors.delete(slots[k]);
      }
    }
  }

  /**
   * Compiles the selector and runs the fast path over every device (no evaluator, so no errors
   * raised), in steps (`Engine.precompileSteps`): the column scans over all devices yield every
   * few thousand devices; the fill that follows only combines per-device codes.
   */
  *prefillSteps(expression: string): Generator<void, void> {
    const m = this.entry(expression);
    if (m.compileError !== undefined || m.filled) return;
    this.columns ??= new Columns(this.inv, this.opts);
    yield* this.columns.warmSteps(m.literal ? literalKeys(m.literal) : celRuntime().planKeys(m.compiled!));
    if (!m.filled) this.fill(m);
  }

  /** The selector's value on device `i` (computed once). */
  value(expression: string, i: number): SelectorValue {
    const m = this.entry(expression);
    if (m.compileError !== undefined) return { kind: 'compile', message: m.compileError };
    if (!m.filled) this.fill(m);
    const v = m.values[i] === UNKNOWN ? this.evaluate(m, i) : m.values[i];
    if (v === ERROR) return { kind: 'runtime', message: m.errors.get(i)! };
    return v === TRUE;
  }

  /** The selector's value on every device (fast path, then the evaluator for the rest). */
  mask(expression: string): FullMask {
    const m = this.entry(expression);
    if (m.compileError !== undefined) return { values: m.values, errors: m.errors, compileError: m.compileError };
    if (!m.filled) this.fill(m);
    for (let i = 0; i < this.inv.size; i++) if (m.values[i] === UNKNOWN && this.inv.live(i)) this.evaluate(m, i);
    return { values: m.values, errors: m.errors };
  }

  private evaluate(m: Mask, i: number): number {
    const cel = celRuntime();
    m.compiled ??= cel.compileSelector(m.expression, this.opts); // literal: cannot fail (literal.ts)
    let v: number;
    try {
      v = m.compiled.evaluate(this.inv.devices[i], this.inv.sliceOf[i].spec.driver) ? TRUE : FALSE;
    } catch (e) {
      if (!(e instanceof cel.CelRuntimeError)) throw e;
      m.errors.set(i, e.message);
      v = ERROR;
    }
    m.values[i] = v;
    return v;
  }

  /** Runs the fast path for the devices still unknown. */
  private fill(m: Mask): void {
    m.filled = true;
    const pending = new Uint8Array(this.inv.size);
    let count = 0;
    for (let i = 0; i < pending.length; i++) {
      if (m.values[i] === UNKNOWN && this.inv.live(i)) {
        pending[i] = 1;
        count++;
      }
    }
    if (count === 0) return;
    this.columns ??= new Columns(this.inv, this.opts);
    const fast = m.literal ? literalMask(m.literal, this.columns, pending) : celRuntime().fastMask(m.compiled!, this.columns, pending);
    for (let i = 0; i < fast.length; i++) if (pending[i] === 1 && fast[i] !== UNKNOWN) m.values[i] = fast[i];
  }

  private entry(expression: string): Mask {
    let m = this.masks.get(expression);
    if (!m) {
      m = { expression, values: new Uint8Array(this.inv.capacity), errors: new Map(), filled: false, literal: literalPlan(expression) };
      if (m.literal === undefined) {
        const cel = celRuntime();
        try {
          m.compiled = cel.compileSelector(expression, this.opts);
        } catch (e) {
          if (!(e instanceof cel.CelCompileError)) throw e;
          m.compileError = e.message;
        }
      }
      this.masks.set(expression, m);
    }
    return m;
  }
}

function grown(a: Uint8Array, length: number): Uint8Array {
  const b = new Uint8Array(length);
  b.set(a);
  return b;
}
