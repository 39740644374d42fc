/**
 * The devices one node can use, in upstream's search order: pools as gatherPools sorts them,
 * slices by name, devices in slice order. Devices of incomplete and invalid pools are left out
 * (upstream never allocates from them). Also the pools' shared counters, as a flat array.
 */

import type { Device, Node, ResourceSlice } from '../model/types.js';
import { gatherPools, type Pool } from '../model/pools.js';
import type { Features } from '../features.js';
import type { Inventory } from './inventory.js';
import type { AllocatedState } from '../model/allocated.js';
import { deviceId } from '../model/allocated.js';
import { q } from './capacity.js';

export interface NodeDevice {
  /** Index in the inventory. */
  index: number;
  device: Device;
  slice: ResourceSlice;
  pool: Pool;
  /** `driver/pool/device`. */
  id: string;
}

export interface CounterTable {
  /** Milli-units left of each counter after the allocated state's consumption. */
  avail: bigint[];
  /** `(poolIndex, counterSet, counter)` → counter index. */
  index: Map<string, number>;
  /** Per pool: first and end counter index. */
  poolRange: [number, number][];
}

/** What a node can use; depends only on the inventory (cache it per node and inventory). */
export interface NodePools {
  node: Node;
  pools: Pool[];
  devices: NodeDevice[];
}

export interface NodeView extends NodePools {
  counters: CounterTable;
}

export function gatherNodePools(inv: Inventory, node: Node, features: Features): NodePools {
  const pools = gatherPools(inv.slices, node, features);
  const devices: NodeDevice[] = [];
  for (const pool of pools) {
    if (pool.incomplete || pool.invalid) continue;
    for (const s of pool.slices) {
      for (const d of s.spec.devices ?? []) {
        devices.push({ index: inv.indexOf(d), device: d, slice: s, pool, id: deviceId(pool.driver, pool.name, d.name) });
      }
    }
  }
  return { node, pools, devices };
}

/** The node's pools with the counters left after the allocated state's consumption. */
export function buildNodeView(np: NodePools, allocated: AllocatedState): NodeView {
  const { pools } = np;
  const counters: CounterTable = { avail: [], index: new Map(), poolRange: [] };
  pools.forEach((pool, p) => {
    const start = counters.avail.length;
    if (!pool.incomplete && !pool.invalid) {
      for (const s of pool.allSlices) {
        for (const set of s.spec.sharedCounters ?? []) {
          for (const [name, c] of Object.entries(set.counters ?? {})) {
            counters.index.set(counterKey(p, set.name, name), counters.avail.length);
            counters.avail.push(q(c.value).milli());
          }
        }
      }
      // What allocated devices of the pool (on any node) consume is not available.
      for (const s of pool.allSlices) {
        for (const d of s.spec.devices ?? []) {
          const id = deviceId(pool.driver, pool.name, d.name);
          if (!allocated.isDedicated(id) && !allocated.hasShares(id)) continue;
          for (const c of d.consumesCounters ?? []) {
            for (const [name, v] of Object.entries(c.counters ?? {})) {
              const k = counters.index.get(counterKey(p, c.counterSet, name));
              if (k !== undefined) counters.avail[k] -= q(v.value).milli();
            }
          }
        }
      }
    }
    counters.poolRange.push([start, counters.avail.length]);
  });
  return { ...np, counters };
}

export function counterKey(pool: number, set: string, counter: string): string {
  return `${pool}\u0000${set}\u0000${counter}`;
}
