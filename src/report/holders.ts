/**
 * Who holds the devices after a schedule run, for the report: the claims reserved for each Pod
 * the run lists as placed, and the allocations no such Pod explains — those present before
 * the run (claims of Pods not in the input, or not reserved for anyone) — and, from the first
 * two, how many devices were in use after each Pod (the utilisation curve).
 *
 * A claim belongs to a Pod when its status.reservedFor names that Pod (in the claim's
 * namespace), as the scheduler reserves every claim it allocates. Pods already bound in the
 * input (spec.nodeName set) are placed Pods too: their claims count where they come in the
 * scheduling order.
 */

import type { ResourceClaim } from '../model/types.js';
import type { ScheduleResult } from '../schedule/scheduler.js';
import { deviceId } from '../model/allocated.js';

/** At most this many points on the curve (evenly spaced over the Pods; the last always kept). */
export const CURVE_POINTS = 200;

export interface Holders {
  /** Allocated claims reserved for none of the run's placed Pods. */
  before: ResourceClaim[];
  /** Device ids of `before` (admin-access results excluded: they do not take the device). */
  beforeDevices: Set<string>;
  /** Per placed Pod (`namespace/name`): the allocated claims reserved for it. */
  byPod: Map<string, ResourceClaim[]>;
}

export function podKey(m: { namespace?: string; name: string }): string {
  return `${m.namespace ?? 'default'}/${m.name}`;
}

function devicesOf(c: ResourceClaim): string[] {
  return (c.status?.allocation?.devices?.results ?? []).filter((r) => !r.adminAccess).map((r) => deviceId(r.driver, r.pool, r.device));
}

export function holders(result: ScheduleResult): Holders {
  const placed = new Set(result.pods.filter((p) => p.node !== undefined).map((p) => podKey(p.pod.metadata)));
  const out: Holders = { before: [], beforeDevices: new Set(), byPod: new Map() };
  for (const c of result.claims) {
    if (!c.status?.allocation?.devices?.results?.length) continue;
    const ns = c.metadata.namespace ?? 'default';
    const pods = (c.status.reservedFor ?? []).filter((r) => r.resource === 'pods').map((r) => `${ns}/${r.name}`).filter((p) => placed.has(p));
    if (pods.length === 0) {
      out.before.push(c);
      for (const d of devicesOf(c)) out.beforeDevices.add(d);
    }
    for (const p of pods) out.byPod.set(p, [...(out.byPod.get(p) ?? []), c]);
  }
  return out;
}

export interface Curve {
  /** Devices in the inventory (the curve's 100%). */
  devices: number;
  /** [Pods scheduled so far, devices in use], from [0, in use before the run] to [all Pods, in use at the end]. */
  points: [number, number][];
  /** 1-based position of the first Pod that could not be placed, when one could not. */
  firstUnschedulable?: number;
}

/** Devices in use after each Pod, in the run's order; a device shared by several claims counts once. */
export function utilisationCurve(result: ScheduleResult, h: Holders, devices: number): Curve {
  const used = new Set(h.beforeDevices);
  const n = result.pods.length;
  const every = Math.max(1, Math.ceil(n / CURVE_POINTS));
  const points: [number, number][] = [[0, used.size]];
  let firstUnschedulable: number | undefined;
  result.pods.forEach((p, i) => {
    if (p.node === undefined) firstUnschedulable ??= i + 1;
    else for (const c of h.byPod.get(podKey(p.pod.metadata)) ?? []) for (const d of devicesOf(c)) used.add(d);
    if ((i + 1) % every === 0 || i === n - 1) points.push([i + 1, used.size]);
  });
  return { devices, points, ...(firstUnschedulable !== undefined ? { firstUnschedulable } : {}) };
}

/** Per device id, the line the node details show for a claim allocated before the run. */
export function beforeLabels(h: Holders): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of h.before) {
    const ns = c.metadata.namespace ?? 'default';
    const pods = (c.status?.reservedFor ?? []).map((r) => r.name);
    const label = `${ns}/${c.metadata.name}${pods.length ? ` (reserved for ${pods.join(', ')})` : ' (reserved for no Pod)'}`;
    for (const d of devicesOf(c)) out.set(d, label);
  }
  return out;
}
