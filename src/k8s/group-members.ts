/**
 * PodGroup → member Pods, kept from the Pod informer's changes, so that a gang attempt finds its
 * members in O(members) instead of scanning every cached Pod.
 *
 * A Pod is indexed under `namespace/podGroupName` while it names a PodGroup and has the
 * scheduler's name; any other Pod (or a deleted one) is in no group. A Pod whose group or
 * scheduler name changes moves (spec.schedulingGroup is immutable in the API; the index does not
 * rely on it). Within a group, keys keep the order in which the Pod first joined it — the order
 * of the informer cache, which is the "time first seen" tie-break of scheduling order.
 */

import type { Pod } from '../model/types.js';
import { podNamespace } from '../schedule/pod-claims.js';
import { objectKey } from './resources.js';

export class GroupMembers {
  /** `namespace/group` → keys of its Pods, in the order they joined. */
  private readonly byGroup = new Map<string, Set<string>>();
  /** Pod key → its group's key (only for indexed Pods). */
  private readonly groupOf = new Map<string, string>();

  constructor(private readonly schedulerName: string) {}

  /** A Pod was added or changed (`deleted`: it is gone). */
  update(pod: Pod, deleted = false): void {
    const key = objectKey(pod);
    const name = pod.spec.schedulingGroup?.podGroupName;
    const group = !deleted && name && pod.spec.schedulerName === this.schedulerName ? groupKey(podNamespace(pod), name) : undefined;
    const before = this.groupOf.get(key);
    if (before === group) return;
    if (before !== undefined) {
      const keys = this.byGroup.get(before)!;
      keys.delete(key);
      if (keys.size === 0) this.byGroup.delete(before);
      this.groupOf.delete(key);
    }
    if (group === undefined) return;
    this.groupOf.set(key, group);
    const keys = this.byGroup.get(group);
    if (keys) keys.add(key);
    else this.byGroup.set(group, new Set([key]));
  }

  /** Keys of the Pods of group `namespace/name`, in the order they joined. */
  of(namespace: string, name: string): readonly string[] {
    return [...(this.byGroup.get(groupKey(namespace, name)) ?? [])];
  }

  /** How many groups have Pods (for tests: emptied groups are dropped). */
  groups(): number {
    return this.byGroup.size;
  }
}

function groupKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
