/**
 * The Engine API on the hand-made cluster in test/fixtures/small: allocate, commit/release,
 * add/remove of slices, DeviceTaintRules, keyed upsert/delete/commit/release, and errors.
 * Expected devices follow the search order of docs/semantics.md (pools by name, devices in slice
 * order, first solution wins).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Engine, loadPaths, type Outcome } from '../../src/index.js';
import type { DeviceToleration, DeviceTaintRule, DraObject, Node, Pod, ResourceClaim, ResourceClaimTemplate, ResourceSlice, AllocationResult } from '../../src/model/types.js';
import { schedule } from '../../src/schedule/scheduler.js';
import { keyOf } from '../../src/model/keys.js';
import { InputError } from '../../src/model/errors.js';
import { dev, slice } from './objects.js';
import { nodeDevices } from '../../src/compile/nodeview.js';

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
  it('allocates the first matching device of the node, pinned to the node', { timeout: 60_000 }, async () => {
    const r = await allocateOne(claim('c1'));
    expect(r).toEqual({
      devices: { results: [{ request: 'gpu', driver: 'gpu.example.com', pool: 'node-1', device: 'gpu-0' }] },
      nodeSelector: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] },
    });
    expect(devices(await engine.allocate([claim('c1')], { node: 'node-2' }))).toEqual(['node-2/gpu-0']);
  });

  it('solverSteps sums the steps of every search, async and sync, failed ones too', { timeout: 60_000 }, async () => {
    expect(engine.solverSteps).toBe(0);
    const a = await engine.allocate([claim('a'), claim('b')], { node: 'node-1' });
    const b = engine.allocateSync([claim('x', 2)], { node: 'node-2' });
    expect([a.kind, b.kind]).toEqual(['allocated', 'unsatisfiable']);
    expect(a.stats!.steps).toBeGreaterThan(0);
    expect(b.stats!.steps).toBeGreaterThan(0);
    expect(engine.solverSteps).toBe(a.stats!.steps + b.stats!.steps);
  });

  it('allocates claims together, never partially', { timeout: 60_000 }, async () => {
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

describe('keyed state: upsert / delete / commit / release by key', () => {
  const withUid = (c: ResourceClaim, uid: string): ResourceClaim => ({ ...c, metadata: { ...c.metadata, uid } });
  const copy = <T>(o: T): T => structuredClone(o);

  it('keys: kind and name; claims by uid, else namespace and name', () => {
    expect(keyOf(objects.find((o) => o.kind === 'Node')!)).toBe('Node/node-1');
    expect(keyOf(claim('c1'))).toBe('ResourceClaim/default/c1');
    expect(keyOf(withUid(claim('c1'), 'u-1'))).toBe('ResourceClaim uid=u-1');
  });

  it('committing the same claim twice counts once; one release frees it', async () => {
    const r = await allocateOne(claim('c1'));
    engine.commit(claim('c1'), r);
    engine.commit(claim('c1'), r);
    expect(engine.listClaims()).toHaveLength(1);
    expect(devices(await engine.allocate([claim('c2')], { node: 'node-1' }))).toEqual(['node-1/gpu-1']);
    engine.release(claim('c1'));
    // gpu-0 is free again: a second, stale copy of the commit does not keep it in use.
    expect(devices(await engine.allocate([claim('c2', 2)], { node: 'node-1' }))).toEqual(['node-1/gpu-0', 'node-1/gpu-1']);
  });

  it('releasing an equal copy (as an informer delivers it) or the key frees the devices', async () => {
    const c = withUid(claim('c1'), 'uid-1');
    const held = engine.commit(c, await allocateOne(c));
    engine.release(copy(held));
    expect(engine.listClaims()).toEqual([]);
    expect(devices(await engine.allocate([claim('c2', 2)], { node: 'node-1' }))).toEqual(['node-1/gpu-0', 'node-1/gpu-1']);
    engine.commit(c, await allocateOne(c));
    engine.release('ResourceClaim uid=uid-1');
    expect(engine.listClaims()).toEqual([]);
  });

  it('a claim the scheduler stamped and committed is held under its key: an informer copy replaces it, the key releases it', { timeout: 30_000 }, () => {
    const template: ResourceClaimTemplate = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaimTemplate', metadata: { name: 't', namespace: 'default' }, spec: { spec: claim('x').spec } };
    const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', uid: 'pod-1' }, spec: { containers: [], resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 't' }] } };
    const result = schedule(engine, [...objects, template, pod]);
    // Upstream's walk starts at the first node; its first GPU serves the Pod.
    expect(result.pods[0].node).toBe('node-1');
    const stamped = result.claims.find((c) => c.metadata.name === 'p-gpu')!;
    expect(stamped.status?.allocation?.devices?.results?.map((r) => r.device)).toEqual(['gpu-0']);
    engine.upsert([copy(stamped)]);
    expect(engine.listClaims()).toHaveLength(1);
    expect(engine.allocateSync([claim('c2', 2)], { node: 'node-1' }).kind).toBe('unsatisfiable');
    engine.release('ResourceClaim/default/p-gpu');
    expect(engine.listClaims()).toEqual([]);
    expect(devices(engine.allocateSync([claim('c2', 2)], { node: 'node-1' }))).toEqual(['node-1/gpu-0', 'node-1/gpu-1']);
  });

  it('a claim without a uid is released by its key (kind, namespace, name), and not by a uid key of the same text', { timeout: 30_000 }, async () => {
    engine.commit(claim('c1'), await allocateOne(claim('c1')));
    engine.release('ResourceClaim uid=default/c1');
    expect(engine.listClaims()).toHaveLength(1);
    engine.release('ResourceClaim/default/c1');
    expect(engine.listClaims()).toEqual([]);
    expect(devices(await engine.allocate([claim('c2', 2)], { node: 'node-1' }))).toEqual(['node-1/gpu-0', 'node-1/gpu-1']);
  });

  it('a new version of an allocated claim moves its devices (old ones free, new ones used)', async () => {
    const c = withUid(claim('c1'), 'uid-1');
    const onGpu0 = engine.commit(c, await allocateOne(c));
    const moved = copy(onGpu0);
    moved.status!.allocation!.devices!.results![0].device = 'gpu-1';
    engine.upsert([moved]);
    expect(devices(await engine.allocate([claim('c2')], { node: 'node-1' }))).toEqual(['node-1/gpu-0']);
    expect(engine.listClaims()).toEqual([moved]);
  });

  it('a new version of a slice replaces the old one instead of adding its devices twice', async () => {
    const s = objects.find((o) => o.kind === 'ResourceSlice' && o.metadata?.name === 'node-1-gpus') as ResourceSlice;
    const v2 = copy(s);
    v2.spec.devices = [dev('gpu-7')];
    engine.upsert([v2]);
    expect(devices(await engine.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-7']);
    expect((await engine.allocate([claim('c', 2)], { node: 'node-1' })).kind).toBe('unsatisfiable');
    expect(engine.inspect().inventory.count).toBe(2); // node-2's gpu-0 and node-1's gpu-7
    // Deleting by an equal copy of the old version deletes what the key holds now.
    engine.delete([copy(s)]);
    expect((await engine.allocate([claim('c')], { node: 'node-1' })).kind).toBe('unsatisfiable');
  });

  it('nodes, classes and taint rules are replaced and deleted by key', async () => {
    const rule = taintRule('r0', 'gpu-0', 'NoSchedule');
    engine.upsert([rule]);
    expect(devices(await engine.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-1']);
    engine.upsert([{ ...rule, spec: { ...rule.spec, taint: { ...rule.spec.taint, effect: 'None' } } }]); // same key: replaces
    expect(devices(await engine.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-0']);
    engine.upsert([rule]);
    engine.delete(['DeviceTaintRule/r0']);
    expect(devices(await engine.allocate([claim('c')], { node: 'node-1' }))).toEqual(['node-1/gpu-0']);
    engine.delete(['Node/node-1']);
    expect((await engine.allocate([claim('c')], { node: 'node-1' })).kind).toBe('error');
    engine.delete(['DeviceClass/gpu']);
    const o = await engine.allocate([claim('c')], { node: 'node-2' });
    expect(o.kind === 'error' && o.message).toMatch(/could not retrieve device class gpu/);
  });

  it('rejects what is not an engine object, naming it, and changes nothing', async () => {
    const loaded = (await loadPaths([FIXTURE])).objects;
    const extra = slice('node-2-more', [dev('gpu-9')], { nodeName: 'node-2', poolName: 'node-2-extra' });
    const bad: [unknown, RegExp][] = [
      [loaded[0], /^upsert: objects\[1\]: expected a Kubernetes object, got a wrapper with an `object` field/],
      [{ metadata: { name: 'x' } }, /^upsert: objects\[1\]: kind: missing$/],
      [{ kind: 'ConfigMap', metadata: { name: 'x' } }, /^upsert: objects\[1\]: kind: ConfigMap is not supported/],
      [{ kind: 'ResourceSlice', metadata: {}, spec: {} }, /^upsert: objects\[1\] \(ResourceSlice\): metadata.name: missing$/],
      [{ kind: 'ResourceSlice', metadata: { name: 's' }, spec: { driver: 'd' } }, /^upsert: objects\[1\] \(ResourceSlice s\): spec.pool.name: missing$/],
      [42, /^upsert: objects\[1\]: expected a Kubernetes object, got number$/],
    ];
    for (const [o, message] of bad) {
      expect(() => engine.upsert([extra, o as DraObject])).toThrow(InputError);
      expect(() => engine.add([extra, o as DraObject])).toThrow(message);
    }
    expect(() => engine.delete(['no key here'])).toThrow(/^delete: items\[0\]: "no key here" is not an object key$/);
    // Nothing was applied: the valid slice before the bad object did not get in.
    expect((await engine.allocate([claim('c', 2)], { node: 'node-2' })).kind).toBe('unsatisfiable');
    // Pods, templates and namespaces are accepted (and ignored).
    engine.upsert([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } } as DraObject]);
  });
});

describe('incremental slice changes', () => {
  const node = (name: string) => objects.find((o) => o.kind === 'Node' && o.metadata?.name === name) as Node;
  const node1Slice = () => objects.find((o) => o.kind === 'ResourceSlice' && o.metadata?.name === 'node-1-gpus') as ResourceSlice;

  it('a slice change keeps other nodes\' views and reuses the freed slots', async () => {
    await allocateOne(claim('c')); // compiles
    const before = engine.nodePools(node('node-2'));
    expect(engine.inspect().inventory.size).toBe(3);
    const v2 = structuredClone(node1Slice());
    v2.spec.devices = [dev('gpu-5'), dev('gpu-6')];
    engine.upsert([v2]);
    expect(engine.nodePools(node('node-2'))).toBe(before); // node-2 cannot see node-1's pool
    const { inventory } = engine.inspect();
    expect([inventory.size, inventory.count]).toEqual([3, 3]); // two freed slots taken again
    expect(nodeDevices(engine.nodePools(node('node-1'))).map((d) => d.id)).toEqual(['gpu.example.com/node-1/gpu-5', 'gpu.example.com/node-1/gpu-6']);
    expect(devices(await engine.allocate([claim('c', 2)], { node: 'node-1' }))).toEqual(['node-1/gpu-5', 'node-1/gpu-6']);
  });

  it('a deleted slice leaves a free slot that allocations, masks and counts skip', async () => {
    await allocateOne(claim('c'));
    engine.delete([node1Slice()]);
    const { inventory, masks } = engine.inspect();
    expect([inventory.size, inventory.count]).toEqual([3, 1]);
    expect([0, 1, 2].filter((i) => inventory.live(i))).toHaveLength(1);
    const live = [0, 1, 2].find((i) => inventory.live(i))!;
    expect(inventory.idAt(live)).toBe('gpu.example.com/node-2/gpu-0');
    // A selector over every slot evaluates only the device there is.
    expect(masks.mask('device.attributes["gpu.example.com"].model == "H100"').values[live]).toBe(1);
    expect(devices(await engine.allocate([claim('c')], { node: 'node-2' }))).toEqual(['node-2/gpu-0']);
    // Devices allocated before keep their flags when their slice comes back.
    engine.commit(claim('c2'), await allocateOne(claim('c2'), 'node-2'));
    engine.upsert([node1Slice()]);
    expect(devices(await engine.allocate([claim('c', 2)], { node: 'node-1' }))).toEqual(['node-1/gpu-0', 'node-1/gpu-1']);
    expect((await engine.allocate([claim('c')], { node: 'node-2' })).kind).toBe('unsatisfiable');
  });
});

describe('layout changes (what the placement kernel’s resident tables are checked against)', () => {
  it('a Node is a layout change (of that node); a claim or a kind the engine ignores is not', { timeout: 10_000 }, async () => {
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' } };
    const engine = await Engine.create({ objects: [node, slice('s1', [dev('gpu-0')])] });
    const version = () => engine.placementContext.layoutVersion;
    const v0 = version();
    engine.upsert([{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } } as DraObject]);
    engine.upsert([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } } as DraObject]);
    engine.delete(['Pod/default/p']);
    engine.upsert([{ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'c', namespace: 'default' }, spec: { devices: { requests: [] } } }]);
    expect(version()).toBe(v0);
    const none = engine.layoutChangesSince(v0);
    expect(none !== 'all' && [[...none.nodes], none.slots]).toEqual([[], []]);
    engine.upsert([{ ...node, metadata: { name: 'n1', labels: { a: 'b' } } }]);
    expect(version()).toBe(v0 + 1);
    const since = engine.layoutChangesSince(v0);
    expect(since !== 'all' && [...since.nodes]).toEqual(['n1']);
  });
});
