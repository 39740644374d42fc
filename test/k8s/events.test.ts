/**
 * Events as kube-scheduler records them (events.k8s.io/v1, reportingController = the scheduler
 * name): `Scheduled` with "Successfully assigned ns/pod to node", `FailedScheduling` with the
 * same `0/N nodes are available: ...` message as the Pod's PodScheduled=False condition.
 * By hand: one node with one GPU, Pods a and b of one GPU each: a is bound (first in the
 * queue), b is unschedulable on the only node because its one device is taken.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import { gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('scheduler events', () => {
  it('Scheduled for the bound Pod, FailedScheduling with the condition\'s message for the other', { timeout: 20_000 }, async () => {
    const e = await startCluster();
    cleanups.push(() => e.server.close());
    for (const o of gpuNode('node-0', 1)) e.server.create(o);
    e.server.create(gpuClass);
    e.server.create(gpuTemplate('one', 1));
    e.server.create(gpuPod('a', 'one', 'dralloc'));
    e.server.create(gpuPod('b', 'one', 'dralloc'));
    const s = await LiveScheduler.start(e.cluster, { schedulerName: 'dralloc', manageClaims: true });
    cleanups.push(() => s.stop());
    await until('two events', () => e.server.events.length === 2, 10_000);
    const condition = e.server.get('Pod', 'b', 'default')!.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled');
    expect(condition.message).toMatch(/^0\/1 nodes are available: /);
    const pick = (ev: Record<string, unknown>) => ({ apiVersion: ev.apiVersion, reason: ev.reason, type: ev.type, action: ev.action, note: ev.note, controller: ev.reportingController, pod: (ev.regarding as { name: string }).name });
    expect(e.server.events.map(pick).sort((x, y) => x.pod.localeCompare(y.pod))).toEqual([
      { apiVersion: 'events.k8s.io/v1', reason: 'Scheduled', type: 'Normal', action: 'Binding', note: 'Successfully assigned default/a to node-0', controller: 'dralloc', pod: 'a' },
      { apiVersion: 'events.k8s.io/v1', reason: 'FailedScheduling', type: 'Warning', action: 'Scheduling', note: condition.message, controller: 'dralloc', pod: 'b' },
    ]);
    expect(e.server.events.every((ev) => typeof ev.eventTime === 'string' && /\.\d{6}Z$/.test(ev.eventTime))).toBe(true);
  });
});
