/**
 * Runtime cost budget. Upstream runs selectors with `cel.CostLimit(1_000_000)`; @bufbuild/cel
 * has no cost tracking, so this approximates it where cost can grow without bound:
 * - loops: rewrite.ts wraps each comprehension's loop condition in `@cost(cond, w)`, which
 *   charges `w` (the node count of one iteration) per iteration;
 * - sizes: calls whose cost grows with the size of their arguments (string concatenation per
 *   character, `matches`, `contains`, `split`...) are charged as cel-go charges them, before they
 *   run (size-cost.ts), so that no evaluation builds a huge string.
 * Once the budget is spent the evaluation stops and is reported as failed ("operation
 * cancelled: actual cost limit exceeded", cel-go's text).
 * Evaluation is synchronous, so one module-level meter serves all selectors.
 */
import { celFunc, CelScalar, type CelFunc } from '@bufbuild/cel';

/** Upstream `resourceapi.CELSelectorExpressionMaxCost`. */
export const COST_LIMIT = 1_000_000;

/** cel-go's error when the budget is spent (EvalCancelledError, CostLimitExceeded). */
export const COST_LIMIT_MESSAGE = 'operation cancelled: actual cost limit exceeded';

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

/** Charges `cost` to the current evaluation; false once its budget is spent. */
export function charge(cost: number): boolean {
  remaining -= cost;
  if (remaining < 0) exceeded = true;
  return !exceeded;
}

export const costFuncs: CelFunc[] = [celFunc(COST_FUNCTION, [CelScalar.BOOL, CelScalar.INT], CelScalar.BOOL, (cond, weight) => charge(Number(weight)) && cond)];
