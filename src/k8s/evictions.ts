/**
 * The eviction planner: which Pods NoExecute device taints evict, and when, as the upstream
 * device taint eviction controller decides. Taints come from the slices and from
 * DeviceTaintRules (applyTaintRules); tolerations are those recorded in the allocation result of
 * each device (`results[].tolerations`, copied from the request at allocation time).
 *
 * Per allocated device and NoExecute taint, the first matching toleration is used (Kubernetes'
 * GetMatchingTolerations): no match → evicted at once (at the taint's timeAdded); matches →
 * evicted `tolerationSeconds` (negative = 0) after timeAdded, the smallest over the used
 * tolerations; no used toleration has tolerationSeconds → never evicted. A Pod is evicted at the
 * earliest time over all devices of all its claims. Pods: those in a claim's
 * status.reservedFor (and Pods referencing the claim that are bound), not terminated.
 */

import type { DeviceTaint, DeviceToleration, DraObject, Pod, ResourceClaim, ResourceSlice, DeviceTaintRule } from '../model/types.js';
import { applyTaintRules } from '../model/taintrules.js';
import { deviceId } from '../model/allocated.js';

export interface Eviction {
  pod: { namespace: string; name: string; uid?: string; node?: string };
  claim: string;
  device: string;
  taint: DeviceTaint;
  /** When the Pod is evicted (RFC 3339); the taint's timeAdded (or `now` when unset) plus any toleration time. */
  evictAt: string;
  /** `not tolerated` or `tolerated for N s`. */
  reason: string;
}

export function planEvictions(objects: readonly DraObject[], now: Date): Eviction[] {
  const slices = objects.filter((o): o is ResourceSlice => o.kind === 'ResourceSlice');
  const rules = objects.filter((o): o is DeviceTaintRule => o.kind === 'DeviceTaintRule');
  const taints = new Map<string, DeviceTaint[]>();
  for (const s of applyTaintRules(slices, rules)) {
    for (const d of s.spec.devices ?? []) {
      const noExecute = (d.taints ?? []).filter((t) => t.effect === 'NoExecute');
      if (noExecute.length) taints.set(deviceId(s.spec.driver, s.spec.pool.name, d.name), noExecute);
    }
  }
  const pods = objects.filter((o): o is Pod => o.kind === 'Pod' && !isTerminated(o));
  const earliest = new Map<Pod, Eviction>();
  for (const claim of objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim')) {
    const results = claim.status?.allocation?.devices?.results ?? [];
    const users = claimUsers(claim, pods);
    if (users.length === 0) continue;
    for (const r of results) {
      const id = deviceId(r.driver, r.pool, r.device);
      for (const taint of taints.get(id) ?? []) {
        const at = evictionTime(taint, r.tolerations ?? [], now);
        if (!at) continue;
        for (const pod of users) {
          const prev = earliest.get(pod);
          if (prev && prev.evictAt <= at.time) continue;
          earliest.set(pod, {
            pod: { namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name, uid: pod.metadata.uid, node: pod.spec.nodeName },
            claim: `${claim.metadata.namespace ?? 'default'}/${claim.metadata.name}`,
            device: id,
            taint,
            evictAt: at.time,
            reason: at.reason,
          });
        }
      }
    }
  }
  return [...earliest.values()].sort((a, b) => (a.evictAt < b.evictAt ? -1 : a.evictAt > b.evictAt ? 1 : 0));
}

/** When a taint evicts given the device's tolerations, or undefined for never. */
export function evictionTime(taint: DeviceTaint, tolerations: readonly DeviceToleration[], now: Date): { time: string; reason: string } | undefined {
  const added = taint.timeAdded ? new Date(taint.timeAdded) : now;
  const used = tolerations.find((t) => tolerates(t, taint));
  if (!used) return { time: rfc3339(added), reason: 'not tolerated' };
  if (used.tolerationSeconds === undefined) return undefined;
  const seconds = Math.max(0, used.tolerationSeconds);
  return { time: rfc3339(new Date(added.getTime() + seconds * 1000)), reason: `tolerated for ${seconds} s` };
}

/** DeviceToleration.ToleratesTaint: key (empty + Exists = all keys), operator Equal (default) or Exists, effect (empty = all). */
export function tolerates(t: DeviceToleration, taint: DeviceTaint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return !!t.key && (t.value ?? '') === (taint.value ?? '');
  return false;
}

/**
 * The Pods using a claim: those in `status.reservedFor` — matched by uid, or by name in the
 * claim's namespace when the entry's uid is empty (hand-written files; `dralloc schedule` stamps
 * uids since schedule/uids.ts) — and bound Pods that reference the claim.
 */
function claimUsers(claim: ResourceClaim, pods: readonly Pod[]): Pod[] {
  const users = new Set<Pod>();
  const ns = claim.metadata.namespace ?? 'default';
  for (const r of claim.status?.reservedFor ?? []) {
    if (r.resource !== 'pods' || r.apiGroup) continue;
    const p = pods.find((x) => (r.uid ? x.metadata.uid === r.uid : x.metadata.name === r.name && (x.metadata.namespace ?? 'default') === ns));
    if (p) users.add(p);
  }
  for (const p of pods) {
    if (!p.spec.nodeName || (p.metadata.namespace ?? 'default') !== ns) continue;
    const statuses = (p.status?.resourceClaimStatuses as { resourceClaimName?: string }[] | undefined) ?? [];
    const refs = [...(p.spec.resourceClaims ?? []).map((r) => r.resourceClaimName), ...statuses.map((s) => s.resourceClaimName)];
    if (refs.includes(claim.metadata.name)) users.add(p);
  }
  return [...users];
}

function isTerminated(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

function rfc3339(d: Date): string {
  return d.toISOString().replace('.000Z', 'Z');
}
