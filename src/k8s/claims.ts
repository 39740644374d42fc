/**
 * The claims a pending Pod needs before it can be scheduled — and, with `--manage-claims`, the
 * resourceclaim controller's part for the scheduler's own Pods (for clusters and simulators
 * without kube-controller-manager): a claim per template reference, named `<pod>-<claim>`, owned
 * by the Pod (controller ownerReference), recorded in `pod.status.resourceClaimStatuses`.
 * Never duplicated: the name is deterministic, an existing claim owned by the Pod is adopted
 * (also after a 409 AlreadyExists), and one owned by anything else is an error for the Pod.
 * A template entry the Pod shares with its PodGroup (`group`: DRAWorkloadResourceClaims on) is
 * the group's one claim instead, `<podgroup>-<claim>` (or the one recorded in the PodGroup's
 * status), owned by the PodGroup, not recorded in the Pod's status.
 */

import type { Pod, PodGroup, ResourceClaim } from '../model/types.js';
import { groupClaimOf, resolvePodClaims, PodClaimError, podNamespace } from '../schedule/pod-claims.js';
import { httpStatus, type Cluster } from './connect.js';
import type { ClusterWatch } from './informers.js';
import { createClaim, patchPodStatus, readClaim } from './writes.js';

export type ClaimsReady = { ready: true; pod: Pod; created: number } | { ready: false; waiting: string };

interface ClaimStatus {
  name: string;
  resourceClaimName?: string;
}

/** Checks (and with `manage` creates) the Pod's claims; returns the Pod to schedule (its latest status). */
export async function preparePodClaims(c: Cluster, watch: ClusterWatch, pod: Pod, manage: boolean, group?: PodGroup): Promise<ClaimsReady> {
  const refs = pod.spec.resourceClaims ?? [];
  const statuses = (pod.status?.resourceClaimStatuses as ClaimStatus[] | undefined) ?? [];
  const own = refs.filter((r) => r.resourceClaimTemplateName && !groupClaimOf(group, r));
  const missing = own.filter((r) => !statuses.some((s) => s.name === r.name && s.resourceClaimName));
  if (missing.length > 0 && !manage) {
    return { ready: false, waiting: `waiting for the resourceclaim controller to create claim(s) ${missing.map((r) => r.name).join(', ')} of pod ${podNamespace(pod)}/${pod.metadata.name}` };
  }
  let resolved;
  try {
    resolved = resolvePodClaims(pod, { claims: watch.map('ResourceClaim'), templates: watch.map('ResourceClaimTemplate') }, group);
  } catch (e) {
    if (e instanceof PodClaimError) return { ready: false, waiting: e.message };
    throw e;
  }
  const owner = (claim: ResourceClaim) =>
    resolved.forGroup.has(claim) ? { uid: group?.metadata.uid ?? '', what: `pod group ${group?.metadata.name}` } : { uid: pod.metadata.uid ?? '', what: `pod ${pod.metadata.name}` };
  const groupClaimMissing = resolved.created.find((claim) => resolved.forGroup.has(claim));
  if (groupClaimMissing && !manage) {
    return { ready: false, waiting: `waiting for the resourceclaim controller to create claim ${podNamespace(pod)}/${groupClaimMissing.metadata.name} of pod group ${group?.metadata.name}` };
  }
  // Template claims that exist must be the owner's own (a leftover of an older Pod of that name is not).
  for (const [i, claim] of resolved.claims.entries()) {
    const ref = refs[i];
    const o = owner(claim);
    if (ref.resourceClaimTemplateName && !resolved.created.includes(claim) && !ownedBy(claim, o.uid)) {
      return { ready: false, waiting: `claim ${podNamespace(pod)}/${claim.metadata.name} exists but is not owned by ${o.what} (uid ${o.uid})` };
    }
  }
  let created = 0;
  for (const claim of resolved.created) {
    try {
      watch.observe('ResourceClaim', await createClaim(c, claim));
      created++;
    } catch (e) {
      if (httpStatus(e) !== 409) throw e;
      const existing = await readClaim(c, podNamespace(pod), claim.metadata.name!);
      if (!ownedBy(existing, owner(claim).uid)) return { ready: false, waiting: `claim ${podNamespace(pod)}/${claim.metadata.name} exists but is not owned by ${owner(claim).what}` };
      watch.observe('ResourceClaim', existing);
    }
  }
  if (missing.length === 0) return { ready: true, pod, created };
  const recorded: ClaimStatus[] = own.map((r) => ({
    name: r.name,
    resourceClaimName: statuses.find((s) => s.name === r.name)?.resourceClaimName ?? `${pod.metadata.name}-${r.name}`,
  }));
  const updated = watch.observe('Pod', await patchPodStatus(c, pod, { resourceClaimStatuses: recorded })) as Pod | undefined;
  return { ready: true, pod: updated ?? pod, created };
}

/** The claim's controller ownerReference names this uid (a Pod's generated claim). */
export function ownedBy(claim: ResourceClaim, uid: string): boolean {
  return ((claim.metadata.ownerReferences as { uid?: string; controller?: boolean }[] | undefined) ?? []).some((o) => o.uid === uid && o.controller);
}
