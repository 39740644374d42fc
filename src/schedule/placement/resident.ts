/**
 * The placement kernel's resident cluster state, kept in the solver's memory (the arena of
 * SolverMemory.keep) for as long as the engine's nodes, slices and classes and the scheduler's
 * nodes are unchanged — built once, not per run:
 *
 * - the node table: per node its devices (inventory slots, in search order) and the global
 *   counter of each counter of its view (counters are global per pool: `driver/pool`, set and
 *   name, so a node sees what another node's allocation took from a shared pool);
 * - per inventory slot what it consumes of which global counter (CSR);
 * - the dynamic part, seeded from the engine's allocated state at the start of a run when that
 *   changed since the state was last mirrored: allocated flags per slot (RF_*), the counters
 *   left (capacity minus what dedicated or shared devices consume, as buildNodeView counts) and
 *   what the shares of multi-allocatable devices left of their capacities (capacity.ts);
 * - shape tables: per pod shape, per node the problem block of the shape's claims on the node
 *   (compiled and cached by the engine), SH.REJECTED when the node's checks reject such a Pod,
 *   SH.HOST when only the host can try it there.
 *
 * A layout change that touches only some nodes' own devices (slices named for a node, upserted
 * or deleted, without shared counters: Engine.layoutChangesSince) patches the tables of those
 * nodes in place — O(their devices × shape tables) — instead of building them anew (`patch`).
 * The layout that makes this possible: a node's devices are a *segment* of the slots region,
 * found by its start (NODE_SLOTS holds starts only; the kernel reads a segment's length from the
 * node's problem block), so segments need not be in node order nor adjacent: a node whose
 * segment grows gets a new one at the region's tail (`Room`); flags and useStart have room for
 * more slots. A change that does not fit, involves counters, or touches devices another node
 * sees too builds anew, and so does any change while the cluster has multi-allocatable devices
 * with DRAConsumableCapacity (their capacity entries are laid out per slot when built). A Node
 * object replaced by one of the same name (the same place in the list) is patched alike (its
 * devices, its node checks in every shape table). Patching keeps new problem blocks (a node of a
 * shape not seen before) in the arena: once they take more than the tables did when built (at
 * least PATCHED_BYTES), the next change builds anew, which reclaims the arena.
 */

import type { Engine } from '../../engine.js';
import type { Node, Pod, ResourceClaim } from '../../model/types.js';
import type { NodePools } from '../../compile/nodeview.js';
import type { Problem } from '../../compile/problem.js';
import type { SolverMemory } from '../../wasm/run.js';
import { deviceId, FLAG_DEDICATED, FLAG_SHARED, SEVERAL } from '../../model/allocated.js';
import { ADMIT, SH } from '../../wasm/layout.js';
import { nodeRejects } from '../node-filter.js';
import { ResidentCapacity } from './capacity.js';

/** A pod shape's table: where it is, and the host's side of it (the problems, for decoding). */
export interface ShapeTable {
  address: number;
  /** Some node holds a problem block: the kernel can place such a Pod somewhere (else it is the host's). */
  solvable: boolean;
  /** Per node: the problem whose block the table holds (undefined where it holds none). */
  problems: (Problem | undefined)[];
}

/** Addresses of the resident regions (layout.ts R_*). */
export interface ResidentRegions {
  flags: number;
  avail: number;
  nodeSlots: number;
  slots: number;
  nodeCnt: number;
  cntMap: number;
  useStart: number;
  useCnt: number;
  useAmt: number;
  nodeLocal: number;
  /** Consumable capacity (capacity.ts): where each slot's entries start, what is left of each. */
  capStart: number;
  capLeft: number;
}

/** A shape table and the Pod and claims it was built from (`patch` compiles their problem on a changed node). */
interface BuiltShape {
  table: ShapeTable;
  specs: string;
  pod: Pod;
  claims: readonly ResourceClaim[];
}

const cache = new WeakMap<Engine, ResidentCluster>();
/** Arena bytes patches may keep (problems for new node shapes) before a change builds the tables anew; more when the tables are larger. */
const PATCHED_BYTES = 1 << 20;

export class ResidentCluster {
  readonly regions: ResidentRegions;
  /** Per node: its pools and devices as the engine gathers them (undefined: the host must try it). */
  readonly pools: (NodePools | undefined)[];
  /** The allocated state's version the dynamic part mirrors (undefined: seed before the next run). */
  mirrors?: number;
  /** Shape tables and, to patch them, the Pod and claims each was built from. */
  private readonly built: BuiltShape[] = [];
  /** Shape tables by the claims' specs, then by what the node checks read of the Pod (two kept strings, no key built per Pod). */
  private readonly shapes = new Map<string, Map<string, ShapeTable>>();
  /** The last node list found to hold the same nodes. */
  private checkedNodes?: readonly Node[];
  private readonly epoch: number;
  private layoutVersion: number;
  /** Counters at full capacity, and the slots that consume any (seeding subtracts theirs). */
  private readonly capacity: BigInt64Array;
  private readonly consumers: Int32Array;
  private slotCount: number;
  /** What `patch` needs: room left in the regions, segment sizes, who sees what. */
  private readonly room: Room;
  /** The nodes' indices by name, made at the first patch (a Map of every node is O(cluster) per build; most engines never patch). Names never change: patch keeps them. */
  private nodeIndex?: Map<string, number>;
  /** Shareable capacities of multi-allocatable devices (R_CAP_START, R_CAP_LEFT). */
  private readonly shareable: ResidentCapacity;

  /** The engine's resident state for these nodes: the one kept since the last run when still valid, else a new one. */
  static of(engine: Engine, nodes: readonly Node[]): ResidentCluster {
    const kept = cache.get(engine);
    if (kept?.serves(nodes)) return kept;
    // The old tables (and problems compiled for the old layout) would stay in the arena until
    // the next reset: reclaim it rather than grow it per layout change.
    if (kept) engine.reclaimSolverMemory();
    const made = new ResidentCluster(engine, nodes);
    cache.set(engine, made);
    return made;
  }

  /** Whether the engine's kept tables serve these nodes now, valid or patched (else `of` builds them anew, O(cluster)). */
  static usable(engine: Engine, nodes: readonly Node[]): boolean {
    return cache.get(engine)?.serves(nodes) === true;
  }

  /** The engine's resident state when one is kept (valid or not), for checks. */
  static kept(engine: Engine): ResidentCluster | undefined {
    return cache.get(engine);
  }

  /** The nodes, in the scheduler's order (a Node replaced by a same-named one is patched in). */
  readonly nodes: Node[];
  /** Arena bytes the tables took when built, and the bytes patches kept since (problems for new node shapes): patch's bound on growth. */
  private readonly builtBytes: number;
  private patchedBytes = 0;

  private constructor(
    private readonly engine: Engine,
    nodes: readonly Node[],
  ) {
    this.nodes = [...nodes];
    const state = engine.inspect();
    const ctx = engine.placementContext;
    this.epoch = ctx.memory.epoch;
    this.layoutVersion = ctx.layoutVersion;
    this.slotCount = state.allocated.flags.length;
    this.pools = engine.heldNodePools(nodes);
    const table = nodeTable(this.pools, this.slotCount);
    this.room = roomFor(table, this.slotCount);
    this.capacity = table.capacity;
    this.consumers = table.consumers;
    this.shareable = new ResidentCapacity(state.inventory, this.room.slotCap, engine.features);
    this.regions = writeRegions(ctx.memory, table, this.room, this.shareable);
    this.builtBytes = ctx.memory.keptBytes;
  }

  /** Whether these tables serve `nodes` now: valid as they are, or once patched. */
  private serves(nodes: readonly Node[]): boolean {
    return this.validFor(nodes) || this.patch(nodes);
  }

  private validFor(nodes: readonly Node[]): boolean {
    const ctx = this.engine.placementContext;
    if (ctx.memory.epoch !== this.epoch || ctx.layoutVersion !== this.layoutVersion) return false;
    if (nodes === this.checkedNodes) return true;
    if (nodes.length !== this.nodes.length || !nodes.every((n, i) => n === this.nodes[i])) return false;
    this.checkedNodes = nodes; // the same list again (one scheduler's) needs no second look
    return true;
  }

  /** Makes the dynamic part mirror the engine's allocated state (when it does not already). */
  seed(): void {
    const allocated = this.engine.inspect().allocated;
    if (this.mirrors === allocated.version) return;
    const { flags, avail, start, cnt, amt, capLeft } = this.dynamic();
    flags.set(allocated.flags.subarray(0, this.slotCount));
    avail.set(this.capacity);
    for (const slot of this.consumers) {
      if (!(flags[slot] & (FLAG_DEDICATED | FLAG_SHARED))) continue;
      for (let u = start[slot]; u < start[slot + 1]; u++) avail[cnt[u]] -= amt[u];
    }
    this.shareable.seed(capLeft, allocated);
    this.mirrors = allocated.version;
  }

  /**
   * Brings the dynamic part up to date after the host committed `claims` (their devices' flags
   * and the counters those devices take), when it mirrored the allocated state before: O(their
   * devices) instead of seeding anew. `before` is the allocated state's version then.
   */
  follow(claims: readonly ResourceClaim[], before: number): void {
    const { allocated, inventory } = this.engine.inspect();
    if (this.mirrors !== before) return;
    const sync = this.slotSync();
    for (const c of claims) {
      for (const r of c.status?.allocation?.devices?.results ?? []) {
        const id = deviceId(r.driver, r.pool, r.device);
        const one = inventory.slotOf(id);
        if (one === SEVERAL) inventory.indicesOf(id).forEach(sync);
        else sync(one);
      }
    }
    this.mirrors = allocated.version;
  }

  /**
   * Views of the dynamic part (flags, counters left, capacity left) and of the slots' counter
   * uses, on the memory's buffer now (a compile may grow the memory: a new buffer).
   */
  private dynamic() {
    const buf = this.engine.placementContext.memory.wasm.memory.buffer;
    const start = new Int32Array(buf, this.regions.useStart, this.slotCount + 1);
    return {
      flags: new Uint8Array(buf, this.regions.flags, this.slotCount),
      avail: new BigInt64Array(buf, this.regions.avail, this.capacity.length),
      start,
      cnt: new Int32Array(buf, this.regions.useCnt, start[this.slotCount]),
      amt: new BigInt64Array(buf, this.regions.useAmt, start[this.slotCount]),
      capLeft: new BigInt64Array(buf, this.regions.capLeft, this.shareable.count),
    };
  }

  /** A function that makes one slot's flags those of the allocated state, and the counters its uses take and its capacity left follow. */
  private slotSync(): (slot: number) => void {
    const state = this.engine.inspect().allocated;
    const allocated = state.flags;
    const { flags, avail, start, cnt, amt, capLeft } = this.dynamic();
    return (slot: number) => {
      if (slot < 0 || slot >= this.slotCount) return;
      this.shareable.sync(capLeft, state, slot);
      const was = (flags[slot] & (FLAG_DEDICATED | FLAG_SHARED)) !== 0;
      flags[slot] = allocated[slot];
      const is = (flags[slot] & (FLAG_DEDICATED | FLAG_SHARED)) !== 0;
      if (was === is) return;
      for (let u = start[slot]; u < start[slot + 1]; u++) avail[cnt[u]] += is ? -amt[u] : amt[u];
    };
  }

  /**
   * The run area (descriptor, Pod list, records) of at least `bytes`, kept with the tables: every
   * PlacementRuns over them (one per Scheduler, and a live scheduler makes a new one after many
   * changes) shares it instead of keeping its own in the arena, which only a rebuild reclaims.
   * Runs do not overlap (the kernel's run is synchronous and decoded from a copy).
   */
  runArea(bytes: number): number {
    if (!this.area || this.area.bytes < bytes) this.area = { address: this.engine.placementContext.memory.keep(bytes), bytes };
    return this.area.address;
  }
  private area?: { address: number; bytes: number };

  /** Forgets the shape's summary verdicts (the state may have changed since they were made). */
  clearVerdicts(t: ShapeTable): void {
    const buf = this.engine.placementContext.memory.wasm.memory.buffer;
    new Uint8Array(buf, new Int32Array(buf, t.address, SH.BLOCKS)[SH.ADMIT], this.nodes.length).fill(ADMIT.UNKNOWN);
  }

  /**
   * Pack: writes the shape's keys (Σ over its requests of each node's free devices for the
   * request's first slot, `keys`) and the nodes ordered by them (ties by index) into its table.
   */
  rank(t: ShapeTable, keys: readonly number[]): void {
    const n = keys.length;
    const order = Int32Array.from(keys.keys()).sort((a, b) => keys[a] - keys[b] || a - b);
    const pos = new Int32Array(n);
    order.forEach((x, p) => (pos[x] = p));
    const buf = this.engine.placementContext.memory.wasm.memory.buffer;
    const words = new Int32Array(buf, t.address, SH.BLOCKS);
    new Float64Array(buf, words[SH.KEYS], n).set(keys);
    new Int32Array(buf, words[SH.ORDER], n).set(order);
    new Int32Array(buf, words[SH.POS], n).set(pos);
  }

  /**
   * The table of a pod shape (the claims' `specs` and `nodeSpec`, what the node checks read of
   * the Pod), built on first use from `pod` and its pending `claims`: the node checks per node,
   * and the problem of each node shape, compiled once.
   */
  shapeTable(specs: string, nodeSpec: string, pod: Pod, claims: readonly ResourceClaim[], maxScore: number): ShapeTable {
    let byNodeSpec = this.shapes.get(specs);
    if (!byNodeSpec) this.shapes.set(specs, (byNodeSpec = new Map()));
    let t = byNodeSpec.get(nodeSpec);
    if (t) return t;
    const n = this.nodes.length;
    const memory = this.engine.placementContext.memory;
    // One zeroed region holds pack's keys (first: 8-byte aligned), the table, then its other arrays.
    const keys = memory.keep(8 * n + 4 * (SH.BLOCKS + n) + 3 * 4 * n + n);
    const address = keys + 8 * n;
    const words = new Int32Array(n + SH.BLOCKS);
    words[SH.MAX_SCORE] = maxScore;
    words[SH.KEYS] = keys;
    words[SH.ORDER] = address + 4 * (SH.BLOCKS + n);
    words[SH.POS] = words[SH.ORDER] + 4 * n;
    words[SH.ALL_BLOCKS] = words[SH.POS] + 4 * n;
    words[SH.ADMIT] = words[SH.ALL_BLOCKS] + 4 * n;
    const allBlocks = new Int32Array(n);
    const problems: (Problem | undefined)[] = new Array(n);
    const byShape = new Map<string, { problem: Problem; base: number } | null>();
    for (let i = 0; i < n; i++) {
      const node = this.nodes[i];
      const np = this.pools[i];
      let found = np && byShape.get(np.shape);
      if (np && found === undefined) {
        const r = this.engine.residentProblem(node.metadata.name, claims, specs);
        found = r && kernelCanSolve(r.problem, np) ? { problem: r.problem, base: r.block.base } : null;
        byShape.set(np.shape, found);
      }
      allBlocks[i] = found ? found.base : 0;
      if (nodeRejects(pod, node) !== undefined) {
        words[SH.BLOCKS + i] = SH.REJECTED;
        continue;
      }
      words[SH.BLOCKS + i] = found ? found.base : SH.HOST;
      problems[i] = found ? found.problem : undefined;
    }
    // Written after compiling: a compile may grow the memory (a new buffer).
    new Int32Array(memory.wasm.memory.buffer, address, words.length).set(words);
    new Int32Array(memory.wasm.memory.buffer, words[SH.ALL_BLOCKS], n).set(allBlocks);
    t = { address, problems, solvable: problems.some((p) => p !== undefined) };
    byNodeSpec.set(nodeSpec, t);
    this.built.push({ table: t, specs, pod, claims });
    return t;
  }

  // --- Patching on a layout change (see the file's comment) ---

  /**
   * Brings the tables up to the engine's layout when only nodes' own slices (or same-named
   * Node objects) changed since they were built: per touched node its segment of devices, its
   * locality and its entry in every shape table; and when the dynamic part mirrored the
   * allocated state before these changes and nothing else moved it, the slots whose flags they
   * wrote (Engine.layoutChangesSince `slots`: their slices' old and new slots, other slots of a
   * repeated device name — not only the nodes' views), else it is seeded at the next run. False
   * (nothing to rely on: the caller builds anew) when a change may touch every node, the memory
   * was reset or grew too much, the cluster has multi-allocatable devices with
   * DRAConsumableCapacity (now, or with capacity entries when built), the nodes differ, or a
   * node's change does not fit (`patchNode`).
   */
  private patch(nodes: readonly Node[]): boolean {
    const ctx = this.engine.placementContext;
    if (ctx.memory.epoch !== this.epoch || this.patchedBytes > Math.max(PATCHED_BYTES, this.builtBytes) || nodes.length !== this.nodes.length) return false;
    const since = this.engine.layoutChangesSince(this.layoutVersion);
    if (since === 'all') return false;
    // Shared devices (consumable capacity) are not patched: their capacity entries are laid out
    // per slot when built (capacity.ts), so a cluster that has some builds anew.
    if (this.shareable.count > 0 || (this.engine.features.consumableCapacity && this.engine.inspect().inventory.multiAllocatable > 0)) return false;
    const synced = since.allocatedFrom !== undefined && this.mirrors === since.allocatedFrom;
    const patched = new Set<number>();
    for (let i = 0; i < nodes.length && nodes !== this.checkedNodes; i++) {
      if (nodes[i] === this.nodes[i]) continue;
      if (nodes[i].metadata.name !== this.nodes[i].metadata.name) return false;
      patched.add(i);
    }
    for (const name of since.nodes) {
      const i = (this.nodeIndex ??= new Map(this.nodes.map((node, k) => [node.metadata.name, k]))).get(name);
      if (i !== undefined) patched.add(i);
    }
    const slotCount = this.engine.inspect().allocated.flags.length;
    if (slotCount < this.slotCount || slotCount > this.room.slotCap) return false;
    this.slotCount = slotCount; // new slots consume nothing (useStart is flat past the built count)
    for (const i of patched) {
      this.nodes[i] = nodes[i];
      if (!this.patchNode(i)) return false;
    }
    const before = ctx.memory.keptBytes;
    for (const b of this.built) this.patchShape(b, patched);
    this.patchedBytes += ctx.memory.keptBytes - before;
    this.layoutVersion = ctx.layoutVersion;
    this.checkedNodes = nodes;
    if (synced) since.slots.forEach(this.slotSync());
    this.mirrors = synced ? this.engine.inspect().allocated.version : undefined;
    return true;
  }

  /**
   * Node i's devices from its pools now, into its segment (in place when it fits, else a new one
   * at the tail). Fails when the node has counters before or after (a pool with shared counters
   * touches every node's views anyway), a device of it consumes counters in the table (its slot
   * once held another device), its devices are another node's too (before or after), or the
   * slots region has no room.
   */
  private patchNode(i: number): boolean {
    const room = this.room;
    const np = this.engine.heldNodePools([this.nodes[i]])[0];
    if ((np?.capacity.avail.length ?? 0) > 0 || room.cntLen[i] > 0) return false;
    const buf = this.engine.placementContext.memory.wasm.memory.buffer;
    const useStart = new Int32Array(buf, this.regions.useStart, room.slotCap + 1);
    const newSlots = np?.slots ?? new Int32Array(0);
    if (newSlots.some((slot) => useStart[slot + 1] !== useStart[slot])) return false;
    const oldSlots = new Int32Array(buf, this.regions.slots + 4 * room.slotStart[i], room.slotLen[i]).slice();
    // Who sees what: the node's old devices leave, its new ones come; all must be its own alone.
    const counts = room.slotNodes;
    if (oldSlots.some((x) => counts[x] !== 1)) return false;
    for (const x of oldSlots) counts[x]--;
    for (const x of newSlots) counts[x]++;
    if (newSlots.some((x) => counts[x] !== 1)) return false;
    if (newSlots.length > room.slotSeg[i]) {
      if (room.slotTail + newSlots.length > room.slotTotal) return false;
      room.slotStart[i] = room.slotTail;
      room.slotSeg[i] = newSlots.length;
      room.slotTail += newSlots.length;
    }
    room.slotLen[i] = newSlots.length;
    new Int32Array(buf, this.regions.slots + 4 * room.slotStart[i], newSlots.length).set(newSlots);
    new Int32Array(buf, this.regions.nodeSlots, this.nodes.length)[i] = room.slotStart[i];
    new Uint8Array(buf, this.regions.nodeLocal, this.nodes.length)[i] = np ? 1 : 0;
    this.pools[i] = np;
    return true;
  }

  /** The shape table's entries for the patched nodes: node checks, then the problem block of the node's shape. */
  private patchShape(b: BuiltShape, patched: ReadonlySet<number>): void {
    const memory = this.engine.placementContext.memory;
    for (const i of patched) {
      const np = this.pools[i];
      const node = this.nodes[i];
      const r = np && this.engine.residentProblem(node.metadata.name, b.claims, b.specs);
      const found = r && kernelCanSolve(r.problem, np) ? r : undefined;
      // Views made after compiling: a compile may grow the memory (a new buffer).
      const words = new Int32Array(memory.wasm.memory.buffer, b.table.address, SH.BLOCKS + this.nodes.length);
      new Int32Array(memory.wasm.memory.buffer, words[SH.ALL_BLOCKS], this.nodes.length)[i] = found ? found.block.base : 0;
      const rejected = nodeRejects(b.pod, node) !== undefined;
      words[SH.BLOCKS + i] = rejected ? SH.REJECTED : found ? found.block.base : SH.HOST;
      b.table.problems[i] = rejected ? undefined : found?.problem;
      if (b.table.problems[i]) b.table.solvable = true;
    }
  }
}

/**
 * What `patch` keeps besides the regions: the slots' capacity with
 * room (flags and useStart are that long), per node its segment of the slots region (start,
 * length, size) and its counters' length, the segments' tail and the region's size, and per
 * slot how many segments hold it.
 *
 * Invariants: node i's devices are slots[slotStart[i] .. + slotLen[i]) in search order (what
 * NODE_SLOTS[i] points at); segments do not overlap and lie below slotTail ≤ slotTotal;
 * slotNodes counts the segments holding each slot; useStart is flat from the built slot count
 * to slotCap (slots added later consume nothing).
 */
interface Room {
  slotCap: number;
  slotStart: Int32Array;
  slotLen: Int32Array;
  slotSeg: Int32Array;
  cntLen: Int32Array;
  slotTail: number;
  slotTotal: number;
  slotNodes: Int32Array;
}

/** Room for growth: a quarter more, at least 1,024. */
const grown = (n: number) => n + Math.max(1024, n >> 2);

function roomFor(t: NodeTable, slotCount: number): Room {
  const n = t.nodeSlots.length - 1;
  const lengths = (starts: Int32Array) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = starts[i + 1] - starts[i];
    return out;
  };
  const slotCap = grown(slotCount);
  const slotNodes = new Int32Array(slotCap);
  slotNodes.set(t.slotNodes);
  return {
    slotCap,
    slotStart: t.nodeSlots.slice(0, n),
    slotLen: lengths(t.nodeSlots),
    slotSeg: lengths(t.nodeSlots),
    cntLen: lengths(t.nodeCnt),
    slotTail: t.nodeSlots[n],
    slotTotal: grown(t.nodeSlots[n]),
    slotNodes,
  };
}

/**
 * Whether the kernel's refresh and commit are all a search of the problem needs on that node:
 * the view's counter layout, and no device whose node selector decoding would reject (more than
 * one term: an allocation error). Multi-allocatable devices and their consumable capacity are
 * the resident state's too (capacity.ts).
 */
function kernelCanSolve(p: Problem, np: NodePools): boolean {
  if (p.counterAvail.length !== np.capacity.avail.length) return false;
  const terms = (sel: { nodeSelectorTerms?: unknown[] } | undefined) => (sel?.nodeSelectorTerms?.length ?? 0) > 1;
  return np.pools.every((pool) => pool.slices.every((s) => !terms(s.spec.nodeSelector) && !(s.spec.perDeviceNodeSelection && (s.spec.devices ?? []).some((d) => terms(d.nodeSelector)))));
}

interface NodeTable {
  nodeSlots: Int32Array;
  slots: Int32Array;
  nodeCnt: Int32Array;
  cntMap: Int32Array;
  capacity: BigInt64Array;
  useStart: Int32Array;
  useCnt: Int32Array;
  useAmt: BigInt64Array;
  consumers: Int32Array;
  /** Per node: 1 when none of its devices and counters is another node's too (an allocation there changes only its own counts). */
  nodeLocal: Uint8Array;
  /** Per slot: how many nodes see it. */
  slotNodes: Int32Array;
}

/** The node table, the global counters at capacity and each slot's consumption, from the nodes' pools. */
function nodeTable(pools: readonly (NodePools | undefined)[], slotCount: number): NodeTable {
  const n = pools.length;
  const nodeSlots = new Int32Array(n + 1);
  const nodeCnt = new Int32Array(n + 1);
  pools.forEach((np, i) => {
    nodeSlots[i + 1] = nodeSlots[i] + (np?.slots.length ?? 0);
    nodeCnt[i + 1] = nodeCnt[i] + (np?.capacity.avail.length ?? 0);
  });
  const slots = new Int32Array(nodeSlots[n]);
  const cntMap = new Int32Array(nodeCnt[n]);
  const global = new GlobalCounters();
  const capacity: bigint[] = [];
  // A consuming slot's uses are taken from the first node that sees its pool: that node + 1 and
  // the slot's index among the node's consumers.
  const ownerNode = new Int32Array(slotCount);
  const ownerAt = new Int32Array(slotCount);
  const useStart = new Int32Array(slotCount + 1);
  const consumers: number[] = [];
  pools.forEach((np, i) => {
    if (!np) return;
    slots.set(np.slots, nodeSlots[i]);
    if (np.capacity.avail.length > 0) global.number(np, cntMap.subarray(nodeCnt[i], nodeCnt[i + 1]), capacity);
    const con = np.consumers;
    for (let k = 0; k < con.slot.length; k++) {
      const slot = con.slot[k];
      if (slot >= slotCount || ownerNode[slot] !== 0) continue;
      ownerNode[slot] = i + 1;
      ownerAt[slot] = k;
      useStart[slot + 1] = con.start[k + 1] - con.start[k];
      consumers.push(slot);
    }
  });
  for (let s = 0; s < slotCount; s++) useStart[s + 1] += useStart[s];
  const slotNodes = new Int32Array(slotCount);
  const counterNodes = new Int32Array(capacity.length);
  for (const x of slots) if (x < slotCount) slotNodes[x]++;
  for (const g of cntMap) counterNodes[g]++;
  const nodeLocal = new Uint8Array(n);
  const own = (a: Int32Array, from: number, to: number, count: Int32Array) => {
    for (let k = from; k < to; k++) if (count[a[k]] !== 1) return false;
    return true;
  };
  for (let i = 0; i < n; i++) {
    if (pools[i] && own(slots, nodeSlots[i], nodeSlots[i + 1], slotNodes) && own(cntMap, nodeCnt[i], nodeCnt[i + 1], counterNodes)) nodeLocal[i] = 1;
  }
  const useCnt = new Int32Array(useStart[slotCount]);
  const useAmt = new BigInt64Array(useStart[slotCount]);
  for (const slot of consumers) {
    const i = ownerNode[slot] - 1;
    const con = pools[i]!.consumers;
    const k = ownerAt[slot];
    for (let x = con.start[k], u = useStart[slot]; x < con.start[k + 1]; x++, u++) {
      useCnt[u] = cntMap[nodeCnt[i] + con.counter[x]];
      useAmt[u] = con.amount[x];
    }
  }
  return { nodeSlots, slots, nodeCnt, cntMap, capacity: BigInt64Array.from(capacity), useStart, useCnt, useAmt, consumers: Int32Array.from(consumers), nodeLocal, slotNodes };
}

/**
 * Global counter numbers: one per counter (pool id, counter set, counter name) whatever node's
 * table lists it. A node's counters `c` are its table's index values (`key` = pool index in the
 * node's pools, set and name, NUL-separated; a repeated key keeps its last `c`, and a `c` no key
 * names stays 0 in the node's map). A pool id seen for the first time numbers its counters
 * without building a string per counter (most pools are one node's); a pool id seen again is
 * matched by set and name, through a map of its first node's keys made then.
 */
class GlobalCounters {
  /** Per pool id: the first node's pools and map, and the pool's index there; its counters by `\0set\0name` once a second node sees the pool. */
  private readonly pools = new Map<string, { np: NodePools; local: Int32Array; p: number; byName?: Map<string, number> }>();

  /** Writes node `np`'s global counter numbers into `local` (its counters' entries), adding new counters' capacity to `capacity`. */
  number(np: NodePools, local: Int32Array, capacity: bigint[]): void {
    const { index, avail, poolRange } = np.capacity;
    const named = new Uint8Array(avail.length);
    for (const c of index.values()) named[c] = 1;
    // Pools seen at an earlier node, by their index here (undefined: numbered now, by range).
    let again: (Map<string, number> | undefined)[] | undefined;
    for (let p = 0; p < np.pools.length; p++) {
      const from = poolRange[2 * p];
      const to = poolRange[2 * p + 1];
      if (from === to) continue;
      const id = np.pools[p].id;
      const first = this.pools.get(id);
      if (first === undefined) {
        this.pools.set(id, { np, local, p });
        for (let c = from; c < to; c++) {
          if (!named[c]) continue;
          local[c] = capacity.length;
          capacity.push(avail[c]);
        }
        continue;
      }
      (again ??= [])[p] = first.byName ??= namesOf(first.np, first.p, first.local);
    }
    if (!again) return;
    for (const [key, c] of index) {
      const sep = key.indexOf('\u0000');
      const byName = again[Number(key.slice(0, sep))];
      if (!byName) continue;
      const name = key.slice(sep);
      let g = byName.get(name);
      if (g === undefined) {
        g = capacity.length;
        byName.set(name, g);
        capacity.push(avail[c]);
      }
      local[c] = g;
    }
  }
}

/** The global numbers of pool `p`'s counters at node `np` (numbered in `local`), by `\0set\0name`. */
function namesOf(np: NodePools, p: number, local: Int32Array): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, c] of np.capacity.index) {
    const sep = key.indexOf('\u0000');
    if (Number(key.slice(0, sep)) === p) out.set(key.slice(sep), local[c]);
  }
  return out;
}

/** Reserves the resident regions in the solver's memory, with the room `room` says, and writes the static ones. */
function writeRegions(memory: SolverMemory, t: NodeTable, room: Room, shareable: ResidentCapacity): ResidentRegions {
  const keep = (bytes: number) => memory.keep(Math.max(8, bytes));
  const regions: ResidentRegions = {
    flags: keep(room.slotCap),
    avail: keep(8 * t.capacity.length),
    nodeSlots: keep(4 * t.nodeSlots.length),
    slots: keep(4 * room.slotTotal),
    nodeCnt: keep(4 * t.nodeCnt.length),
    cntMap: keep(4 * t.cntMap.length),
    useStart: keep(4 * (room.slotCap + 1)),
    useCnt: keep(4 * t.useCnt.length),
    useAmt: keep(8 * t.useAmt.length),
    nodeLocal: keep(t.nodeLocal.length),
    capStart: keep(4 * shareable.start.length),
    capLeft: keep(8 * shareable.count),
  };
  const buf = memory.wasm.memory.buffer;
  const i32 = (at: number, a: Int32Array) => new Int32Array(buf, at, a.length).set(a);
  i32(regions.nodeSlots, t.nodeSlots);
  i32(regions.slots, t.slots);
  i32(regions.nodeCnt, t.nodeCnt);
  i32(regions.cntMap, t.cntMap);
  i32(regions.useStart, t.useStart);
  new Int32Array(buf, regions.useStart, room.slotCap + 1).fill(t.useStart[t.useStart.length - 1], t.useStart.length);
  i32(regions.useCnt, t.useCnt);
  new BigInt64Array(buf, regions.useAmt, t.useAmt.length).set(t.useAmt);
  new Uint8Array(buf, regions.nodeLocal, t.nodeLocal.length).set(t.nodeLocal);
  i32(regions.capStart, shareable.start);
  return regions;
}
