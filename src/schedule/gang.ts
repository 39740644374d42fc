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
import { minCountUnsatisfiable, missingGroupMessage, notAdmitted, WAITING_FOR_MIN_COUNT, type GroupMembers, type GroupOutcome } from './pod-groups.js';

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
  const cycle = drive(upstreamCycle(members, minCount), (pod) => s.schedulePod(pod));
  if (cycle.placed >= minCount) {
    s.end();
    return { results: cycle.decisions.map(strip), outcome: { ...outcome, placed: cycle.placed, admitted: true } };
  }
  s.undo(start);
  let reason = notAdmitted(g.namespace, g.name, cycle.why);
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
  const results = members.map((pod, i): PodResult => (pod.spec.nodeName ? { pod, node: pod.spec.nodeName } : { pod, message: memberMessage(cycle.decisions[i], reason) }));
  return { results, outcome: { ...outcome, placed: members.length - cycle.pending, reason } };
}

export interface UpstreamCycle {
  /** Decisions of the members tried (a prefix of the members when the cycle stopped early). */
  decisions: PodDecision[];
  /** Members bound now (already bound ones included), members never bound before the cycle. */
  placed: number;
  pending: number;
  /** The GangScheduling plugin's text when minCount was not reached. */
  why: string;
}

/**
 * The upstream cycle as steps: yields each member to place, in order, and is resumed with its
 * decision (as a single Pod); stops once minCount is out of reach. Members with a nodeName
 * count as placed without a step. `drive` runs it synchronously; the live scheduler runs it
 * with asynchronous searches (live-state.ts).
 */
export function* upstreamCycle(members: readonly Pod[], minCount: number): Generator<Pod, UpstreamCycle, PodDecision> {
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
    const d = yield pod;
    decisions.push(d);
    left--;
    if (d.node) placed++;
  }
  return { decisions, placed, pending, why: minCountUnsatisfiable(minCount, placed, left) };
}

/** Runs steps to the end, answering each with `place`. */
function drive<T>(steps: Generator<Pod, T, PodDecision>, place: (pod: Pod) => PodDecision): T {
  let step = steps.next();
  while (!step.done) step = steps.next(place(step.value));
  return step.value;
}

/** What a member of a group that was not admitted is told: its own reason (if it did not fit), then the group's. */
export function memberMessage(own: PodDecision | undefined, groupReason: string): string {
  return own?.message ? `${own.message} ${groupReason}` : groupReason;
}

/** The PodResult of a decision: its fields without `created` and `updated`, in their order (built, not copied: object rest is slow). */
export function strip(d: PodDecision): PodResult {
  // A placed Pod (Scheduler.place: node, no message) gets the same result without a walk over its keys.
  if (!('message' in d)) return 'node' in d ? { pod: d.pod, node: d.node } : { pod: d.pod };
  const result: PodResult = { pod: d.pod };
  for (const k in d) {
    if (k === 'node') result.node = d.node;
    else if (k === 'message') result.message = d.message;
  }
  return result;
}
