/**
 * The Engine API on the hand-made cluster in test/fixtures/small: allocate, commit/release,
 * add/remove of slices, DeviceTaintRules, and errors. Expected devices follow the search order
 * of docs/semantics.md (pools by name, devices in slice order, first solution wins).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine, loadPaths, type Outcome } from '../../src/index.js';
import type { DeviceToleration, DeviceTaintRule, DraObject, ResourceClaim, AllocationResult } from '../../src/model/types.js';
import { dev, slice } from './objects.js';

const FIXTURE = new URL('../fixtures/small', import.meta.url).pathname;
let objects: DraObject[];
let engine: Engine;

beforeEach(async () => {
  objects = (await loadPaths([FIXTURE])).objects.map((l) => l.object);
  engine = await Engine.create({ objects });
});

function claim(name: string, count = 1, tolerations?: DeviceToleration[]): ResourceClaim {
  return {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name, namespace: 'default' },
    spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu', count, ...(tolerations ? { tolerations } : {}) } }] } },
  };
}

/** `pool/device` of every result of the first claim, or the outcome kind when not allocated. */
function devices(o: Outcome): string[] | string {
  if (o.kind !== 'allocated') return o.kind;
  return (o.results[0].devices?.results ?? []).map((r) => `${r.pool}/${r.device}`);
}

async function allocateOne(c: ResourceClaim, node = 'node-1'): Promise<AllocationResult> {
  const o = await engine.allocate([c], { node });
  if (o.kind !== 'allocated') throw new Error(`expected an allocation, got ${JSON.stringify(o)}`);
  return o.results[0];
}

const taintRule = (name: string, device: string, effect: string): DeviceTaintRule => ({
  apiVersion: 'resource.k8s.io/v1beta2',
  kind: 'DeviceTaintRule',
  metadata: { name },
  spec: { deviceSelector: { driver: 'gpu.example.com', pool: 'node-1', device }, taint: { key: 'maintenance', value: 'planned', effect } },
});

describe('Engine.allocate', () => {
  it('allocates the first matching device of the node, pinned to the node', async () => {
    const r = await allocateOne(claim('c1'));
    expect(r).toEqual({
      devices: { results: [{ request: 'gpu', driver: 'gpu.example.com', pool: 'node-1', device: 'gpu-0' }] },
      nodeSelector: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] },
    });
    expect(devices(await engine.allocate([claim('c1')], { node: 'node-2' }))).toEqual(['node-2/gpu-0']);
  });

  it('allocates claims together, never partially', async () => {
    const o = await engine.allocate([claim('a'), claim('b')], { node: 'node-1' });
    expect(o.kind).toBe('allocated');
    if (o.kind !== 'allocated') return;
    expect(o.results.map((r) => r.devices?.results?.[0].device)).toEqual(['gpu-0', 'gpu-1']);
    expect((await engine.allocate([claim('a'), claim('b'), claim('c')], { node: 'node-1' })).kind).toBe('unsatisfiable');
    expect((await engine.allocate([claim('x', 2)], { node: 'node-2' })).kind).toBe('unsatisfiable');
  });

  it('an unknown node is an error outcome', async () => {
    expect(await engine.allocate([claim('c1')], { node: 'node-9' })).toEqual({
      kind: 'error',
      message: 'node node-9 not found: the input has no Node object with that name',
    });
  });

  it('an unknown class is upstream\'s error', async () => {
    const c = claim('c1');
    c.spec.devices!.requests![0].exactly!.deviceClassName = 'tpu';
    const o = await engine.allocate([c], { node: 'node-1' });
    expect(o.kind).toBe('error');
    expect(o.kind === 'error' && o.message).toMatch(/^claim default\/c1, request gpu: could not retrieve device class tpu/);
  });
});

describe('commit / release', () => {
  it('commit makes a later allocation avoid the device; release frees it again', async () => {
    const first = await allocateOne(claim('c1'));
    const committed = engine.commit(claim('c1'), first);
    expect(committed.status?.allocation).toBe(first);
    expect(devices(await engine.allocate([claim('c2')], { node: 'node-1' }))).toEqual(['node-1/gpu-1']);

    const second = engine.commit(claim('c2'), await allocateOne(claim('c2')));
    expect((await engine.allocate([claim('c3')], { node: 'node-1' })).kind).toBe('unsatisfiable');

    engine.release(committed);
    expect(await allocateOne(claim('c3'))).toEqual(first); // the same allocation comes back
    engine.release(second);
    expect(devices(await engine.allocate([claim('c4', 2)], { node: 'node-1' }))).toEqual(['node-1/gpu-0', 'node-1/gpu-1']);
  });

  it('a claim added with status.allocation is allocated state; removing it frees the device', async () => {
    const allocated = engine.commit(claim('c1'), await allocateOne(claim('c1')));
    const fresh = await Engine.create({ objects: [...objects, allocated] });
    expect(devices(await fresh.allocate([claim('c2')], { node: 'node-1' }))).toEqual(['node-1/gpu-1']);
    fresh.remove([allocated]);
    expect(devices(await fresh.allocate([claim('c2')], { node: 'node-1' }))).toEqual(['node-1/gpu-0']);
  });
});

describe('add / remove', () => {
  it('a ResourceSlice added is seen by allocate; removed, it is gone', async () => {
    const extra = slice('node-2-more', [dev('gpu-9')], { nodeName: 'node-2', poolName: 'node-2-extra', driver: 'gpu.example.com' });
    expect((await engine.allocate([claim('c', 2)], { node: 'node-2' })).kind).toBe('unsatisfiable');
    engine.add([extra]);
    expect(devices(await engine.allocate([claim('c', 2)], { node: 'node-2' }))).toEqual(['node-2/gpu-0', 'node-2-extra/gpu-9']);
    engine.remove([extra]);
    expect((await engine.allocate([claim('c', 2)], { node: 'node-2' })).kind).toBe('unsatisfiable');
  });

  it('removing the node\'s slice leaves nothing to allocate', async () => {
    const s = objects.find((o) => o.kind === 'ResourceSlice' && o.metadata?.name === 'node-1-gpus')!;
    engine.remove([s]);
    expect((await engine.allocate([claim('c')], { node: 'node-1' })).kind).toBe('unsatisfiable');
  });
});

describe('DeviceTaintRule', () => {
  it('a NoSchedule taint blocks the device', async () => {
    engine.add([taintRule('r0', 'gpu-0', 'NoSchedule')]);
    expect(devices(await engine.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-1']);
    engine.add([taintRule('r1', 'gpu-1', 'NoExecute')]);
    expect((await engine.allocate([claim('c')], { node: 'node-1' })).kind).toBe('unsatisfiable');
  });

  it('effect None does not block; removing the rule lifts the taint', async () => {
    const rule = taintRule('r0', 'gpu-0', 'NoSchedule');
    engine.add([rule, taintRule('r1', 'gpu-1', 'None')]);
    expect(devices(await engine.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-1']);
    engine.remove([rule]);
    expect(devices(await engine.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-0']);
  });

  it('a toleration admits the device, and the result carries the toleration', async () => {
    engine.add([taintRule('r0', 'gpu-0', 'NoSchedule')]);
    const toleration = { key: 'maintenance', operator: 'Equal', value: 'planned', effect: 'NoSchedule' };
    const r = await allocateOne(claim('c', 1, [toleration]));
    expect(r.devices?.results).toEqual([{ request: 'gpu', driver: 'gpu.example.com', pool: 'node-1', device: 'gpu-0', tolerations: [toleration] }]);
    // A toleration for another value does not tolerate it.
    const wrong = { ...toleration, value: 'unplanned' };
    expect(devices(await engine.allocate([claim('c', 1, [wrong])], { node: 'node-1' }))).toEqual(['node-1/gpu-1']);
  });

  it('with DRADeviceTaints off, rules are ignored', async () => {
    const off = await Engine.create({ objects: [...objects, taintRule('r0', 'gpu-0', 'NoSchedule')], featureGates: 'DRADeviceTaints=false' });
    expect(devices(await off.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-0']);
  });
});
