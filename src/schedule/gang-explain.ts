/**
 * Why a PodGroup does (not) fit, on the input's state: its Pods are tried one after the other
 * exactly as the upstream PodGroup cycle tries them (gang.ts), but without stopping when
 * minCount is out of reach, so that every Pod that does not fit is named with kube-scheduler's
 * reason. Nothing stays allocated afterwards. With `search`, the gang search (gang-search.ts)
 * then says whether another choice of nodes and devices places minCount Pods.
 */

import type { Engine } from '../engine.js';
import type { DraObject, Pod } from '../model/types.js';
import { InputError } from '../model/errors.js';
import { podOrder } from './order.js';
import { Scheduler, type Strategy } from './scheduler.js';
import { groupPods, missingGroupMessage, WAITING_FOR_MIN_COUNT } from './pod-groups.js';
import { searchGang, type GangSearchOptions } from './gang-search.js';

export interface GangExplanation {
  group: string;
  policy: 'gang' | 'basic' | 'missing';
  /** The Pods the group needs together (minCount; for basic 1), and the group's Pods in the input. */
  needs: number;
  pods: number;
  /** Pods already bound, and pending Pods that fit one after the other in the upstream order. */
  bound: number;
  fit: number;
  admitted: boolean;
  /** Each pending Pod that did not fit, with kube-scheduler's reason. */
  misfits: { pod: string; reason: string }[];
  /** Why the group is not tried at all (missing PodGroup, fewer Pods than minCount). */
  waiting?: string;
  search?: { found: boolean; exhausted: boolean; steps: number };
}

/** Explains PodGroup `ref` (`ns/name`, or `name` in namespace default) of `objects`. */
export function explainGroup(engine: Engine, objects: readonly DraObject[], ref: string, opts: { strategy?: Strategy; search?: GangSearchOptions } = {}): GangExplanation {
  const slash = ref.indexOf('/');
  const key = slash < 0 ? `default/${ref}` : ref;
  const pods = podOrder(objects.filter((o): o is Pod => o.kind === 'Pod'));
  const g = groupPods(objects, pods)?.get(key);
  if (!g) {
    const groups = objects.filter((o) => o.kind === 'PodGroup').map((o) => `${o.metadata?.namespace ?? 'default'}/${o.metadata?.name}`);
    throw new InputError(`no Pod of the input belongs to pod group ${key} (PodGroups: ${groups.length ? groups.join(', ') : 'none'})`);
  }
  const members = g.members.map((i) => pods[i]);
  const bound = members.filter((p) => p.spec.nodeName).length;
  const gang = g.group?.spec.schedulingPolicy?.gang;
  const out: GangExplanation = {
    group: key,
    policy: !g.group ? 'missing' : gang ? 'gang' : 'basic',
    needs: gang?.minCount ?? 1,
    pods: members.length,
    bound,
    fit: 0,
    admitted: false,
    misfits: [],
  };
  if (!g.group) return { ...out, waiting: missingGroupMessage(g.name) };
  if (members.length < out.needs) return { ...out, waiting: WAITING_FOR_MIN_COUNT };

  const s = new Scheduler(engine, objects, { strategy: opts.strategy });
  const start = s.begin();
  for (const pod of members.filter((p) => !p.spec.nodeName)) {
    const d = s.schedulePod(pod);
    if (d.node) out.fit++;
    else out.misfits.push({ pod: pod.metadata.name, reason: d.message ?? '' });
  }
  s.undo(start);
  out.admitted = bound + out.fit >= out.needs;
  if (!out.admitted && opts.search) {
    const found = searchGang(s, members, out.needs, opts.search);
    out.search = { found: found.decisions !== undefined, exhausted: found.exhausted, steps: found.steps };
    s.undo(start);
  }
  s.end();
  return out;
}

/** One paragraph: the verdict, then each Pod that does not fit and why. */
export function renderGang(e: GangExplanation): string {
  if (e.waiting) return `pod group ${e.group} (${e.policy}): none of its ${e.pods} Pods is tried: ${e.waiting}\n`;
  const placed = e.bound + e.fit;
  const head =
    e.policy === 'gang'
      ? `pod group ${e.group} needs ${e.needs} Pods (minCount); ${placed} of ${e.pods} fit one after the other in the upstream order${e.bound ? ` (${e.bound} already bound)` : ''}: ${e.admitted ? 'admitted' : 'not admitted'}`
      : `pod group ${e.group} (basic): ${placed} of ${e.pods} Pods fit`;
  let out = `${head}\n`;
  for (const m of e.misfits) out += `  ${m.pod}: ${m.reason}\n`;
  if (e.search) {
    out += e.search.found
      ? `  the gang search places ${e.needs} Pods (${e.search.steps} steps): dralloc schedule --gang-search admits the group\n`
      : e.search.exhausted
        ? `  the gang search stopped at its budget (${e.search.steps} steps) without a placement: a larger --gang-search-budget may find one\n`
        : `  the gang search found no placement of ${e.needs} Pods (${e.search.steps} steps)\n`;
  }
  return out;
}
