/**
 * Static cost estimate of a rewritten selector AST, checked at compile time against the
 * budget (upstream rejects a selector whose estimated cost exceeds
 * `CELSelectorExpressionMaxCost`: "too complex, exceeds cost limit").
 *
 * The estimate is in the units of our runtime meter (cost.ts): each comprehension iteration
 * costs the node count of its loop condition and step, times the iterations of every enclosing
 * comprehension. Iteration counts come from the largest size a range can have:
 * - list and map literals: their element count; a comprehension's result: its range's size;
 * - `device.attributes`, `device.capacity` and one domain of them: 32 entries
 *   (`ResourceSliceMaxAttributesAndCapacitiesPerDevice`); a list-type attribute value: 48
 *   (`ResourceSliceMaxAttributeValues`);
 * - a method on a string constant (e.g. `"a,b".split(",")`): the string's length + 1;
 * - anything else: 64, the longest attribute string value (`DeviceAttributeMaxValueLength`).
 * The runtime meter still enforces the real budget, so an expression the estimate lets through
 * can fail at run time ("actual cost limit exceeded"), as with upstream's runtime limit.
 */
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { children } from './rewrite.js';
import { MAX_INCLUDES_LIST } from './lists-lib.js';

const MAX_MAP_ENTRIES = 32;
const DEFAULT_SIZE = 64;

/** The estimated worst-case cost of evaluating `root` once. */
export function estimateCost(root: Expr): number {
  return cost(root, 1);
}

function cost(e: Expr, multiplier: number): number {
  const k = e.exprKind;
  if (k.case !== 'comprehensionExpr') return children(e).reduce((sum, c) => sum + cost(c, multiplier), 0);
  const c = k.value;
  const iterations = c.iterRange === undefined ? 0 : size(c.iterRange);
  const perIteration = nodes(c.loopCondition) + nodes(c.loopStep);
  const inner = iterations * multiplier;
  return (
    inner * perIteration +
    cost(c.loopCondition!, inner) +
    cost(c.loopStep!, inner) +
    [c.iterRange, c.accuInit, c.result].reduce((sum, x) => sum + (x === undefined ? 0 : cost(x, multiplier)), 0)
  );
}

/** Largest number of elements `e` can have when used as a comprehension range. */
function size(e: Expr): number {
  const k = e.exprKind;
  switch (k.case) {
    case 'listExpr':
      return k.value.elements.length;
    case 'structExpr':
      return k.value.entries.length;
    case 'comprehensionExpr':
      return k.value.iterRange === undefined ? 0 : size(k.value.iterRange);
    case 'selectExpr':
      if (isDeviceMap(e) || isDeviceMap(k.value.operand)) return MAX_MAP_ENTRIES;
      return isDeviceDomain(k.value.operand) ? MAX_INCLUDES_LIST : DEFAULT_SIZE;
    case 'callExpr': {
      const { function: fn, target, args } = k.value;
      if (fn === '_[_]' && isDeviceMap(args[0])) return MAX_MAP_ENTRIES;
      if (fn === '_[_]' && isDeviceDomain(args[0])) return MAX_INCLUDES_LIST;
      if (fn === '_+_') return args.reduce((sum, a) => sum + size(a), 0);
      if (fn.startsWith('@')) return args.length > 0 ? size(args[0]) : 0;
      if (target?.exprKind.case === 'constExpr' && target.exprKind.value.constantKind.case === 'stringValue') {
        return target.exprKind.value.constantKind.value.length + 1;
      }
      return DEFAULT_SIZE;
    }
    default:
      return DEFAULT_SIZE;
  }
}

/** `device.attributes` or `device.capacity`. */
function isDeviceMap(e: Expr | undefined): boolean {
  const k = e?.exprKind;
  return (
    k?.case === 'selectExpr' &&
    (k.value.field === 'attributes' || k.value.field === 'capacity') &&
    k.value.operand?.exprKind.case === 'identExpr' &&
    k.value.operand.exprKind.value.name === 'device'
  );
}

/** One domain of them: `device.attributes[D]` or `device.attributes.D`. */
function isDeviceDomain(e: Expr | undefined): boolean {
  const k = e?.exprKind;
  if (k?.case === 'selectExpr') return isDeviceMap(k.value.operand);
  return k?.case === 'callExpr' && k.value.function === '_[_]' && isDeviceMap(k.value.args[0]);
}

function nodes(e: Expr | undefined): number {
  return e === undefined ? 0 : 1 + children(e).reduce((sum, c) => sum + nodes(c), 0);
}
