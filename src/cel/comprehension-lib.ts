/**
 * Internal helpers for two-variable comprehensions (rewrite.ts). Their names start with `@`,
 * which the CEL grammar does not allow in identifiers, so selectors cannot call them.
 */
import { celFunc, celList, celMap, CelScalar, isCelMap, listType, mapType, type CelFunc, type CelUint, type CelValue } from '@bufbuild/cel';

const { DYN } = CelScalar;
const MAP = mapType(DYN, DYN);

export const ENTRIES = '@entries';
export const MAP_INSERT = '@mapInsert';
export const MAP_MERGE = '@mapMerge';

type Key = bigint | string | boolean | CelUint;

function insert(into: Map<Key, CelValue>, key: Key, value: CelValue): void {
  if (into.has(key)) throw new Error(`insert failed: key ${String(key)} already exists`);
  into.set(key, value);
}

export const comprehensionFuncs: CelFunc[] = [
  /** `[[index, element]...]` of a list, `[[key, value]...]` of a map. */
  celFunc(ENTRIES, [DYN], listType(listType(DYN)), (range) => {
    if (isCelMap(range)) return Array.from(range.entries(), ([k, v]) => celList([k, v]));
    if (typeof range === 'object' && range !== null && Symbol.iterator in range) {
      return Array.from(range as Iterable<CelValue>, (v, i) => celList([BigInt(i), v]));
    }
    throw new Error(`expression of type '${typeof range}' cannot be range of a comprehension`);
  }),
  /** A copy of `map` with `key` → `value` added; a duplicate key is an error. */
  celFunc(MAP_INSERT, [MAP, DYN, DYN], MAP, (map, key, value) => {
    const out = new Map<Key, CelValue>(map.entries());
    insert(out, key as Key, value);
    return celMap(out);
  }),
  /** The union of two maps; a duplicate key is an error. */
  celFunc(MAP_MERGE, [MAP, MAP], MAP, (a, b) => {
    const out = new Map<Key, CelValue>(a.entries());
    for (const [k, v] of b.entries()) insert(out, k, v);
    return celMap(out);
  }),
];
