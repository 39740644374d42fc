/**
 * The PodGroupScheduled condition as kube-scheduler v1.36 sets it (src/k8s/pod-group-status.ts):
 * types, reasons and messages, lastTransitionTime only on a status change, no write when nothing
 * changes, never True → False, other conditions kept. Expected values by hand.
 */

import { describe, expect, it } from 'vitest';
import { conditionsAfter, type Condition } from '../../src/k8s/pod-group-status.js';
import type { PodGroup } from '../../src/model/types.js';

const T0 = '2026-12-02T10:00:00Z';
const T1 = '2026-12-02T10:05:00Z';

function group(conditions?: Condition[], generation?: number): PodGroup {
  return {
    apiVersion: 'scheduling.k8s.io/v1alpha2',
    kind: 'PodGroup',
    metadata: { name: 'train', namespace: 'default', ...(generation !== undefined ? { generation } : {}) },
    spec: { schedulingPolicy: { gang: { minCount: 2 } } },
    ...(conditions ? { status: { conditions } } : {}),
  } as PodGroup;
}

const unschedulable = (message: string, at = T0): Condition => ({ type: 'PodGroupScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: at });
const scheduled = (at = T0): Condition => ({ type: 'PodGroupScheduled', status: 'True', reason: 'Scheduled', message: '', lastTransitionTime: at });

describe('PodGroupScheduled condition', () => {
  it('is added with the outcome\'s status, reason and message', { timeout: 5_000 }, () => {
    expect(conditionsAfter(group(), { admitted: true }, T0)).toEqual([scheduled()]);
    expect(conditionsAfter(group(), { admitted: false, message: 'pod group default/train was not admitted: x' }, T0)).toEqual([unschedulable('pod group default/train was not admitted: x')]);
    expect(conditionsAfter(group(), { error: 'boom' }, T0)).toEqual([{ type: 'PodGroupScheduled', status: 'False', reason: 'SchedulerError', message: 'boom', lastTransitionTime: T0 }]);
    expect(conditionsAfter(group(undefined, 3), { admitted: true }, T0)).toEqual([{ ...scheduled(), observedGeneration: 3 }]);
  });

  it('changes lastTransitionTime only with the status, and asks for no write when nothing changed', { timeout: 5_000 }, () => {
    expect(conditionsAfter(group([unschedulable('a')]), { admitted: false, message: 'a' }, T1)).toBeUndefined();
    expect(conditionsAfter(group([unschedulable('a')]), { admitted: false, message: 'b' }, T1)).toEqual([unschedulable('b', T0)]);
    expect(conditionsAfter(group([unschedulable('a')]), { admitted: true }, T1)).toEqual([scheduled(T1)]);
    expect(conditionsAfter(group([scheduled()]), { admitted: true }, T1)).toBeUndefined();
  });

  it('never turns True back to False (a later cycle for extra Pods), and keeps other conditions', { timeout: 5_000 }, () => {
    expect(conditionsAfter(group([scheduled()]), { admitted: false, message: 'a' }, T1)).toBeUndefined();
    expect(conditionsAfter(group([scheduled()]), { error: 'boom' }, T1)).toBeUndefined();
    const disruption: Condition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'm', lastTransitionTime: T0 };
    expect(conditionsAfter(group([disruption, unschedulable('a')]), { admitted: true }, T1)).toEqual([disruption, scheduled(T1)]);
  });
});
