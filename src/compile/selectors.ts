/**
 * Selector masks: the value of each CEL selector on each device of the inventory, computed at
 * most once per (expression, device) and reused across requests, claims, nodes and Pods.
 * A mask entry is unknown, true, false, or an error (whose message is kept). Evaluation is lazy
 * per device, so a device the search never looks at never raises an error — as upstream.
 */

import { compileSelector, CelCompileError, CelRuntimeError, type CelOptions, type CompiledSelector } from './cel/index.js';
import type { Inventory } from './inventory.js';

const UNKNOWN = 0;
const TRUE = 1;
const FALSE = 2;
const ERROR = 3;

export type SelectorValue = true | false | { kind: 'compile' | 'runtime'; message: string };

interface Mask {
  values: Uint8Array;
  errors: Map<number, string>;
  compiled?: CompiledSelector;
  compileError?: string;
}

export class SelectorMasks {
  private readonly masks = new Map<string, Mask>();

  constructor(
    private readonly inv: Inventory,
    private readonly opts: CelOptions,
  ) {}

  /** The selector's value on device `i` (computed once). */
  value(expression: string, i: number): SelectorValue {
    const m = this.mask(expression);
    if (m.compileError !== undefined) return { kind: 'compile', message: m.compileError };
    let v = m.values[i];
    if (v === UNKNOWN) {
      try {
        v = m.compiled!.evaluate(this.inv.devices[i], this.inv.sliceOf[i].spec.driver) ? TRUE : FALSE;
      } catch (e) {
        if (!(e instanceof CelRuntimeError)) throw e;
        m.errors.set(i, e.message);
        v = ERROR;
      }
      m.values[i] = v;
    }
    if (v === ERROR) return { kind: 'runtime', message: m.errors.get(i)! };
    return v === TRUE;
  }

  private mask(expression: string): Mask {
    let m = this.masks.get(expression);
    if (!m) {
      m = { values: new Uint8Array(this.inv.size), errors: new Map() };
      try {
        m.compiled = compileSelector(expression, this.opts);
      } catch (e) {
        if (!(e instanceof CelCompileError)) throw e;
        m.compileError = e.message;
      }
      this.masks.set(expression, m);
    }
    return m;
  }
}
