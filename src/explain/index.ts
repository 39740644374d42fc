/**
 * `explainClaim`: why a claim can or cannot be allocated on a node (or on every node), as
 * plain data. The verdict is always `Engine.allocate`'s own answer for the claim alone; the
 * funnels (funnel.ts) say where each request's devices drop out, so explain cannot disagree
 * with allocate about *whether* — only add *why*.
 *
 * `summarise` turns an explanation into one line (what `schedule` prints for an
 * unschedulable Pod).
 */

import { drain } from '../util/steps.js';
import type { Engine } from '../engine.js';
import type { Node, ResourceClaim } from '../model/types.js';
import { claimRef } from '../model/requests.js';
import { deviceId } from '../model/allocated.js';
import { AllocationError } from '../outcome.js';
import { nodeFunnels } from './funnel.js';
import { selectorHints } from './selector-hints.js';
import type { Explanation, NodeExplanation, RequestExplanation, RequestFunnel, Stage } from './types.js';

export * from './types.js';

/**
 * Explains `claim` on node `node`, or on every Node the engine holds (in the order they were
 * added) when `node` is undefined. An unknown node name is an explanation with verdict
 * `error`, like allocate's answer. The engine is not changed.
 */
export function explainClaim(engine: Engine, claim: ResourceClaim, node?: string): Explanation {
  return drain(explainSteps(engine, claim, node));
}

/** `explainClaim` one node at a time: yields after each node, returns the explanation after the last. */
export function* explainSteps(engine: Engine, claim: ResourceClaim, node?: string): Generator<void, Explanation> {
  const state = engine.inspect();
  const names = node !== undefined ? [node] : [...state.nodes.keys()];
  const holders = new Map<string, string>();
  for (const c of engine.listClaims()) {
    for (const r of c.status?.allocation?.devices?.results ?? []) holders.set(deviceId(r.driver, r.pool, r.device), claimRef(c));
  }
  const nodes: NodeExplanation[] = [];
  for (const name of names) {
    nodes.push(explainOnNode(engine, claim, name, state.nodes.get(name), holders));
    yield;
  }
  const hints = selectorHints(state, claim);
  return { claim: claimRef(claim), nodes, ...(hints.length > 0 ? { hints } : {}) };
}

function explainOnNode(
  engine: Engine,
  claim: ResourceClaim,
  name: string,
  node: Node | undefined,
  holders: ReadonlyMap<string, string>,
): NodeExplanation {
  const base = { node: name, requests: [], notes: [] };
  if (claim.status?.allocation) {
    const devices = (claim.status.allocation.devices?.results ?? []).map((r) => `${r.request}: ${deviceId(r.driver, r.pool, r.device)}`);
    return { ...base, verdict: 'allocated', reason: 'already allocated', message: `claim is already allocated (${devices.join(', ') || 'no devices'})` };
  }
  const outcome = engine.allocateSync([claim], { node: name });
  if (!node || outcome.kind === 'error') {
    const message = outcome.kind === 'error' ? outcome.message : `node ${name} not found`;
    return { ...base, verdict: 'error', message, reason: `error: ${message}` };
  }
  let funnels;
  try {
    funnels = nodeFunnels(engine, claim, node, holders);
  } catch (e) {
    if (!(e instanceof AllocationError)) throw e;
    return { ...base, verdict: 'error', message: e.message, reason: `error: ${e.message}` };
  }
  if (outcome.kind === 'allocated') return { ...base, ...funnels, verdict: 'allocatable', reason: 'fits' };
  return { ...base, ...funnels, verdict: 'unsatisfiable', message: outcome.reason, reason: blockedReason(funnels.requests, () => onlyUpstreamAccounting(engine, claim, name)) };
}

/**
 * Whether the claim fails only because of upstream's counter accounting: the engine uses it, and
 * the same allocation with exact accounting succeeds.
 */
function onlyUpstreamAccounting(engine: Engine, claim: ResourceClaim, node: string): boolean {
  return engine.counterAccounting === 'upstream' && engine.allocateSync([claim], { node, counterAccounting: 'exact' }).kind === 'allocated';
}

/** Why an unsatisfiable claim fails on a node, in words that do not depend on the node. */
function blockedReason(requests: RequestExplanation[], quirksOnly: () => boolean): string {
  const blocked = requests.find((r) => r.blocked);
  if (!blocked && quirksOnly()) {
    return "kube-scheduler v1.36's shared-counter accounting keeps counters of devices it rejected or backtracked over (it fits with --counter-accounting exact)";
  }
  if (!blocked) return 'the requests cannot be satisfied together (they compete for the same devices, counters or capacity, or their constraints conflict)';
  const [first] = blocked.funnels;
  if (blocked.funnels.length === 1) return `request ${first.request}: ${funnelReason(first)}`;
  return `request ${blocked.name}: none of its ${blocked.funnels.length} subrequests fits (first, ${first.request}: ${funnelReason(first)})`;
}

const REASONS: Record<Stage, (f: RequestFunnel) => [string, string]> = {
  reachable: () => ['no device is reachable from the node', 'devices are reachable from the node'],
  class: (f) => [`no device matches class ${f.deviceClass}`, `devices match class ${f.deviceClass}`],
  selectors: () => ["no device matches the request's selectors", "devices match the request's selectors"],
  free: () => ['every matching device is already allocated', 'matching devices are free'],
  untainted: () => ['every free matching device has a taint the request does not tolerate', 'free matching devices are untainted or tolerated'],
  fits: () => ['no matching device has the counters or capacity left', 'matching devices have the counters or capacity left'],
  constraints: () => ["no candidate satisfies the claim's constraints", "candidates satisfy the claim's constraints"],
};

/** The failing stage in words: `no device matches class X`, or `fewer than 2 devices match class X`. */
export function funnelReason(f: RequestFunnel): string {
  if (f.failedAt === undefined) return 'enough devices';
  const [none, some] = REASONS[f.failedAt](f);
  return f.needed <= 1 ? none : `fewer than ${f.needed} ${some}`;
}

/**
 * One line: `claim ns/c fits on node n1` / `claim ns/c cannot be allocated on node n1: <reason>`,
 * and for several nodes `0/3 nodes can allocate claim ns/c: 2 × <reason>; 1 × <reason>`.
 */
export function summarise(e: Explanation): string {
  if (e.nodes.length === 1) {
    const [n] = e.nodes;
    if (n.verdict === 'allocatable') return `claim ${e.claim} fits on node ${n.node}`;
    if (n.verdict === 'allocated') return `claim ${e.claim} is already allocated`;
    return `claim ${e.claim} cannot be allocated on node ${n.node}: ${n.reason}`;
  }
  const ok = e.nodes.filter((n) => n.verdict === 'allocatable' || n.verdict === 'allocated').length;
  const head = `${ok}/${e.nodes.length} nodes can allocate claim ${e.claim}`;
  const groups = groupByReason(e.nodes.filter((n) => n.verdict !== 'allocatable' && n.verdict !== 'allocated'));
  return groups.length === 0 ? head : `${head}: ${groups.map((g) => `${g.nodes.length} × ${g.reason}`).join('; ')}`;
}

/** Nodes grouped by reason, the largest group first (ties: in order of first appearance). */
export function groupByReason(nodes: readonly NodeExplanation[]): { reason: string; nodes: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const n of nodes) groups.set(n.reason, [...(groups.get(n.reason) ?? []), n.node]);
  return [...groups].map(([reason, names]) => ({ reason, nodes: names })).sort((a, b) => b.nodes.length - a.nodes.length);
}
