/**
 * The live scheduler with gang PodGroups (scheduling.k8s.io/v1alpha2) against the fake API
 * server: a gang is bound entirely or not at all, its claims are not left allocated when it is
 * not admitted, it waits for its PodGroup and for minCount Pods, and two gangs racing for the
 * same devices never both hold some. Expected outcomes are worked out by hand per test.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { loadPaths } from '../../src/model/load.js';
import type { Pod, PodGroup } from '../../src/model/types.js';
import { LiveScheduler } from '../../src/k8s/live-scheduler.js';
import type { ClusterWatch } from '../../src/k8s/informers.js';
import type { FakeApiServer, Obj } from './fake-apiserver.js';
import { deviceOwners, gpuClass, gpuNode, gpuPod, gpuTemplate, startCluster, until, violations } from './cluster.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Claim `left` (2 GPUs of node-0) allocated and reserved for w-0 (`uid`) but w-0 not bound — as a leader lost after writing leaves it. */
function leftClaim(uid: string): Obj {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name: 'left', namespace: 'default' },
    spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count: 2 } }] } },
    status: {
      allocation: {
        devices: { results: ['gpu-0', 'gpu-1'].map((device) => ({ request: 'gpu', driver: 'gpu.example.com', pool: 'node-0', device })) },
        nodeSelector: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-0'] }] }] },
      },
      reservedFor: [{ resource: 'pods', name: 'w-0', uid }],
    },
  };
}

/** Member w-0 whose claim is the named claim `left`. */
const memberWithLeft = (): Obj => ({ ...member('w-0', 'two', 'train'), spec: { ...member('w-0', 'two', 'train').spec, resourceClaims: [{ name: 'gpu', resourceClaimName: 'left' }] } });

function podGroup(name: string, minCount: number): Obj {
  return { apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', metadata: { name, namespace: 'default' }, spec: { schedulingPolicy: { gang: { minCount } } } };
}

function basicGroup(name: string): Obj {
  return { apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', metadata: { name, namespace: 'default' }, spec: { schedulingPolicy: { basic: {} } } };
}

/** A Pod of `group` with one claim from `template`, for the scheduler `dralloc`. */
function member(name: string, template: string, group: string): Obj {
  const pod = gpuPod(name, template, 'dralloc');
  pod.spec.schedulingGroup = { podGroupName: group };
  return pod;
}

/** `nodes` nodes of 4 GPUs, the gpu class, templates `two` (2 GPUs) and `four` (4 GPUs); a scheduler per name. */
async function gangCluster(nodes: number, names: string[] = ['dralloc'], featureGates?: string) {
  const e = await startCluster();
  cleanups.push(() => e.server.close());
  for (let n = 0; n < nodes; n++) for (const o of gpuNode(`node-${n}`, 4)) e.server.create(o);
  e.server.create(gpuClass);
  e.server.create(gpuTemplate('two', 2));
  e.server.create(gpuTemplate('four', 4));
  const logs: string[] = [];
  const log = (line: string) => void logs.push(line);
  const schedulers = await Promise.all(names.map((schedulerName) => LiveScheduler.start(e.cluster, { schedulerName, manageClaims: true, resyncMs: 300, retryMs: 20, log, featureGates })));
  for (const s of schedulers) cleanups.push(() => s.stop());
  return { ...e, schedulers, logs };
}

const pods = (s: FakeApiServer, prefix: string) => s.list('Pod').filter((p) => p.metadata.name.startsWith(prefix));
const boundOf = (s: FakeApiServer, prefix: string) => pods(s, prefix).filter((p) => p.spec.nodeName).length;
const allocated = (s: FakeApiServer) => s.list('ResourceClaim').filter((c) => c.status?.allocation);
const condition = (p: Obj) => p.status?.conditions?.find((c: { type: string }) => c.type === 'PodScheduled');
const messages = (s: FakeApiServer, prefix: string) => pods(s, prefix).map((p) => condition(p)?.message);
const groupCondition = (s: FakeApiServer, name: string) => s.get('PodGroup', name, 'default')?.status?.conditions?.find((c: { type: string }) => c.type === 'PodGroupScheduled');

describe('live scheduler: gang PodGroups', () => {
  it('a gang that fits is bound entirely, each Pod with its own claim on its node', { timeout: 20_000 }, async () => {
    // 2 nodes × 4 GPUs; 4 members of 2 GPUs each: exactly the 8 GPUs.
    const { server, schedulers } = await gangCluster(2);
    // At every binding, how many members' claims are allocated: all 4 are written before the first.
    const allocatedAtBinding: number[] = [];
    server.beforeWrite((w) => {
      if (w.sub === 'binding') allocatedAtBinding.push(allocated(server).length);
    });
    server.create(podGroup('train', 4));
    for (let i = 0; i < 4; i++) server.create(member(`w-${i}`, 'two', 'train'));
    await until('4 members bound', () => boundOf(server, 'w-') === 4);
    expect(allocatedAtBinding).toEqual([4, 4, 4, 4]);
    expect(violations(server)).toEqual([]);
    expect(deviceOwners(server).size).toBe(8);
    for (const p of pods(server, 'w-')) {
      const claim = server.get('ResourceClaim', `${p.metadata.name}-gpu`, 'default')!;
      expect(claim.status.reservedFor).toEqual([{ resource: 'pods', name: p.metadata.name, uid: p.metadata.uid }]);
    }
    await until('engine caught up', () => schedulers[0].consistency() === undefined);
  });

  it('a gang that cannot reach minCount binds no Pod and leaves no claim allocated; the devices stay free for others', { timeout: 20_000 }, async () => {
    // 1 node × 4 GPUs; 3 members of 2 GPUs: the cycle places w-0 and w-1, w-2 does not fit → 2 < 3.
    const { server, schedulers } = await gangCluster(1);
    server.create(podGroup('train', 3));
    for (let i = 0; i < 3; i++) server.create(member(`w-${i}`, 'two', 'train'));
    await until('all 3 reported unschedulable', () => messages(server, 'w-').every((m) => m?.includes('was not admitted')));
    const why = 'pod group default/train was not admitted: minCount (3) cannot be satisfied: 2 scheduled, 0 remaining';
    expect(messages(server, 'w-').slice(0, 2)).toEqual([why, why]);
    expect(messages(server, 'w-')[2]).toMatch(/^0\/1 nodes are available: .*pod group default\/train was not admitted: minCount \(3\) cannot be satisfied: 2 scheduled, 0 remaining$/);
    expect(boundOf(server, 'w-')).toBe(0);
    expect(allocated(server)).toEqual([]);
    expect(server.list('ResourceClaim').length).toBe(3); // created from the template, unallocated
    // kube-scheduler's PodGroupScheduled condition after the cycle: False, Unschedulable, the group's reason.
    await until('the PodGroup condition', () => groupCondition(server, 'train') !== undefined);
    expect(groupCondition(server, 'train')).toEqual({ type: 'PodGroupScheduled', status: 'False', reason: 'Unschedulable', message: why, lastTransitionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    // The engine gave the cycle's devices back: a 4-GPU Pod outside the gang takes the whole node.
    server.create(gpuPod('solo', 'four', 'dralloc'));
    await until('solo bound', () => boundOf(server, 'solo') === 1);
    expect(boundOf(server, 'w-')).toBe(0);
    expect(violations(server)).toEqual([]);
    await until('engine caught up', () => schedulers[0].consistency() === undefined);
  });

  it('the PodGroupScheduled condition goes from Unschedulable to Scheduled, and a later cycle that fails does not turn it back', { timeout: 20_000 }, async () => {
    // 1 node × 4 GPUs, 3 members × 2 GPUs (minCount 3): not admitted. A second node: admitted.
    // Then w-0 is deleted and a 4-GPU member added: 2 GPUs free per node, it fits nowhere, 2 bound
    // + 0 placed < 3 — a failing cycle; the condition stays True.
    const { server } = await gangCluster(1);
    server.create(podGroup('train', 3));
    for (let i = 0; i < 3; i++) server.create(member(`w-${i}`, 'two', 'train'));
    await until('Unschedulable', () => groupCondition(server, 'train')?.reason === 'Unschedulable');
    const failedAt = groupCondition(server, 'train').lastTransitionTime;
    await new Promise((r) => setTimeout(r, 1_100)); // the transition time has a resolution of seconds
    for (const o of gpuNode('node-1', 4)) server.create(o);
    await until('3 members bound', () => boundOf(server, 'w-') === 3);
    await until('Scheduled', () => groupCondition(server, 'train')?.status === 'True');
    const admitted = groupCondition(server, 'train');
    expect(admitted).toMatchObject({ type: 'PodGroupScheduled', status: 'True', reason: 'Scheduled', message: '' });
    expect(admitted.lastTransitionTime > failedAt).toBe(true);
    server.remove('Pod', 'w-0', 'default');
    server.create(member('w-3', 'four', 'train'));
    await until('w-3 reported not admitted', () => messages(server, 'w-3')[0]?.endsWith('pod group default/train was not admitted: minCount (3) cannot be satisfied: 2 scheduled, 0 remaining') === true);
    expect(groupCondition(server, 'train')).toEqual(admitted);
    expect(violations(server)).toEqual([]);
  });

  it('claims an earlier attempt left allocated for a pending member are released when the gang is not admitted', { timeout: 20_000 }, async () => {
    // 1 node × 4 GPUs. w-0's claim `left` (2 GPUs) is allocated and reserved for w-0, which is not
    // bound (as a leader lost after writing leaves it). The cycle: w-0 on node-0 with `left`, w-1
    // takes the other 2 GPUs, w-2 finds none → 2 < 3: not admitted, and `left` is released.
    const { server } = await gangCluster(1);
    const w0 = server.create(memberWithLeft());
    for (let i = 1; i < 3; i++) server.create(member(`w-${i}`, 'two', 'train'));
    server.create(leftClaim(w0.metadata.uid));
    server.create(podGroup('train', 3)); // last: until now the members waited for it
    await until('left released', () => allocated(server).length === 0);
    await until('all 3 reported not admitted', () => messages(server, 'w-').every((m) => m?.includes('was not admitted')));
    expect(server.get('ResourceClaim', 'left', 'default')!.status).toEqual({});
    expect(boundOf(server, 'w-')).toBe(0);
    expect(allocated(server)).toEqual([]);
  });

  it('members that arrive late wait (no claim allocated), then the gang binds', { timeout: 20_000 }, async () => {
    const { server } = await gangCluster(2);
    server.create(podGroup('train', 3));
    server.create(member('w-0', 'two', 'train'));
    server.create(member('w-1', 'two', 'train'));
    await until('both waiting', () => messages(server, 'w-').every((m) => m === 'waiting for minCount pods from a gang to appear in scheduling queue'));
    expect(allocated(server)).toEqual([]);
    expect(groupCondition(server, 'train')).toBeUndefined(); // waiting (PreEnqueue) is no cycle: no condition
    server.create(member('w-2', 'two', 'train'));
    await until('3 members bound', () => boundOf(server, 'w-') === 3);
    expect(violations(server)).toEqual([]);
    await until('the PodGroup condition', () => groupCondition(server, 'train') !== undefined);
    expect(groupCondition(server, 'train')).toMatchObject({ type: 'PodGroupScheduled', status: 'True', reason: 'Scheduled', message: '' });
  });

  it('a Pod moved to another group (its PodGroup name changed) counts for the new group, not the old one', { timeout: 20_000 }, async () => {
    // 2 nodes × 4 GPUs. train (minCount 2) has w-0, other (minCount 2) has w-1: both wait. The API
    // keeps spec.schedulingGroup immutable; the fake server does not, which tests the member index.
    const { server, schedulers } = await gangCluster(2);
    server.create(podGroup('train', 2));
    server.create(podGroup('other', 2));
    server.create(member('w-0', 'two', 'train'));
    const w1 = server.create(member('w-1', 'two', 'other'));
    const waiting = 'waiting for minCount pods from a gang to appear in scheduling queue';
    await until('both waiting', () => messages(server, 'w-').every((m) => m === waiting));
    server.update({ ...w1, kind: 'Pod', apiVersion: 'v1', spec: { ...w1.spec, schedulingGroup: { podGroupName: 'train' } } });
    await until('2 members of train bound', () => boundOf(server, 'w-') === 2);
    // A new Pod of `other` still waits: w-1 no longer counts there.
    server.create(member('x-0', 'two', 'other'));
    await until('x-0 waiting', () => messages(server, 'x-')[0] === waiting);
    expect(boundOf(server, 'x-')).toBe(0);
    expect(violations(server)).toEqual([]);
    await until('engine caught up', () => schedulers[0].consistency() === undefined);
  });

  it('Pods of a missing PodGroup stay pending with the reason, and bind once it appears', { timeout: 20_000 }, async () => {
    const { server } = await gangCluster(1);
    server.create(member('w-0', 'two', 'ghost'));
    server.create(member('w-1', 'two', 'ghost'));
    await until('both waiting', () => messages(server, 'w-').every((m) => m === `waiting for pod's pod group "ghost" to appear in scheduling queue`));
    const events = server.list('Event').filter((e) => e.reason === 'FailedScheduling');
    expect(events.map((e) => e.note)).toContain(`waiting for pod's pod group "ghost" to appear in scheduling queue`);
    expect(allocated(server)).toEqual([]);
    server.create(podGroup('ghost', 2));
    await until('2 members bound', () => boundOf(server, 'w-') === 2);
    expect(violations(server)).toEqual([]);
  });

  it('two schedulers, a gang each, competing for the same devices: never both hold some, one gang is bound entirely', { timeout: 30_000 }, async () => {
    // 2 nodes × 4 GPUs = 8; each gang needs 3 × 2 = 6: exactly one can be admitted.
    const { server, schedulers } = await gangCluster(2, ['a', 'b']);
    for (const who of ['a', 'b']) {
      server.create(podGroup(who, 3));
      for (let i = 0; i < 3; i++) {
        const pod = gpuPod(`${who}-${i}`, 'two', who);
        pod.spec.schedulingGroup = { podGroupName: who };
        server.create(pod);
      }
    }
    let bothHeld = 0;
    await until('one gang bound, the other reported not admitted', () => {
      if (boundOf(server, 'a-') > 0 && boundOf(server, 'b-') > 0) bothHeld++;
      const done = [boundOf(server, 'a-'), boundOf(server, 'b-')].sort().join();
      const loser = boundOf(server, 'a-') === 3 ? 'b-' : 'a-';
      return done === '0,3' && messages(server, loser).every((m) => m?.includes('was not admitted'));
    });
    expect(bothHeld).toBe(0);
    expect(violations(server)).toEqual([]);
    // Only the admitted gang's claims hold devices.
    const winner = boundOf(server, 'a-') === 3 ? 'a' : 'b';
    expect(allocated(server).map((c) => c.metadata.name).sort()).toEqual([0, 1, 2].map((i) => `${winner}-${i}-gpu`));
    await until('engines caught up', () => schedulers.every((s) => s.consistency() === undefined));
  });

  it('a 5xx on one binding of an admitted gang: the binding is tried again and the whole gang is bound', { timeout: 20_000 }, async () => {
    const { server, schedulers, logs } = await gangCluster(2);
    server.failNext('POST', /\/pods\/w-1\/binding$/, 503);
    server.create(podGroup('train', 3));
    for (let i = 0; i < 3; i++) server.create(member(`w-${i}`, 'two', 'train'));
    await until('3 members bound', () => boundOf(server, 'w-') === 3);
    expect(violations(server)).toEqual([]);
    expect(logs.filter((l) => l.startsWith('binding default/w-1 (pod group member) failed, trying again: HTTP 503'))).toHaveLength(1);
    // The server stores the last binding before its answer reaches the scheduler: wait for the count.
    await until('3 counted as scheduled', () => schedulers[0].stats.scheduled === 3);
    expect(schedulers[0].stats.rollbacks).toBe(0);
  });

  it('a 409 on one member\'s claim write rolls back the claims already written for the group; the retry binds the whole gang', { timeout: 20_000 }, async () => {
    const { server, schedulers, logs } = await gangCluster(2);
    server.failNext('PUT', /\/resourceclaims\/w-1-gpu\/status$/, 409);
    server.create(podGroup('train', 3));
    for (let i = 0; i < 3; i++) server.create(member(`w-${i}`, 'two', 'train'));
    await until('3 members bound', () => boundOf(server, 'w-') === 3);
    // w-0's claim was written first and rolled back when w-1's write failed; nothing was bound then.
    expect(schedulers[0].stats.conflicts).toBe(1);
    expect(schedulers[0].stats.rollbacks).toBe(1);
    expect(logs.filter((l) => l.startsWith('retrying default/w-') && l.includes('conflict writing claim default/w-1-gpu'))).toHaveLength(3);
    const firstBound = logs.findIndex((l) => l.startsWith('bound '));
    expect(firstBound).toBeGreaterThan(logs.findIndex((l) => l.includes('conflict writing claim')));
    expect(violations(server)).toEqual([]);
  });

  it('a claim the gang shares through its PodGroup (DRAWorkloadResourceClaims) is created once, allocated once and reserved for the PodGroup', { timeout: 20_000 }, async () => {
    // 2 nodes × 4 GPUs; the group's claim takes 2 GPUs, each of the 2 members 1 of its own. The
    // first member allocates train-shared on its node; its node selector keeps the second there.
    const { server, schedulers } = await gangCluster(2, ['dralloc'], 'DRAWorkloadResourceClaims=true');
    server.create(gpuTemplate('one', 1));
    const group = podGroup('train', 2);
    group.spec.resourceClaims = [{ name: 'shared', resourceClaimTemplateName: 'two' }];
    server.create(group);
    for (let i = 0; i < 2; i++) {
      const pod = member(`w-${i}`, 'one', 'train');
      pod.spec.resourceClaims.push({ name: 'shared', resourceClaimTemplateName: 'two' });
      server.create(pod);
    }
    await until('2 members bound', () => boundOf(server, 'w-') === 2);
    const nodes = pods(server, 'w-').map((p) => p.spec.nodeName);
    expect(nodes[0]).toBe(nodes[1]);
    const uid = server.get('PodGroup', 'train', 'default')!.metadata.uid;
    const shared = server.get('ResourceClaim', 'train-shared', 'default')!;
    expect(shared.metadata.ownerReferences).toEqual([{ apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', name: 'train', uid, controller: true, blockOwnerDeletion: true }]);
    expect(shared.status.reservedFor).toEqual([{ apiGroup: 'scheduling.k8s.io', resource: 'podgroups', name: 'train', uid }]);
    expect(shared.status.allocation.devices.results.map((r: { pool: string }) => r.pool)).toEqual([nodes[0], nodes[0]]);
    // Each member's own claim is reserved for it; the shared one is not recorded in the Pods' status.
    for (const p of pods(server, 'w-')) {
      expect(server.get('ResourceClaim', `${p.metadata.name}-gpu`, 'default')!.status.reservedFor).toEqual([{ resource: 'pods', name: p.metadata.name, uid: p.metadata.uid }]);
      expect(p.status.resourceClaimStatuses.map((s: { name: string }) => s.name)).toEqual(['gpu']);
    }
    expect(server.list('ResourceClaim').map((c) => c.metadata.name).sort()).toEqual(['train-shared', 'w-0-gpu', 'w-1-gpu']);
    expect([...deviceOwners(server).values()].filter((o) => o.length > 1)).toEqual([]);
    await until('engine caught up', () => schedulers[0].consistency() === undefined);
  });

  it('a PodGroup\'s shared claim left allocated stays while a Pod of the group is bound, and is released once none is', { timeout: 20_000 }, async () => {
    // 1 node × 4 GPUs; train (minCount 3) shares `train-shared` (gpu-0, gpu-1, reserved for the
    // PodGroup). w-0 is bound and uses it; w-1 pending: 2 < 3 → the group waits, not admitted.
    const { server } = await gangCluster(1, ['dralloc'], 'DRAWorkloadResourceClaims=true');
    const group = podGroup('train', 3);
    group.spec.resourceClaims = [{ name: 'shared', resourceClaimTemplateName: 'two' }];
    const uid = server.create(group).metadata.uid;
    const shared: Obj = { ...leftClaim('-'), metadata: { name: 'train-shared', namespace: 'default' } };
    shared.status.reservedFor = [{ apiGroup: 'scheduling.k8s.io', resource: 'podgroups', name: 'train', uid }];
    server.create(shared);
    const sharing = (name: string): Obj => {
      const pod = member(name, 'two', 'train');
      pod.spec.resourceClaims = [{ name: 'shared', resourceClaimTemplateName: 'two' }];
      return pod;
    };
    server.create({ ...sharing('w-0'), spec: { ...sharing('w-0').spec, nodeName: 'node-0' } });
    server.create(sharing('w-1'));
    const waiting = 'waiting for minCount pods from a gang to appear in scheduling queue';
    await until('w-1 waits', () => messages(server, 'w-1')[0] === waiting);
    await new Promise((r) => setTimeout(r, 700)); // two more attempts (resync 300 ms)
    expect(server.get('ResourceClaim', 'train-shared', 'default')!.status.reservedFor).toEqual([{ apiGroup: 'scheduling.k8s.io', resource: 'podgroups', name: 'train', uid }]);
    expect(violations(server)).toEqual([]);
    // w-0 gone: no Pod of the group is bound, the group is still not admitted → released.
    server.remove('Pod', 'w-0', 'default');
    await until('train-shared released', () => !server.get('ResourceClaim', 'train-shared', 'default')!.status.allocation);
    expect(server.get('ResourceClaim', 'train-shared', 'default')!.status).toEqual({});
    expect(boundOf(server, 'w-')).toBe(0);
    expect(violations(server)).toEqual([]);
  });

  it('a PodGroup deleted while its gang waits: members wait for it (claims left allocated for them released), and bind once it is back', { timeout: 20_000 }, async () => {
    // 2 nodes × 4 GPUs; train (minCount 3) has 2 members: they wait for a third.
    const { server, schedulers } = await gangCluster(2);
    server.create(podGroup('train', 3));
    const w0 = server.create(memberWithLeft());
    server.create(member('w-1', 'two', 'train'));
    await until('both waiting for minCount', () => messages(server, 'w-').every((m) => m === 'waiting for minCount pods from a gang to appear in scheduling queue'));
    server.remove('PodGroup', 'train', 'default');
    const missing = `waiting for pod's pod group "train" to appear in scheduling queue`;
    await until('both waiting for the PodGroup', () => messages(server, 'w-').every((m) => m === missing));
    // A claim allocated and reserved for w-0 but never bound (as a leader lost mid-group leaves it) is given back.
    server.create(leftClaim(w0.metadata.uid));
    await until('left released', () => allocated(server).length === 0);
    // A third member does not make the gang go without its PodGroup.
    server.create(member('w-2', 'two', 'train'));
    await until('w-2 waiting for the PodGroup', () => messages(server, 'w-')[2] === missing);
    expect(boundOf(server, 'w-')).toBe(0);
    expect(allocated(server)).toEqual([]);
    server.create(podGroup('train', 3));
    await until('3 members bound', () => boundOf(server, 'w-') === 3);
    expect(violations(server)).toEqual([]);
    await until('engine caught up', () => schedulers[0].consistency() === undefined);
  });

  it('a PodGroup deleted after its gang was bound: members stay bound, its claim is left to the garbage collector, new members wait', { timeout: 20_000 }, async () => {
    // As the DRAWorkloadResourceClaims test above: 2 members of 1 GPU each and a shared 2-GPU claim, on one node.
    const { server, schedulers } = await gangCluster(2, ['dralloc'], 'DRAWorkloadResourceClaims=true');
    server.create(gpuTemplate('one', 1));
    const group = podGroup('train', 2);
    group.spec.resourceClaims = [{ name: 'shared', resourceClaimTemplateName: 'two' }];
    server.create(group);
    const withShared = (name: string) => {
      const pod = member(name, 'one', 'train');
      pod.spec.resourceClaims.push({ name: 'shared', resourceClaimTemplateName: 'two' });
      return pod;
    };
    for (let i = 0; i < 2; i++) server.create(withShared(`w-${i}`));
    await until('2 members bound', () => boundOf(server, 'w-') === 2);
    const shared = server.get('ResourceClaim', 'train-shared', 'default')!;
    server.remove('PodGroup', 'train', 'default');
    // Pods and PodGroups come through separate watches: w-2 is created once the scheduler saw the
    // PodGroup go (else its cycle may still count the group as there, as kube-scheduler's cache would).
    const cache = (schedulers[0] as unknown as { watch: ClusterWatch }).watch;
    await until('the PodGroup gone from the cache', () => cache.get('PodGroup', 'default/train') === undefined);
    server.create(withShared('w-2'));
    await until('w-2 waiting for the PodGroup', () => messages(server, 'w-2')[0] === `waiting for pod's pod group "train" to appear in scheduling queue`);
    // dralloc neither deletes nor releases the PodGroup's claim (the API server's garbage collector deletes it by its ownerReference).
    expect(server.get('ResourceClaim', 'train-shared', 'default')).toEqual(shared);
    expect(boundOf(server, 'w-')).toBe(2);
    expect(server.get('ResourceClaim', 'w-2-gpu', 'default')?.status?.allocation).toBeUndefined();
    // The garbage collector deletes it: the engine lets its 2 devices go.
    server.remove('ResourceClaim', 'train-shared', 'default');
    await until('engine caught up', () => schedulers[0].consistency() === undefined);
    expect(deviceOwners(server).size).toBe(2);
  });

  it('a basic PodGroup: every member that fits is bound; the condition is Scheduled when one was placed, else Unschedulable, and never turns back', { timeout: 20_000 }, async () => {
    // 1 node × 4 GPUs. Group `some` (basic): b-0 and b-1 (2 GPUs each) fit, b-2 does not → True.
    // Then group `none` (basic): n-0 (4 GPUs) finds no GPU left → False, `pod group is unschedulable`.
    const { server, schedulers } = await gangCluster(1);
    server.create(basicGroup('some'));
    for (let i = 0; i < 3; i++) server.create(member(`b-${i}`, 'two', 'some'));
    await until('b-0 and b-1 bound, b-2 reported', () => boundOf(server, 'b-') === 2 && messages(server, 'b-')[2] !== undefined);
    expect(pods(server, 'b-').map((p) => p.spec.nodeName)).toEqual(['node-0', 'node-0', undefined]);
    // The member that does not fit gets its own reason only: a basic group has no group reason.
    expect(messages(server, 'b-')[2]).toBe('0/1 nodes are available: 1 cannot allocate all claims. claim default/b-2-gpu cannot be allocated on node node-0: request gpu: fewer than 2 matching devices are free.');
    await until('the condition of `some`', () => groupCondition(server, 'some') !== undefined);
    const scheduled = groupCondition(server, 'some');
    expect(scheduled).toEqual({ type: 'PodGroupScheduled', status: 'True', reason: 'Scheduled', message: '', lastTransitionTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });

    server.create(basicGroup('none'));
    server.create(member('n-0', 'four', 'none'));
    await until('the condition of `none`', () => groupCondition(server, 'none') !== undefined);
    expect(groupCondition(server, 'none')).toMatchObject({ type: 'PodGroupScheduled', status: 'False', reason: 'Unschedulable', message: 'pod group is unschedulable' });
    await until('n-0 reported', () => messages(server, 'n-')[0] !== undefined);
    expect(messages(server, 'n-')[0]).toMatch(/^0\/1 nodes are available: /);
    expect(boundOf(server, 'n-')).toBe(0);
    // b-2 is tried again on every resync (300 ms): those cycles of `some` place no one, and leave
    // True as it was — not even a write.
    const someWrites: string[] = [];
    server.beforeWrite((w) => {
      if (w.plural === 'podgroups' && w.name === 'some') someWrites.push(w.method);
    });
    const waitsBefore = schedulers[0].stats.unschedulable;
    await until('two more cycles', () => schedulers[0].stats.unschedulable >= waitsBefore + 2);
    expect(groupCondition(server, 'some')).toEqual(scheduled);
    expect(someWrites).toEqual([]);
    expect(violations(server)).toEqual([]);
    expect(deviceOwners(server).size).toBe(4);
  });

  it('snapshot keeps PodGroups and the Pods\' spec.schedulingGroup (client-node\'s Pod model lacks it)', { timeout: 20_000 }, async () => {
    const { server, kubeconfig } = await gangCluster(1, []);
    server.create(podGroup('train', 2));
    server.create(member('w-0', 'two', 'train'));
    const file = join(mkdtempSync(join(tmpdir(), 'snap-')), 'snap.json');
    const out = { stdout: '', stderr: '' };
    const io = { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t), readStdin: async () => '' };
    expect(await main(['snapshot', '-o', file, '--kubeconfig', kubeconfig], io)).toBe(0);
    const loaded = (await loadPaths([file])).objects.map((l) => l.object);
    expect((loaded.find((o) => o.kind === 'Pod') as Pod).spec.schedulingGroup).toEqual({ podGroupName: 'train' });
    expect((loaded.find((o) => o.kind === 'PodGroup') as PodGroup).spec.schedulingPolicy).toEqual({ gang: { minCount: 2 } });
  });
});
