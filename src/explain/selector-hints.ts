/**
 * Selectors of a claim (and of the DeviceClasses it names) that look up an attribute or
 * capacity no device of the input has — usually a typo in the domain or name — with the
 * closest reference that exists (`did you mean ...?`, as `dralloc lint` says). Such a selector
 * compiles, then fails at run time or matches nothing; the hint says which key was meant.
 */

import type { EngineState } from '../engine.js';
import type { DeviceSelector, ResourceClaim } from '../model/types.js';
import { unknownAttributeReferences } from '../compile/selector-diagnostics.js';

/** One line per unknown reference: `request R, selector #i: <reference>: <what>; did you mean <ref>?`. */
export function selectorHints(state: EngineState, claim: ResourceClaim): string[] {
  const opts = { consumableCapacity: state.features.consumableCapacity, listTypeAttributes: state.features.listTypeAttributes };
  const out: string[] = [];
  const check = (where: string, selectors: readonly DeviceSelector[] | undefined): void => {
    (selectors ?? []).forEach((s, i) => {
      if (s.cel?.expression === undefined) return;
      for (const w of unknownAttributeReferences(s.cel.expression, state.inventory, opts)) out.push(`${where}, selector #${i}: ${w.reference}: ${w.message}`);
    });
  };
  const seenClasses = new Set<string>();
  for (const r of claim.spec?.devices?.requests ?? []) {
    const subs = r.exactly ? [{ name: r.name, spec: r.exactly }] : (r.firstAvailable ?? []).map((s) => ({ name: `${r.name}/${s.name}`, spec: s }));
    for (const { name, spec } of subs) {
      check(`request ${name}`, spec.selectors);
      const cls = spec.deviceClassName;
      if (cls === undefined || seenClasses.has(cls)) continue;
      seenClasses.add(cls);
      check(`class ${cls}`, state.classes.get(cls)?.spec?.selectors);
    }
  }
  return out;
}
