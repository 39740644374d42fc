/** PodGroups and group members for the gang tests (on top of the schedule test builders). */
import type { Pod, PodGroup } from '../../src/model/types.js';

export function gang(name: string, minCount: number, namespace = 'default'): PodGroup {
  return { apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', metadata: { name, namespace }, spec: { schedulingPolicy: { gang: { minCount } } } };
}

export function basicGroup(name: string, namespace = 'default'): PodGroup {
  return { apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', metadata: { name, namespace }, spec: { schedulingPolicy: { basic: {} } } };
}

/** `pod` as a member of PodGroup `group`. */
export const member = (group: string, pod: Pod): Pod => ({ ...pod, spec: { ...pod.spec, schedulingGroup: { podGroupName: group } } });
