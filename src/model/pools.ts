/**
 * Which resource pools a node can use, in upstream's order (`GatherPools`, v1.36 incubating):
 * highest generation only, completeness by counting slices, invalid pools marked, slices sorted
 * by name, pools sorted by (driver, pool) with pools that have binding conditions last.
 */

import type { Device, Node, ResourceSlice } from './types.js';
import { nodeMatches, NodeSelectorError } from './nodes.js';
import { AllocationError } from '../outcome.js';
import type { Features } from '../features.js';

export interface Pool {
  driver: string;
  name: string;
  /** `driver/pool`, as upstream prints a PoolID. */
  id: string;
  generation: number;
  /** Node-relevant slices of the pool's generation, sorted by name (duplicates kept). */
  slices: ResourceSlice[];
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
 * has, not what the cluster has: slices by nodeName, the slices every node must look at (no
 * nodeName, or shared counters), and slices by pool — each list in input order. Slices are added
 * and removed one at a time; a slice's input order is a number given when it is added (a new
 * version of a slice takes the number of the one it replaces).
 */
export class SliceIndex {
  private readonly byNode = new Map<string, ResourceSlice[]>();
  private readonly shared: ResourceSlice[] = [];
  private readonly byPool = new Map<string, ResourceSlice[]>();
  private readonly order = new Map<ResourceSlice, number>();
  /** `driver/pool` of each slice (computed once: gatherPools asks for it per node). */
  private readonly poolOf = new Map<ResourceSlice, string>();
  /** What gatherPools needs to know about a whole pool, per pool, until one of its slices changes. */
  private readonly facts = new Map<string, PoolFacts>();

  constructor(slices: readonly ResourceSlice[]) {
    slices.forEach((s, i) => this.add(s, i));
  }

  add(s: ResourceSlice, order: number): void {
    const pool = key(s);
    this.order.set(s, order);
    this.poolOf.set(s, pool);
    if (isShared(s)) insert(this.shared, s, this.order);
    else insert(listOf(this.byNode, s.spec.nodeName!), s, this.order);
    insert(listOf(this.byPool, pool), s, this.order);
    this.facts.delete(pool);
  }

  remove(s: ResourceSlice): void {
    const pool = this.poolOf.get(s)!;
    if (isShared(s)) cut(this.shared, s);
    else cut(this.byNode.get(s.spec.nodeName!), s);
    cut(this.byPool.get(pool), s);
    this.order.delete(s);
    this.poolOf.delete(s);
    this.facts.delete(pool);
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

  /** The slices a node may use (its own and the shared ones), in input order. */
  candidates(node: string): ResourceSlice[] {
    const own = this.byNode.get(node) ?? [];
    if (this.shared.length === 0) return own;
    if (own.length === 0) return this.shared;
    return [...own, ...this.shared].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }

  /** Every slice of a pool (`driver/pool`), in input order. */
  pool(id: string): readonly ResourceSlice[] {
    return this.byPool.get(id) ?? [];
  }

  /** Every slice, in input order. */
  ordered(): ResourceSlice[] {
    return [...this.order.keys()].sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }
}

/** Facts about all slices of one pool (any node), computed on first use. */
export class PoolFacts {
  readonly maxGeneration: number;
  private readonly byGeneration = new Map<number, ResourceSlice[]>();
  private readonly counterErrors = new Map<number, string | undefined>();

  constructor(slices: readonly ResourceSlice[]) {
    let max = -Infinity;
    for (const s of slices) {
      const g = s.spec.pool.generation;
      if (g > max) max = g;
      listOf(this.byGeneration, g).push(s);
    }
    this.maxGeneration = max;
  }

  /** Every slice of the pool at `generation`, in input order. */
  slicesOf(generation: number): ResourceSlice[] {
    return this.byGeneration.get(generation) ?? [];
  }

  /** Why the pool's counters are invalid at `generation` (see counterError). */
  counterError(generation: number): string | undefined {
    if (!this.counterErrors.has(generation)) this.counterErrors.set(generation, counterError(this.slicesOf(generation)));
    return this.counterErrors.get(generation);
  }
}

/** Whether every node must look at the slice (no nodeName, or shared counters). */
export function isShared(s: ResourceSlice): boolean {
  return !s.spec.nodeName || (s.spec.sharedCounters?.length ?? 0) > 0;
}

/** `driver/pool` of a slice. */
export function poolKeyOf(s: ResourceSlice): string {
  return key(s);
}

function listOf<K, V>(m: Map<K, V[]>, k: K): V[] {
  let list = m.get(k);
  if (!list) m.set(k, (list = []));
  return list;
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
  const byPool = new Map<string, ResourceSlice[]>();
  for (const s of index.candidates(node.metadata.name)) {
    const spec = s.spec;
    if (spec.nodeName && spec.nodeName !== node.metadata.name && !(spec.sharedCounters?.length)) continue;
    if (!features.partitionableDevices && (spec.perDeviceNodeSelection || (spec.sharedCounters?.length ?? 0) > 0)) continue;
    if (!relevantOrThrow(s, node)) continue;
    const k = index.poolKey(s);
    const list = byPool.get(k);
    if (!list) byPool.set(k, [s]);
    else if (s.spec.pool.generation > list[0].spec.pool.generation) byPool.set(k, [s]);
    else if (s.spec.pool.generation === list[0].spec.pool.generation) list.push(s);
  }

  const pools: Pool[] = [];
  for (const [id, relevant] of byPool) {
    const first = relevant[0].spec;
    const generation = first.pool.generation;
    const facts = index.poolFacts(id);
    const all = facts.slicesOf(generation);
    let incomplete = false;
    if (relevant.length !== first.pool.resourceSliceCount) {
      // Not complete with the node's slices alone: look at the whole pool.
      if (facts.maxGeneration > generation) continue; // obsolete
      incomplete = all.length !== first.pool.resourceSliceCount;
    }
    const sorted = relevant.length > 1 ? relevant.sort((a, b) => cmp(a.metadata?.name ?? '', b.metadata?.name ?? '')) : relevant;
    pools.push({
      driver: first.driver,
      name: first.pool.name,
      id,
      generation,
      slices: sorted,
      allSlices: all,
      incomplete,
      // An incomplete pool is never looked into: neither validated nor checked for binding conditions.
      invalid: incomplete ? undefined : (duplicateDevice(sorted) ?? facts.counterError(generation)),
      hasBindingConditions: false,
    });
  }
  for (const p of pools) {
    p.hasBindingConditions = !p.incomplete && !p.invalid && p.slices.some((s) => (s.spec.devices ?? []).some((d) => (d.bindingConditions?.length ?? 0) > 0));
  }
  pools.sort((a, b) => Number(a.hasBindingConditions) - Number(b.hasBindingConditions) || cmp(a.driver, b.driver) || cmp(a.name, b.name));
  return pools;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A device name that the node's slices of a pool repeat. */
function duplicateDevice(relevant: ResourceSlice[]): string | undefined {
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
