/**
 * The output floor of a batch schedule: what building and keeping the objects `schedule` returns
 * and holds costs alone, for placements already known, with no search and no node walk. Per
 * placed Pod, as the kernel path makes them: its claims stamped from their templates and looked
 * up and kept by namespace/name (the real `resolvePodClaims`, a Map as the Scheduler's), each
 * claim's status (AllocationResult with the recorded results and node selector, reservedFor the
 * Pod) and its entry in a `KeyedObjects` (the engine's claim store), the bound Pod and its
 * PodResult; at the end every claim in one array. The result shapes are the ones
 * scheduler.ts `commit`/`boundTo` and results/assemble.ts build (literals, same field order).
 *
 * It is a floor, not a model: it reads each result's strings from a plan (in order) where the
 * solve reads them from the engine's slices, and it skips everything that decides. Results with
 * more than the four names (shares, admin access, binding conditions) and configs are not built:
 * `outputPlan` refuses such a schedule (gpu-5k and mig-1k have none).
 */

import type { ScheduleResult } from '../src/schedule/scheduler.js';
import type { Workload } from '../src/gen/builders.js';
import type { NodeSelector, Pod, ResourceClaim, ResourceClaimTemplate } from '../src/model/types.js';
import { claimKey, podClaimName, resolvePodClaims } from '../src/schedule/pod-claims.js';
import { KeyedObjects } from '../src/model/keyed.js';

/** One result of a claim: the strings of a DeviceRequestAllocationResult. */
type Result = readonly [request: string, driver: string, pool: string, device: string];

export interface OutputPlan {
  pods: readonly Pod[];
  templates: ReadonlyMap<string, ResourceClaimTemplate>;
  /** Per Pod: its node, and per claim its results and node selector (the solve's); no node when unplaced. */
  placed: readonly ({ node: string; claims: { results: Result[]; nodeSelector?: NodeSelector }[] } | undefined)[];
}

/** The placements (and what the results name) of a real schedule of `w`, to build its output again. */
export function outputPlan(w: Workload, result: ScheduleResult): OutputPlan {
  const claims = new Map(result.claims.map((c) => [claimKey(c.metadata.namespace, c.metadata.name ?? ''), c]));
  const templates = new Map(w.templates.map((t) => [claimKey(t.metadata.namespace, t.metadata.name), t]));
  const placed = result.pods.map((p) => {
    if (p.node === undefined) return undefined;
    const ns = p.pod.metadata.namespace ?? 'default';
    const own = (p.pod.spec.resourceClaims ?? []).map((ref) => claims.get(claimKey(ns, podClaimName(p.pod, ref)!))!);
    return {
      node: p.node,
      claims: own.map((c) => {
        const a = c.status!.allocation!;
        if (a.devices?.config) throw new Error(`output floor: claim ${c.metadata.name} has configs, which the floor does not build`);
        const results = (a.devices?.results ?? []).map((r) => {
          if (Object.keys(r).length !== 4) throw new Error(`output floor: a result of claim ${c.metadata.name} has more than request, driver, pool and device`);
          return [r.request, r.driver, r.pool, r.device] as const;
        });
        return { results, nodeSelector: a.nodeSelector };
      }),
    };
  });
  return { pods: result.pods.map((p) => p.pod), templates, placed };
}

/** Builds (and returns, so that it is kept as a solve's result is) the output of `plan`'s placements. */
export function buildOutput(plan: OutputPlan): { pods: { pod: Pod; node?: string }[]; claims: ResourceClaim[] } {
  const source = { claims: new Map<string, ResourceClaim>(), templates: plan.templates };
  const engineClaims = new KeyedObjects<ResourceClaim>();
  const pods: { pod: Pod; node?: string }[] = new Array(plan.pods.length);
  for (let i = 0; i < plan.pods.length; i++) {
    const pod = plan.pods[i];
    const at = plan.placed[i];
    const { claims, keys } = resolvePodClaims(pod, source);
    for (let c = 0; c < claims.length; c++) source.claims.set(keys[c], claims[c]);
    if (!at) {
      pods[i] = { pod };
      continue;
    }
    const podRef = { resource: 'pods', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
    for (let c = 0; c < claims.length; c++) {
      const got = at.claims[c];
      const results = new Array(got.results.length);
      for (let r = 0; r < results.length; r++) {
        const [request, driver, pool, device] = got.results[r];
        results[r] = { request, driver, pool, device };
      }
      const allocation = got.nodeSelector ? { devices: { results }, nodeSelector: got.nodeSelector } : { devices: { results } };
      claims[c].status = { allocation, reservedFor: [podRef] };
      engineClaims.set(keys[c], claims[c]);
    }
    const spec = Object.assign({}, pod.spec);
    spec.nodeName = at.node;
    const bound = Object.assign({}, pod);
    bound.spec = spec;
    pods[i] = { pod: bound, node: at.node };
  }
  return { pods, claims: [...source.claims.values()] };
}
