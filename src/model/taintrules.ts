/**
 * DeviceTaintRules (DRADeviceTaints): each rule's taint is added to every device its selector
 * (driver, pool, device; unset = any) matches, as if the driver had published it. The slices
 * given are not changed: affected slices and devices are copied.
 */

import type { DeviceTaintRule, ResourceSlice } from './types.js';

export function applyTaintRules(slices: readonly ResourceSlice[], rules: readonly DeviceTaintRule[]): readonly ResourceSlice[] {
  if (rules.length === 0) return slices;
  return slices.map((s) => {
    const hits = (s.spec.devices ?? []).map((d) =>
      rules.filter((r) => {
        const sel = r.spec.deviceSelector ?? {};
        return (!sel.driver || sel.driver === s.spec.driver) && (!sel.pool || sel.pool === s.spec.pool.name) && (!sel.device || sel.device === d.name);
      }),
    );
    if (hits.every((h) => h.length === 0)) return s;
    const devices = s.spec.devices!.map((d, i) => (hits[i].length ? { ...d, taints: [...(d.taints ?? []), ...hits[i].map((r) => r.spec.taint)] } : d));
    return { ...s, spec: { ...s.spec, devices } };
  });
}
