/**
 * The per-request funnels of one claim on one node, built from the allocator's own pieces:
 * the node view (pools, devices in search order, counters left), the pre-pass plan
 * (compileProblem, so class resolution and upstream's pre-pass errors are the allocator's),
 * the selector masks and the allocated state.
 */

import type { ResourceClaim, Node } from '../model/types.js';
import type { Engine } from '../engine.js';
import type { Slot } from '../model/requests.js';
import { buildNodeView, nodeDevices, type NodeDevice, type NodeView } from '../compile/nodeview.js';
import { compileProblem } from '../compile/problem.js';
import { deviceStage, stageIndex, type StageContext } from './device-stage.js';
import { constraintMisses } from './constraints.js';
import { MAX_NEAR_MISSES, STAGES, type RequestExplanation, type RequestFunnel } from './types.js';

export interface NodeFunnels {
  requests: RequestExplanation[];
  notes: string[];
}

/**
 * The funnels of `claim` on `node`. Throws AllocationError when the allocator's pre-pass
 * refuses the claim (unknown class, a feature it needs is disabled, too many devices...).
 */
export function nodeFunnels(engine: Engine, claim: ResourceClaim, node: Node, holders: ReadonlyMap<string, string>): NodeFunnels {
  const { masks, allocated, classes, features } = engine.inspect();
  const view = buildNodeView(engine.nodePools(node), allocated);
  const problem = compileProblem(view, [claim], { features, classes, masks, allocated });
  const ctx: StageContext = { view, masks, allocated, features, accounting: engine.counterAccounting, holders };
  const devices = nodeDevices(view);

  const stageOf = new Map<Slot, { failed: number; reason?: string }[]>();
  const candidates = new Map<Slot, number[]>();
  for (const slot of problem.plan.slots) {
    const per = devices.map((nd) => {
      const s = deviceStage(slot, nd, ctx);
      return { failed: stageIndex(s.failed), reason: s.reason };
    });
    stageOf.set(slot, per);
    candidates.set(slot, per.flatMap((s, d) => (s.failed === STAGES.length ? [d] : [])));
  }
  const last = STAGES.indexOf('constraints');
  for (const [slot, misses] of constraintMisses(problem.plan, devices, candidates, features)) {
    const per = stageOf.get(slot)!;
    for (const [d, reason] of misses) per[d] = { failed: last, reason };
  }

  const requests = problem.plan.requests.map((r): RequestExplanation => {
    const funnels = r.slots.map((slot) => funnel(slot, stageOf.get(slot)!, devices));
    return { name: r.name, funnels, blocked: funnels.every((f) => f.failedAt !== undefined) };
  });
  return { requests, notes: poolNotes(view) };
}

function funnel(slot: Slot, per: { failed: number; reason?: string }[], devices: readonly NodeDevice[]): RequestFunnel {
  const stages = STAGES.map((stage, k) => ({ stage, count: per.filter((s) => s.failed > k).length }));
  const selected = stages[STAGES.indexOf('selectors')].count;
  const needed = slot.mode === 'All' ? Math.max(1, selected) : slot.numDevices;
  const k = stages.findIndex((s) => s.count < needed);
  const dropped = k < 0 ? [] : per.flatMap((s, d) => (s.failed === k ? [{ device: devices[d].id, reason: s.reason ?? '' }] : []));
  return {
    request: slot.name,
    deviceClass: slot.deviceClass.metadata.name,
    mode: slot.mode,
    needed,
    stages,
    ...(k < 0 ? {} : { failedAt: STAGES[k] }),
    nearMisses: dropped.slice(0, MAX_NEAR_MISSES),
    droppedAtFailure: dropped.length,
  };
}

/** Pools the node sees that the allocator leaves out, and why. */
function poolNotes(view: NodeView): string[] {
  return view.pools.flatMap((p) => {
    if (p.invalid) return [`pool ${p.id} is invalid (${p.invalid}): its devices are not used`];
    if (p.incomplete) {
      const want = p.slices[0]?.spec.pool.resourceSliceCount;
      return [`pool ${p.id} is incomplete (${p.allSlices.length} of ${want} slices at generation ${p.generation}): its devices are not used`];
    }
    return [];
  });
}
