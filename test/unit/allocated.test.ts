/**
 * The allocated state kept per inventory slot: it must count exactly as upstream's state keyed
 * by device ID string — whatever slot or string a result is resolved through, for IDs several
 * slices repeat, for devices that come and go with their slices, and for shares.
 */
import { describe, expect, it } from 'vitest';
import { Inventory } from '../../src/compile/inventory.js';
import { AllocatedState, FLAG_AGGREGATED, FLAG_DEDICATED, FLAG_SHARED, SEVERAL } from '../../src/model/allocated.js';
import type { DeviceRequestAllocationResult, ResourceClaim, ResourceSlice } from '../../src/model/types.js';
import { dev, slice } from './objects.js';

const result = (pool: string, device: string, extra: Partial<DeviceRequestAllocationResult> = {}): DeviceRequestAllocationResult => ({
  request: 'r',
  driver: 'gpu.example.com',
  pool,
  device,
  ...extra,
});
const claim = (...results: DeviceRequestAllocationResult[]): ResourceClaim => ({
  apiVersion: 'resource.k8s.io/v1',
  kind: 'ResourceClaim',
  metadata: { name: 'c', namespace: 'ns' },
  spec: {},
  status: { allocation: { devices: { results } } },
});

/** An inventory and a state attached to it, changed the way the engine changes them. */
function setup(slices: ResourceSlice[]) {
  const inv = new Inventory(slices);
  const state = new AllocatedState();
  state.attach(inv);
  return {
    inv,
    state,
    add(s: ResourceSlice) {
      state.update(inv.addSlice(s, inv.size));
    },
    remove(s: ResourceSlice) {
      state.detach(inv.slotsOfSlice(s));
      state.update(inv.removeSlice(s));
    },
    flagsOf(id: string) {
      return inv.indicesOf(id).map((i) => state.flags[i]);
    },
  };
}

describe('AllocatedState', () => {
  it('finds a result by its names, and a device ID by its string, to the same slot', () => {
    const { inv, state, flagsOf } = setup([slice('s', [dev('gpu-0'), dev('gpu-1')], { poolName: 'rack/1' })]);
    expect(inv.slotOfDevice('gpu.example.com', 'rack/1', 'gpu-1')).toBe(1);
    expect(inv.slotOf('gpu.example.com/rack/1/gpu-1')).toBe(1);
    expect(inv.slotOfDevice('gpu.example.com', 'rack', '1/gpu-1')).toBe(-1);
    expect(inv.slotOfDevice('gpu.example.com', 'rack/1', 'gpu-9')).toBe(-1);
    const r = result('rack/1', 'gpu-1');
    state.apply(claim(r), false);
    expect(flagsOf('gpu.example.com/rack/1/gpu-1')).toEqual([FLAG_DEDICATED]);
    // An informer's copy (new strings) releases it.
    state.apply(claim(structuredClone(r)), false, -1);
    expect(flagsOf('gpu.example.com/rack/1/gpu-1')).toEqual([0]);
    expect(state.dedicated.size).toBe(0);
  });

  it('counts holders: a device two claims hold stays in use until both are released', () => {
    const { state, flagsOf } = setup([slice('s', [dev('gpu-0')])]);
    state.apply(claim(result('pool-1', 'gpu-0')), false);
    state.apply(claim(result('pool-1', 'gpu-0')), false);
    state.apply(claim(result('pool-1', 'gpu-0')), false, -1);
    expect(state.isDedicated('gpu.example.com/pool-1/gpu-0')).toBe(true);
    state.apply(claim(result('pool-1', 'gpu-0')), false, -1);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([0]);
    // Releasing what was never held leaves nothing negative behind.
    state.apply(claim(result('pool-1', 'gpu-0')), false, -1);
    state.apply(claim(result('pool-1', 'gpu-0')), false);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([FLAG_DEDICATED]);
  });

  it('marks every slot of an ID slices repeat', () => {
    const a = slice('a', [dev('gpu-0')]);
    const b = slice('b', [dev('gpu-0')]);
    const { inv, state, flagsOf } = setup([a, b]);
    expect(inv.repeated(0)).toBe(true);
    expect(inv.slotOfDevice('gpu.example.com', 'pool-1', 'gpu-0')).toBe(SEVERAL);
    state.apply(claim(result('pool-1', 'gpu-0')), false);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([FLAG_DEDICATED, FLAG_DEDICATED]);
    state.apply(claim(result('pool-1', 'gpu-0')), false, -1);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([0, 0]);
  });

  it('takes slots the caller knows (the placement kernel\'s picks) as found by name; a repeated ID still marks all its slots', () => {
    const a = slice('a', [dev('gpu-0'), dev('gpu-1')]);
    const b = slice('b', [dev('gpu-0')]);
    const { inv, state, flagsOf } = setup([a, b]);
    // Slots 0 and 2 hold gpu-0 (repeated), slot 1 gpu-1. An admin-access result counts for nothing but keeps its place.
    const admin = result('pool-1', 'gpu-1', { adminAccess: true });
    state.apply(claim(admin, result('pool-1', 'gpu-1'), result('pool-1', 'gpu-0')), false, 1, [1, 1, 0]);
    expect(flagsOf('gpu.example.com/pool-1/gpu-1')).toEqual([FLAG_DEDICATED]);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([FLAG_DEDICATED, FLAG_DEDICATED]);
    expect(inv.indicesOf('gpu.example.com/pool-1/gpu-0')).toEqual([0, 2]);
    // Released by name, as an informer's copy would be: nothing is left.
    state.apply(claim(admin, result('pool-1', 'gpu-1'), result('pool-1', 'gpu-0')), false, -1);
    expect([...state.flags.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect(state.dedicated.size).toBe(0);
  });

  it('keeps the state of a device whose slice goes, and gives it to the device of the slice that comes back', () => {
    const s = slice('s', [dev('gpu-0'), dev('gpu-1')]);
    const { inv, state, add, remove, flagsOf } = setup([s]);
    const held = result('pool-1', 'gpu-1');
    state.apply(claim(held), false);
    remove(s);
    expect([...state.dedicated]).toEqual(['gpu.example.com/pool-1/gpu-1']);
    expect(state.flags[1]).toBe(0);
    // Another pool's slice takes the freed slots: its devices are free.
    const other = slice('o', [dev('nic-0'), dev('nic-1')], { poolName: 'pool-2' });
    add(other);
    expect([...inv.slotsOfSlice(other)].map((i) => state.flags[i])).toEqual([0, 0]);
    // The device comes back (a new version of the slice): in use again, wherever its slot is.
    add(slice('s', [dev('gpu-0'), dev('gpu-1')]));
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([0]);
    expect(flagsOf('gpu.example.com/pool-1/gpu-1')).toEqual([FLAG_DEDICATED]);
    // Releasing it through the old result object finds its new slot.
    state.apply(claim(held), false, -1);
    expect(flagsOf('gpu.example.com/pool-1/gpu-1')).toEqual([0]);
    expect(state.dedicated.size).toBe(0);
  });

  it('keeps the state of a repeated ID on the slots that stay when one of its slices goes', () => {
    const a = slice('a', [dev('gpu-0')]);
    const b = slice('b', [dev('gpu-0')]);
    const { inv, state, add, remove, flagsOf } = setup([a, b]);
    state.apply(claim(result('pool-1', 'gpu-0')), false);
    remove(a);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([FLAG_DEDICATED]);
    expect(inv.repeated(inv.slotOf('gpu.example.com/pool-1/gpu-0'))).toBe(false);
    // A slice repeating it again takes the same state.
    add(slice('c', [dev('gpu-0')]));
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([FLAG_DEDICATED, FLAG_DEDICATED]);
    state.apply(claim(result('pool-1', 'gpu-0')), false, -1);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([0, 0]);
  });

  it('holds a device no slice has yet by its ID, and flags it when its slice arrives', () => {
    const { state, add, flagsOf } = setup([slice('s', [dev('gpu-0')])]);
    state.apply(claim(result('later', 'gpu-9')), false);
    expect(state.isDedicated('gpu.example.com/later/gpu-9')).toBe(true);
    add(slice('l', [dev('gpu-9')], { poolName: 'later' }));
    expect(flagsOf('gpu.example.com/later/gpu-9')).toEqual([FLAG_DEDICATED]);
  });

  it('aggregates shares per device: counts, reported consumption, flags', () => {
    const a = slice('a', [dev('nic-0')]);
    const b = slice('b', [dev('nic-0')]);
    const { state, flagsOf } = setup([a, b]);
    const id = 'gpu.example.com/pool-1/nic-0';
    state.apply(claim(result('pool-1', 'nic-0', { shareID: 'u1' })), true);
    expect(flagsOf(id)).toEqual([FLAG_SHARED, FLAG_SHARED]);
    state.apply(claim(result('pool-1', 'nic-0', { shareID: 'u2', consumedCapacity: { bw: '10G' } })), true);
    state.apply(claim(result('pool-1', 'nic-0', { shareID: 'u3', consumedCapacity: { bw: '5G' } })), true);
    expect(flagsOf(id)).toEqual([FLAG_SHARED | FLAG_AGGREGATED, FLAG_SHARED | FLAG_AGGREGATED]);
    expect(state.shares(id)).toBe(3);
    expect(state.consumed(id, 'bw').toString()).toBe('15G');
    expect([0, 1].map((i) => state.consumedAt(i, 'bw').toString())).toEqual(['15G', '15G']);
    state.apply(claim(result('pool-1', 'nic-0', { shareID: 'u2', consumedCapacity: { bw: '10G' } })), true, -1);
    state.apply(claim(result('pool-1', 'nic-0', { shareID: 'u3', consumedCapacity: { bw: '5G' } })), true, -1);
    expect(flagsOf(id)).toEqual([FLAG_SHARED, FLAG_SHARED]);
    expect(state.sharesAt(0)).toBe(1);
    // Without DRAConsumableCapacity a result with a shareID is a dedicated allocation.
    state.apply(claim(result('pool-1', 'nic-0', { shareID: 'u4' })), false);
    expect(flagsOf(id)).toEqual([FLAG_SHARED | FLAG_DEDICATED, FLAG_SHARED | FLAG_DEDICATED]);
    expect([...state.shared.keys()]).toEqual([id]);
  });

  it('adminAccess results do not count', () => {
    const { state, flagsOf } = setup([slice('s', [dev('gpu-0')])]);
    state.apply(claim(result('pool-1', 'gpu-0', { adminAccess: true })), false);
    expect(flagsOf('gpu.example.com/pool-1/gpu-0')).toEqual([0]);
  });

  it('moves what it held before attach into the slots of the inventory it attaches to', () => {
    const state = new AllocatedState();
    state.apply(claim(result('pool-1', 'gpu-1')), false);
    const inv = new Inventory([slice('s', [dev('gpu-0'), dev('gpu-1')])]);
    state.attach(inv);
    expect([state.flags[0], state.flags[1]]).toEqual([0, FLAG_DEDICATED]);
    // Attached to another inventory, the state follows the IDs.
    const moved = new Inventory([slice('t', [dev('gpu-1'), dev('gpu-0')])]);
    state.attach(moved);
    expect([state.flags[0], state.flags[1]]).toEqual([FLAG_DEDICATED, 0]);
  });
});
