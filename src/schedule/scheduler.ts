/**
 * Batch scheduling: Pods one after the other, as kube-scheduler does — for each Pod find a node
 * where all its claims can be allocated together, allocate, and carry the allocation into the
 * state the next Pod sees.
 *
 * Strategies:
 * - `upstream` (default): kube-scheduler's node order — a start index that rotates by the
 *   number of nodes examined per Pod — filters nodes until `numFeasibleNodesToFind` feasible
 *   ones are found, scores them with the DRA plugin's prioritized-list score (Σ 8 − index of the
 *   chosen subrequest) and takes the best. kube-scheduler breaks ties at random; dralloc takes
 *   the first best node in filter order, and stops filtering once a node reaches the highest
 *   possible score (for Pods without `firstAvailable` requests: the first feasible node).
 * - `pack`: best fit — nodes in ascending order of free devices that could serve the Pod's
 *   requests (per-node summaries), first node with the best DRA score among the
 *   `numFeasibleNodesToFind` first feasible ones in that order (stopping early at the highest
 *   possible score, as upstream does); fills nodes
 *   before starting new ones, leaving fewer fragmented devices and counters.
 *
 * Per-node summaries (summary.ts) reject hopeless nodes without running the allocator.
 */

import { drain } from '../util/steps.js';
import type { Engine } from '../engine.js';
import type { DeviceClass, DraObject, Namespace, Node, Pod, ResourceClaim, ResourceClaimTemplate } from '../model/types.js';
import { nodeSelectorMatches } from '../model/nodes.js';
import { planClaims, type Plan } from '../model/requests.js';
import { AllocationError, type Outcome } from '../outcome.js';
import { NodeSummaries } from './summary.js';
import { explainClaim, summarise } from '../explain/index.js';
import { numFeasibleNodesToFind, podOrder } from './order.js';
import { nodeRejects } from './node-filter.js';
import { draScore, FIRST_AVAILABLE_MAX } from './score.js';
import { claimKey, extendedResourceClaim, resolvePodClaims, PodClaimError, type ClaimKey } from './pod-claims.js';

export type Strategy = 'upstream' | 'pack';

export interface ScheduleOptions {
  strategy?: Strategy;
  /** kube-scheduler's percentageOfNodesToScore; 0 = adaptive (its default). */
  percentageOfNodesToScore?: number;
  /** Called after each Pod with (done, total). */
  progress?: (done: number, total: number) => void;
}

export interface PodResult {
  pod: Pod;
  /** The node the Pod was bound to; undefined when unschedulable. */
  node?: string;
  /** Why no node fits (kube-scheduler's "0/N nodes are available: ..." form). */
  message?: string;
}

export interface ScheduleResult {
  pods: PodResult[];
  /** Every claim after scheduling (given and stamped from templates), with allocations and reservedFor. */
  claims: ResourceClaim[];
  /** Nodes examined (filtered) and full allocations run, summed over Pods. */
  counters: { nodesExamined: number; allocations: number; rejectedBySummary: number };
}

const MAX_RESERVED_FOR = 256;
const ADMIN_NAMESPACE_LABEL = 'resource.kubernetes.io/admin-access';

/** One Pod's scheduling decision and what it changed. */
export interface PodDecision extends PodResult {
  /** Claims stamped from templates for this Pod (also when it stayed unschedulable). */
  created: ResourceClaim[];
  /** Claims whose status changed (allocation and/or reservedFor), in their new form. */
  updated: ResourceClaim[];
}

/**
 * Places Pods one at a time on the engine's nodes and keeps the claims it knows up to date.
 * The engine's allocated state is the truth about devices; this holds claims, templates and
 * namespaces (by namespace/name), the per-node summaries and kube-scheduler's rotating start.
 */
export class Scheduler {
  private readonly nodes: Node[];
  private readonly classes: DeviceClass[];
  private readonly namespaces = new Map<string, Namespace>();
  private readonly claims = new Map<ClaimKey, ResourceClaim>();
  private readonly templates = new Map<ClaimKey, ResourceClaimTemplate>();
  private readonly summaries: NodeSummaries;
  private nextStart = 0;
  readonly counters = { nodesExamined: 0, allocations: 0, rejectedBySummary: 0 };

  constructor(
    private readonly engine: Engine,
    objects: readonly DraObject[],
    private readonly opts: ScheduleOptions = {},
  ) {
    this.nodes = objects.filter((o): o is Node => o.kind === 'Node');
    this.classes = objects.filter((o): o is DeviceClass => o.kind === 'DeviceClass');
    for (const o of objects) this.remember(o);
    this.summaries = new NodeSummaries(engine, this.nodes);
  }

  /** Takes a claim, template or namespace into account (new or changed); other kinds are ignored. */
  remember(o: DraObject): void {
    if (o.kind === 'ResourceClaim') this.claims.set(claimKey(o.metadata.namespace, o.metadata.name ?? ''), o);
    else if (o.kind === 'ResourceClaimTemplate') this.templates.set(claimKey(o.metadata.namespace, o.metadata.name), o);
    else if (o.kind === 'Namespace') this.namespaces.set(o.metadata.name, o);
  }

  /** Every claim known, in the order first seen (given ones first, stamped ones as created). */
  allClaims(): ResourceClaim[] {
    return [...this.claims.values()];
  }

  /** Devices changed outside this scheduler (another allocation, a release): recount every node. */
  stateChanged(): void {
    this.summaries.touchAll();
  }

  /** What `dralloc explain` says about the Pod's claims on the first node they failed on. */
  private why(pending: readonly ResourceClaim[], node: string | undefined): string {
    if (!node) return '';
    const parts = pending.map((c) => summarise(explainClaim(this.engine, c, node)));
    return parts.length ? ` ${parts.join('; ')}.` : '';
  }

  schedulePod(pod: Pod): PodDecision {
    const decision: PodDecision = { pod, created: [], updated: [] };
    if (pod.spec.nodeName) return { ...decision, node: pod.spec.nodeName };
    const state = this.engine.inspect();
    let podClaims: ResourceClaim[];
    try {
      const resolved = resolvePodClaims(pod, { claims: this.claims, templates: this.templates });
      podClaims = resolved.claims;
      for (const c of resolved.created) this.remember(c);
      decision.created = resolved.created;
    } catch (e) {
      if (e instanceof PodClaimError) return { ...decision, message: e.message };
      throw e;
    }
    const pending = podClaims.filter((c) => !c.status?.allocation);
    const bound = podClaims.filter((c) => c.status?.allocation);
    const adminError = adminAccessError(pending, this.namespaces);
    if (adminError) return { ...decision, message: adminError };
    if (bound.some((c) => (c.status?.reservedFor?.length ?? 0) >= MAX_RESERVED_FOR)) {
      return { ...decision, message: `a claim of the Pod is already reserved for ${MAX_RESERVED_FOR} consumers` };
    }
    let plan: Plan | undefined;
    try {
      plan = planClaims(pending, { features: state.features, classes: state.classes, allDevices: () => [] });
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      plan = undefined; // the allocator reports the same error per node
    }
    const maxScore = FIRST_AVAILABLE_MAX * (plan?.requests.filter((r) => r.hasSubs).length ?? 0);
    const strategy = this.opts.strategy ?? 'upstream';
    const nodes = this.nodes;

    const reasons = new Map<string, number>();
    const reject = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
    /** The first node where the claims were the problem, for the explanation of a failure. */
    let claimsFailedOn: string | undefined;
    const order = strategy === 'pack' ? packOrder(this.summaries, plan) : rotate(nodes.length, this.nextStart);
    // Both strategies stop at the first node with the highest possible score (any feasible node
    // when the Pod has no firstAvailable request); pack's order only decides which nodes come first.
    const wanted = numFeasibleNodesToFind(nodes.length, this.opts.percentageOfNodesToScore);
    let best: { node: number; score: number; claims: ResourceClaim[]; results: Outcome & { kind: 'allocated' } } | undefined;
    let feasible = 0;
    let examined = 0;
    for (const n of order) {
      examined++;
      const node = nodes[n];
      const why = nodeRejects(pod, node) ?? boundClaimsReject(bound, node);
      if (why) {
        reject(why);
        continue;
      }
      if (plan && !summaryAdmits(this.summaries, plan, n)) {
        this.counters.rejectedBySummary++;
        reject('cannot allocate all claims');
        claimsFailedOn ??= node.metadata.name;
        continue;
      }
      const ext = state.features.extendedResource ? extendedResourceClaim(pod, node, this.classes) : undefined;
      const toAllocate = ext ? [...pending, ext] : pending;
      let outcome: Outcome;
      if (toAllocate.length === 0) {
        outcome = { kind: 'allocated', results: [], stats: { steps: 0 } };
      } else {
        this.counters.allocations++;
        outcome = this.engine.allocateSync(toAllocate, { node: node.metadata.name });
      }
      if (outcome.kind === 'unsatisfiable') {
        reject('cannot allocate all claims');
        claimsFailedOn ??= node.metadata.name;
        continue;
      }
      if (outcome.kind === 'error') {
        reject(outcome.message);
        continue;
      }
      feasible++;
      const score = draScore(toAllocate, outcome);
      if (!best || score > best.score) best = { node: n, score, claims: toAllocate, results: outcome };
      if (best.score >= maxScore || feasible >= wanted) break;
    }
    this.counters.nodesExamined += examined;
    if (strategy === 'upstream' && nodes.length > 0) this.nextStart = (this.nextStart + examined) % nodes.length;
    if (!best) return { ...decision, message: availability(nodes.length, reasons) + this.why(pending, claimsFailedOn) };

    const node = nodes[best.node];
    const podRef = { resource: 'pods', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
    let spansNodes = false;
    best.claims.forEach((c, i) => {
      const allocation = best!.results.results[i];
      const committed = this.engine.commit(c, allocation);
      committed.status = { ...committed.status, reservedFor: [podRef] };
      this.remember(committed);
      decision.updated.push(committed);
      const selector = allocation.nodeSelector;
      if (!selector ? (allocation.devices?.results?.length ?? 0) > 0 : selector.nodeSelectorTerms.some((t) => !(t.matchFields ?? []).some((f) => f.key === 'metadata.name'))) {
        spansNodes = true;
      }
    });
    for (const c of bound) {
      const updated = { ...c, status: { ...c.status, reservedFor: [...(c.status?.reservedFor ?? []), podRef] } };
      this.remember(updated);
      decision.updated.push(updated);
    }
    if (spansNodes) this.summaries.touchAll();
    else this.summaries.touch(best.node);
    return { ...decision, pod: { ...pod, spec: { ...pod.spec, nodeName: node.metadata.name } }, node: node.metadata.name };
  }
}

/** Schedules every Pod of `objects` (by priority, then input order) against the engine. */
export function schedule(engine: Engine, objects: readonly DraObject[], opts: ScheduleOptions = {}): ScheduleResult {
  return drain(scheduleSteps(engine, objects, opts));
}

/**
 * `schedule` one Pod at a time: yields after each Pod (the async API yields to the event loop
 * there), returns the result after the last. Dropping the generator early leaves the engine
 * with the allocations of the Pods scheduled so far.
 */
export function* scheduleSteps(engine: Engine, objects: readonly DraObject[], opts: ScheduleOptions = {}): Generator<void, ScheduleResult> {
  const scheduler = new Scheduler(engine, objects, opts);
  const pods = podOrder(objects.filter((o): o is Pod => o.kind === 'Pod'));
  const results: PodResult[] = [];
  for (const pod of pods) {
    opts.progress?.(results.length, pods.length);
    const { created: _c, updated: _u, ...result } = scheduler.schedulePod(pod);
    results.push(result);
    yield;
  }
  opts.progress?.(pods.length, pods.length);
  return { pods: results, claims: scheduler.allClaims(), counters: scheduler.counters };
}

function* rotate(n: number, start: number): Generator<number> {
  for (let i = 0; i < n; i++) yield (start + i) % n;
}

/** Best fit: fewest free devices for the Pod's requests first (ties: input order). */
function packOrder(s: NodeSummaries, plan: Plan | undefined): number[] {
  const order = s.nodes.map((_, i) => i);
  if (!plan || plan.slots.length === 0) return order;
  const key = order.map((n) => plan.requests.reduce((sum, r) => sum + s.free(r.slots[0], n), 0));
  return order.sort((a, b) => key[a] - key[b] || a - b);
}

/** Every request has an alternative with enough free devices on the node. */
function summaryAdmits(s: NodeSummaries, plan: Plan, node: number): boolean {
  return plan.requests.every((r) => r.slots.some((slot) => s.free(slot, node) >= (slot.mode === 'All' ? 1 : slot.numDevices)));
}

function boundClaimsReject(bound: readonly ResourceClaim[], node: Node): string | undefined {
  for (const c of bound) {
    const sel = c.status?.allocation?.nodeSelector;
    if (sel && !nodeSelectorMatches(sel, node)) return 'resourceclaim not available on the node'; // the DRA plugin's Filter text
  }
  return undefined;
}

function adminAccessError(pending: readonly ResourceClaim[], namespaces: ReadonlyMap<string, Namespace>): string | undefined {
  for (const c of pending) {
    const admin = (c.spec?.devices?.requests ?? []).some((r) => r.exactly?.adminAccess === true);
    if (!admin) continue;
    const ns = c.metadata.namespace ?? 'default';
    const nsObj = namespaces.get(ns);
    if (nsObj && nsObj.metadata.labels?.[ADMIN_NAMESPACE_LABEL] !== 'true') {
      return `claim ${ns}/${c.metadata.name}: admin access to devices requires the ${ADMIN_NAMESPACE_LABEL}: "true" label on namespace ${ns}`;
    }
  }
  return undefined;
}

/**
 * kube-scheduler's FitError text: `0/N nodes are available: 1 reason, 2 other.` — the "count
 * reason" strings sorted as strings (Go sort.Strings); with no nodes at all, its ErrNoNodesAvailable.
 */
function availability(total: number, reasons: ReadonlyMap<string, number>): string {
  if (total === 0) return 'no nodes available to schedule pods';
  const parts = [...reasons].map(([why, n]) => `${n} ${why}`).sort();
  return `0/${total} nodes are available${parts.length ? ': ' + parts.join(', ') : ''}.`;
}


