import { describe, expect, it } from 'vitest';
import { Inventory } from '../../src/compile/inventory.js';
import { SEVERAL } from '../../src/model/allocated.js';
import { dev, slice } from './objects.js';

const s1 = slice('s1', [dev('gpu-0'), dev('gpu-1')], { poolName: 'pool-a' });
const s2 = slice('s2', [dev('nic-0')], { poolName: 'pool-b', driver: 'nic.example.com' });
const s3 = slice('s3', [dev('gpu-0')], { poolName: 'pool-b' });
const inv = new Inventory([s1, s2, s3]);

describe('Inventory', () => {
  it('indexes devices densely: slices in input order, devices in slice order', () => {
    expect(inv.size).toBe(4);
    expect([0, 1, 2, 3].map((i) => inv.idAt(i))).toEqual(['gpu.example.com/pool-a/gpu-0', 'gpu.example.com/pool-a/gpu-1', 'nic.example.com/pool-b/nic-0', 'gpu.example.com/pool-b/gpu-0']);
    expect(inv.devices.map((d) => d.name)).toEqual(['gpu-0', 'gpu-1', 'nic-0', 'gpu-0']);
    expect(inv.sliceOf).toEqual([s1, s1, s2, s3]);
    expect(inv.indexOf(s3.spec.devices![0])).toBe(3);
    expect(inv.indexOf(s1.spec.devices![1])).toBe(1);
  });

  it('driverId / poolId / nameId columns round-trip to names through strings', () => {
    const back = [0, 1, 2, 3].map((i) => [inv.strings.string(inv.driverId[i]), inv.strings.string(inv.poolId[i]), inv.strings.string(inv.nameId[i])]);
    expect(back).toEqual([
      ['gpu.example.com', 'gpu.example.com/pool-a', 'gpu-0'],
      ['gpu.example.com', 'gpu.example.com/pool-a', 'gpu-1'],
      ['nic.example.com', 'nic.example.com/pool-b', 'nic-0'],
      ['gpu.example.com', 'gpu.example.com/pool-b', 'gpu-0'],
    ]);
    // Equal strings share one id: both gpu-0 devices, and the gpu driver of rows 0, 1 and 3.
    expect(inv.nameId[0]).toBe(inv.nameId[3]);
    expect(inv.driverId[0]).toBe(inv.driverId[3]);
    // Same pool name under different drivers are different pools.
    expect(inv.poolId[2]).not.toBe(inv.poolId[3]);
  });

  it('finds slots by ID string, pool names with slashes included', () => {
    const a = slice('a', [dev('gpu-0'), dev('gpu-1')], { poolName: 'rack/1' });
    const b = slice('b', [dev('gpu-0')], { poolName: 'rack' });
    const again = slice('c', [dev('gpu-1')], { poolName: 'rack/1' });
    const byId = new Inventory([a, b, again]);
    expect(byId.slotOf('gpu.example.com/rack/1/gpu-0')).toBe(0);
    expect(byId.slotOf('gpu.example.com/rack/gpu-0')).toBe(2);
    expect(byId.idAt(2)).toBe('gpu.example.com/rack/gpu-0');
    // Two slices repeat gpu-1 of pool rack/1.
    expect(byId.slotOf('gpu.example.com/rack/1/gpu-1')).toBe(SEVERAL);
    expect(byId.indicesOf('gpu.example.com/rack/1/gpu-1')).toEqual([1, 3]);
    // Unknown pool, unknown device, a known name under another pool, no slash at all.
    for (const id of ['gpu.example.com/rack/2/gpu-0', 'gpu.example.com/rack/gpu-9', 'gpu.example.com/rack/gpu-1', 'gpu-0']) {
      expect(byId.slotOf(id)).toBe(-1);
      expect(byId.indicesOf(id)).toEqual([]);
    }
    byId.removeSlice(again);
    expect(byId.slotOf('gpu.example.com/rack/1/gpu-1')).toBe(1);
    expect(byId.idAt(3)).toBeUndefined();
    byId.removeSlice(b);
    expect(byId.slotOf('gpu.example.com/rack/gpu-0')).toBe(-1);
  });

  it('refuses a device object that is not part of it, even an equal one', () => {
    expect(() => inv.indexOf(dev('gpu-0'))).toThrow('device is not part of this inventory');
  });

  it('build() adds the same slots in steps of a few thousand devices', () => {
    const many = Array.from({ length: 100 }, (_, k) => slice(`m${k}`, Array.from({ length: 100 }, (_, d) => dev(`gpu-${d}`)), { poolName: `pool-${k}` }));
    const steps = Inventory.build(many, (_s, i) => i);
    let yields = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) yields++;
    const built = step.value;
    const whole = new Inventory(many);
    expect(yields).toBeGreaterThanOrEqual(2); // 10,000 devices
    expect(built.size).toBe(10_000);
    expect(Array.from({ length: built.size }, (_, i) => built.idAt(i))).toEqual(Array.from({ length: whole.size }, (_, i) => whole.idAt(i)));
  });

  it('counts the devices that allow multiple allocations as slices come and go', { timeout: 10_000 }, () => {
    const shared = (name: string) => ({ ...dev(name), allowMultipleAllocations: true });
    const a = slice('a', [shared('nic-0'), dev('gpu-0'), shared('nic-1')], { poolName: 'p-a' });
    const b = slice('b', [shared('nic-0'), { ...dev('nic-1'), allowMultipleAllocations: false }], { poolName: 'p-b' });
    const i = new Inventory([a]);
    expect(i.multiAllocatable).toBe(2);
    i.addSlice(b, 1);
    expect(i.multiAllocatable).toBe(3);
    i.removeSlice(a);
    expect(i.multiAllocatable).toBe(1);
    i.removeSlice(b);
    expect(i.multiAllocatable).toBe(0);
    expect(inv.multiAllocatable).toBe(0);
  });

  it('an empty input is an empty inventory', () => {
    const empty = new Inventory([slice('s', [])]);
    expect(empty.size).toBe(0);
    expect(empty.driverId.length).toBe(0);
  });
});
