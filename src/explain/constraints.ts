/**
 * The funnel's last stage: which candidates can take part in a solution of the claim's
 * constraints, judged request by request (a necessary condition, not the search itself; the
 * verdict always comes from the allocator).
 *
 * - matchAttribute: a device passes when it has the attribute and one of its values is held by
 *   enough candidates of every request the constraint covers (for a request with subrequests:
 *   of at least one subrequest) to meet that request's count.
 * - distinctAttribute: a device passes when it has the attribute and is the first candidate
 *   (in search order) with its value; later ones with a value already seen drop out.
 */

import type { Features } from '../features.js';
import type { ConstraintPlan, Plan, Slot } from '../model/requests.js';
import type { NodeDevice } from '../compile/nodeview.js';
import { elementKeys, lookupAttribute } from '../compile/problem.js';

/** For each slot, the candidates (node-view indices) that passed every per-device stage. */
export type Candidates = ReadonlyMap<Slot, readonly number[]>;

/** Per slot: candidate → why it fails a constraint. Candidates not in the map pass. */
export function constraintMisses(plan: Plan, devices: readonly NodeDevice[], candidates: Candidates, features: Features): Map<Slot, Map<number, string>> {
  const out = new Map<Slot, Map<number, string>>(plan.slots.map((s) => [s, new Map()]));
  const keysOf = (c: ConstraintPlan, d: number) => {
    const a = lookupAttribute(devices[d], c.attribute);
    return a ? (elementKeys(a, features.listTypeAttributes) ?? null) : undefined;
  };
  for (const c of plan.constraints) {
    const slots = plan.slots.filter((s) => applies(c, s));
    const viable = c.kind === 'match' ? matchViable(c, slots, candidates, keysOf) : undefined;
    for (const slot of slots) {
      const misses = out.get(slot)!;
      const seen = new Map<string, number>();
      for (const d of candidates.get(slot) ?? []) {
        const keys = keysOf(c, d);
        if (keys === undefined) misses.set(d, `has no attribute ${c.attribute} (${kindName(c)})`);
        else if (keys === null) misses.set(d, `attribute ${c.attribute} has no value a constraint can compare`);
        else if (viable && !keys.some((k) => viable.has(k))) {
          misses.set(d, `${c.attribute}=${show(keys)} is not shared by enough devices of requests ${names(slots)} (matchAttribute)`);
        } else if (!viable) {
          const twin = keys.map((k) => seen.get(k)).find((x) => x !== undefined);
          if (twin !== undefined) misses.set(d, `${c.attribute}=${show(keys)} is also the value of ${devices[twin].id} (distinctAttribute)`);
          else for (const k of keys) seen.set(k, d);
        }
      }
    }
  }
  return out;
}

/** Values held by enough candidates of every request the constraint covers. */
function matchViable(
  c: ConstraintPlan,
  slots: Slot[],
  candidates: Candidates,
  keysOf: (c: ConstraintPlan, d: number) => string[] | null | undefined,
): Set<string> {
  const byRequest = new Map<number, Slot[]>();
  for (const s of slots) byRequest.set(s.request, [...(byRequest.get(s.request) ?? []), s]);
  let viable: Set<string> | undefined;
  for (const group of byRequest.values()) {
    const ok = new Set<string>();
    for (const slot of group) {
      const counts = new Map<string, number>();
      for (const d of candidates.get(slot) ?? []) for (const k of keysOf(c, d) ?? []) counts.set(k, (counts.get(k) ?? 0) + 1);
      for (const [k, n] of counts) if (n >= Math.max(1, slot.numDevices)) ok.add(k);
    }
    viable = viable === undefined ? ok : new Set([...viable].filter((k) => ok.has(k)));
  }
  return viable ?? new Set();
}

/** Whether the constraint covers the slot (as compileConstraints decides it). */
function applies(c: ConstraintPlan, s: Slot): boolean {
  if (c.claim !== s.claim) return false;
  return c.requests.length === 0 || c.requests.includes(s.parentName) || (s.subName !== '' && c.requests.includes(s.name));
}

function kindName(c: ConstraintPlan): string {
  return c.kind === 'match' ? 'matchAttribute' : 'distinctAttribute';
}

function names(slots: Slot[]): string {
  return [...new Set(slots.map((s) => s.parentName))].join(', ');
}

/** Element keys (`s:A100`, `i:4`) as the values they stand for. */
function show(keys: string[]): string {
  const values = keys.map((k) => (k.startsWith('s:') || k.startsWith('v:') ? JSON.stringify(k.slice(2)) : k.slice(2)));
  return values.length === 1 ? values[0] : `[${values.join(', ')}]`;
}
