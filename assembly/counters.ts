// Shared counters (DRAPartitionableDevices) and consumable capacity (DRAConsumableCapacity).
// Both are exact i64 milli-unit arithmetic on "what is left" arrays that the search mutates
// and restores in LIFO order.
//
// Counter accounting (header word H_ACCOUNTING):
// - exact: a device's counters are taken when it is taken and given back when it is rejected
//   after all or when the search backtracks over it; a multi-allocatable device holds them while
//   it has any share.
// - upstream (v1.36's allocateDevice, the default): the counters are taken before the taint and
//   constraint checks and stay taken when those (or, for an All request, the capacity left)
//   reject the device; a share of a multi-allocatable device never gives them back on backtrack.
//   Whether a share takes them follows upstream's skipCounterCheck: not while the allocated
//   state's AggregatedCapacity or the solve's allocatingCapacity has an entry for the device.
//   The solve's entry (`held`) appears with a share and goes when a share is removed and the
//   shares left consume nothing — never for a device without capacities (upstream's rollback
//   removes nothing then). Consumed amounts are never negative, so "the shares left consume
//   nothing" is "no share left with a non-zero amount" (`nzShares`).

import {
  H_DEV_FLAGS, H_DEV_CNT_START, H_CNT_IDX, H_CNT_AMT, H_COUNTER_AVAIL, H_CAP_AVAIL,
  H_SLOT_CAPUSE_START, H_CAPUSE_IDX, H_CAPUSE_AMT, H_DEV_POOL_CNT_START, H_DEV_POOL_CNT_END,
  DEV_SHARED_BEFORE, DEV_AGGREGATED_BEFORE,
} from './layout';
import { i32At, i64At, setI64 } from './block';
import { State } from './state';

/** Whether the device consumes any counters at all. */
@inline export function hasCounters(s: State, d: i32): bool {
  const start = s.region(H_DEV_CNT_START);
  return i32At(start, d) != i32At(start, d + 1);
}

/**
 * Whether taking `d` now consumes its counters: a dedicated device always; a multi-allocatable
 * device only when no share holds them already (see the accounting rules above).
 */
export function usesCounters(s: State, d: i32, multi: bool): bool {
  if (!hasCounters(s, d)) return false;
  if (!multi) return true;
  const flags = i32At(s.region(H_DEV_FLAGS), d);
  if (s.exact) return (flags & DEV_SHARED_BEFORE) == 0 && load<i32>(s.shares + (<usize>d << 2)) == 0;
  return (flags & DEV_AGGREGATED_BEFORE) == 0 && load<i32>(s.held + (<usize>d << 2)) == 0;
}

/**
 * Subtracts the device's consumption; keeps it and returns true when no counter of the
 * device's pool is left negative (upstream checks every counter of the pool, so a pool that is
 * already over-allocated admits no further device), else restores and returns false.
 */
export function takeCounters(s: State, d: i32): bool {
  const avail = s.region(H_COUNTER_AVAIL);
  addCounters(s, d, -1);
  const lo = i32At(s.region(H_DEV_POOL_CNT_START), d);
  const hi = i32At(s.region(H_DEV_POOL_CNT_END), d);
  for (let c = lo; c < hi; c++) {
    if (i64At(avail, c) < 0) {
      addCounters(s, d, 1);
      return false;
    }
  }
  return true;
}

export function returnCounters(s: State, d: i32): void {
  addCounters(s, d, 1);
}

function addCounters(s: State, d: i32, sign: i64): void {
  const start = s.region(H_DEV_CNT_START);
  const idx = s.region(H_CNT_IDX);
  const amt = s.region(H_CNT_AMT);
  const avail = s.region(H_COUNTER_AVAIL);
  for (let p = i32At(start, d), e = i32At(start, d + 1); p < e; p++) {
    const c = i32At(idx, p);
    setI64(avail, c, i64At(avail, c) + sign * i64At(amt, p));
  }
}

@inline function capRange(s: State, slot: i32, d: i32): i64 {
  const start = s.region(H_SLOT_CAPUSE_START);
  const k = slot * s.nDev + d;
  return (<i64>i32At(start, k) << 32) | <i64>(<u32>i32At(start, k + 1));
}

/** Whether every capacity the slot would consume on `d` is still left. */
export function capacityFits(s: State, slot: i32, d: i32): bool {
  const r = capRange(s, slot, d);
  const idx = s.region(H_CAPUSE_IDX);
  const amt = s.region(H_CAPUSE_AMT);
  const avail = s.region(H_CAP_AVAIL);
  for (let p = <i32>(r >> 32), e = <i32>(r & 0xffffffff); p < e; p++) {
    if (i64At(avail, i32At(idx, p)) < i64At(amt, p)) return false;
  }
  return true;
}

/** Records one more share of multi-allocatable `d` for `slot`: its capacity and upstream's allocatingCapacity entry. */
export function takeShare(s: State, slot: i32, d: i32): void {
  moveCapacity(s, slot, d, -1);
  addAt(s.shares, d, 1);
  store<i32>(s.held + (<usize>d << 2), 1);
  if (consumesSome(s, slot, d)) addAt(s.nzShares, d, 1);
}

/** Undoes takeShare (LIFO). */
export function returnShare(s: State, slot: i32, d: i32): void {
  moveCapacity(s, slot, d, 1);
  addAt(s.shares, d, -1);
  if (consumesSome(s, slot, d)) addAt(s.nzShares, d, -1);
  const r = capRange(s, slot, d);
  const hasCapacities = <i32>(r >> 32) != <i32>(r & 0xffffffff);
  if (hasCapacities && load<i32>(s.nzShares + (<usize>d << 2)) == 0) store<i32>(s.held + (<usize>d << 2), 0);
}

@inline function addAt(base: usize, d: i32, delta: i32): void {
  const at = base + (<usize>d << 2);
  store<i32>(at, load<i32>(at) + delta);
}

/** Whether one share for `slot` consumes a non-zero amount of some capacity of `d`. */
function consumesSome(s: State, slot: i32, d: i32): bool {
  const r = capRange(s, slot, d);
  const amt = s.region(H_CAPUSE_AMT);
  for (let p = <i32>(r >> 32), e = <i32>(r & 0xffffffff); p < e; p++) if (i64At(amt, p) != 0) return true;
  return false;
}

function moveCapacity(s: State, slot: i32, d: i32, sign: i64): void {
  const r = capRange(s, slot, d);
  const idx = s.region(H_CAPUSE_IDX);
  const amt = s.region(H_CAPUSE_AMT);
  const avail = s.region(H_CAP_AVAIL);
  for (let p = <i32>(r >> 32), e = <i32>(r & 0xffffffff); p < e; p++) {
    const c = i32At(idx, p);
    setI64(avail, c, i64At(avail, c) + sign * i64At(amt, p));
  }
}
