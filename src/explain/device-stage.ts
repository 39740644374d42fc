/**
 * How far one device gets through a request's funnel on one node (stages `reachable` to
 * `fits`; `constraints` is decided over all candidates together, in constraints.ts), and why it
 * stops there. Every check is the allocator's own: the same selector masks, taint rule,
 * capacity rounding, counters left in the node view and allocated state.
 */

import type { Features } from '../features.js';
import type { AllocatedState } from '../model/allocated.js';
import type { Slot } from '../model/requests.js';
import type { DeviceSelector } from '../model/types.js';
import { deviceServesNode } from '../model/pools.js';
import { Quantity } from '../model/quantity.js';
import type { SelectorMasks } from '../compile/selectors.js';
import { counterKey, type NodeDevice, type NodeView } from '../compile/nodeview.js';
import { taintTolerated } from '../compile/problem.js';
import { consumedAmount, q, violatesPolicy } from '../compile/capacity.js';
import { STAGES, type Stage } from './types.js';

export interface StageContext {
  view: NodeView;
  masks: SelectorMasks;
  allocated: AllocatedState;
  features: Features;
  /** `driver/pool/device` → the claim (`ns/name`) whose allocation holds it. */
  holders: ReadonlyMap<string, string>;
}

/** The stage a device fails at (`passed` when it passes every per-device stage) and why. */
export interface DeviceStage {
  failed: Stage | 'passed';
  reason?: string;
}

const PASSED: DeviceStage = { failed: 'passed' };

/** Where device `nd` drops out of `slot`'s funnel. */
export function deviceStage(slot: Slot, nd: NodeDevice, ctx: StageContext): DeviceStage {
  const { features } = ctx;
  if (!features.deviceBinding && (nd.device.bindingConditions?.length ?? 0) > 0) {
    return { failed: 'reachable', reason: 'has binding conditions, but DRADeviceBindingConditions is disabled' };
  }
  if (!deviceServesNode(nd.slice, nd.device, ctx.view.node)) {
    return { failed: 'reachable', reason: 'its per-device node selection does not include the node' };
  }
  const cls = slot.deviceClass;
  const classMiss = selectorMiss(`class ${cls.metadata.name} selector`, cls.spec?.selectors ?? [], nd, ctx.masks);
  if (classMiss) return { failed: 'class', reason: classMiss };
  const requestMiss = selectorMiss('selector', slot.spec.selectors ?? [], nd, ctx.masks);
  if (requestMiss) return { failed: 'selectors', reason: requestMiss };
  const cc = features.consumableCapacity;
  if (!slot.adminAccess && (ctx.allocated.isDedicated(nd.id) || (!cc && ctx.allocated.hasShares(nd.id)))) {
    const holder = ctx.holders.get(nd.id);
    return { failed: 'free', reason: holder ? `allocated to claim ${holder}` : 'allocated' };
  }
  if (features.deviceTaints) {
    const t = (nd.device.taints ?? []).find((t) => !taintTolerated(t, slot.spec.tolerations));
    if (t) return { failed: 'untainted', reason: `taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect} is not tolerated` };
  }
  const short = countersShort(nd, ctx) ?? (cc ? capacityShort(slot, nd, ctx) : undefined);
  return short ? { failed: 'fits', reason: short } : PASSED;
}

/** Index of a stage in STAGES; `passed` is past the last one. */
export function stageIndex(s: Stage | 'passed'): number {
  return s === 'passed' ? STAGES.length : STAGES.indexOf(s);
}

/** The first selector that is not true on the device: which one, and false or its error. */
function selectorMiss(what: string, selectors: readonly DeviceSelector[], nd: NodeDevice, masks: SelectorMasks): string | undefined {
  for (let i = 0; i < selectors.length; i++) {
    const expression = selectors[i].cel?.expression ?? '';
    const v = masks.value(expression, nd.index);
    if (v === true) continue;
    if (v === false) return `${what} #${i} is false: ${oneLine(expression)}`;
    return `${what} #${i}: CEL ${v.kind} error: ${oneLine(v.message)}`;
  }
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Milli-units as a quantity string (`20Gi`, `1500m`). */
function milli(m: bigint, format: 'BinarySI' | 'DecimalSI' = 'DecimalSI'): string {
  return Quantity.fromNano(m * 1_000_000n, format).toString();
}

/** The first shared counter the device needs more of than is left, as `counter set S counter C: needs X, Y left`. */
function countersShort(nd: NodeDevice, ctx: StageContext): string | undefined {
  const consumes = nd.device.consumesCounters ?? [];
  if (consumes.length === 0) return undefined;
  if (!ctx.features.partitionableDevices) return 'consumes shared counters, but DRAPartitionableDevices is disabled';
  const p = ctx.view.pools.indexOf(nd.pool);
  for (const c of consumes) {
    for (const [name, v] of Object.entries(c.counters ?? {})) {
      const k = ctx.view.counters.index.get(counterKey(p, c.counterSet, name));
      if (k === undefined) continue; // an invalid pool never reaches the funnel
      const need = q(v.value);
      const left = ctx.view.counters.avail[k];
      if (need.milli() > left) {
        const fmt = need.format === 'BinarySI' ? 'BinarySI' : 'DecimalSI';
        return `counter set ${c.counterSet} counter ${name}: needs ${v.value}, ${milli(left, fmt)} left (short by ${milli(need.milli() - left, fmt)})`;
      }
    }
  }
  return undefined;
}

/**
 * Consumable capacity (as compileProblem checks it): a requested capacity the device lacks, an
 * amount its request policy refuses, or more than is left (shared devices) / than it has.
 */
function capacityShort(slot: Slot, nd: NodeDevice, ctx: StageContext): string | undefined {
  const caps = nd.device.capacity ?? {};
  const requests = slot.spec.capacity?.requests ?? {};
  for (const name of Object.keys(requests)) if (!(name in caps)) return `has no capacity ${name}, which the request asks for`;
  const shared = nd.device.allowMultipleAllocations === true;
  for (const [name, cap] of Object.entries(caps)) {
    const requested = requests[name];
    const amount = consumedAmount(requested !== undefined ? q(requested) : undefined, cap);
    if (violatesPolicy(amount, cap.requestPolicy)) return `capacity ${name}: ${amount} is not allowed by its request policy`;
    const total = q(cap.value);
    const left = shared ? total.milli() - ctx.allocated.consumed(nd.id, name).milli() : total.milli();
    if (amount.milli() > left) {
      const fmt = total.format === 'BinarySI' ? 'BinarySI' : 'DecimalSI';
      return shared
        ? `capacity ${name}: needs ${amount}, ${milli(left, fmt)} left of ${cap.value} (short by ${milli(amount.milli() - left, fmt)})`
        : `capacity ${name}: needs ${amount}, the device has ${cap.value}`;
    }
  }
  return undefined;
}
