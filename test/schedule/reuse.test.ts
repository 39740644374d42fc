/**
 * What the scheduler reuses from one Pod to the next must not change answers: a plan is shared
 * by Pods whose claims come from one template only while the DeviceClasses it resolved are the
 * engine's, and what results share between Pods cannot be changed through one of them.
 */
import { describe, it, expect } from 'vitest';
import { Engine } from '../../src/engine.js';
import { Scheduler, schedule, type PodAttempt } from '../../src/schedule/scheduler.js';
import type { Pod } from '../../src/model/types.js';
import { gpuClass, gpuNode, gpuPod, gpuRequest, objects, template } from '../fixtures/schedule/build.js';

const cluster = () => objects(gpuClass(), gpuNode('n1', 2), gpuNode('n2', 2), template('gpu-1', [gpuRequest('gpu', 1)]), gpuPod('a'), gpuPod('b'), gpuPod('c'));

describe('scheduler reuse between Pods', () => {
  it('shares one plan among Pods stamped from one template, and plans again after their class changed', async () => {
    const objs = cluster();
    const engine = await Engine.create({ objects: objs });
    const s = new Scheduler(engine, objs);
    const pods = objs.filter((o) => o.kind === 'Pod');
    const a = s.prepare(pods[0]) as PodAttempt;
    const b = s.prepare(pods[1]) as PodAttempt;
    expect(a.pending[0]).not.toBe(b.pending[0]); // a claim each
    expect(b.plan).toBe(a.plan);
    // A new version of the class (no node has a device it selects): the plan resolves it anew.
    const changed = gpuClass({ selectors: [{ cel: { expression: 'device.driver == "other.example.com"' } }] });
    engine.upsert([changed]);
    const c = s.prepare(pods[2]) as PodAttempt;
    expect(c.plan).not.toBe(a.plan);
    expect(c.plan!.slots[0].deviceClass).toBe(changed);
    expect('reason' in s.fit(c, 0)).toBe(true);
    expect('reason' in s.fit(a, 0)).toBe(true); // the engine judges by the class it holds, whatever plan the attempt has
  });

  it('gives every result its own mutable parts; the node selectors they share are frozen', async () => {
    const objs = cluster();
    const engine = await Engine.create({ objects: objs });
    const s = new Scheduler(engine, objs);
    const pods = objs.filter((o) => o.kind === 'Pod');
    const [a, b] = pods.slice(0, 2).map((p) => s.schedulePod(p));
    expect([a.node, b.node]).toEqual(['n1', 'n2']);
    const c = s.schedulePod(pods[2]);
    expect(c.node).toBe('n1');
    const [ra, rc] = [a.updated[0].status!.allocation!, c.updated[0].status!.allocation!];
    expect(rc.nodeSelector).toBe(ra.nodeSelector); // one object per node
    expect(Object.isFrozen(ra.nodeSelector)).toBe(true);
    expect(() => ra.nodeSelector!.nodeSelectorTerms[0].matchFields!.push({ key: 'x', operator: 'In', values: [] })).toThrow(TypeError);
    expect(rc.devices).not.toBe(ra.devices);
    expect(rc.devices!.results).not.toBe(ra.devices!.results);
    ra.devices!.results![0].device = 'changed';
    expect(rc.devices!.results![0].device).toBe('gpu-1');
    expect(a.updated[0].status!.reservedFor).not.toBe(c.updated[0].status!.reservedFor);
  });

  it("copies a result's tolerations: changing them changes neither the claim's spec nor another result", async () => {
    const tolerations = [{ key: 'maintenance', operator: 'Exists' as const, effect: 'NoSchedule' as const }];
    const objs = objects(gpuClass(), gpuNode('n1', 2), template('gpu-1', [gpuRequest('gpu', 1, { tolerations })]), gpuPod('a'), gpuPod('b'));
    const engine = await Engine.create({ objects: objs });
    const s = new Scheduler(engine, objs);
    const [a, b] = objs.filter((o) => o.kind === 'Pod').map((p) => s.schedulePod(p));
    const [ra, rb] = [a, b].map((d) => d.updated[0].status!.allocation!.devices!.results![0]);
    expect(ra.tolerations).toEqual(tolerations);
    ra.tolerations![0].key = 'changed';
    ra.tolerations!.push({ key: 'x', operator: 'Exists' });
    expect(rb.tolerations).toEqual(tolerations);
    expect(a.updated[0].spec!.devices!.requests![0].exactly!.tolerations).toEqual(tolerations);
    expect(tolerations).toEqual([{ key: 'maintenance', operator: 'Exists', effect: 'NoSchedule' }]);
  });

  it('binds a copy of the Pod (and of its spec) with spec.nodeName, keys in the input order, an own __proto__ key kept', { timeout: 30_000 }, async () => {
    // One Pod as the generators make it, one as JSON.parse makes a Pod with a "__proto__" key
    // (an own data property, which a copy must define, not set).
    const plain = gpuPod('a');
    const parsed = JSON.parse('{"apiVersion":"v1","kind":"Pod","__proto__":{"x":1},"metadata":{"name":"b","namespace":"default","uid":"uid-b"},"spec":{"__proto__":{"y":2},"resourceClaims":[{"name":"gpu","resourceClaimTemplateName":"gpu-1"}],"containers":[{"name":"main","image":"busybox"}]}}') as Pod;
    const objs = objects(gpuClass(), gpuNode('n1', 2), template('gpu-1', [gpuRequest('gpu', 1)]), plain, parsed);
    for (const placement of ['wasm', 'host'] as const) {
      const engine = await Engine.create({ objects: objs });
      const [a, b] = schedule(engine, objs, { placement }).pods;
      expect(a.node).toBe('n1');
      expect(a.pod).not.toBe(plain);
      expect(a.pod.spec).not.toBe(plain.spec);
      expect(plain.spec.nodeName).toBeUndefined(); // the input is left as it was
      expect(Object.keys(a.pod)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      expect(Object.keys(a.pod.spec)).toEqual(['containers', 'resourceClaims', 'nodeName']);
      expect(a.pod.spec.nodeName).toBe('n1');
      expect(a.pod.metadata).toBe(plain.metadata); // a shallow copy: only the Pod and its spec are new
      expect(b.node).toBe('n1');
      expect(Object.getPrototypeOf(b.pod)).toBe(Object.prototype);
      expect(JSON.stringify(b.pod)).toBe(
        '{"apiVersion":"v1","kind":"Pod","__proto__":{"x":1},"metadata":{"name":"b","namespace":"default","uid":"uid-b"},"spec":{"__proto__":{"y":2},"resourceClaims":[{"name":"gpu","resourceClaimTemplateName":"gpu-1"}],"containers":[{"name":"main","image":"busybox"}],"nodeName":"n1"}}',
      );
    }
  });

  it('a claim the kernel placed is held by the engine under its key: releasing it by key or by the object frees its device', { timeout: 30_000 }, async () => {
    const objs = objects(gpuClass(), gpuNode('n1', 1), template('gpu-1', [gpuRequest('gpu', 1)]), gpuPod('a'), gpuPod('b'));
    const engine = await Engine.create({ objects: objs });
    const first = schedule(engine, objs, { placement: 'wasm' });
    expect(first.pods.map((p) => p.node)).toEqual(['n1', undefined]); // one GPU
    expect(first.placement!.placed).toBe(1);
    expect(engine.listClaims().map((c) => c.metadata.name)).toEqual(['a-gpu']);
    engine.release('ResourceClaim/default/a-gpu');
    expect(engine.listClaims()).toEqual([]);
    const again = schedule(engine, objs, { placement: 'wasm' });
    expect(again.pods.map((p) => p.node)).toEqual(['n1', undefined]);
    engine.release(again.claims.find((c) => c.metadata.name === 'a-gpu')!);
    expect(engine.listClaims()).toEqual([]);
  });
});
