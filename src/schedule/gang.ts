/**
 * The PodGroup scheduling cycle, as kube-scheduler v1.36 runs it (GangScheduling plugin,
 * KEP-4671; see docs/gangs.md): when the first Pod of a group comes up, every pending Pod of the
 * group is tried in scheduling order, each exactly as a single Pod would be (its node and
 * devices chosen as usual, and assumed for the Pods after it).
 *
 * - gang policy: a group with fewer Pods than minCount is not tried (PreEnqueue waits for
 *   them); the cycle stops as soon as minCount can no longer be reached; if fewer than minCount
 *   Pods fit (already bound members count), every placement of the cycle is undone — no device
 *   stays allocated for the group and the Pods after it see the state as if it had not been
 *   tried. Otherwise the Pods that fit are bound and the others stay pending.
 * - basic policy: the same cycle without the minCount check.
 * - a Pod whose PodGroup does not exist stays pending (PreEnqueue waits for the group).
 *
 * With `gangSearch`, a gang the cycle did not admit is searched again (gang-search.ts).
 */

import type { Pod } from '../model/types.js';
import type { PodDecision, PodResult, Scheduler } from './scheduler.js';
import { searchGang, type GangSearchOptions } from './gang-search.js';
import { minCountUnsatisfiable, missingGroupMessage, WAITING_FOR_MIN_COUNT, type GroupMembers, type GroupOutcome } from './pod-groups.js';

export interface GroupCycle {
  /** One result per member, in the order of `members`. */
  results: PodResult[];
  outcome: GroupOutcome;
}

/** Runs the group cycle for the Pods of `g` (`pods[i]` for each member index i). */
export function scheduleGroup(s: Scheduler, g: GroupMembers, pods: readonly Pod[], search?: GangSearchOptions): GroupCycle {
  const members = g.members.map((i) => pods[i]);
  const outcome: GroupOutcome = { namespace: g.namespace, name: g.name, policy: 'missing', pods: members.length, placed: 0, admitted: false };
  const pending = (message: string): GroupCycle => ({
    results: members.map((pod) => (pod.spec.nodeName ? { pod, node: pod.spec.nodeName } : { pod, message })),
    outcome: { ...outcome, placed: members.filter((p) => p.spec.nodeName).length, reason: message },
  });
  if (!g.group) return pending(missingGroupMessage(g.name));
  const gang = g.group.spec.schedulingPolicy?.gang;
  if (!gang) {
    const results = members.map((pod) => strip(s.schedulePod(pod)));
    return { results, outcome: { ...outcome, policy: 'basic', placed: results.filter((r) => r.node).length, admitted: true } };
  }
  const minCount = gang.minCount;
  outcome.policy = 'gang';
  outcome.minCount = minCount;
  if (members.length < minCount) return pending(WAITING_FOR_MIN_COUNT);

  const start = s.begin();
  const cycle = upstreamCycle(s, members, minCount);
  if (cycle.placed >= minCount) {
    s.end();
    return { results: cycle.decisions.map(strip), outcome: { ...outcome, placed: cycle.placed, admitted: true } };
  }
  s.undo(start);
  let reason = `pod group ${g.namespace}/${g.name} was not admitted: ${cycle.why}`;
  if (search) {
    const found = searchGang(s, members, minCount, search);
    outcome.search = { steps: found.steps, found: found.decisions !== undefined, exhausted: found.exhausted };
    if (found.decisions) {
      s.end();
      const results = found.decisions.map(strip);
      return { results, outcome: { ...outcome, placed: results.filter((r) => r.node).length, admitted: true } };
    }
    reason += found.exhausted
      ? `; the gang search stopped at its budget of ${search.budget} steps before finding a placement (--gang-search-budget)`
      : `; the gang search found no placement for ${minCount} Pods in ${found.steps} steps (every node, and up to ${search.alternatives} device choices per node, for each Pod)`;
  }
  s.end();
  // Claims stamped from templates stay (the resourceclaim controller made them), unallocated.
  for (const d of cycle.decisions) for (const c of d.created) s.remember(c);
  const results = members.map((pod, i): PodResult => {
    if (pod.spec.nodeName) return { pod, node: pod.spec.nodeName };
    const own = cycle.decisions[i]?.message;
    return { pod, message: own ? `${own} ${reason}` : reason };
  });
  return { results, outcome: { ...outcome, placed: members.length - cycle.pending, reason } };
}

interface UpstreamCycle {
  /** Decisions of the members tried (a prefix of the members when the cycle stopped early). */
  decisions: PodDecision[];
  /** Members bound now (already bound ones included), members never bound before the cycle. */
  placed: number;
  pending: number;
  /** The GangScheduling plugin's text when minCount was not reached. */
  why: string;
}

/** Members in order, each placed as a single Pod; stops once minCount is out of reach. */
function upstreamCycle(s: Scheduler, members: readonly Pod[], minCount: number): UpstreamCycle {
  const pending = members.filter((p) => !p.spec.nodeName).length;
  let placed = members.length - pending;
  let left = pending;
  const decisions: PodDecision[] = [];
  for (const pod of members) {
    if (pod.spec.nodeName) {
      decisions.push({ pod, node: pod.spec.nodeName, created: [], updated: [] });
      continue;
    }
    if (placed + left < minCount) break;
    const d = s.schedulePod(pod);
    decisions.push(d);
    left--;
    if (d.node) placed++;
  }
  return { decisions, placed, pending, why: minCountUnsatisfiable(minCount, placed, left) };
}

export function strip(d: PodDecision): PodResult {
  const { created: _c, updated: _u, ...result } = d;
  return result;
}
