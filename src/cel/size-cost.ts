/**
 * Runtime cost of the calls whose cost grows with the size of their arguments, as cel-go
 * charges them (interpreter/runtimecost.go, `costCall`) and Kubernetes' CEL library adds for its
 * functions (apiserver/pkg/cel/library/cost.go, `CallCost`): a traversal of a string costs 0.1
 * per character (`StringTraversalCostFactor`), a regular expression 0.25 per character of the
 * pattern (`RegexStringLengthCostFactor`), rounded up per call. Sizes are CEL's `size()`:
 * characters (code points) of a string, bytes, list elements, map entries; 1 for anything else.
 *
 * Each call is charged *before* it runs (cel-go charges after, but only once the value exists
 * can @bufbuild/cel compute it: a string doubled 25 times would take seconds and gigabytes);
 * once the budget is spent the call yields cel-go's cost-limit error instead of running.
 * Calls not listed cost nothing here: the loop meter (cost.ts) already counts every node of
 * an iteration, and without loops an expression of at most 10 KiB stays far below the limit.
 */
import { celError, celType, CelScalar, isCelList, isCelMap, type CelFunc, type CelType, type CelValue } from '@bufbuild/cel';
import { charge, COST_LIMIT_MESSAGE } from './cost.js';

const TRAVERSAL = 0.1;
const REGEX = 0.25;
const LONG_STRING = 1 << 16;

/** CEL's size of a value. */
function size(v: CelValue | undefined): number {
  if (typeof v === 'string') return codePoints(v);
  if (v instanceof Uint8Array) return v.length;
  if (isCelList(v) || isCelMap(v)) return v.size;
  return 1;
}

/**
 * Characters of a string: UTF-16 units less surrogate pairs. Counting means reading every unit
 * (and flattening a concatenated string); for long strings (only reachable by concatenation)
 * the unit count stands in, charging a string of non-BMP characters at most twice its size.
 */
function codePoints(s: string): number {
  if (s.length > LONG_STRING) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--; // a surrogate pair is one character
  }
  return n;
}

const isText = (v: CelValue | undefined) => typeof v === 'string' || v instanceof Uint8Array;
const traverse = (v: CelValue | undefined, factor = TRAVERSAL) => Math.ceil(size(v) * factor);

/**
 * Cost of a call from its receiver and arguments (cel-go passes the receiver as the first
 * argument); undefined for an overload that is not size-dependent.
 */
type Rule = (target: CelValue | undefined, args: CelValue[]) => number | undefined;

const RULES: Record<string, Rule> = {
  // O(m+n): a new string is built from both.
  '_+_': (_t, [a, b]) => (isText(a) && isText(b) ? Math.ceil((size(a) + size(b)) * TRAVERSAL) : undefined),
  // O(n)
  startsWith: (t) => traverse(t),
  endsWith: (t) => traverse(t),
  string: (_t, [a]) => (a instanceof Uint8Array ? traverse(a) : undefined),
  bytes: (_t, [a]) => (typeof a === 'string' ? traverse(a) : undefined),
  '@in': (_t, [, list]) => (isCelList(list) ? size(list) : undefined),
  // O(min(m, n)): comparisons of strings, bytes, lists, maps.
  '_==_': (_t, [a, b]) => Math.ceil(Math.min(size(a), size(b)) * TRAVERSAL),
  '_!=_': (_t, [a, b]) => Math.ceil(Math.min(size(a), size(b)) * TRAVERSAL),
  // O(nm)
  matches: (t, args) => {
    const [s, re] = t === undefined ? args : [t, args[0]];
    return Math.ceil((1 + size(s)) * TRAVERSAL) * traverse(re, REGEX);
  },
  contains: (t, [sub]) => (typeof t === 'string' ? traverse(t) * traverse(sub) : undefined),
  // Kubernetes' library and the strings extension.
  lowerAscii: (t) => traverse(t),
  upperAscii: (t) => traverse(t),
  substring: (t) => traverse(t),
  trim: (t) => traverse(t),
  replace: (t) => traverse(t, 2 * TRAVERSAL),
  split: (t) => traverse(t, 2 * TRAVERSAL),
  join: (t, [sep]) => {
    if (!isCelList(t)) return undefined;
    let n = 0;
    for (const e of t) n += size(e);
    return Math.ceil((n + Math.max(0, t.size - 1) * (sep === undefined ? 0 : size(sep))) * 2 * TRAVERSAL);
  },
  indexOf: (t) => (typeof t === 'string' ? traverse(t) : size(t)),
  lastIndexOf: (t) => (typeof t === 'string' ? traverse(t) : size(t)),
  isSorted: (t) => size(t),
  sum: (t) => size(t),
  max: (t) => size(t),
  min: (t) => size(t),
  url: (_t, [a]) => traverse(a),
  quantity: (_t, [a]) => traverse(a),
  isQuantity: (_t, [a]) => traverse(a),
  ip: (t, [a]) => (t === undefined ? traverse(a) : undefined),
  isIP: (_t, [a]) => traverse(a),
  cidr: (_t, [a]) => traverse(a),
  isCIDR: (_t, [a]) => traverse(a),
};

/** Whether overload `f` takes these values (as @bufbuild/cel decides: same kind of type, any value for dyn). */
function accepts(f: CelFunc, target: CelValue | undefined, args: CelValue[]): boolean {
  if ((target === undefined) !== (f.target === undefined) || args.length !== f.arguments.length) return false;
  if (target !== undefined && !fits(target, f.target!)) return false;
  return args.every((a, i) => fits(a, f.arguments[i]));
}

function fits(v: CelValue, t: CelType): boolean {
  if (t === CelScalar.DYN) return true;
  const actual = celType(v);
  return actual.kind === t.kind && (t.kind !== 'scalar' || actual.name === t.name);
}

/** The functions with the size-dependent ones charged before they run (same ids: they replace the originals). */
export function meterSizes(funcs: Iterable<CelFunc>): CelFunc[] {
  const out: CelFunc[] = [];
  for (const f of funcs) {
    const rule = Object.hasOwn(RULES, f.name) ? RULES[f.name] : undefined;
    if (rule === undefined) {
      out.push(f);
      continue;
    }
    // Everything but `call` is the original's (id, name, types).
    const metered = Object.create(f) as CelFunc & { call: CelFunc['call'] };
    metered.call = (id, target, args) => {
      // The group tries its overloads in turn: charge only the one that takes these values.
      if (!accepts(f, target, args)) return undefined;
      const cost = rule(target, args);
      if (cost !== undefined && !charge(cost)) return celError(COST_LIMIT_MESSAGE, id);
      return f.call(id, target, args);
    };
    out.push(metered);
  }
  return out;
}
