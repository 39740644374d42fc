/**
 * The one rule for "can device d serve request slot s now". Allocate (compileProblem's status
 * bits and device flags, which the WASM search reads), the per-node summaries of `schedule`,
 * `explain`'s funnel and `report`'s device states all read these checks, so they cannot
 * disagree about a device.
 *
 * Static checks (the slot, the device, the node and the features; not what is allocated):
 * - `binding`: a device with binding conditions needs DRADeviceBindingConditions;
 * - `class`, `selectors`: every CEL selector of the DeviceClass, then of the request, is true
 *   (a selector whose evaluation fails is a miss that is an error, `isError`: the allocator
 *   raises it);
 * - `node`: a device of a perDeviceNodeSelection slice serves the node;
 * - `partitionable`: a device that consumes shared counters needs DRAPartitionableDevices;
 * - `taint`: every NoSchedule/NoExecute taint is tolerated (DRADeviceTaints);
 * - `capacity` (DRAConsumableCapacity): the device has every requested capacity, the amounts
 *   keep its request policies, and a device that is not shared has that much at all.
 * Dynamic checks (what the allocated state holds before this Allocate):
 * - `free`: not allocated to another claim (admin access ignores allocations);
 * - `counters`: what the device consumes still fits what its pool's counters have left, and no
 *   counter of the pool is over-allocated. A shared device with shares already consumed them
 *   with the first one: with exact counter accounting any share counts, with upstream's only
 *   one that reported consumedCapacity (upstream's AggregatedCapacity);
 * - `capacityLeft`: a shared device has what one more share consumes left of every capacity.
 *
 * Two orders read them. Upstream's (compileProblem's pairStatus, then `dynamicMiss`):
 * isSelectable (`selectableMiss`: binding, class, selectors, node), allocateDevice's static part
 * (partitionable, capacity; taint), then the search's state (free, counters, capacity left); a
 * CEL or node-selector error is raised even for a device a later check would drop. The
 * funnel's (`funnelMiss`, explain): binding, node, class, selectors, free, taint, partitionable,
 * counters, capacity, capacity left. A device passes one order exactly when it passes the other.
 */

import type { Features } from '../features.js';
import { FLAG_AGGREGATED, FLAG_DEDICATED, FLAG_SHARED, type AllocatedState } from '../model/allocated.js';
import type { CounterAccounting } from '../wasm/layout.js';
import { NodeSelectorError } from '../model/nodes.js';
import { deviceServesNode } from '../model/pools.js';
import { parseQuantity, type Quantity } from '../model/quantity.js';
import type { Slot } from '../model/requests.js';
import type { Device, DeviceSelector, DeviceTaint, DeviceToleration, Node } from '../model/types.js';
import { capacityDemand } from './capacity.js';
import type { NodeDevice, NodeView } from './nodeview.js';
import type { SelectorMasks, SelectorValue } from './selectors.js';

/** Why a device cannot serve a slot: the check it fails and what the messages need to say so. */
export type Miss =
  | { check: 'binding' }
  | { check: 'node'; error?: string }
  | {
      check: 'class' | 'selectors';
      index: number;
      /** The selector's CEL expression; undefined for a selector without one (an error). */
      expression: string | undefined;
      /** false, or the evaluation error (absent for a selector without an expression). */
      value: false | Exclude<SelectorValue, boolean> | undefined;
    }
  | { check: 'partitionable' }
  | { check: 'taint'; taint: DeviceTaint }
  | { check: 'capacity'; name: string; problem: 'missing' | 'policy' | 'total'; amount?: Quantity; total?: string }
  | { check: 'free' }
  | { check: 'counters'; set: string; counter: string; need: string; left: bigint; overAllocated?: boolean }
  | { check: 'capacityLeft'; name: string; amount: Quantity; left: bigint; total: string };

/** Whether a miss makes the allocator raise an error (rather than skip the device). */
export function isError(m: Miss | undefined): boolean {
  if (m === undefined) return false;
  if (m.check === 'node') return m.error !== undefined;
  return (m.check === 'class' || m.check === 'selectors') && m.value !== false;
}

/** What the static checks read. */
export interface StaticContext {
  features: Features;
  masks: SelectorMasks;
}

/** What the dynamic checks read: the allocated state and the node's counters left (made on demand). */
export interface DynamicContext {
  features: Features;
  allocated: AllocatedState;
  /** The allocator's (Engine.counterAccounting). */
  accounting: CounterAccounting;
  view: () => NodeView;
  /**
   * The caller only asks whether a device misses (the per-node summaries): a counters miss then
   * names no counter (set, counter and need are '', left 0), which spares looking the names up
   * and making an object per device.
   */
  brief?: boolean;
}

// ---- the checks ----------------------------------------------------------------------------------

function bindingMiss(nd: NodeDevice, features: Features): Miss | undefined {
  return !features.deviceBinding && (nd.device.bindingConditions?.length ?? 0) > 0 ? { check: 'binding' } : undefined;
}

function nodeMiss(nd: NodeDevice, node: Node): Miss | undefined {
  try {
    return deviceServesNode(nd.slice, nd.device, node) ? undefined : { check: 'node' };
  } catch (e) {
    if (e instanceof NodeSelectorError) return { check: 'node', error: `node selector of device ${nd.id}: ${e.message}` };
    throw e;
  }
}

/** The first selector of the list that is not true on the device. */
function selectorMiss(check: 'class' | 'selectors', selectors: readonly DeviceSelector[], nd: NodeDevice, masks: SelectorMasks): Miss | undefined {
  for (let index = 0; index < selectors.length; index++) {
    const expression = selectors[index].cel?.expression;
    if (expression === undefined) return { check, index, expression, value: undefined };
    const value = masks.value(expression, nd.index);
    if (value !== true) return { check, index, expression, value };
  }
  return undefined;
}

const classMiss = (slot: Slot, nd: NodeDevice, masks: SelectorMasks) =>
  selectorMiss('class', slot.deviceClass.spec?.selectors ?? [], nd, masks);
const requestMiss = (slot: Slot, nd: NodeDevice, masks: SelectorMasks) => selectorMiss('selectors', slot.spec.selectors ?? [], nd, masks);

export function partitionableMiss(nd: NodeDevice, features: Features): Miss | undefined {
  return !features.partitionableDevices && (nd.device.consumesCounters?.length ?? 0) > 0 ? { check: 'partitionable' } : undefined;
}

export function taintMiss(slot: Slot, nd: NodeDevice, features: Features): Miss | undefined {
  if (!features.deviceTaints) return undefined;
  const taint = (nd.device.taints ?? []).find((t) => !taintTolerated(t, slot.spec.tolerations));
  return taint ? { check: 'taint', taint } : undefined;
}

/** Upstream `ToleratesTaint`; effects other than NoSchedule and NoExecute never block. */
function taintTolerated(t: DeviceTaint, tolerations: readonly DeviceToleration[] | undefined): boolean {
  if (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') return true;
  return (tolerations ?? []).some((tol) => {
    if (tol.effect && tol.effect !== t.effect) return false;
    if (tol.key && tol.key !== t.key) return false;
    switch (tol.operator ?? '') {
      case '':
      case 'Equal':
        return (tol.value ?? '') === (t.value ?? '');
      case 'Exists':
        return true;
      default:
        return false;
    }
  });
}

/** A device whose capacity is shared by several allocations (DRAConsumableCapacity). */
export function isShared(nd: NodeDevice, features: Features): boolean {
  return sharesDevice(nd.device, features);
}

/** `isShared` of a device itself (it depends on the device's contents only). */
export function sharesDevice(device: Device, features: Features): boolean {
  return features.consumableCapacity && device.allowMultipleAllocations === true;
}

/**
 * The static capacity check (upstream CmpRequestOverCapacity without what is consumed):
 * `consumed` is what one allocation takes of every capacity of the device.
 */
export function capacityCheck(slot: Slot, nd: NodeDevice, features: Features): { miss?: Miss; consumed?: Map<string, Quantity> } {
  if (!features.consumableCapacity) return {};
  const demand = capacityDemand(slot.spec.capacity?.requests, nd.device);
  if (!('consumed' in demand)) return { miss: { check: 'capacity', ...demand } };
  if (nd.device.allowMultipleAllocations !== true) {
    for (const [name, amount] of demand.consumed) {
      const total = nd.device.capacity![name].value;
      if (amount.cmp(parseQuantity(total)) > 0) return { miss: { check: 'capacity', name, problem: 'total', amount, total } };
    }
  }
  return { consumed: demand.consumed };
}

/** The allocated-state flags make the device unusable for a request without admin access. */
export function heldByOthers(flags: number, features: Features): boolean {
  return (flags & FLAG_DEDICATED) !== 0 || (!features.consumableCapacity && (flags & FLAG_SHARED) !== 0);
}

function freeMiss(slot: Slot, nd: NodeDevice, ctx: DynamicContext): Miss | undefined {
  return !slot.adminAccess && heldByOthers(ctx.allocated.flags[nd.index], ctx.features) ? FREE : undefined;
}

/**
 * The counters check of the search's takeCounters: after subtracting what the device consumes,
 * no counter of its pool may be negative. A shared device whose shares hold its counters already
 * (see `counters` above) needs none. Off without DRAPartitionableDevices (`partitionable` decides).
 */
export function countersMiss(nd: NodeDevice, ctx: DynamicContext): Miss | undefined {
  if (!ctx.features.partitionableDevices || !nd.device.consumesCounters?.length) return undefined;
  const holds = ctx.accounting === 'exact' ? FLAG_SHARED : FLAG_AGGREGATED;
  if (isShared(nd, ctx.features) && ctx.allocated.flags[nd.index] & holds) return undefined;
  const view = ctx.view();
  const { start, counter: k, amount } = view.uses;
  const avail = view.counters.avail;
  const first = start[nd.at];
  const end = start[nd.at + 1];
  for (let u = first; u < end; u++) if (amount[u] > avail[k[u]]) return ctx.brief ? BRIEF_SHORT : counterShort(nd, view, k[u]);
  // As takeCounters: subtract, look at every counter of the pool, put back.
  for (let u = first; u < end; u++) avail[k[u]] -= amount[u];
  const p = view.poolOf[nd.at];
  const lo = view.counters.poolRange[2 * p];
  const hi = view.counters.poolRange[2 * p + 1];
  let negative = -1;
  for (let k = lo; k < hi && negative < 0; k++) if (avail[k] < 0n) negative = k;
  for (let u = first; u < end; u++) avail[k[u]] += amount[u];
  if (negative < 0) return undefined;
  if (ctx.brief) return BRIEF_OVER;
  const [set, counter] = counterName(view, negative);
  return { check: 'counters', set, counter, need: '0', left: avail[negative], overAllocated: true };
}

/** Misses without details, one frozen object each (the checks run per device and node). */
const FREE: Miss = Object.freeze({ check: 'free' });
const BRIEF_SHORT: Miss = Object.freeze({ check: 'counters', set: '', counter: '', need: '', left: 0n });
const BRIEF_OVER: Miss = Object.freeze({ check: 'counters', set: '', counter: '', need: '', left: 0n, overAllocated: true });

/** The miss of a device that needs more of counter `k` than is left, with the amount as the device writes it. */
function counterShort(nd: NodeDevice, view: NodeView, k: number): Miss {
  const [set, counter] = counterName(view, k);
  const written = nd.device.consumesCounters!.find((c) => c.counterSet === set && c.counters?.[counter] !== undefined)!.counters[counter].value;
  return { check: 'counters', set, counter, need: written, left: view.counters.avail[k] };
}

/** The counter set and counter of counter index `k` (for messages only). */
function counterName(view: NodeView, k: number): [string, string] {
  for (const [key, i] of view.counters.index) if (i === k) return key.split('\u0000').slice(1) as [string, string];
  return ['', ''];
}

/** Shared devices: one more share's `consumed` fits what the existing shares left of every capacity. */
export function capacityLeftMiss(nd: NodeDevice, consumed: Map<string, Quantity>, allocated: AllocatedState): Miss | undefined {
  for (const [name, amount] of consumed) {
    const total = nd.device.capacity![name].value;
    const left = parseQuantity(total).milli() - allocated.consumedAt(nd.index, name).milli();
    if (amount.milli() > left) return { check: 'capacityLeft', name, amount, left, total };
  }
  return undefined;
}

// ---- the two orders ------------------------------------------------------------------------------

/** Upstream `isSelectable`: binding conditions gate, class selectors, request selectors, node. */
export function selectableMiss(slot: Slot, nd: NodeDevice, node: Node, ctx: StaticContext): Miss | undefined {
  return bindingMiss(nd, ctx.features) ?? classMiss(slot, nd, ctx.masks) ?? requestMiss(slot, nd, ctx.masks) ?? nodeMiss(nd, node);
}

/**
 * The dynamic checks, for a device that passed the static ones: what the search decides for
 * one device taken alone, before it took anything else.
 */
export function dynamicMiss(slot: Slot, nd: NodeDevice, ctx: DynamicContext): Miss | undefined {
  const miss = freeMiss(slot, nd, ctx) ?? countersMiss(nd, ctx);
  if (miss || !isShared(nd, ctx.features)) return miss;
  const { consumed } = capacityCheck(slot, nd, ctx.features);
  return consumed && capacityLeftMiss(nd, consumed, ctx.allocated);
}

/** All checks in the funnel's order (explain): the first one the device fails, or undefined. */
export function funnelMiss(slot: Slot, nd: NodeDevice, node: Node, ctx: StaticContext & DynamicContext): Miss | undefined {
  const { features } = ctx;
  const early =
    bindingMiss(nd, features) ??
    nodeMiss(nd, node) ??
    classMiss(slot, nd, ctx.masks) ??
    requestMiss(slot, nd, ctx.masks) ??
    freeMiss(slot, nd, ctx) ??
    taintMiss(slot, nd, features) ??
    partitionableMiss(nd, features) ??
    countersMiss(nd, ctx);
  if (early) return early;
  const { miss, consumed } = capacityCheck(slot, nd, features);
  return miss ?? (consumed && isShared(nd, features) ? capacityLeftMiss(nd, consumed, ctx.allocated) : undefined);
}
