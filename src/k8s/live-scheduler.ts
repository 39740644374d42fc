/**
 * `dralloc scheduler`: a secondary scheduler for the Pods with `spec.schedulerName: NAME`.
 *
 * Informers keep a LiveState (engine + scheduler) current. One loop takes pending Pods by
 * priority and, for each: checks its claims (creates them with --manage-claims), runs the
 * scheduler, writes every new allocation and reservation with a resourceVersion precondition,
 * checks that no other writer allocated the same pools meanwhile, then binds the Pod.
 *
 * Conflicts and failures:
 * - 409 on a claim write: someone changed the claim since our cache saw it. The fresh claim is
 *   read and taken in (if another scheduler allocated it, the engine adopts that allocation);
 *   what this attempt already wrote is rolled back; the Pod is retried after a backoff.
 * - Two writers allocating *different* claims onto the same devices cannot be caught by 409.
 *   After writing, the scheduler waits until its claim watch has delivered its own last write
 *   and looks at the claims that changed since it began deciding: an allocated claim in one of
 *   our pools that the engine did not know when it decided means a concurrent writer; the writer
 *   that sees it rolls back (both may; never neither: the watch delivers claims in
 *   resourceVersion order, so of two writes the later writer's check sees the earlier one).
 *   This costs O(changes), no API request; only when the watch lags more than CATCH_UP_MS are
 *   the claims listed instead (the same check against a fresh list). Binding happens only after
 *   this check, so kubelets never act on a double allocation. Remaining window: see
 *   docs/cluster.md (one active scheduler per name — `--leader-elect` — is the real answer).
 * - Ambiguous writes (5xx or a broken connection: the API server may have applied the write):
 *   the object is read again before anything is undone. A claim write found applied counts as
 *   done; one whose outcome stays unknown keeps its devices in use in the engine until the
 *   informer shows a later version of the claim. A binding found applied counts as done; one
 *   whose outcome stays unknown keeps the claims as written (the retry reuses them) — claims
 *   are rolled back only when the Pod is known not to be bound.
 * - Several replicas (`leaderElection`): only the holder of the Lease schedules (leader.ts).
 *   Followers keep their informers warm. On taking over, the leader lists claims and Pods
 *   afresh (its watches may lag behind the old leader's last writes) before its first attempt,
 *   and it checks that it still leads before every write. A replica that stops leading in the
 *   middle of an attempt leaves what it wrote as it is (never rolls back): the new leader may
 *   already be binding that Pod with those claims; it picks up half-written Pods as they are.
 * - Unschedulable: a PodScheduled=False condition and a FailedScheduling event (once per
 *   distinct message); the Pod is retried when devices are freed or the cluster changes, and at
 *   least every `resyncMs`.
 * - Restarts: everything is derived from the API (claims reserved for a Pod and not yet bound
 *   are picked up as they are; reservations are never added twice).
 * - With --manage-claims, Pods of ours that are deleted or done (Succeeded/Failed) release their
 *   claims as the resourceclaim controller would (claim-cleanup.ts): reservations removed, the
 *   last one deallocating the claim, the Pod's generated claims deleted. These releases run in
 *   the same loop as the attempts (never concurrently with one), before any ready Pod.
 */

import { hostname } from 'node:os';
import { Engine } from '../engine.js';
import type { Budget } from '../budget.js';
import type { CounterAccounting } from '../wasm/layout.js';
import type { Pod, PodGroup, ResourceClaim } from '../model/types.js';
import type { Strategy } from '../schedule/scheduler.js';
import { podNamespace, sharingGroup } from '../schedule/pod-claims.js';
import { apiErrorText, httpStatus, type Cluster } from './connect.js';
import { ClusterWatch, laterVersion, type Change } from './informers.js';
import { LiveState, type Commit } from './live-state.js';
import { LIVE_KINDS, objectKey, resolveKinds, type LiveKind } from './resources.js';
import { preparePodClaims } from './claims.js';
import { podIsDone, releasePodClaims } from './claim-cleanup.js';
import { LeaderElector, type LeaderElectionOptions } from './leader.js';
import { ambiguous, NotLeader, Retry } from './retry.js';
import { LiveGangs } from './live-gangs.js';
import { bindPod, createClaim, patchPodStatus, readClaim, readPod, recordPodEvent, replaceClaimStatus } from './writes.js';

export interface LiveSchedulerOptions {
  schedulerName: string;
  manageClaims?: boolean;
  strategy?: Strategy;
  featureGates?: string;
  /** Time and step limits of each allocation on one node (default: the Engine's, a 10 s filter timeout). */
  budget?: Partial<Budget>;
  /** How the search accounts shared counters (EngineOptions.counterAccounting; default upstream). */
  counterAccounting?: CounterAccounting;
  /** Unschedulable Pods are retried at least this often (ms, default 30000). */
  resyncMs?: number;
  /** First retry delay after a conflict or API error (ms, default 100; doubles up to 5000). */
  retryMs?: number;
  /** Schedule only while holding this Lease (undefined: always, a single instance). */
  leaderElection?: LeaderElectionOptions;
  /** Called after every scheduling attempt with its result and duration (metrics). */
  onAttempt?: (result: AttemptResult, seconds: number) => void;
  log?: (line: string) => void;
}

/** How a scheduling attempt ended (kube-scheduler's `result` label). */
export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/**
 * How long the concurrent-writer check waits for the claim watch to deliver this attempt's own
 * writes before it lists the claims instead (a local watch takes a millisecond or so).
 */
const CATCH_UP_MS = 250;

interface Queued {
  notBefore: number;
  attempts: number;
}

/** A queued Pod: its priority is read once (spec.priority is immutable), not on every pick. */
interface QueuedPod extends Queued {
  priority: number;
}

/** A claim this attempt wrote: the version it replaced, and the API server's answer. */
export interface Written {
  before: ResourceClaim;
  after: ResourceClaim;
}

export class LiveScheduler {
  readonly stats = { scheduled: 0, unschedulable: 0, claimsAllocated: 0, conflicts: 0, rollbacks: 0, retries: 0, claimsCreated: 0, claimsDeleted: 0, claimsDeallocated: 0, claimLists: 0 };
  private readonly queue = new Map<string, QueuedPod>();
  /** --manage-claims: Pods (by uid) of ours deleted or done whose claims are still to be released. */
  private readonly releases = new Map<string, Queued & { pod: Pod }>();
  /** Pods waiting for a change (unschedulable, or claims missing): the generation they saw, and why. */
  private readonly parked = new Map<string, { generation: number; since: number; message: string }>();
  private readonly reported = new Map<string, string>();
  /**
   * Pods this process bound (key → uid) whose binding the Pod watch has not shown yet: a late
   * event of the Pod without nodeName must not queue it again (kube-scheduler's "assumed" Pods).
   */
  private readonly bound = new Map<string, string>();
  /** Keys of the claims that changed since the attempt in progress began deciding (the concurrent-writer check). */
  private changedClaims?: Set<string>;
  /** Claims of the attempt in progress whose write had an unknown outcome → the resourceVersion it replaced. */
  private readonly unsure = new Map<string, string | undefined>();
  private generation = 0;
  private stopped = false;
  /** kill(): as after SIGKILL, not one more write (stop() instead lets the attempt in progress finish). */
  private killed = false;
  /** Aborts the searches of the attempt in progress when stopping. */
  private readonly stopping = new AbortController();
  private wake?: () => void;
  private loop?: Promise<void>;
  private elector?: LeaderElector;
  /** Leading and caught up with the cluster (the fresh lists after taking over are in). */
  private leading = false;

  /** Pods of PodGroups (gang or basic): attempted group by group (live-gangs.ts). */
  private readonly gangs: LiveGangs;

  private constructor(
    private readonly cluster: Cluster,
    private readonly watch: ClusterWatch,
    private readonly state: LiveState,
    private readonly opts: LiveSchedulerOptions,
  ) {
    this.gangs = new LiveGangs({
      cluster,
      watch,
      state,
      schedulerName: opts.schedulerName,
      manageClaims: opts.manageClaims ?? false,
      retryMs: opts.retryMs ?? 100,
      signal: this.stopping.signal,
      stats: this.stats,
      stopped: () => this.stopped,
      active: () => this.active(),
      boundByUs: (pod) => this.bound.get(objectKey(pod)) === pod.metadata.uid,
      park: (key, message) => this.park(key, message),
      backoff: (key, why) => this.backoff(key, why),
      reportUnschedulable: (pod, message) => this.reportUnschedulable(pod, message),
      scheduled: (pod, node, claims) => this.scheduled(pod, node, claims),
      writeClaims: (pod, commit, written) => this.writeClaims(pod, commit, written),
      checkConcurrent: (commit, written) => this.checkConcurrent(commit, written),
      beginDecision: () => this.beginDecision(),
      bind: (pod, node) => this.bind(pod, node),
      rollback: (written) => this.rollback(written),
      writeStatus: (claim, status) => this.writeClaim(claim, status),
      settle: (commit) => this.settle(commit),
      log: (line) => this.log(line),
    });
  }

  /** Connects informers, waits for the first full sync, and starts scheduling. */
  static async start(cluster: Cluster, opts: LiveSchedulerOptions): Promise<LiveScheduler> {
    const log = opts.log ?? (() => {});
    const kinds = await LiveScheduler.discover(cluster, opts, log);
    const engine = await Engine.create({ featureGates: opts.featureGates, counterAccounting: opts.counterAccounting, ...opts.budget });
    let self: LiveScheduler | undefined;
    // Until the first sync is complete the caches collect everything; load() takes it in at once.
    const watch = new ClusterWatch(cluster, kinds, (c) => self?.onChange(c), { onError: log, retryMs: 100, maxRetryMs: 2000 });
    const state = new LiveState(engine, watch, opts.strategy);
    await watch.start();
    state.load();
    self = new LiveScheduler(cluster, watch, state, opts);
    for (const pod of watch.all<Pod>('Pod')) {
      self.gangs.podChanged(pod, false);
      self.consider(pod);
      if (podIsDone(pod)) self.releaseLater(pod);
    }
    if (!opts.leaderElection) await self.sweepGonePods();
    self.loop = self.run();
    if (opts.leaderElection) {
      const me = self;
      self.elector = new LeaderElector(cluster, opts.leaderElection, { started: () => void me.takeOver(), stopped: () => void (me.leading = false), log });
      self.elector.start();
    }
    return self;
  }

  /**
   * Which kinds the cluster serves; an unreachable API server or a 5xx is retried with backoff
   * (`retryMs` doubling up to 2 s) until it answers, so that the scheduler can start before the
   * API server is up. Other errors (401, 403, ...) are thrown.
   */
  private static async discover(cluster: Cluster, opts: LiveSchedulerOptions, log: (line: string) => void): Promise<LiveKind[]> {
    for (let delay = opts.retryMs ?? 100; ; delay = Math.min(delay * 2, 2000)) {
      try {
        return (await resolveKinds(cluster, log)).kinds;
      } catch (e) {
        if (!ambiguous(e)) throw e;
        log(`${cluster.server}: ${apiErrorText(e)}; retrying in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** May schedule now: no election, or leading and caught up. */
  private active(): boolean {
    if (this.killed) return false;
    return !this.elector || (this.leading && this.elector.isLeader());
  }

  /** Throws NotLeader when this replica may not write any more. */
  private mustLead(): void {
    if (!this.active()) throw new NotLeader('this replica is no longer the leader');
  }

  /** Just became the leader: re-read claims and Pods (retrying), then start scheduling. */
  private async takeOver(): Promise<void> {
    for (let delay = this.opts.retryMs ?? 100; !this.stopped && this.elector?.isLeader(); delay = Math.min(delay * 2, 2000)) {
      try {
        await this.watch.refresh(['ResourceClaim', 'Pod']);
        await this.sweepGonePods();
        if (this.elector.isLeader()) this.leading = true;
        this.wake?.();
        return;
      } catch (e) {
        this.log(`taking over: listing claims and pods failed, retrying: ${apiErrorText(e)}`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  /** Whether this replica schedules now (always true without leader election). */
  isLeader(): boolean {
    return this.active();
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private onChange(c: Change): void {
    this.state.apply(c);
    if (c.kind === 'ResourceClaim') this.changedClaims?.add(objectKey(c.object));
    if (c.kind === 'Pod') {
      const key = objectKey(c.object);
      this.gangs.podChanged(c.object as Pod, c.type === 'delete');
      if (c.type === 'delete') {
        this.queue.delete(key);
        this.parked.delete(key);
        this.reported.delete(key);
        this.bound.delete(key);
        this.releaseLater(c.object as Pod);
      } else {
        this.consider(c.object as Pod);
        if (podIsDone(c.object as Pod)) this.releaseLater(c.object as Pod);
      }
    } else if (freesSomething(c)) {
      this.generation++;
    }
    this.wake?.();
  }

  /** Queues a Pod of ours that waits for a node; forgets any other. */
  private consider(pod: Pod): void {
    const key = objectKey(pod);
    if (pod.spec.nodeName || this.bound.get(key) !== pod.metadata.uid) this.bound.delete(key);
    if (!this.wants(pod)) {
      this.queue.delete(key);
      this.parked.delete(key);
      return;
    }
    this.parked.delete(key);
    if (!this.queue.has(key)) this.enqueue(key);
  }

  /** --manage-claims: queues releasing the claims of a Pod of ours that is deleted or done. */
  private releaseLater(pod: Pod, anyScheduler = false): void {
    const uid = pod.metadata.uid;
    if (!this.opts.manageClaims || (!anyScheduler && pod.spec.schedulerName !== this.opts.schedulerName) || !uid || this.releases.has(uid)) return;
    this.releases.set(uid, { pod, notBefore: 0, attempts: 0 });
  }

  /**
   * --manage-claims, on start (or on taking over as leader): claims reserved for Pods that no
   * longer exist — deleted while no dralloc ran — are released as the resourceclaim controller
   * would. A Pod missing from the cache is looked up in the API first (the cache may lag); only
   * a 404, or a Pod of that name with another uid, counts as gone. Lookup failures leave the
   * reservation for the next start.
   */
  private async sweepGonePods(): Promise<void> {
    if (!this.opts.manageClaims) return;
    const alive = new Set(this.watch.all<Pod>('Pod').map((p) => p.metadata.uid));
    const gone = new Map<string, Pod>();
    for (const claim of this.watch.all<ResourceClaim>('ResourceClaim')) {
      for (const r of claim.status?.reservedFor ?? []) {
        if (r.resource !== 'pods' || r.apiGroup || !r.uid || alive.has(r.uid) || gone.has(r.uid)) continue;
        const namespace = claim.metadata.namespace ?? 'default';
        try {
          if ((await readPod(this.cluster, namespace, r.name)).metadata.uid === r.uid) continue; // alive, the cache lags
        } catch (e) {
          if (httpStatus(e) !== 404) {
            this.log(`checking whether pod ${namespace}/${r.name} still exists failed: ${apiErrorText(e)}`);
            continue;
          }
        }
        gone.set(r.uid, { apiVersion: 'v1', kind: 'Pod', metadata: { name: r.name, namespace, uid: r.uid }, spec: {} } as Pod);
      }
    }
    for (const pod of gone.values()) {
      this.log(`pod ${podNamespace(pod)}/${pod.metadata.name} (uid ${pod.metadata.uid}) no longer exists: releasing its claims`);
      this.releaseLater(pod, true);
    }
  }

  private wants(pod: Pod): boolean {
    const phase = pod.status?.phase;
    if (this.bound.has(objectKey(pod))) return false;
    return pod.spec.schedulerName === this.opts.schedulerName && !pod.spec.nodeName && !pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
  }

  /**
   * Stops after the Pod in progress (its writes complete or roll back), hands back the Lease
   * (so a follower takes over at once), then stops the informers.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    await this.elector?.stop(true);
    await this.watch.stop();
  }

  /**
   * Stops as abruptly as SIGKILL would, for tests of a takeover: the Lease is neither renewed
   * nor released, and an attempt in progress stops at its next write, leaving what it wrote.
   */
  async kill(): Promise<void> {
    this.stopped = true;
    this.killed = true;
    this.stopping.abort();
    await this.elector?.stop(false);
    this.wake?.();
    await this.watch.stop();
  }

  /** Pods of ours not bound yet (queued or parked). */
  pendingPods(): number {
    return this.queue.size + this.parked.size;
  }

  /** Pending Pods as kube-scheduler's queues count them: ready now, waiting out a backoff, parked. */
  pendingByQueue(): { active: number; backoff: number; unschedulable: number } {
    const now = Date.now();
    const ready = [...this.queue.values()].filter((q) => q.notBefore <= now).length;
    return { active: ready, backoff: this.queue.size - ready, unschedulable: this.parked.size };
  }

  /** The Lease this replica competes for (`namespace/name`), when electing. */
  leaseName(): string | undefined {
    const le = this.opts.leaderElection;
    return le && `${le.namespace}/${le.name}`;
  }

  /** Why this replica is not ready (/readyz), or undefined: informers synced and, when electing, the lease state known. */
  notReady(): string | undefined {
    if (this.elector && !this.elector.known()) return 'lease state not known yet';
    return undefined;
  }

  /** Solver steps of every search this replica ran (dralloc_solver_steps_total). */
  solverSteps(): number {
    return this.state.engine.solverSteps;
  }

  /** Devices in the engine's inventory. */
  inventoryDevices(): number {
    return this.state.engine.inspect().inventory.count;
  }

  /** The invariant between the engine and the informer caches (see LiveState). */
  consistency(): string | undefined {
    return this.state.agreesWithStore();
  }

  private async run(): Promise<void> {
    const resync = this.opts.resyncMs ?? 30_000;
    while (!this.stopped) {
      const now = Date.now();
      for (const [key, p] of this.parked) {
        if (p.generation < this.generation || now - p.since >= resync) {
          this.parked.delete(key);
          this.enqueue(key);
        }
      }
      const release = this.active() && [...this.releases.keys()].find((uid) => this.releases.get(uid)!.notBefore <= now);
      if (release) {
        await this.release(release);
        continue;
      }
      const next = this.active() ? this.pick(now) : undefined;
      if (next) {
        await this.attempt(next).catch((e: unknown) => this.log(`internal error scheduling ${next}: ${(e as Error).stack ?? e}`));
        continue;
      }
      const waiting = this.active() ? [...this.queue.values(), ...this.releases.values()] : [];
      const soonest = Math.min(...waiting.map((q) => q.notBefore), now + Math.min(resync, 1000));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, soonest - now));
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Queues a Pod to be tried at once (a fresh entry: no backoff). */
  private enqueue(key: string): QueuedPod {
    const q = { notBefore: 0, attempts: 0, priority: this.watch.get<Pod>('Pod', key)?.spec.priority ?? 0 };
    this.queue.set(key, q);
    return q;
  }

  /** The ready Pod with the highest priority (ties: queued first). */
  private pick(now: number): string | undefined {
    let best: string | undefined;
    let bestPriority = -Infinity;
    for (const [key, q] of this.queue) {
      if (q.notBefore <= now && q.priority > bestPriority) {
        best = key;
        bestPriority = q.priority;
      }
    }
    return best;
  }

  private park(key: string, message: string): void {
    this.queue.delete(key);
    this.parked.set(key, { generation: this.generation, since: Date.now(), message });
  }

  private backoff(key: string, why: string): void {
    const q = this.queue.get(key) ?? this.enqueue(key);
    this.stats.retries++;
    this.log(`retrying ${key} in ~${this.postpone(q)} ms: ${why}`);
  }

  /** Moves `q` back by a jittered exponential delay (racing writers drift apart); returns the delay. */
  private postpone(q: Queued): number {
    q.attempts++;
    const base = this.opts.retryMs ?? 100;
    const delay = Math.min(base * 2 ** Math.min(q.attempts - 1, 6), 5000);
    q.notBefore = Date.now() + delay / 2 + Math.random() * (delay / 2);
    return delay;
  }

  /** Releases one done or deleted Pod's claims; on failure tries again after a backoff. */
  private async release(uid: string): Promise<void> {
    const r = this.releases.get(uid)!;
    const name = `${podNamespace(r.pod)}/${r.pod.metadata.name}`;
    try {
      const done = await releasePodClaims(this.cluster, this.watch, r.pod);
      this.releases.delete(uid);
      this.stats.claimsDeleted += done.deleted;
      this.stats.claimsDeallocated += done.deallocated;
      if (done.unreserved + done.deleted > 0) this.log(`released pod ${name}: ${done.unreserved} reservation(s) removed, ${done.deallocated} claim(s) deallocated, ${done.deleted} deleted`);
    } catch (e) {
      this.log(`releasing the claims of pod ${name} again in ~${this.postpone(r)} ms: ${apiErrorText(e)}`);
    }
  }

  /** One scheduling attempt for one Pod, timed and counted (`onAttempt`). */
  private async attempt(key: string): Promise<void> {
    const started = performance.now();
    const result = await this.tryPod(key);
    if (result) this.opts.onAttempt?.(result, (performance.now() - started) / 1000);
  }

  /** Schedules one Pod; returns the attempt's result (undefined: no attempt was made). */
  private async tryPod(key: string): Promise<AttemptResult | undefined> {
    let pod = this.watch.get<Pod>('Pod', key);
    if (!pod || !this.wants(pod)) {
      this.queue.delete(key);
      return undefined;
    }
    if (!this.active()) return undefined;
    if (this.gangs.holds(pod)) return this.gangs.attempt(pod);
    try {
      const claims = await preparePodClaims(this.cluster, this.watch, pod, this.opts.manageClaims ?? false, this.sharingGroup(pod));
      if (!claims.ready) {
        this.park(key, claims.waiting);
        return 'unschedulable';
      }
      this.stats.claimsCreated += claims.created;
      pod = claims.pod;
    } catch (e) {
      this.backoff(key, `preparing claims: ${apiErrorText(e)}`);
      return 'error';
    }
    this.beginDecision();
    const { decision, commit } = await this.state.schedule(pod, this.stopping.signal);
    if (decision.node === undefined) {
      this.changedClaims = undefined; // nothing written: nothing to check
      if (this.stopped) return; // searches cut short by stop(): no verdict to report
      this.park(key, decision.message ?? 'unschedulable');
      this.stats.unschedulable++;
      await this.reportUnschedulable(pod, decision.message ?? 'unschedulable');
      return 'unschedulable';
    }
    try {
      await this.writeAndBind(pod, decision.node, commit);
      this.scheduled(pod, decision.node, commit.allocated.length);
      return 'scheduled';
    } catch (e) {
      this.backoff(key, e instanceof Retry ? e.message : apiErrorText(e));
      return 'error';
    } finally {
      this.settle(commit);
    }
  }

  /** Claim changes are collected from the moment the engine's claims are snapshotted (commit.known), for concurrentAllocation. */
  private beginDecision(): void {
    this.changedClaims = new Set();
  }

  /** The Pod's PodGroup when it shares the group's resourceClaims (DRAWorkloadResourceClaims). */
  private sharingGroup(pod: Pod): PodGroup | undefined {
    return sharingGroup(pod, this.state.engine.gates.DRAWorkloadResourceClaims, this.watch.map('PodGroup'));
  }

  /** The Pod is bound: remembered until the Pod watch shows it, counted, logged, reported. */
  private scheduled(pod: Pod, node: string, claimsAllocated: number): void {
    const key = objectKey(pod);
    this.bound.set(key, pod.metadata.uid ?? '');
    void this.reportScheduled(pod, node); // not awaited: the next Pod need not wait for it
    this.queue.delete(key);
    this.reported.delete(key);
    this.stats.scheduled++;
    this.stats.claimsAllocated += claimsAllocated;
    this.log(`bound ${key} to ${node}`);
  }

  /** An attempt is over: the commit's allocations are written or given up, the engine follows the cache again (see LiveState.settle). */
  private settle(commit?: Commit): void {
    for (const c of commit?.allocated ?? []) {
      const key = objectKey(c);
      this.state.settle(key, this.unsure.has(key) ? { replaced: this.unsure.get(key) } : undefined);
    }
    this.unsure.clear();
    this.changedClaims = undefined;
  }

  /**
   * Writes the decision's allocations and reservations, checks for concurrent writers, binds.
   * On any failure before the binding, what was written is rolled back (unless this replica
   * stopped leading meanwhile) and the error rethrown; so is it when the Pod is known not to be
   * bound after a failed binding.
   */
  private async writeAndBind(pod: Pod, node: string, commit: Commit): Promise<void> {
    const written: Written[] = [];
    try {
      await this.writeClaims(pod, commit, written);
      await this.checkConcurrent(commit, written);
    } catch (e) {
      if (this.active()) await this.rollback(written);
      throw e;
    }
    try {
      await this.bind(pod, node);
    } catch (e) {
      // Retry: the binding's outcome is unknown (or this replica stopped leading): claims stay as written.
      if (!(e instanceof Retry) && this.active()) await this.rollback(written);
      throw e;
    }
  }

  /**
   * Writes the Pod's share of a commit (its new allocations, then its reservations), appending
   * each write to `written`. Each claim is reserved for the consumer the decision reserved it
   * for — the Pod, or its PodGroup for a claim the Pod shares with its group: Scheduler.place
   * appends that consumer last to the claim's reservedFor.
   */
  private async writeClaims(pod: Pod, commit: Commit, written: Written[]): Promise<void> {
    const podRef = { resource: 'pods', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
    const consumer = (claim: ResourceClaim) => claim.status?.reservedFor?.at(-1) ?? podRef;
    for (const claim of commit.allocated) {
      const before = this.watch.get<ResourceClaim>('ResourceClaim', objectKey(claim)) ?? (await this.createMissing(claim));
      const status = { ...before.status, allocation: claim.status!.allocation, reservedFor: [consumer(claim)] };
      this.mustLead();
      written.push({ before, after: await this.writeClaim(before, status) });
    }
    for (const claim of commit.reserved) {
      const before = this.watch.get<ResourceClaim>('ResourceClaim', objectKey(claim));
      if (!before?.status?.allocation) throw new Retry(`claim ${objectKey(claim)} is no longer allocated`);
      const ref = consumer(claim);
      const reservedFor = before.status.reservedFor ?? [];
      if (reservedFor.some((r) => r.uid === ref.uid && r.resource === ref.resource)) continue; // reserved by an earlier attempt (or for the group)
      this.mustLead();
      written.push({ before, after: await this.writeClaim(before, { ...before.status, reservedFor: [...reservedFor, ref] }) });
    }
  }

  /** Throws Retry when another writer allocated devices in the pools of the commit's new allocations meanwhile. */
  private async checkConcurrent(commit: Commit, written: readonly Written[]): Promise<void> {
    if (commit.allocated.length === 0) return;
    const concurrent = await this.concurrentAllocation(commit, written.map((w) => w.after));
    if (concurrent) throw new Retry(concurrent);
  }

  /**
   * Binds the Pod. Returns once it is bound (also when another instance bound it: 409, or an
   * ambiguous failure found applied). Throws Retry when the outcome stays unknown or this
   * replica stopped leading (the claims are to be kept); any other error means the Pod is known
   * not to be bound.
   */
  private async bind(pod: Pod, node: string): Promise<void> {
    this.mustLead();
    try {
      await bindPod(this.cluster, pod, node);
    } catch (e) {
      // 409: already bound (by another instance that saw the same claims): nothing to undo.
      if (httpStatus(e) === 409) return;
      if (ambiguous(e)) {
        const fresh = await this.reread(() => readPod(this.cluster, podNamespace(pod), pod.metadata.name));
        if (fresh === undefined) throw new Retry(`binding ${objectKey(pod)}: ${apiErrorText(e)}; outcome unknown, its claims are kept as written`);
        if (fresh.spec.nodeName) {
          this.watch.observe('Pod', fresh);
          return; // applied after all (or bound by another instance, as on 409)
        }
      }
      throw e;
    }
  }

  /** Reads an object again after an ambiguous write, a few times; undefined when that fails too. */
  private async reread<T>(read: () => Promise<T>): Promise<T | undefined> {
    for (let i = 0; i < 3; i++) {
      try {
        return await read();
      } catch (e) {
        if (httpStatus(e) === 404) throw e;
        await new Promise((r) => setTimeout(r, (this.opts.retryMs ?? 100) * 2 ** i));
      }
    }
    return undefined;
  }

  /** A claim the decision made up (the extended-resource claim) that the API does not have yet. */
  private async createMissing(claim: ResourceClaim): Promise<ResourceClaim> {
    const created = await createClaim(this.cluster, claim);
    return (this.watch.observe('ResourceClaim', created) as ResourceClaim | undefined) ?? created;
  }

  /**
   * PUT status with the cached resourceVersion; on 409 takes in the fresh claim and retries the
   * Pod. On an ambiguous failure the claim is read again: written as asked → done; otherwise
   * the error stands, and when even the read fails the claim is marked unsure (see `unsure`).
   */
  private async writeClaim(before: ResourceClaim, status: ResourceClaim['status']): Promise<ResourceClaim> {
    try {
      const after = await replaceClaimStatus(this.cluster, before, status);
      this.watch.observe('ResourceClaim', after);
      return after;
    } catch (e) {
      if (ambiguous(e)) {
        const key = objectKey(before);
        const fresh = await this.reread(() => readClaim(this.cluster, before.metadata.namespace ?? 'default', before.metadata.name!));
        if (fresh === undefined) {
          this.unsure.set(key, before.metadata.resourceVersion);
          throw e;
        }
        const held = this.watch.observe('ResourceClaim', fresh) as ResourceClaim | undefined;
        if (laterVersion(fresh.metadata.resourceVersion, before.metadata.resourceVersion) && sameAllocation(fresh, { status } as ResourceClaim) && sameReservations(fresh.status?.reservedFor, status?.reservedFor)) return held ?? fresh;
        throw e;
      }
      if (httpStatus(e) !== 409) throw e;
      this.stats.conflicts++;
      const fresh = await readClaim(this.cluster, before.metadata.namespace ?? 'default', before.metadata.name!).catch(() => undefined);
      if (fresh) this.watch.observe('ResourceClaim', fresh); // e.g. another scheduler's allocation: adopt it
      throw new Retry(`conflict writing claim ${objectKey(before)}${fresh?.status?.allocation ? ' (allocated by another writer)' : ''}`);
    }
  }

  /**
   * After writing ours: an allocated claim sharing a pool with our new allocations whose
   * allocation the engine did not hold when it decided was written concurrently — ours may
   * overlap it. Returns why, or undefined when there is none.
   */
  private async concurrentAllocation(commit: Commit, written: ResourceClaim[]): Promise<string | undefined> {
    const ours = new Set(commit.allocated.map(objectKey));
    const pools = new Set(commit.allocated.flatMap((c) => (c.status?.allocation?.devices?.results ?? []).map((r) => `${r.driver}/${r.pool}`)));
    for (const claim of await this.claimsSinceDecision(written)) {
      const key = objectKey(claim);
      if (ours.has(key) || !claim.status?.allocation) continue;
      if (!(claim.status.allocation.devices?.results ?? []).some((r) => pools.has(`${r.driver}/${r.pool}`))) continue;
      const known = commit.known(key);
      if (known?.status?.allocation && sameAllocation(known, claim)) continue;
      this.watch.observe('ResourceClaim', claim); // when listed: the retry must not pick its devices again
      return `claim ${key} was allocated concurrently in a pool this Pod's claims use`;
    }
    return undefined;
  }

  /**
   * The claims a concurrent writer may have allocated since this attempt began deciding, as
   * recent as `written` (this attempt's writes) at least. Once the claim watch has delivered the
   * latest of them, every claim write before it has been delivered too: the claims changed since
   * the decision, from the cache. When the watch lags more than CATCH_UP_MS: every claim, listed.
   */
  private async claimsSinceDecision(written: ResourceClaim[]): Promise<ResourceClaim[]> {
    const last = written.map((c) => c.metadata.resourceVersion).reduce((a, b) => (laterVersion(a, b) ? a : b));
    if (await this.watch.caughtUp('ResourceClaim', last, CATCH_UP_MS)) {
      return [...(this.changedClaims ?? [])].flatMap((key) => this.watch.get<ResourceClaim>('ResourceClaim', key) ?? []);
    }
    this.stats.claimLists++;
    // Only names and device results are read: their model fields have their wire names.
    return (await LIVE_KINDS.find((k) => k.kind === 'ResourceClaim')!.list(this.cluster)).items as ResourceClaim[];
  }

  /** Puts written claims back as they were before this attempt (best effort; logged on failure). */
  private async rollback(written: Written[]): Promise<void> {
    for (const { before, after } of written.reverse()) {
      this.stats.rollbacks++;
      const status = { ...after.status, allocation: before.status?.allocation, reservedFor: before.status?.reservedFor };
      if (!status.allocation) delete status.allocation;
      if (!status.reservedFor?.length) delete status.reservedFor;
      try {
        this.watch.observe('ResourceClaim', await replaceClaimStatus(this.cluster, after, status));
      } catch (e) {
        this.log(`rollback of claim ${objectKey(after)} failed: ${apiErrorText(e)}`);
        // The cache keeps what this process wrote until it learns better: the devices stay in use.
        if (ambiguous(e)) {
          const fresh = await this.reread(() => readClaim(this.cluster, after.metadata.namespace ?? 'default', after.metadata.name!)).catch(() => undefined);
          if (fresh) this.watch.observe('ResourceClaim', fresh);
        }
      }
    }
  }

  /** Who reports events: the scheduler name, and this replica. */
  private reporter(): { controller: string; instance: string } {
    return { controller: this.opts.schedulerName, instance: `${this.opts.schedulerName}-${hostname()}` };
  }

  /** kube-scheduler's `Scheduled` event (best effort: a failure is logged, the binding stands). */
  private async reportScheduled(pod: Pod, node: string): Promise<void> {
    const note = `Successfully assigned ${podNamespace(pod)}/${pod.metadata.name} to ${node}`;
    await recordPodEvent(this.cluster, pod, { type: 'Normal', reason: 'Scheduled', action: 'Binding', note, ...this.reporter() }).catch((e: unknown) =>
      this.log(`recording that ${podNamespace(pod)}/${pod.metadata.name} was scheduled failed: ${apiErrorText(e)}`),
    );
  }

  /** A PodScheduled=False condition and a FailedScheduling event, once per distinct message. */
  private async reportUnschedulable(pod: Pod, message: string): Promise<void> {
    const key = objectKey(pod);
    if (this.reported.get(key) === message) return;
    this.reported.set(key, message);
    const conditions = ((pod.status?.conditions as { type: string }[] | undefined) ?? []).filter((c) => c.type !== 'PodScheduled');
    const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
    try {
      this.watch.observe('Pod', await patchPodStatus(this.cluster, pod, { conditions: [...conditions, condition] }));
      await recordPodEvent(this.cluster, pod, { type: 'Warning', reason: 'FailedScheduling', action: 'Scheduling', note: message, ...this.reporter() });
    } catch (e) {
      this.reported.delete(key);
      this.log(`recording that ${podNamespace(pod)}/${pod.metadata.name} is unschedulable failed: ${apiErrorText(e)}`);
    }
  }
}

/** Changes after which a parked Pod may fit or find its claims: anything but a new allocation, a Pod or a PodGroup's status. */
function freesSomething(c: Change): boolean {
  // A PodGroup's status (its PodGroupScheduled condition, written after each group cycle) changes nothing for scheduling.
  if (c.kind === 'PodGroup') return c.type !== 'update' || JSON.stringify((c.old as PodGroup | undefined)?.spec) !== JSON.stringify((c.object as PodGroup).spec);
  if (c.kind !== 'ResourceClaim') return c.kind !== 'Pod';
  if (c.type !== 'update') return true;
  const before = (c.old as ResourceClaim | undefined)?.status;
  const after = (c.object as ResourceClaim).status;
  return !!before?.allocation && !after?.allocation || (before?.reservedFor?.length ?? 0) > (after?.reservedFor?.length ?? 0);
}

function sameReservations(a: { uid: string }[] | undefined, b: { uid: string }[] | undefined): boolean {
  const uids = (r: { uid: string }[] | undefined) => (r ?? []).map((x) => x.uid).sort().join(',');
  return uids(a) === uids(b);
}

function sameAllocation(a: ResourceClaim, b: ResourceClaim): boolean {
  const ids = (c: ResourceClaim) => (c.status?.allocation?.devices?.results ?? []).map((r) => `${r.driver}/${r.pool}/${r.device}/${r.shareID ?? ''}`).sort().join(',');
  return ids(a) === ids(b);
}
