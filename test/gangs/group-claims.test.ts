/**
 * PodGroup `resourceClaims` (DRAWorkloadResourceClaims, alpha, off by default) in `schedule()`:
 * a Pod entry equal in every field to an entry of its PodGroup uses the group's claim, allocated
 * once and reserved for the PodGroup (`{apiGroup: scheduling.k8s.io, resource: podgroups, name,
 * uid}`) instead of each Pod. Cluster: n1 and n2, 2 GPUs each; upstream's rotating start puts
 * the first Pod on n1 and starts the second at n2 (see schedule.test.ts).
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import { schedule, type ScheduleResult } from '../../src/schedule/scheduler.js';
import type { DraObject, Pod, PodGroup } from '../../src/model/types.js';
import { claim, DRIVER, gpuClass, gpuNode, gpuRequest, objects, pod, template } from '../fixtures/schedule/build.js';
import { gang, member } from './build.js';

const ON = 'DRAWorkloadResourceClaims=true';
const GROUP_REF = { apiGroup: 'scheduling.k8s.io', resource: 'podgroups', name: 'train', uid: 'uid-train' };
const podRef = (name: string) => ({ resource: 'pods', name, uid: `uid-${name}` });

function group(minCount: number, claims: PodGroup['spec']['resourceClaims'], status?: PodGroup['status']): PodGroup {
  const g = gang('train', minCount);
  return { ...g, metadata: { ...g.metadata, uid: 'uid-train' }, spec: { ...g.spec, resourceClaims: claims }, ...(status ? { status } : {}) };
}

/** Member `name` of `train` with the given spec.resourceClaims entries. */
const worker = (name: string, claims: { name: string; template: string }[] | { name: string; claim: string }[]): Pod => member('train', pod(name, { claims }));

async function run(objs: DraObject[], featureGates?: string) {
  const engine = await Engine.create({ objects: objs, featureGates });
  const result: ScheduleResult = schedule(engine, objs);
  return {
    result,
    placed: Object.fromEntries(result.pods.map((p) => [p.pod.metadata.name, p.node])),
    names: result.claims.map((c) => c.metadata.name).sort(),
    claim: (name: string) => result.claims.find((c) => c.metadata.name === name)!,
    inUse: () => [...engine.inspect().allocated.dedicated].map((id) => id.slice(DRIVER.length + 1)).sort(),
  };
}

const CLUSTER = [gpuClass(), gpuNode('n1', 2), gpuNode('n2', 2), template('gpu-1', [gpuRequest('gpu', 1)])];

describe('PodGroup resourceClaims', () => {
  it('a template claim of the group is stamped once, owned by the PodGroup, allocated once and reserved for the group', async () => {
    const objs = objects(CLUSTER, group(2, [{ name: 'shared', resourceClaimTemplateName: 'gpu-1' }]), worker('w0', [{ name: 'shared', template: 'gpu-1' }]), worker('w1', [{ name: 'shared', template: 'gpu-1' }]));
    const r = await run(objs, ON);
    // w0 allocates train-shared on n1 (gpu-0); its node selector then keeps w1 on n1 too.
    expect(r.placed).toEqual({ w0: 'n1', w1: 'n1' });
    expect(r.names).toEqual(['train-shared']);
    const c = r.claim('train-shared');
    expect(c.metadata.ownerReferences).toEqual([{ apiVersion: 'scheduling.k8s.io/v1alpha2', kind: 'PodGroup', name: 'train', uid: 'uid-train', controller: true, blockOwnerDeletion: true }]);
    expect(c.status?.reservedFor).toEqual([GROUP_REF]);
    expect((c.status?.allocation?.devices?.results ?? []).map((d) => `${d.pool}/${d.device}`)).toEqual(['n1/gpu-0']);
    expect(r.inUse()).toEqual(['n1/gpu-0']);
  });

  it('with the gate off (the default) each Pod gets its own claim from the template, reserved for it', async () => {
    const objs = objects(CLUSTER, group(2, [{ name: 'shared', resourceClaimTemplateName: 'gpu-1' }]), worker('w0', [{ name: 'shared', template: 'gpu-1' }]), worker('w1', [{ name: 'shared', template: 'gpu-1' }]));
    const r = await run(objs);
    expect(r.placed).toEqual({ w0: 'n1', w1: 'n2' });
    expect(r.names).toEqual(['w0-shared', 'w1-shared']);
    expect(r.claim('w1-shared').status?.reservedFor).toEqual([podRef('w1')]);
  });

  it('a named claim of the group is reserved for the group once, not for each Pod', async () => {
    const objs = objects(CLUSTER, claim('pre', [gpuRequest('gpu', 1)]), group(2, [{ name: 'shared', resourceClaimName: 'pre' }]), worker('w0', [{ name: 'shared', claim: 'pre' }]), worker('w1', [{ name: 'shared', claim: 'pre' }]));
    const on = await run(objs, ON);
    expect(on.placed).toEqual({ w0: 'n1', w1: 'n1' });
    expect(on.claim('pre').status?.reservedFor).toEqual([GROUP_REF]);
    const off = await run(objs);
    expect(off.placed).toEqual({ w0: 'n1', w1: 'n1' });
    expect(off.claim('pre').status?.reservedFor).toEqual([podRef('w0'), podRef('w1')]);
  });

  it('an entry that differs from the group entry in any field is the Pod\'s own claim', async () => {
    // w1 names the same template under another entry name: not the group's claim.
    const objs = objects(CLUSTER, group(2, [{ name: 'shared', resourceClaimTemplateName: 'gpu-1' }]), worker('w0', [{ name: 'shared', template: 'gpu-1' }]), worker('w1', [{ name: 'mine', template: 'gpu-1' }]));
    const r = await run(objs, ON);
    expect(r.names).toEqual(['train-shared', 'w1-mine']);
    expect(r.claim('w1-mine').status?.reservedFor).toEqual([podRef('w1')]);
    expect(r.claim('train-shared').status?.reservedFor).toEqual([GROUP_REF]);
  });

  it('the claim recorded in the group\'s status.resourceClaimStatuses is the one used', async () => {
    const recorded = claim('train-shared-x7k2p', [gpuRequest('gpu', 1)]);
    const objs = objects(CLUSTER, recorded, group(1, [{ name: 'shared', resourceClaimTemplateName: 'gpu-1' }], { resourceClaimStatuses: [{ name: 'shared', resourceClaimName: 'train-shared-x7k2p' }] }), worker('w0', [{ name: 'shared', template: 'gpu-1' }]));
    const r = await run(objs, ON);
    expect(r.placed).toEqual({ w0: 'n1' });
    expect(r.names).toEqual(['train-shared-x7k2p']);
    expect(r.claim('train-shared-x7k2p').status?.reservedFor).toEqual([GROUP_REF]);
  });

  it('a gang not admitted gives the group claim back: unallocated, no device in use', async () => {
    // w0 takes the group claim (gpu-0) and its own (gpu-1) on n1; w1 must follow the group claim
    // to n1, where its own 2-GPU claim no longer fits → 1 placed < minCount 2: all undone.
    const objs = objects(
      CLUSTER,
      template('gpu-2', [gpuRequest('gpu', 2)]),
      group(2, [{ name: 'shared', resourceClaimTemplateName: 'gpu-1' }]),
      worker('w0', [{ name: 'shared', template: 'gpu-1' }, { name: 'own', template: 'gpu-1' }]),
      worker('w1', [{ name: 'shared', template: 'gpu-1' }, { name: 'own', template: 'gpu-2' }]),
    );
    const r = await run(objs, ON);
    expect(r.placed).toEqual({ w0: undefined, w1: undefined });
    expect(r.result.groups?.[0]).toMatchObject({ admitted: false, reason: 'pod group default/train was not admitted: minCount (2) cannot be satisfied: 1 scheduled, 0 remaining' });
    expect(r.claim('train-shared').status?.allocation).toBeUndefined();
    expect(r.inUse()).toEqual([]);
  });
});
