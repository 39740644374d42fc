import { describe, expect, it } from 'vitest';
import { gatherPools } from '../../src/model/pools.js';
import { featuresFromGates, parseFeatureGates } from '../../src/features.js';
import { dev, node, slice } from './objects.js';

const features = featuresFromGates(parseFeatureGates(undefined));
const N1 = node('node-1');
const names = (xs: readonly { metadata?: { name?: string } }[]) => xs.map((s) => s.metadata?.name);

describe('gatherPools', () => {
  it('keeps only the highest generation of a pool', () => {
    const old = slice('old', [dev('a')], { generation: 1 });
    const cur = slice('cur', [dev('b')], { generation: 2 });
    const older = slice('older', [dev('c')], { generation: 0 });
    const [pool, ...rest] = gatherPools([old, cur, older], N1, features);
    expect(rest).toEqual([]);
    expect(pool.id).toBe('gpu.example.com/pool-1');
    expect(pool.generation).toBe(2);
    expect(names(pool.slices)).toEqual(['cur']);
    expect(pool.incomplete).toBe(false);
    expect(pool.invalid).toBeUndefined();
  });

  it('a pool with fewer slices than resourceSliceCount is incomplete', () => {
    const pools = gatherPools([slice('s1', [dev('a')], { count: 2 })], N1, features);
    expect(pools.map((p) => [p.id, p.incomplete])).toEqual([['gpu.example.com/pool-1', true]]);
  });

  it('slices of the pool on other nodes count towards completeness but are not the node\'s', () => {
    const here = slice('here', [dev('a')], { count: 2 });
    const there = slice('there', [dev('b')], { count: 2, nodeName: 'node-2' });
    const [pool] = gatherPools([here, there], N1, features);
    expect(pool.incomplete).toBe(false);
    expect(names(pool.slices)).toEqual(['here']);
    expect(names(pool.allSlices)).toEqual(['here', 'there']);
  });

  it('drops a pool whose newer generation exists elsewhere (obsolete)', () => {
    const mine = slice('mine', [dev('a')], { count: 2, generation: 1 });
    const newer = slice('newer', [dev('b')], { count: 2, generation: 2, nodeName: 'node-2' });
    const other = slice('other', [dev('x')], { poolName: 'pool-2' });
    expect(gatherPools([mine, newer, other], N1, features).map((p) => p.id)).toEqual(['gpu.example.com/pool-2']);
  });

  it('a node with one slice of its own (the short path) sees its pool valid, obsolete or invalid as the whole pool says', () => {
    const own = slice('own', [dev('gpu-0'), dev('gpu-1')]);
    const [pool, ...rest] = gatherPools([own], N1, features);
    expect(rest).toEqual([]);
    expect([pool.id, pool.generation, pool.incomplete, pool.invalid, names(pool.slices), names(pool.allSlices)]).toEqual([
      'gpu.example.com/pool-1', 1, false, undefined, ['own'], ['own'],
    ]);
    // A newer generation of the pool on another node makes the node's one slice obsolete.
    const newer = slice('newer', [dev('gpu-0')], { count: 2, generation: 2, nodeName: 'node-2' });
    expect(gatherPools([slice('mine', [dev('a')], { count: 2 }), newer], N1, features)).toEqual([]);
    // A name repeated inside the one slice makes the pool invalid.
    expect(gatherPools([slice('dup', [dev('gpu-0'), dev('gpu-0')])], N1, features)[0].invalid).toBe('duplicate device name gpu-0');
    // Another node's one slice is not this node's.
    expect(gatherPools([slice('far', [dev('a')], { nodeName: 'node-2' })], N1, features)).toEqual([]);
  });

  it('a device name that repeats within the pool makes it invalid', () => {
    const s1 = slice('s1', [dev('gpu-0'), dev('gpu-1')], { count: 2 });
    const s2 = slice('s2', [dev('gpu-0')], { count: 2 });
    const [pool] = gatherPools([s1, s2], N1, features);
    expect(pool.invalid).toBe('duplicate device name gpu-0');
  });

  it('sorts slices by name and pools by (driver, pool), pools with binding conditions last', () => {
    const b = slice('s-b', [dev('b')], { count: 2, poolName: 'p1' });
    const a = slice('s-a', [dev('a')], { count: 2, poolName: 'p1' });
    const bound = slice('bound', [dev('c', { bindingConditions: ['ready'] })], { poolName: 'a-pool' });
    const z = slice('z', [dev('d')], { poolName: 'p0', driver: 'z.example.com' });
    const pools = gatherPools([b, bound, z, a], N1, features);
    expect(pools.map((p) => p.id)).toEqual(['gpu.example.com/p1', 'z.example.com/p0', 'gpu.example.com/a-pool']);
    expect(pools.map((p) => p.hasBindingConditions)).toEqual([false, false, true]);
    expect(names(pools[0].slices)).toEqual(['s-a', 's-b']);
  });

  it('gathers only slices usable on the node', () => {
    const other = slice('other', [dev('a')], { nodeName: 'node-2', poolName: 'p-other' });
    const all = slice('all', [dev('b')], { allNodes: true, poolName: 'p-all' });
    const sel = { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] };
    const selected = slice('sel', [dev('c')], { nodeSelector: sel, poolName: 'p-sel' });
    const none = slice('none', [dev('d')], { nodeName: undefined, poolName: 'p-none', perDeviceNodeSelection: true });
    expect(gatherPools([other, all, selected, none], N1, features).map((p) => p.name)).toEqual(['p-all', 'p-sel']);
  });
});
