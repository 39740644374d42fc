/**
 * Deterministic uids for Pods and ResourceClaims that have none.
 *
 * The API server gives every object a random RFC 4122 UUID (`metadata.uid`); files written by
 * hand or by `dralloc gen` usually carry none, and `status.reservedFor[].uid` would then be
 * empty. `dralloc schedule` stamps, on every Pod and claim without a uid, the name-based UUID
 * (version 5, RFC 4122 §4.3: SHA-1 in the URL namespace) of the name `<Kind>/<namespace>/<name>`
 * (namespace `default` when unset), e.g. `Pod/default/train-0`. Same input → same uids; an object
 * that has a uid keeps it. Uids stay unique as long as kind/namespace/name is (as in a cluster).
 */

import { createHash } from 'node:crypto';
import type { DraObject, Pod, ResourceClaim } from '../model/types.js';

/** RFC 4122 Appendix C: NameSpace_URL, 6ba7b811-9dad-11d1-80b4-00c04fd430c8. */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex');

/** The version-5 UUID of `<kind>/<namespace>/<name>`, in the canonical 8-4-4-4-12 lower-case hex form. */
export function deterministicUid(kind: string, namespace: string, name: string): string {
  const h = createHash('sha1').update(URL_NAMESPACE).update(`${kind}/${namespace}/${name}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50; // version 5
  h[8] = (h[8] & 0x3f) | 0x80; // variant RFC 4122
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The object itself when it has a uid, else a copy with its deterministic uid. */
export function withUid<T extends Pod | ResourceClaim>(o: T): T {
  if (o.metadata.uid) return o;
  const uid = deterministicUid(o.kind, o.metadata.namespace ?? 'default', o.metadata.name ?? '');
  return { ...o, metadata: { ...o.metadata, uid } };
}

/**
 * The input with uids stamped on Pods and claims that have none. A given claim's reservedFor
 * entry that names, with an empty uid, a Pod of its namespace in the input gets that Pod's uid,
 * so that every reservation names the uid the Pod carries. Other objects are returned as they are.
 */
export function stampUids(objects: readonly DraObject[]): DraObject[] {
  const podUids = new Map<string, string>();
  const stamped = objects.map((o) => {
    if (o.kind !== 'Pod' && o.kind !== 'ResourceClaim') return o;
    const s = withUid(o);
    if (s.kind === 'Pod') podUids.set(`${s.metadata.namespace ?? 'default'}/${s.metadata.name}`, s.metadata.uid!);
    return s;
  });
  return stamped.map((o) => {
    const reservedFor = o.kind === 'ResourceClaim' ? o.status?.reservedFor : undefined;
    if (o.kind !== 'ResourceClaim' || !reservedFor?.some((r) => !r.uid)) return o;
    const ns = o.metadata.namespace ?? 'default';
    const filled = reservedFor.map((r) => {
      const uid = !r.uid && r.resource === 'pods' && !r.apiGroup ? podUids.get(`${ns}/${r.name}`) : undefined;
      return uid ? { ...r, uid } : r;
    });
    return { ...o, status: { ...o.status, reservedFor: filled } };
  });
}
