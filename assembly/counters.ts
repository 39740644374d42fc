// Shared counters (DRAPartitionableDevices) and consumable capacity (DRAConsumableCapacity).
// Both are exact i64 milli-unit arithmetic on "what is left" arrays that the search mutates
// and restores in LIFO order.

import {
  H_DEV_FLAGS, H_DEV_CNT_START, H_CNT_IDX, H_CNT_AMT, H_COUNTER_AVAIL, H_CAP_AVAIL,
  H_SLOT_CAPUSE_START, H_CAPUSE_IDX, H_CAPUSE_AMT, H_DEV_POOL_CNT_START, H_DEV_POOL_CNT_END,
  DEV_SHARED_BEFORE,
} from './layout';
import { i32At, i64At, setI64 } from './block';
import { State } from './state';

/**
 * Whether taking `d` now consumes its counters: a dedicated device always; a multi-allocatable
 * device only for its first share (its counters stay consumed while any share exists).
 */
export function usesCounters(s: State, d: i32, multi: bool): bool {
  const start = s.region(H_DEV_CNT_START);
  if (i32At(start, d) == i32At(start, d + 1)) return false;
  if (!multi) return true;
  if ((i32At(s.region(H_DEV_FLAGS), d) & DEV_SHARED_BEFORE) != 0) return false;
  return load<i32>(s.shares + (<usize>d << 2)) == 0;
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

export function takeCapacity(s: State, slot: i32, d: i32): void {
  moveCapacity(s, slot, d, -1);
}
export function returnCapacity(s: State, slot: i32, d: i32): void {
  moveCapacity(s, slot, d, 1);
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
