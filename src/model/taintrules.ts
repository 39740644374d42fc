/**
 * DeviceTaintRules (DRADeviceTaints): each rule's taint is added to every device its selector
 * (driver, pool, device; unset = any) matches, as if the driver had published it. The slices
 * given are not changed: affected slices and devices are copied.
 */

import type { DeviceTaintRule, ResourceSlice } from './types.js';

export function applyTaintRules(slices: readonly ResourceSlice[], rules: readonly DeviceTaintRule[]): readonly ResourceSlice[] {
  if (rules.length === 0) return slices;
  return slices.map((s) => taintSlice(s, rules));
}

/** The slice as the allocator sees it under `rules`: `s` itself when no rule hits a device. */
export function taintSlice(s: ResourceSlice, rules: readonly DeviceTaintRule[]): ResourceSlice {
  const candidates = rules.filter((r) => ruleMayHit(r, s));
  if (candidates.length === 0) return s;
  const hits = (s.spec.devices ?? []).map((d) => candidates.filter((r) => !r.spec.deviceSelector?.device || r.spec.deviceSelector.device === d.name));
  if (hits.every((h) => h.length === 0)) return s;
  const devices = s.spec.devices!.map((d, i) => (hits[i].length ? { ...d, taints: [...(d.taints ?? []), ...hits[i].map((r) => r.spec.taint)] } : d));
  return { ...s, spec: { ...s.spec, devices } };
}

/** Whether the rule's driver and pool select the slice (its device, if set, may still miss). */
export function ruleMayHit(r: DeviceTaintRule, s: ResourceSlice): boolean {
  const sel = r.spec.deviceSelector ?? {};
  return (!sel.driver || sel.driver === s.spec.driver) && (!sel.pool || sel.pool === s.spec.pool.name);
}
