/**
 * Runtime cost budget. Upstream runs selectors with `cel.CostLimit(1_000_000)`; @bufbuild/cel
 * has no cost tracking, so this approximates it where cost can grow without bound: loops.
 * rewrite.ts wraps each comprehension's loop condition in `@cost(cond, w)`, which charges `w`
 * (the node count of one iteration) per iteration. Once the budget is spent the loop stops and
 * the evaluation is reported as failed ("operation cancelled: actual cost limit exceeded").
 * Evaluation is synchronous, so one module-level meter serves all selectors.
 */
import { celFunc, CelScalar, type CelFunc } from '@bufbuild/cel';

/** Upstream `resourceapi.CELSelectorExpressionMaxCost`. */
export const COST_LIMIT = 1_000_000;

/** Name of the internal charging function; not a valid CEL identifier, so users cannot call it. */
export const COST_FUNCTION = '@cost';

let budget = COST_LIMIT;
let remaining = COST_LIMIT;
let exceeded = false;

/** Starts metering one evaluation with a fresh budget of `limit`. */
export function resetCost(limit: number = COST_LIMIT): void {
  budget = limit;
  remaining = limit;
  exceeded = false;
}

/** The budget the current evaluation has used so far. */
export function costUsed(): number {
  return budget - remaining;
}

/** Whether the current evaluation ran out of budget. */
export function costExceeded(): boolean {
  return exceeded;
}

export const costFuncs: CelFunc[] = [
  celFunc(COST_FUNCTION, [CelScalar.BOOL, CelScalar.INT], CelScalar.BOOL, (cond, weight) => {
    remaining -= Number(weight);
    if (remaining < 0) exceeded = true;
    return cond && !exceeded;
  }),
];
