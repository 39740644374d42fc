/**
 * Finding the claim to explain among the input: a ResourceClaim by `namespace/name` (a bare
 * name matches in any namespace when it is unique), else a claim a Pod's
 * ResourceClaimTemplate stamps (named `<pod>-<claim name>` as `dralloc schedule` names it).
 */

import type { DraObject, Pod, ResourceClaim, ResourceClaimTemplate } from '../model/types.js';
import { InputError } from '../model/errors.js';
import { claimKey, podNamespace, resolvePodClaims, PodClaimError } from '../schedule/pod-claims.js';

/** Every claim `findClaim` can see: the input's ResourceClaims, then claims stamped for Pods from templates. */
export function candidateClaims(objects: readonly DraObject[]): ResourceClaim[] {
  const claims = objects.filter((o): o is ResourceClaim => o.kind === 'ResourceClaim');
  const byKey = new Map(claims.map((c) => [claimKey(c.metadata.namespace ?? 'default', c.metadata.name ?? ''), c]));
  const templates = new Map(
    objects
      .filter((o): o is ResourceClaimTemplate => o.kind === 'ResourceClaimTemplate')
      .map((t) => [claimKey(t.metadata.namespace ?? 'default', t.metadata.name), t]),
  );
  const stamped: ResourceClaim[] = [];
  for (const pod of objects.filter((o): o is Pod => o.kind === 'Pod')) {
    try {
      stamped.push(...resolvePodClaims({ ...pod, metadata: { ...pod.metadata, namespace: podNamespace(pod) } }, { claims: byKey, templates }).created);
    } catch (e) {
      if (!(e instanceof PodClaimError)) throw e;
    }
  }
  return [...claims, ...stamped];
}

/** The claim `ref` (`ns/name` or `name`) names; InputError naming the claims there are when none or several match. */
export function findClaim(objects: readonly DraObject[], ref: string): ResourceClaim {
  const all = candidateClaims(objects);
  const slash = ref.indexOf('/');
  const [ns, name] = slash < 0 ? [undefined, ref] : [ref.slice(0, slash), ref.slice(slash + 1)];
  const hits = all.filter((c) => c.metadata.name === name && (ns === undefined || (c.metadata.namespace ?? 'default') === ns));
  if (hits.length === 1) return hits[0];
  const known = all.map((c) => `${c.metadata.namespace ?? 'default'}/${c.metadata.name}`);
  if (hits.length > 1) throw new InputError(`claim ${ref} is ambiguous: ${hits.map((c) => `${c.metadata.namespace ?? 'default'}/${name}`).join(', ')}; give NAMESPACE/NAME`);
  throw new InputError(`claim ${ref} not found in the input (claims: ${known.length ? known.join(', ') : 'none'})`);
}
