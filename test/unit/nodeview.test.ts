/**
 * Node views as columns (compile/nodeview.ts): a node's devices are inventory slots in search
 * order with their pool's index; pools that give the node nothing are left out; counters are
 * typed tables, and what allocated devices consume is taken off in a view. Expected values
 * are worked out by hand from the objects below.
 */
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../src/compile/inventory.js';
import { Engine } from '../../src/engine.js';
import { buildNodeView, gatherNodePools, nodeDevice, nodeDevices } from '../../src/compile/nodeview.js';
import { AllocatedState } from '../../src/model/allocated.js';
import { featuresFromGates, parseFeatureGates } from '../../src/features.js';
import type { DeviceClass, ResourceClaim } from '../../src/model/types.js';
import { dev, node, slice } from './objects.js';

const features = featuresFromGates(parseFeatureGates(undefined));
const uses = (memory: string) => ({ consumesCounters: [{ counterSet: 'gpu', counters: { memory: { value: memory } } }] });
const counters = (memory: string) => [{ name: 'gpu', counters: { memory: { value: memory } } }];

/** Two nodes, each with a pool of a counter slice (for every node) and a device slice; plus a plain pool on node-1. */
function cluster() {
  const slices = [
    slice('n1-counters', [], { poolName: 'n1', count: 2, nodeName: undefined, allNodes: true, sharedCounters: counters('40Gi') }),
    slice('n1-devices', [dev('whole', uses('40Gi')), dev('half-a', uses('20Gi')), dev('half-b', uses('20Gi'))], { poolName: 'n1', count: 2, nodeName: 'node-1' }),
    slice('n2-counters', [], { poolName: 'n2', count: 2, nodeName: undefined, allNodes: true, sharedCounters: counters('40Gi') }),
    slice('n2-devices', [dev('whole', uses('40Gi'))], { poolName: 'n2', count: 2, nodeName: 'node-2' }),
    slice('a-plain', [dev('nic-0'), dev('nic-1')], { poolName: 'a-plain', nodeName: 'node-1' }),
  ];
  return { slices, inv: new Inventory(slices) };
}

const allocated = (pool: string, device: string): ResourceClaim => ({
  apiVersion: 'resource.k8s.io/v1',
  kind: 'ResourceClaim',
  metadata: { name: `c-${device}`, namespace: 'default' },
  spec: {},
  status: { allocation: { devices: { results: [{ request: 'r', driver: 'gpu.example.com', pool, device }] } } },
});

describe('node views as slot columns', () => {
  it('lists the devices as inventory slots in search order, with their pools', () => {
    const { slices, inv } = cluster();
    const np = gatherNodePools(inv, node('node-1'), features);
    // Pools sorted by name: a-plain, n1; n2 (only its counter slice reaches node-1) is left out.
    expect(np.pools.map((p) => p.name)).toEqual(['a-plain', 'n1']);
    expect([...np.slots]).toEqual([...inv.slotsOfSlice(slices[4]), ...inv.slotsOfSlice(slices[1])]);
    expect([...np.poolOf]).toEqual([0, 0, 1, 1, 1]);
    expect(nodeDevices(np).map((nd) => nd.id)).toEqual([
      'gpu.example.com/a-plain/nic-0',
      'gpu.example.com/a-plain/nic-1',
      'gpu.example.com/n1/whole',
      'gpu.example.com/n1/half-a',
      'gpu.example.com/n1/half-b',
    ]);
    const nd = nodeDevice(np, 3);
    expect([nd.device.name, nd.slice.metadata?.name, nd.pool.name, nd.index]).toEqual(['half-a', 'n1-devices', 'n1', np.slots[3]]);
  });

  it('uses the slot list of the one slice that gives all devices, with its pool index', () => {
    // Pool a-half is incomplete (1 of 2 slices): listed first, no devices; pool b gives all.
    const slices = [slice('a-half', [dev('x-0')], { poolName: 'a-half', count: 2 }), slice('b', [dev('gpu-0'), dev('gpu-1')], { poolName: 'b' })];
    const inv = new Inventory(slices);
    const np = gatherNodePools(inv, node('node-1'), features);
    expect(np.pools.map((p) => [p.name, p.incomplete])).toEqual([
      ['a-half', true],
      ['b', false],
    ]);
    expect(np.slots).toBe(inv.slotsOfSlice(slices[1]));
    expect([...np.slots]).toEqual([1, 2]);
    expect([...np.poolOf]).toEqual([1, 1]);
    expect(nodeDevices(np).map((nd) => `${nd.pool.name}/${nd.device.name}`)).toEqual(['b/gpu-0', 'b/gpu-1']);
  });

  it('keeps the counters of the pools that give devices: 40Gi of n1 at full capacity', () => {
    const { inv } = cluster();
    const np = gatherNodePools(inv, node('node-1'), features);
    const milli40Gi = 40n * 1024n ** 3n * 1000n;
    expect([...np.capacity.avail]).toEqual([milli40Gi]);
    // a-plain has no counters (range 0..0), n1 has counter 0 (range 0..1)
    expect([...np.capacity.poolRange]).toEqual([0, 0, 0, 1]);
    expect(np.counters).toBe(np.capacity);
    // what each device consumes: the nics nothing, whole 40Gi, the halves 20Gi each, all of counter 0
    const gi = 1024n ** 3n * 1000n;
    expect([...np.uses.start]).toEqual([0, 0, 0, 1, 2, 3]);
    expect([...np.uses.counter]).toEqual([0, 0, 0]);
    expect([...np.uses.amount]).toEqual([40n * gi, 20n * gi, 20n * gi]);
  });

  it('takes what allocated devices consume off the counters in a view, and leaves the cached pools alone', () => {
    const { inv } = cluster();
    const np = gatherNodePools(inv, node('node-1'), features);
    const state = new AllocatedState();
    state.attach(inv);
    const gi = 1024n ** 3n * 1000n;
    expect([...buildNodeView(np, state).counters.avail]).toEqual([40n * gi]); // nothing consumed yet
    state.apply(allocated('n1', 'half-a'), false);
    state.update(inv.indicesOf('gpu.example.com/n1/half-a'));
    const view = buildNodeView(np, state);
    expect([...view.counters.avail]).toEqual([20n * gi]);
    expect([...np.capacity.avail]).toEqual([40n * gi]);
  });

  it('gives nodes that differ only in names the same shape, and nodes with other devices another', () => {
    const { inv } = cluster();
    const one = gatherNodePools(inv, node('node-1'), features);
    const two = gatherNodePools(inv, node('node-2'), features);
    expect(two.pools.map((p) => p.name)).toEqual(['n2']);
    expect(two.shape).not.toBe(one.shape);
    const plain = new Inventory([slice('s', [dev('gpu-0')], { poolName: 'p' })]);
    const counterless = gatherNodePools(plain, node('node-1'), features);
    expect(buildNodeView(counterless, new AllocatedState())).toBe(counterless); // nothing to take off: the pools are the view
    const again = gatherNodePools(inv, node('node-1'), features);
    expect(again.shape).toBe(one.shape); // the same string object: many nodes share one
  });

  it('tells apart nodes whose equal devices are split into slices differently', () => {
    const x = (name: string) => dev(name, { attributes: { model: { string: 'A100' } } });
    const on = (n: string, pool: string, sizes: number[]) =>
      sizes.map((k, j) => slice(`${n}-${j}`, Array.from({ length: k }, (_, d) => x(`${n}-${j}-${d}`)), { poolName: pool, count: sizes.length, nodeName: n }));
    // node-a: 1 + 2 devices; node-b: 2 + 1; node-c: 1 + 2 under other names (slice names sort as listed).
    const inv = new Inventory([...on('node-a', 'a', [1, 2]), ...on('node-b', 'b', [2, 1]), ...on('node-c', 'c', [1, 2])]);
    const [a, b, c] = ['node-a', 'node-b', 'node-c'].map((n) => gatherNodePools(inv, node(n), features));
    expect([a.slots.length, b.slots.length, c.slots.length]).toEqual([3, 3, 3]);
    expect(c.shape).toBe(a.shape);
    expect(b.shape).not.toBe(a.shape);
  });
});

describe('Engine.nodeView', () => {
  const gpuClass: DeviceClass = { apiVersion: 'resource.k8s.io/v1', kind: 'DeviceClass', metadata: { name: 'gpu' }, spec: {} };
  const claimFor = (name: string): ResourceClaim => ({
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaim',
    metadata: { name, namespace: 'default' },
    spec: { devices: { requests: [{ name: 'r', exactly: { deviceClassName: 'gpu' } }] } },
  });

  it('keeps the last view until the allocated state changes, then counts the new consumption', { timeout: 30_000 }, async () => {
    const { slices } = cluster();
    const engine = await Engine.create({ objects: [gpuClass, node('node-1'), node('node-2'), ...slices] });
    const np = engine.nodePools(node('node-1'));
    const first = engine.nodeView(np);
    expect(engine.nodeView(np)).toBe(first);
    const gi = 1024n ** 3n * 1000n;
    expect([...first.counters.avail]).toEqual([40n * gi]);
    // The first device in search order is a-plain's nic-0 (no counters); the second claim gets nic-1.
    const out = engine.allocateSync([claimFor('a')], { node: 'node-1' });
    expect(out.kind).toBe('allocated');
    if (out.kind !== 'allocated') return;
    expect(out.results[0].devices?.results?.[0].device).toBe('nic-0');
    engine.commit(claimFor('a'), out.results[0]);
    const afterNic = engine.nodeView(np);
    expect(afterNic).not.toBe(first); // the state changed: built again, same counters (a nic consumes none)
    expect([...afterNic.counters.avail]).toEqual([40n * gi]);
    // n1's whole GPU consumes all 40Gi
    engine.commit(claimFor('b'), { devices: { results: [{ request: 'r', driver: 'gpu.example.com', pool: 'n1', device: 'whole' }] } });
    expect([...engine.nodeView(np).counters.avail]).toEqual([0n]);
    engine.release(claimFor('b'));
    expect([...engine.nodeView(np).counters.avail]).toEqual([40n * gi]);
  });
});
