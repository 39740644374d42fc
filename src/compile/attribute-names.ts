/**
 * The one rule behind both unknown-attribute checks — `lint`'s `unknown-attribute` findings
 * (src/lint/attributes.ts) and the selector warnings `explain` and the CLI hints print
 * (selector-diagnostics.ts): a selector's constant lookup `device.attributes[D]` / `.N` (or
 * `device.capacity`) is unknown when no device of the input has that domain, or that name in
 * it; the suggestion is a name that exists, close by edit distance.
 *
 * This module holds what both need: the names the devices have (AttributeNames), how a lookup
 * stands against them (`verdict`), and the choice of the closest name (`nearest`). Each check
 * keeps its own reference finding (lint skips `has()` guards) and its own wording.
 */

import { splitQualifiedName } from '../cel/device-fields.js';
import type { Device } from '../model/types.js';

export type NameField = 'attributes' | 'capacity';

/** The attribute and capacity names of a set of devices: per field, domain → ids (bare names filed under their driver). */
export class AttributeNames {
  private readonly byDomain: Record<NameField, Map<string, Set<string>>> = { attributes: new Map(), capacity: new Map() };
  /** Devices added (a check says nothing about an input without devices). */
  devices = 0;

  /** Adds one device of `driver`. */
  add(driver: string, device: Device): void {
    this.devices++;
    for (const field of ['attributes', 'capacity'] as const) {
      for (const qualified of Object.keys(device[field] ?? {})) {
        const [domain, id] = splitQualifiedName(qualified, driver);
        let ids = this.byDomain[field].get(domain);
        if (ids === undefined) this.byDomain[field].set(domain, (ids = new Set()));
        ids.add(id);
      }
    }
  }

  /** domain → ids of `field`, in the order first seen. */
  domains(field: NameField): ReadonlyMap<string, ReadonlySet<string>> {
    return this.byDomain[field];
  }

  /** Every `domain/id` of `field`, in the order first seen. */
  qualified(field: NameField): string[] {
    return [...this.byDomain[field]].flatMap(([domain, ids]) => [...ids].map((id) => `${domain}/${id}`));
  }
}

/** How a lookup stands: known; an unknown name in a known domain; an unknown domain. */
export type Verdict = { known: true } | { known: false; domainKnown: true; ids: ReadonlySet<string> } | { known: false; domainKnown: false };

/** Whether `device.<field>[domain]` (and `.name`, when given) names something a device has. */
export function verdict(names: AttributeNames, field: NameField, domain: string, name?: string): Verdict {
  const ids = names.domains(field).get(domain);
  if (ids === undefined) return { known: false, domainKnown: false };
  return name === undefined || ids.has(name) ? { known: true } : { known: false, domainKnown: true, ids };
}

/**
 * The candidate closest to `s` by edit distance (ties: the earliest candidate). `ignoreCase`
 * compares lowercased; `plausible` keeps only a candidate close enough to be a typo (distance at
 * most max(2, half of `s`'s length)).
 */
export function nearest(s: string, candidates: Iterable<string>, opts: { ignoreCase?: boolean; plausible?: boolean } = {}): string | undefined {
  const fold = (t: string) => (opts.ignoreCase ? t.toLowerCase() : t);
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(fold(s), fold(c));
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && (!opts.plausible || bestDistance <= Math.max(2, Math.floor(s.length / 2))) ? best : undefined;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
