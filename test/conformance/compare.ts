/**
 * Comparison of actual and expected AllocationResults as FORMAT.md (upstream's matchers) says:
 * `unordered` compares device results as a multiset, node selectors as sets, and requires no
 * config; `exact` compares everything in order. Absent, null and empty lists are equal;
 * quantities compare by value; any set shareID equals the placeholder UID.
 */

import { Quantity } from '../../src/model/quantity.js';

const SHARE_PLACEHOLDER = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';

/** Canonical form: drops null/undefined/empty lists, normalises quantities and share IDs. */
export function normalize(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => normalize(x)).filter((x) => x !== undefined);
    return items.length ? items : undefined;
  }
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const n = normalize((v as Record<string, unknown>)[k], k);
      if (n !== undefined) out[k] = n;
    }
    if (key === 'consumedCapacity') {
      for (const k of Object.keys(out)) out[k] = Quantity.parse(String(out[k])).nano.toString();
    }
    return out;
  }
  if (key === 'shareID') return SHARE_PLACEHOLDER;
  return v;
}

const canon = (v: unknown) => JSON.stringify(normalize(v));

function multisetEqual(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  const left = a.map(canon).sort();
  const right = b.map(canon).sort();
  return left.every((x, i) => x === right[i]);
}

/** Node selector with terms, requirements and values compared as sets. */
function selectorAsSet(ns: unknown): string {
  const n = normalize(ns) as { nodeSelectorTerms?: Record<string, unknown>[] } | undefined;
  if (!n) return '';
  const terms = (n.nodeSelectorTerms ?? []).map((t) => {
    const reqs = (list: unknown) =>
      ((list as { values?: string[] }[] | undefined) ?? []).map((r) => JSON.stringify({ ...r, values: [...(r.values ?? [])].sort() })).sort();
    return JSON.stringify({ e: reqs(t.matchExpressions), f: reqs(t.matchFields) });
  });
  return JSON.stringify([...new Set(terms)].sort());
}

export interface Allocation {
  devices?: { results?: unknown[]; config?: unknown[] };
  nodeSelector?: unknown;
  allocationTimestamp?: unknown;
}

/** Returns undefined when equal, else a one-line reason. */
export function compareAllocation(actual: Allocation, expected: Allocation, mode: 'unordered' | 'exact'): string | undefined {
  if (mode === 'exact') {
    return canon(actual) === canon(expected) ? undefined : `got ${canon(actual)}, want ${canon(expected)}`;
  }
  if (actual.allocationTimestamp !== undefined) return 'allocationTimestamp is set';
  if (normalize(actual.devices?.config) !== undefined) return `unexpected config ${canon(actual.devices?.config)}`;
  if (!multisetEqual(actual.devices?.results ?? [], expected.devices?.results ?? [])) {
    return `results ${canon(actual.devices?.results)}, want (any order) ${canon(expected.devices?.results)}`;
  }
  if (selectorAsSet(actual.nodeSelector) !== selectorAsSet(expected.nodeSelector)) {
    return `nodeSelector ${canon(actual.nodeSelector)}, want ${canon(expected.nodeSelector)}`;
  }
  return undefined;
}
