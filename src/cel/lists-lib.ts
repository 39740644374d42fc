/**
 * List functions: the Kubernetes lists library (k8s.io/apiserver/pkg/cel/library/lists.go:
 * `isSorted() sum() min() max() indexOf() lastIndexOf()`), cel-go's sets extension
 * (`sets.contains`, `sets.equivalent`, `sets.intersects`) and, for DRA list-type attributes
 * (v1.36), `includes(x)`.
 */
import { equals } from '@bufbuild/protobuf';
import { isReflectMessage } from '@bufbuild/protobuf/reflect';
import { celFunc, celMethod, CelScalar, isCelList, listType, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';

const { BOOL, INT, DYN } = CelScalar;
const LIST = listType(DYN);

/** Upstream `resourceapi.ResourceSliceMaxAttributeValues`: no attribute holds more values. */
export const MAX_INCLUDES_LIST = 48;

type Scalar = bigint | number | string | boolean;

function isNumeric(v: CelValue): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

/** Order of two comparable scalars (numbers compare across int/double); throws otherwise. */
function compare(a: CelValue, b: CelValue): number {
  if (isNumeric(a) && isNumeric(b)) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === typeof b && (typeof a === 'string' || typeof a === 'boolean')) {
    const [x, y] = [a as Scalar, b as Scalar];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new Error(`no such overload: comparison of ${typeof a} and ${typeof b}`);
}

/** CEL equality for the scalar and message (Semver, Quantity) values an attribute can hold. */
function same(a: CelValue, b: CelValue): boolean {
  if (isNumeric(a) && isNumeric(b)) return a == b;
  if (isReflectMessage(a) && isReflectMessage(b)) {
    return a.desc.typeName === b.desc.typeName && equals(a.desc, a.message, b.message);
  }
  return a === b;
}

function items(list: CelList): CelValue[] {
  return Array.from(list);
}

function extreme(list: CelList, name: string, sign: number): CelValue {
  const all = items(list);
  if (all.length === 0) throw new Error(`${name} called on empty list`);
  return all.reduce((best, v) => (compare(v, best) * sign > 0 ? v : best));
}

function indexOf(list: CelList, x: CelValue, last: boolean): bigint {
  const all = items(list);
  const order = last ? all.map((_, i) => all.length - 1 - i) : all.map((_, i) => i);
  for (const i of order) if (same(all[i], x)) return BigInt(i);
  return -1n;
}

function contains(list: CelList, x: CelValue): boolean {
  for (const v of list) if (same(v, x)) return true;
  return false;
}

export const listFuncs: CelFunc[] = [
  celMethod('isSorted', LIST, [], BOOL, function () {
    const all = items(this);
    return all.every((v, i) => i === 0 || compare(all[i - 1], v) <= 0);
  }),
  celMethod('sum', LIST, [], DYN, function () {
    const all = items(this);
    if (all.length === 0) return 0n;
    if (all.every((v) => typeof v === 'bigint')) return (all as bigint[]).reduce((a, b) => a + b);
    if (all.every((v) => typeof v === 'number')) return (all as number[]).reduce((a, b) => a + b);
    throw new Error('no such overload: sum of mixed or non-numeric list');
  }),
  celMethod('min', LIST, [], DYN, function () {
    return extreme(this, 'min', -1);
  }),
  celMethod('max', LIST, [], DYN, function () {
    return extreme(this, 'max', 1);
  }),
  celMethod('indexOf', LIST, [DYN], INT, function (x) {
    return indexOf(this, x, false);
  }),
  celMethod('lastIndexOf', LIST, [DYN], INT, function (x) {
    return indexOf(this, x, true);
  }),
  celFunc('sets.contains', [LIST, LIST], BOOL, (a, b) => items(b).every((x) => contains(a, x))),
  celFunc('sets.equivalent', [LIST, LIST], BOOL, (a, b) => items(b).every((x) => contains(a, x)) && items(a).every((x) => contains(b, x))),
  celFunc('sets.intersects', [LIST, LIST], BOOL, (a, b) => items(b).some((x) => contains(a, x))),
];

/**
 * `v.includes(x)` for attribute values that may be a scalar or a list: a list includes `x`
 * when one of its elements equals `x`, a scalar when it equals `x`.
 */
export const includesFuncs: CelFunc[] = [
  celMethod('includes', DYN, [DYN], BOOL, function (x) {
    if (!isCelList(this)) return same(this, x);
    const list = this;
    if (list.size > MAX_INCLUDES_LIST) {
      throw new Error(`includes: list has ${list.size} elements, more than the maximum of ${MAX_INCLUDES_LIST}`);
    }
    return contains(list, x);
  }),
];
