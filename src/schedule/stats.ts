/**
 * What a schedule run used: devices in use, and utilisation per DeviceClass (devices the class
 * selects vs. those allocated) and per shared counter (capacity vs. consumed), computed from the
 * final claims — independent of how the scheduler got there.
 */

import type { Engine } from '../engine.js';
import type { ResourceClaim } from '../model/types.js';
import { deviceId } from '../model/allocated.js';
import { parseQuantity, Quantity } from '../model/quantity.js';

export interface Utilization {
  devicesUsed: number;
  byClass: Record<string, { devices: number; used: number; fraction: number }>;
  /** Per counter name: the Σ of its capacity over all counter sets and what allocated devices consume, as quantities (`40Gi`). */
  counters: Record<string, { capacity: string; consumed: string; fraction: number }>;
}

export function utilization(engine: Engine, claims: readonly ResourceClaim[]): Utilization {
  const { inventory, masks, classes } = engine.inspect();
  const used = new Set<string>();
  for (const c of claims) {
    for (const r of c.status?.allocation?.devices?.results ?? []) if (!r.adminAccess) used.add(deviceId(r.driver, r.pool, r.device));
  }
  // Per inventory index: 0 not live, 1 live and free, 2 live and in use (one id lookup per device, not one per class).
  const state = new Uint8Array(inventory.size);
  for (let i = 0; i < inventory.size; i++) if (inventory.live(i)) state[i] = used.has(inventory.idAt(i)!) ? 2 : 1;
  const byClass: Utilization['byClass'] = {};
  for (const [name, cls] of classes) {
    const expressions = (cls.spec?.selectors ?? []).map((s) => s.cel?.expression ?? '');
    let devices = 0;
    let inUse = 0;
    for (let i = 0; i < state.length; i++) {
      if (state[i] === 0 || !expressions.every((e) => masks.value(e, i) === true)) continue;
      devices++;
      if (state[i] === 2) inUse++;
    }
    byClass[name] = { devices, used: inUse, fraction: devices ? inUse / devices : 0 };
  }
  // Counters: Σ over counter sets of their capacity, and what used devices consume of them,
  // printed as Kubernetes prints quantities, in the format of the first counter of that name.
  const capacity = new Map<string, Quantity>();
  const consumed = new Map<string, bigint>();
  for (const s of inventory.slices) {
    for (const set of s.spec.sharedCounters ?? []) {
      for (const [name, c] of Object.entries(set.counters ?? {})) {
        const v = parseQuantity(c.value);
        const sum = capacity.get(name);
        capacity.set(name, sum ? sum.add(v) : v);
      }
    }
  }
  for (let i = 0; i < state.length; i++) {
    if (state[i] !== 2) continue;
    for (const c of inventory.devices[i].consumesCounters ?? []) {
      for (const [name, v] of Object.entries(c.counters ?? {})) consumed.set(name, (consumed.get(name) ?? 0n) + parseQuantity(v.value).nano);
    }
  }
  const counters: Utilization['counters'] = {};
  for (const [name, cap] of capacity) {
    const con = Quantity.fromNano(consumed.get(name) ?? 0n, cap.format);
    counters[name] = { capacity: cap.toString(), consumed: con.toString(), fraction: cap.sign() > 0 ? con.toNumber() / cap.toNumber() : 0 };
  }
  return { devicesUsed: used.size, byClass, counters };
}
