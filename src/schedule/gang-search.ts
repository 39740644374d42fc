/**
 * `--gang-search`: a gang the upstream cycle could not admit is searched as a unit. A
 * depth-first search over the group's pending Pods (in scheduling order) chooses for each Pod
 * a node and a set of devices, or leaves it out while minCount stays reachable, and backtracks
 * when the Pods after it cannot reach minCount. Where upstream takes each Pod's first fit and
 * never revisits it, this finds e.g. two 4-GPU workers a place on the two NVLink halves of one
 * node instead of stranding GPUs on several.
 *
 * The Pods are searched biggest first (most devices requested; equal Pods next to each other),
 * so that a small Pod does not take the place a big one needed only to be backtracked over.
 * Choices per Pod: every node in input order; on a node, up to `alternatives` allocations with
 * disjoint devices (the allocator's first answer, then its answer with those devices blocked,
 * and so on). Pods with the same spec that follow each other take nodes in non-decreasing order
 * (their order among themselves does not matter), so permutations are not searched twice.
 *
 * A step is one node tried for one Pod; the search stops after `budget` steps and says so.
 * Every placement is journaled in the Scheduler and undone on backtracking, so a search that
 * fails leaves the state exactly as it found it.
 */

import type { DeviceRequestAllocationResult, Pod, ResourceClaim } from '../model/types.js';
import { deviceId } from '../model/allocated.js';
import type { Placement, PodAttempt, PodDecision, Scheduler } from './scheduler.js';

export interface GangSearchOptions {
  /** Steps (a node tried for a Pod) per gang before the search gives up. */
  budget: number;
  /** Allocations with disjoint devices tried per node and Pod. */
  alternatives: number;
}

export const DEFAULT_GANG_SEARCH: GangSearchOptions = { budget: 20_000, alternatives: 4 };

export interface GangSearchResult {
  /** One decision per member when a placement of at least minCount Pods was found (then committed). */
  decisions?: PodDecision[];
  steps: number;
  /** The budget, not the absence of a placement, ended the search. */
  exhausted: boolean;
}

class BudgetExhausted extends Error {}

/** What the search chose for a Pod: a position in node order, or to leave it out. */
type Choice = { node: number } | { skipped: true };

export function searchGang(s: Scheduler, members: readonly Pod[], minCount: number, opts: GangSearchOptions): GangSearchResult {
  const pods = biggestFirst(s, members.filter((p) => !p.spec.nodeName));
  const needed = minCount - (members.length - pods.length);
  const signatures = pods.map(signature);
  const choices: Choice[] = [];
  const decisions: PodDecision[] = [];
  let steps = 0;
  const step = () => {
    if (++steps > opts.budget) throw new BudgetExhausted();
  };

  const dfs = (i: number, placed: number): boolean => {
    if (placed + (pods.length - i) < needed) return false;
    if (i === pods.length) return true;
    const start = s.mark();
    const a = s.prepare(pods[i]);
    const same = i > 0 && signatures[i] === signatures[i - 1] ? choices[i - 1] : undefined;
    if ('pending' in a && !(same && 'skipped' in same)) {
      for (const p of candidates(s, a, same && 'node' in same ? same.node : 0, opts.alternatives, step)) {
        const m = s.mark();
        decisions[i] = s.place(a, p);
        choices[i] = { node: p.node };
        if (dfs(i + 1, placed + 1)) return true;
        s.undo(m);
      }
    }
    choices[i] = { skipped: true };
    decisions[i] = 'pending' in a ? { pod: a.pod, created: a.created, updated: [] } : a;
    if (dfs(i + 1, placed)) return true;
    s.undo(start);
    return false;
  };

  const start = s.mark();
  let found = false;
  try {
    found = dfs(0, 0);
  } catch (e) {
    if (!(e instanceof BudgetExhausted)) throw e;
    s.undo(start);
    return { steps: opts.budget, exhausted: true };
  }
  if (!found) return { steps, exhausted: false };
  // Pods left out are tried once more as single Pods: they are bound if they fit now, or
  // carry their own reason.
  const byPod = new Map(pods.map((p, i) => [p, i]));
  const out = members.map((pod): PodDecision => {
    if (pod.spec.nodeName) return { pod, node: pod.spec.nodeName, created: [], updated: [] };
    const i = byPod.get(pod)!;
    return 'skipped' in choices[i] ? s.schedulePod(pod) : decisions[i];
  });
  return { decisions: out, steps, exhausted: false };
}

/**
 * The placements of a Pod, lazily: nodes from `from` on in input order, and on each node up to
 * `alternatives` allocations, each using none of the devices of the ones before it.
 */
function* candidates(s: Scheduler, a: PodAttempt, from: number, alternatives: number, step: () => void): Generator<Placement> {
  for (let n = from; n < s.nodes.length; n++) {
    step();
    let fit = s.fit(a, n);
    const used: DeviceRequestAllocationResult[] = [];
    for (let k = 0; 'results' in fit; k++) {
      yield fit;
      if (k + 1 >= alternatives) break;
      for (const r of fit.results.results) used.push(...(r.devices?.results ?? []));
      step();
      fit = withBlocked(s, used, () => s.fit(a, n, false));
    }
  }
}

/**
 * Runs `fn` with the devices of `results` marked in use (a blocker claim committed to the
 * engine and released again). Devices an admin-access result names, or that are already in
 * exclusive use, are left alone so that releasing the blocker cannot free them. Summaries are
 * not consulted meanwhile (fit's `useSummary` false) and the state afterwards is the state before.
 */
function withBlocked<T>(s: Scheduler, results: readonly DeviceRequestAllocationResult[], fn: () => T): T {
  const allocated = s.engine.inspect().allocated;
  const seen = new Set<string>();
  const devices = results.filter((r) => {
    const id = deviceId(r.driver, r.pool, r.device);
    if (r.adminAccess || allocated.isDedicated(id) || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  const blocker: ResourceClaim = { apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'gang-search-blocker' }, spec: {} };
  const committed = s.engine.commit(blocker, {
    devices: { results: devices.map((r) => ({ request: 'blocked', driver: r.driver, pool: r.pool, device: r.device })) },
  });
  try {
    return fn();
  } finally {
    s.engine.release(committed);
  }
}

/** `pods` by devices requested, most first; then by signature, so that equal Pods are neighbours; then in order. */
function biggestFirst(s: Scheduler, pods: readonly Pod[]): Pod[] {
  const keyed = pods.map((pod, i) => {
    const m = s.mark();
    const a = s.prepare(pod);
    s.undo(m);
    const devices = 'pending' in a ? a.pending.reduce((n, c) => n + (c.spec.devices?.requests ?? []).reduce((k, r) => k + (r.exactly?.count ?? r.firstAvailable?.[0]?.count ?? 1), 0), 0) : 0;
    return { pod, i, devices, sig: signature(pod) };
  });
  keyed.sort((a, b) => b.devices - a.devices || (a.sig < b.sig ? -1 : a.sig > b.sig ? 1 : 0) || a.i - b.i);
  return keyed.map((k) => k.pod);
}

/** Pods with equal signatures are interchangeable for the search: same namespace and spec. */
function signature(pod: Pod): string {
  const { nodeName: _n, ...spec } = pod.spec;
  return JSON.stringify([pod.metadata.namespace ?? 'default', spec]);
}
