/**
 * How far one device gets through a request's funnel on one node (stages `reachable` to
 * `fits`; `constraints` is decided over all candidates together, in constraints.ts), and why it
 * stops there. The checks are the allocator's own (compile/eligibility.ts, in the funnel's
 * order); this file only maps them to stages and words.
 */

import type { Features } from '../features.js';
import type { AllocatedState } from '../model/allocated.js';
import type { Slot } from '../model/requests.js';
import { Quantity } from '../model/quantity.js';
import type { SelectorMasks } from '../compile/selectors.js';
import type { NodeDevice, NodeView } from '../compile/nodeview.js';
import { funnelMiss, type Miss } from '../compile/eligibility.js';
import type { CounterAccounting } from '../wasm/layout.js';
import { q } from '../compile/capacity.js';
import { STAGES, type Stage } from './types.js';

export interface StageContext {
  view: NodeView;
  masks: SelectorMasks;
  allocated: AllocatedState;
  features: Features;
  /** The allocator's counter accounting (Engine.counterAccounting). */
  accounting: CounterAccounting;
  /** `driver/pool/device` → the claim (`ns/name`) whose allocation holds it. */
  holders: ReadonlyMap<string, string>;
}

/** The stage a device fails at (`passed` when it passes every per-device stage) and why. */
export interface DeviceStage {
  failed: Stage | 'passed';
  reason?: string;
}

const PASSED: DeviceStage = { failed: 'passed' };

/** The funnel stage of each check. */
const STAGE_OF: Record<Miss['check'], Stage> = {
  binding: 'reachable',
  node: 'reachable',
  class: 'class',
  selectors: 'selectors',
  free: 'free',
  taint: 'untainted',
  partitionable: 'fits',
  counters: 'fits',
  capacity: 'fits',
  capacityLeft: 'fits',
};

/** Where device `nd` drops out of `slot`'s funnel. */
export function deviceStage(slot: Slot, nd: NodeDevice, ctx: StageContext): DeviceStage {
  const miss = funnelMiss(slot, nd, ctx.view.node, { ...ctx, view: () => ctx.view });
  return miss ? { failed: STAGE_OF[miss.check], reason: reasonOf(miss, slot, nd, ctx) } : PASSED;
}

/** Index of a stage in STAGES; `passed` is past the last one. */
export function stageIndex(s: Stage | 'passed'): number {
  return s === 'passed' ? STAGES.length : STAGES.indexOf(s);
}

/** The words for a miss. */
function reasonOf(miss: Miss, slot: Slot, nd: NodeDevice, ctx: StageContext): string {
  switch (miss.check) {
    case 'binding':
      return 'has binding conditions, but DRADeviceBindingConditions is disabled';
    case 'node':
      return miss.error ?? 'its per-device node selection does not include the node';
    case 'class':
    case 'selectors': {
      const what = miss.check === 'class' ? `class ${slot.deviceClass.metadata.name} selector` : 'selector';
      const v = miss.value;
      if (miss.expression === undefined || v === undefined) return `${what} #${miss.index}: CEL expression empty (unsupported selector type?)`;
      if (v === false) return `${what} #${miss.index} is false: ${oneLine(miss.expression)}`;
      return `${what} #${miss.index}: CEL ${v.kind} error: ${oneLine(v.message)}`;
    }
    case 'free': {
      const holder = ctx.holders.get(nd.id);
      return holder ? `allocated to claim ${holder}` : 'allocated';
    }
    case 'taint': {
      const t = miss.taint;
      return `taint ${t.key}${t.value ? `=${t.value}` : ''}:${t.effect} is not tolerated`;
    }
    case 'partitionable':
      return 'consumes shared counters, but DRAPartitionableDevices is disabled';
    case 'counters': {
      if (miss.overAllocated) return `counter set ${miss.set} counter ${miss.counter} is over-allocated already (${milli(miss.left)} left)`;
      const need = q(miss.need);
      const fmt = need.format === 'BinarySI' ? 'BinarySI' : 'DecimalSI';
      return `counter set ${miss.set} counter ${miss.counter}: needs ${miss.need}, ${milli(miss.left, fmt)} left (short by ${milli(need.milli() - miss.left, fmt)})`;
    }
    case 'capacity':
      if (miss.problem === 'missing') return `has no capacity ${miss.name}, which the request asks for`;
      if (miss.problem === 'policy') return `capacity ${miss.name}: ${miss.amount} is not allowed by its request policy`;
      return `capacity ${miss.name}: needs ${miss.amount}, the device has ${miss.total}`;
    case 'capacityLeft': {
      const total = q(miss.total);
      const fmt = total.format === 'BinarySI' ? 'BinarySI' : 'DecimalSI';
      const short = milli(miss.amount.milli() - miss.left, fmt);
      return `capacity ${miss.name}: needs ${miss.amount}, ${milli(miss.left, fmt)} left of ${miss.total} (short by ${short})`;
    }
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Milli-units as a quantity string (`20Gi`, `1500m`). */
function milli(m: bigint, format: 'BinarySI' | 'DecimalSI' = 'DecimalSI'): string {
  return Quantity.fromNano(m * 1_000_000n, format).toString();
}
