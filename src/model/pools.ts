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
  slices: ResourceSlice[];
  /** Every slice of the pool at that generation, for any node (counters consumed elsewhere). */
  allSlices: ResourceSlice[];
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
 * nodeName, or shared counters), and slices by pool — each list in input order.
 */
export class SliceIndex {
  private readonly byNode = new Map<string, ResourceSlice[]>();
  private readonly shared: ResourceSlice[] = [];
  private readonly byPool = new Map<string, ResourceSlice[]>();
  private readonly order = new Map<ResourceSlice, number>();

  constructor(slices: readonly ResourceSlice[]) {
    slices.forEach((s, i) => {
      this.order.set(s, i);
      const name = s.spec.nodeName;
      if (!name || (s.spec.sharedCounters?.length ?? 0) > 0) this.shared.push(s);
      else push(this.byNode, name, s);
      push(this.byPool, key(s), s);
    });
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
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
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
    const k = key(s);
    const list = byPool.get(k);
    if (!list) byPool.set(k, [s]);
    else if (s.spec.pool.generation > list[0].spec.pool.generation) byPool.set(k, [s]);
    else if (s.spec.pool.generation === list[0].spec.pool.generation) list.push(s);
  }

  const pools: Pool[] = [];
  for (const [id, relevant] of byPool) {
    const first = relevant[0].spec;
    const generation = first.pool.generation;
    const samePool = index.pool(id);
    const all = samePool.filter((s) => s.spec.pool.generation === generation);
    let incomplete = false;
    if (relevant.length !== first.pool.resourceSliceCount) {
      // Not complete with the node's slices alone: look at the whole pool.
      if (samePool.some((s) => s.spec.pool.generation > generation)) continue; // obsolete
      incomplete = all.length !== first.pool.resourceSliceCount;
    }
    const sorted = [...relevant].sort((a, b) => cmp(a.metadata?.name ?? '', b.metadata?.name ?? ''));
    pools.push({
      driver: first.driver,
      name: first.pool.name,
      id,
      generation,
      slices: sorted,
      allSlices: all,
      incomplete,
      // An incomplete pool is never looked into: neither validated nor checked for binding conditions.
      invalid: incomplete ? undefined : invalidReason(sorted, all),
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

/** Duplicate device or counter-set names, or a counter consumption that names no counter. */
function invalidReason(relevant: ResourceSlice[], all: ResourceSlice[]): string | undefined {
  const names = new Set<string>();
  for (const s of relevant) {
    for (const d of s.spec.devices ?? []) {
      if (names.has(d.name)) return `duplicate device name ${d.name}`;
      names.add(d.name);
    }
  }
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
