/**
 * The devices one node can use, in upstream's search order: pools as gatherPools sorts them,
 * slices by name, devices in slice order. Devices of incomplete and invalid pools are left out
 * (upstream never allocates from them). Also the pools' shared counters, as typed arrays.
 *
 * A node view is columns, not objects: the devices are inventory slots (`slots`, in search
 * order) with the index of their pool (`poolOf`); the device objects, slices and ID strings
 * stay in the inventory and are looked up (`nodeDevice`) only where a message or a result needs
 * them. This keeps a cached view at a few bytes per device (the engine holds one per node).
 */

import type { Device, Node, NodeSelector, ResourceSlice } from '../model/types.js';
import { deviceServesNode, gatherPools, type Pool } from '../model/pools.js';
import type { Features } from '../features.js';
import type { Inventory } from './inventory.js';
import type { AllocatedState } from '../model/allocated.js';
import { FLAG_DEDICATED, FLAG_SHARED } from '../model/allocated.js';
import { parseQuantity } from '../model/quantity.js';
import { compactSlots } from './iota.js';

/** One device of a node view as objects, made on demand (never kept in a view). */
export interface NodeDevice {
  /** Slot in the inventory. */
  index: number;
  /** Position in the view (device d). */
  at: number;
  device: Device;
  slice: ResourceSlice;
  pool: Pool;
  /** `driver/pool/device` (built on each read). */
  readonly id: string;
}

export interface CounterTable {
  /** Milli-units left of each counter after the allocated state's consumption. */
  avail: BigInt64Array;
  /** `(poolIndex, counterSet, counter)` → counter index. */
  index: Map<string, number>;
  /** Per pool p: its counters are `poolRange[2p] .. poolRange[2p+1]`. */
  poolRange: Int32Array;
}

/** What each device of a view consumes of which counter (CSR): device d's uses are `start[d] .. start[d+1]`. */
export interface CounterUses {
  start: Int32Array;
  /** Counter index (in the view's counter table) and amount (milli), in the order the device lists them. */
  counter: Int32Array;
  amount: BigInt64Array;
}

/** Devices (of the pools, on any node) that consume counters, CSR: what each takes of which counter. */
interface Consumers {
  /** Inventory slot of each consumer (the allocated state's flags say whether it is in use). */
  slot: Int32Array;
  /** Consumer i's uses are `start[i] .. start[i+1]` of `counter` and `amount` (milli). */
  start: Int32Array;
  counter: Int32Array;
  amount: BigInt64Array;
}

/**
 * What a node can use; depends only on the inventory (cache it per node and inventory), and
 * as such is also the node's view while nothing consumes its counters (`counters` is then
 * `capacity`).
 */
export interface NodePools {
  node: Node;
  inventory: Inventory;
  /**
   * The pools the allocator looks at: those that give the node devices, and the incomplete or
   * invalid ones (they make allocations fail). A pool the node sees only through another
   * node's counter slice cannot change an allocation here and is left out.
   */
  pools: Pool[];
  /** Inventory slots of the devices, in search order; device d is `slots[d]`. */
  slots: Int32Array;
  /** Index in `pools` of device d's pool. */
  poolOf: Int32Array;
  /** The pools' shared counters at full capacity (nothing consumed). */
  capacity: CounterTable;
  /** The counters left now: `capacity` in a NodePools, what buildNodeView computed in a view. */
  counters: CounterTable;
  consumers: Consumers;
  /** What the view's devices consume (what the search and the counters check take off). */
  uses: CounterUses;
  /**
   * Equal for two nodes whose pools, slices and devices look the same to the allocator apart
   * from names (device contents, pool and slice structure, per-device node selection, counter
   * layout): such nodes compile to the same problem for the same claims.
   */
  shape: string;
  /**
   * The node selector that pins a claim to this node (results/assemble.ts `pinnedTo`), kept
   * here at its first use: one read of the view instead of a lookup by Node object per result.
   */
  pinned?: NodeSelector;
}

/** A node's pools with `counters` the counters left after the allocated state's consumption. */
export type NodeView = NodePools;

/**
 * Arrays many views share instead of each holding its own (a typed array costs ~100 bytes
 * before its first element): the empty ones, and zeros of a length (read only, all of them).
 */
const EMPTY_I32 = new Int32Array(0);
const NO_CONSUMERS: Consumers = { slot: EMPTY_I32, start: EMPTY_I32, counter: EMPTY_I32, amount: new BigInt64Array(0) };
const zeroArrays = new Map<number, Int32Array>();
function zeros(n: number): Int32Array {
  let z = zeroArrays.get(n);
  if (z === undefined) {
    z = new Int32Array(n);
    if (n <= 1024) zeroArrays.set(n, z);
  }
  return z;
}
/** The counter table of `pools` pools without counters. */
const counterless = new Map<number, CounterTable>();
function noCounters(pools: number): CounterTable {
  let t = counterless.get(pools);
  if (t === undefined) {
    t = { avail: new BigInt64Array(0), index: new Map(), poolRange: zeros(2 * pools) };
    if (pools <= 512) counterless.set(pools, t);
  }
  return t;
}

/** The counter uses of `n` devices that consume no counters. */
const useless = new Map<number, CounterUses>();
function noUses(n: number): CounterUses {
  let u = useless.get(n);
  if (u === undefined) {
    u = { start: zeros(n + 1), counter: EMPTY_I32, amount: NO_CONSUMERS.amount };
    if (n <= 1024) useless.set(n, u);
  }
  return u;
}

export function gatherNodePools(inv: Inventory, node: Node, features: Features): NodePools {
  const gathered = gatherPools(inv.sliceIndex, node, features);
  // Copied to its length: an array grown by push keeps room for 16 (~130 bytes more).
  const pools = gathered.filter((p) => p.incomplete || p.invalid || p.slices.some((s) => (s.spec.devices?.length ?? 0) > 0)).slice();
  let n = 0;
  // The one slice that gives all devices, when there is one, and its pool.
  let only: Int32Array | undefined;
  let onlyPool = 0;
  pools.forEach((pool, p) => {
    if (pool.incomplete || pool.invalid) return;
    for (const s of pool.slices) {
      const k = s.spec.devices?.length ?? 0;
      if (k === 0) continue;
      only = n === 0 ? inv.slotsOfSlice(s) : undefined;
      onlyPool = p;
      n += k;
    }
  });
  const poolOf = pools.length > 1 ? new Int32Array(n) : zeros(n);
  let slots: Int32Array;
  if (only !== undefined) {
    slots = only; // its slot list as it is
    if (onlyPool > 0) poolOf.fill(onlyPool);
  } else {
    slots = new Int32Array(n);
    n = 0;
    pools.forEach((pool, p) => {
      if (pool.incomplete || pool.invalid) return;
      for (const s of pool.slices) {
        const own = inv.slotsOfSlice(s);
        slots.set(own, n);
        if (p > 0) poolOf.fill(p, n, n + own.length);
        n += own.length;
      }
    });
    slots = compactSlots(slots);
  }
  const { capacity, consumers } = counterTables(inv, pools);
  const uses = counterUses(inv, slots, poolOf, capacity);
  const shape = inv.canonical(shapeOf(inv, node, pools, slots, capacity));
  return { node, inventory: inv, pools, slots, poolOf, capacity, counters: capacity, consumers, uses, shape, pinned: undefined };
}

/** The devices' counter uses; counters their pool does not have are left out (an invalid pool has no devices here). */
function counterUses(inv: Inventory, slots: Int32Array, poolOf: Int32Array, table: CounterTable): CounterUses {
  if (table.avail.length === 0) return noUses(slots.length);
  const start = new Int32Array(slots.length + 1);
  const counter: number[] = [];
  const amount: bigint[] = [];
  for (let d = 0; d < slots.length; d++) {
    start[d] = counter.length;
    for (const c of inv.devices[slots[d]].consumesCounters ?? []) {
      for (const [name, v] of Object.entries(c.counters ?? {})) {
        const k = table.index.get(counterKey(poolOf[d], c.counterSet, name));
        if (k === undefined) continue;
        counter.push(k);
        amount.push(parseQuantity(v.value).milli());
      }
    }
  }
  start[slots.length] = counter.length;
  return { start, counter: Int32Array.from(counter), amount: BigInt64Array.from(amount) };
}

/** The counter table's layout and capacity (static), and who consumes what (the dynamic part's input). */
function counterTables(inv: Inventory, pools: readonly Pool[]): { capacity: CounterTable; consumers: Consumers } {
  // Most nodes' pools have no shared counters: nothing to lay out.
  if (!pools.some((pool) => !pool.incomplete && !pool.invalid && pool.allSlices.some((s) => (s.spec.sharedCounters?.length ?? 0) > 0))) {
    return { capacity: noCounters(pools.length), consumers: NO_CONSUMERS };
  }
  const avail: bigint[] = [];
  const index = new Map<string, number>();
  const poolRange = new Int32Array(2 * pools.length);
  const slot: number[] = [];
  const start: number[] = [];
  const counter: number[] = [];
  const amount: bigint[] = [];
  pools.forEach((pool, p) => {
    poolRange[2 * p] = avail.length;
    // Pools listed give the node devices unless incomplete or invalid, and those have no counters here.
    if (!pool.incomplete && !pool.invalid) {
      for (const s of pool.allSlices) {
        for (const set of s.spec.sharedCounters ?? []) {
          for (const [name, c] of Object.entries(set.counters ?? {})) {
            index.set(counterKey(p, set.name, name), avail.length);
            avail.push(parseQuantity(c.value).milli());
          }
        }
      }
      if (avail.length > poolRange[2 * p]) {
        for (const s of pool.allSlices) {
          const own = inv.slotsOfSlice(s);
          (s.spec.devices ?? []).forEach((d, position) => {
            const first = counter.length;
            for (const c of d.consumesCounters ?? []) {
              for (const [name, v] of Object.entries(c.counters ?? {})) {
                const k = index.get(counterKey(p, c.counterSet, name));
                if (k === undefined) continue;
                counter.push(k);
                amount.push(parseQuantity(v.value).milli());
              }
            }
            if (counter.length > first) {
              slot.push(own[position]);
              start.push(first);
            }
          });
        }
      }
    }
    poolRange[2 * p + 1] = avail.length;
  });
  if (avail.length === 0) return { capacity: noCounters(pools.length), consumers: NO_CONSUMERS };
  start.push(counter.length);
  return {
    capacity: { avail: BigInt64Array.from(avail), index, poolRange },
    consumers: { slot: Int32Array.from(slot), start: Int32Array.from(start), counter: Int32Array.from(counter), amount: BigInt64Array.from(amount) },
  };
}

/**
 * The node's shape (NodePools.shape) as a string of 16-bit codes, written without a number to
 * text conversion or a concatenation per device: per pool its flags and slice count, per run of
 * devices from one slice the slice's flags and the run's length, per device its content id and
 * whether it serves the node (per-device node selection), then the counter keys' text. Counts
 * come first, so the codes read back one way only: equal strings, equal shapes.
 */
function shapeOf(inv: Inventory, node: Node, pools: readonly Pool[], slots: Int32Array, counters: CounterTable): string {
  shape.length = 0;
  shape.put(pools.length);
  for (const pool of pools) {
    shape.put((pool.incomplete ? 1 : 0) | (pool.invalid ? 2 : 0));
    shape.put(pool.slices.length);
  }
  let slice: ResourceSlice | undefined;
  let run = -1; // where the current run's length goes
  let runStart = 0;
  for (let d = 0; d < slots.length; d++) {
    const i = slots[d];
    const s = inv.sliceOf[i];
    if (s !== slice) {
      if (run >= 0) shape.setLength(run, d - runStart);
      slice = s;
      shape.put((s.spec.nodeName ? 1 : 0) | (s.spec.perDeviceNodeSelection ? 2 : 0));
      run = shape.reserveLength();
      runStart = d;
    }
    const serves = s.spec.perDeviceNodeSelection && deviceServesNode(s, inv.devices[i], node) ? 1 : 0;
    shape.put(2 * inv.contentId(i) + serves);
  }
  if (run >= 0) shape.setLength(run, slots.length - runStart);
  const text = shape.text();
  return counters.index.size === 0 ? text : `${text}${[...counters.index.keys()].join(',')}`;
}

/** A string of 16-bit codes built up number by number (shapeOf's, reused from node to node). */
class Codes {
  private codes = new Uint16Array(256);
  length = 0;

  /** Appends `x` (0 ≤ x < 2^30): one code below 2^15, else two (the first with the top bit set). */
  put(x: number): void {
    if (this.length + 2 > this.codes.length) {
      const more = new Uint16Array(2 * this.codes.length);
      more.set(this.codes);
      this.codes = more;
    }
    if (x < 0x8000) this.codes[this.length++] = x;
    else {
      this.codes[this.length++] = 0x8000 | (x >>> 15);
      this.codes[this.length++] = x & 0x7fff;
    }
  }

  /** Room for a count written later (`setLength`), always two codes; returns where. */
  reserveLength(): number {
    this.put(0x8000); // two codes
    return this.length - 2;
  }

  setLength(at: number, n: number): void {
    this.codes[at] = 0x8000 | (n >>> 15);
    this.codes[at + 1] = n & 0x7fff;
  }

  text(): string {
    let out = '';
    for (let k = 0; k < this.length; k += 8192) out += String.fromCharCode.apply(null, this.codes.subarray(k, Math.min(this.length, k + 8192)) as unknown as number[]);
    return out;
  }
}
const shape = new Codes();

/** The node's pools with the counters left after the allocated state's consumption. */
export function buildNodeView(np: NodePools, allocated: AllocatedState): NodeView {
  const c = np.consumers;
  if (c.slot.length === 0) return np;
  const avail = np.capacity.avail.slice();
  const flags = allocated.flags;
  // What allocated devices of the pool (on any node) consume is not available.
  for (let i = 0; i < c.slot.length; i++) {
    if (!(flags[c.slot[i]] & (FLAG_DEDICATED | FLAG_SHARED))) continue;
    for (let u = c.start[i]; u < c.start[i + 1]; u++) avail[c.counter[u]] -= c.amount[u];
  }
  return { ...np, counters: { ...np.capacity, avail } };
}

/** Device d of a view, as objects (looked up in the inventory). */
export function nodeDevice(view: NodePools, d: number): NodeDevice {
  return new ViewDevice(view, d);
}

/**
 * One NodeDevice object that `moveTo` makes each device of a view in turn, for loops that judge
 * device after device and keep none (a new object per device would be garbage at once).
 */
export function nodeDeviceCursor(view: NodePools): NodeDevice & { moveTo(d: number): NodeDevice } {
  return new ViewDevice(view, 0);
}

/** A NodeDevice whose ID string is built only when read (most uses never need it). */
class ViewDevice implements NodeDevice {
  index!: number;
  device!: Device;
  slice!: ResourceSlice;
  pool!: Pool;
  at!: number;
  constructor(
    private readonly view: NodePools,
    at: number,
  ) {
    this.moveTo(at);
  }
  moveTo(at: number): this {
    const view = this.view;
    const index = (this.index = view.slots[at]);
    this.at = at;
    this.device = view.inventory.devices[index];
    this.slice = view.inventory.sliceOf[index];
    this.pool = view.pools[view.poolOf[at]];
    return this;
  }
  get id(): string {
    return this.view.inventory.idAt(this.index)!;
  }
}

/** Every device of a view as objects, in search order (for compiling, explaining, reporting). */
export function nodeDevices(view: NodePools): NodeDevice[] {
  const out: NodeDevice[] = new Array(view.slots.length);
  for (let d = 0; d < out.length; d++) out[d] = nodeDevice(view, d);
  return out;
}

export function counterKey(pool: number, set: string, counter: string): string {
  return `${pool}\u0000${set}\u0000${counter}`;
}
