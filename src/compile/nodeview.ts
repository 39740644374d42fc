/**
 * The devices one node can use, in upstream's search order: pools as gatherPools sorts them,
 * slices by name, devices in slice order. Devices of incomplete and invalid pools are left out
 * (upstream never allocates from them). Also the pools' shared counters, as a flat array.
 */

import type { Device, Node, ResourceSlice } from '../model/types.js';
import { deviceServesNode, gatherPools, type Pool } from '../model/pools.js';
import type { Features } from '../features.js';
import type { Inventory } from './inventory.js';
import type { AllocatedState } from '../model/allocated.js';
import { FLAG_DEDICATED, FLAG_SHARED } from '../model/allocated.js';
import { parseQuantity } from '../model/quantity.js';

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
  /** The pools' shared counters at full capacity (nothing consumed). */
  capacity: CounterTable;
  /** Devices of those pools (on any node) that consume counters. */
  consumers: Consumer[];
  /**
   * Equal for two nodes whose pools, slices and devices look the same to the allocator apart
   * from names (device contents, pool and slice structure, per-device node selection, counter
   * layout): such nodes compile to the same problem for the same claims.
   */
  shape: string;
}

export interface NodeView extends NodePools {
  counters: CounterTable;
}

/** One device consuming counters: where its consumption goes, and how much (milli). */
interface Consumer {
  /** Inventory index (the allocated state's per-device flags say whether it is in use). */
  index: number;
  uses: [counter: number, amount: bigint][];
}

export function gatherNodePools(inv: Inventory, node: Node, features: Features): NodePools {
  const pools = gatherPools(inv.sliceIndex, node, features);
  const devices: NodeDevice[] = [];
  for (const pool of pools) {
    if (pool.incomplete || pool.invalid) continue;
    for (const s of pool.slices) {
      (s.spec.devices ?? []).forEach((d, k) => {
        const index = inv.indexAt(s, k);
        devices.push({ index, device: d, slice: s, pool, id: inv.ids[index] });
      });
    }
  }
  // The counter table's layout and capacity are static; what allocated devices consume is not.
  const counters: CounterTable = { avail: [], index: new Map(), poolRange: [] };
  const consumers: Consumer[] = [];
  pools.forEach((pool, p) => {
    const start = counters.avail.length;
    // A pool that gives this node no device (e.g. another node's counter slice, which upstream
    // gathers for every node) cannot constrain the allocation: its counters are left out.
    const hasDevices = pool.slices.some((s) => (s.spec.devices?.length ?? 0) > 0);
    if (!pool.incomplete && !pool.invalid && hasDevices) {
      for (const s of pool.allSlices) {
        for (const set of s.spec.sharedCounters ?? []) {
          for (const [name, c] of Object.entries(set.counters ?? {})) {
            counters.index.set(counterKey(p, set.name, name), counters.avail.length);
            counters.avail.push(parseQuantity(c.value).milli());
          }
        }
      }
      if (counters.avail.length > start) {
        for (const s of pool.allSlices) {
          (s.spec.devices ?? []).forEach((d, position) => {
            const uses: Consumer['uses'] = [];
            for (const c of d.consumesCounters ?? []) {
              for (const [name, v] of Object.entries(c.counters ?? {})) {
                const k = counters.index.get(counterKey(p, c.counterSet, name));
                if (k !== undefined) uses.push([k, parseQuantity(v.value).milli()]);
              }
            }
            if (uses.length) consumers.push({ index: inv.indexAt(s, position), uses });
          });
        }
      }
    }
    counters.poolRange.push([start, counters.avail.length]);
  });
  return { node, pools, devices, capacity: counters, consumers, shape: shapeOf(inv, node, pools, devices, counters) };
}

function shapeOf(inv: Inventory, node: Node, pools: Pool[], devices: NodeDevice[], counters: CounterTable): string {
  const parts: string[] = [];
  for (const pool of pools) parts.push(`p${pool.incomplete ? 'i' : ''}${pool.invalid ? 'x' : ''}${pool.slices.length}`);
  let slice: ResourceSlice | undefined;
  for (const nd of devices) {
    if (nd.slice !== slice) {
      slice = nd.slice;
      parts.push(`s${slice.spec.nodeName ? 'n' : ''}${slice.spec.perDeviceNodeSelection ? 'd' : ''}`);
    }
    const serves = slice.spec.perDeviceNodeSelection && deviceServesNode(slice, nd.device, node) ? '+' : '';
    parts.push(`${inv.contentId(nd.index)}${serves}`);
  }
  parts.push(`c${[...counters.index.keys()].join(',')}`);
  return parts.join(' ');
}

/** The node's pools with the counters left after the allocated state's consumption. */
export function buildNodeView(np: NodePools, allocated: AllocatedState): NodeView {
  if (np.consumers.length === 0) return { ...np, counters: np.capacity };
  const avail = [...np.capacity.avail];
  // What allocated devices of the pool (on any node) consume is not available.
  for (const c of np.consumers) {
    if (!(allocated.flags[c.index] & (FLAG_DEDICATED | FLAG_SHARED))) continue;
    for (const [k, amount] of c.uses) avail[k] -= amount;
  }
  return { ...np, counters: { ...np.capacity, avail } };
}

export function counterKey(pool: number, set: string, counter: string): string {
  return `${pool}\u0000${set}\u0000${counter}`;
}
