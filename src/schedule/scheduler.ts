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
 *
 * Runs of simple Pods (claims stamped from templates only, no PodGroup) are placed by the
 * placement kernel (placement/runs.ts) the same way, inside the WASM core, and so is a simple
 * Pod given to `schedulePod`/`schedulePodAsync` (a run of one); this file's `decideSteps` is the
 * host's path for every other Pod and the reference the kernel must match.
 */

import { drain } from '../util/steps.js';
import type { Engine } from '../engine.js';
import type { AllocationResult, DeviceClass, DraObject, Namespace, Node, NodeSelector, Pod, PodGroup, ResourceClaim, ResourceClaimTemplate } from '../model/types.js';
import { nodeSelectorMatches } from '../model/nodes.js';
import { planClaims, type Plan } from '../model/requests.js';
import { AllocationError, type Outcome } from '../outcome.js';
import type { Features } from '../features.js';
import { NodeSummaries } from './summary.js';
import { explainClaim, summarise } from '../explain/index.js';
import { numFeasibleNodesToFind, podOrder } from './order.js';
import { nodeRejects } from './node-filter.js';
import { draScore, FIRST_AVAILABLE_MAX } from './score.js';
import { claimKey, extendedResourceClaim, podGroupConsumer, resolvePodClaims, sharingGroup, PodClaimError, type ClaimKey, type PodClaims } from './pod-claims.js';
import { groupKeyOf, groupPods, type GroupOutcome } from './pod-groups.js';
import { scheduleGroup, strip } from './gang.js';
import type { GangSearchOptions } from './gang-search.js';
import { PlacementRuns, placementKernel, type PlacementKernel, type PlacementStats } from './placement/runs.js';

export type Strategy = 'upstream' | 'pack';

export interface ScheduleOptions {
  strategy?: Strategy;
  /** kube-scheduler's percentageOfNodesToScore; 0 = adaptive (its default). */
  percentageOfNodesToScore?: number;
  /** Called after each Pod with (done, total). */
  progress?: (done: number, total: number) => void;
  /** Search again for gangs the upstream PodGroup cycle does not admit (gang-search.ts); off when undefined. */
  gangSearch?: GangSearchOptions;
  /**
   * Where runs of simple Pods are placed (placement/runs.ts): `wasm` (the loop in the WASM core),
   * `ts` (the same loop in TypeScript) or `host` (Pod by Pod); default DRALLOC_PLACEMENT, else
   * `wasm`. The answers and counters are the same.
   */
  placement?: PlacementKernel;
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
  /** Nodes examined (filtered), searches run and nodes the per-node summaries ruled out, summed over Pods (the same whichever placement). */
  counters: { nodesExamined: number; allocations: number; rejectedBySummary: number };
  /** What the placement kernel did (absent with `placement: 'host'`). */
  placement?: PlacementStats;
  /** What became of each PodGroup the Pods name (absent when no Pod names one). */
  groups?: GroupOutcome[];
}

const MAX_RESERVED_FOR = 256;
/** `PodAttempt.bound` of the Pods without allocated claims (shared: read only). */
const NO_CLAIMS: readonly ResourceClaim[] = Object.freeze([]);
const ADMIN_NAMESPACE_LABEL = 'resource.kubernetes.io/admin-access';

/** One Pod's scheduling decision and what it changed. */
export interface PodDecision extends PodResult {
  /** Claims stamped from templates for this Pod (also when it stayed unschedulable). */
  created: ResourceClaim[];
  /** Claims whose status changed (allocation and/or reservedFor), in their new form. */
  updated: ResourceClaim[];
}

/** A Pod ready to be tried on nodes: its claims resolved and planned. */
export interface PodAttempt {
  pod: Pod;
  /** Claims stamped from templates for this Pod (its decision's `created`, placed or not). */
  created: ResourceClaim[];
  /** Claims still to allocate, and claims already allocated (the Pod joins their reservedFor). */
  pending: ResourceClaim[];
  /** The key (`claimKey`) of each claim of `pending`. */
  pendingKeys: ClaimKey[];
  bound: readonly ResourceClaim[];
  plan?: Plan;
  /** The highest DRA score a node can give (all firstAvailable requests on their first choice). */
  maxScore: number;
  /** DRAExtendedResource is on: extended-resource requests become a claim per node. */
  extended: boolean;
  /** Claims the Pod uses through its PodGroup, and the group's consumer reference (DRAWorkloadResourceClaims). */
  forGroup: ReadonlySet<ResourceClaim>;
  groupRef?: ConsumerRef;
}

/** An entry of a claim's `status.reservedFor`. */
type ConsumerRef = { apiGroup?: string; resource: string; name: string; uid: string };

/** A node where the Pod fits: the claims to allocate there (with the extended-resource claim) and their results. */
export interface Placement {
  node: number;
  claims: ResourceClaim[];
  results: Outcome & { kind: 'allocated' };
  /** The inventory slot of each claim's result devices, in result order, when known (the placement kernel's picks). */
  slots?: readonly (readonly number[])[];
  /** The selector assembleResults pins claims to the node with (the node view's), when known: results carrying it reach no other node. */
  pinned?: NodeSelector;
}

/** An allocation a scheduling step needs: the claims, together, on one node. */
interface AllocationAsk {
  claims: ResourceClaim[];
  node: string;
}

/** Why a node does not fit: kube-scheduler's reason, and whether the claims were the problem. */
interface Misfit {
  reason: string;
  claims: boolean;
}

/**
 * One change a tentative placement made, undone in reverse order: a claim map entry (with the
 * value it replaced), an allocation committed to the engine (undone by putting the unallocated
 * claim back under its key: for a claim stamped here the engine then holds it unallocated,
 * which allocates nothing), a node whose summary to recount.
 */
type JournalEntry =
  | { claim: ClaimKey; before: ResourceClaim | undefined }
  | { committedFrom: ResourceClaim }
  | { touched: number | 'all' };

/**
 * Places Pods one at a time on the engine's nodes and keeps the claims it knows up to date.
 * The engine's allocated state is the truth about devices; this holds claims, templates and
 * namespaces (by namespace/name), the per-node summaries and kube-scheduler's rotating start.
 * Between `begin()` and `end()` every change is journaled, so that `undo(mark)` can take back
 * exactly what was placed since `mark` (a gang that is not admitted).
 */
export class Scheduler {
  readonly nodes: Node[];
  private readonly classes: DeviceClass[];
  private readonly namespaces = new Map<string, Namespace>();
  private readonly claims = new Map<ClaimKey, ResourceClaim>();
  private readonly templates = new Map<ClaimKey, ResourceClaimTemplate>();
  /** Where resolvePodClaims finds claims and templates (one object, not one per Pod). */
  private readonly claimSource = { claims: this.claims, templates: this.templates };
  /** PodGroups by namespace/name: whose resourceClaims their Pods share (DRAWorkloadResourceClaims). */
  private readonly podGroups = new Map<ClaimKey, PodGroup>();
  private readonly summaries: NodeSummaries;
  private nextStart = 0;
  /** Plans by the spec of the first claim planned (planOf). */
  private readonly plans = new WeakMap<object, { specs: readonly unknown[]; plan: Plan; maxScore: number }>();
  private journal?: JournalEntry[];
  readonly counters = { nodesExamined: 0, allocations: 0, rejectedBySummary: 0 };
  /** The placement kernel, for batch runs (scheduleSteps) and the per-Pod API (`schedulePod`, `schedulePodAsync`); undefined with `placement: 'host'`. */
  readonly runs?: PlacementRuns;

  constructor(
    readonly engine: Engine,
    objects: readonly DraObject[],
    private readonly opts: ScheduleOptions = {},
  ) {
    this.nodes = objects.filter((o): o is Node => o.kind === 'Node');
    this.classes = objects.filter((o): o is DeviceClass => o.kind === 'DeviceClass');
    for (let i = 0; i < objects.length; i++) this.remember(objects[i]);
    this.summaries = new NodeSummaries(engine, this.nodes);
    const kernel = placementKernel(opts.placement);
    if (kernel !== 'host') this.runs = new PlacementRuns(this, engine, kernel, opts.strategy ?? 'upstream', opts.percentageOfNodesToScore);
  }

  /** Takes a claim, template, namespace or PodGroup into account (new or changed); other kinds are ignored. */
  remember(o: DraObject): void {
    if (o.kind === 'ResourceClaim') this.rememberClaim(claimKey(o.metadata.namespace, o.metadata.name ?? ''), o);
    else if (o.kind === 'ResourceClaimTemplate') this.templates.set(claimKey(o.metadata.namespace, o.metadata.name), o);
    else if (o.kind === 'Namespace') this.namespaces.set(o.metadata.name, o);
    else if (o.kind === 'PodGroup') this.podGroups.set(claimKey(o.metadata.namespace ?? 'default', o.metadata.name), o);
  }

  /** `remember` of a claim whose key is known (the same string object again: its hash is computed once). */
  private rememberClaim(key: ClaimKey, claim: ResourceClaim): void {
    this.journal?.push({ claim: key, before: this.claims.get(key) });
    this.claims.set(key, claim);
  }

  /** Every claim known, in the order first seen (given ones first, stamped ones as created). */
  allClaims(): ResourceClaim[] {
    return [...this.claims.values()];
  }

  /** Devices changed outside this scheduler (another allocation, a release): recount every node. */
  stateChanged(): void {
    this.summaries.touchAll();
  }

  /** Starts journaling (placements from now on can be undone); returns the mark of the start. */
  begin(): number {
    this.journal = [];
    return 0;
  }

  /** Where the journal stands: `undo(mark)` takes back everything placed after this point. */
  mark(): number {
    return this.journal?.length ?? 0;
  }

  /**
   * Takes back every change journaled after `mark`, newest first: claims get their earlier
   * versions (or are forgotten), committed allocations are taken back, touched nodes recounted.
   */
  undo(mark: number): void {
    const journal = this.journal ?? [];
    while (journal.length > mark) {
      const e = journal.pop()!;
      if ('claim' in e) {
        if (e.before) this.claims.set(e.claim, e.before);
        else this.claims.delete(e.claim);
      } else if ('committedFrom' in e) this.engine.upsert([e.committedFrom]); // same key: the allocation goes
      else if (e.touched === 'all') this.summaries.touchAll();
      else this.summaries.touch(e.touched);
    }
  }

  /** Stops journaling: what was placed stays. */
  end(): void {
    this.journal = undefined;
  }

  /** What `dralloc explain` says about the Pod's claims on the first node they failed on. */
  private why(pending: readonly ResourceClaim[], node: string | undefined): string {
    if (!node) return '';
    const parts = pending.map((c) => summarise(explainClaim(this.engine, c, node)));
    return parts.length ? ` ${parts.join('; ')}.` : '';
  }

  /** Resolves and plans the Pod's claims; a decision instead when the Pod cannot be tried at all. */
  prepare(pod: Pod): PodAttempt | PodDecision {
    if (pod.spec.nodeName) return { pod, created: [], updated: [], node: pod.spec.nodeName };
    let resolved: PodClaims;
    const group = sharingGroup(pod, this.engine.gates.DRAWorkloadResourceClaims, this.podGroups);
    try {
      resolved = resolvePodClaims(pod, this.claimSource, group);
    } catch (e) {
      if (e instanceof PodClaimError) return unschedulable(pod, [], e.message);
      throw e;
    }
    const { claims: podClaims, keys, created, forGroup } = resolved;
    // `created` lists the stamped claims in the order of `podClaims`.
    for (let i = 0, k = 0; i < podClaims.length && k < created.length; i++) {
      if (podClaims[i] === created[k]) {
        this.rememberClaim(keys[i], created[k]);
        k++;
      }
    }
    // Mostly no claim is allocated yet: then the claims to allocate are the Pod's claims.
    let anyBound = false;
    for (let i = 0; i < podClaims.length; i++) if (podClaims[i].status?.allocation) anyBound = true;
    const pending = anyBound ? podClaims.filter((c) => !c.status?.allocation) : podClaims;
    const pendingKeys = anyBound ? keys.filter((_k, i) => !podClaims[i].status?.allocation) : keys;
    const bound = anyBound ? podClaims.filter((c) => c.status?.allocation) : NO_CLAIMS;
    const adminError = adminAccessError(pending, this.namespaces);
    if (adminError) return unschedulable(pod, created, adminError);
    if (bound.some((c) => (c.status?.reservedFor?.length ?? 0) >= MAX_RESERVED_FOR)) {
      return unschedulable(pod, created, `a claim of the Pod is already reserved for ${MAX_RESERVED_FOR} consumers`);
    }
    const features = this.engine.features;
    const { plan, maxScore } = this.planOf(pending, features, this.engine.deviceClasses);
    return { pod, created, pending, pendingKeys, bound, plan, maxScore, extended: features.extendedResource, forGroup, groupRef: group && podGroupConsumer(group) };
  }

  /**
   * The plan of the claims to allocate (undefined when planning fails: the allocator reports the
   * same error per node) and the highest DRA score. Kept by the claims' specs: Pods whose claims
   * were stamped from the same templates share one plan (read only), as long as the classes its
   * slots resolved are still the engine's.
   */
  private planOf(pending: readonly ResourceClaim[], features: Features, classes: ReadonlyMap<string, DeviceClass>): { plan?: Plan; maxScore: number } {
    const first = pending[0]?.spec;
    const known = first && this.plans.get(first);
    if (known && stillPlans(known, pending, classes)) return known;
    let plan: Plan;
    try {
      plan = planClaims(pending, { features, classes, allDevices: () => [] });
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      return { plan: undefined, maxScore: 0 };
    }
    const planned = { specs: pending.map((c) => c.spec), plan, maxScore: FIRST_AVAILABLE_MAX * plan.requests.filter((r) => r.hasSubs).length };
    if (first) this.plans.set(first, planned);
    return planned;
  }

  /**
   * Whether the Pod fits node `n`: node checks, the summary, then the allocator. `useSummary`
   * false skips the summary (it may be stale while devices are blocked: see gang-search.ts).
   */
  fit(a: PodAttempt, n: number, useSummary = true): Placement | Misfit {
    return this.driveSync(this.fitSteps(a, n, useSummary));
  }

  /** `fit` as steps: yields each allocation it needs and is resumed with its outcome. */
  private *fitSteps(a: PodAttempt, n: number, useSummary = true): Generator<AllocationAsk, Placement | Misfit, Outcome> {
    const node = this.nodes[n];
    const why = nodeRejects(a.pod, node) ?? boundClaimsReject(a.bound, node);
    if (why) return { reason: why, claims: false };
    if (useSummary && a.plan && !summaryAdmits(this.summaries, a.plan, n)) {
      this.counters.rejectedBySummary++;
      return { reason: 'cannot allocate all claims', claims: true };
    }
    const ext = a.extended ? extendedResourceClaim(a.pod, node, this.classes) : undefined;
    const toAllocate = ext ? [...a.pending, ext] : a.pending;
    let outcome: Outcome;
    if (toAllocate.length === 0) {
      outcome = { kind: 'allocated', results: [], stats: { steps: 0 } };
    } else {
      this.counters.allocations++;
      outcome = yield { claims: toAllocate, node: node.metadata.name };
    }
    if (outcome.kind === 'unsatisfiable') return { reason: 'cannot allocate all claims', claims: true };
    if (outcome.kind === 'error') return { reason: outcome.message, claims: false };
    return { node: n, claims: toAllocate, results: outcome };
  }

  /**
   * Decides where the Pod goes, allocating synchronously. A simple Pod (placement/runs.ts) is
   * placed by the placement kernel as a run of one when it can decide it, else — and every other
   * Pod — by the host (`decidePrepared`): the same answers, counters and messages either way.
   */
  schedulePod(pod: Pod): PodDecision {
    const a = this.prepare(pod);
    return this.runs ? this.runs.decideOne(a) : this.decidePrepared(a);
  }

  /** The host's decision for a Pod `prepare` already took, allocating synchronously (the placement kernel prepares Pods ahead of their turn, and hands here those it does not place). */
  decidePrepared(a: PodAttempt | PodDecision): PodDecision {
    return this.driveSync(this.decideSteps(a));
  }

  /** kube-scheduler's rotating start: the node the next Pod's walk begins at (the placement kernel moves it too). */
  get rotation(): number {
    return this.nextStart;
  }
  set rotation(n: number) {
    this.nextStart = n;
  }

  /**
   * Decides where the Pod goes with `Engine.allocate`, which yields to the event loop during long
   * searches (the live scheduler). `signal` stops the searches still running (they fail with an error).
   */
  async schedulePodAsync(pod: Pod, signal?: AbortSignal): Promise<PodDecision> {
    const a = this.prepare(pod);
    // The kernel's run of one is synchronous and short (it stops with STOP_HOST at a search over
    // its step slice): a long search is the host's, below, and yields. The resident state is
    // seeded again at the next run (the engine may change while the host's search yields).
    const placed = this.runs?.placeOne(a);
    if (placed) return placed;
    const decide = this.decideSteps(a);
    let step = decide.next();
    while (!step.done) step = decide.next(await this.engine.allocate(step.value.claims, { node: step.value.node, signal }));
    return step.value;
  }

  /** Runs steps to the end, answering each allocation they ask for with `Engine.allocateSync`. */
  private driveSync<T>(steps: Generator<AllocationAsk, T, Outcome>): T {
    let step = steps.next();
    while (!step.done) step = steps.next(this.engine.allocateSync(step.value.claims, { node: step.value.node }));
    return step.value;
  }

  /** The host's scheduling of a prepared Pod as steps: yields each allocation it needs and is resumed with its outcome. */
  private *decideSteps(a: PodAttempt | PodDecision): Generator<AllocationAsk, PodDecision, Outcome> {
    if (!('pending' in a)) return a;
    const strategy = this.opts.strategy ?? 'upstream';
    const nodes = this.nodes;

    const reasons = new Map<string, number>();
    const reject = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
    /** The first node where the claims were the problem, for the explanation of a failure. */
    let claimsFailedOn: string | undefined;
    const order = strategy === 'pack' ? this.packOrder(a.plan) : rotate(nodes.length, this.nextStart);
    // Both strategies stop at the first node with the highest possible score (any feasible node
    // when the Pod has no firstAvailable request); pack's order only decides which nodes come first.
    const wanted = numFeasibleNodesToFind(nodes.length, this.opts.percentageOfNodesToScore);
    let best: (Placement & { score: number }) | undefined;
    let feasible = 0;
    let examined = 0;
    for (const n of order) {
      examined++;
      const fit = yield* this.fitSteps(a, n);
      if ('reason' in fit) {
        reject(fit.reason);
        if (fit.claims) claimsFailedOn ??= nodes[n].metadata.name;
        continue;
      }
      feasible++;
      const score = draScore(fit.claims, fit.results);
      if (!best || score > best.score) best = { ...fit, score };
      if (best.score >= a.maxScore || feasible >= wanted) break;
    }
    this.counters.nodesExamined += examined;
    if (strategy === 'upstream' && nodes.length > 0) this.nextStart = (this.nextStart + examined) % nodes.length;
    if (!best) return unschedulable(a.pod, a.created, availability(nodes.length, reasons) + this.why(a.pending, claimsFailedOn));
    return this.place(a, best);
  }

  /** Best fit: fewest free devices for the Pod's requests first (ties: input order). */
  private packOrder(plan: Plan | undefined): number[] {
    const order = this.nodes.map((_, i) => i);
    if (!plan || plan.slots.length === 0) return order;
    const key = this.packKeys(plan);
    return order.sort((a, b) => key[a] - key[b] || a - b);
  }

  /** Pack's key per node: Σ over the plan's requests of the node's free devices for the request's first slot (per-node summaries). */
  packKeys(plan: Plan): number[] {
    return this.nodes.map((_, n) => plan.requests.reduce((sum, r) => sum + this.summaries.free(r.slots[0], n), 0));
  }

  /** Commits the placement: allocations into the engine, claims reserved for the Pod, the Pod bound. */
  place(a: PodAttempt, p: Placement): PodDecision {
    const updated: ResourceClaim[] = new Array(p.claims.length);
    const name = this.commit(a, p, updated);
    return { pod: boundTo(a.pod, name), created: a.created, updated, node: name };
  }

  /**
   * `place` for a caller that keeps only the Pod's result (a batch's Pods placed by the kernel):
   * the same commit, the PodResult `strip` would make of the decision, no decision in between.
   */
  placeResult(a: PodAttempt, p: Placement): PodResult {
    const name = this.commit(a, p, undefined);
    return { pod: boundTo(a.pod, name), node: name };
  }

  /**
   * `place`'s commit; returns the node's name. `updated` (when given) gets the claims whose
   * status changed, in their new form. Keeps nothing of `p` (the placement kernel reuses it).
   *
   * Without `updated` (placeResult) and outside a journal, a claim stamped for this Pod is
   * committed in place: it gets its status, and stays the object the claim map and `created`
   * hold — no one saw it unallocated (no decision lists it, no undo puts it back), and the map
   * holds it under its key since `prepare` (a later Pod that names it again is decided after
   * this one), so neither a copy nor a second map write is made.
   */
  private commit(a: PodAttempt, p: Placement, updated: ResourceClaim[] | undefined): string {
    const { pod } = a;
    const node = this.nodes[p.node];
    const podRef: ConsumerRef = { resource: 'pods', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
    let spansNodes = false;
    for (let i = 0; i < p.claims.length; i++) {
      const c = p.claims[i];
      const allocation = p.results.results[i];
      // What Engine.commit holds, with the reservation in the same status object (one copy of
      // the claim per commit, not two): upserting an allocated claim is committing it.
      // A claim stamped here (pod-claims.ts `stamp`) has these four fields and no status: built
      // field by field (same order, so the same output) and committed without an input check.
      const stamped = a.created.includes(c);
      const reservedFor = [consumerOf(a, c, podRef)];
      const status = stamped ? { allocation, reservedFor } : { ...c.status, allocation, reservedFor };
      const inPlace = stamped && !updated && !this.journal;
      if (inPlace) c.status = status;
      const committed: ResourceClaim = inPlace ? c : stamped ? { apiVersion: c.apiVersion, kind: c.kind, metadata: c.metadata, spec: c.spec, status } : { ...c, status };
      // The claims to allocate are the pending ones, then the extended-resource claim (fitSteps).
      const key = i < a.pendingKeys.length ? a.pendingKeys[i] : claimKey(c.metadata.namespace, c.metadata.name ?? '');
      if (stamped) this.engine.putBuilt(committed, key, p.slots?.[i]);
      else this.engine.upsert([committed]);
      this.journal?.push({ committedFrom: c });
      if (!inPlace) this.rememberClaim(key, committed);
      if (updated) updated[i] = committed;
      spansNodes ||= reachesOtherNodes(allocation, p.pinned);
    }
    for (let b = 0; b < a.bound.length; b++) {
      const c = a.bound[b];
      const ref = consumerOf(a, c, podRef);
      const reservedFor = c.status?.reservedFor ?? [];
      if (ref !== podRef && reservedFor.some((r) => sameConsumer(r, ref))) continue; // the group's claim, already reserved for the group
      const reserved = { ...c, status: { ...c.status, reservedFor: [...reservedFor, ref] } };
      this.remember(reserved);
      updated?.push(reserved);
    }
    const touched = spansNodes ? 'all' : p.node;
    this.journal?.push({ touched });
    if (touched === 'all') this.summaries.touchAll();
    else this.summaries.touch(touched);
    return node.metadata.name;
  }
}

/** The decision for a Pod that stays unschedulable: `message` says why; `created`, the claims stamped for it. */
function unschedulable(pod: Pod, created: ResourceClaim[], message: string): PodDecision {
  return { pod, created, updated: [], message };
}

/** Whether a kept plan is the plan of `pending`: the same specs, and every class its slots resolved still the engine's. */
function stillPlans(known: { specs: readonly unknown[]; plan: Plan }, pending: readonly ResourceClaim[], classes: ReadonlyMap<string, DeviceClass>): boolean {
  if (known.specs.length !== pending.length) return false;
  for (let i = 0; i < pending.length; i++) if (known.specs[i] !== pending[i].spec) return false;
  const slots = known.plan.slots;
  for (let i = 0; i < slots.length; i++) if (classes.get(slots[i].deviceClass.metadata.name) !== slots[i].deviceClass) return false;
  return true;
}

/**
 * The Pod bound to node `name`: a copy of it and of its spec, `spec.nodeName` set — what
 * `{ ...pod, spec: { ...pod.spec, nodeName } }` makes, same keys in the same order, built with
 * Object.assign (the spreads cost ~1 µs per Pod, several times as much). Object.assign sets
 * where a spread defines, which differs only for an own `__proto__` key (JSON.parse makes
 * those): such a Pod is spread.
 */
function boundTo(pod: Pod, name: string): Pod {
  if (Object.hasOwn(pod, '__proto__') || Object.hasOwn(pod.spec, '__proto__')) return { ...pod, spec: { ...pod.spec, nodeName: name } };
  const spec = Object.assign({}, pod.spec);
  spec.nodeName = name;
  const bound = Object.assign({}, pod);
  bound.spec = spec;
  return bound;
}

/**
 * Whom claim `c` is reserved for: the Pod, or its PodGroup for a claim the Pod uses through the
 * group (once). The consumer goes last in reservedFor: the live scheduler writes exactly that entry (writeClaims).
 */
function consumerOf(a: PodAttempt, c: ResourceClaim, podRef: ConsumerRef): ConsumerRef {
  return a.groupRef && a.forGroup.has(c) ? a.groupRef : podRef;
}

/**
 * Whether an allocation's devices may serve other nodes than the one placed on: devices, but no
 * node selector, or a selector term not pinned to a node name (then every node's summary is
 * stale). Most allocations carry assembleResults' selector pinning them to the node: `pinned`
 * (`Placement.pinned`), when known, tells so without reading it.
 */
function reachesOtherNodes(allocation: AllocationResult, pinned: NodeSelector | undefined): boolean {
  const selector = allocation.nodeSelector;
  if (!selector) return (allocation.devices?.results?.length ?? 0) > 0;
  if (selector === pinned) return false;
  const terms = selector.nodeSelectorTerms;
  for (let t = 0; t < terms.length; t++) {
    const fields = terms[t].matchFields;
    let pinned = false;
    for (let f = 0; fields && f < fields.length; f++) if (fields[f].key === 'metadata.name') pinned = true;
    if (!pinned) return true;
  }
  return false;
}

function sameConsumer(a: ConsumerRef, b: ConsumerRef): boolean {
  return a.uid === b.uid && a.resource === b.resource && a.name === b.name && (a.apiGroup ?? '') === (b.apiGroup ?? '');
}

/**
 * Schedules every Pod of `objects` (by priority, then input order) against the engine. A Pod of
 * a PodGroup is scheduled with its whole group, when the group's first Pod comes up (gang.ts).
 */
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
  const groups = groupPods(objects, pods);
  const results: PodResult[] = new Array(pods.length);
  const outcomes: GroupOutcome[] = [];
  const runs = scheduler.runs;
  /** What Pod j is to a run of the placement kernel: its turn comes (`run`), it was placed with its group, or a group's Pod ends the run. */
  const next = (j: number) => (results[j] ? 'skip' : groups && groupKeyOf(pods[j]) ? 'end' : 'run');
  let done = 0;
  for (let i = 0; i < pods.length; i++) {
    if (results[i]) continue; // placed with its group
    const pod = pods[i];
    opts.progress?.(done, pods.length);
    const key = groups && groupKeyOf(pod);
    if (!key) {
      results[i] = runs ? runs.decide(pods, i, next) : strip(scheduler.schedulePod(pod));
      done++;
    } else {
      const g = groups.get(key)!;
      const cycle = scheduleGroup(scheduler, g, pods, opts.gangSearch);
      g.members.forEach((m, j) => (results[m] = cycle.results[j]));
      outcomes.push(cycle.outcome);
      done += g.members.length;
    }
    yield;
  }
  opts.progress?.(pods.length, pods.length);
  return { pods: results, claims: scheduler.allClaims(), counters: scheduler.counters, ...(runs ? { placement: runs.stats } : {}), ...(groups ? { groups: outcomes } : {}) };
}

function* rotate(n: number, start: number): Generator<number> {
  for (let i = 0; i < n; i++) yield (start + i) % n;
}

/** Every request has an alternative with enough free devices on the node. */
function summaryAdmits(s: NodeSummaries, plan: Plan, node: number): boolean {
  return plan.requests.every((r) => r.slots.some((slot) => s.admits(slot, node, slot.mode === 'All' ? 1 : slot.numDevices)));
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
    const requests = c.spec?.devices?.requests ?? [];
    let admin = false;
    for (let r = 0; r < requests.length; r++) if (requests[r].exactly?.adminAccess === true) admin = true;
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


