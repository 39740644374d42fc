/**
 * The other half of `--manage-claims`: what kube-controller-manager's resourceclaim controller
 * (and the garbage collector) do once a Pod is gone or will never run again, done for the
 * scheduler's own Pods in clusters without that controller.
 *
 * Followed from upstream kubernetes/kubernetes pkg/controller/resourceclaim/controller.go
 * (`syncClaim`, `isPodDone`, `owningPod`):
 * - a Pod is *done* when its phase is Succeeded or Failed, or it is being deleted and was never
 *   scheduled (`isPodDone`); a deleted Pod is gone;
 * - its entry is removed from `status.reservedFor` of every claim listing it, with an update
 *   (not a patch) "because we want the update to fail if anything changed in the meantime";
 * - when that leaves `reservedFor` empty the allocation is cleared in the same write ("DRA ...
 *   deallocates a claim as soon as the last consumer stops using it"). Upstream does this for
 *   claims carrying the `resource.kubernetes.io/delete-protection` finalizer, which it calls a
 *   sanity check because every allocation is made by the scheduler; dralloc (the scheduler
 *   here) does not add that finalizer, so every claim it empties is deallocated;
 * - a claim the Pod owns (controller ownerReference), left unreserved, is deleted ("If it was
 *   generated for a pod and that pod is not going to run, the claim can be deleted"). For a
 *   Pod that is already deleted upstream leaves this to the garbage collector; without
 *   kube-controller-manager there is none, so dralloc deletes it too.
 *
 * Freed devices go back to the engine through the informers (the claim's update or delete).
 */

import type { Pod, ResourceClaim, ResourceClaimStatus } from '../model/types.js';
import { httpStatus, type Cluster } from './connect.js';
import type { ClusterWatch } from './informers.js';
import { ownedBy } from './claims.js';
import { deleteClaim, readClaim, replaceClaimStatus } from './writes.js';

/** upstream `isPodDone`: none of the Pod's containers is running or ever will. */
export function podIsDone(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || (!!pod.metadata.deletionTimestamp && !pod.spec.nodeName);
}

export interface Released {
  /** Claims whose reservation for the Pod was removed (and deallocated when it was the last). */
  unreserved: number;
  deallocated: number;
  /** Claims owned by the Pod that were deleted. */
  deleted: number;
}

/**
 * Releases what a done or deleted Pod holds (see the file comment). Idempotent: it works from
 * the informer caches, so running it again after a partial failure finishes the job. A 409 on a
 * status write takes in the fresh claim and throws (the caller retries later); other API
 * errors are thrown as they are; a claim already gone (404) counts as released.
 */
export async function releasePodClaims(c: Cluster, watch: ClusterWatch, pod: Pod): Promise<Released> {
  const uid = pod.metadata.uid ?? '';
  const out: Released = { unreserved: 0, deallocated: 0, deleted: 0 };
  if (!uid) return out;
  for (const claim of watch.all<ResourceClaim>('ResourceClaim')) {
    const reservedFor = claim.status?.reservedFor ?? [];
    const valid = reservedFor.filter((r) => !(r.resource === 'pods' && !r.apiGroup && r.uid === uid));
    let current = claim;
    if (valid.length < reservedFor.length) {
      const status: ResourceClaimStatus = { ...claim.status, reservedFor: valid };
      if (valid.length === 0) {
        delete status.reservedFor;
        delete status.allocation;
      }
      try {
        current = (watch.observe('ResourceClaim', await replaceClaimStatus(c, claim, status)) as ResourceClaim | undefined) ?? claim;
      } catch (e) {
        if (httpStatus(e) === 404) continue;
        if (httpStatus(e) === 409) {
          const fresh = await readClaim(c, claim.metadata.namespace ?? 'default', claim.metadata.name!).catch(() => undefined);
          if (fresh) watch.observe('ResourceClaim', fresh);
        }
        throw e;
      }
      out.unreserved++;
      if (valid.length === 0 && claim.status?.allocation) out.deallocated++;
    }
    if (valid.length === 0 && ownedBy(current, uid)) {
      try {
        await deleteClaim(c, current);
        out.deleted++;
      } catch (e) {
        if (httpStatus(e) !== 404) throw e;
      }
    }
  }
  return out;
}
