/**
 * Which resource pools a node can use, in upstream's order (`GatherPools`, v1.36 incubating):
 * highest generation only, completeness by counting slices, invalid pools marked, slices sorted
 * by name, pools sorted by (driver, pool) with pools that have binding conditions last.
 */

import type { Device, Node, ResourceSlice } from './types.js';
import { nodeMatches, NodeSelectorError } from './nodes.js';
import { AllocationError } from './errors.js';
import type { Features } from '../features.js';

export interface Pool {
  driver: string;
  name: string;
  /** `driver/pool`, as upstream prints a PoolID. */
  id: string;
  generation: number;
  /** Node-relevant slices of the pool's generation, sorted by name (duplicates kept). */
  slices: readonly ResourceSlice[];
  /** Every slice of the pool at that generation, for any node (counters consumed elsewhere). */
  allSlices: readonly ResourceSlice[];
  incomplete: boolean;
  /** Why the pool is invalid, when it is. */
  invalid?: string;
  hasBindingConditions: boolean;
}

function isRelevant(s: ResourceSlice, node: Node): boolean {
  const spec = s.spec;
  if ((spec.sharedCounters?.length ?? 0) > 0) return true;
  if (spec.nodeName || spec.allNodes || spec.nodeSelector) return nodeMatches(node, spec.nodeName, spec.allNodes, spec.nodeSelector);
  if (spec.perDeviceNodeSelection) {
    return (spec.devices ?? []).some((d) => nodeMatches(node, d.nodeName, d.allNodes, d.nodeSelector));
  }
  return false; // no node selection at all: a future extension this version does not know
}

/** isRelevant, with a broken node selector reported the way upstream's GatherPools does. */
function relevantOrThrow(s: ResourceSlice, node: Node): boolean {
  try {
    return isRelevant(s, node);
  } catch (e) {
    if (e instanceof NodeSelectorError) throw new AllocationError(`node selector in resource slice ${s.metadata?.name ?? ''}: ${e.message}`);
    throw e;
  }
}

const key = (s: ResourceSlice) => `${s.spec.driver}/${s.spec.pool.name}`;

/**
 * The slices indexed for gatherPools, so that gathering one node's pools costs what that node
 * has, not what the cluster has: slices by nodeName; the slices every node must look at (no
 * nodeName, or shared counters), split into *universal* ones, relevant to every node alike
 * (shared counters, or allNodes), by pool, and the others; and slices by pool — each list in
 * input order. Slices are added and removed one at a time; a slice's input order is a number
 * given when it is added (a new version of a slice takes the number of the one it replaces).
 *
 * A pool that a node has none but universal slices of looks the same to every such node: its
 * Pool is computed once (`universalPools`) and shared, until a slice of it changes.
 */
export class SliceIndex {
  private readonly byNode = new Map<string, Slices>();
  /** Shared slices that are not universal (node selectors, per-device node selection). */
  private readonly shared: ResourceSlice[] = [];
  private readonly universal = new Map<string, ResourceSlice[]>();
  private universalCache?: { features: Features; sorted: Pool[] };
  private readonly byPool = new Map<string, Slices>();
  private readonly order = new Map<ResourceSlice, number>();
  /** `driver/pool` of each slice (computed once: gatherPools asks for it per node). */
  private readonly poolOf = new Map<ResourceSlice, string>();
  /** What gatherPools needs to know about a whole pool, per pool, until one of its slices changes. */
  private readonly facts = new Map<string, PoolFacts>();

  constructor(slices: readonly ResourceSlice[]) {
    slices.forEach((s, i) => this.add(s, i));
  }

  /** `pool`: the slice's `driver/pool` (a caller that has the string passes it, so that one string serves every slice of a pool). */
  add(s: ResourceSlice, order: number, pool = key(s)): void {
    this.order.set(s, order);
    this.poolOf.set(s, pool);
    if (isUniversal(s)) insertInto(this.universal, pool, s, this.order);
    else if (isShared(s)) insert(this.shared, s, this.order);
    else insertOne(this.byNode, s.spec.nodeName!, s, this.order);
    insertOne(this.byPool, pool, s, this.order);
    this.poolChanged(pool);
  }

  remove(s: ResourceSlice): void {
    const pool = this.poolOf.get(s)!;
    if (isUniversal(s)) {
      cut(this.universal.get(pool), s);
      if (this.universal.get(pool)?.length === 0) this.universal.delete(pool);
    } else if (isShared(s)) cut(this.shared, s);
    else cutOne(this.byNode, s.spec.nodeName!, s);
    cutOne(this.byPool, pool, s);
    this.order.delete(s);
    this.poolOf.delete(s);
    this.poolChanged(pool);
  }

  private poolChanged(pool: string): void {
    this.facts.delete(pool);
    if (this.universal.has(pool) || this.universalCache?.sorted.some((p) => p.id === pool)) this.universalCache = undefined;
  }

  /** The universal slices of a pool, in input order. */
  universalOf(pool: string): readonly ResourceSlice[] {
    return this.universal.get(pool) ?? [];
  }

  /** The pools of universal slices as a node without other slices in them sees them, sorted as gatherPools sorts. */
  universalPools(features: Features): readonly Pool[] {
    if (this.universalCache?.features !== features) {
      const pools: Pool[] = [];
      for (const [id, slices] of this.universal) {
        const p = makePool(this, id, newest(slices.filter((x) => passesGate(x, features))));
        if (p) pools.push(p);
      }
      this.universalCache = { features, sorted: pools.sort(poolOrder) };
    }
    return this.universalCache.sorted;
  }

  /** `driver/pool` of an indexed slice. */
  poolKey(s: ResourceSlice): string {
    return this.poolOf.get(s)!;
  }

  /** The pool's newest generation, its slices per generation and their counter validity. */
  poolFacts(id: string): PoolFacts {
    let f = this.facts.get(id);
    if (f === undefined) {
      f = new PoolFacts(this.pool(id));
      this.facts.set(id, f);
    }
    return f;
  }

  /** The slices a node may use apart from the universal ones: its own, and the other shared ones. */
  candidates(node: string): ResourceSlice[] {
    const own = listOf(this.byNode.get(node));
    if (this.shared.length === 0) return own;
    if (own.length === 0) return this.shared;
    return [...own, ...this.shared];
  }

  /**
   * The one slice `candidates(node)` would list, when it is one and no slice is universal
   * (gatherPools' short path); undefined otherwise.
   */
  onlySliceOf(node: string): ResourceSlice | undefined {
    const own = this.byNode.get(node);
    return this.shared.length === 0 && this.universal.size === 0 && own !== undefined && !Array.isArray(own) ? own : undefined;
  }

  /** Input order of an indexed slice. */
  orderOf(s: ResourceSlice): number {
    return this.order.get(s)!;
  }

  /** Every slice of a pool (`driver/pool`), in input order. */
  pool(id: string): readonly ResourceSlice[] {
    return listOf(this.byPool.get(id));
  }

  /** Every slice, in input order. */
  ordered(): ResourceSlice[] {
    return [...this.order.keys()].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}

/**
 * Facts about all slices of one pool (any node), computed on first use. Kept per pool (the
 * engine holds one per pool until a slice of it changes), so it holds little: the newest
 * generation's slices and their counter validity; an older generation (a node that sees a
 * complete older one while a newer one is being published) is looked up when asked.
 */
export class PoolFacts {
  readonly maxGeneration: number;
  private readonly newest: readonly ResourceSlice[];
  /** counterError(maxGeneration), once `newestChecked`. */
  private newestError: string | undefined;
  private newestChecked = false;

  constructor(private readonly all: readonly ResourceSlice[]) {
    let max = -Infinity;
    for (const s of all) if (s.spec.pool.generation > max) max = s.spec.pool.generation;
    this.maxGeneration = max;
    // To its length (kept); a one-slice pool's list is a fresh array already (SliceIndex.pool).
    this.newest = all.length === 1 ? all : all.filter((s) => s.spec.pool.generation === max).slice();
  }

  /** Every slice of the pool at `generation`, in input order. */
  slicesOf(generation: number): readonly ResourceSlice[] {
    return generation === this.maxGeneration ? this.newest : this.all.filter((s) => s.spec.pool.generation === generation);
  }

  /** Why the pool's counters are invalid at `generation` (see counterError). */
  counterError(generation: number): string | undefined {
    if (generation !== this.maxGeneration) return counterError(this.slicesOf(generation));
    if (!this.newestChecked) {
      this.newestError = counterError(this.newest);
      this.newestChecked = true;
    }
    return this.newestError;
  }
}

/** Relevant to every node alike: shared counters (isRelevant's first rule), or allNodes without a nodeName. */
function isUniversal(s: ResourceSlice): boolean {
  return (s.spec.sharedCounters?.length ?? 0) > 0 || (!s.spec.nodeName && s.spec.allNodes === true);
}

/** The feature gates let the allocator see the slice at all. */
function passesGate(s: ResourceSlice, features: Features): boolean {
  return features.partitionableDevices || !(s.spec.perDeviceNodeSelection || (s.spec.sharedCounters?.length ?? 0) > 0);
}

/** The slices of the newest generation among `slices` (input order kept): `slices` itself when all are. */
function newest(slices: ResourceSlice[]): ResourceSlice[] {
  let max = -Infinity;
  let min = Infinity;
  for (const s of slices) {
    const g = s.spec.pool.generation;
    if (g > max) max = g;
    if (g < min) min = g;
  }
  return min === max ? slices : slices.filter((s) => s.spec.pool.generation === max);
}

/** Whether every node must look at the slice (no nodeName, or shared counters). */
export function isShared(s: ResourceSlice): boolean {
  return !s.spec.nodeName || (s.spec.sharedCounters?.length ?? 0) > 0;
}

/** `driver/pool` of a slice. */
export function poolKeyOf(s: ResourceSlice): string {
  return key(s);
}

/**
 * Inserts `s` into the list of `k`, sorted by order; a new list is made to its length (one
 * grown by push keeps room for 16: ~130 bytes more, per node and pool).
 */
function insertInto(m: Map<string, ResourceSlice[]>, k: string, s: ResourceSlice, order: Map<ResourceSlice, number>): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [s]);
  else insert(list, s, order);
}

/**
 * One slice, or several (in input order): a map value that costs no array while its key has a
 * single slice, as most nodes and pools do (an array is ~32 bytes per node and pool).
 */
type Slices = ResourceSlice | ResourceSlice[];

/** The slices of a `Slices` value as a list (a new one-element array for a single slice). */
function listOf(v: Slices | undefined): ResourceSlice[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** insertInto for a map of `Slices`. */
function insertOne(m: Map<string, Slices>, k: string, s: ResourceSlice, order: Map<ResourceSlice, number>): void {
  const v = m.get(k);
  if (v === undefined) m.set(k, s);
  else if (Array.isArray(v)) insert(v, s, order);
  else m.set(k, order.get(v)! > order.get(s)! ? [s, v] : [v, s]);
}

/** Removes `s` from the `Slices` of `k` (no-op when absent); a list left with one slice becomes that slice. */
function cutOne(m: Map<string, Slices>, k: string, s: ResourceSlice): void {
  const v = m.get(k);
  if (v === s) m.delete(k);
  else if (Array.isArray(v)) {
    cut(v, s);
    if (v.length === 1) m.set(k, v[0]);
  }
}

/** Inserts `s` into a list sorted by order (appending is the common case). */
function insert(list: ResourceSlice[], s: ResourceSlice, order: Map<ResourceSlice, number>): void {
  const o = order.get(s)!;
  let at = list.length;
  while (at > 0 && order.get(list[at - 1])! > o) at--;
  list.splice(at, 0, s);
}

/** Removes `s` from a list (no-op when absent). */
function cut(list: ResourceSlice[] | undefined, s: ResourceSlice): void {
  const at = list?.lastIndexOf(s) ?? -1;
  if (at >= 0) list!.splice(at, 1);
}

/** `source`: the indexed slices (a plain list is indexed on the fly). */
export function gatherPools(source: SliceIndex | readonly ResourceSlice[], node: Node, features: Features): Pool[] {
  const index = source instanceof SliceIndex ? source : new SliceIndex(source);
  const only = index.onlySliceOf(node.metadata.name);
  if (only !== undefined) return onlyPool(index, only, node, features);
  // The node's own and node-dependent slices, by pool; a pool they touch also takes its universal slices.
  const byPool = new Map<string, ResourceSlice[]>();
  for (const s of index.candidates(node.metadata.name)) {
    const spec = s.spec;
    if (spec.nodeName && spec.nodeName !== node.metadata.name && !(spec.sharedCounters?.length)) continue;
    if (!passesGate(s, features)) continue;
    if (!relevantOrThrow(s, node)) continue;
    const k = index.poolKey(s);
    const list = byPool.get(k);
    if (list) list.push(s);
    else {
      const universal = index.universalOf(k);
      byPool.set(k, universal.length === 0 ? [s] : [s, ...universal.filter((u) => passesGate(u, features))]);
    }
  }
  const own: Pool[] = [];
  for (const [id, slices] of byPool) {
    const p = makePool(index, id, newest(slices.sort((a, b) => index.orderOf(a) - index.orderOf(b))));
    if (p) own.push(p);
  }
  own.sort(poolOrder);
  // Merged with the universal pools the node has no other slices in (both lists sorted).
  const pools: Pool[] = [];
  let k = 0;
  for (const u of index.universalPools(features)) {
    if (byPool.has(u.id)) continue;
    while (k < own.length && poolOrder(own[k], u) < 0) pools.push(own[k++]);
    pools.push(u);
  }
  while (k < own.length) pools.push(own[k++]);
  return pools;
}

/**
 * gatherPools of a node whose one candidate is `s`, its own slice, in a cluster without
 * universal slices (the common case: one slice per node pool): what the general loop computes
 * for a single slice, without its maps and lists.
 */
function onlyPool(index: SliceIndex, s: ResourceSlice, node: Node, features: Features): Pool[] {
  if (!passesGate(s, features) || !relevantOrThrow(s, node)) return [];
  const p = makePool(index, index.poolKey(s), [s]);
  return p ? [p] : [];
}

/**
 * The Pool of `relevant` (a node's relevant slices of pool `id` at their newest generation, in
 * input order), or undefined when the pool is obsolete for the node.
 */
function makePool(index: SliceIndex, id: string, relevant: ResourceSlice[]): Pool | undefined {
  if (relevant.length === 0) return undefined;
  const first = relevant[0].spec;
  const generation = first.pool.generation;
  const facts = index.poolFacts(id);
  if (relevant.length !== first.pool.resourceSliceCount && facts.maxGeneration > generation) return undefined; // obsolete
  const all = facts.slicesOf(generation);
  // Not complete with the node's slices alone: look at the whole pool.
  const incomplete = relevant.length !== first.pool.resourceSliceCount && all.length !== first.pool.resourceSliceCount;
  const sorted = relevant.length > 1 ? relevant.sort((a, b) => cmp(a.metadata?.name ?? '', b.metadata?.name ?? '')) : relevant;
  // An incomplete pool is never looked into: neither validated nor checked for binding conditions.
  const invalid = incomplete ? undefined : (duplicateDevice(sorted) ?? facts.counterError(generation));
  return {
    driver: first.driver,
    name: first.pool.name,
    id,
    generation,
    slices: sameList(sorted, all) ? all : sorted.length > 1 ? sorted.slice() : sorted, // the pool's list when equal, else one to its length (kept per node)
    allSlices: all,
    incomplete,
    invalid,
    hasBindingConditions: !incomplete && !invalid && sorted.some((s) => (s.spec.devices ?? []).some((d) => (d.bindingConditions?.length ?? 0) > 0)),
  };
}

function sameList(a: readonly ResourceSlice[], b: readonly ResourceSlice[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/** Upstream's pool order: pools with binding conditions last, then by driver and name. */
function poolOrder(a: Pool, b: Pool): number {
  return Number(a.hasBindingConditions) - Number(b.hasBindingConditions) || cmp(a.driver, b.driver) || cmp(a.name, b.name);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A device name that the node's slices of a pool repeat. */
function duplicateDevice(relevant: ResourceSlice[]): string | undefined {
  if (relevant.length === 1) {
    // One slice of a few devices (the common case): compared pairwise, nothing allocated.
    const devices = relevant[0].spec.devices ?? [];
    if (devices.length <= 32) {
      for (let a = 1; a < devices.length; a++) {
        for (let b = 0; b < a; b++) if (devices[a].name === devices[b].name) return `duplicate device name ${devices[a].name}`;
      }
      return undefined;
    }
  }
  const names = new Set<string>();
  for (const s of relevant) {
    for (const d of s.spec.devices ?? []) {
      if (names.has(d.name)) return `duplicate device name ${d.name}`;
      names.add(d.name);
    }
  }
  return undefined;
}

/** Duplicate counter-set names in the pool's slices, or a counter consumption that names no counter. */
function counterError(all: readonly ResourceSlice[]): string | undefined {
  if (all.every((s) => !s.spec.sharedCounters?.length && (s.spec.devices ?? []).every((d) => !d.consumesCounters?.length))) return undefined; // no counters at all
  const sets = new Map<string, Set<string>>();
  for (const s of all) {
    for (const cs of s.spec.sharedCounters ?? []) {
      if (sets.has(cs.name)) return `duplicate counter set name ${cs.name}`;
      sets.set(cs.name, new Set(Object.keys(cs.counters ?? {})));
    }
  }
  for (const s of all) {
    for (const d of s.spec.devices ?? []) {
      const bad = badConsumption(d, sets);
      if (bad) return `device ${d.name}: ${bad}`;
    }
  }
  return undefined;
}

function badConsumption(d: Device, sets: Map<string, Set<string>>): string | undefined {
  for (const c of d.consumesCounters ?? []) {
    const set = sets.get(c.counterSet);
    if (!set) return `consumes counters of counter set ${c.counterSet}, which the pool does not have`;
    for (const name of Object.keys(c.counters ?? {})) {
      if (!set.has(name)) return `consumes counter ${name}, which counter set ${c.counterSet} does not have`;
    }
  }
  return undefined;
}

/** Whether a device serves the node: per device for perDeviceNodeSelection slices (upstream checks it in isSelectable), else always (the slice was gathered for this node). */
export function deviceServesNode(slice: ResourceSlice, d: Device, node: Node): boolean {
  return !slice.spec.perDeviceNodeSelection || nodeMatches(node, d.nodeName, d.allNodes, d.nodeSelector);
}
