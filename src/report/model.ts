/**
 * The data behind `dralloc report`: a pure function of the engine's state after a schedule run
 * and the run's result. It says, per node, what each node-local device is doing (free,
 * allocated, shared, or free but blocked because the counters it needs are used up), how full
 * the node's counter sets and shared devices' capacities are, which Pods landed there, and
 * cluster-wide: Pods placed, utilisation per DeviceClass, counter and capacity totals,
 * fragmentation counts, the unschedulable Pods grouped by message and, when Pods name
 * PodGroups, each group: admitted or not, and why.
 *
 * Devices of pools that serve several nodes (nodeSelector / allNodes slices) are not in any
 * node's row; `summary.sharedPoolDevices` counts them. Everything here is JSON-safe and
 * deterministic (no clock, no randomness), so the same run gives the same report.
 */

import type { Engine } from '../engine.js';
import type { Node } from '../model/types.js';
import type { ScheduleResult, Strategy } from '../schedule/scheduler.js';
import type { GroupOutcome } from '../schedule/pod-groups.js';
import { utilization } from '../schedule/stats.js';
import { buildNodeView, counterKey, nodeDevices, type NodeDevice, type NodeView } from '../compile/nodeview.js';
import { countersMiss } from '../compile/eligibility.js';
import { FLAG_DEDICATED, FLAG_SHARED } from '../model/allocated.js';
import { parseQuantity, Quantity } from '../model/quantity.js';
import { Interner } from '../compile/intern.js';
import { beforeLabels, holders, podKey, utilisationCurve, type Curve } from './holders.js';

const NUL = '\u0000';

/** Device states, one character each in NodeReport.states. */
export const DEVICE_STATE = { free: '.', allocated: '#', shared: 's', blocked: 'b' } as const;

/** How full something is: `used` in [0, 1], `text` e.g. "30Gi / 80Gi". */
export interface Fill {
  label: string;
  used: number;
  text: string;
}

export interface NodeReport {
  name: string;
  /** One DEVICE_STATE character per node-local device, in the node's search order. */
  states: string;
  /** Index into ReportModel.nameLists: the devices' names, in the same order as `states`. */
  names: number;
  /** Share counts of the shared devices: [position in `states`, shares]. */
  shares?: [number, number][];
  /** Pods bound to the node by this run (namespace/name). */
  pods?: string[];
  /**
   * Allocations on the node's devices that no Pod of the run explains (present before the run):
   * `claim (reserved for ...): device, device`, one per claim.
   */
  before?: string[];
  /** Counters of the node's own pools: label `set/counter` (prefixed `pool:` when the node has several pools with counters). */
  counters?: Fill[];
  /** Consumable capacity of devices with shares: label `device/capacity`. */
  capacity?: Fill[];
  /**
   * How used the node is, in [0, 1]: the mean counter fill when its pools have counters,
   * otherwise the mean over devices of 1 (allocated or blocked), its mean capacity fill (shared;
   * 1 without consumable capacity), or 0 (free).
   */
  use: number;
  /** Some devices free and some not, or a counter set / a shared device's capacity partly used. */
  fragmented: boolean;
}

export interface ReportModel {
  title: string;
  strategy: Strategy;
  summary: {
    pods: number;
    scheduled: number;
    unschedulable: number;
    nodes: number;
    /** Node-local devices (those in the grid). */
    devices: number;
    devicesAllocated: number;
    devicesShared: number;
    devicesBlocked: number;
    sharedPoolDevices: number;
    /** Nodes with devices: unused; fragmented (NodeReport.fragmented); used up (neither). */
    nodesEmpty: number;
    nodesPartlyUsed: number;
    nodesFull: number;
    counterSets: number;
    counterSetsPartlyUsed: number;
  };
  /** Per DeviceClass: devices its selectors select, and how many of those are in use. */
  classes: { name: string; devices: number; used: number }[];
  /** Per counter name, summed over every counter set. */
  counters: Fill[];
  /** Per capacity name, summed over devices that allow multiple allocations. */
  capacities: Fill[];
  /** Distinct lists of device names (most nodes share one). */
  nameLists: string[][];
  nodes: NodeReport[];
  /** Unschedulable Pods grouped by message, most Pods first. */
  unschedulable: { message: string; pods: string[] }[];
  /** Devices in use after each Pod (holders.ts). */
  curve: Curve;
  /** The PodGroups the Pods name (absent when none does): not admitted ones first, then by name. */
  podGroups?: GroupOutcome[];
}

export interface ReportOptions {
  strategy: Strategy;
  title?: string;
}

export function buildReport(engine: Engine, result: ScheduleResult, opts: ReportOptions): ReportModel {
  const state = engine.inspect();
  const nameLists = new Interner(); // device-name lists, joined by NUL (names never contain it)
  const podsOn = new Map<string, string[]>();
  for (const p of result.pods) {
    if (p.node === undefined) continue;
    const list = podsOn.get(p.node) ?? [];
    list.push(podKey(p.pod.metadata));
    podsOn.set(p.node, list);
  }
  const held = holders(result);
  const before = beforeLabels(held);
  const nodes = [...state.nodes.values()].map((n) => nodeReport(engine, n, nameLists, podsOn.get(n.metadata.name), before));

  const states = nodes.map((n) => n.states).join('');
  const count = (c: string) => states.split(c).length - 1;
  const withDevices = nodes.filter((n) => n.states.length > 0);
  const empty = (n: NodeReport) => n.use === 0 && !n.fragmented;
  const counterSets = nodes.flatMap((n) => setFills(n.counters ?? []));
  const util = utilization(engine, result.claims);
  const scheduled = result.pods.filter((p) => p.node !== undefined).length;

  return {
    title: opts.title ?? 'dralloc schedule report',
    strategy: opts.strategy,
    summary: {
      pods: result.pods.length,
      scheduled,
      unschedulable: result.pods.length - scheduled,
      nodes: nodes.length,
      devices: states.length,
      devicesAllocated: count(DEVICE_STATE.allocated),
      devicesShared: count(DEVICE_STATE.shared),
      devicesBlocked: count(DEVICE_STATE.blocked),
      sharedPoolDevices: sharedPoolDevices(engine),
      nodesEmpty: withDevices.filter(empty).length,
      nodesPartlyUsed: withDevices.filter((n) => n.fragmented).length,
      nodesFull: withDevices.filter((n) => !n.fragmented && !empty(n)).length,
      counterSets: counterSets.length,
      counterSetsPartlyUsed: counterSets.filter((u) => u > 0 && u < 1).length,
    },
    classes: Object.entries(util.byClass).map(([name, c]) => ({ name, devices: c.devices, used: c.used })),
    counters: Object.entries(util.counters).map(([label, c]) => fill(label, parseQuantity(c.consumed), parseQuantity(c.capacity))),
    capacities: capacityTotals(engine),
    nameLists: Array.from({ length: nameLists.size }, (_, i) => nameLists.string(i + 1)).map((s) => (s ? s.split(NUL) : [])),
    nodes,
    unschedulable: unschedulableGroups(result),
    curve: utilisationCurve(result, held, state.inventory.count),
    ...(result.groups ? { podGroups: [...result.groups].sort((a, b) => Number(a.admitted) - Number(b.admitted) || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)) } : {}),
  };
}

/** A device that belongs to this node alone (its slice, or its own entry, names the node). */
function isLocal(nd: NodeDevice, node: string): boolean {
  return nd.slice.spec.nodeName === node || (nd.slice.spec.perDeviceNodeSelection === true && nd.device.nodeName === node);
}

function nodeReport(engine: Engine, node: Node, nameLists: Interner, pods: string[] | undefined, before: ReadonlyMap<string, string>): NodeReport {
  const name = node.metadata.name;
  const { allocated, features } = engine.inspect();
  const view = buildNodeView(engine.nodePools(node), allocated);
  const local = nodeDevices(view).filter((nd) => isLocal(nd, name));
  let states = '';
  const shares: [number, number][] = [];
  const capacity: Fill[] = [];
  const deviceUse: number[] = [];
  const held = new Map<string, string[]>(); // before-the-run claim label → its devices here
  local.forEach((nd, i) => {
    const label = before.get(nd.id);
    if (label !== undefined) held.set(label, [...(held.get(label) ?? []), nd.device.name]);
    const flags = allocated.flags[nd.index];
    if (flags & FLAG_DEDICATED) {
      states += DEVICE_STATE.allocated;
      deviceUse.push(1);
    } else if (flags & FLAG_SHARED) {
      states += DEVICE_STATE.shared;
      shares.push([i, allocated.sharesAt(nd.index)]);
      const fills = Object.entries(nd.device.capacity ?? {}).map(([cap, c]) => fill(`${nd.device.name}/${cap}`, allocated.consumedAt(nd.index, cap), parseQuantity(c.value)));
      capacity.push(...fills);
      deviceUse.push(fills.length ? mean(fills.map((f) => f.used)) : 1);
    } else if (countersMiss(nd, { features, allocated, accounting: engine.counterAccounting, view: () => view })) {
      states += DEVICE_STATE.blocked;
      deviceUse.push(1);
    } else {
      states += DEVICE_STATE.free;
      deviceUse.push(0);
    }
  });
  const counters = counterFills(view, name);
  const free = states.split(DEVICE_STATE.free).length - 1;
  const partly = (f: Fill) => f.used > 0 && f.used < 1;
  const report: NodeReport = {
    name,
    states,
    names: nameLists.id(local.map((nd) => nd.device.name).join(NUL)) - 1,
    use: counters.length ? mean(counters.map((f) => f.used)) : deviceUse.length ? mean(deviceUse) : 0,
    fragmented: (free > 0 && free < states.length) || setFills(counters).some((u) => u > 0 && u < 1) || capacity.some(partly),
  };
  if (shares.length) report.shares = shares;
  if (pods?.length) report.pods = pods;
  if (held.size) report.before = [...held].map(([label, devices]) => `${label}: ${devices.join(', ')}`);
  if (counters.length) report.counters = counters;
  if (capacity.length) report.capacity = capacity;
  return report;
}

/** Fills of the counters of the node's own pools (capacity − what is left), in the format they were written in. */
function counterFills(view: NodeView, node: string): Fill[] {
  const own = view.pools.map((pool, p) => ({ pool, p })).filter(({ pool }) => pool.slices.some((s) => s.spec.nodeName === node));
  const rows: { pool: string; label: string; k: number; format: Quantity['format'] }[] = [];
  for (const { pool, p } of own) {
    for (const s of pool.allSlices) {
      for (const set of s.spec.sharedCounters ?? []) {
        for (const [counter, c] of Object.entries(set.counters ?? {})) {
          const k = view.counters.index.get(counterKey(p, set.name, counter));
          if (k !== undefined) rows.push({ pool: pool.name, label: `${set.name}/${counter}`, k, format: parseQuantity(c.value).format });
        }
      }
    }
  }
  const several = new Set(rows.map((r) => r.pool)).size > 1;
  const milli = (m: bigint, format: Quantity['format']) => Quantity.fromNano(m * 1_000_000n, format);
  return rows.map((r) => {
    const cap = view.capacity.avail[r.k];
    return fill(several ? `${r.pool}:${r.label}` : r.label, milli(cap - view.counters.avail[r.k], r.format), milli(cap, r.format));
  });
}

/** The format counters named `name` are written in (the first one found). */
/** Per counter set (label before the last `/`): its most used counter. */
function setFills(counters: readonly Fill[]): number[] {
  const bySet = new Map<string, number>();
  for (const c of counters) {
    const set = c.label.slice(0, c.label.lastIndexOf('/'));
    bySet.set(set, Math.max(bySet.get(set) ?? 0, c.used));
  }
  return [...bySet.values()];
}

function fill(label: string, used: Quantity, capacity: Quantity): Fill {
  const cap = capacity.toNumber();
  return { label, used: cap > 0 ? Math.min(1, used.toNumber() / cap) : 0, text: `${inUnitOf(used, capacity)} / ${capacity}` };
}

/** `used` in the unit `capacity` prints with, to one decimal: 26.3T of 32T rather than 26340G. */
function inUnitOf(used: Quantity, capacity: Quantity): string {
  const m = /^(\d+)(\D*)$/.exec(capacity.toString());
  if (!m || used.nano === 0n) return Quantity.fromNano(used.nano, capacity.format).toString();
  const unit = capacity.toNumber() / Number(m[1]);
  return `${Number((used.toNumber() / unit).toFixed(1))}${m[2]}`;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Devices whose slice serves several nodes (not in any node's row). */
function sharedPoolDevices(engine: Engine): number {
  const { inventory } = engine.inspect();
  let n = 0;
  for (let i = 0; i < inventory.size; i++) {
    if (!inventory.live(i)) continue;
    const s = inventory.sliceOf[i].spec;
    if (!s.nodeName && !(s.perDeviceNodeSelection && inventory.devices[i].nodeName)) n++;
  }
  return n;
}

/** Consumable capacity over every device that allows multiple allocations, per capacity name. */
function capacityTotals(engine: Engine): Fill[] {
  const { inventory, allocated, features } = engine.inspect();
  if (!features.consumableCapacity) return [];
  const totals = new Map<string, { used: bigint; cap: bigint; format: Quantity['format'] }>();
  for (let i = 0; i < inventory.size; i++) {
    const d = inventory.devices[i];
    if (!d?.allowMultipleAllocations) continue;
    for (const [name, c] of Object.entries(d.capacity ?? {})) {
      const cap = parseQuantity(c.value);
      const t = totals.get(name) ?? { used: 0n, cap: 0n, format: cap.format };
      t.cap += cap.nano;
      t.used += allocated.consumedAt(i, name).nano;
      totals.set(name, t);
    }
  }
  return [...totals].map(([name, t]) => fill(name, Quantity.fromNano(t.used, t.format), Quantity.fromNano(t.cap, t.format)));
}

function unschedulableGroups(result: ScheduleResult): ReportModel['unschedulable'] {
  const groups = new Map<string, string[]>();
  for (const p of result.pods) {
    if (p.node !== undefined) continue;
    const message = p.message ?? '';
    const list = groups.get(message) ?? [];
    list.push(podKey(p.pod.metadata));
    groups.set(message, list);
  }
  return [...groups].map(([message, pods]) => ({ message, pods })).sort((a, b) => b.pods.length - a.pods.length);
}
