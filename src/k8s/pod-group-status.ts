/**
 * The `PodGroupScheduled` condition kube-scheduler v1.36 writes on a PodGroup
 * (scheduling.k8s.io/v1alpha2 `status.conditions`) after each group cycle — not while the group
 * waits in PreEnqueue (PodGroup missing, fewer Pods than minCount):
 * - admitted (a gang: minCount placed; a basic group: any member placed in the cycle): status
 *   True, reason `Scheduled`, no message;
 * - not admitted: False, reason `Unschedulable`, the group's reason (what a gang's Pods are
 *   told; for a basic group kube-scheduler's own text, NO_MEMBER_PLACED);
 * - an internal error in the cycle: False, reason `SchedulerError`, the error.
 * A True condition is never turned back to False by a later cycle (one for extra Pods of a
 * group that was scheduled). The condition is set as apimachinery's meta.SetStatusCondition sets
 * one: lastTransitionTime changes only with the status, and nothing is written when nothing
 * changed. `observedGeneration` is the PodGroup's metadata.generation.
 */

import type { PodGroup } from '../model/types.js';

export const POD_GROUP_SCHEDULED = 'PodGroupScheduled';

/**
 * The message of a basic group's False condition: kube-scheduler's group status when no member
 * of the cycle was placed carries only its errPodGroupUnschedulable error, whose text this is.
 */
export const NO_MEMBER_PLACED = 'pod group is unschedulable';

/** A metav1.Condition as the API stores it. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** What a group cycle came to, for its condition. */
export type GroupOutcome = { admitted: true } | { admitted: false; message: string } | { error: string };

/**
 * The PodGroup's conditions with this outcome's PodGroupScheduled condition set, or undefined
 * when nothing is to be written (unchanged, or it would turn a True condition False). `now`: an
 * RFC 3339 time in seconds, as metav1.Time is serialized.
 */
export function conditionsAfter(group: PodGroup, outcome: GroupOutcome, now: string): Condition[] | undefined {
  const next = conditionOf(outcome);
  if (group.metadata.generation !== undefined) next.observedGeneration = group.metadata.generation;
  const conditions = ((group.status?.conditions as Condition[] | undefined) ?? []).map((c) => ({ ...c }));
  const existing = conditions.find((c) => c.type === POD_GROUP_SCHEDULED);
  if (!existing) return [...conditions, { ...next, lastTransitionTime: now }];
  if (existing.status === 'True' && next.status !== 'True') return undefined;
  if (existing.status === next.status && existing.reason === next.reason && existing.message === next.message && existing.observedGeneration === next.observedGeneration) return undefined;
  const transition = existing.status !== next.status ? now : existing.lastTransitionTime;
  return conditions.map((c) => (c === existing ? { ...next, lastTransitionTime: transition } : c));
}

function conditionOf(outcome: GroupOutcome): Omit<Condition, 'lastTransitionTime'> {
  if ('error' in outcome) return { type: POD_GROUP_SCHEDULED, status: 'False', reason: 'SchedulerError', message: outcome.error };
  if (outcome.admitted) return { type: POD_GROUP_SCHEDULED, status: 'True', reason: 'Scheduled', message: '' };
  return { type: POD_GROUP_SCHEDULED, status: 'False', reason: 'Unschedulable', message: outcome.message };
}
