/**
 * PodGroups in the live scheduler (`dralloc scheduler`): the Pods of a PodGroup with the gang
 * policy (scheduling.k8s.io/v1alpha2, Kubernetes v1.36) are bound together or not at all, as
 * kube-scheduler's GangScheduling plugin binds them (docs/gangs.md, "The live scheduler").
 * kube-scheduler v1.36 runs the same group cycle for the basic policy, without the minCount
 * check (KEP-4671, "Interaction with Basic Policy"): every member that fits is bound.
 *
 * When the loop picks a Pod of a group, the whole group is attempted:
 * - PodGroup missing (never created, or deleted), or fewer Pods of the group than minCount:
 *   every pending member waits, with kube-scheduler's PreEnqueue text (no timeout: it waits
 *   until the PodGroup or more Pods appear — either is a change that wakes it), and claims an
 *   earlier attempt left allocated for the group are released (as below);
 * - else kube-scheduler's group cycle runs on the engine (LiveState.scheduleGroup): members in
 *   order, each placed as a single Pod; bound members count as placed. Fewer than minCount
 *   placed: every placement is undone in the engine, nothing is written, every pending member
 *   waits with its reason — and claims an earlier attempt left allocated for the group
 *   (written, never bound: pending members' own claims, and the PodGroup's shared claims while
 *   no Pod of the group is bound) are released (releaseLeftovers);
 * - admitted: the claims of every placed member are written first (allocations, then
 *   reservations), then one check for concurrent writers, then the bindings. A failure before
 *   the first binding rolls back every claim written for the group, so no Pod of it is bound
 *   and no device stays allocated for it. Once bindings have begun the group is committed:
 *   a member whose binding fails is retried at once (a 5xx may have been applied: the Pod is
 *   read again first), then later with its claims kept as written, so that the retry — which
 *   counts the bound members as placed — binds it where its claims are. Only a member that no
 *   longer exists (404) gives its claims back.
 *
 * After each cycle (not while the group waits) the PodGroup's PodGroupScheduled condition is
 * set as kube-scheduler v1.36 sets it (pod-group-status.ts) — for a basic group, True when a
 * member was placed in the cycle, else False (`pod group is unschedulable`).
 *
 * Invariant: no Pod of a gang is bound before the claims of at least minCount members are
 * written and checked. The window that remains (a binding that keeps failing after others of
 * the group were bound, a leader lost between bindings) is described in docs/cluster.md.
 */

import type { Pod, PodGroup, ResourceClaim } from '../model/types.js';
import { extendedClaimName, groupClaimNames, podClaimName, podGroupConsumer, podNamespace, sharingGroup } from '../schedule/pod-claims.js';
import { podOrder } from '../schedule/order.js';
import { memberMessage } from '../schedule/gang.js';
import { missingGroupMessage, notAdmitted, WAITING_FOR_MIN_COUNT } from '../schedule/pod-groups.js';
import { apiErrorText, httpStatus, type Cluster } from './connect.js';
import type { ClusterWatch } from './informers.js';
import type { Commit, GroupAttempt, LiveState, Placed } from './live-state.js';
import type { AttemptResult, Written } from './live-scheduler.js';
import { preparePodClaims } from './claims.js';
import { patchPodGroupConditions, readPod } from './writes.js';
import { conditionsAfter, NO_MEMBER_PLACED, type GroupOutcome } from './pod-group-status.js';
import { objectKey } from './resources.js';
import { NotLeader, Retry } from './retry.js';
import { GroupMembers } from './group-members.js';

/** What the gang attempt uses of the LiveScheduler (its own queue, writes and reports). */
export interface GangHooks {
  cluster: Cluster;
  watch: ClusterWatch;
  state: LiveState;
  schedulerName: string;
  manageClaims: boolean;
  retryMs: number;
  signal: AbortSignal;
  stats: { unschedulable: number; claimsCreated: number; claimsDeallocated: number };
  stopped(): boolean;
  active(): boolean;
  /** Bound by this process, the Pod watch not showing it yet. */
  boundByUs(pod: Pod): boolean;
  park(key: string, message: string): void;
  backoff(key: string, why: string): void;
  reportUnschedulable(pod: Pod, message: string): Promise<void>;
  scheduled(pod: Pod, node: string, claimsAllocated: number): void;
  writeClaims(pod: Pod, commit: Commit, written: Written[]): Promise<void>;
  checkConcurrent(commit: Commit, written: readonly Written[]): Promise<void>;
  /** A decision begins: claim changes from now on are collected for the concurrent-writer check. */
  beginDecision(): void;
  bind(pod: Pod, node: string): Promise<void>;
  rollback(written: Written[]): Promise<void>;
  /** PUT a claim's status with its cached resourceVersion (409 and ambiguous failures as for any claim write). */
  writeStatus(claim: ResourceClaim, status: ResourceClaim['status']): Promise<ResourceClaim>;
  /** The attempt is over (with the admitted group's commit, if any): see LiveScheduler.settle. */
  settle(commit?: Commit): void;
  log(line: string): void;
}

/** Stands for the node of a member this process bound whose binding the watch has not shown yet (counted as placed). */
const BOUND_UNSEEN = '(bound)';

/** Immediate tries of one member's binding once its group is admitted. */
const BIND_TRIES = 3;

export class LiveGangs {
  /** The members of each group (O(members) per attempt, not a scan of every Pod). */
  private readonly index: GroupMembers;

  constructor(private readonly h: GangHooks) {
    this.index = new GroupMembers(h.schedulerName);
  }

  /** Every Pod the informer adds, changes (`deleted`: removes) passes here, to keep the member index. */
  podChanged(pod: Pod, deleted: boolean): void {
    this.index.update(pod, deleted);
  }

  /** Whether the Pod is scheduled with its group: it names a PodGroup (missing, gang or basic policy). */
  holds(pod: Pod): boolean {
    return !!pod.spec.schedulingGroup?.podGroupName;
  }

  /** One attempt for the group of `trigger` (a Pod for which `holds` is true). */
  async attempt(trigger: Pod): Promise<AttemptResult | undefined> {
    const namespace = podNamespace(trigger);
    const name = trigger.spec.schedulingGroup!.podGroupName!;
    const group = this.h.watch.get<PodGroup>('PodGroup', `${namespace}/${name}`);
    const members = this.members(namespace, name);
    const pending = members.filter((p) => !p.spec.nodeName);
    const gang = group?.spec.schedulingPolicy?.gang;
    const minCount = gang?.minCount ?? 0; // basic: the cycle without the minCount check
    if (!group || members.length < minCount) {
      // Not admitted as it is: claims a lost leader wrote for its members are given back meanwhile.
      await this.releaseLeftovers(group, members);
      return this.wait(pending.map((pod) => [pod, group ? WAITING_FOR_MIN_COUNT : missingGroupMessage(name)]));
    }

    const prepared = new Map<Pod, Pod>();
    const skip = new Map<Pod, string>();
    for (const pod of pending) {
      try {
        const claims = await preparePodClaims(this.h.cluster, this.h.watch, pod, this.h.manageClaims, sharingGroup(pod, this.h.state.engine.gates.DRAWorkloadResourceClaims, this.h.watch.map('PodGroup')));
        if (!claims.ready) {
          skip.set(pod, claims.waiting);
          continue;
        }
        this.h.stats.claimsCreated += claims.created;
        prepared.set(pod, claims.pod);
      } catch (e) {
        return this.retry(pending, `preparing claims: ${apiErrorText(e)}`);
      }
    }
    const tried = members.map((p) => prepared.get(p) ?? p);
    this.h.beginDecision();
    let attempt: GroupAttempt;
    try {
      attempt = await this.h.state.scheduleGroup(tried, minCount, skip, this.h.signal);
    } catch (e) {
      await this.reportGroup(group, { error: (e as Error).message });
      throw e;
    }
    try {
      if (!attempt.admitted) {
        if (this.h.stopped()) return undefined; // searches cut short by stop(): no verdict to report
        await this.releaseLeftovers(group, members);
        const reason = notAdmitted(namespace, name, attempt.cycle.why);
        await this.reportGroup(group, { admitted: false, message: reason });
        return await this.wait(tried.flatMap((pod, i) => (pod.spec.nodeName ? [] : [[pod, memberMessage(attempt.cycle.decisions[i], reason)]])));
      }
      const placed = new Set(attempt.placements.map((p) => p.pod.metadata.uid));
      // An admitted gang's members that did not fit wait with their own reason.
      const left = tried.flatMap((pod, i): [Pod, string][] => (pod.spec.nodeName || placed.has(pod.metadata.uid) ? [] : [[pod, attempt.cycle.decisions[i].message ?? 'unschedulable']]));
      if (!gang && attempt.placements.length === 0) {
        // A basic group of which no pending member fits: kube-scheduler's group status is Unschedulable.
        await this.reportGroup(group, { admitted: false, message: NO_MEMBER_PLACED });
        return await this.wait(left);
      }
      const result = await this.admit(attempt.placements, attempt.commit);
      await this.reportGroup(group, { admitted: true });
      await this.wait(left);
      return result;
    } finally {
      this.h.settle(attempt.admitted ? attempt.commit : undefined);
    }
  }

  /**
   * Our Pods of the group that still count — pending or bound, not deleted or done — in
   * scheduling order (priority, then the order this process first saw them). Members this
   * process bound that the watch does not show bound yet carry BOUND_UNSEEN as their node.
   */
  private members(namespace: string, name: string): Pod[] {
    const pods = this.index
      .of(namespace, name)
      .flatMap((key) => this.h.watch.get<Pod>('Pod', key) ?? [])
      .filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
      .map((p) => (!p.spec.nodeName && this.h.boundByUs(p) ? { ...p, spec: { ...p.spec, nodeName: BOUND_UNSEEN } } : p));
    return podOrder(pods);
  }

  /**
   * Claims still allocated for a group that is not admitted (its cycle fell short, or it waits
   * for its PodGroup or for minCount Pods) — left by an earlier attempt whose bindings did not
   * happen (a leader lost after writing the group's claims, a member whose binding kept failing,
   * a member deleted meanwhile) — are released as the resourceclaim controller releases a Pod's
   * claims: the consumer's reservation removed, the claim deallocated when no one else holds it.
   * So a gang that is not admitted holds no devices.
   * - A member's own claim: released from pending members the API confirms unbound (the cache may
   *   lag behind a binding whose outcome was unknown).
   * - A claim shared through the PodGroup (DRAWorkloadResourceClaims, reserved for the PodGroup):
   *   released only when no Pod of the group is bound (none in the cache, and every member the API
   *   confirms unbound), since a bound Pod of the group uses its devices. A deleted PodGroup's
   *   claim is left to the garbage collector.
   * Failures are logged; the next attempt tries again.
   */
  private async releaseLeftovers(group: PodGroup | undefined, members: readonly Pod[]): Promise<void> {
    const unboundPods = members.filter((p) => !p.spec.nodeName);
    const candidates = new Set(unboundPods.map((p) => p.metadata.uid));
    // Only the members' own claims can be reserved for them: O(members), not a scan of every claim.
    const keys = new Set(unboundPods.flatMap((p) => ownClaimKeys(p)));
    const leftovers = [...keys].flatMap((key) => this.h.watch.get<ResourceClaim>('ResourceClaim', key) ?? []).filter((c) => c.status?.allocation && (c.status.reservedFor ?? []).some(podIn(candidates)));
    const groupLeft = group ? this.groupLeftovers(group, members) : [];
    if (leftovers.length === 0 && groupLeft.length === 0) return;
    const unbound = await this.confirmedUnbound(unboundPods);
    for (const claim of leftovers) await this.release(claim, podIn(unbound), 'pending members');
    if (groupLeft.length === 0 || unbound.size < unboundPods.length) return; // a member may be bound: its group's claims stay
    const consumer = podGroupConsumer(group!);
    for (const claim of groupLeft) await this.release(claim, (r) => r.resource === consumer.resource && r.apiGroup === consumer.apiGroup && r.uid === consumer.uid, 'the pod group');
  }

  /** The group's shared claims still allocated and reserved for it, when no Pod of the group is bound in the cache (any scheduler's). */
  private groupLeftovers(group: PodGroup, members: readonly Pod[]): ResourceClaim[] {
    const ns = group.metadata.namespace ?? 'default';
    const uid = group.metadata.uid;
    const claims = groupClaimNames(group)
      .flatMap((name) => this.h.watch.get<ResourceClaim>('ResourceClaim', `${ns}/${name}`) ?? [])
      .filter((c) => c.status?.allocation && (c.status.reservedFor ?? []).some((r) => r.resource === 'podgroups' && r.uid === uid));
    if (claims.length === 0 || members.some((p) => p.spec.nodeName)) return [];
    // Rare path (claims left): every cached Pod of the group counts, also deleting ones and other schedulers'.
    const running = (p: Pod) => p.spec.schedulingGroup?.podGroupName === group.metadata.name && podNamespace(p) === ns && !!p.spec.nodeName && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
    return [...this.h.watch.map<Pod>('Pod').values()].some(running) ? [] : claims;
  }

  /** UIDs of the given Pods the API shows unbound now (a failed read counts as bound). */
  private async confirmedUnbound(pods: readonly Pod[]): Promise<Set<string | undefined>> {
    const unbound = new Set<string | undefined>();
    for (const pod of pods) {
      const fresh = await readPod(this.h.cluster, podNamespace(pod), pod.metadata.name).catch(() => undefined);
      if (fresh && fresh.metadata.uid === pod.metadata.uid && !fresh.spec.nodeName) unbound.add(pod.metadata.uid);
    }
    return unbound;
  }

  /** Removes the reservations `released` picks from the claim, deallocating it when none is left. */
  private async release(claim: ResourceClaim, released: (r: Consumer) => boolean, of: string): Promise<void> {
    const reservedFor = claim.status?.reservedFor ?? [];
    if (!reservedFor.some(released) || !this.h.active()) return;
    const rest = reservedFor.filter((r) => !released(r));
    const status: ResourceClaim['status'] = { ...claim.status, reservedFor: rest };
    if (rest.length === 0) {
      delete status.reservedFor;
      delete status.allocation;
    }
    try {
      await this.h.writeStatus(claim, status);
      if (!status.allocation) this.h.stats.claimsDeallocated++;
      this.h.log(`claim ${objectKey(claim)}: released from ${of} of a pod group that was not admitted${status.allocation ? '' : ' (deallocated)'}`);
    } catch (e) {
      this.h.log(`releasing claim ${objectKey(claim)} of a pod group that was not admitted failed: ${e instanceof Retry ? e.message : apiErrorText(e)}`);
    }
  }

  /**
   * Sets the group's PodGroupScheduled condition after a cycle (pod-group-status.ts), on the
   * latest cached PodGroup. Best effort, as kube-scheduler's: a failure (a 409 included: the
   * next cycle writes it again) is logged.
   */
  private async reportGroup(at: PodGroup, outcome: GroupOutcome): Promise<void> {
    const group = this.h.watch.get<PodGroup>('PodGroup', objectKey(at));
    const conditions = group && conditionsAfter(group, outcome, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    if (!conditions || !this.h.active()) return;
    try {
      this.h.watch.observe('PodGroup', await patchPodGroupConditions(this.h.cluster, group, conditions));
    } catch (e) {
      this.h.log(`recording the PodGroupScheduled condition of pod group ${objectKey(at)} failed: ${apiErrorText(e)}`);
    }
  }

  /** Every given member waits (parked until a change) with its message; reported once per message. */
  private async wait(pods: [Pod, string][]): Promise<AttemptResult> {
    for (const [pod, message] of pods) {
      this.h.park(objectKey(pod), message);
      this.h.stats.unschedulable++;
      await this.h.reportUnschedulable(pod, message);
    }
    return 'unschedulable';
  }

  /** Every pending member is retried after a backoff. */
  private retry(pending: readonly Pod[], why: string): AttemptResult {
    for (const pod of pending) this.h.backoff(objectKey(pod), why);
    return 'error';
  }

  /** Writes the admitted group's claims, checks for concurrent writers, binds its placed members. */
  private async admit(placements: readonly Placed[], commit: Commit): Promise<AttemptResult> {
    const written = new Map<Placed, Written[]>();
    try {
      for (const p of placements) {
        const mine: Written[] = [];
        written.set(p, mine);
        await this.h.writeClaims(p.pod, p.commit, mine);
      }
      await this.h.checkConcurrent(commit, [...written.values()].flat());
    } catch (e) {
      if (this.h.active()) await this.h.rollback([...written.values()].flat());
      return this.retry(
        placements.map((p) => p.pod),
        e instanceof Retry ? e.message : apiErrorText(e),
      );
    }
    let result: AttemptResult = 'scheduled';
    for (const [i, p] of placements.entries()) {
      try {
        await this.bindMember(p.pod, p.node);
        this.h.scheduled(p.pod, p.node, p.commit.allocated.length);
      } catch (e) {
        result = 'error';
        if (e instanceof NotLeader) {
          // The new leader picks the group up as written (bound members count as placed).
          return this.retry(placements.slice(i).map((q) => q.pod), e.message);
        }
        if (httpStatus(e) === 404 && this.h.active()) await this.h.rollback(written.get(p)!);
        this.h.backoff(objectKey(p.pod), `binding member of an admitted pod group: ${e instanceof Retry ? e.message : apiErrorText(e)}; its claims are kept for the retry`);
      }
    }
    return result;
  }

  /** Binds one member, trying again at once on a failure that may pass (not a lost lease, not a Pod gone). */
  private async bindMember(pod: Pod, node: string): Promise<void> {
    for (let i = 1; ; i++) {
      try {
        return await this.h.bind(pod, node);
      } catch (e) {
        if (e instanceof NotLeader || httpStatus(e) === 404 || i === BIND_TRIES) throw e;
        this.h.log(`binding ${objectKey(pod)} (pod group member) failed, trying again: ${e instanceof Retry ? e.message : apiErrorText(e)}`);
        await new Promise((r) => setTimeout(r, this.h.retryMs * 2 ** (i - 1)));
      }
    }
  }
}

/** A claim's status.reservedFor entry. */
type Consumer = { apiGroup?: string; resource: string; uid: string };

/** Picks the reservations of the Pods with these UIDs. */
const podIn = (uids: ReadonlySet<string | undefined>) => (r: Consumer) => r.resource === 'pods' && !r.apiGroup && uids.has(r.uid);

/** Keys of the claims a Pod may hold reserved for itself: its spec.resourceClaims entries' claims and its extended-resource claim. */
function ownClaimKeys(pod: Pod): string[] {
  const ns = podNamespace(pod);
  const names = (pod.spec.resourceClaims ?? []).flatMap((ref) => podClaimName(pod, ref) ?? []);
  return [...names, extendedClaimName(pod)].map((name) => `${ns}/${name}`);
}
