/**
 * The ResourceClaims a generated Pod needs, stamped from the workload's templates the way the
 * resourceclaim controller does (named `<pod>-<claim name>`, in the Pod's namespace): a thin
 * wrapper over the scheduler's `resolvePodClaims` so tests and benchmarks build claims exactly
 * as `dralloc schedule` does.
 */

import type { Pod, ResourceClaim } from '../model/types.js';
import { claimKey, resolvePodClaims } from '../schedule/pod-claims.js';
import type { Workload } from './builders.js';

/** The Pod's claims in spec.resourceClaims order; throws PodClaimError when a template is missing. */
export function podClaims(w: Pick<Workload, 'templates'>, pod: Pod): ResourceClaim[] {
  const templates = new Map(w.templates.map((t) => [claimKey(t.metadata.namespace, t.metadata.name), t]));
  return resolvePodClaims(pod, { claims: new Map(), templates }).claims;
}
