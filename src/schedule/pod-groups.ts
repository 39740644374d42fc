/**
 * Pods grouped by their PodGroup (`spec.schedulingGroup.podGroupName`, scheduling.k8s.io/v1alpha2,
 * Kubernetes v1.36), and the texts kube-scheduler's GangScheduling plugin gives them.
 */

import type { DraObject, Pod, PodGroup } from '../model/types.js';
import { podNamespace } from './pod-claims.js';

/** A PodGroup named by Pods, and its members in scheduling order (indices into the ordered Pods). */
export interface GroupMembers {
  namespace: string;
  name: string;
  /** The PodGroup object; undefined when no PodGroup of that name exists in the namespace. */
  group?: PodGroup;
  members: number[];
}

/** What became of one PodGroup's Pods in a schedule run. */
export interface GroupOutcome {
  namespace: string;
  name: string;
  /** `missing`: the Pods name a PodGroup the input does not have. */
  policy: 'gang' | 'basic' | 'missing';
  minCount?: number;
  /** Pods of the input in the group, and how many of them are bound after the run. */
  pods: number;
  placed: number;
  /** Gang: at least minCount Pods placed together; basic: always; missing: never. */
  admitted: boolean;
  /** Why the group was not admitted (every Pod of it carries this text). */
  reason?: string;
  /** `--gang-search`, when it ran (upstream's cycle did not admit the gang). */
  search?: { steps: number; found: boolean; exhausted: boolean };
}

/** kube-scheduler's PreEnqueue texts (GangScheduling plugin, v1.36). */
export const missingGroupMessage = (name: string) => `waiting for pod's pod group "${name}" to appear in scheduling queue`;
export const WAITING_FOR_MIN_COUNT = 'waiting for minCount pods from a gang to appear in scheduling queue';
/** The plugin's feasibility text when too few Pods are left to reach minCount. */
export const minCountUnsatisfiable = (minCount: number, scheduled: number, remaining: number) =>
  `minCount (${minCount}) cannot be satisfied: ${scheduled} scheduled, ${remaining} remaining`;

/** Why a gang was not admitted, as every Pod of it is told (`why`: minCountUnsatisfiable's text). */
export const notAdmitted = (namespace: string, name: string, why: string) => `pod group ${namespace}/${name} was not admitted: ${why}`;

/**
 * The groups of `pods` (already in scheduling order), keyed `namespace/name`, in order of their
 * first member; undefined when no Pod names a group (scheduling stays Pod by Pod).
 */
export function groupPods(objects: readonly DraObject[], pods: readonly Pod[]): Map<string, GroupMembers> | undefined {
  if (!pods.some((p) => p.spec.schedulingGroup?.podGroupName)) return undefined;
  const key = (ns: string, name: string) => `${ns}/${name}`;
  const defined = new Map<string, PodGroup>();
  for (const o of objects) if (o.kind === 'PodGroup') defined.set(key(o.metadata.namespace ?? 'default', o.metadata.name), o);
  const groups = new Map<string, GroupMembers>();
  pods.forEach((pod, i) => {
    const name = pod.spec.schedulingGroup?.podGroupName;
    if (!name) return;
    const namespace = podNamespace(pod);
    const k = key(namespace, name);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { namespace, name, group: defined.get(k), members: [] }));
    g.members.push(i);
  });
  return groups;
}

/** The group key of a Pod, or undefined for a Pod outside any group. */
export function groupKeyOf(pod: Pod): string | undefined {
  const name = pod.spec.schedulingGroup?.podGroupName;
  return name ? `${podNamespace(pod)}/${name}` : undefined;
}
