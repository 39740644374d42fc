import { describe, expect, it } from 'vitest';
import { planEvictions, tolerates } from '../../src/k8s/evictions.js';
import type { DraObject } from '../../src/model/types.js';

const added = '2026-01-01T00:00:00Z';
const now = new Date('2026-01-01T00:01:00Z'); // 60 s after the taint

function objects(tolerations: object[] | undefined, viaRule = false): DraObject[] {
  const taint = { key: 'gpu.example.com/ecc', value: 'fatal', effect: 'NoExecute', timeAdded: added };
  return [
    {
      apiVersion: 'resource.k8s.io/v1', kind: 'ResourceSlice', metadata: { name: 's' },
      spec: { driver: 'gpu', nodeName: 'n1', pool: { name: 'n1', generation: 1, resourceSliceCount: 1 }, devices: [{ name: 'gpu-0', ...(viaRule ? {} : { taints: [taint] }) }, { name: 'gpu-1' }] },
    },
    ...(viaRule ? [{ apiVersion: 'resource.k8s.io/v1beta2', kind: 'DeviceTaintRule', metadata: { name: 'r' }, spec: { deviceSelector: { device: 'gpu-0' }, taint } }] : []),
    ...['gpu-0', 'gpu-1'].map((device, i) => ({
      apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: `c${i}`, namespace: 'default' }, spec: {},
      status: {
        allocation: { devices: { results: [{ request: 'r', driver: 'gpu', pool: 'n1', device, ...(tolerations ? { tolerations } : {}) }] } },
        reservedFor: [{ resource: 'pods', name: `p${i}`, uid: `u${i}` }],
      },
    })),
    ...[0, 1].map((i) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}`, namespace: 'default', uid: `u${i}` }, spec: { nodeName: 'n1' } })),
  ] as DraObject[];
}

describe('eviction planner', () => {
  it('evicts the Pod of an untolerated NoExecute device at the taint time; the other Pod stays', () => {
    const plan = planEvictions(objects(undefined), now);
    expect(plan.map((e) => [e.pod.name, e.evictAt, e.reason, e.device])).toEqual([['p0', added, 'not tolerated', 'gpu/n1/gpu-0']]);
  });
  it('taints from DeviceTaintRules count like slice taints', () => {
    expect(planEvictions(objects(undefined, true), now).map((e) => e.pod.name)).toEqual(['p0']);
  });
  it('a toleration without tolerationSeconds never evicts', () => {
    expect(planEvictions(objects([{ key: 'gpu.example.com/ecc', operator: 'Exists', effect: 'NoExecute' }]), now)).toEqual([]);
  });
  it('a timed toleration evicts tolerationSeconds after timeAdded (300 s → 00:05:00, not due at 00:01)', () => {
    const plan = planEvictions(objects([{ key: 'gpu.example.com/ecc', operator: 'Equal', value: 'fatal', tolerationSeconds: 300 }]), now);
    expect(plan.map((e) => [e.pod.name, e.evictAt, e.reason])).toEqual([['p0', '2026-01-01T00:05:00Z', 'tolerated for 300 s']]);
  });
  it('a toleration with the wrong value does not tolerate', () => {
    expect(planEvictions(objects([{ key: 'gpu.example.com/ecc', value: 'other' }]), now).map((e) => e.reason)).toEqual(['not tolerated']);
  });
  it('reservedFor entries without uid (files from `dralloc schedule`) match Pods by name in the claim\'s namespace', () => {
    const noUids = objects(undefined).map((o) => {
      const c = structuredClone(o) as { kind: string; metadata: { uid?: string }; status?: { reservedFor?: { uid: string }[] } };
      delete c.metadata.uid;
      for (const r of c.status?.reservedFor ?? []) r.uid = '';
      return c as unknown as DraObject;
    });
    // The same name in another namespace is another Pod: not evicted.
    noUids.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p0', namespace: 'other' }, spec: { nodeName: 'n1' } } as DraObject);
    expect(planEvictions(noUids, now).map((e) => `${e.pod.namespace}/${e.pod.name}`)).toEqual(['default/p0']);
  });
  it('toleration matching follows the Kubernetes rules', () => {
    const taint = { key: 'k', value: 'v', effect: 'NoExecute' };
    expect(tolerates({ operator: 'Exists' }, taint)).toBe(true); // empty key + Exists: everything
    expect(tolerates({ key: 'k', operator: 'Exists', effect: 'NoSchedule' }, taint)).toBe(false);
    expect(tolerates({ key: 'k', value: 'v' }, taint)).toBe(true); // Equal is the default operator
    expect(tolerates({ key: 'x', operator: 'Exists' }, taint)).toBe(false);
  });
});
