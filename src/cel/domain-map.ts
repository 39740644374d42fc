/**
 * The outer `device.attributes` / `device.capacity` maps: keyed by domain, and looking up an
 * unknown domain yields an empty map instead of an error — upstream wraps these maps in a
 * mapper whose `Find` falls back to an empty map (dynamic-resource-allocation/cel/compile.go).
 *
 * Presence (`in`, `has()`) reports only the domains that really exist. (Upstream's `has()` on
 * the outer map goes through the same `Find` and is therefore always true; `in` is exact.)
 */
import { celMap, type CelMap, type CelValue } from '@bufbuild/cel';

/** @bufbuild/cel recognises maps by this global symbol (see its map.js `isCelMap`). */
const CEL_MAP_MARKER = Symbol.for('@bufbuild/cel/map');
const EMPTY: CelMap = celMap(new Map());

type Key = Parameters<CelMap['get']>[0];

class DomainMap {
  readonly [CEL_MAP_MARKER] = {};
  constructor(private readonly inner: CelMap) {}
  get size(): number {
    return this.inner.size;
  }
  get(key: Key): CelValue {
    return this.inner.get(key) ?? EMPTY;
  }
  has(key: Key): boolean {
    return this.inner.has(key);
  }
  forEach(callback: (value: CelValue, key: Key, map: CelMap) => void, thisArg?: unknown): void {
    this.inner.forEach((value, key) => callback.call(thisArg, value, key, this as unknown as CelMap));
  }
  entries() {
    return this.inner.entries();
  }
  keys() {
    return this.inner.keys();
  }
  values() {
    return this.inner.values();
  }
  [Symbol.iterator]() {
    return this.inner.entries();
  }
}

/** A CEL map of domain → inner map whose lookups of unknown domains return an empty map. */
export function domainMap(domains: Map<string, Map<string, CelValue>>): CelMap {
  const inner = new Map<string, CelMap>();
  for (const [domain, entries] of domains) inner.set(domain, celMap(entries));
  return new DomainMap(celMap(inner)) as unknown as CelMap;
}
