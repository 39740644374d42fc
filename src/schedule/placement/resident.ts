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
 *   changed since the state was last mirrored: allocated flags per slot (RF_*) and the counters
 *   left (capacity minus what dedicated or shared devices consume, as buildNodeView counts);
 * - shape tables: per pod shape, per node the problem block of the shape's claims on the node
 *   (compiled and cached by the engine), SH.REJECTED when the node's checks reject such a Pod,
 *   SH.HOST when only the host can try it there.
 *
 * A layout change that touches only some nodes' own devices (slices named for a node, upserted
 * or deleted: Engine.layoutChangesSince) patches the tables of those nodes in place — O(their
 * devices × shape tables) — instead of building them anew (`patch`). The layout that makes this
 * possible: a node's devices and counters are a *segment* of the slots and counter-map regions,
 * found by its start (NODE_SLOTS / NODE_CNT hold starts only; the kernel reads a segment's
 * length from the node's problem block), so segments need not be in node order nor adjacent: a
 * node whose segment grows gets a new one at the regions' tail (`Room`). Every region has room
 * for more slots, counters and segments; a change that does not fit, gives a slot a different
 * number of counter uses than it had, or touches what another node sees too, builds anew. A
 * Node object replaced by one of the same name (the same place in the list) is patched alike
 * (its devices, its node checks in every shape table). Patching keeps new problem blocks (a node
 * of a shape not seen before) in the arena: once it holds twice what it held after the build,
 * the next change builds anew, which reclaims the arena.
 */

import type { Engine } from '../../engine.js';
import type { Node, Pod, ResourceClaim } from '../../model/types.js';
import type { NodePools } from '../../compile/nodeview.js';
import type { Problem } from '../../compile/problem.js';
import type { SolverMemory } from '../../wasm/run.js';
import { AllocationError } from '../../outcome.js';
import { deviceId, FLAG_DEDICATED, FLAG_SHARED, SEVERAL } from '../../model/allocated.js';
import { ADMIT, SH } from '../../wasm/layout.js';
import { nodeRejects } from '../node-filter.js';

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
}

/** A shape table and the Pod and claims it was built from (`patch` compiles their problem on a changed node). */
interface BuiltShape {
  table: ShapeTable;
  specs: string;
  pod: Pod;
  claims: readonly ResourceClaim[];
}

const cache = new WeakMap<Engine, ResidentCluster>();

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
  /** Counters at full capacity (room included), and the slots that consume any (seeding subtracts theirs). */
  private readonly capacity: BigInt64Array;
  private readonly consumers: Int32Array;
  private slotCount: number;
  /** What `patch` needs: room left in the regions, segment sizes, who sees what. */
  private readonly room: Room;

  /** The engine's resident state for these nodes: the one kept since the last run when still valid, else a new one. */
  static of(engine: Engine, nodes: readonly Node[]): ResidentCluster {
    const kept = cache.get(engine);
    if (kept?.validFor(engine, nodes) || kept?.patch(nodes)) return kept;
    // The old tables (and problems compiled for the old layout) would stay in the arena until
    // the next reset: reclaim it rather than grow it per layout change.
    if (kept) engine.reclaimSolverMemory();
    const made = new ResidentCluster(engine, nodes);
    cache.set(engine, made);
    return made;
  }

  /** The engine's resident state when one is kept (valid or not), for checks. */
  static kept(engine: Engine): ResidentCluster | undefined {
    return cache.get(engine);
  }

  /** The nodes, in the scheduler's order (a Node replaced by a same-named one is patched in). */
  readonly nodes: Node[];
  /** Arena bytes in use right after the build (patch's bound on growth). */
  private readonly builtBytes: number;

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
    this.pools = nodes.map((n) => this.poolsOf(n.metadata.name));
    const table = nodeTable(this.pools, this.slotCount);
    this.room = roomFor(table, this.slotCount, nodes);
    this.capacity = new BigInt64Array(this.room.counterCap);
    this.capacity.set(table.capacity);
    this.consumers = table.consumers;
    this.regions = writeRegions(ctx.memory, table, this.room);
    this.builtBytes = ctx.memory.keptBytes;
  }

  /** The node's pools as the engine gathers them now (undefined: the host must try it). */
  private poolsOf(name: string): NodePools | undefined {
    const held = this.engine.inspect().nodes.get(name);
    try {
      return held && this.engine.nodePools(held);
    } catch (e) {
      if (e instanceof AllocationError) return undefined;
      throw e;
    }
  }

  private validFor(engine: Engine, nodes: readonly Node[]): boolean {
    const ctx = engine.placementContext;
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
    const buf = this.engine.placementContext.memory.wasm.memory.buffer;
    const flags = new Uint8Array(buf, this.regions.flags, this.slotCount);
    flags.set(allocated.flags.subarray(0, this.slotCount));
    const avail = new BigInt64Array(buf, this.regions.avail, this.capacity.length);
    avail.set(this.capacity);
    const start = new Int32Array(buf, this.regions.useStart, this.slotCount + 1);
    const cnt = new Int32Array(buf, this.regions.useCnt, start[this.slotCount]);
    const amt = new BigInt64Array(buf, this.regions.useAmt, start[this.slotCount]);
    for (const slot of this.consumers) {
      if (!(flags[slot] & (FLAG_DEDICATED | FLAG_SHARED))) continue;
      for (let u = start[slot]; u < start[slot + 1]; u++) avail[cnt[u]] -= amt[u];
    }
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
    const buf = this.engine.placementContext.memory.wasm.memory.buffer;
    const flags = new Uint8Array(buf, this.regions.flags, this.slotCount);
    const start = new Int32Array(buf, this.regions.useStart, this.slotCount + 1);
    const cnt = new Int32Array(buf, this.regions.useCnt, start[this.slotCount]);
    const amt = new BigInt64Array(buf, this.regions.useAmt, start[this.slotCount]);
    const avail = new BigInt64Array(buf, this.regions.avail, this.capacity.length);
    const sync = (slot: number) => {
      if (slot < 0 || slot >= this.slotCount) return;
      const was = (flags[slot] & (FLAG_DEDICATED | FLAG_SHARED)) !== 0;
      flags[slot] = allocated.flags[slot];
      const is = (flags[slot] & (FLAG_DEDICATED | FLAG_SHARED)) !== 0;
      if (was === is) return;
      for (let u = start[slot]; u < start[slot + 1]; u++) avail[cnt[u]] += is ? -amt[u] : amt[u];
    };
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
    const address = memory.keep(4 * (SH.BLOCKS + n));
    const words = new Int32Array(n + SH.BLOCKS);
    words[SH.MAX_SCORE] = maxScore;
    words[SH.KEYS] = memory.keep(8 * n);
    words[SH.ORDER] = memory.keep(4 * n);
    words[SH.POS] = memory.keep(4 * n);
    words[SH.ALL_BLOCKS] = memory.keep(4 * n);
    words[SH.ADMIT] = memory.keep(n);
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
   * Brings the tables up to the engine's layout when only nodes' own slices changed since they
   * were built: per touched node its segment of slots and counters, the counters' capacities,
   * its devices' counter uses, its locality and its entry in every shape table. False (nothing
   * to rely on: the caller builds anew) when a change may touch every node, the memory was
   * reset, the nodes differ, or a node's change does not fit (see `patchNode`).
   */
  private patch(nodes: readonly Node[]): boolean {
    const ctx = this.engine.placementContext;
    if (ctx.memory.epoch !== this.epoch || ctx.memory.keptBytes > 2 * this.builtBytes || nodes.length !== this.nodes.length) return false;
    const touched = this.engine.layoutChangesSince(this.layoutVersion);
    if (touched === 'all') return false;
    const patched = new Set<number>();
    for (let i = 0; i < nodes.length && nodes !== this.checkedNodes; i++) {
      if (nodes[i] === this.nodes[i]) continue;
      if (nodes[i].metadata.name !== this.nodes[i].metadata.name) return false;
      patched.add(i);
    }
    for (const name of touched) {
      const i = this.room.index.get(name);
      if (i !== undefined) patched.add(i);
    }
    const slotCount = this.engine.inspect().allocated.flags.length;
    if (slotCount < this.slotCount || slotCount > this.room.slotCap) return false;
    this.slotCount = slotCount; // new slots have no counter uses yet (useStart is flat past the old count)
    for (const i of patched) {
      this.nodes[i] = nodes[i];
      if (!this.patchNode(i)) return false;
    }
    for (const b of this.built) this.patchShape(b, patched);
    this.layoutVersion = ctx.layoutVersion;
    this.checkedNodes = nodes;
    this.mirrors = undefined; // flags and counters left: seeded again at the next run
    return true;
  }

  /**
   * Node i's tables from its pools now. Fails when its devices or counters are seen by another
   * node too (before or after: their locality and counts would change), a device's number of
   * counter uses differs from its slot's in the table, or the regions have no room left.
   */
  private patchNode(i: number): boolean {
    const room = this.room;
    const np = this.poolsOf(this.nodes[i].metadata.name);
    const buf = () => this.engine.placementContext.memory.wasm.memory.buffer;
    const i32 = (at: number, len: number) => new Int32Array(buf(), at, len);
    const useStart = i32(this.regions.useStart, room.slotCap + 1);
    const newSlots = np?.slots ?? new Int32Array(0);
    // Uses per slot of the node's devices now: a consuming device's, else none.
    const uses = new Map<number, number>();
    const con = np?.consumers;
    if (con) for (let k = 0; k < con.slot.length; k++) uses.set(con.slot[k], k);
    for (const slot of newSlots) {
      const k = uses.get(slot);
      const want = k === undefined ? 0 : con!.start[k + 1] - con!.start[k];
      if (useStart[slot + 1] - useStart[slot] !== want) return false;
    }
    // Counters: the node's local counters → global ones (new ones take room).
    const nCnt = np?.capacity.avail.length ?? 0;
    const map = new Int32Array(nCnt);
    for (const [key, c] of np?.capacity.index ?? []) {
      const g = room.global.get(counterId(np!, key)) ?? room.counters;
      if (g === room.counters) {
        if (g >= room.counterCap) return false;
        room.global.set(counterId(np!, key), g);
        room.counters++;
      }
      map[c] = g;
      this.capacity[g] = np!.capacity.avail[c];
    }
    // Who sees what: the node's old devices and counters leave, its new ones come.
    const oldMap = i32(this.regions.cntMap + 4 * room.cntStart[i], room.cntLen[i]).slice();
    const oldSlots = i32(this.regions.slots + 4 * room.slotStart[i], room.slotLen[i]).slice();
    const ownAll = (a: Int32Array, counts: Int32Array, delta: number) => {
      let own = true;
      for (const x of a) own = (counts[x] += delta) <= 1 && own;
      return own;
    };
    const wasOwn = oldSlots.every((x) => room.slotNodes[x] === 1) && oldMap.every((g) => room.counterNodes[g] === 1);
    ownAll(oldSlots, room.slotNodes, -1);
    ownAll(oldMap, room.counterNodes, -1);
    const own = ownAll(newSlots, room.slotNodes, 1) && ownAll(map, room.counterNodes, 1);
    if (!wasOwn || !own) return false;
    // Segments: in place when they fit, else new ones at the tail.
    const at = (start: Int32Array, len: Int32Array, cap: Int32Array, tail: 'slotTail' | 'cntTail', total: number, n: number): number => {
      if (n > cap[i]) {
        if (room[tail] + n > total) return -1;
        start[i] = room[tail];
        cap[i] = n;
        room[tail] += n;
      }
      len[i] = n;
      return start[i];
    };
    const s0 = at(room.slotStart, room.slotLen, room.slotSeg, 'slotTail', room.slotTotal, newSlots.length);
    const c0 = at(room.cntStart, room.cntLen, room.cntSeg, 'cntTail', room.cntTotal, nCnt);
    if (s0 < 0 || c0 < 0) return false;
    i32(this.regions.slots + 4 * s0, newSlots.length).set(newSlots);
    i32(this.regions.cntMap + 4 * c0, nCnt).set(map);
    i32(this.regions.nodeSlots, this.nodes.length)[i] = s0;
    i32(this.regions.nodeCnt, this.nodes.length)[i] = c0;
    // Uses: the same number per slot (checked above), now through the node's counter map.
    if (con) {
      const useCnt = i32(this.regions.useCnt, useStart[room.slotCap]);
      const useAmt = new BigInt64Array(buf(), this.regions.useAmt, useStart[room.slotCap]);
      for (let k = 0; k < con.slot.length; k++) {
        for (let x = con.start[k], u = useStart[con.slot[k]]; x < con.start[k + 1]; x++, u++) {
          useCnt[u] = map[con.counter[x]];
          useAmt[u] = con.amount[x];
        }
      }
    }
    new Uint8Array(buf(), this.regions.nodeLocal, this.nodes.length)[i] = np ? 1 : 0;
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

/** A pool counter's global id: `driver/pool`, counter set and name (counters are global per pool). */
function counterId(np: NodePools, key: string): string {
  const sep = key.indexOf('\u0000');
  return `${np.pools[Number(key.slice(0, sep))].id}${key.slice(sep)}`;
}

/**
 * What `patch` keeps besides the regions: the regions' sizes with room (slots, counters,
 * segment space), each node's segments (start, length, capacity), the global counters by id,
 * and per slot and counter the number of nodes that see it.
 *
 * Invariants: node i's devices are slots[slotStart[i] .. + slotLen[i]) (in search order), its
 * counters cntMap[cntStart[i] .. + cntLen[i]); segments do not overlap and lie below the tails;
 * slotNodes / counterNodes count the segments holding each slot / counter; useStart is flat
 * from the table's first slot count to slotCap (slots added later consume nothing).
 */
interface Room {
  index: Map<string, number>;
  slotCap: number;
  counterCap: number;
  counters: number;
  global: Map<string, number>;
  slotStart: Int32Array;
  slotLen: Int32Array;
  slotSeg: Int32Array;
  slotTail: number;
  slotTotal: number;
  cntStart: Int32Array;
  cntLen: Int32Array;
  cntSeg: Int32Array;
  cntTail: number;
  cntTotal: number;
  slotNodes: Int32Array;
  counterNodes: Int32Array;
}

/** Room for growth: a quarter more, at least `min`. */
const grown = (n: number, min: number) => n + Math.max(min, n >> 2);

function roomFor(t: NodeTable, slotCount: number, nodes: readonly Node[]): Room {
  const n = nodes.length;
  const lengths = (starts: Int32Array) => Int32Array.from({ length: n }, (_, i) => starts[i + 1] - starts[i]);
  const slotCap = grown(slotCount, 1024);
  const counterCap = grown(t.capacity.length, 256);
  const slotNodes = new Int32Array(slotCap);
  slotNodes.set(t.slotNodes);
  const counterNodes = new Int32Array(counterCap);
  counterNodes.set(t.counterNodes);
  return {
    index: new Map(nodes.map((node, i) => [node.metadata.name, i])),
    slotCap,
    counterCap,
    counters: t.capacity.length,
    global: t.global,
    slotStart: t.nodeSlots.slice(0, n),
    slotLen: lengths(t.nodeSlots),
    slotSeg: lengths(t.nodeSlots),
    slotTail: t.nodeSlots[n],
    slotTotal: grown(t.nodeSlots[n], 1024),
    cntStart: t.nodeCnt.slice(0, n),
    cntLen: lengths(t.nodeCnt),
    cntSeg: lengths(t.nodeCnt),
    cntTail: t.nodeCnt[n],
    cntTotal: grown(t.nodeCnt[n], 256),
    slotNodes,
    counterNodes,
  };
}

/**
 * Whether the kernel's refresh and commit are all a search of the problem needs on that node:
 * no multi-allocatable device (shares, consumable capacity), the view's counter layout, and no
 * device whose node selector decoding would reject (more than one term: an allocation error).
 */
function kernelCanSolve(p: Problem, np: NodePools): boolean {
  if (p.multi.includes(1) || p.capAvail.length > 0 || p.counterAvail.length !== np.capacity.avail.length) return false;
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
  /** Global counters by id (counterId), and per slot and global counter how many nodes see it. */
  global: Map<string, number>;
  slotNodes: Int32Array;
  counterNodes: Int32Array;
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
  const global = new Map<string, number>();
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
    const local = cntMap.subarray(nodeCnt[i], nodeCnt[i + 1]);
    for (const [key, c] of np.capacity.index) {
      const id = counterId(np, key);
      let g = global.get(id);
      if (g === undefined) {
        g = capacity.length;
        global.set(id, g);
        capacity.push(np.capacity.avail[c]);
      }
      local[c] = g;
    }
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
  return { nodeSlots, slots, nodeCnt, cntMap, capacity: BigInt64Array.from(capacity), useStart, useCnt, useAmt, consumers: Int32Array.from(consumers), nodeLocal, global, slotNodes, counterNodes };
}

/** Reserves the resident regions in the solver's memory, with the room `room` says, and writes the static ones. */
function writeRegions(memory: SolverMemory, t: NodeTable, room: Room): ResidentRegions {
  const keep = (bytes: number) => memory.keep(Math.max(8, bytes));
  const regions: ResidentRegions = {
    flags: keep(room.slotCap),
    avail: keep(8 * room.counterCap),
    nodeSlots: keep(4 * t.nodeSlots.length),
    slots: keep(4 * room.slotTotal),
    nodeCnt: keep(4 * t.nodeCnt.length),
    cntMap: keep(4 * room.cntTotal),
    useStart: keep(4 * (room.slotCap + 1)),
    useCnt: keep(4 * t.useCnt.length),
    useAmt: keep(8 * t.useAmt.length),
    nodeLocal: keep(t.nodeLocal.length),
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
  return regions;
}
